"""Integer reference executor (core/kernels through tessera-run) against
external oracles: onnxruntime's ConvInteger / MatMulInteger for the raw int32
accumulators (exact), and the TOSA specification's apply_scale_32 /
reciprocal_scale written with Python integers for requantization and average
pooling (exact)."""
import math

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from _tessera_run import const, run_mlir, ttype

ONNX_INT = {np.dtype(np.int8): TensorProto.INT8,
            np.dtype(np.uint8): TensorProto.UINT8,
            np.dtype(np.int32): TensorProto.INT32}


def ort_run(node, inputs, out_type=TensorProto.INT32):
    """Runs one ONNX node on numpy inputs with onnxruntime (CPU)."""
    vis = [helper.make_tensor_value_info(n, ONNX_INT.get(a.dtype,
                                                        TensorProto.FLOAT),
                                         list(a.shape))
           for n, a in inputs.items()]
    out = helper.make_tensor_value_info("y", out_type, None)
    graph = helper.make_graph([node], "g", vis, [out])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 21)])
    sess = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"])
    return sess.run(None, inputs)[0]


# --- TOSA pseudocode with Python integers (pseudocode/library/*.tosac) ---

def apply_scale_32(value, multiplier, shift, double_round):
    rnd = 1 << (shift - 1)
    if double_round and shift > 31:
        rnd += (1 << 30) if value >= 0 else -(1 << 30)
    return (value * multiplier + rnd) >> shift  # Python >> floors


def reciprocal_scale(value):
    k = (value - 1).bit_length()  # 32 - clz(value - 1)
    return ((1 << 30) + 1 << k) // value, 30 + k


def conv_mlir(x, w, bias, izp, wzp, pad, stride, dilation, out_shape,
              depthwise=False):
    op = "tosa.depthwise_conv2d" if depthwise else "tosa.conv2d"
    xt, wt = ttype(x.shape, x.dtype), ttype(w.shape, w.dtype)
    bt, ot = ttype(bias.shape, "i32"), ttype(out_shape, "i32")
    zt, wzt = ttype([1], x.dtype), ttype([1], w.dtype)
    return f"""
func.func @main(%x: {xt}) -> {ot} {{
  {const("w", w)}
  {const("b", bias)}
  {const("izp", np.array([izp], x.dtype))}
  {const("wzp", np.array([wzp], w.dtype))}
  %y = {op} %x, %w, %b, %izp, %wzp {{acc_type = i32,
      pad = array<i64: {pad[0]}, {pad[1]}, {pad[2]}, {pad[3]}>,
      stride = array<i64: {stride[0]}, {stride[1]}>,
      dilation = array<i64: {dilation[0]}, {dilation[1]}>}}
      : ({xt}, {wt}, {bt}, {zt}, {wzt}) -> {ot}
  return %y : {ot}
}}
"""


def numpy_conv_nhwc(x, w, izp, wzp, pad, stride, dilation):
    """Direct int64 convolution (NHWC input, OHWI weights) with numpy."""
    n, h, w_, c = x.shape
    oc, kh, kw, _ = w.shape
    xp = np.pad(x.astype(np.int64) - izp,
                ((0, 0), (pad[0], pad[1]), (pad[2], pad[3]), (0, 0)))
    oh = (h - 1 + pad[0] + pad[1] - (kh - 1) * dilation[0]) // stride[0] + 1
    ow = (w_ - 1 + pad[2] + pad[3] - (kw - 1) * dilation[1]) // stride[1] + 1
    out = np.zeros((n, oh, ow, oc), np.int64)
    wc = w.astype(np.int64) - wzp
    for oy in range(oh):
        for ox in range(ow):
            for ky in range(kh):
                for kx in range(kw):
                    patch = xp[:, oy * stride[0] + ky * dilation[0],
                               ox * stride[1] + kx * dilation[1], :]
                    out[:, oy, ox, :] += patch @ wc[:, ky, kx, :].T
    return out


@pytest.mark.parametrize("xdt,wdt", [(np.int8, np.int8), (np.uint8, np.int8),
                                     (np.uint8, np.uint8),
                                     (np.int8, np.uint8)])
