"""Builds make_model_opsb.py cases, imports each with tessera-import, runs
it with tessera-run (the float reference executor) and compares every
output with onnxruntime on seeded uniform [-1, 1) inputs, all in one
process (the models are tiny; starting Python per case would dominate).

usage: run_cases_opsb.py WORKDIR (--resize-matrix | CASE...)

--resize-matrix runs every Resize case of a matrix: modes x coordinate
transforms x nearest modes x sizes/scales x opsets. tessera-import and
tessera-run must be on PATH. Prints one line per case and output:
  CASE NAME: FORM max_abs_err=E OK|MISMATCH
where FORM says what the importer emitted for a Resize: tosa.resize,
gather (a tosa.gather) or slices (tosa.slice/concat only); "-" otherwise.
Exit 1 on any mismatch (atol = rtol = 1e-5).
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(__file__))
import make_model_opsb  # noqa: E402

COORDS = ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
          "tf_half_pixel_for_nn"]
NEAREST = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
# Integer up x2, non-integer up/down by sizes, x3 / x2 by scales, down x2,
# down to a single row.
SHAPES = ["scales-4x5-8x10", "sizes-4x5-7x3", "scales-3x4-9x8",
          "sizes-6x8-3x4", "sizes-4x4-1x2"]
LINEAR_COORDS = ["half_pixel", "asymmetric", "align_corners",
                 "pytorch_half_pixel"]
LINEAR_SHAPES = SHAPES + ["sizes-5x5-3x9", "sizes-10x10-17x23"]


def resize_matrix():
    for c in COORDS:
        for n in NEAREST:
            for s in SHAPES:
                yield f"resize-nearest-{c}-{n}-{s}"
    for c in LINEAR_COORDS:
        for s in LINEAR_SHAPES:
            yield f"resize-linear-{c}-{s}"
    # The opset forms: roi + empty scales (11), optional inputs (13), the
    # opset 18 signature, opset 19's half_pixel_symmetric.
    yield "resize-nearest-asymmetric-floor-scales-4x5-8x10-opset11"
    yield "resize-linear-half_pixel-sizes-4x5-7x3-opset11"
    yield "resize-nearest-half_pixel-round_prefer_floor-sizes-4x5-7x3-opset13"
    yield "resize-linear-align_corners-scales-4x5-8x10-opset18"
    yield ("resize-nearest-half_pixel_symmetric-round_prefer_floor-"
           "scales-4x6-6x9-opset19")
    yield "resize-linear-half_pixel_symmetric-sizes-10x10-17x23-opset19"


def build(name):
    if name.startswith("resize-"):
        return make_model_opsb.resize_case(name)
    return getattr(make_model_opsb, name)()


def main():
    work = sys.argv[1]
    names = sys.argv[2:]
    if names == ["--resize-matrix"]:
        names = list(resize_matrix())
    os.makedirs(work, exist_ok=True)
    ort.set_default_logger_severity(3)  # no deprecation warnings
    ok = True
    for name in names:
        path = os.path.join(work, name + ".onnx")
        mlir = os.path.join(work, name + ".mlir")
        onnx.save(build(name), path)
        subprocess.run(["tessera-import", path, "-o", mlir], check=True)
        text = open(mlir).read()
        form = "-"
        if name.startswith("resize"):
            form = ("tosa.resize" if "tosa.resize" in text else
                    "gather" if "tosa.gather" in text else "slices")
        m = onnx.load(path)
        inits = {i.name for i in m.graph.initializer}
        rng = np.random.default_rng(0)
        feeds = {}
        cmd = ["tessera-run", mlir, "--output-dir", os.path.join(work, "out")]
        for vi in m.graph.input:
            if vi.name in inits:
                continue
            shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
            feeds[vi.name] = rng.uniform(-1, 1, shape).astype(np.float32)
            npy = os.path.join(work, f"in_{len(feeds)}.npy")
            np.save(npy, feeds[vi.name])
            cmd += ["--input", f"{vi.name}={npy}"]
        sess = ort.InferenceSession(path,
                                    providers=["CPUExecutionProvider"])
        refs = sess.run(None, feeds)
        subprocess.run(cmd, check=True)
        for out, ref in zip(sess.get_outputs(), refs):
            got = np.load(os.path.join(work, "out", out.name + ".npy"))
            good = got.shape == ref.shape and np.allclose(
                got, ref, atol=1e-5, rtol=1e-5)
            err = float(np.max(np.abs(got - ref))) if got.shape == ref.shape \
                else float("nan")
            ok &= bool(good)
            print(f"{name} {out.name}: {form} max_abs_err={err:.3g} "
                  f"{'OK' if good else 'MISMATCH'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
