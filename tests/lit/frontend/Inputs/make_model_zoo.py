"""Models of what model zoos contain: opset 7-10 graphs (upgraded by ONNX's
version converter), Dropout with an unused mask, LRN, variadic Sum/Mean,
MaxPool dilations, 1-D Conv/ConvTranspose/pools/BatchNormalization.

usage: make_model_zoo.py CASE OUT.onnx          (writes OUT.onnx.npz inputs)
       make_model_zoo.py --compare MODEL INPUTS MLIR
           runs MODEL in onnxruntime and MLIR (or the .onnx itself) in
           tessera-run; per output: cosine >= 0.99999 and
           max|diff| <= 1e-4 * max|ref| (the float executor's bar).

tests/python/test_import_zoo.py imports CASES and numeric() from here.
"""
import os
import sys

import numpy as np
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ort_vs_tessera_run import free_inputs, main, run_both  # noqa: E402

RNG = np.random.default_rng(0)


def rand(*shape, lo=-1.0, hi=1.0):
    return RNG.uniform(lo, hi, shape).astype(np.float32)


def model(nodes, inputs, outputs, inits=(), opset=17, ir=None,
          inits_as_inputs=False):
    init_protos = [nh.from_array(a, n) for n, a in inits]
    ins = [h.make_tensor_value_info(n, T.FLOAT, s) for n, s in inputs]
    if inits_as_inputs:  # the IR < 4 rule
        ins += [h.make_tensor_value_info(n, T.FLOAT, a.shape)
                for n, a in inits]
    graph = h.make_graph(
        nodes, "g", ins,
        [h.make_tensor_value_info(n, T.FLOAT, None) for n in outputs],
        init_protos)
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    # onnxruntime 1.x accepts IR >= 3; keep an IR version that matches the
    # opset's era unless told otherwise.
    m.ir_version = ir if ir is not None else min(m.ir_version, 8)
    return m


# --- Opsets 7-10 ----------------------------------------------------------
# Conv -> BatchNormalization -> Relu -> (Upsample at 9) -> MaxPool ->
# (Dropout) -> Flatten -> Gemm, written with each opset's own operator
# versions (BatchNormalization-7 has 'spatial', Upsample-9 takes scales as
# input, MaxPool-10 has ceil_mode, Dropout-7..10 has 'ratio' only).

def old_cnn(opset, ir=None, inits_as_inputs=False):
    c = 4
    inits = [("w", rand(c, 3, 3, 3)), ("b", rand(c)),
             ("g", rand(c, lo=0.5, hi=1.5)), ("beta", rand(c)),
             ("mean", rand(c)), ("var", rand(c, lo=0.5, hi=1.5)),
             ("fw", rand(5, c * 4 * 4)), ("fb", rand(5))]
    nodes = [h.make_node("Conv", ["x", "w", "b"], ["c"], name="conv0",
                         pads=[1, 1, 1, 1]),
             h.make_node("BatchNormalization", ["c", "g", "beta", "mean",
                                                "var"], ["bn"], name="bn0",
                         epsilon=1e-3),
             h.make_node("Relu", ["bn"], ["r"], name="relu0")]
    src = "r"
    if opset == 9:
        inits.append(("sc", np.array([1, 1, 2, 2], np.float32)))
        nodes.append(h.make_node("Upsample", ["r", "sc"], ["u"], name="up0",
                                 mode="nearest"))
        nodes.append(h.make_node("MaxPool", ["u"], ["p"], name="pool0",
                                 kernel_shape=[4, 4], strides=[4, 4]))
    elif opset == 10:
        nodes.append(h.make_node("MaxPool", [src], ["p"], name="pool0",
                                 kernel_shape=[3, 3], strides=[2, 2],
                                 ceil_mode=1))
    else:
        nodes.append(h.make_node("MaxPool", [src], ["p"], name="pool0",
                                 kernel_shape=[2, 2], strides=[2, 2]))
    if opset != 9:
        nodes.append(h.make_node("Dropout", ["p"], ["pd"], name="drop0",
                                 ratio=0.25))
        nodes.append(h.make_node("Flatten", ["pd"], ["f"], name="flat0"))
    else:
        nodes.append(h.make_node("Flatten", ["p"], ["f"], name="flat0"))
    nodes.append(h.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc0",
                             transB=1))
    return model(nodes, [("x", [1, 3, 8, 8])], ["y"], inits, opset=opset,
                 ir=ir, inits_as_inputs=inits_as_inputs)


