"""MatMul of two activations on the NPU (docs/lowering.md, "MatMul of two
activations"): an attention-shaped block built here with onnx.helper,
    Q = x Wq, K = x Wk, V = x Wv        ([1, n, h*d], constant weights)
    Q, V -> [1, h, n, d], K^T -> [1, h, d, n]   (Reshape + Transpose)
    S = Q x K^T, P = Softmax(S, axis=-1), y = P x V   ([1, h, n, d])
(1/sqrt(d) folded into Wq), compiled for rv1126 (asymmetric uint8), j5 and
orin (symmetric int8) with no host fallback, so both products of two
activations run as grouped 1x1 CONVs whose weights come from DRAM:
- the simulator's integers equal the integer reference executor's bit for
  bit;
- the dequantized output agrees with onnxruntime's float output (cosine).
"""
import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

import tessera
from conftest import cosine
from test_softmax_reduce import TARGETS, boundary_qparams

ort = pytest.importorskip("onnxruntime")

N, H, D = 8, 2, 8  # tokens, heads, head size


def attention(path):
    rng = np.random.default_rng(10)
    c = H * D
    w = {k: rng.uniform(-0.5, 0.5, (c, c)).astype(np.float32)
         for k in ("wq", "wk", "wv")}
    w["wq"] /= np.sqrt(D)
    inits = [nh.from_array(v, k) for k, v in w.items()]
    inits.append(nh.from_array(np.asarray([1, N, H, D], np.int64), "heads"))
    nodes = []
    for name, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]),
                       ("v", [0, 2, 1, 3])):
        nodes += [h.make_node("MatMul", ["x", "w" + name], [name + "0"]),
                  h.make_node("Reshape", [name + "0", "heads"], [name + "1"]),
                  h.make_node("Transpose", [name + "1"], [name], perm=perm)]
    nodes += [h.make_node("MatMul", ["q", "k"], ["s"], name="qk"),
              h.make_node("Softmax", ["s"], ["p"], axis=-1),
              h.make_node("MatMul", ["p", "v"], ["y"], name="pv")]
    graph = h.make_graph(
        nodes, "attention",
        [h.make_tensor_value_info("x", TP.FLOAT, [1, N, c])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, H, N, D])], inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def run_on_npu(path, x, calib, target):
    """Compiles for `target` without host fallback, checks the simulator
    against the integer reference executor bit for bit, and returns (the
    dequantized output, onnxruntime's float output, the assembly)."""
    program = tessera.compile(path, target=target, calibration=calib,
                              no_fallback=True)
    text = tessera.compile(path, target=target, calibration=calib,
                           emit="int", no_fallback=True)
    asm = tessera.compile(path, target=target, calibration=calib,
                          emit="asm", no_fallback=True)
    sim = tessera.simulate(program, {"x": x})

    s_in, z_in, dt_in = boundary_qparams(text, "arg")
    xq = tessera.quant.quantize(x, s_in, z_in, dt_in).astype(np.int64)
    if dt_in == "uint8":  # the int8 image of the uint8 bytes
        xq -= 128
    ref = tessera.run(text.encode(), {"x": xq.astype(np.int8)})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    want = sess.run(None, {"x": x})[0]
    got = sim.outputs["y"]
    assert got.shape == want.shape
    return got, want, asm


@pytest.mark.parametrize("target", TARGETS)
def test_attention_products_on_the_npu(tmp_path, target):
    path = attention(tmp_path / "attention.onnx")
    calib = np.random.default_rng(11).standard_normal(
        (2, 1, N, H * D)).astype(np.float32)
    got, want, asm = run_on_npu(path, calib[0], calib, target)
    # Both products of two activations are one CONV each, the heads as
    # groups (the projections are plain 1x1 CONVs, groups=1).
    assert asm.count("groups=2") == 2
    cos = cosine(got, want)
    print(f"\nattention on {target}: cosine {cos:.6f}")
    # The op sweep's threshold for a chain of 8-bit requantizations (x,
    # the projections, S, P, y); measured 0.9998 on every target.
    assert cos >= 0.999


def one_matmul(path, shape, b_init=None, transpose_x=False):
    """y = MatMul(x, b) with b a constant or Transpose(x) (last two dims)."""
    nodes, inits = [], []
    if transpose_x:
        perm = list(range(len(shape) - 2)) + [len(shape) - 1, len(shape) - 2]
        nodes.append(h.make_node("Transpose", ["x"], ["b"], perm=perm))
    else:
        inits.append(nh.from_array(b_init, "b"))
    nodes.append(h.make_node("MatMul", ["x", "b"], ["y"], name="mm"))
    graph = h.make_graph(
        nodes, "mm", [h.make_tensor_value_info("x", TP.FLOAT, shape)],
        [h.make_tensor_value_info("y", TP.FLOAT, None)], inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", ["gram", "batched_constant"])
def test_other_products(tmp_path, target, case):
    """x x x^T without a batch (B = 1: no transposes of a or the result),
    and a constant b with a batch [2, 6, 5] (the same grouped CONV, b^T in
    the constant image)."""
    rng = np.random.default_rng(12)
    if case == "gram":
        shape = [1, 6, 8]
        path = one_matmul(tmp_path / "m.onnx", shape, transpose_x=True)
    else:
        shape = [1, 2, 4, 6]
        b = rng.uniform(-0.5, 0.5, (2, 6, 5)).astype(np.float32)
        path = one_matmul(tmp_path / "m.onnx", shape, b_init=b)
    calib = rng.standard_normal((2, *shape)).astype(np.float32)
    got, want, asm = run_on_npu(path, calib[0], calib, target)
    assert asm.count("conv layer=") == 1
    assert ("groups=2" in asm) == (case == "batched_constant")
    cos = cosine(got, want)
    print(f"\n{case} on {target}: cosine {cos:.6f}")
    # One product of 8-bit operands, one output rounding.
    assert cos >= 0.999
