"""Writes one tiny ONNX model for the front-end lit tests.

usage: make_model.py CASE OUT.onnx

Each CASE is a function below that returns a ModelProto. Weights are small
and either hand-picked (so a test can check the re-laid-out values by hand)
or seeded random (for the numeric comparison with onnxruntime).
"""
import inspect
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.uniform(-1, 1, shape).astype(np.float32)


def model(nodes, inputs, outputs, inits=(), opset=17):
    graph = h.make_graph(
        nodes, "g",
        [h.make_tensor_value_info(n, T.FLOAT, s) for n, s in inputs],
        [h.make_tensor_value_info(n, T.FLOAT, None) for n in outputs],
        [nh.from_array(a, n) for n, a in inits])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])


def conv(name, x, w, b, y, **attrs):
    ins = [x, w] + ([b] if b else [])
    return h.make_node("Conv", ins, [y], name=name, **attrs)


# --- Conv -----------------------------------------------------------------

def conv_weights():
    # W[o, i, 0, w] = 4 o + 2 i + w: OIHW 2x2x1x2; OHWI is checked by hand.
    w = np.arange(8, dtype=np.float32).reshape(2, 2, 1, 2)
    return model([conv("conv0", "x", "W", "B", "y")], [("x", [1, 2, 3, 4])],
                 ["y"], [("W", w), ("B", np.array([0.5, -0.5], np.float32))])


def conv_pads():
    # pads = [top=1, left=2, bottom=0, right=3], stride 1: TOSA [1, 0, 2, 3].
    return model([conv("conv0", "x", "W", "B", "y", pads=[1, 2, 0, 3])],
                 [("x", [1, 3, 5, 5])], ["y"],
                 [("W", rand(4, 3, 3, 3)), ("B", rand(4))])


def conv_stride():
    # 8x8, k3, s2, p1: ONNX out 4; TOSA needs (8+1+1-3) % 2 == 0, so the
    # bottom/right pad drops to 0.
    return model([conv("conv0", "x", "W", None, "y", pads=[1, 1, 1, 1],
                       strides=[2, 2])],
                 [("x", [1, 3, 8, 8])], ["y"], [("W", rand(4, 3, 3, 3))])


def conv_crop():
    # 8x7, k3, s2, p0: rows 7 (and none of the columns) are never read; TOSA
    # needs an exact division, so the input is sliced to 7x7.
    return model([conv("conv0", "x", "W", None, "y", strides=[2, 2])],
                 [("x", [1, 2, 8, 7])], ["y"], [("W", rand(3, 2, 3, 3))])


def conv_same_upper():
    return model([conv("conv0", "x", "W", None, "y", auto_pad="SAME_UPPER",
                       kernel_shape=[4, 4])],
                 [("x", [1, 2, 6, 6])], ["y"], [("W", rand(3, 2, 4, 4))])


def conv_same_lower():
    return model([conv("conv0", "x", "W", None, "y", auto_pad="SAME_LOWER")],
                 [("x", [1, 2, 6, 6])], ["y"], [("W", rand(3, 2, 4, 4))])


def conv_valid():
    return model([conv("conv0", "x", "W", None, "y", auto_pad="VALID",
                       strides=[2, 2])],
                 [("x", [1, 2, 7, 7])], ["y"], [("W", rand(3, 2, 3, 3))])


def conv_dilation():
    return model([conv("conv0", "x", "W", None, "y", dilations=[2, 2],
                       pads=[2, 2, 2, 2])],
                 [("x", [1, 2, 7, 7])], ["y"], [("W", rand(3, 2, 3, 3))])


def conv_depthwise():
    # C = 2, multiplier 2, kernel 1x2, W[o, 0, 0, kw] = 2 o + kw.
    w = np.arange(8, dtype=np.float32).reshape(4, 1, 1, 2)
    return model([conv("dw0", "x", "W", "B", "y", group=2)],
                 [("x", [1, 2, 3, 3])], ["y"],
                 [("W", w), ("B", np.array([1, 2, 3, 4], np.float32))])


def conv_depthwise_mnet():
    return model([conv("dw0", "x", "W", "B", "y", group=8, pads=[1, 1, 1, 1],
                       strides=[2, 2])],
                 [("x", [1, 8, 9, 9])], ["y"],
                 [("W", rand(8, 1, 3, 3)), ("B", rand(8))])


def conv_grouped():
    return model([conv("gconv0", "x", "W", "B", "y", group=2,
                       pads=[1, 1, 1, 1])],
                 [("x", [1, 4, 5, 5])], ["y"],
                 [("W", rand(6, 2, 3, 3)), ("B", rand(6))])


