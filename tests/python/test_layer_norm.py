"""Integer layer normalisation on the NPU path (tosa.custom layer_norm ->
ELTWISE layer_norm), on small synthetic models built here with onnx.helper,
for the three targets (rv1126: asymmetric uint8; j5, orin: symmetric int8):
the decomposed ReduceMean-Sub-Pow-ReduceMean-Add-Sqrt-Div chain of exported
transformers (PP-OCRv4's recognizer), the same with Mul(d, d) instead of Pow,
and LayerNormalization-17.

For every case:
- the whole chain is one integer op (no other op of the chain survives);
- the simulator's integers equal the integer reference executor's bit for
  bit;
- the dequantized output is within a stated bound of onnxruntime's float
  result."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import tessera
from test_softmax_reduce import TARGETS, boundary_qparams, onnxruntime_float

EPS = 1e-5


def decomposed(path, shape, square="Pow", affine=False, opset=13, axis=-1):
    """y = (x - mean) / sqrt(mean((x - mean)^2) + eps) over the last axis, as
    paddle2onnx exports it; optionally times gamma plus beta."""
    c = shape[-1]
    rng = np.random.default_rng(3)
    inits = [helper.make_tensor("eps", TensorProto.FLOAT, [], [EPS])]
    nodes = [helper.make_node("ReduceMean", ["x"], ["m"], axes=[axis]),
             helper.make_node("Sub", ["x", "m"], ["d"])]
    if square == "Pow":
        inits.append(helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]))
        nodes.append(helper.make_node("Pow", ["d", "two"], ["d2"]))
    else:
        nodes.append(helper.make_node("Mul", ["d", "d"], ["d2"]))
    nodes += [helper.make_node("ReduceMean", ["d2"], ["v"], axes=[axis]),
              helper.make_node("Add", ["v", "eps"], ["ve"]),
              helper.make_node("Sqrt", ["ve"], ["s"]),
              helper.make_node("Div", ["d", "s"], ["n" if affine else "y"])]
    if affine:
        gamma = (rng.uniform(0.5, 1.5, c)).astype(np.float32)
        beta = (rng.uniform(-0.5, 0.5, c)).astype(np.float32)
        inits += [helper.make_tensor("g", TensorProto.FLOAT, [c], gamma),
                  helper.make_tensor("b", TensorProto.FLOAT, [c], beta)]
        nodes += [helper.make_node("Mul", ["n", "g"], ["ng"]),
                  helper.make_node("Add", ["ng", "b"], ["y"])]
    return save(path, nodes, shape, inits, opset)


def layer_normalization(path, shape):
    c = shape[-1]
    rng = np.random.default_rng(4)
    inits = [helper.make_tensor("g", TensorProto.FLOAT, [c],
                                rng.uniform(0.5, 1.5, c).astype(np.float32)),
             helper.make_tensor("b", TensorProto.FLOAT, [c],
                                rng.uniform(-0.5, 0.5, c).astype(np.float32))]
    nodes = [helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"],
                              axis=-1, epsilon=EPS)]
    return save(path, nodes, shape, inits, 17)


def save(path, nodes, shape, inits, opset):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        initializer=inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def samples(shape, n=2, seed=0):
    rng = np.random.default_rng(seed)
    # Rows with different means and spreads, as transformer activations.
    x = rng.standard_normal((n, *shape)) * rng.uniform(0.5, 2.0,
                                                       (n, *shape[:-1], 1))
    return (x + rng.uniform(-1, 1, (n, *shape[:-1], 1))).astype(np.float32)


def run_case(path, x, calib, target):
    program = tessera.compile(path, target=target, calibration=calib)
    sim = tessera.simulate(program, {"x": x})
    text = tessera.compile(path, target=target, calibration=calib, emit="int")
    assert text.count('operator_name = "layer_norm"') == 1
    for leftover in ("tosa.rsqrt", "tosa.reciprocal", "tosa.reduce_sum",
                     "arith.divf"):
        assert leftover not in text
    s_in, z_in, dt_in = boundary_qparams(text, "arg")
    s_out, _, _ = boundary_qparams(text, "result")
    xq = tessera.quant.quantize(x, s_in, z_in, dt_in).astype(np.int64)
    if dt_in == "uint8":  # the i8 image of uint8 bytes (XOR 0x80)
        xq -= 128
    ref = tessera.run(text.encode(), {"x": xq.astype(np.int8)})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))
    return sim.outputs["y"], s_in, s_out


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("square", ["Pow", "Mul"])
def test_decomposed_layer_norm(tmp_path, target, square):
    shape = [1, 6, 24]
    path = decomposed(tmp_path / "m.onnx", shape, square)
    calib = samples(shape)
    x = calib[0]
    got, s_in, s_out = run_case(path, x, calib, target)
    want = onnxruntime_float(path, x)
    # y = sqrt(n) P x / |P x| (P removes the mean). Input rounding moves
    # each x_k by <= s_in / 2, so |P dx| <= sqrt(n) s_in / 2 and y moves by
    # at most 2 sqrt(n) |P dx| / |P x| = sqrt(n) s_in / sigma (sigma the
    # row's standard deviation, |P x| = sqrt(n) sigma); plus one output
    # rounding s_out / 2 (the integer arithmetic adds < 1e-6 relative).
    n = shape[-1]
    sigma = x.std(axis=-1, keepdims=True)
    bound = np.sqrt(n) * s_in / sigma + s_out / 2 + 1e-5
    err = np.abs(got - want)
    print(f"\n{square} on {target}: max |err| {err.max():.5f} (s_in "
          f"{s_in:.4f}, s_out {s_out:.4f}, min bound {bound.min():.4f})")
    assert np.all(err <= bound)
    # Mostly far inside: the output rounding dominates.
    assert np.mean(err) <= 2 * s_out


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("form", ["decomposed", "LayerNormalization"])
def test_layer_norm_with_affine(tmp_path, target, form):
    shape = [2, 5, 32]
    path = tmp_path / "m.onnx"
    if form == "decomposed":
        decomposed(path, shape, affine=True)
    else:
        layer_normalization(path, shape)
    calib = samples(shape)
    x = calib[1]
    got, _, _ = run_case(path, x, calib, target)
    want = onnxruntime_float(path, x)
    cos = float(np.dot(got.ravel(), want.ravel()) /
                (np.linalg.norm(got) * np.linalg.norm(want)))
    print(f"\n{form} on {target}: cosine {cos:.6f}")
    # Three 8-bit roundings (normalised value, times gamma, plus beta) of
    # values in [-3, 3]: relative error ~1% per element at worst.
    assert cos >= 0.999


def test_layer_norm_outer_axis_runs_on_the_host(tmp_path):
    """The chain over axis 1 of [1, 8, 3] normalises columns: the integer
    reference runs it, the vector unit (rows only) cannot. With
    no_fallback the lowering reports it; by default the driver sends the
    chain to the host (no NPU lowering), and the simulator, running it
    there, equals the integer reference executor on the same program."""
    shape = [1, 8, 3]
    path = decomposed(tmp_path / "m.onnx", shape, axis=1)
    calib = samples(shape)
    text = tessera.compile(path, target="j5", calibration=calib, emit="int",
                           no_fallback=True)
    assert 'implementation_attrs = "axis=1"' in text
    with pytest.raises(ValueError, match=r"tosa.custom.*innermost"):
        tessera.compile(path, target="j5", calibration=calib,
                        no_fallback=True)

    text = tessera.compile(path, target="j5", calibration=calib, emit="int")
    assert 'operator_name = "layer_norm"' not in text
    assert 'tessera.device = "cpu"' in text
    program = tessera.compile(path, target="j5", calibration=calib)
    x = calib[0]
    sim = tessera.simulate(program, {"x": x})
    s_in, z_in, dt_in = boundary_qparams(text, "arg")
    xq = tessera.quant.quantize(x, s_in, z_in, dt_in).astype(np.int8)
    ref = tessera.run(text.encode(), {"x": xq})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))
    want = onnxruntime_float(path, x)
    cos = float(np.dot(sim.outputs["y"].ravel(), want.ravel()) /
                (np.linalg.norm(sim.outputs["y"]) * np.linalg.norm(want)))
    assert cos >= 0.999, cos
