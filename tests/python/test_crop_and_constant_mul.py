"""Float models through calibration, quantization, folding, lowering and the
simulator on every target's default scheme (rv1126: asymmetric uint8; j5,
orin: symmetric int8, i8<-127:127>):

- a stride-2 Conv whose window leaves a trailing row and column unread: the
  front end crops the input with a tosa.slice that lowering absorbs into the
  conv. With symmetric activations a no-op clamp [-127, 127] used to follow
  the slice and the conv failed to lower (squeezenet1_1, resnet18/50 on j5
  and orin).
- a Mul by a non-uniform float constant that broadcasts (YOLO's anchor grid):
  the constant was never quantized and the fold failed on every target.

Oracles: onnxruntime on the float model (the dequantized simulator output
within the quantization error bound below), and the integer reference
executor (the simulator's integers equal it exactly)."""
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

from conftest import cosine, run_tool

ort = pytest.importorskip("onnxruntime")
TARGETS = ["rv1126", "j5", "orin"]


def save(model, path):
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def crop_conv_model():
    """x [1, 3, 10, 10] -> Conv 3x3 pad 1 + Relu -> Conv 3x3 stride 2 (no
    pad: reads rows/cols 0..8 of 10, floor((10 - 3) / 2) + 1 = 4) -> y."""
    rng = np.random.default_rng(0)
    w1 = rng.normal(0, 0.3, (4, 3, 3, 3)).astype(np.float32)
    w2 = rng.normal(0, 0.3, (5, 4, 3, 3)).astype(np.float32)
    b2 = rng.normal(0, 0.1, 5).astype(np.float32)
    nodes = [
        h.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1]),
        h.make_node("Relu", ["c1"], ["r1"]),
        # Crop of a graph input (squeezenet's first conv) and of an
        # intermediate activation.
        h.make_node("Conv", ["x", "w0"], ["c0"], strides=[2, 2]),
        h.make_node("Conv", ["r1", "w2", "b2"], ["c2"], strides=[2, 2]),
        h.make_node("Concat", ["c0", "c2"], ["y"], axis=1),
    ]
    w0 = rng.normal(0, 0.3, (2, 3, 3, 3)).astype(np.float32)
    graph = h.make_graph(
        nodes, "crop", [h.make_tensor_value_info("x", TP.FLOAT, [1, 3, 10, 10])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, 7, 4, 4])],
        [nh.from_array(w0, "w0"), nh.from_array(w1, "w1"),
         nh.from_array(w2, "w2"), nh.from_array(b2, "b2")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


def compile_and_run(path, x, target, tmp):
    """Compiles for `target` calibrated on `x`, simulates, runs the integer
    reference on the same quantized input. Returns (dequantized simulator
    output, simulator integers, reference integers, output scale)."""
    np.savez(tmp / "calib.npz", x=x)
    np.save(tmp / "x.npy", x)
    args = [path, "--target", target, "--calibration", tmp / "calib.npz",
            "--quiet"]
    run_tool("tessera-compile", *args, "-o", tmp / "m.npubin")
    run_tool("tessera-compile", *args, "--emit=int", "-o", tmp / "int.mlir")
    run_tool("tessera-sim", tmp / "m.npubin", "--input", f"x={tmp / 'x.npy'}",
             "--output-dir", tmp / "sim", "--quiet")
    text = (tmp / "int.mlir").read_text()
    assert "f32" not in text and "quant." not in text

    def attrs(block):
        return (float(re.search(r"tessera.scale = ([0-9.eE+-]+)", block).group(1)),
                int(re.search(r"tessera.zero_point = (-?\d+)", block).group(1)),
                re.search(r'tessera.dtype = "(\w+)"', block).group(1))
    sig = re.search(r"func.func @main\((.*)\) -> (.*) \{", text)
    s_in, z_in, dtype = attrs(sig.group(1))
    s_out, _, _ = attrs(sig.group(2))
    # The integer level computes on int8: uint8 bytes XOR 0x80 (q - 128).
    off = 128 if dtype == "uint8" else 0
    lo, hi = (0, 255) if dtype == "uint8" else (-128, 127)
    xq = np.clip(np.rint(x.astype(np.float64) / s_in) + z_in, lo, hi) - off
    np.save(tmp / "xq.npy", xq.astype(np.int8))
    run_tool("tessera-run", tmp / "int.mlir", "--input", f"x={tmp / 'xq.npy'}",
             "--output-dir", tmp / "ref")
    ref = np.load(tmp / "ref" / "y.npy").astype(np.int64)
    sim_int = np.load(tmp / "sim" / "y.int.npy").astype(np.int64)
    sim = np.load(tmp / "sim" / "y.npy")
    return sim, sim_int, ref, s_out


@pytest.mark.parametrize("target", TARGETS)
def test_stride2_conv_with_crop_lowers_on_every_target(tmp_path, target):
    path = save(crop_conv_model(), tmp_path / "crop.onnx")
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 10, 10)).astype(np.float32)
    want = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]
                                ).run(None, {"x": x})[0]
    sim, sim_int, ref, s_out = compile_and_run(path, x, target, tmp_path)
    np.testing.assert_array_equal(sim_int.reshape(ref.shape), ref)
    assert sim.shape == want.shape == (1, 7, 4, 4)
    # 8-bit activations and weights: a few output steps at most.
    assert np.max(np.abs(sim - want)) <= 4 * s_out
    assert cosine(sim, want) >= 0.999


ANCHORS = np.array([[10, 13], [16, 30], [33, 23]], np.float32).reshape(1, 3, 1, 2)


