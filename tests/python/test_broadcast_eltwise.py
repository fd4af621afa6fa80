"""Add/Mul with TOSA broadcasting and a stand-alone BatchNormalization on the
NPU's vector unit (ELTWISE bcast none / channel / scalar, docs/lowering.md):
small float ONNX models built here, calibrated on two samples, compiled for
every target (rv1126: asymmetric uint8 activations; j5, orin: symmetric
int8). For each: the simulator's integers equal the integer reference
executor's (tessera-run on the --emit=int program) bit for bit, and the
dequantized output is within a few output quantization steps of
onnxruntime's float output (bound below)."""
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

from conftest import run_tool

ort = pytest.importorskip("onnxruntime")

N, C, H, W = 1, 8, 5, 6
TARGETS = ["rv1126", "j5", "orin"]


def const(name, a):
    return nh.from_array(np.asarray(a, np.float32), name)


def model(nodes, inits, out_shape=(N, C, H, W)):
    graph = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("x", TP.FLOAT, [N, C, H, W])],
        [h.make_tensor_value_info("y", TP.FLOAT, list(out_shape))], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


RNG = np.random.default_rng(0)
PER_CHANNEL = np.linspace(-1.5, 2.0, C).reshape(1, C, 1, 1)
BIAS = np.linspace(0.8, -0.6, C).reshape(1, C, 1, 1)


def se_nodes(order):
    """Squeeze-excitation as torchvision writes it: scale * input, with the
    [1, C, 1, 1] gate first (order "gate_first") or second."""
    nodes = [h.make_node("GlobalAveragePool", ["x"], ["p"]),
             h.make_node("Sigmoid", ["p"], ["g"])]
    ins = ["g", "x"] if order == "gate_first" else ["x", "g"]
    return nodes + [h.make_node("Mul", ins, ["y"])]


MODELS = {
    # tensor x per-channel constant (ELTWISE mul, bcast channel)
    "mul_channel_const": lambda: model(
        [h.make_node("Mul", ["x", "c"], ["y"])], [const("c", PER_CHANNEL)]),
    # tensor x scalar constant (bcast scalar)
    "mul_scalar_const": lambda: model(
        [h.make_node("Mul", ["c", "x"], ["y"])], [const("c", 0.75)]),
    # tensor + per-channel constant (ELTWISE add, bcast channel)
    "add_channel_const": lambda: model(
        [h.make_node("Add", ["x", "c"], ["y"])], [const("c", BIAS)]),
    # tensor - per-channel constant, tensor - broadcast activation (mean
    # subtraction): ELTWISE sub, bcast channel
    "sub_channel_const": lambda: model(
        [h.make_node("Sub", ["x", "c"], ["y"])], [const("c", BIAS)]),
    "sub_pooled": lambda: model([h.make_node("GlobalAveragePool", ["x"], ["p"]),
                                 h.make_node("Sub", ["x", "p"], ["y"])], []),
    # squeeze-excitation: [1, C, 1, 1] activation x [1, C, H, W] activation
    "se_gate_first": lambda: model(se_nodes("gate_first"), []),
    "se_gate_second": lambda: model(se_nodes("gate_second"), []),
    # SiLU: x * sigmoid(x), two inputs with different scales
    "silu": lambda: model([h.make_node("Sigmoid", ["x"], ["s"]),
                           h.make_node("Mul", ["x", "s"], ["y"])], []),
    # tensor + broadcast activation (the pooled mean added back)
    "add_pooled": lambda: model([h.make_node("GlobalAveragePool", ["x"], ["p"]),
                                 h.make_node("Add", ["p", "x"], ["y"])], []),
    # division by a positive per-channel constant after a conv (NHWC): one
    # per-channel rescale by s_x / (c[k] s_out); by a scalar: a table
    "div_channel_const": lambda: model(
        [h.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
         h.make_node("Div", ["c", "d"], ["y"])],
        [const("w", RNG.uniform(-0.5, 0.5, (C, C, 1, 1))),
         const("d", np.linspace(0.5, 3.0, C).reshape(1, C, 1, 1))]),
    "div_scalar_const": lambda: model(
        [h.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]),
         h.make_node("Div", ["c", "d"], ["y"])],
        [const("w", RNG.uniform(-0.5, 0.5, (C, C, 1, 1))), const("d", 1.7)]),
    # stand-alone BatchNormalization (not after a conv): DenseNet's
    # concat -> BN -> Relu -> Conv, the BN a per-channel mul and add
    "batchnorm_relu_conv": lambda: model(
        [h.make_node("Conv", ["x", "w0"], ["c"], kernel_shape=[1, 1]),
         h.make_node("Concat", ["x", "c"], ["cat"], axis=1),
         h.make_node("BatchNormalization", ["cat", "bs", "bb", "bm", "bv"],
                     ["b"], epsilon=1e-5),
         h.make_node("Relu", ["b"], ["r"]),
         h.make_node("Conv", ["r", "w"], ["y"], kernel_shape=[1, 1])],
        [const("w0", RNG.uniform(-0.5, 0.5, (4, C, 1, 1))),
         const("bs", np.linspace(0.5, 1.5, C + 4)),
         const("bb", np.linspace(-0.5, 0.5, C + 4)),
         const("bm", np.linspace(-0.2, 0.3, C + 4)),
         const("bv", np.linspace(0.5, 2.0, C + 4)),
         const("w", RNG.uniform(-0.5, 0.5, (4, C + 4, 1, 1)))],
        out_shape=(N, 4, H, W)),
}


