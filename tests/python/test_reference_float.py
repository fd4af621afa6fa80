"""Float reference executor (tessera-run) against onnxruntime and numpy, the
.npy reader/writer, intermediate dumps and tessera-run's errors."""
import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from _tessera_run import const, run_mlir, run_mlir_error, ttype


def ort_float(node, inputs, inits=()):
    """Runs one ONNX node on float inputs with onnxruntime (CPU)."""
    vis = [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(a.shape))
           for n, a in inputs.items()]
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph([node], "g", vis, [out], list(inits))
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 19)])
    sess = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"])
    return sess.run(None, inputs)[0]


def nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1))


def float_conv_text(x, w, b, pad, stride, dilation, out_shape, depthwise=False):
    op = "tosa.depthwise_conv2d" if depthwise else "tosa.conv2d"
    xt, wt, bt = ttype(x.shape, "f32"), ttype(w.shape, "f32"), ttype(
        b.shape, "f32")
    ot = ttype(out_shape, "f32")
    return f"""
func.func @main(%x: {xt}) -> {ot} {{
  {const("w", w)}
  {const("b", b)}
  {const("z", np.zeros(1, np.float32))}
  %y = {op} %x, %w, %b, %z, %z {{acc_type = f32,
      pad = array<i64: {pad[0]}, {pad[1]}, {pad[2]}, {pad[3]}>,
      stride = array<i64: {stride[0]}, {stride[1]}>,
      dilation = array<i64: {dilation[0]}, {dilation[1]}>}}
      : ({xt}, {wt}, {bt}, tensor<1xf32>, tensor<1xf32>) -> {ot}
  return %y : {ot}
}}
"""


@pytest.mark.parametrize("case", [
    # n, c, h, w, oc, kh, kw, pad(t,b,l,r), stride, dilation
    (2, 5, 11, 9, 7, 3, 3, (1, 1, 2, 0), (2, 1), (1, 2)),
    (1, 64, 100, 100, 8, 3, 3, (1, 1, 1, 1), (1, 1), (1, 1)),  # 2 blocks
    (1, 16, 6, 7, 12, 1, 1, (0, 0, 0, 0), (1, 1), (1, 1)),  # direct GEMM
])
def test_float_conv2d_matches_onnxruntime(tmp_path, case):
    n, c, h, w_, oc, kh, kw, pad, stride, dil = case
    rng = np.random.default_rng(10)
    x = rng.standard_normal((n, h, w_, c)).astype(np.float32)
    w = rng.standard_normal((oc, kh, kw, c)).astype(np.float32)
    b = rng.standard_normal(oc).astype(np.float32)
    oh = (h - 1 + pad[0] + pad[1] - (kh - 1) * dil[0]) // stride[0] + 1
    ow = (w_ - 1 + pad[2] + pad[3] - (kw - 1) * dil[1]) // stride[1] + 1
    got = run_mlir(tmp_path, float_conv_text(x, w, b, pad, stride, dil,
                                             (n, oh, ow, oc)),
                   {"arg0": x})["output0"]
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"],
                            pads=[pad[0], pad[2], pad[1], pad[3]],
                            strides=list(stride), dilations=list(dil))
    want = ort_float(node, {"x": nchw(x), "w": nchw(w), "b": b})
    np.testing.assert_allclose(got, nhwc(want), rtol=1e-5, atol=1e-4)


def test_float_depthwise_matches_onnxruntime_grouped_conv(tmp_path):
    rng = np.random.default_rng(11)
    c, m = 6, 2
    x = rng.standard_normal((1, 9, 9, c)).astype(np.float32)
    w = rng.standard_normal((3, 3, c, m)).astype(np.float32)
    b = rng.standard_normal(c * m).astype(np.float32)
    got = run_mlir(tmp_path, float_conv_text(
        x, w, b, (1, 1, 1, 1), (2, 2), (1, 1), (1, 5, 5, c * m),
        depthwise=True), {"arg0": x})["output0"]
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], pads=[1, 1, 1, 1],
                            strides=[2, 2], group=c)
    w_onnx = np.ascontiguousarray(w.transpose(2, 3, 0, 1).reshape(c * m, 1, 3,
                                                                  3))
    want = ort_float(node, {"x": nchw(x), "w": w_onnx, "b": b})
    np.testing.assert_allclose(got, nhwc(want), rtol=1e-5, atol=1e-5)


