"""Tiny ONNX models for the arithmetic, activation, Softmax, reduction and
MatMul lit tests, and their numeric check with tessera-run.

usage: make_model_opsa.py CASE OUT.onnx
           writes the model and OUT.onnx.npz, its seeded inputs (uniform
           [-1, 1) unless the case asks for another range, e.g. a positive
           base for Pow)
       make_model_opsa.py --compare MODEL.onnx INPUTS.npz IMPORTED.mlir
                          [--rtol R] [--atol A]
           runs IMPORTED.mlir (tessera-import's output for MODEL.onnx) with
           tessera-run, the float reference executor, and compares every
           output with onnxruntime on the same inputs:
           |got - ref| <= atol + rtol * |ref| elementwise. Prints one line
           per output, "tessera-run NAME: ... OK|MISMATCH"; exit 1 on
           mismatch.

Shared helpers (model, conv, rand) come from make_model.py.
"""
import inspect
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model import conv, model, rand  # noqa: E402
from ort_vs_tessera_run import free_inputs, main, run_both  # noqa: E402

RANGES = {}  # case -> {input: (lo, hi)}


def ranges(**r):
    def deco(fn):
        RANGES[fn.__name__] = r
        return fn
    return deco


def const(name, value):
    """A Constant node holding `value` (numpy array)."""
    return h.make_node("Constant", [], [name], name=name,
                       value=nh.from_array(np.asarray(value), name))


def node(op, ins, outs, name, **attrs):
    return h.make_node(op, ins, outs if isinstance(outs, list) else [outs],
                       name=name, **attrs)


# --- Binary arithmetic ----------------------------------------------------

def binary_bcast():
    # [2,3,4] op [3,1] -> [2,3,4]: z gets a leading 1 and broadcasts.
    return model([node("Add", ["x", "z"], "add", "add0"),
                  node("Sub", ["z", "x"], "sub", "sub0"),
                  node("Mul", ["x", "z"], "mul", "mul0")],
                 [("x", [2, 3, 4]), ("z", [3, 1])], ["add", "sub", "mul"],
                 opset=11)


@ranges(y=(0.25, 2.0))
def div_bcast():
    # Non-constant divisor: tosa.reciprocal + tosa.mul; [2,1,4] / [3,1].
    return model([node("Div", ["x", "y"], "q", "div0")],
                 [("x", [2, 1, 4]), ("y", [3, 1])], ["q"], opset=14)


def div_const():
    # Constant divisor [2, 4, 0.5] per channel of an NHWC conv output:
    # multiplied by [0.5, 0.25, 2] laid out as [1,1,1,3], no reciprocal op.
    d = np.array([2, 4, 0.5], np.float32).reshape(3, 1, 1)
    return model([conv("conv0", "x", "W", None, "c"),
                  node("Div", ["c", "d"], "q", "div0")],
                 [("x", [1, 2, 3, 3])], ["q"],
                 [("W", rand(3, 2, 1, 1)), ("d", d)], opset=13)


def binary_nhwc():
    # Every operand of a 4-D result with an NHWC operand goes NHWC: a
    # [3,1,1] constant, a scalar Constant, a rank-3 graph input.
    return model([conv("conv0", "x", "W", None, "c"),
                  const("two", np.array(2.0, np.float32)),
                  node("Mul", ["c", "k"], "m", "mul0"),
                  node("Sub", ["two", "m"], "s", "sub0"),
                  node("Div", ["s", "z"], "y", "div0")],
                 [("x", [1, 2, 3, 4]), ("z", [3, 1, 4])], ["y"],
                 [("W", rand(3, 2, 1, 1)),
                  ("k", np.array([1, 2, 3], np.float32).reshape(3, 1, 1))],
                 opset=17)


def pow_square():
    # Pow(x, 2) on a 5-D tensor (YOLOv5's box decode): x * x, no tosa.pow.
    return model([const("e", np.array(2.0, np.float32)),
                  node("Pow", ["x", "e"], "y", "pow0")],
                 [("x", [1, 3, 2, 2, 2])], ["y"], opset=17)


@ranges(x=(0.5, 2.0))
def pow_general():
    # Positive base (TOSA leaves pow undefined for x < 0); the exponent
    # broadcasts: [2,3] ** [3] and [2,3] ** 0.5.
    return model([node("Pow", ["x", "p"], "y", "pow0"),
                  const("half", np.array(0.5, np.float32)),
                  node("Pow", ["x", "half"], "r", "pow1")],
                 [("x", [2, 3]), ("p", [3])], ["y", "r"], opset=15)