def conv_bn():
    # s = gamma / sqrt(var + eps) = 3 / sqrt(3.99 + 0.01) = 1.5
    # W' = 2 * 1.5 = 3; b' = (1 - mean 1) * 1.5 + beta 0.5 = 0.5
    one = lambda v: np.array([v], np.float32)
    bn = h.make_node("BatchNormalization", ["c", "g", "be", "m", "v"], ["y"],
                     name="bn0", epsilon=0.01)
    return model([conv("conv0", "x", "W", "B", "c"), bn], [("x", [1, 1, 2, 2])],
                 ["y"], [("W", np.full((1, 1, 1, 1), 2, np.float32)),
                         ("B", one(1)), ("g", one(3)), ("be", one(0.5)),
                         ("m", one(1)), ("v", one(3.99))])


def conv_bn_random():
    c = 4
    bn = h.make_node("BatchNormalization", ["c", "g", "be", "m", "v"], ["y"],
                     name="bn0")
    return model([conv("conv0", "x", "W", "B", "c", pads=[1, 1, 1, 1]), bn],
                 [("x", [1, 3, 6, 6])], ["y"],
                 [("W", rand(c, 3, 3, 3)), ("B", rand(c)), ("g", rand(c)),
                  ("be", rand(c)), ("m", rand(c)),
                  ("v", RNG.uniform(0.5, 2, c).astype(np.float32))])


def bn_alone():
    c = 2
    bn = h.make_node("BatchNormalization", ["x", "g", "be", "m", "v"], ["y"],
                     name="bn0")
    return model([bn], [("x", [1, c, 2, 2])], ["y"],
                 [("g", rand(c)), ("be", rand(c)), ("m", rand(c)),
                  ("v", np.ones(c, np.float32))])


# --- Activations ----------------------------------------------------------

def relu():
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("Relu", ["c"], ["y"], name="relu0")],
                 [("x", [1, 2, 4, 4])], ["y"], [("W", rand(3, 2, 1, 1))])


def clip_relu6():
    # As PyTorch exports ReLU6: min/max from Constant nodes.
    lo = h.make_node("Constant", [], ["lo"], name="const_lo",
                     value=nh.from_array(np.array(0, np.float32)))
    hi = h.make_node("Constant", [], ["hi"], name="const_hi",
                     value=nh.from_array(np.array(6, np.float32)))
    return model([conv("conv0", "x", "W", None, "c"), lo, hi,
                  h.make_node("Clip", ["c", "lo", "hi"], ["y"], name="clip0")],
                 [("x", [1, 2, 4, 4])], ["y"],
                 [("W", (rand(3, 2, 1, 1) * 10).astype(np.float32))])


def clip_min_only():
    return model([h.make_node("Clip", ["x", "lo"], ["y"], name="clip0")],
                 [("x", [2, 3])], ["y"],
                 [("lo", np.array(-0.25, np.float32))])


def clip_nonconst():
    return model([h.make_node("Clip", ["x", "lo"], ["y"], name="clip0")],
                 [("x", [2, 3]), ("lo", [])], ["y"])


# --- Pools ----------------------------------------------------------------

def maxpool_ceil():
    # 6x6, k3, s2, ceil_mode: ONNX out 3 (floor would give 2); TOSA gets one
    # extra row/col of padding at the end.
    return model([h.make_node("MaxPool", ["x"], ["y"], name="pool0",
                              kernel_shape=[3, 3], strides=[2, 2],
                              ceil_mode=1)],
                 [("x", [1, 2, 6, 6])], ["y"])


def maxpool_ceil_dropped():
    # 5x5, k2, s2, pads 1, ceil_mode: onnxruntime drops the last window (it
    # would start in the end padding), so out is 3x3.
    return model([h.make_node("MaxPool", ["x"], ["y"], name="pool0",
                              kernel_shape=[2, 2], strides=[2, 2],
                              pads=[1, 1, 1, 1], ceil_mode=1)],
                 [("x", [1, 1, 5, 5])], ["y"])


def maxpool_pads():
    return model([h.make_node("MaxPool", ["x"], ["y"], name="pool0",
                              kernel_shape=[3, 3], strides=[1, 1],
                              pads=[1, 1, 1, 1])],
                 [("x", [1, 2, 5, 5])], ["y"])


def avgpool_dilated():
    # MaxPool dilations are supported (zoo-ops.test); AveragePool's are not.
    return model([h.make_node("AveragePool", ["x"], ["y"], name="pool0",
                              kernel_shape=[2, 2], dilations=[2, 2])],
                 [("x", [1, 1, 5, 5])], ["y"])


def avgpool():
    return model([h.make_node("AveragePool", ["x"], ["y"], name="pool0",
                              kernel_shape=[3, 3], strides=[2, 2],
                              pads=[1, 1, 1, 1])],
                 [("x", [1, 2, 7, 7])], ["y"])