def test_float_pools_match_onnxruntime(tmp_path):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 8, 7, 3)).astype(np.float32)
    xt = ttype(x.shape, "f32")
    mt, at = ttype((2, 4, 4, 3), "f32"), ttype((2, 4, 4, 3), "f32")
    text = f"""
func.func @main(%x: {xt}) -> ({mt}, {at}) {{
  {const("z", np.zeros(1, np.float32))}
  %m = tosa.max_pool2d %x {{kernel = array<i64: 3, 3>,
      stride = array<i64: 2, 2>, pad = array<i64: 1, 0, 1, 1>}}
      : ({xt}) -> {mt}
  %a = tosa.avg_pool2d %x, %z, %z {{acc_type = f32,
      kernel = array<i64: 3, 2>, stride = array<i64: 2, 2>,
      pad = array<i64: 1, 0, 0, 1>}} : ({xt}, tensor<1xf32>,
      tensor<1xf32>) -> {at}
  return %m, %a : {mt}, {at}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})
    mp = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                          strides=[2, 2], pads=[1, 1, 0, 1])
    ap = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 2],
                          strides=[2, 2], pads=[1, 0, 0, 1],
                          count_include_pad=0)
    np.testing.assert_allclose(got["output0"],
                               nhwc(ort_float(mp, {"x": nchw(x)})), rtol=0)
    np.testing.assert_allclose(got["output1"],
                               nhwc(ort_float(ap, {"x": nchw(x)})),
                               rtol=1e-6, atol=1e-6)


def test_float_elementwise_and_reductions_match_numpy(tmp_path):
    rng = np.random.default_rng(13)
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    b = rng.standard_normal((1, 3, 1)).astype(np.float32)
    t = ttype(a.shape, "f32")
    bt = ttype(b.shape, "f32")
    r = ttype((2, 1, 4), "f32")
    text = f"""
