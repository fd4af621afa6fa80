"""Elementwise ONNX functions without a TOSA operator (Neg, Abs, Sqrt,
Reciprocal, Erf, Elu, Selu, Celu, Softplus, Softsign, Gelu none/tanh, Mish,
Pow by a constant) and LayerNormalization, InstanceNormalization,
GroupNormalization on small synthetic models.

Float: tessera-run (the float reference executor) against onnxruntime,
cosine >= 0.99999 and max|diff| <= 1e-4 * max|ref| (the bar of
tests/e2e/test_patterned.py).

Integer (the elementwise ops, on rv1126, j5 and orin, calibrated on the test
input itself): each node is one tosa.table (the quantizer leaves the node's
internal values float, FoldElementwiseChain folds the chain); the simulator's
integers equal the integer reference executor's (tessera-run on the
--emit=int level); and the dequantized output is within the quantization
error of onnxruntime's float result. That error, per element: the input is
rounded to the nearest of its grid, at most s_in/2 away, so f moves by at
most max|f(x + t) - f(x)| over |t| <= s_in/2 (measured with onnxruntime on
nine points of that interval); the table entry is then rounded to the
output grid, at most s_out/2 more. A small slack (1e-5 * max|ref|) covers
the float differences between the table's f (Tessera's float executor) and
onnxruntime's.
"""
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

import tessera
from conftest import cosine, run_tool

ort = pytest.importorskip("onnxruntime")

SHAPE = [1, 4, 8, 8]

# name -> (op, attributes, opset, input range, exponent for Pow)
UNARY = {
    "Neg": ("Neg", {}, 17, (-3, 3), None),
    "Abs": ("Abs", {}, 17, (-3, 3), None),
    "Sqrt": ("Sqrt", {}, 17, (0.25, 4), None),
    "Reciprocal": ("Reciprocal", {}, 17, (0.5, 4), None),
    "Erf": ("Erf", {}, 17, (-2.5, 2.5), None),
    "Elu": ("Elu", {"alpha": 0.8}, 17, (-4, 3), None),
    "Selu": ("Selu", {}, 17, (-4, 3), None),
    "Celu": ("Celu", {"alpha": 1.5}, 17, (-4, 3), None),
    "Softplus": ("Softplus", {}, 17, (-5, 5), None),
    "Softsign": ("Softsign", {}, 17, (-5, 5), None),
    "GeluNone": ("Gelu", {}, 20, (-4, 4), None),
    "GeluTanh": ("Gelu", {"approximate": "tanh"}, 20, (-4, 4), None),
    "Mish": ("Mish", {}, 18, (-4, 4), None),
    "Pow3": ("Pow", {}, 17, (-2, 2), 3.0),
    "PowMinus2": ("Pow", {}, 17, (0.5, 3), -2.0),
    "PowHalf": ("Pow", {}, 17, (0.25, 4), 0.5),
    "Pow1.5": ("Pow", {}, 17, (0.25, 4), 1.5),
    # Imported as chains before; their calibrated integer path is new too.
    "LeakyRelu": ("LeakyRelu", {"alpha": 0.1}, 17, (-3, 3), None),
    "HardSwish": ("HardSwish", {}, 17, (-5, 5), None),
}


def unary_model(name):
    op, attrs, opset, _, exponent = UNARY[name]
    inits, ins = [], ["x"]
    if exponent is not None:
        inits.append(nh.from_array(np.array(exponent, np.float32), "e"))
        ins.append("e")
    g = h.make_graph([h.make_node(op, ins, ["y"], name="n0", **attrs)], name,
                     [h.make_tensor_value_info("x", TP.FLOAT, SHAPE)],
                     [h.make_tensor_value_info("y", TP.FLOAT, SHAPE)], inits)
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def unary_input(name):
    lo, hi = UNARY[name][3]
    rng = np.random.default_rng(7)
    return rng.uniform(lo, hi, SHAPE).astype(np.float32)


def ort_run(path, feeds):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def tessera_run(path, feeds, tmp_path, tag):
    args = []
    for name, arr in feeds.items():
        np.save(tmp_path / f"{tag}_{name}.npy", arr)
        args += ["--input", f"{name}={tmp_path / f'{tag}_{name}.npy'}"]
    run_tool("tessera-run", path, *args, "--output-dir", tmp_path / tag)
    return tmp_path / tag