def test_conv2d_accumulators_match_onnxruntime_conv_integer(
        tmp_path, xdt, wdt):
    rng = np.random.default_rng(0)
    n, c, h, w_, oc, kh, kw = 2, 5, 9, 8, 7, 3, 2
    lo, hi = np.iinfo(xdt).min, np.iinfo(xdt).max
    x = rng.integers(lo, hi + 1, (n, h, w_, c)).astype(xdt)
    wlo, whi = np.iinfo(wdt).min, np.iinfo(wdt).max
    w = rng.integers(wlo, whi + 1, (oc, kh, kw, c)).astype(wdt)
    izp = -7 if xdt == np.int8 else 131
    wzp = 3 if wdt == np.int8 else 120
    pad = (1, 1, 0, 1)  # TOSA: top, bottom, left, right
    stride, dilation = (2, 1), (2, 3)  # (9 - 1 + 2 - 4) / 2 is exact
    oh = (h - 1 + pad[0] + pad[1] - (kh - 1) * dilation[0]) // stride[0] + 1
    ow = (w_ - 1 + pad[2] + pad[3] - (kw - 1) * dilation[1]) // stride[1] + 1
    bias = np.zeros(oc, np.int32)
    got = run_mlir(tmp_path, conv_mlir(x, w, bias, izp, wzp, pad, stride,
                                       dilation, (n, oh, ow, oc)),
                   {"arg0": x})["output0"]
    assert got.dtype == np.int32
    assert np.abs(got).max() > 10000  # a real test, not all zeros
    np.testing.assert_array_equal(
        got, numpy_conv_nhwc(x, w, izp, wzp, pad, stride, dilation))
    if xdt == np.int8 and wdt == np.uint8:
        # onnxruntime 1.32's x86 kernel for this pairing saturates int16
        # partial sums (pmaddubsw) and is off by thousands: numpy only.
        return
    node = helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"],
                            pads=[pad[0], pad[2], pad[1], pad[3]],
                            strides=list(stride), dilations=list(dilation))
    want = ort_run(node, {"x": x.transpose(0, 3, 1, 2).copy(),
                          "w": w.transpose(0, 3, 1, 2).copy(),
                          "xz": np.array(izp, xdt), "wz": np.array(wzp, wdt)})
    np.testing.assert_array_equal(got, want.transpose(0, 2, 3, 1))


def test_depthwise_accumulators_match_onnxruntime_grouped_conv_integer(
        tmp_path):
    rng = np.random.default_rng(1)
    n, c, m, h, w_ = 1, 6, 2, 7, 7
    x = rng.integers(-128, 128, (n, h, w_, c)).astype(np.int8)
    w = rng.integers(-128, 128, (3, 3, c, m)).astype(np.int8)  # KH KW C M
    bias = rng.integers(-5000, 5000, c * m).astype(np.int32)
    got = run_mlir(tmp_path, conv_mlir(x, w, bias, 5, 0, (1, 1, 1, 1),
                                       (1, 1), (1, 1), (n, h, w_, c * m),
                                       depthwise=True),
                   {"arg0": x})["output0"]
    # ONNX grouped conv: weights [C*M, 1, KH, KW], output channel c*M + m.
    w_onnx = w.transpose(2, 3, 0, 1).reshape(c * m, 1, 3, 3).copy()
    node = helper.make_node("ConvInteger", ["x", "w", "xz"], ["y"],
                            pads=[1, 1, 1, 1], group=c)
    want = ort_run(node, {"x": x.transpose(0, 3, 1, 2).copy(), "w": w_onnx,
                          "xz": np.array(5, np.int8)})
    np.testing.assert_array_equal(got, want.transpose(0, 2, 3, 1) + bias)


def test_matmul_matches_onnxruntime_matmul_integer(tmp_path):
    rng = np.random.default_rng(2)
    a = rng.integers(-128, 128, (3, 4, 50)).astype(np.int8)
    b = rng.integers(-128, 128, (3, 50, 6)).astype(np.int8)
    at, bt, ot = ttype(a.shape, "i8"), ttype(b.shape, "i8"), ttype(
        (3, 4, 6), "i32")
    text = f"""
func.func @main(%a: {at}, %b: {bt}) -> {ot} {{
  {const("az", np.array([-3], np.int8))}
  {const("bz", np.array([9], np.int8))}
  %y = tosa.matmul %a, %b, %az, %bz : ({at}, {bt}, tensor<1xi8>,
      tensor<1xi8>) -> {ot}
  return %y : {ot}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": a, "arg1": b})["output0"]
    node = helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])
    want = ort_run(node, {"a": a, "b": b, "az": np.array(-3, np.int8),
                          "bz": np.array(9, np.int8)})
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("rounding", ["SINGLE_ROUND", "DOUBLE_ROUND",
                                      "INEXACT_ROUND"])
def test_rescale_matches_tosa_formula_with_python_ints(tmp_path, rounding):
    rng = np.random.default_rng(3)
    c = 8
    x = rng.integers(-2**18, 2**18, (4, 5, c)).astype(np.int32)
    x[0, 0, :] = [0, 1, -1, 2**19, -2**19, 3, -3, 12345]
    mult = rng.integers(2**30, 2**31, c).astype(np.int32)
    # Scales 2^-8 .. 2^-14 (a few hundred at most), one that saturates.
    shift = np.array([38, 39, 40, 41, 42, 43, 31, 44], np.int8)
    ozp = -9
    xt, ot = ttype(x.shape, "i32"), ttype(x.shape, "i8")
    text = f"""
