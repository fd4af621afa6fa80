#!/usr/bin/env python3
"""The model x target matrix (tests/e2e/test_model_matrix.py) as a Markdown
table: model, target, scheme, Tessera's cosine against onnxruntime float
(mean over the evaluation images, and the golden image's), onnxruntime's
own QDQ mean cosine on the same scheme (optimized session /
ORT_DISABLE_ALL), simulated latency and cycles, for every case that gets
that far; then every case that did not pass (xfail with its mark's reason,
XPASS, failed) in a second table.

usage: model_matrix.py [--build DIR] [--calib-samples N] [--eval-images N]
                       [-k EXPR]

Runs the test itself (pytest -s, with DIR/bin first on PATH) and collects
the rows it prints, so the table and the acceptance test never disagree.
--calib-samples N sets TESSERA_MATRIX_CALIB_SAMPLES (the test's default is
2), --eval-images N TESSERA_MATRIX_EVAL_IMAGES (the golden image and the
N - 1 held-out images after the calibration ones; default 4); cases below
onnxruntime's cosine fail and are listed. -k selects cases as
pytest's -k does. Wall time is reported, never gated; needs ../shared.
"""
import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST = "tests/e2e/test_model_matrix.py"
HEADER = ("| model | target | scheme | Tessera cosine: mean (golden image) "
          "| onnxruntime QDQ mean cosine "
          "(optimized / ORT_DISABLE_ALL) | latency (us) | cycles |\n"
          "|---|---|---|---|---|---|---|")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get(
        "TESSERA_BUILD_DIR", str(REPO / "build")))
    ap.add_argument("--calib-samples", type=int)
    ap.add_argument("--eval-images", type=int)
    ap.add_argument("-k", dest="select")
    args = ap.parse_args()
    env = dict(os.environ)
    env["PATH"] = str(Path(args.build) / "bin") + os.pathsep + env["PATH"]
    if args.calib_samples is not None:
        env["TESSERA_MATRIX_CALIB_SAMPLES"] = str(args.calib_samples)
    if args.eval_images is not None:
        env["TESSERA_MATRIX_EVAL_IMAGES"] = str(args.eval_images)
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-rxXfE",
           "-p", "no:cacheprovider", TEST]
    if args.select:
        cmd += ["-k", args.select]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          text=True)
    seconds = time.monotonic() - start
    out = proc.stdout
    # One row per case as the test prints it (before its accuracy check),
    # followed by the stage times in parentheses.
    rows = re.findall(r"^(\| [\w.]+ \| \w+ \| \w+ \| [0-9.]+ .*\|)  \(",
                      out, re.M)
    # pytest's summary: XFAIL/XPASS/FAILED/ERROR lines with their reasons.
    summary = re.findall(r"^(XFAIL|XPASS|FAILED|ERROR) \S+::\w+\[([\w.]+)-"
                         r"(\w+)\](?: - (.*))?$", out, re.M)
    counts = re.search(r"^=*\s*(\d+ \w+.*) in [0-9.]+s", out, re.M)
    if not rows and not summary:
        sys.stderr.write(out[-4000:] + proc.stderr[-2000:])
        sys.exit("model_matrix: the test printed no table (see above)")
    print(HEADER)
    print("\n".join(rows))
    if summary:
        print("\n| model | target | outcome | reason |\n|---|---|---|---|")
        for outcome, model, target, reason in summary:
            print(f"| {model} | {target} | {outcome} | "
                  f"{(reason or '').replace('|', '/')} |")
    print(f"\n{counts.group(1) if counts else 'no summary'}; "
          f"{seconds:.0f} s wall")
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
