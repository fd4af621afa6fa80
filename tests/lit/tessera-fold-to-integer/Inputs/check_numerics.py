"""End-to-end numerics of --tessera-quantize + --tessera-fold-to-integer.

Builds a small float TOSA network (seeded weights; conv3x3 + ReLU, depthwise +
ReLU6, conv1x1, residual add + ReLU, max pool, avg pool, concat, conv1x1,
global average pool, reshape), calibrates it with the float reference
executor (tessera-run --dump-all: per-op min/max), quantizes and folds it, runs
the integer program with the integer reference executor and compares the
dequantized output with the float executor's output (the oracle).

Tolerance: every rescale rounds once (<= 0.5 LSB of its output) and the
inputs, weights and biases are rounded to their grids; the errors of the six
requantization points propagate through weights of magnitude < 1, so the
output stays within a few output LSB. The bounds asserted are 2 LSB of the
output scale with per-channel weights and 4 LSB with per-tensor weights
(coarser weight grids); the measured maxima are printed. A wrong zero point,
multiplier or bias shows up as tens of LSB. uint8 and int8 asymmetric must
give the same real outputs bit for bit (uint8 is int8 with zero point - 128).
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np



def tensor_literal(a):
    return "dense<" + np.array2string(
        a, separator=", ", threshold=sys.maxsize,
        formatter={"float_kind": lambda v: repr(float(v))}) + ">"


def const(name, a):
    t = "tensor<" + "x".join(map(str, a.shape)) + "xf32>"
    return (f'  %{name} = "tosa.const"() {{values = {tensor_literal(a)} : {t}}}'
            f' : () -> {t}\n')


def build_model(rng, ranges):
    """The float model; `ranges` maps op name -> (min, max) (may be empty)."""
    def rng_attr(name):
        if name not in ranges:
            return ""
        lo, hi = ranges[name]
        return f", tessera.range = array<f64: {lo!r}, {hi!r}>"

    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    conv_attrs = "acc_type = f32, dilation = array<i64: 1, 1>, stride = array<i64: 1, 1>"
    s = "func.func @net(%x: tensor<1x3x8x8xf32>" + (
        f" {{tessera.range = array<f64: {ranges['x'][0]!r}, {ranges['x'][1]!r}>}}"
        if "x" in ranges else "") + ") -> tensor<1x4xf32> {\n"
    s += const("zp", np.zeros(1, np.float32))
    s += const("w1", he((8, 3, 3, 3), 27)) + const("b1", (0.05 * rng.standard_normal(8)).astype(np.float32))
    s += const("w2", he((3, 3, 8, 1), 9)) + const("b2", (0.05 * rng.standard_normal(8)).astype(np.float32))
    s += const("w3", he((8, 1, 1, 8), 8)) + const("b3", (0.05 * rng.standard_normal(8)).astype(np.float32))
    s += const("w4", he((4, 1, 1, 16), 16)) + const("b4", (0.05 * rng.standard_normal(4)).astype(np.float32))
    f = "tensor<1x8x8x8xf32>"
    s += f'  %t = tosa.transpose %x {{perms = array<i32: 0, 2, 3, 1>{rng_attr("t")}}} : (tensor<1x3x8x8xf32>) -> tensor<1x8x8x3xf32> loc("t")\n'
    s += f'  %c1 = tosa.conv2d %t, %w1, %b1, %zp, %zp {{{conv_attrs}, pad = array<i64: 1, 1, 1, 1>{rng_attr("c1")}}} : (tensor<1x8x8x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> {f} loc("c1")\n'
    s += f'  %r1 = tosa.clamp %c1 {{min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32{rng_attr("r1")}}} : ({f}) -> {f} loc("r1")\n'
    s += f'  %c2 = tosa.depthwise_conv2d %r1, %w2, %b2, %zp, %zp {{{conv_attrs}, pad = array<i64: 1, 1, 1, 1>{rng_attr("c2")}}} : ({f}, tensor<3x3x8x1xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> {f} loc("c2")\n'
    s += f'  %r2 = tosa.clamp %c2 {{min_val = 0.0 : f32, max_val = 6.0 : f32{rng_attr("r2")}}} : ({f}) -> {f} loc("r2")\n'
    s += f'  %c3 = tosa.conv2d %r2, %w3, %b3, %zp, %zp {{{conv_attrs}, pad = array<i64: 0, 0, 0, 0>{rng_attr("c3")}}} : ({f}, tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> {f} loc("c3")\n'
    s += f'  %a = tosa.add %c3, %r1 {{{rng_attr("a")[2:]}}} : ({f}, {f}) -> {f} loc("a")\n'
    s += f'  %ra = tosa.clamp %a {{min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32{rng_attr("ra")}}} : ({f}) -> {f} loc("ra")\n'
    p = "tensor<1x4x4x8xf32>"
    s += f'  %mp = tosa.max_pool2d %ra {{kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>{rng_attr("mp")}}} : ({f}) -> {p} loc("mp")\n'
    s += f'  %ap = tosa.avg_pool2d %ra, %zp, %zp {{acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>{rng_attr("ap")}}} : ({f}, tensor<1xf32>, tensor<1xf32>) -> {p} loc("ap")\n'
    s += f'  %cat = tosa.concat %mp, %ap {{axis = 3 : i32{rng_attr("cat")}}} : ({p}, {p}) -> tensor<1x4x4x16xf32> loc("cat")\n'
    s += f'  %c4 = tosa.conv2d %cat, %w4, %b4, %zp, %zp {{{conv_attrs}, pad = array<i64: 0, 0, 0, 0>{rng_attr("c4")}}} : (tensor<1x4x4x16xf32>, tensor<4x1x1x16xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32> loc("c4")\n'
    s += f'  %g = tosa.avg_pool2d %c4, %zp, %zp {{acc_type = f32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>{rng_attr("g")}}} : (tensor<1x4x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32> loc("g")\n'
    s += '  %shape = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>\n'
    s += f'  %y = tosa.reshape %g, %shape {{{rng_attr("y")[2:]}}} : (tensor<1x1x1x4xf32>, !tosa.shape<2>) -> tensor<1x4xf32> loc("y")\n'
    s += "  return %y : tensor<1x4xf32>\n}\n"
    return s.replace(" {}", "")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed:\n{r.stderr}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera-opt", required=True)
    ap.add_argument("--tessera-run", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    w = lambda name: os.path.join(args.work, name)

    def model(ranges):
        return build_model(np.random.default_rng(7), ranges)

    # Calibration: per-op min/max over all inputs.
    data_rng = np.random.default_rng(1)
    inputs = [np.clip(data_rng.standard_normal((1, 3, 8, 8)), -2, 2).astype(np.float32)
              for _ in range(5)]
    open(w("float.mlir"), "w").write(model({}))
    ranges = {}
    for k, x in enumerate(inputs):
        np.save(w("x.npy"), x)
        d = w(f"dump{k}")
        run([args.tessera_run, w("float.mlir"), "--input=arg0=" + w("x.npy"),
             "--output-dir=" + d, "--dump-all"])
        observed = {"x": x}
        for name in ["t", "c1", "r1", "c2", "r2", "c3", "a", "ra", "mp", "ap",
                     "cat", "c4", "g", "y"]:
            observed[name] = np.load(os.path.join(d, name + ".npy"))
        for name, v in observed.items():
            lo, hi = float(v.min()), float(v.max())
            old = ranges.get(name, (lo, hi))
            ranges[name] = (min(old[0], lo), max(old[1], hi))
    open(w("calibrated.mlir"), "w").write(model(ranges))

    # Calibrated on this input too: no value is clipped, so what remains is
    # rounding error only.
    x = inputs[4]
    np.save(w("x.npy"), x)
    run([args.tessera_run, w("float.mlir"), "--input=arg0=" + w("x.npy"),
         "--output-dir=" + w("out_float")])
    expected = np.load(w("out_float/output0.npy"))

    worst = 0.0
    configs = [("int8", "", 2.0), ("uint8", "", 2.0),
               ("int8", " symmetric-activations=true", 2.0),
               ("uint8", " weight-per-channel=false", 4.0)]
    reals = []
    for dtype, extra, tolerance in configs:
        int_mlir = run([args.tessera_opt, w("calibrated.mlir"),
                        f"--tessera-quantize=activation-dtype={dtype}{extra}",
                        "--tessera-fold-to-integer"])
        if "f32" in int_mlir.split("func.func", 1)[1].replace(": f64", ""):
            sys.exit(f"error: {dtype}: float types left in the integer program")
        open(w(f"int_{dtype}.mlir"), "w").write(int_mlir)
        attrs = re.findall(r'tessera\.dtype = "(\w+)", tessera\.scale = ([-+.e\d]+) : f64, '
                           r'tessera\.zero_point = (-?\d+) : i64', int_mlir)
        (in_dt, in_s, in_z), (out_dt, out_s, out_z) = [(d, float(s), int(z)) for d, s, z in attrs]
        assert in_dt == dtype and out_dt == dtype, attrs
        shift = 128 if dtype == "uint8" else 0  # uint8 bytes XOR 0x80 = int8
        lo, hi = (0, 255) if dtype == "uint8" else (-128, 127)
        q = np.clip(np.round(x / in_s) + in_z, lo, hi) - shift
        np.save(w("xq.npy"), q.astype(np.int8))
        run([args.tessera_run, w(f"int_{dtype}.mlir"), "--input=arg0=" + w("xq.npy"),
             "--output-dir=" + w("out_" + dtype)])
        got = np.load(w(f"out_{dtype}/output0.npy"))
        assert got.dtype == np.int8, got.dtype
        real = out_s * (got.astype(np.int64) + shift - out_z)
        err = float(np.abs(real - expected).max()) / out_s
        worst = max(worst, err)
        print(f"{dtype}{extra}: max |int - float| = {err:.3f} LSB (scale {out_s:.6g}); "
              f"float {expected.ravel()}, int {real.ravel()}")
        if err > tolerance:
            sys.exit(f"error: {dtype}{extra}: integer output is {err:.3f} LSB away from float "
                     f"(bound {tolerance})")
        reals.append(real)
    if not np.array_equal(reals[0], reals[1]):
        sys.exit(f"error: uint8 and int8 differ: {reals[0].ravel()} vs {reals[1].ravel()}")
    print(f"PASS worst {worst:.3f} LSB")


if __name__ == "__main__":
    main()