func.func @main(%x: {xt}) -> {ot} {{
  {const("m", mult)}
  {const("s", shift)}
  {const("izp", np.array([0], np.int32))}
  {const("ozp", np.array([ozp], np.int8))}
  %y = tosa.rescale %x, %m, %s, %izp, %ozp {{scale32 = true,
      rounding_mode = {rounding}, per_channel = true,
      input_unsigned = false, output_unsigned = false}}
      : ({xt}, tensor<{c}xi32>, tensor<{c}xi8>, tensor<1xi32>,
         tensor<1xi8>) -> {ot}
  return %y : {ot}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})["output0"]
    dbl = rounding == "DOUBLE_ROUND"
    want = np.empty(x.shape, np.int8)
    for idx in np.ndindex(x.shape):
        ch = idx[-1]
        v = apply_scale_32(int(x[idx]), int(mult[ch]), int(shift[ch]), dbl)
        want[idx] = min(127, max(-128, v + ozp))
    np.testing.assert_array_equal(got, want)
    assert len(np.unique(got)) > 50  # most values are neither saturated...
    assert (got == 127).any() and (got == -128).any()  # ...but some are


def test_rescale_uint8_to_int8_and_back(tmp_path):
    x = np.arange(256, dtype=np.uint8).reshape(16, 16)
    text = f"""
func.func @main(%x: tensor<16x16xui8>) -> tensor<16x16xui8> {{
  {const("m", np.array([1 << 30], np.int32))}
  {const("s", np.array([30], np.int8))}
  {const("zu", np.array([128], np.uint8))}
  {const("z0", np.array([0], np.int8))}
  %y = tosa.rescale %x, %m, %s, %zu, %z0 {{scale32 = true,
      rounding_mode = SINGLE_ROUND, per_channel = false,
      input_unsigned = true, output_unsigned = false}}
      : (tensor<16x16xui8>, tensor<1xi32>, tensor<1xi8>, tensor<1xui8>,
         tensor<1xi8>) -> tensor<16x16xi8>
  %z = tosa.rescale %y, %m, %s, %z0, %zu {{scale32 = true,
      rounding_mode = SINGLE_ROUND, per_channel = false,
      input_unsigned = false, output_unsigned = true}}
      : (tensor<16x16xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>,
         tensor<1xui8>) -> tensor<16x16xui8>
  return %z : tensor<16x16xui8>
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x}, extra=["--dump-all"])
    assert got["output0"].dtype == np.uint8
    np.testing.assert_array_equal(got["output0"], x)
    mid = [v for k, v in got.items() if k.endswith("rescale")][0]
    np.testing.assert_array_equal(mid, (x.astype(np.int16) - 128)
                                  .astype(np.int8))


def test_conv_then_rescale_within_one_of_onnxruntime_qlinearconv(tmp_path):
    """QLinearConv requantizes in float with round-half-even, TOSA in fixed
    point: the results may differ by one on ties, never more."""
    rng = np.random.default_rng(4)
    n, c, h, w_, oc = 1, 8, 10, 10, 6
    x = rng.integers(-128, 128, (n, h, w_, c)).astype(np.int8)
    w = rng.integers(-127, 128, (oc, 3, 3, c)).astype(np.int8)
    bias = rng.integers(-20000, 20000, oc).astype(np.int32)
    sx, zx, sy, zy = 0.02, -5, 0.9, 3
    sw = rng.uniform(0.002, 0.01, oc)
    mults, shifts = [], []
    for s in sw:
        mant, exp = math.frexp(np.float32(sx) * np.float32(s) / np.float32(sy))
        q = round(mant * (1 << 31))
        if q == 1 << 31:
            q, exp = q // 2, exp + 1
        mults.append(q)
        shifts.append(31 - exp)
    xt, ot = ttype(x.shape, "i8"), ttype((n, h, w_, oc), "i8")
    at = ttype((n, h, w_, oc), "i32")
    text = f"""