def silu_nhwc():
    # YOLOv5's Conv -> Sigmoid -> Mul (SiLU) stays NHWC end to end.
    return model([conv("conv0", "x", "W", "B", "c", pads=[1, 1, 1, 1]),
                  node("Sigmoid", ["c"], "s", "sig0"),
                  node("Mul", ["c", "s"], "y", "mul0")],
                 [("x", [1, 3, 5, 5])], ["y"],
                 [("W", rand(4, 3, 3, 3)), ("B", rand(4))], opset=17)


def int_fold():
    # Shape arithmetic on integer constants is folded at import: the Reshape
    # target is ([2, 2] * [3, 2] + [0]) / [1, 1] = [6, 4], a host constant.
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    return model([const("a", i64(2, 2)), const("b", i64(3, 2)),
                  node("Mul", ["a", "b"], "ab", "mul0"),      # [6, 4]
                  const("c", i64(0)), node("Add", ["ab", "c"], "abc", "add0"),
                  const("d", i64(1, 1)),
                  node("Div", ["abc", "d"], "shape", "div0"),  # [6, 4]
                  node("Reshape", ["x", "shape"], "y", "rs0")],
                 [("x", [2, 3, 4])], ["y"], opset=13)


def binary_bad_bcast():
    return model([node("Mul", ["x", "z"], "y", "mul0")],
                 [("x", [2, 3]), ("z", [4])], ["y"], opset=13)


# --- Activations ----------------------------------------------------------

def unary():
    return model([node("Sigmoid", ["x"], "s", "sig0"),
                  node("Tanh", ["x"], "t", "tanh0"),
                  node("Exp", ["x"], "e", "exp0")],
                 [("x", [2, 3, 4])], ["s", "t", "e"], opset=13)


def leaky():
    # alpha 0.1 -> maximum(x, 0.1x); 2.5 -> minimum(x, 2.5x); -0.5 ->
    # maximum(x, -0.5x); default alpha 0.01.
    return model([node("LeakyRelu", ["x"], "a", "lr0", alpha=0.1),
                  node("LeakyRelu", ["x"], "b", "lr1", alpha=2.5),
                  node("LeakyRelu", ["x"], "c", "lr2", alpha=-0.5),
                  node("LeakyRelu", ["x"], "d", "lr3")],
                 [("x", [2, 5])], ["a", "b", "c", "d"], opset=16)


def prelu_channel():
    # Per-channel slope [C,1,1] against an NHWC conv output: [1,1,1,C].
    s = np.array([0.1, 0.2, 0.3], np.float32).reshape(3, 1, 1)
    return model([conv("conv0", "x", "W", None, "c"),
                  node("PRelu", ["c", "slope"], "y", "prelu0")],
                 [("x", [1, 2, 3, 3])], ["y"],
                 [("W", rand(3, 2, 1, 1)), ("slope", s)], opset=16)


def prelu_general():
    # A slope input (unknown sign) and a mixed constant slope: the general
    # maximum(x,0) + slope*minimum(x,0).
    return model([node("PRelu", ["x", "s"], "a", "prelu0"),
                  node("PRelu", ["x", "k"], "b", "prelu1")],
                 [("x", [2, 3, 4]), ("s", [4])], ["a", "b"],
                 [("k", np.array([-0.5, 2.0, 0.25], np.float32)
                   .reshape(3, 1))], opset=11)


@ranges(x=(-5.0, 5.0))
def hard():
    # HardSwish exists from opset 14.
    return model([node("HardSigmoid", ["x"], "a", "hs0", alpha=0.3, beta=0.4),
                  node("HardSigmoid", ["x"], "b", "hs1"),
                  node("HardSwish", ["x"], "c", "hsw0")],
                 [("x", [3, 8])], ["a", "b", "c"], opset=14)


@ranges(x=(-20.0, 20.0))
def softmax13():
    # Opset 13: along `axis`, default -1.
    return model([node("Softmax", ["x"], "a", "sm0", axis=1),
                  node("Softmax", ["x"], "b", "sm1")],
                 [("x", [2, 3, 4])], ["a", "b"], opset=13)


@ranges(x=(-20.0, 20.0))
def softmax11():
    # Opset 11: flatten to 2-D at `axis` (default 1): [2, 12] rows; axis -1
    # is the last axis itself.
    return model([node("Softmax", ["x"], "a", "sm0"),
                  node("Softmax", ["x"], "b", "sm1", axis=-1),
                  node("Softmax", ["x"], "c", "sm2", axis=0)],
                 [("x", [2, 3, 4])], ["a", "b", "c"], opset=11)