def arg_qparams(text, which):
    """(scale, zero point, dtype) of the int program's argument or result."""
    if which == "arg":
        attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}", text).group(1)
    else:
        attrs = re.search(r"\) -> \(?tensor<[^>]*> \{([^}]*)\}", text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", attrs).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', attrs).group(1)
    return scale, zp, dtype


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_broadcast_eltwise_on_the_npu(name, target, tmp_path):
    from tessera import quant
    path = tmp_path / f"{name}.onnx"
    onnx.save(MODELS[name](), path)
    x = RNG.uniform(-2.0, 2.0, (N, C, H, W)).astype(np.float32)
    # Two calibration samples, the test input among them (no clipping).
    calib = np.concatenate([x, RNG.uniform(-2.0, 2.0, x.shape).astype(np.float32)])
    np.savez(tmp_path / "calib.npz", x=calib)
    np.save(tmp_path / "x.npy", x)
    args = [path, "--target", target, "--calibration", tmp_path / "calib.npz",
            "--quiet"]
    run_tool("tessera-compile", *args, "-o", tmp_path / "m.npubin")
    run_tool("tessera-compile", *args, "--emit=int", "-o", tmp_path / "int.mlir")
    run_tool("tessera-sim", tmp_path / "m.npubin", "--input",
             f"x={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "sim", "--quiet")
    sim_int = np.load(tmp_path / "sim" / "y.int.npy").astype(np.int64)
    sim = np.load(tmp_path / "sim" / "y.npy").astype(np.float64)

    # Bit-exact with the integer reference executor on the quantized input.
    text = (tmp_path / "int.mlir").read_text()
    scale, zp, dtype = arg_qparams(text, "arg")
    xq = quant.quantize(x, scale, zp, dtype).astype(np.int16)
    if dtype == "uint8":
        xq -= 128  # the int8 image of the uint8 bytes (docs/quantization-passes.md)
    np.save(tmp_path / "xq.npy", xq.astype(np.int8))
    run_tool("tessera-run", tmp_path / "int.mlir", "--input",
             f"x={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "ref")
    ref_int = np.load(tmp_path / "ref" / "y.npy").astype(np.int64)
    assert ref_int.shape == sim_int.shape
    np.testing.assert_array_equal(sim_int, ref_int)

    # Against onnxruntime float. Every quantized tensor on the way carries at
    # most half a step of rounding error; the output adds its own half step,
    # and each operand's half step reaches the output scaled by at most the
    # op's gain (|c| <= 2 for the constants here, sigmoid' <= 1/4, a 1x1 conv
    # of 8 channels with |w| <= 0.5 and BN gains <= 1.5). Three output steps
    # bound all of these models (measured: at most 1.6 steps).
    s_out = arg_qparams(text, "result")[0]
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    want = sess.run(None, {"x": x})[0].astype(np.float64)
    assert sim.shape == want.shape
    err = float(np.max(np.abs(sim - want)))
    print(f"{name} {target}: max|sim - ort| = {err:.4g} = {err / s_out:.2f} steps")
    assert err <= 3 * s_out