def avgpool_include_pad():
    return model([h.make_node("AveragePool", ["x"], ["y"], name="pool0",
                              kernel_shape=[3, 3], strides=[2, 2],
                              pads=[1, 1, 1, 1], count_include_pad=1)],
                 [("x", [1, 2, 7, 7])], ["y"])


def global_avgpool():
    return model([h.make_node("GlobalAveragePool", ["x"], ["y"], name="gap0")],
                 [("x", [1, 3, 5, 4])], ["y"])


# --- Shape ops ------------------------------------------------------------

def concat():
    return model([conv("conv0", "x", "W0", None, "a"),
                  conv("conv1", "x", "W1", None, "b", pads=[1, 1, 1, 1]),
                  h.make_node("Concat", ["a", "b"], ["y"], name="cat0",
                              axis=1)],
                 [("x", [1, 2, 4, 4])], ["y"],
                 [("W0", rand(3, 2, 1, 1)), ("W1", rand(2, 2, 3, 3))])


def concat_plain():
    return model([h.make_node("Concat", ["x", "z"], ["y"], name="cat0",
                              axis=-1)],
                 [("x", [2, 3]), ("z", [2, 1])], ["y"])


def flatten_general():
    # Flatten of an NHWC conv output with H, W > 1: must go back to NCHW.
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("Flatten", ["c"], ["y"], name="flat0")],
                 [("x", [1, 2, 3, 4])], ["y"], [("W", rand(5, 2, 1, 1))])


def flatten_after_gap():
    # [N,1,1,C] NHWC has the NCHW element order already: a reshape suffices.
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("GlobalAveragePool", ["c"], ["g"], name="gap0"),
                  h.make_node("Flatten", ["g"], ["y"], name="flat0")],
                 [("x", [1, 2, 3, 4])], ["y"], [("W", rand(5, 2, 1, 1))])


def reshape():
    m = model([conv("conv0", "x", "W", None, "c"),
               h.make_node("Reshape", ["c", "shape"], ["y"], name="rs0")],
              [("x", [1, 2, 3, 4])], ["y"], [("W", rand(4, 2, 1, 1))])
    m.graph.initializer.append(
        nh.from_array(np.array([0, -1, 2], np.int64), "shape"))
    return m


def identity_dropout():
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("Identity", ["c"], ["i"], name="id0"),
                  h.make_node("Dropout", ["i"], ["y"], name="drop0")],
                 [("x", [1, 2, 3, 3])], ["y"], [("W", rand(2, 2, 1, 1))])


# --- Add and Gemm ---------------------------------------------------------

def add_residual():
    return model([conv("conv0", "x", "W0", None, "a", pads=[1, 1, 1, 1]),
                  conv("conv1", "a", "W1", None, "b"),
                  h.make_node("Add", ["a", "b"], ["y"], name="add0")],
                 [("x", [1, 3, 4, 4])], ["y"],
                 [("W0", rand(3, 3, 3, 3)), ("W1", rand(3, 3, 1, 1))])


def add_bcast_const():
    # [C,1,1] constant against an NHWC activation: re-laid out to [1,1,1,C].
    return model([conv("conv0", "x", "W", None, "a"),
                  h.make_node("Add", ["a", "k"], ["y"], name="add0")],
                 [("x", [1, 2, 3, 3])], ["y"],
                 [("W", rand(3, 2, 1, 1)),
                  ("k", np.array([1, 2, 3], np.float32).reshape(3, 1, 1))])


def add_plain():
    return model([h.make_node("Add", ["x", "z"], ["y"], name="add0")],
                 [("x", [2, 3]), ("z", [3])], ["y"])


def gemm():
    return model([h.make_node("Gemm", ["x", "W", "B"], ["y"], name="fc0",
                              transB=1)],
                 [("x", [2, 5])], ["y"], [("W", rand(4, 5)), ("B", rand(4))])


def gemm_notrans_alpha():
    return model([h.make_node("Gemm", ["x", "W", "B"], ["y"], name="fc0",
                              alpha=0.5, beta=2.0)],
                 [("x", [3, 5])], ["y"], [("W", rand(5, 4)), ("B", rand(1, 4))])


def gemm_full_c():
    return model([h.make_node("Gemm", ["x", "W", "C"], ["y"], name="fc0",
                              transA=1)],
                 [("x", [5, 3])], ["y"], [("W", rand(5, 4)), ("C", rand(3, 4))])


def gemm_hand():
    # x = [[1, 2]], W = [[1, 0], [0, 1], [1, 1]] (transB), B = [10, 20, 30]:
    # y = [[11, 22, 33]].
    return model([h.make_node("Gemm", ["x", "W", "B"], ["y"], name="fc0",
                              transB=1)],
                 [("x", [1, 2])], ["y"],
                 [("W", np.array([[1, 0], [0, 1], [1, 1]], np.float32)),
                  ("B", np.array([10, 20, 30], np.float32))])


