"""Writes one tiny ONNX model for the graph clean-up lit tests
(BatchNormalization in every position, dynamic batch) and tessera.run's
Python tests.

usage: make_graph_models.py CASE OUT.onnx

Reuses make_model.py's helpers; weights are seeded random (compared with
onnxruntime) or hand-picked where a test checks values by hand.
"""
import inspect
import os
import sys

import numpy as np
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.dirname(__file__))
import make_model  # noqa: E402
from make_model import conv, model, rand  # noqa: E402

RNG = np.random.default_rng(1)


def bn(name, x, y, c, prefix=None, eps=1e-5):
    """A BatchNormalization node and its four seeded-random parameters."""
    p = prefix or name
    inits = [(p + "_g", rand(c)), (p + "_b", rand(c)), (p + "_m", rand(c)),
             (p + "_v", RNG.uniform(0.5, 2, c).astype(np.float32))]
    node = h.make_node("BatchNormalization",
                       [x] + [n for n, _ in inits], [y], name=name,
                       epsilon=eps)
    return node, inits


def bn_after_pool():
    # BN on an NHWC activation that is not a Conv output (MaxPool before).
    b, inits = bn("bn0", "p", "y", 3)
    return model([conv("conv0", "x", "W", "B", "c", pads=[1, 1, 1, 1]),
                  h.make_node("MaxPool", ["c"], ["p"], name="pool0",
                              kernel_shape=[2, 2], strides=[2, 2]), b],
                 [("x", [1, 2, 6, 6])], ["y"],
                 [("W", rand(3, 2, 3, 3)), ("B", rand(3))] + inits)


def bn_shared_conv():
    # The Conv output also feeds a Relu (a graph output): the BN cannot be
    # folded into the Conv and stays x * s + t.
    b, inits = bn("bn0", "c", "y", 4)
    return model([conv("conv0", "x", "W", "B", "c"), b,
                  h.make_node("Relu", ["c"], ["r"], name="relu0")],
                 [("x", [1, 3, 5, 5])], ["y", "r"],
                 [("W", rand(4, 3, 1, 1)), ("B", rand(4))] + inits)


def bn_rank2():
    # BN on [N, C] (after a Gemm-like Flatten): plain layout, [1, C] consts.
    b, inits = bn("bn0", "x", "y", 5)
    return model([b], [("x", [2, 5])], ["y"], inits)


def bn_input_nchw():
    # BN straight on the graph input (NCHW), then a Conv.
    b, inits = bn("bn0", "x", "n", 2)
    return model([b, conv("conv0", "n", "W", None, "y")],
                 [("x", [1, 2, 4, 4])], ["y"], [("W", rand(3, 2, 1, 1))] + inits)


def depthwise_bn_relu6():
    # Depthwise Conv + BN + Clip(0, 6): BN folds, the clip is marked relu6.
    b, inits = bn("bn0", "c", "n", 4)
    lo = nh.from_array(np.array(0, np.float32), "lo")
    hi = nh.from_array(np.array(6, np.float32), "hi")
    m = model([conv("dw0", "x", "W", None, "c", group=4, pads=[1, 1, 1, 1]), b,
               h.make_node("Clip", ["n", "lo", "hi"], ["y"], name="clip0")],
              [("x", [1, 4, 5, 5])], ["y"],
              [("W", rand(4, 1, 3, 3) * 3)] + inits)
    m.graph.initializer.extend([lo, hi])
    return m


def bn_bad_param():
    # The BN scale is a graph input: not a constant.
    _, inits = bn("bn0", "c", "y", 2)
    node = h.make_node("BatchNormalization",
                       ["x", "g_in"] + [n for n, _ in inits[1:]], ["y"],
                       name="bn0")
    return model([node], [("x", [1, 2, 2, 2]), ("g_in", [2])], ["y"],
                 inits[1:])


def bn_training_output():
    # Output 1 (running mean) is only produced in training mode.
    _, inits = bn("bn0", "x", "y", 2)
    node = h.make_node("BatchNormalization",
                       ["x"] + [n for n, _ in inits], ["y", "rm"],
                       name="bn0")
    return model([node], [("x", [1, 2, 2, 2])], ["y"], inits)


def dynamic_batch():
    # Input batch is the symbolic 'N': give --input-shape. Conv+BN+Relu,
    # MaxPool, Flatten, Gemm: every shape follows from the input's.
    b, inits = bn("bn0", "c", "n", 4)
    graph = h.make_graph(
        [conv("conv0", "x", "W", "B", "c", pads=[1, 1, 1, 1]), b,
         h.make_node("Relu", ["n"], ["r"], name="relu0"),
         h.make_node("MaxPool", ["r"], ["p"], name="pool0",
                     kernel_shape=[2, 2], strides=[2, 2]),
         h.make_node("Flatten", ["p"], ["f"], name="flat0"),
         h.make_node("Gemm", ["f", "Wfc", "Bfc"], ["y"], name="fc0",
                     transB=1)],
        "g", [h.make_tensor_value_info("x", T.FLOAT, ["N", 3, 8, 8])],
        [h.make_tensor_value_info("y", T.FLOAT, ["N", 10])],
        [nh.from_array(a, n) for n, a in
         [("W", rand(4, 3, 3, 3)), ("B", rand(4)), ("Wfc", rand(10, 64)),
          ("Bfc", rand(10))] + inits])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


def small_cnn():
    # For tessera.run's tests: Conv+BN+Relu, depthwise Conv+BN+Clip6, Add,
    # GlobalAveragePool, Flatten, Gemm; two named intermediates.
    b0, i0 = bn("bn0", "c0", "n0", 8)
    b1, i1 = bn("bn1", "c1", "n1", 8)
    lo = ("lo", np.array(0, np.float32))
    hi = ("hi", np.array(6, np.float32))
    return model(
        [conv("conv0", "x", "W0", "B0", "c0", pads=[1, 1, 1, 1],
              strides=[2, 2]), b0,
         h.make_node("Relu", ["n0"], ["r0"], name="relu0"),
         conv("dw1", "r0", "W1", None, "c1", group=8, pads=[1, 1, 1, 1]), b1,
         h.make_node("Clip", ["n1", "lo", "hi"], ["r1"], name="clip1"),
         h.make_node("Add", ["r0", "r1"], ["a"], name="add0"),
         h.make_node("GlobalAveragePool", ["a"], ["g"], name="gap0"),
         h.make_node("Flatten", ["g"], ["f"], name="flat0"),
         h.make_node("Gemm", ["f", "Wfc", "Bfc"], ["y"], name="fc0",
                     transB=1)],
        [("x", [1, 3, 16, 16])], ["y"],
        [("W0", rand(8, 3, 3, 3)), ("B0", rand(8)), ("W1", rand(8, 1, 3, 3)),
         ("Wfc", rand(5, 8)), ("Bfc", rand(5)), lo, hi] + i0 + i1)


def main():
    cases = {n: f for n, f in globals().items()
             if inspect.isfunction(f) and n not in ("main", "bn", "conv",
                                                    "model", "rand")}
    if len(sys.argv) != 3 or sys.argv[1] not in cases:
        sys.exit("usage: make_graph_models.py CASE OUT.onnx; cases: " +
                 ", ".join(sorted(cases)))
    import onnx
    m = cases[sys.argv[1]]()
    onnx.save(m, sys.argv[2])


if __name__ == "__main__":
    main()