@ranges(x=(-20.0, 20.0))
def logsoftmax():
    # LogSoftmax: opset 13 along axis 1 and the default -1; opset 11 would
    # flatten like Softmax-11 (same importer), checked in logsoftmax11.
    return model([node("LogSoftmax", ["x"], "a", "ls0", axis=1),
                  node("LogSoftmax", ["x"], "b", "ls1")],
                 [("x", [2, 3, 4])], ["a", "b"], opset=13)


@ranges(x=(-20.0, 20.0))
def logsoftmax11():
    return model([node("LogSoftmax", ["x"], "a", "ls0")],
                 [("x", [2, 3, 4])], ["a"], opset=11)


def reduce_sum():
    # ReduceSum: axes as input from opset 13 (the other reductions: 18),
    # attribute before.
    return model([node("ReduceSum", ["x", "ax"], "a", "rs0", keepdims=0),
                  node("ReduceSum", ["x"], "b", "rs1")],
                 [("x", [2, 3, 4])], ["a", "b"],
                 [("ax", np.array([0, -1], np.int64))], opset=13)


def reduce_sum11():
    return model([node("ReduceSum", ["x"], "a", "rs0", axes=[1])],
                 [("x", [2, 3, 4])], ["a"], opset=11)


def softmax_nhwc():
    # Over channels of an NHWC conv output: reduce along NHWC axis 3.
    return model([conv("conv0", "x", "W", None, "c"),
                  node("Softmax", ["c"], "y", "sm0", axis=1)],
                 [("x", [1, 2, 3, 3])], ["y"], [("W", rand(4, 2, 1, 1))],
                 opset=21)


def softmax_bad_axis():
    return model([node("Softmax", ["x"], "y", "sm0", axis=3)],
                 [("x", [2, 3, 4])], ["y"], opset=13)


def leaky_bad_attr():
    return model([node("LeakyRelu", ["x"], "y", "lr0", alpha=2)],
                 [("x", [2, 3])], ["y"], opset=16)


def prelu_bad_slope():
    # Slope [2,3,4] cannot broadcast to x [3,4] unidirectionally.
    return model([node("PRelu", ["x", "s"], "y", "prelu0")],
                 [("x", [3, 4]), ("s", [2, 3, 4])], ["y"], opset=16)


# --- Reductions -----------------------------------------------------------

def reduce_nhwc():
    # ReduceMean over H, W of an NHWC conv output (axes attribute, opset 13):
    # keepdims=1 stays NHWC; keepdims=0 gives [N,C] with a reshape only.
    return model([conv("conv0", "x", "W", None, "c"),
                  node("ReduceMean", ["c"], "k", "rm0", axes=[2, 3]),
                  node("ReduceMean", ["c"], "f", "rm1", axes=[-1, -2],
                       keepdims=0),
                  node("ReduceMax", ["c"], "m", "rx0", axes=[1], keepdims=0)],
                 [("x", [1, 2, 3, 4])], ["k", "f", "m"],
                 [("W", rand(3, 2, 1, 1))], opset=13)


def reduce18():
    # Opset 18: axes as input; none -> all axes (or identity with
    # noop_with_empty_axes).
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    return model([node("ReduceMax", ["x", "ax"], "a", "rx0", keepdims=0),
                  node("ReduceMean", ["x", "ax"], "b", "rm0"),
                  node("ReduceMean", ["x"], "c", "rm1", keepdims=0),
                  node("ReduceMax", ["x"], "d", "rx1",
                       noop_with_empty_axes=1),
                  node("Relu", ["d"], "e", "relu0")],
                 [("x", [2, 3, 4])], ["a", "b", "c", "e"],
                 [("ax", i64(0, -1))], opset=18)


def reduce_axes_attr18():
    return model([node("ReduceMean", ["x"], "y", "rm0", axes=[1])],
                 [("x", [2, 3])], ["y"], opset=18)


def reduce_axes_nonconst():
    # A graph input as axes. (ONNX wants int64, but int64 graph inputs are
    # rejected before any node is imported; int32 reaches the node.)
    graph = h.make_graph(
        [node("ReduceMax", ["x", "ax"], "y", "rx0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2, 3]),
         h.make_tensor_value_info("ax", T.INT32, [1])],
        [h.make_tensor_value_info("y", T.FLOAT, None)])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 18)])


