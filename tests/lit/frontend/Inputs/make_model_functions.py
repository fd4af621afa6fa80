"""Tiny ONNX models for the elementwise-function and normalization lit tests
(elementwise-functions.test, normalization.test).

usage: make_model_functions.py CASE OUT.onnx
           writes the model and OUT.onnx.npz, its seeded inputs
       make_model_functions.py --compare MODEL.onnx INPUTS.npz IMPORTED.mlir
           runs IMPORTED.mlir with tessera-run (the float reference executor)
           and compares every output with onnxruntime on the same inputs:
           cosine >= 0.99999 and max|diff| <= 1e-4 * max|ref| (the bar of
           tests/e2e/test_patterned.py). Prints one line per output,
           "tessera-run NAME: ... OK|MISMATCH"; exit 1 on mismatch.
"""
import inspect
import os
import sys

import numpy as np
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model import conv, model, rand  # noqa: E402
from ort_vs_tessera_run import free_inputs, main, run_both  # noqa: E402

POSITIVE = set()  # cases whose inputs are in [0.25, 4)


def node(op, ins, out, name, **attrs):
    outs = out if isinstance(out, list) else [out]
    return h.make_node(op, ins, outs, name=name, **attrs)


# --- Elementwise functions --------------------------------------------------

def unary():
    """Every unary function on one [2,3,4] input."""
    ops = [("Neg", {}), ("Abs", {}), ("Erf", {}), ("Elu", {"alpha": 0.5}),
           ("Selu", {}), ("Celu", {"alpha": 2.0}), ("Softplus", {}),
           ("Softsign", {}), ("Mish", {}), ("Gelu", {}),
           ("Gelu", {"approximate": "tanh"})]
    nodes = [node(op, ["x"], f"y{i}", f"{op.lower()}{i}", **a)
             for i, (op, a) in enumerate(ops)]
    return model(nodes, [("x", [2, 3, 4])], [f"y{i}" for i in range(len(ops))],
                 opset=20)


def positive():
    """Sqrt and Reciprocal, and Pow by 0.5, -0.5, 1.5 (positive base)."""
    POSITIVE.add("positive")
    inits = [(n, np.array(v, np.float32))
             for n, v in (("half", 0.5), ("mhalf", -0.5), ("p15", 1.5))]
    nodes = [node("Sqrt", ["x"], "s", "sqrt0"),
             node("Reciprocal", ["x"], "r", "recip0"),
             node("Pow", ["x", "half"], "ph", "pow_half"),
             node("Pow", ["x", "mhalf"], "pmh", "pow_mhalf"),
             node("Pow", ["x", "p15"], "p15o", "pow_15")]
    return model(nodes, [("x", [2, 3, 4])], ["s", "r", "ph", "pmh", "p15o"],
                 inits, opset=17)


def pow_int():
    """Pow by integer constants on a signed base: 3 (float), -2 (float
    [1,1,1] broadcast scalar), 5 (int64), 1, and a non-splat exponent."""
    inits = [("three", np.array(3, np.float32)),
             ("m2", np.full([1, 1, 1], -2, np.float32)),
             ("five", np.array(5, np.int64)),
             ("one", np.array(1, np.float32)),
             ("vec", np.array([2, 3, 2, 3], np.float32))]
    nodes = [node("Pow", ["x", "three"], "c", "pow3"),
             node("Pow", ["x", "m2"], "m", "powm2"),
             node("Pow", ["x", "five"], "f", "pow5"),
             node("Pow", ["x", "one"], "o", "pow1"),
             node("Pow", ["x", "vec"], "v", "powvec")]
    return model(nodes, [("x", [2, 3, 4])], ["c", "m", "f", "o", "v"], inits,
                 opset=17)


def nhwc():
    """Conv -> Mish and Conv -> Elu keep the NHWC layout."""
    nodes = [conv("c0", "x", "W", None, "c"),
             node("Mish", ["c"], "m", "mish0"),
             node("Elu", ["c"], "e", "elu0")]
    return model(nodes, [("x", [1, 2, 5, 5])], ["m", "e"],
                 [("W", rand(3, 2, 1, 1))], opset=18)


def gelu_bad():
    return model([node("Gelu", ["x"], "y", "g0", approximate="erf")],
                 [("x", [2, 3])], ["y"], opset=20)


def gelu_opset17():
    return model([node("Gelu", ["x"], "y", "g0")], [("x", [2, 3])], ["y"],
                 opset=17)


def neg_int():
    g = h.make_graph([node("Neg", ["x"], "y", "neg0")], "g",
                     [h.make_tensor_value_info("x", T.INT32, [2, 3])],
                     [h.make_tensor_value_info("y", T.INT32, None)])
    return h.make_model(g, opset_imports=[h.make_opsetid("", 17)])


def celu_zero():
    return model([node("Celu", ["x"], "y", "c0", alpha=0.0)],
                 [("x", [2, 3])], ["y"], opset=17)


# --- Normalization ----------------------------------------------------------

