"""A QDQ model with a grouped (not depthwise) Conv, as ResNeXt/RegNet-style
networks have after onnxruntime's quantizer: per-channel int8 weights,
uint8 activations. The front end imports the Conv as one conv2d per group
and a concat; each part takes its share of the per-channel scales and the
concat's output quantization, so the model folds to integer TOSA and runs
on the NPU. Oracle: ONNX's reference implementation in float64
(conftest.onnx_reference_float64); the integer reference executor and the
simulator must both give its integers exactly."""
import re

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

from conftest import onnx_reference_float64, run_tool, simulate_on_npu

C, OC, GROUPS = 8, 12, 2
X_SCALE, X_ZP, Y_SCALE, Y_ZP = 0.02, 128, 0.05, 120


def grouped_qdq_model():
    rng = np.random.default_rng(0)
    wq = rng.integers(-127, 128, (OC, C // GROUPS, 3, 3)).astype(np.int8)
    ws = rng.uniform(0.002, 0.02, OC).astype(np.float32)
    bq = rng.integers(-500, 500, OC).astype(np.int32)
    inits = [
        nh.from_array(wq, "wq"), nh.from_array(ws, "ws"),
        nh.from_array(np.zeros(OC, np.int8), "wz"),
        nh.from_array(bq, "bq"),
        nh.from_array((np.float32(X_SCALE) * ws).astype(np.float32), "bs"),
        nh.from_array(np.zeros(OC, np.int32), "bz"),
        nh.from_array(np.array(X_SCALE, np.float32), "xs"),
        nh.from_array(np.array(X_ZP, np.uint8), "xz"),
        nh.from_array(np.array(Y_SCALE, np.float32), "ys"),
        nh.from_array(np.array(Y_ZP, np.uint8), "yz"),
    ]
    nodes = [
        h.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
        h.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
        h.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0),
        h.make_node("DequantizeLinear", ["bq", "bs", "bz"], ["bd"], axis=0),
        h.make_node("Conv", ["xd", "wd", "bd"], ["c"], group=GROUPS,
                    pads=[1, 1, 1, 1]),
        h.make_node("QuantizeLinear", ["c", "ys", "yz"], ["cq"]),
        h.make_node("DequantizeLinear", ["cq", "ys", "yz"], ["y"]),
    ]
    graph = h.make_graph(
        nodes, "grouped", [h.make_tensor_value_info("x", TP.FLOAT, [1, C, 6, 6])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, OC, 6, 6])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


def test_grouped_qdq_conv_equals_onnx_reference(tmp_path):
    path = tmp_path / "grouped.onnx"
    onnx.save(grouped_qdq_model(), path)
    x = np.random.default_rng(1).uniform(-2, 2, (1, C, 6, 6)).astype(
        np.float32)
    want = np.rint(onnx_reference_float64(path, {"x": x}) / Y_SCALE).astype(
        np.int64) + Y_ZP

    run_tool("tessera-compile", path, "--target", "orin", "--emit=int", "-o",
             tmp_path / "int.mlir", "--quiet")
    text = (tmp_path / "int.mlir").read_text()
    assert "f32" not in text and "quant." not in text
    assert len(re.findall(r"= tosa.conv2d ", text)) == GROUPS
    xq = np.clip(np.rint(x.astype(np.float64) / X_SCALE) + X_ZP, 0, 255)
    np.save(tmp_path / "xq.npy", (xq.astype(np.int16) - 128).astype(np.int8))
    run_tool("tessera-run", tmp_path / "int.mlir", "--input",
             f"x={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "ref")
    ref = np.load(tmp_path / "ref" / "y.npy").astype(np.int64) + 128
    np.testing.assert_array_equal(ref, want)

    sim = simulate_on_npu(path, x, tmp_path)
    np.testing.assert_array_equal(sim.reshape(want.shape), want)
