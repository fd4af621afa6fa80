"""Integer Softmax, LogSoftmax, ReduceMax, ReduceSum and ReduceMean on the
NPU path, on small synthetic models built here with onnx.helper, for the
three targets (rv1126: asymmetric uint8; j5, orin: symmetric int8).

For every case:
- the simulator's integers equal the integer reference executor's (tessera
  run on `compile(..., emit="int")`) bit for bit;
- the dequantized output is within a bound derived from the quantization
  steps of onnxruntime's float result (each bound is stated with its case);
- Softmax's output quantization is the fixed one of
  docs/quantization-passes.md: scale 1/256 with the lowest code as zero point
  (asymmetric), scale 1/128 with zero point 0 (symmetric int8).

The test inputs are among the calibration samples, so no value saturates
because of a range calibration did not see."""
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import tessera

ort = pytest.importorskip("onnxruntime")

TARGETS = ["rv1126", "j5", "orin"]


def make_model(path, op, in_shape, out_shape, opset, attrs=None, axes=None):
    inputs = ["x"]
    inits = []
    if axes is not None:  # axes as input 1 (ReduceSum-13)
        inits.append(helper.make_tensor("axes", TensorProto.INT64, [len(axes)],
                                        axes))
        inputs.append("axes")
    node = helper.make_node(op, inputs, ["y"], **(attrs or {}))
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


def boundary_qparams(text, where):
    """(scale, zero point in the external dtype, dtype) of the first argument
    ("arg") or the result ("result") of the integer function."""
    if where == "arg":
        attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}",
                          text).group(1)
    else:
        attrs = re.search(r"->\s*\(?tensor<[^>]*>\s*\{([^}]*)\}", text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", attrs).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', attrs).group(1)
    return scale, zp, dtype


def run_case(path, x, calib, target):
    """Compiles for `target`, simulates `x`, checks the simulator against the
    integer reference executor and returns (dequantized output, s_in, s_out,
    output zero point, output dtype)."""
    program = tessera.compile(path, target=target, calibration=calib)
    sim = tessera.simulate(program, {"x": x})
    text = tessera.compile(path, target=target, calibration=calib, emit="int")
    s_in, z_in, dt_in = boundary_qparams(text, "arg")
    s_out, z_out, dt_out = boundary_qparams(text, "result")
    xq = tessera.quant.quantize(x, s_in, z_in, dt_in).astype(np.int64)
    if dt_in == "uint8":  # the i8 image of uint8 bytes (XOR 0x80)
        xq -= 128
    ref = tessera.run(text.encode(), {"x": xq.astype(np.int8)})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"],
                                  ref.astype(np.int64))
    return sim.outputs["y"], s_in, s_out, z_out, dt_out


def onnxruntime_float(path, x):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x})[0]


def samples(shape, n=2, seed=0, scale=2.0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, *shape)) * scale).astype(np.float32)


SOFTMAX_CASES = [
    # (op, opset, attrs, shape): rows of the innermost axis after the
    # opset-11 coercion to 2-D, which is what the vector unit normalises.
    ("Softmax", 13, {"axis": -1}, [2, 10]),
    ("Softmax", 11, {}, [2, 3, 4]),           # axis 1: rows [2, 12]
    ("Softmax", 11, {"axis": 0}, [3, 4]),     # one row [1, 12]
    ("Softmax", 13, {"axis": 2}, [1, 3, 5]),
    ("LogSoftmax", 13, {"axis": -1}, [2, 10]),
    ("LogSoftmax", 11, {"axis": 1}, [2, 3, 4]),
    # A non-innermost axis: transposed innermost on the NPU and back.
    ("Softmax", 13, {"axis": 1}, [2, 5, 3]),
    ("LogSoftmax", 13, {"axis": 0}, [3, 4]),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("op,opset,attrs,shape", SOFTMAX_CASES)
def test_softmax_matches_onnxruntime(tmp_path, target, op, opset, attrs, shape):
    path = make_model(tmp_path / "m.onnx", op, shape, shape, opset, attrs)
    calib = samples(shape)
    x = calib[0]
    got, s_in, s_out, z_out, dt_out = run_case(path, x, calib, target)
    want = onnxruntime_float(path, x)
    if op == "Softmax":
        symmetric = target != "rv1126"
        assert s_out == pytest.approx(1 / 128 if symmetric else 1 / 256)
        # uint8 (rv1126): codes 0..255, zero point 0; symmetric int8: 0.
        assert z_out == 0
        # Each logit is off by at most s_in / 2; softmax's Jacobian rows sum
        # in absolute value to 2 p (1 - p) <= 1/2, so p moves by <= s_in / 4.
        # The output rounds by s_out / 2, and p = 1 saturates one step below
        # (255/256): s_out in all. The 2^15 exp table adds < 1e-4.
        bound = s_in / 4 + s_out + 1e-4
    else:
        # log p_k moves by sum_j |delta_kj - p_j| * s_in / 2 <= s_in; the
        # output rounds by s_out / 2; table entries below 2^-16 dropped from
        # the sum change log(sum) by < n 2^-15.
        bound = s_in + s_out / 2 + x.size * 2.0 ** -15
    err = np.abs(got - want).max()
    print(f"\n{op}-{opset} {attrs} {shape} on {target}: max |err| {err:.5f}"
          f" (bound {bound:.5f}, s_in {s_in:.4f}, s_out {s_out:.4f})")
    assert err <= bound


REDUCE_CASES = [
    # (op, opset, attrs, axes input, in shape, out shape)
    ("ReduceMax", 13, {"axes": [1], "keepdims": 1}, None, [2, 6, 5], [2, 1, 5]),
    ("ReduceMax", 18, {"keepdims": 0}, [2], [2, 3, 7], [2, 3]),
    ("ReduceSum", 13, {"keepdims": 0}, [1], [2, 6, 5], [2, 5]),
    ("ReduceSum", 11, {"axes": [1, 2], "keepdims": 1}, None, [2, 3, 4, 5],
     [2, 1, 1, 5]),
    ("ReduceMean", 13, {"axes": [2, 3], "keepdims": 1}, None, [1, 4, 5, 6],
     [1, 4, 1, 1]),
    ("ReduceMean", 13, {"axes": [-1], "keepdims": 0}, None, [3, 8], [3]),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("op,opset,attrs,axes,shape,out_shape", REDUCE_CASES)
def test_reduce_matches_onnxruntime(tmp_path, target, op, opset, attrs, axes,
                                    shape, out_shape):
    path = make_model(tmp_path / "m.onnx", op, shape, out_shape, opset, attrs,
                      axes)
    calib = samples(shape)
    x = calib[0]
    got, s_in, s_out, _, _ = run_case(path, x, calib, target)
    want = onnxruntime_float(path, x)
    assert got.shape == want.shape
    count = x.size // want.size
    if op == "ReduceMax":
        # Max commutes with the (monotonic) quantization: the input's
        # rounding, s_in / 2, and nothing else (the output shares s_in).
        bound = s_in / 2 + 1e-6
    elif op == "ReduceSum":
        # Each of `count` inputs is off by <= s_in / 2; one output rounding.
        bound = count * s_in / 2 + s_out / 2 + 1e-6
    else:
        # The mean of errors <= s_in / 2 is <= s_in / 2; one output rounding.
        bound = s_in / 2 + s_out / 2 + 1e-6
    err = np.abs(got - want).max()
    print(f"\n{op}-{opset} {attrs} {shape} on {target}: max |err| {err:.5f}"
          f" (bound {bound:.5f}, s_in {s_in:.4f}, s_out {s_out:.4f})")
    assert err <= bound
