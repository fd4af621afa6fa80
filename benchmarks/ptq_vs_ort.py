#!/usr/bin/env python3
"""Tessera's post-training quantization against onnxruntime's, in one run:
model x target (scheme) x calibration method, the cosine of each one's
int8 output against onnxruntime float on the golden input.

usage: ptq_vs_ort.py [--models squeezenet1_1,mobilenet_v2,...]
                     [--targets rv1126,j5,orin]
                     [--methods minmax,moving_average,percentile,kl,mse]
                     [--calib-images N] [--percentile P] [--mnist-eval N]
                     [--threads N] [--work DIR] [--json OUT.json] [--quiet]

For each model of ../shared/fixtures (tests/e2e/fixture_models.py: the
photo models calibrate on the first N photos of calib224/calib640, 12 by
default, and are evaluated on golden224/640_rocket.jpg; MNIST calibrates
on test images 0-99 and is evaluated on test image 121) and each target's
default scheme (targets/*.yaml, as tessera-compile applies it: activations
and weights as the scheme says, e.g. rv1126's asymmetric uint8 weights):

- Tessera: tessera.compile(calibration=the same float32 samples,
  calibration_method=M) for the target, then tessera.simulate on the golden
  input (the simulator quantizes it with the program's input scale; its
  output dequantized). The simulator is bit-exact with the integer
  reference executor (tests/e2e/test_model_matrix.py;
  tests/e2e/test_ptq_vs_ort.py checks the cosine against
  compile(emit="int") + tessera.run too).
- onnxruntime: quant_pre_process, then quantize_static(QuantFormat.QDQ) on
  the same samples with the same scheme and the method's counterpart
  (fixture_models.ORT_METHODS: minmax -> MinMax, moving_average -> MinMax
  with CalibMovingAverage, percentile -> Percentile with the same
  percentile, kl -> Entropy; mse has none); run by the default optimized
  session and by ORT_DISABLE_ALL (QDQ evaluated as written in float32).

Each cosine is against onnxruntime's float model on the golden input. j5
and orin share one scheme, so one Tessera compile and one onnxruntime
quantization serve both. MNIST also reports top-1 on test images 100 to
100 + --mnist-eval - 1 (default 1,000; 0: off) for both. Prints a Markdown
table on stdout, progress on stderr, and writes every number and the exact
onnxruntime settings to --json. Skips (exit 0, a message on stderr) when
../shared is absent. Wall time is reported, never gated. How to read the
onnxruntime columns (its Entropy is MinMax through quantize_static, its
moving average a plain mean): docs/quantization.md, "Measured against
onnxruntime".

JSON: {calib_images, percentile, mnist_eval, threads, onnxruntime (its
version), seconds, rows: [{model, target, scheme, activations, weights,
method, calib_samples, golden, tessera_cosine (null with tessera_error, the
compile's message), tessera_seconds, ort_method (null: no counterpart, and
no other ort_* key), ort_settings {calibrate_method, activation_type,
weight_type, per_channel, extra_options}, ort_cosine (optimized session),
ort_cosine_unoptimized (ORT_DISABLE_ALL), ort_seconds; MNIST also
tessera_top1, ort_top1, ort_top1_unoptimized, float_top1 (fractions)}]}.
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import fixture_models as fm  # noqa: E402

METHODS = ["minmax", "moving_average", "percentile", "kl", "mse"]
DEFAULT_MODELS = [m for m in fm.MODELS if m not in ("resnet50",)]


def csv_arg(value, allowed, what):
    items = [v for v in value.split(",") if v]
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {','.join(bad) or '(none)'} (expected a "
            f"comma-separated list of {', '.join(allowed)})")
    return items


def cosine(a, b):
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.work)
        self.work.mkdir(parents=True, exist_ok=True)

    def say(self, msg):
        if not self.args.quiet:
            print(f"ptq_vs_ort: {msg}", file=sys.stderr, flush=True)

    # --- the model's data ---------------------------------------------------

    def load(self, model):
        """dict(onnx, input, output, samples, x, float_out, eval images and
        labels for MNIST)."""
        import onnxruntime as ort
        source, _, golden, mean_std = fm.MODELS[model]
        path = fm.model_file(fm.fixture, model, self.work)
        if source == "mnist":
            samples = fm.mnist_images(fm.fixture, 0, 100)
            x = fm.mnist_images(fm.fixture, fm.GOLDEN_MNIST, 1)
            n = self.args.mnist_eval
            evals = (fm.mnist_images(fm.fixture, 100, n),
                     fm.mnist_labels(fm.fixture, 100, n)) if n else None
        else:
            photos = fm.calibration_photos(fm.fixture, model)
            samples = np.concatenate([
                fm.image_input(p, mean_std)
                for p in photos[:self.args.calib_images]])
            x = fm.image_input(fm.fixture("models", golden), mean_std)
            evals = None
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.args.threads
        so.inter_op_num_threads = 1
        sess = ort.InferenceSession(str(path), so,
                                    providers=["CPUExecutionProvider"])
        name = sess.get_inputs()[0].name
        out = sess.get_outputs()[0].name
        return dict(onnx=path, input=name, output=out, samples=samples, x=x,
                    golden=(golden or f"MNIST test image {fm.GOLDEN_MNIST}"),
                    float_out=sess.run(None, {name: x})[0], evals=evals,
                    float_top1=top1(lambda xi: sess.run(None, {name: xi})[0],
                                    evals))

    # --- Tessera ------------------------------------------------------------

    def tessera(self, m, target, method, workdir):
        """(cosine, top-1 or None, seconds) of Tessera's int8 program for
        `target`, run on the simulator (its dequantized output)."""
        import tessera
        t0 = time.perf_counter()
        program = tessera.compile(
            m["onnx"], workdir / f"tessera_{method}.npubin", target=target,
            calibration=m["samples"], calibration_method=method,
            percentile=(self.args.percentile if method == "percentile"
                        else None))

        def run(x):
            return tessera.simulate(program, {m["input"]: x})[0][m["output"]]
        cos = cosine(run(m["x"]), m["float_out"])
        return cos, top1(run, m["evals"]), time.perf_counter() - t0

    # --- onnxruntime --------------------------------------------------------

    def onnxruntime(self, m, scheme, method, workdir):
        """(optimized cosine, ORT_DISABLE_ALL cosine, top-1 of each or None,
        settings, seconds), or None where onnxruntime has no such method."""
        if fm.ORT_METHODS[method] is None:
            return None
        _, quant = scheme
        t0 = time.perf_counter()
        pre = workdir.parent / "ort_pre.onnx"
        if not pre.exists():
            fm.ort_pre_process(m["onnx"], pre)
        qdq = workdir / f"ort_{method}.onnx"
        settings = fm.ort_quantize(
            pre, qdq, m["input"], m["samples"], quant, method,
            self.args.percentile)
        cosines, top1s = [], []
        for sess in fm.ort_sessions(qdq, self.args.threads):
            def run(x, sess=sess):
                return sess.run(None, {m["input"]: x})[0]
            cosines.append(cosine(run(m["x"]), m["float_out"]))
            top1s.append(top1(run, m["evals"]))
        return (*cosines, top1s, settings, time.perf_counter() - t0)

    # --- the table ----------------------------------------------------------

    def rows(self, model):
        args = self.args
        m = self.load(model)
        # Targets with the same scheme share their results.
        schemes = {}
        for target in args.targets:
            s = fm.scheme_of(target)
            schemes.setdefault(s[1], (s, []))[1].append(target)
        out = []
        for (scheme, targets) in schemes.values():
            name, (act, symmetric, w_dtype, w_symmetric, per_channel) = scheme
            workdir = self.work / model / "_".join(map(str, scheme[1]))
            workdir.mkdir(parents=True, exist_ok=True)
            for method in args.methods:
                self.say(f"{model} / {'+'.join(targets)} ({name}) / {method}")
                row = dict(
                    model=model, calib_samples=len(m["samples"]),
                    golden=m["golden"], scheme=name,
                    activations=f"{act} {'symmetric' if symmetric else 'asymmetric'}",
                    weights=f"{w_dtype} "
                            f"{'symmetric' if w_symmetric else 'asymmetric'} per-"
                            + ("channel" if per_channel else "tensor"),
                    method=method)
                try:
                    cos, t1, sec = self.tessera(m, targets[0], method,
                                                workdir)
                    row.update(tessera_cosine=cos, tessera_seconds=sec)
                    if t1 is not None:
                        row["tessera_top1"] = t1
                except (ValueError, MemoryError) as e:
                    row.update(tessera_cosine=None, tessera_error=str(e))
                peer = self.onnxruntime(m, scheme, method, workdir)
                if peer is None:
                    row.update(ort_method=None)
                else:
                    opt, plain, top1s, settings, sec = peer
                    row.update(ort_method=settings["calibrate_method"],
                               ort_settings=settings, ort_cosine=opt,
                               ort_cosine_unoptimized=plain,
                               ort_seconds=sec)
                    if top1s[0] is not None:
                        row.update(ort_top1=top1s[0],
                                   ort_top1_unoptimized=top1s[1])
                if m["float_top1"] is not None:
                    row["float_top1"] = m["float_top1"]
                self.say("  Tessera %s, onnxruntime %s" % (
                    fmt(row.get("tessera_cosine")),
                    fmt(row.get("ort_cosine"))))
                for target in targets:
                    out.append(dict(row, target=target))
        return out


def top1(run, evals):
    """Top-1 accuracy of `run` (one image [1, ...] -> scores) on evals =
    (images [N, ...], labels), or None without evals."""
    if evals is None:
        return None
    images, labels = evals
    hits = sum(int(np.argmax(run(images[i:i + 1])) == labels[i])
               for i in range(len(labels)))
    return hits / len(labels)


def fmt(v, digits=6):
    return "-" if v is None else f"{v:.{digits}f}"


def table(rows):
    lines = ["| model | target (scheme) | method | Tessera cosine | "
             "onnxruntime cosine: optimized / ORT_DISABLE_ALL "
             "(its method) |", "|---|---|---|---|---|"]
    for r in rows:
        ours = (fmt(r["tessera_cosine"]) if r.get("tessera_cosine")
                is not None else "error: " + r.get("tessera_error", "?"))
        if "tessera_top1" in r:
            ours += f" (top-1 {100 * r['tessera_top1']:.2f}%)"
        if r["ort_method"] is None:
            peer = "- (no counterpart)"
        else:
            peer = (f"{fmt(r['ort_cosine'])} / "
                    f"{fmt(r['ort_cosine_unoptimized'])} "
                    f"({r['ort_method']}"
                    + (", CalibMovingAverage" if r["ort_settings"][
                        "extra_options"].get("CalibMovingAverage") else "")
                    + ")")
            if "ort_top1" in r:
                peer += (f" (top-1 {100 * r['ort_top1']:.2f}% / "
                         f"{100 * r['ort_top1_unoptimized']:.2f}%)")
        lines.append(f"| {r['model']} | {r['target']} ({r['scheme']}) | "
                     f"{r['method']} | {ours} | {peer} |")
    return "\n".join(lines)


def settings_lines(rows):
    """One line per scheme: the onnxruntime settings that reproduce it."""
    seen = {}
    for r in rows:
        if r["ort_method"] is None:
            continue
        s = r["ort_settings"]
        key = (r["scheme"], r["activations"], r["weights"])
        seen.setdefault(key, (s, set()))[1].add(r["target"])
    out = []
    for (scheme, act, w), (s, targets) in seen.items():
        extra = {k: v for k, v in s["extra_options"].items()
                 if k in ("ActivationSymmetric", "WeightSymmetric")}
        out.append(f"- {'/'.join(sorted(targets))} ({scheme}: {act} "
                   f"activations, {w} weights): quantize_static(QDQ, "
                   f"activation_type={s['activation_type']}, weight_type="
                   f"{s['weight_type']}, per_channel={s['per_channel']}, "
                   f"extra_options={extra}); Percentile adds "
                   f"CalibTensorRangeSymmetric={extra['ActivationSymmetric']}"
                   f" and CalibPercentile={s_percentile(rows)}, MinMax "
                   f"for moving_average CalibMovingAverage=True (a plain "
                   f"mean of the per-sample min/max), Entropy onnxruntime's "
                   f"defaults (128 bins)")
    return out


def s_percentile(rows):
    return next((r["ort_settings"]["extra_options"].get("CalibPercentile")
                 for r in rows if r["ort_method"] == "Percentile"), "-")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS),
                    type=lambda v: csv_arg(v, list(fm.MODELS), "model"),
                    help="comma-separated fixture models (default: all "
                         "but resnet50)")
    ap.add_argument("--targets", default=",".join(fm.TARGETS),
                    type=lambda v: csv_arg(v, fm.TARGETS, "target"),
                    help="comma-separated targets; each one's default "
                         "scheme (default: all)")
    ap.add_argument("--methods", default=",".join(METHODS),
                    type=lambda v: csv_arg(v, METHODS, "method"),
                    help="comma-separated Tessera calibration methods "
                         "(default: all five)")
    ap.add_argument("--calib-images", type=int, default=12,
                    help="photos calibrating the photo models (1-12)")
    ap.add_argument("--percentile", type=float, default=99.99,
                    help="the percentile of both Tessera's and "
                         "onnxruntime's percentile method")
    ap.add_argument("--mnist-eval", type=int, default=1000,
                    help="MNIST test images (from 100 on) for top-1; 0: off")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads of the onnxruntime sessions (Tessera's "
                         "calibration uses its default)")
    ap.add_argument("--work", default=None,
                    help="where models and quantized models are written "
                         "(default: a temporary directory)")
    ap.add_argument("--json", help="write every row to this file")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    if not 1 <= args.calib_images <= 12:
        ap.error("--calib-images: expected 1 to 12 (the fixture's photos), "
                 f"got {args.calib_images}")
    if not 0.0 < args.percentile <= 100.0:
        ap.error(f"--percentile: expected (0, 100], got {args.percentile}")
    if not 0 <= args.mnist_eval <= 9900:
        ap.error(f"--mnist-eval: expected 0 to 9900, got {args.mnist_eval}")
    if args.threads < 1:
        ap.error(f"--threads: expected >= 1, got {args.threads}")
    try:
        fm.fixture("models")
    except fm.FixtureMissing as e:
        print(f"ptq_vs_ort: skipped: {e}", file=sys.stderr)
        return 0
    try:
        import onnxruntime  # noqa: F401
        import tessera  # noqa: F401
    except ImportError as e:
        sys.exit(f"ptq_vs_ort: error: {e} (run scripts/setup and "
                 "scripts/build; use .venv/bin/python)")
    if args.work is None:
        tmp = tempfile.TemporaryDirectory(prefix="ptq_vs_ort_")
        args.work = tmp.name
    bench = Bench(args)
    start = time.monotonic()
    rows = []
    for model in args.models:
        try:
            rows += bench.rows(model)
        except fm.FixtureMissing as e:
            bench.say(f"{model}: skipped: {e}")
    seconds = time.monotonic() - start
    import onnxruntime
    print(table(rows))
    for model in dict.fromkeys(r["model"] for r in rows if "float_top1" in r):
        top = next(r["float_top1"] for r in rows if r["model"] == model)
        print(f"\n{model}: onnxruntime float top-1 {100 * top:.2f}% on "
              f"test images 100-{99 + args.mnist_eval}")
    print()
    print("onnxruntime %s settings:" % onnxruntime.__version__)
    print("\n".join(settings_lines(rows)))
    print(f"\n{len(rows)} rows; {seconds:.0f} s wall")
    if args.json:
        doc = dict(
            calib_images=args.calib_images, percentile=args.percentile,
            mnist_eval=args.mnist_eval, threads=args.threads,
            onnxruntime=onnxruntime.__version__, seconds=seconds, rows=rows)
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