func.func @main(%x: {xt}) -> {ot} {{
  {const("w", w)}
  {const("b", bias)}
  {const("xz", np.array([zx], np.int8))}
  {const("wz", np.array([0], np.int8))}
  {const("m", np.array(mults, np.int32))}
  {const("s", np.array(shifts, np.int8))}
  {const("az", np.array([0], np.int32))}
  {const("yz", np.array([zy], np.int8))}
  %acc = tosa.conv2d %x, %w, %b, %xz, %wz {{acc_type = i32,
      pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>}} : ({xt}, {ttype(w.shape, "i8")},
      tensor<{oc}xi32>, tensor<1xi8>, tensor<1xi8>) -> {at}
  %y = tosa.rescale %acc, %m, %s, %az, %yz {{scale32 = true,
      rounding_mode = SINGLE_ROUND, per_channel = true,
      input_unsigned = false, output_unsigned = false}}
      : ({at}, tensor<{oc}xi32>, tensor<{oc}xi8>, tensor<1xi32>,
         tensor<1xi8>) -> {ot}
  return %y : {ot}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})["output0"]
    f32 = lambda v: np.array(v, np.float32)
    node = helper.make_node(
        "QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
        ["y"], pads=[1, 1, 1, 1])
    want = ort_run(node, {
        "x": x.transpose(0, 3, 1, 2).copy(), "xs": f32(sx),
        "xz": np.array(zx, np.int8), "w": w.transpose(0, 3, 1, 2).copy(),
        "ws": f32(sw), "wz": np.zeros(oc, np.int8), "ys": f32(sy),
        "yz": np.array(zy, np.int8), "b": bias}, TensorProto.INT8)
    diff = np.abs(got.astype(int) - want.transpose(0, 2, 3, 1).astype(int))
    assert diff.max() <= 1
    assert (diff == 0).mean() > 0.97
    assert len(np.unique(got)) > 40


def test_avg_pool_int8_matches_tosa_pseudocode(tmp_path):
    rng = np.random.default_rng(5)
    n, h, w_, c = 2, 8, 6, 3
    x = rng.integers(-128, 128, (n, h, w_, c)).astype(np.int8)
    izp, ozp = -11, 7
    k, s, pad = (3, 2), (2, 1), (1, 2, 0, 1)
    oh = (h + pad[0] + pad[1] - k[0]) // s[0] + 1
    ow = (w_ + pad[2] + pad[3] - k[1]) // s[1] + 1
    xt, ot = ttype(x.shape, "i8"), ttype((n, oh, ow, c), "i8")
    text = f"""
func.func @main(%x: {xt}) -> {ot} {{
  {const("iz", np.array([izp], np.int8))}
  {const("oz", np.array([ozp], np.int8))}
  %y = tosa.avg_pool2d %x, %iz, %oz {{acc_type = i32,
      kernel = array<i64: {k[0]}, {k[1]}>, stride = array<i64: {s[0]}, {s[1]}>,
      pad = array<i64: {pad[0]}, {pad[1]}, {pad[2]}, {pad[3]}>}}
      : ({xt}, tensor<1xi8>, tensor<1xi8>) -> {ot}
  return %y : {ot}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})["output0"]
    want = np.empty((n, oh, ow, c), np.int8)
    for b, oy, ox, ch in np.ndindex(want.shape):
        acc = count = 0
        for ky in range(k[0]):
            for kx in range(k[1]):
                y, xx = oy * s[0] - pad[0] + ky, ox * s[1] - pad[2] + kx
                if 0 <= y < h and 0 <= xx < w_:
                    count += 1
                    acc += int(x[b, y, xx, ch]) - izp
        m, sh = reciprocal_scale(count)
        v = apply_scale_32(acc, m, sh, False) + ozp
        want[b, oy, ox, ch] = min(127, max(-128, v))
    np.testing.assert_array_equal(got, want)


def test_table_and_clamp_int8(tmp_path):
    x = np.arange(-128, 128, dtype=np.int8).reshape(2, 128)
    table = (np.arange(256) * 7 % 256 - 128).astype(np.int8)
    text = f"""
func.func @main(%x: tensor<2x128xi8>) -> tensor<2x128xi8> {{
  {const("t", table)}
  %y = tosa.table %x, %t : (tensor<2x128xi8>, tensor<256xi8>)
      -> tensor<2x128xi8>
  %z = tosa.clamp %y {{min_val = -20 : i8, max_val = 90 : i8}}
      : (tensor<2x128xi8>) -> tensor<2x128xi8>
  return %z : tensor<2x128xi8>
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})["output0"]
    want = np.clip(table[x.astype(int) + 128], -20, 90)
    np.testing.assert_array_equal(got, want)