def reduce_axes_input13():
    return model([node("ReduceMean", ["x", "ax"], "y", "rm0")],
                 [("x", [2, 3])], ["y"], [("ax", np.array([1], np.int64))],
                 opset=13)


def reduce_bad_axis():
    return model([node("ReduceMax", ["x"], "y", "rx0", axes=[2])],
                 [("x", [2, 3])], ["y"], opset=12)


# --- MatMul ---------------------------------------------------------------

def matmul_2d():
    # Constant B [4,5]: one tosa.matmul [1,3,4] x [1,4,5].
    return model([node("MatMul", ["x", "B"], "y", "mm0")],
                 [("x", [3, 4])], ["y"], [("B", rand(4, 5))], opset=13)


def matmul_batch_fold():
    # A [2,3,4] x B [4,5]: the batch folds into rows, [1,6,4] x [1,4,5].
    return model([node("MatMul", ["x", "B"], "y", "mm0")],
                 [("x", [2, 3, 4])], ["y"], [("B", rand(4, 5))], opset=13)


def matmul_bcast():
    # A [2,1,3,4] x B [1,5,4,6]: both tiled to batch [2,5] -> [10,...].
    return model([node("MatMul", ["x", "z"], "y", "mm0")],
                 [("x", [2, 1, 3, 4]), ("z", [1, 5, 4, 6])], ["y"], opset=17)


def matmul_1d():
    # 1-D A [4] x [2,4,5] -> [2,5]; [2,3,4] x 1-D B [4] -> [2,3];
    # [4] x [4] -> scalar.
    return model([node("MatMul", ["v", "z"], "a", "mm0"),
                  node("MatMul", ["x", "v"], "b", "mm1"),
                  node("MatMul", ["v", "v"], "c", "mm2")],
                 [("v", [4]), ("z", [2, 4, 5]), ("x", [2, 3, 4])],
                 ["a", "b", "c"], opset=21)


def matmul_nhwc():
    # An NHWC conv output as A: back to ONNX order first.
    return model([conv("conv0", "x", "W", None, "c"),
                  node("MatMul", ["c", "B"], "y", "mm0")],
                 [("x", [1, 2, 3, 4])], ["y"],
                 [("W", rand(3, 2, 1, 1)), ("B", rand(4, 2))], opset=13)


def matmul_bad_k():
    return model([node("MatMul", ["x", "B"], "y", "mm0")],
                 [("x", [3, 4])], ["y"], [("B", rand(5, 2))], opset=13)


def matmul_bad_batch():
    return model([node("MatMul", ["x", "z"], "y", "mm0")],
                 [("x", [2, 3, 4]), ("z", [3, 4, 5])], ["y"], opset=13)


# --- Driver ---------------------------------------------------------------

CASES = {k: v for k, v in list(globals().items())
         if inspect.isfunction(v) and v.__module__ == __name__
         and k not in ("ranges", "const", "node", "make_inputs", "compare",
                       "main")}


def make_inputs(m, case):
    """Seeded inputs for every graph input that is not an initializer."""
    rng = np.random.default_rng(1)
    out = {}
    for vi, shape in free_inputs(m):
        lo, hi = RANGES.get(case, {}).get(vi.name, (-1.0, 1.0))
        if vi.type.tensor_type.elem_type == T.INT64:
            out[vi.name] = np.zeros(shape, np.int64)
        else:
            out[vi.name] = rng.uniform(lo, hi, shape).astype(np.float32)
    return out


def compare(model_path, inputs_path, mlir_path, rtol, atol):
    ok = True
    for name, ref, got in run_both(model_path, inputs_path, mlir_path):
        if got.shape != ref.shape:
            print(f"tessera-run {name}: shape {got.shape} != {ref.shape} "
                  "MISMATCH")
            ok = False
            continue
        err = np.abs(got.astype(np.float64) - ref)
        rel = float(np.max(err / np.maximum(np.abs(ref), 1e-30))) \
            if ref.size else 0.0
        good = bool(np.all(err <= atol + rtol * np.abs(ref)))
        ok &= good
        print(f"tessera-run {name}: shape "
              f"{'x'.join(map(str, ref.shape)) or 'scalar'} "
              f"max_abs_err={float(err.max()) if ref.size else 0:.3g} "
              f"max_rel_err={rel:.3g} {'OK' if good else 'MISMATCH'}")
    return ok


if __name__ == "__main__":
    main("make_model_opsa.py", CASES, make_inputs, compare,
         {"rtol": 1e-5, "atol": 1e-6})