func.func @main(%a: {t}, %b: {bt}) -> ({t}, {t}, {t}, {t}, {t}, {t}, {r}, {r}) {{
  {const("shift", np.zeros(1, np.int8))}
  %add = tosa.add %a, %b : ({t}, {bt}) -> {t}
  %mul = tosa.mul %add, %b, %shift : ({t}, {bt}, tensor<1xi8>) -> {t}
  %sig = tosa.sigmoid %mul : ({t}) -> {t}
  %clp = tosa.clamp %a {{min_val = -0.5 : f32, max_val = 0.75 : f32}}
      : ({t}) -> {t}
  %exp = tosa.exp %a : ({t}) -> {t}
  %rec = tosa.reciprocal %exp : ({t}) -> {t}
  %sub = tosa.sub %a, %b : ({t}, {bt}) -> {t}
  %sum = tosa.reduce_sum %a {{axis = 1 : i32}} : ({t}) -> {r}
  %max = tosa.reduce_max %a {{axis = 1 : i32}} : ({t}) -> {r}
  return %sig, %clp, %exp, %rec, %sub, %mul, %sum, %max
      : {t}, {t}, {t}, {t}, {t}, {t}, {r}, {r}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": a, "arg1": b})
    mul = (a + b) * b
    want = [1 / (1 + np.exp(-mul)), np.clip(a, -0.5, 0.75), np.exp(a),
            np.exp(-a), a - b, mul, a.sum(1, keepdims=True),
            a.max(1, keepdims=True)]
    for i, w in enumerate(want):
        np.testing.assert_allclose(got[f"output{i}"], w, rtol=1e-6, atol=1e-6,
                                   err_msg=f"output{i}")


def test_data_movement_matches_numpy(tmp_path):
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    t = ttype(x.shape, "f32")
    text = f"""
func.func @main(%x: {t}) -> (tensor<4x2x3xf32>, tensor<6x4xf32>,
    tensor<1x2x3xf32>, tensor<3x4x5xf32>, tensor<2x6x4xf32>,
    tensor<2x3x8xf32>) {{
  %tr = tosa.transpose %x {{perms = array<i32: 2, 0, 1>}} : ({t})
      -> tensor<4x2x3xf32>
  %s = tosa.const_shape {{values = dense<[6, 4]> : tensor<2xindex>}}
      : () -> !tosa.shape<2>
  %rs = tosa.reshape %x, %s : ({t}, !tosa.shape<2>) -> tensor<6x4xf32>
  %st = tosa.const_shape {{values = dense<[1, 1, 1]> : tensor<3xindex>}}
      : () -> !tosa.shape<3>
  %sz = tosa.const_shape {{values = dense<[1, 2, 3]> : tensor<3xindex>}}
      : () -> !tosa.shape<3>
  %sl = tosa.slice %x, %st, %sz : ({t}, !tosa.shape<3>, !tosa.shape<3>)
      -> tensor<1x2x3xf32>
  %pp = tosa.const_shape {{values = dense<[0, 1, 1, 0, 0, 1]>
      : tensor<6xindex>}} : () -> !tosa.shape<6>
  %pc = "tosa.const"() {{values = dense<-1.5> : tensor<1xf32>}}
      : () -> tensor<1xf32>
  %pd = tosa.pad %x, %pp, %pc : ({t}, !tosa.shape<6>, tensor<1xf32>)
      -> tensor<3x4x5xf32>
  %cc = tosa.concat %x, %x {{axis = 1 : i32}} : ({t}, {t})
      -> tensor<2x6x4xf32>
  %m = tosa.const_shape {{values = dense<[1, 1, 2]> : tensor<3xindex>}}
      : () -> !tosa.shape<3>
  %tl = tosa.tile %x, %m : ({t}, !tosa.shape<3>) -> tensor<2x3x8xf32>
  return %tr, %rs, %sl, %pd, %cc, %tl : tensor<4x2x3xf32>,
      tensor<6x4xf32>, tensor<1x2x3xf32>, tensor<3x4x5xf32>,
      tensor<2x6x4xf32>, tensor<2x3x8xf32>
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})
    want = [x.transpose(2, 0, 1), x.reshape(6, 4), x[1:2, 1:3, 1:4],
            np.pad(x, ((0, 1), (1, 0), (0, 1)), constant_values=-1.5),
            np.concatenate([x, x], 1), np.tile(x, (1, 1, 2))]
    for i, w in enumerate(want):
        np.testing.assert_array_equal(got[f"output{i}"], w)


def test_resize_matches_onnxruntime(tmp_path):
    rng = np.random.default_rng(14)
    x = rng.standard_normal((1, 3, 4, 2)).astype(np.float32)
    xt, ot = ttype(x.shape, "f32"), ttype((1, 6, 8, 2), "f32")
    # Nearest, ONNX asymmetric + floor: scale 2/1, offset -1 moves TOSA's
    # round-half-up sampling onto floor(out / 2).
    # Bilinear, ONNX half_pixel: scale 4/2, offset -1, border 1 samples at
    # (out + 0.5) / 2 - 0.5.
    text = f"""
func.func @main(%x: {xt}) -> ({ot}, {ot}) {{
  %s1 = tosa.const_shape {{values = dense<[2, 1, 2, 1]> : tensor<4xindex>}}
      : () -> !tosa.shape<4>
  %o1 = tosa.const_shape {{values = dense<[-1, -1]> : tensor<2xindex>}}
      : () -> !tosa.shape<2>
  %b1 = tosa.const_shape {{values = dense<[1, 1]> : tensor<2xindex>}}
      : () -> !tosa.shape<2>
  %b0 = tosa.const_shape {{values = dense<[0, 0]> : tensor<2xindex>}}
      : () -> !tosa.shape<2>
  %n = tosa.resize %x, %s1, %o1, %b0 {{mode = NEAREST_NEIGHBOR}}
      : ({xt}, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> {ot}
  %s2 = tosa.const_shape {{values = dense<[4, 2, 4, 2]> : tensor<4xindex>}}
      : () -> !tosa.shape<4>
  %l = tosa.resize %x, %s2, %o1, %b1 {{mode = BILINEAR}}
      : ({xt}, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> {ot}
  return %n, %l : {ot}, {ot}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})
    scales = helper.make_tensor("scales", TensorProto.FLOAT, [4],
                                [1, 1, 2, 2])
    nearest = helper.make_node("Resize", ["x", "", "scales"], ["y"],
                               mode="nearest", nearest_mode="floor",
                               coordinate_transformation_mode="asymmetric")
    linear = helper.make_node("Resize", ["x", "", "scales"], ["y"],
                              mode="linear",
                              coordinate_transformation_mode="half_pixel")
    np.testing.assert_array_equal(
        got["output0"], nhwc(ort_float(nearest, {"x": nchw(x)}, [scales])))
    np.testing.assert_allclose(
        got["output1"], nhwc(ort_float(linear, {"x": nchw(x)}, [scales])),
        rtol=1e-6, atol=1e-6)


def test_cast_float_to_int8_rounds_half_to_even_and_saturates(tmp_path):
    x = np.array([-300, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, 126.5, 1e9],
                 np.float32)
    text = """
func.func @main(%x: tensor<10xf32>) -> tensor<10xi8> {
  %y = tosa.cast %x : (tensor<10xf32>) -> tensor<10xi8>
  return %y : tensor<10xi8>
}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})["output0"]
    np.testing.assert_array_equal(
        got, np.clip(np.round(x), -128, 127).astype(np.int8))


@pytest.mark.parametrize("dtype", [np.float32, np.int8, np.uint8, np.int16,
                                   np.int32, np.int64, np.bool_])
def test_npy_round_trip_through_identity(tmp_path, dtype):
    rng = np.random.default_rng(15)
    x = (rng.standard_normal((2, 3, 5)) * 100).astype(dtype)
    et = "i1" if dtype == np.bool_ else None
    t = ttype(x.shape, et or dtype)
    text = f"""
func.func @main(%x: {t}) -> {t} {{
  %y = tosa.identity %x : ({t}) -> {t}
  return %y : {t}
}}
"""
    got = run_mlir(tmp_path, text, {"arg0": x})["output0"]
    assert got.dtype == x.dtype and got.shape == x.shape
    np.testing.assert_array_equal(got, x)


def test_named_inputs_outputs_and_dump_all(tmp_path):
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    text = """
func.func @main(%x: tensor<1x3xf32> {onnx.name = "images"})
    -> (tensor<1x3xf32> {onnx.name = "probs/out"}) {
  %c = "tosa.const"() {values = dense<[[0.5, 0.5, 0.5]]> : tensor<1x3xf32>}
      : () -> tensor<1x3xf32>
  %a = tosa.add %x, %c : (tensor<1x3xf32>, tensor<1x3xf32>)
      -> tensor<1x3xf32> loc("add_node")
  %s = tosa.sigmoid %a {onnx.output = "sig_out"}
      : (tensor<1x3xf32>) -> tensor<1x3xf32> loc("sig_node")
  %t = tosa.tanh %s : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %t : tensor<1x3xf32>
}
"""
    got = run_mlir(tmp_path, text, {"images": x}, extra=["--dump-all"])
    np.testing.assert_allclose(got["add_node"], x + 0.5)
    np.testing.assert_allclose(got["sig_out"], 1 / (1 + np.exp(-(x + 0.5))),
                               rtol=1e-6)
    np.testing.assert_allclose(got["probs_out"], np.tanh(got["sig_out"]),
                               rtol=1e-6)
    assert "op3_tanh" in got  # unnamed: numbered by position
    index = (tmp_path / "out" / "dump-index.tsv").read_text().splitlines()
    assert index[0] == "file\top\ttype\tlocation"
    assert index[1].startswith("add_node.npy\ttosa.add\t1x3xf32\t")
    assert len(index) == 4  # constants are not dumped


def test_errors_are_one_line_and_name_the_op(tmp_path):
    x = np.zeros((2, 3), np.float32)
    text = """
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = tosa.sin %x : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("my_sin")
  %z = tosa.cos %y : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("my_cos")
  return %z : tensor<2x3xf32>
}
"""
    err = run_mlir_error(tmp_path, text, {"arg0": x})
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "'tosa.sin' at loc(\"my_sin\")" in err
    assert "'tosa.cos' at loc(\"my_cos\")" in err
    assert not (tmp_path / "out").exists()  # nothing half-written

    ok = """
func.func @main(%x: tensor<2x3xf32> {onnx.name = "x"}) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
"""
    err = run_mlir_error(tmp_path, ok, {"x": np.zeros((3, 2), np.float32)})
    assert "input 'x'" in err and "tensor<2x3xf32>" in err and "3x2xf32" in err
    err = run_mlir_error(tmp_path, ok, {"y": x})
    assert "has no such input (inputs: 'x')" in err
    err = run_mlir_error(tmp_path, ok, {})
    assert "missing --input x=FILE.npy" in err