def assert_float_agrees(got, ref):
    assert got.shape == ref.shape
    diff = float(np.max(np.abs(got.astype(np.float64) - ref)))
    bound = 1e-4 * float(np.max(np.abs(ref)))
    assert cosine(got, ref) >= 0.99999
    assert diff <= bound, (diff, bound)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float_matches_onnxruntime(name, tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(unary_model(name), path)
    x = unary_input(name)
    ref = ort_run(path, {"x": x})[0]
    out = tessera_run(path, {"x": x}, tmp_path, "float")
    assert_float_agrees(np.load(out / "y.npy"), ref)


def boundary_qparams(text):
    """(scale, zero point, dtype) of the argument and of the result of the
    folded @main, from the attributes FuncBoundary.cpp writes."""
    sig = text[text.index("func.func @main"):]
    sig = sig[:sig.index("{\n")]
    args, _, results = sig.partition("->")

    def read(part):
        return (float(re.search(r"tessera.scale = ([0-9.eE+-]+)", part)[1]),
                int(re.search(r"tessera.zero_point = (-?\d+)", part)[1]),
                re.search(r'tessera.dtype = "(\w+)"', part)[1])
    return read(args), read(results)


@pytest.mark.parametrize("target", ["rv1126", "j5", "orin"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_integer_path(name, target, tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(unary_model(name), path)
    x = unary_input(name)
    np.savez(tmp_path / "calib.npz", x=x)
    common = [path, "--target", target, "--calibration",
              tmp_path / "calib.npz", "--quiet"]

    # One table, nothing else computes.
    run_tool("tessera-compile", *common, "--emit=int", "-o",
             tmp_path / "int.mlir")
    text = (tmp_path / "int.mlir").read_text()
    ops = re.findall(r"= \"?(tosa\.\w+)", text)
    assert sorted(ops) == ["tosa.const", "tosa.table"], ops

    # Simulator == integer reference executor, bit for bit.
    run_tool("tessera-compile", *common, "-o", tmp_path / "m.npubin")
    np.save(tmp_path / "x.npy", x)
    run_tool("tessera-sim", tmp_path / "m.npubin", "--input",
             f"x={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "sim",
             "--quiet")
    sim_int = np.load(tmp_path / "sim" / "y.int.npy")
    (s_in, z_in, dt_in), (s_out, z_out, dt_out) = boundary_qparams(text)
    q = tessera.quant.quantize(x, s_in, z_in, dt_in).astype(np.int16)
    if dt_in == "uint8":  # the int8 image of the uint8 bytes
        q -= 128
    ref_int = np.load(tessera_run(tmp_path / "int.mlir",
                                  {"x": q.astype(np.int8)}, tmp_path,
                                  "int") / "y.npy")
    np.testing.assert_array_equal(sim_int.reshape(ref_int.shape), ref_int)

    # Within the quantization error of onnxruntime's float result.
    ref = ort_run(path, {"x": x})[0].astype(np.float64)
    variation = np.zeros_like(ref)
    for t in np.linspace(-s_in / 2, s_in / 2, 9):
        moved = ort_run(path, {"x": (x + np.float32(t)).astype(np.float32)})[0]
        variation = np.maximum(variation, np.abs(moved - ref))
    got = np.load(tmp_path / "sim" / "y.npy").astype(np.float64)
    bound = variation + s_out / 2 + 1e-5 * np.max(np.abs(ref))
    err = np.abs(got.reshape(ref.shape) - ref)
    worst = float(np.max(err / bound))
    print(f"{name} {target}: max|err| {err.max():.4g}, s_out {s_out:.4g}, "
          f"worst err/bound {worst:.3f}")
    assert worst <= 1.0


# --- Normalization (float) ---------------------------------------------------

def norm_model(node, inits, shape, opset):
    g = h.make_graph([node], "norm",
                     [h.make_tensor_value_info("x", TP.FLOAT, shape)],
                     [h.make_tensor_value_info(o, TP.FLOAT, None)
                      for o in node.output],
                     [nh.from_array(a, n) for n, a in inits.items()])
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def params(*shape, seed=3):
    return np.random.default_rng(seed).uniform(0.5, 1.5, shape).astype(
        np.float32)


NORMS = {
    # Transformer-style: [batch, tokens, features], normalize features.
    "LayerNorm_last": (h.make_node("LayerNormalization", ["x", "s", "b"],
                                   ["y"]),
                       {"s": params(16), "b": params(16, seed=4)},
                       [2, 5, 16], 17),
    "LayerNorm_axis1_stats": (h.make_node("LayerNormalization", ["x", "s"],
                                          ["y", "mean", "inv"], axis=1,
                                          epsilon=1e-3),
                              {"s": params(4, 3, 5)}, [2, 4, 3, 5], 17),
    "InstanceNorm": (h.make_node("InstanceNormalization", ["x", "s", "b"],
                                 ["y"], epsilon=1e-4),
                     {"s": params(4), "b": params(4, seed=4)},
                     [2, 4, 6, 5], 17),
    "GroupNorm18": (h.make_node("GroupNormalization", ["x", "s", "b"], ["y"],
                                num_groups=2),
                    {"s": params(2), "b": params(2, seed=4)},
                    [2, 6, 3, 4], 18),
    "GroupNorm21": (h.make_node("GroupNormalization", ["x", "s", "b"], ["y"],
                                num_groups=3),
                    {"s": params(6), "b": params(6, seed=4)},
                    [2, 6, 3, 4], 21),
}


@pytest.mark.parametrize("name", sorted(NORMS))
def test_normalization_float_matches_onnxruntime(name, tmp_path):
    node, inits, shape, opset = NORMS[name]
    path = tmp_path / "m.onnx"
    onnx.save(norm_model(node, inits, shape, opset), path)
    # An offset mean: the variance is of x - mean, not of x.
    x = (np.random.default_rng(5).standard_normal(shape) * 2 + 3).astype(
        np.float32)
    refs = ort_run(path, {"x": x})
    out = tessera_run(path, {"x": x}, tmp_path, "float")
    for name_out, ref in zip(node.output, refs):
        assert_float_agrees(np.load(out / f"{name_out}.npy"), ref)
