"""QDQ models with one elementwise activation the front end imports as a
chain of TOSA ops (LeakyRelu: mul + maximum; HardSwish: mul, add, clamp,
mul; HardSigmoid: mul, add, clamp): --tessera-fold-to-integer makes each
chain one 256-entry tosa.table (FoldElementwiseChain), the NPU runs it as
TABLE, and the simulator's integers equal ONNX's reference implementation
(conftest.onnx_reference_float64) on every output value."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

from conftest import onnx_reference_float64, run_tool, simulate_on_npu

SHAPE = [1, 4, 8, 8]  # 256 elements: one per input code
Y_SCALE, Y_ZP = 0.05, 128


def qdq_model(node):
    inits = [nh.from_array(np.array(0.02, np.float32), "xs"),
             nh.from_array(np.array(128, np.uint8), "xz"),
             nh.from_array(np.array(Y_SCALE, np.float32), "ys"),
             nh.from_array(np.array(Y_ZP, np.uint8), "yz")]
    nodes = [h.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
             h.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             node,
             h.make_node("QuantizeLinear", ["o", "ys", "yz"], ["oq"]),
             h.make_node("DequantizeLinear", ["oq", "ys", "yz"], ["y"])]
    graph = h.make_graph(
        nodes, node.op_type, [h.make_tensor_value_info("x", TP.FLOAT, SHAPE)],
        [h.make_tensor_value_info("y", TP.FLOAT, SHAPE)], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


NODES = {
    "LeakyRelu": h.make_node("LeakyRelu", ["xd"], ["o"], alpha=0.1),
    "HardSwish": h.make_node("HardSwish", ["xd"], ["o"]),
    "HardSigmoid": h.make_node("HardSigmoid", ["xd"], ["o"], alpha=0.2,
                               beta=0.5),
}


@pytest.mark.parametrize("op", sorted(NODES))
def test_activation_chain_is_one_table_on_the_npu(op, tmp_path):
    path = tmp_path / f"{op}.onnx"
    onnx.save(qdq_model(NODES[op]), path)
    # Each of the 256 input codes once: x = (q - 128) * 0.02, q = 0..255.
    x = ((np.arange(256) - 128) * np.float32(0.02)).astype(
        np.float32).reshape(SHAPE)
    want = np.rint(onnx_reference_float64(path, {"x": x}) / Y_SCALE).astype(
        np.int64) + Y_ZP

    run_tool("tessera-compile", path, "--target", "orin", "--emit=int", "-o",
             tmp_path / "int.mlir", "--quiet")
    text = (tmp_path / "int.mlir").read_text()
    assert text.count("= tosa.table ") == 1
    assert "tosa.mul" not in text and "tosa.maximum" not in text
    sim = simulate_on_npu(path, x, tmp_path)
    np.testing.assert_array_equal(sim.reshape(want.shape), want)
