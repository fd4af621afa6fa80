#!/usr/bin/env python3
"""Tessera's float forward pass (the reference executor) against onnxruntime,
same machine, same run, same thread count.

usage: float_vs_ort.py [--build DIR] [--threads N] [--repeat R] [--quiet]
                       [--models mobilenet_v2,yolov5s] [--json OUT.json]

For each model in ../shared/fixtures/models (mobilenet_v2 @224, yolov5s
@640) on its golden input: times float-forward-bench (import once, then
Executor::run on N threads; OpenBLAS is single-threaded, the executor
splits its calls) and an
onnxruntime CPU session (intra_op_num_threads = N, default graph
optimizations), checks that both outputs agree, and prints a table with the
median times and the ratio tessera / onnxruntime (> 1: tessera is slower).
Writes the numbers as JSON. Wall time is reported, never gated: this is not
part of CI (benchmarks/run calls it). A model Tessera cannot import yet is
reported as such and skipped.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODELS = {"mobilenet_v2": "input", "yolov5s": "input"}


def say(args, msg):
    if not args.quiet:
        print(msg, file=sys.stderr, flush=True)


def time_ort(model, name, x, threads, repeat, warmup):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(model), opts,
                                providers=["CPUExecutionProvider"])
    out = None
    times = []
    for i in range(warmup + repeat):
        t = time.perf_counter()
        res = sess.run(None, {name: x})
        dt = (time.perf_counter() - t) * 1e3
        if out is None:
            out = res[0]
        if i >= warmup:
            times.append(dt)
    return out, times


def time_tessera(bench, model, name, x, threads, repeat, warmup, tmp):
    inp = Path(tmp) / "input.npy"
    out = Path(tmp) / "output.npy"
    np.save(inp, x)
    proc = subprocess.run(
        [str(bench), str(model), f"--input={name}={inp}", f"--repeat={repeat}",
         f"--warmup={warmup}", f"--num-threads={threads}", f"--output={out}"],
        capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return np.load(out), json.loads(proc.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get("TESSERA_BUILD_DIR",
                                                      REPO / "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--json", default=None)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    fixtures = Path(os.environ.get("TESSERA_SHARED_DIR", REPO.parent / "shared"))
    fixtures = fixtures / "fixtures" / "models"
    if not fixtures.is_dir():
        print(f"skipped: {fixtures} is absent (benchmark models live in "
              "../shared)")
        return 0
    bench = Path(args.build) / "benchmarks" / "float-forward-bench"
    if not bench.exists():
        sys.exit(f"error: {bench} is not built (cmake --build BUILD "
                 "--target float-forward-bench)")

    rows = []
    for m in args.models.split(","):
        model = fixtures / f"{m}.onnx"
        name = MODELS[m]
        x = np.load(fixtures / f"{m}.golden.npz")["input"].astype(np.float32)
        say(args, f"{m}: onnxruntime x{args.repeat} ...")
        ref, ort_times = time_ort(model, name, x, args.threads, args.repeat,
                                  args.warmup)
        say(args, f"{m}: tessera x{args.repeat} ...")
        with tempfile.TemporaryDirectory() as tmp:
            got, info = time_tessera(bench, model, name, x, args.threads,
                                     args.repeat, args.warmup, tmp)
        row = {"model": m, "input": "x".join(map(str, x.shape)),
               "threads": args.threads,
               "ort_ms": ort_times, "ort_median_ms": statistics.median(ort_times)}
        if got is None:
            row["tessera_error"] = info
        else:
            row.update(tessera_ms=info["run_ms"],
                       tessera_median_ms=statistics.median(info["run_ms"]),
                       tessera_import_ms=info["import_ms"],
                       max_abs_diff=float(np.abs(got - ref).max()),
                       max_abs_ref=float(np.abs(ref).max()))
            row["ratio"] = row["tessera_median_ms"] / row["ort_median_ms"]
        rows.append(row)

    print(f"{'model':14s} {'input':14s} {'thr':>3s} {'onnxruntime ms':>15s} "
          f"{'tessera ms':>11s} {'ratio':>6s} {'max|diff|':>10s}")
    for r in rows:
        if "tessera_error" in r:
            print(f"{r['model']:14s} {r['input']:14s} {r['threads']:3d} "
                  f"{r['ort_median_ms']:15.1f}  not supported: "
                  f"{r['tessera_error'][:100]}")
            continue
        print(f"{r['model']:14s} {r['input']:14s} {r['threads']:3d} "
              f"{r['ort_median_ms']:15.1f} {r['tessera_median_ms']:11.1f} "
              f"{r['ratio']:6.2f} {r['max_abs_diff']:10.2e}")
    out = Path(args.json or Path(args.build) / "benchmarks" / "float_vs_ort.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")
    say(args, f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