def opset7():
    # IR 3, initializers listed as graph inputs, as exporters of the time did.
    return old_cnn(7, ir=3, inits_as_inputs=True)


def opset8():
    return old_cnn(8, ir=3)  # IR 3 without the inputs: raised to 4 first


def opset9():
    return old_cnn(9, ir=4)


def opset10():
    return old_cnn(10, ir=5)


def opset6():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu0")],
                 [("x", [1, 4])], ["y"], opset=6, ir=3)


def bn_spatial0():
    # BatchNormalization-7 with spatial = 0: the converter refuses it.
    inits = [(n, np.ones(2, np.float32)) for n in ("s", "b", "m", "v")]
    return model([h.make_node("BatchNormalization", ["x", "s", "b", "m", "v"],
                              ["y"], name="bn0", spatial=0)],
                 [("x", [1, 2, 2, 2])], ["y"], inits, opset=7, ir=4)


# --- Dropout mask -----------------------------------------------------------

def dropout_mask():
    # Dropout-13 and Dropout-12 style nodes declaring the mask output; nothing
    # reads it.
    return model([h.make_node("Dropout", ["x"], ["d", "mask"], name="drop0"),
                  h.make_node("Relu", ["d"], ["y"], name="relu0")],
                 [("x", [2, 3])], ["y"], opset=13)


def dropout_mask_used():
    return model([h.make_node("Dropout", ["x"], ["y", "mask"], name="drop0"),
                  h.make_node("Cast", ["mask"], ["mf"], name="cast0",
                              to=T.FLOAT),
                  h.make_node("Add", ["y", "mf"], ["z"], name="add0")],
                 [("x", [2, 3])], ["z"], opset=13)


# --- LRN ----------------------------------------------------------------------

def lrn():
    # size 3 (window c-1..c+1) with a non-default bias and size 5 with
    # AlexNet's alpha/beta on 6 channels (onnxruntime accepts odd sizes only).
    return model([h.make_node("LRN", ["x"], ["y3"], name="lrn3", size=3,
                              alpha=1e-1, beta=0.75, bias=2.0),
                  h.make_node("LRN", ["x"], ["y5"], name="lrn5", size=5,
                              alpha=1e-4, beta=0.75)],
                 [("x", [1, 6, 3, 4])], ["y3", "y5"], opset=13)


def lrn_hand():
    # One pixel, 3 channels x = [1, 2, 3], size 3, alpha 3, beta 1, bias 1:
    # sq_sum = [1+4, 1+4+9, 4+9] = [5, 14, 13]; y = x / (1 + sq_sum)
    # = [1/6, 2/15, 3/14].
    return model([h.make_node("LRN", ["x"], ["y"], name="lrn0", size=3,
                              alpha=3.0, beta=1.0, bias=1.0)],
                 [("x", [1, 3, 1, 1])], ["y"], opset=13)


# --- Sum, Mean, Max, Min (variadic) -------------------------------------------

def variadic():
    w = rand(3, 2, 1, 1)
    return model([h.make_node("Sum", ["a", "b", "c"], ["s"], name="sum0"),
                  h.make_node("Mean", ["a", "b", "c"], ["m"], name="mean0"),
                  h.make_node("Sum", ["a"], ["s1"], name="sum1"),
                  h.make_node("Max", ["a", "b", "c"], ["mx"], name="max0"),
                  h.make_node("Min", ["c", "b"], ["mn"], name="min0"),
                  h.make_node("Conv", ["x", "w"], ["cv"], name="conv0"),
                  h.make_node("Mean", ["cv", "k", "cv"], ["mc"],
                              name="mean1")],
                 [("a", [2, 3, 4]), ("b", [3, 1]), ("c", [4]),
                  ("x", [1, 2, 2, 2])],
                 ["s", "m", "s1", "mx", "mn", "mc"],
                 [("w", w), ("k", np.array([0.25, -0.5, 1.0],
                                           np.float32).reshape(3, 1, 1))],
                 opset=13)


