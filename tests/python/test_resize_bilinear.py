"""Bilinear Resize on the NPU (docs/lowering.md): ONNX Resize mode=linear by
integer factors is a TOSA BILINEAR resize (i8 -> i32, scaled by scale_y_n *
scale_x_n) plus a rescale, lowered to edge replication, one depthwise CONV
per output phase with TOSA's integer interpolation weights and concats that
interleave the phases. Small synthetic models built here with onnx.helper,
for rv1126 (asymmetric uint8), j5 and orin (symmetric int8):

- the simulator's integers equal the integer reference executor's (tessera
  run on `compile(..., emit="int")`) bit for bit, and the program has no
  host fallback (no_fallback=True) and no tosa.resize left;
- the dequantized output is within a bound of onnxruntime's float result:
  every output is a convex combination of inputs (weights >= 0 summing to
  1), so input rounding moves it by at most s_in / 2 (s_in at a range end
  the zero-point nudge clips), plus one output rounding s_out / 2 (s_out
  at a clipped end): |got - want| <= s_in + s_out; cosine >= 0.999.
- factors the NPU form cannot take are one clear error naming the node.

The test input is among the calibration samples, so no value saturates
because of a range calibration did not see."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import tessera
from conftest import cosine
from test_softmax_reduce import TARGETS, boundary_qparams, onnxruntime_float

ort = pytest.importorskip("onnxruntime")


def resize_model(path, in_shape, mode, scales=None, sizes=None,
                 coord="half_pixel", opset=13):
    inits = [helper.make_tensor("roi", TensorProto.FLOAT, [0], [])]
    inputs = ["x", "roi"]
    if scales is not None:
        inits.append(helper.make_tensor("scales", TensorProto.FLOAT, [4],
                                        scales))
        inputs.append("scales")
        out_shape = [int(d * s) for d, s in zip(in_shape, scales)]
    else:
        inits.append(helper.make_tensor("scales", TensorProto.FLOAT, [0], []))
        inits.append(helper.make_tensor("sizes", TensorProto.INT64, [4],
                                        sizes))
        inputs += ["scales", "sizes"]
        out_shape = list(sizes)
    node = helper.make_node("Resize", inputs, ["y"], mode=mode,
                            coordinate_transformation_mode=coord)
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
        initializer=inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def samples(shape, n=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, *shape)).astype(np.float32)


CASES = [
    # (id, input shape, scales or None, sizes or None, coordinate mode)
    ("x2_half_pixel", [1, 3, 5, 6], [1, 1, 2, 2], None, "half_pixel"),
    ("x3_half_pixel", [1, 2, 4, 5], [1, 1, 3, 3], None, "half_pixel"),
    ("x2x3_half_pixel", [1, 3, 4, 5], [1, 1, 2, 3], None, "half_pixel"),
    ("x2_pytorch_half_pixel", [1, 3, 5, 6], [1, 1, 2, 2], None,
     "pytorch_half_pixel"),
    ("x2_asymmetric", [1, 3, 5, 6], [1, 1, 2, 2], None, "asymmetric"),
    ("x3_asymmetric", [1, 2, 4, 5], [1, 1, 3, 3], None, "asymmetric"),
    # align_corners maps x -> x (in - 1) / (out - 1): an integer factor f
    # when out = f (in - 1) + 1 (the last phase's rows are cropped).
    ("x2_align_corners", [1, 3, 5, 6], None, [1, 3, 9, 11], "align_corners"),
    ("x3_align_corners", [1, 2, 4, 5], None, [1, 2, 10, 13], "align_corners"),
    ("x2_batch2", [2, 3, 4, 4], [1, 1, 2, 2], None, "half_pixel"),
    # x4 half_pixel: n = 8, fractions 1, 3, 5, 7: taps up to 7 * 7 = 49.
    ("x4_half_pixel", [1, 2, 3, 4], [1, 1, 4, 4], None, "half_pixel"),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bilinear_resize_on_the_npu(tmp_path, case, target):
    _, shape, scales, sizes, coord = case
    path = resize_model(tmp_path / "m.onnx", shape, "linear", scales, sizes,
                        coord)
    calib = samples(shape)
    x = calib[0]
    npu = tessera.compile(path, target=target, calibration=calib,
                          emit="npu", no_fallback=True)
    assert "npu.conv2d" in npu and "tosa.resize" not in npu
    program = tessera.compile(path, target=target, calibration=calib,
                              no_fallback=True)
    sim = tessera.simulate(program, {"x": x})
    text = tessera.compile(path, target=target, calibration=calib, emit="int",
                           no_fallback=True)
    assert "mode = BILINEAR" in text
    s_in, z_in, dt_in = boundary_qparams(text, "arg")
    s_out, _, _ = boundary_qparams(text, "result")
    xq = tessera.quant.quantize(x, s_in, z_in, dt_in).astype(np.int64)
    if dt_in == "uint8":  # the i8 image of uint8 bytes (XOR 0x80)
        xq -= 128
    ref = tessera.run(text.encode(), {"x": xq.astype(np.int8)})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))

    want = onnxruntime_float(path, x)
    got = sim.outputs["y"]
    assert got.shape == want.shape
    err = np.abs(got - want).max()
    print(f"{case[0]} {target}: max |err| {err:.5f} (bound "
          f"{s_in + s_out:.5f}), cosine {cosine(got, want):.6f}")
    assert err <= s_in + s_out + 1e-5
    assert cosine(got, want) >= 0.999


@pytest.mark.parametrize("case", [
    # 3/2 along both axes (half_pixel: n = 6, d = 4): not an integer factor.
    ("scale_1_5", [1, 2, 4, 4], [1, 1, 1.5, 1.5], None, "half_pixel",
     r"y scale 6/4 is not an integer factor"),
    # align_corners with out = 2 in: scale (out - 1) / (in - 1) = 7/3.
    ("align_corners_2in", [1, 2, 4, 4], None, [1, 2, 8, 8], "align_corners",
     r"y scale 7/3 is not an integer factor"),
    # x8 half_pixel: n = 16, fractions 1, 3, ..., 15: taps up to 15 * 15.
    ("x8_half_pixel", [1, 1, 2, 2], [1, 1, 8, 8], None, "half_pixel",
     r"interpolation weights up to 225 do not fit the CONV's int8 weights"),
], ids=lambda c: c[0])
def test_non_integer_factor_is_a_clear_error(tmp_path, case):
    _, shape, scales, sizes, coord, why = case
    path = resize_model(tmp_path / "m.onnx", shape, "linear", scales, sizes,
                        coord)
    with pytest.raises(ValueError, match=r"unsupported for now: 'tosa.resize' "
                       r"\(ONNX node '[^']+'\): expected a BILINEAR resize"
                       r".*\(here: " + why + r"\)"):
        tessera.compile(path, target="j5", calibration=samples(shape),
                        no_fallback=True)