def anchor_mul_model():
    """YOLO's box-size decode: y = anchors * sigmoid(x) with anchors
    [1, 3, 1, 2] broadcast over the 4 grid cells of x [1, 3, 4, 2]; the
    constant is the first operand (a grid times a constant imports either
    way round)."""
    nodes = [h.make_node("Sigmoid", ["x"], ["s"]),
             h.make_node("Mul", ["anchors", "s"], ["y"])]
    graph = h.make_graph(
        nodes, "anchor_mul",
        [h.make_tensor_value_info("x", TP.FLOAT, [1, 3, 4, 2])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, 3, 4, 2])],
        [nh.from_array(ANCHORS, "anchors")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


@pytest.mark.parametrize("target", TARGETS)
def test_mul_by_nonuniform_constant_on_every_target(tmp_path, target):
    path = save(anchor_mul_model(), tmp_path / "anchor_mul.onnx")
    x = np.random.default_rng(2).uniform(-4, 4, (1, 3, 4, 2)).astype(np.float32)
    want = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]
                                ).run(None, {"x": x})[0]
    sim, sim_int, ref, s_out = compile_and_run(path, x, target, tmp_path)
    np.testing.assert_array_equal(sim_int.reshape(ref.shape), ref)
    # Quantization error of a product s * a, with s = sigmoid in [0, 1]
    # (step at most 1/127) and the anchors quantized per tensor (step at
    # most 33/127), each rounded to half a step, then the result rounded to
    # half an output step: |err| <= |a| ds/2 + |s| da/2 + ds da/4 + s_out/2.
    ds, da = 1 / 127, 33 / 127
    bound = 33 * ds / 2 + da / 2 + ds * da / 4 + s_out / 2
    assert np.max(np.abs(sim - want)) <= bound
    assert cosine(sim, want) >= 0.999


def decode_concat_model():
    """YOLO's detect-head pattern in small: s = sigmoid(x) [1, 8, 6]; the
    first two columns are scaled to pixels (s * 500), the rest (scores, in
    [0, 1]) are concatenated unchanged: y = concat(500 s[..., :2],
    s[..., 2:]). Sharing the concat's quantization (range ~[0, 500]) with
    the sigmoid would quantize every s to 0 before the multiply."""
    inits = [nh.from_array(np.array(v, np.int64), n) for n, v in
             [("st0", [0]), ("en0", [2]), ("st1", [2]), ("en1", [6]),
              ("ax", [2])]]
    inits.append(nh.from_array(np.array(500.0, np.float32), "k"))
    nodes = [
        h.make_node("Sigmoid", ["x"], ["s"]),
        h.make_node("Slice", ["s", "st0", "en0", "ax"], ["xy"]),
        h.make_node("Mul", ["xy", "k"], ["px"]),
        h.make_node("Slice", ["s", "st1", "en1", "ax"], ["scores"]),
        h.make_node("Concat", ["px", "scores"], ["y"], axis=2),
    ]
    graph = h.make_graph(
        nodes, "decode", [h.make_tensor_value_info("x", TP.FLOAT, [1, 8, 6])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, 8, 6])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


@pytest.mark.parametrize("target", TARGETS)
def test_concat_keeps_narrow_input_quantization(tmp_path, target):
    path = save(decode_concat_model(), tmp_path / "decode.onnx")
    x = np.random.default_rng(3).uniform(-3, 3, (1, 8, 6)).astype(np.float32)
    want = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]
                                ).run(None, {"x": x})[0]
    sim, sim_int, ref, s_out = compile_and_run(path, x, target, tmp_path)
    np.testing.assert_array_equal(sim_int.reshape(ref.shape), ref)
    # Pixels: s quantized on its own grid (step <= 1 / 127), times 500 in a
    # table, rounded to the output's step: |err| <= 500 / 254 + s_out / 2.
    # (Sharing the output's grid, s would quantize to 0: errors up to 500.)
    assert np.max(np.abs(sim[..., :2] - want[..., :2])) <= 500 / 254 + s_out / 2
    # Scores in [0, 1] become the output's integers: at most half a step off
    # after the one requantization from the sigmoid's grid.
    assert np.max(np.abs(sim[..., 2:] - want[..., 2:])) <= 1 / 254 + s_out / 2


def constant_sub_model():
    """y = x - offsets, offsets [1, 3, 1, 2] broadcast over x [1, 3, 4, 2]
    (a grid offset subtracted in a box decode)."""
    offsets = np.array([[0.5, -1.0], [2.0, 0.25], [-3.0, 1.5]],
                       np.float32).reshape(1, 3, 1, 2)
    graph = h.make_graph(
        [h.make_node("Sub", ["x", "offsets"], ["y"])], "constant_sub",
        [h.make_tensor_value_info("x", TP.FLOAT, [1, 3, 4, 2])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, 3, 4, 2])],
        [nh.from_array(offsets, "offsets")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


@pytest.mark.parametrize("target", TARGETS)
def test_sub_of_nonuniform_constant_on_every_target(tmp_path, target):
    path = save(constant_sub_model(), tmp_path / "constant_sub.onnx")
    x = np.random.default_rng(4).uniform(-2, 2, (1, 3, 4, 2)).astype(np.float32)
    want = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]
                                ).run(None, {"x": x})[0]
    sim, sim_int, ref, s_out = compile_and_run(path, x, target, tmp_path)
    np.testing.assert_array_equal(sim_int.reshape(ref.shape), ref)
    # x (|x| <= 2) and the offsets (|c| <= 3) each quantized to half a step
    # of at most 2/127 and 3/127; the sum rounded to half an output step,
    # plus half a step of slack for the add's fixed-point input rescales.
    bound = (2 / 127 + 3 / 127) / 2 + s_out
    assert np.max(np.abs(sim - want)) <= bound
    assert cosine(sim, want) >= 0.999