# --- MaxPool dilations --------------------------------------------------------

def maxpool_dilated():
    return model([h.make_node("MaxPool", ["x"], ["p1"], name="pool1",
                              kernel_shape=[3, 3], dilations=[2, 2],
                              pads=[2, 2, 2, 2]),
                  h.make_node("MaxPool", ["x"], ["p2"], name="pool2",
                              kernel_shape=[2, 3], dilations=[3, 2],
                              strides=[2, 3], pads=[1, 0, 0, 1],
                              ceil_mode=1)],
                 [("x", [1, 2, 9, 10])], ["p1", "p2"], opset=12)


# --- 1-D ops on NCW -----------------------------------------------------------

def conv1d():
    c = 4
    inits = [("w1", rand(6, c, 3)), ("b1", rand(6)),
             ("g", rand(6, lo=0.5, hi=1.5)), ("beta", rand(6)),
             ("mean", rand(6)), ("var", rand(6, lo=0.5, hi=1.5)),
             ("wd", rand(6, 1, 3)),
             ("wt", rand(6, 3, 4)), ("bt", rand(3))]
    nodes = [h.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1",
                         pads=[2, 1], strides=[2], dilations=[2]),
             h.make_node("BatchNormalization", ["c1", "g", "beta", "mean",
                                                "var"], ["bn"], name="bn1"),
             h.make_node("Relu", ["bn"], ["r"], name="relu1"),
             h.make_node("Conv", ["r", "wd"], ["dw"], name="dw1", group=6,
                         auto_pad="SAME_UPPER"),
             h.make_node("MaxPool", ["dw"], ["mp"], name="mp1",
                         kernel_shape=[3], strides=[2], pads=[1, 1]),
             h.make_node("AveragePool", ["mp"], ["ap"], name="ap1",
                         kernel_shape=[2], pads=[1, 0],
                         count_include_pad=1),
             h.make_node("ConvTranspose", ["ap", "wt", "bt"], ["y"],
                         name="ct1", strides=[2], pads=[1, 0],
                         output_padding=[1]),
             # BatchNormalization on a 3-D graph input: the rank-generic form.
             h.make_node("BatchNormalization", ["x2", "g", "beta", "mean",
                                                "var"], ["y2"], name="bn2")]
    return model(nodes, [("x", [2, c, 16]), ("x2", [1, 6, 5])], ["y", "y2"],
                 inits, opset=13)


# --- Equal / Greater / Less / Where / Expand / Tile on run-time tensors -----