def layernorm():
    """LayerNormalization over the last axis (scale, B), over axes 1.. of a
    4-D tensor (scale only, with the Mean and InvStdDev outputs)."""
    nodes = [node("LayerNormalization", ["x", "s", "b"], "y", "ln0"),
             node("LayerNormalization", ["z", "s3"], ["y2", "mean", "inv"],
                  "ln1", axis=1, epsilon=1e-3)]
    return model(nodes, [("x", [2, 3, 8]), ("z", [1, 3, 4, 5])],
                 ["y", "y2", "mean", "inv"],
                 [("s", rand(8)), ("b", rand(8)), ("s3", rand(3, 4, 5))],
                 opset=17)


def layernorm_nhwc():
    """LayerNormalization (axis -1, W) of a Conv output: NHWC axis 2."""
    nodes = [conv("c0", "x", "W", None, "c"),
             node("LayerNormalization", ["c", "s", "b"], "y", "ln0")]
    return model(nodes, [("x", [1, 2, 4, 5])], ["y"],
                 [("W", rand(3, 2, 1, 1)), ("s", rand(5)), ("b", rand(5))],
                 opset=17)


def instnorm():
    """InstanceNormalization of a 3-D input and of a Conv output (NHWC)."""
    nodes = [node("InstanceNormalization", ["x", "s", "b"], "y", "in0"),
             conv("c0", "z", "W", None, "c"),
             node("InstanceNormalization", ["c", "s4", "b4"], "y2", "in1",
                  epsilon=1e-3)]
    return model(nodes, [("x", [2, 3, 7]), ("z", [1, 2, 3, 5])], ["y", "y2"],
                 [("s", rand(3)), ("b", rand(3)), ("W", rand(4, 2, 1, 1)),
                  ("s4", rand(4)), ("b4", rand(4))], opset=17)


def groupnorm21():
    """GroupNormalization-21 (per-channel scale): 6 channels in 3 groups, on
    a plain input and on a Conv output (NHWC)."""
    nodes = [node("GroupNormalization", ["x", "s", "b"], "y", "gn0",
                  num_groups=3),
             conv("c0", "z", "W", None, "c"),
             node("GroupNormalization", ["c", "s", "b"], "y2", "gn1",
                  num_groups=2, epsilon=1e-3)]
    return model(nodes, [("x", [2, 6, 2, 3]), ("z", [1, 2, 3, 4])],
                 ["y", "y2"], [("s", rand(6)), ("b", rand(6)),
                               ("W", rand(6, 2, 1, 1))], opset=21)


def groupnorm18():
    """GroupNormalization-18 (per-group scale and bias), 3-D input."""
    nodes = [node("GroupNormalization", ["x", "s", "b"], "y", "gn0",
                  num_groups=2)]
    return model(nodes, [("x", [2, 4, 5])], ["y"],
                 [("s", rand(2)), ("b", rand(2))], opset=18)


def groupnorm_bad_groups():
    nodes = [node("GroupNormalization", ["x", "s", "b"], "y", "gn0",
                  num_groups=4)]
    return model(nodes, [("x", [1, 6, 2, 2])], ["y"],
                 [("s", rand(6)), ("b", rand(6))], opset=21)


def groupnorm_bad_scale():
    nodes = [node("GroupNormalization", ["x", "s", "b"], "y", "gn0",
                  num_groups=3)]
    return model(nodes, [("x", [1, 6, 2, 2])], ["y"],
                 [("s", rand(3)), ("b", rand(3))], opset=21)


def layernorm_opset16():
    return model([node("LayerNormalization", ["x", "s"], "y", "ln0")],
                 [("x", [2, 3])], ["y"], [("s", rand(3))], opset=16)


# --- Driver ---------------------------------------------------------------

CASES = {k: v for k, v in list(globals().items())
         if inspect.isfunction(v) and v.__module__ == __name__
         and k not in ("node", "make_inputs", "compare", "main")}


def make_inputs(m, case):
    """Seeded inputs: uniform [-3, 3) (both branches of the piecewise
    functions, tails of Gelu/Softplus), [0.25, 4) for POSITIVE cases; the
    normalization cases get an offset so the mean is not ~0."""
    CASES[case]()  # registers POSITIVE membership
    rng = np.random.default_rng(1)
    out = {}
    for vi, shape in free_inputs(m):
        if case in POSITIVE:
            out[vi.name] = rng.uniform(0.25, 4, shape).astype(np.float32)
        else:
            out[vi.name] = (rng.uniform(-3, 3, shape) +
                            (1.5 if "norm" in case else 0)).astype(np.float32)
    return out


def compare(model_path, inputs_path, mlir_path):
    ok = True
    for name, ref, got in run_both(model_path, inputs_path, mlir_path):
        if got.shape != ref.shape:
            print(f"tessera-run {name}: shape {got.shape} != {ref.shape} "
                  "MISMATCH")
            ok = False
            continue
        a, b = got.astype(np.float64).ravel(), ref.astype(np.float64).ravel()
        cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
        diff = float(np.max(np.abs(a - b)))
        bound = 1e-4 * float(np.max(np.abs(b)))
        good = cos >= 0.99999 and diff <= bound
        ok &= good
        print(f"tessera-run {name}: shape {'x'.join(map(str, ref.shape))} "
              f"cosine={cos:.8f} max_abs_diff={diff:.3g} bound={bound:.3g} "
              f"{'OK' if good else 'MISMATCH'}")
    return ok


if __name__ == "__main__":
    main("make_model_functions.py", CASES, make_inputs, compare)