# --- Whole small nets -----------------------------------------------------

def mini_squeeze():
    n = [conv("conv0", "x", "W0", "B0", "c0", strides=[2, 2]),
         h.make_node("Relu", ["c0"], ["r0"], name="relu0"),
         h.make_node("MaxPool", ["r0"], ["p0"], name="pool0",
                     kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
         conv("sq", "p0", "W1", "B1", "s"),
         h.make_node("Relu", ["s"], ["rs"], name="relu1"),
         conv("e1", "rs", "W2", "B2", "a"),
         conv("e3", "rs", "W3", "B3", "b", pads=[1, 1, 1, 1]),
         h.make_node("Concat", ["a", "b"], ["cat"], name="cat0", axis=1),
         h.make_node("GlobalAveragePool", ["cat"], ["g"], name="gap0"),
         h.make_node("Flatten", ["g"], ["f"], name="flat0"),
         h.make_node("Gemm", ["f", "Wf", "Bf"], ["y"], name="fc0", transB=1)]
    return model(n, [("x", [1, 3, 17, 17])], ["y"],
                 [("W0", rand(8, 3, 3, 3)), ("B0", rand(8)),
                  ("W1", rand(4, 8, 1, 1)), ("B1", rand(4)),
                  ("W2", rand(6, 4, 1, 1)), ("B2", rand(6)),
                  ("W3", rand(6, 4, 3, 3)), ("B3", rand(6)),
                  ("Wf", rand(10, 12)), ("Bf", rand(10))])


def dynamic_batch():
    w = rand(2, 3, 1, 1)
    graph = h.make_graph(
        [conv("conv0", "x", "W", None, "y")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, ["N", 3, 4, 4])],
        [h.make_tensor_value_info("y", T.FLOAT, None)],
        [nh.from_array(w, "W")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


def nhwc_output():
    # Two outputs: a 4-D NHWC value returned in NCHW, and a 2-D one.
    return model([conv("conv0", "x", "W", None, "y4"),
                  h.make_node("Flatten", ["y4"], ["y2"], name="flat0")],
                 [("x", [1, 2, 3, 3])], ["y4", "y2"], [("W", rand(2, 2, 1, 1))])


# --- Error cases ----------------------------------------------------------

def unsupported_ops():
    graph = h.make_graph(
        [h.make_node("Sin", ["x"], ["a"], name="sin0"),
         h.make_node("Relu", ["a"], ["b"], name="relu0"),
         h.make_node("Foo", ["b"], ["c"], name="Foo_3", domain="com.example"),
         h.make_node("Hardmax", ["c"], ["y"])],
        "g", [h.make_tensor_value_info("x", T.FLOAT, [1, 4])],
        [h.make_tensor_value_info("y", T.FLOAT, None)])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17),
                                              h.make_opsetid("com.example", 1)])


def old_opset():
    return model([h.make_node("Relu", ["x"], ["y"], name="relu0")],
                 [("x", [1, 4])], ["y"], opset=6)


def bad_auto_pad():
    return model([conv("conv0", "x", "W", None, "y", auto_pad="FOO")],
                 [("x", [1, 1, 3, 3])], ["y"], [("W", rand(1, 1, 1, 1))])


def conv_nonconst_weight():
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="conv0")],
                 [("x", [1, 1, 3, 3]), ("w", [1, 1, 1, 1])], ["y"])


def undefined_input():
    return model([h.make_node("Relu", ["nope"], ["y"], name="relu0")],
                 [("x", [1, 4])], ["y"])


def two_failing_nodes():
    # Two Divs by a constant with a negative element on separate branches,
    # which the integer lowering does not take (a rescale multiplier is
    # >= 0), and a Relu after the first: both run on the host (one note
    # each) and the Relu folds from div0's quantized result; with
    # --no-fallback the compile error names the first, a note the second.
    return model([h.make_node("Div", ["x", "d0"], ["a"], name="div0"),
                  h.make_node("Relu", ["a"], ["y0"], name="relu0"),
                  h.make_node("Div", ["x", "d1"], ["y1"], name="div1")],
                 [("x", [1, 2, 4, 4])], ["y0", "y1"],
                 [("d0", np.array([0.5, -2.0, 1.5, 4.0], np.float32)),
                  ("d1", np.array([1.0, -1.0, 2.0, 0.5], np.float32))])


CASES = {k: v for k, v in list(globals().items())
         if inspect.isfunction(v) and v.__module__ == __name__
         and k not in ("rand", "model", "conv", "main")}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: make_model.py CASE OUT.onnx\ncases: " +
                 " ".join(sorted(CASES)))
    onnx.save(CASES[sys.argv[1]](), sys.argv[2])


if __name__ == "__main__":
    main()
