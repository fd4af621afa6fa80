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


@pytest.mark.parametrize("target", TARGETS)
def test_attention_products_on_the_npu(tmp_path, target):
    path = attention(tmp_path / "attention.onnx")
    calib = np.random.default_rng(11).standard_normal(
        (2, 1, N, H * D)).astype(np.float32)
    x = calib[0]
    program = tessera.compile(path, target=target, calibration=calib,
                              no_fallback=True)
    text = tessera.compile(path, target=target, calibration=calib,
                           emit="int", no_fallback=True)
    asm = tessera.compile(path, target=target, calibration=calib,
                          emit="asm", no_fallback=True)
    # Both products of two activations are one CONV layer each, batched over
    # the heads as groups.
    assert asm.count("groups=2") >= 2
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
    cos = cosine(got, want)
    print(f"\nattention on {target}: cosine {cos:.6f}")
    assert cos >= 0.99