def where_runtime():
    # x [2,3,4] and y [4] run-time; a [4] constant; a [4] bool constant.
    # w1 = Where(x > 0.25, x, 0): a run-time condition, a scalar constant.
    # w2 = Where(x == k, -1, x) with x's values replaced by k at two places.
    # w3 = Where(x < y, x, y) = Min(x, y) (broadcast [4]).
    # w4 = Where(bool constant [4], x, y).
    # w5 = Where(conv > 0, conv, 0.1·conv) on a 4-D (NHWC) conv output.
    # e, t: Expand [3,1] -> [2,3,4] and Tile [3,1] by [1,2] (run-time).
    k = np.array([0.5, -0.5, 0.25, 1.0], np.float32)
    nodes = [h.make_node("Greater", ["x", "q"], ["gt"], name="gt0"),
             h.make_node("Where", ["gt", "x", "zero"], ["w1"], name="w1"),
             h.make_node("Equal", ["x", "k"], ["eq"], name="eq0"),
             h.make_node("Where", ["eq", "m1", "x"], ["w2"], name="w2"),
             h.make_node("Less", ["x", "y"], ["lt"], name="lt0"),
             h.make_node("Where", ["lt", "x", "y"], ["w3"], name="w3"),
             h.make_node("Where", ["bc", "x", "y"], ["w4"], name="w4"),
             h.make_node("Conv", ["img", "w"], ["cv"], name="conv0"),
             h.make_node("Greater", ["cv", "zero"], ["pos"], name="gt1"),
             h.make_node("Mul", ["cv", "tenth"], ["cs"], name="mul0"),
             h.make_node("Where", ["pos", "cv", "cs"], ["w5"], name="w5"),
             h.make_node("Expand", ["v", "eshape"], ["e"], name="exp0"),
             h.make_node("Tile", ["v", "reps"], ["t"], name="tile0")]
    inits = [("q", np.array(0.25, np.float32)),
             ("zero", np.array(0.0, np.float32)),
             ("k", k), ("m1", np.array(-1.0, np.float32)),
             ("tenth", np.array(0.1, np.float32)),
             ("w", rand(3, 2, 1, 1))]
    graph = h.make_graph(
        nodes, "g",
        [h.make_tensor_value_info(n, T.FLOAT, sh) for n, sh in
         [("x", [2, 3, 4]), ("y", [4]), ("img", [1, 2, 3, 3]), ("v", [3, 1])]],
        [h.make_tensor_value_info(n, T.FLOAT, None)
         for n in ["w1", "w2", "w3", "w4", "w5", "e", "t"]],
        [nh.from_array(a, n) for n, a in inits] +
        [nh.from_array(np.array([True, False, False, True]), "bc"),
         nh.from_array(np.array([2, 3, 4], np.int64), "eshape"),
         nh.from_array(np.array([1, 2], np.int64), "reps")])
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def where_float_cond():
    # Not valid ONNX (onnxruntime refuses it): the importer says why.
    return model([h.make_node("Where", ["c", "x", "x"], ["y"], name="w0")],
                 [("c", [4]), ("x", [4])], ["y"], opset=13)


CASES = {name: fn for name, fn in list(globals().items())
         if callable(fn) and fn.__module__ == __name__ and
         name not in ("rand", "model", "old_cnn", "make_inputs", "numeric",
                      "compare")}

# Cases with a numeric comparison (the others are error cases).
NUMERIC = ["opset7", "opset8", "opset9", "opset10", "dropout_mask", "lrn",
           "lrn_hand", "variadic", "maxpool_dilated", "conv1d",
           "where_runtime"]


def make_inputs(m, case):
    rng = np.random.default_rng(1)
    out = {vi.name: rng.uniform(-1, 1, shape).astype(np.float32)
           for vi, shape in free_inputs(m)}
    if case == "lrn_hand":
        out["x"] = np.array([1, 2, 3], np.float32).reshape(1, 3, 1, 1)
    if case == "where_runtime":  # two elements equal to k (Equal is exact)
        out["x"][0, 0, 0] = 0.5
        out["x"][1, 2, 3] = 1.0
    return out


def numeric(ref, got):
    """(cosine, max|diff|, bound, ok) of one output against the oracle."""
    a = np.asarray(got, np.float64).ravel()
    b = np.asarray(ref, np.float64).ravel()
    cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    diff = float(np.max(np.abs(a - b)))
    bound = 1e-4 * float(np.max(np.abs(b)))
    return cos, diff, bound, cos >= 0.99999 and diff <= bound


def compare(model_path, inputs_path, mlir_path):
    ok = True
    for name, ref, got in run_both(model_path, inputs_path, mlir_path):
        if got.shape != ref.shape:
            print(f"tessera-run {name}: shape {got.shape} != {ref.shape} "
                  "MISMATCH")
            ok = False
            continue
        cos, diff, bound, good = numeric(ref, got)
        ok &= good
        print(f"tessera-run {name}: cosine {cos:.8f} max|diff| {diff:.3g} "
              f"(bound {bound:.3g}) {'OK' if good else 'MISMATCH'}")
    return ok


if __name__ == "__main__":
    main("make_model_zoo.py", CASES, make_inputs, compare)
