"""Tiny pre-quantized (QDQ, QLinear*, *Integer) ONNX models and the Min /
Max / Round / ReduceMin / Div / Cast models for the front-end lit tests
(qdq.test, minmax-round.test, ../tessera-fold-to-integer/qdq-import.test).

usage: make_model_qdq.py CASE OUT.onnx
           writes the model and OUT.onnx.npz, its inputs: multiples of 1/16
           in [-4, 4) for float inputs (so that x / scale hits exact ties
           for the scales used here), seeded random integers for integer
           inputs, and any values a case pins (INPUTS below)
       make_model_qdq.py --compare MODEL.onnx INPUTS.npz IMPORTED.mlir
           runs IMPORTED.mlir with tessera-run (the reference executor) and
           compares every output with onnxruntime's on the same inputs, bit
           for bit: same dtype, same shape, same bits (floats as their
           uint32 image, so -0.0 != +0.0). Prints one line per output,
           "tessera-run NAME: dtype D shape S EXACT|MISMATCH"; exit 1 on a
           mismatch.

Shared helpers (make_model's) are not needed: these models carry integer
inputs and outputs, so the graph is built here directly.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ort_vs_tessera_run import free_inputs, main, run_both  # noqa: E402

INPUTS = {}  # case -> {input name: array}


def model(nodes, inputs, outputs, inits=(), opset=21):
    """inputs / outputs: (name, elem_type, shape); inits: (name, array) or
    TensorProto."""
    graph = h.make_graph(
        nodes, "g",
        [h.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [h.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        [i if isinstance(i, onnx.TensorProto) else nh.from_array(i[1], i[0])
         for i in inits])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])


def node(op, ins, outs, name, **attrs):
    return h.make_node(op, ins, outs if isinstance(outs, list) else [outs],
                       name=name, **attrs)


def tensor(name, dtype, dims, vals):
    """An initializer of any ONNX type (int4/uint4 packed by onnx)."""
    return h.make_tensor(name, dtype, dims, vals)


def f32(*v):
    return np.array(v, np.float32)


F = T.FLOAT

# --- QuantizeLinear / DequantizeLinear per tensor -------------------------

# (suffix, ONNX type, scale, zero point): every storage type Tessera takes.
PER_TENSOR = [
    ("i8", T.INT8, 0.5, -3),
    ("u8", T.UINT8, 0.25, 128),
    ("i16", T.INT16, 0.125, -300),
    ("u16", T.UINT16, 2.0, 1000),
    ("i4", T.INT4, 0.5, -2),
    ("u4", T.UINT4, 0.25, 7),
]


def qdq_types():
    # x -> Q -> DQ -> y_<type>, one chain per storage type.
    nodes, inits, outs = [], [], []
    for sfx, t, s, z in PER_TENSOR:
        inits += [tensor(f"s_{sfx}", F, [], [s]), tensor(f"z_{sfx}", t, [], [z])]
        nodes += [node("QuantizeLinear", ["x", f"s_{sfx}", f"z_{sfx}"],
                       f"q_{sfx}", f"q_{sfx}"),
                  node("DequantizeLinear", [f"q_{sfx}", f"s_{sfx}", f"z_{sfx}"],
                       f"y_{sfx}", f"dq_{sfx}")]
        outs.append((f"y_{sfx}", F, [2, 4]))
    return model(nodes, [("x", F, [2, 4])], outs, inits)


# --- Per axis ---------------------------------------------------------------

def qdq_axis():
    # c = Conv(x) is NHWC inside: Q/DQ on ONNX axis 1 (C) is NHWC axis 3.
    # x2 [3, 4] stays in ONNX layout: axis 0 is axis 0. DQ of an int8
    # initializer per axis 0 added to x2.
    w = np.arange(9, dtype=np.float32).reshape(3, 3, 1, 1) / 8
    inits = [("W", w),
             tensor("sc", F, [3], [0.5, 0.25, 0.125]),
             tensor("zc", T.INT8, [3], [0, 1, -1]),
             tensor("s2", F, [3], [0.5, 1.0, 2.0]),
             tensor("z2", T.UINT8, [3], [10, 128, 250]),
             tensor("K", T.INT8, [3, 4], list(range(-6, 6))),
             tensor("sk", F, [3], [0.125, 0.25, 0.5])]
    nodes = [node("Conv", ["x", "W"], "c", "conv0"),
             node("QuantizeLinear", ["c", "sc", "zc"], "cq", "qc", axis=1),
             node("DequantizeLinear", ["cq", "sc", "zc"], "y", "dqc", axis=1),
             node("QuantizeLinear", ["x2", "s2", "z2"], "x2q", "q2", axis=0),
             node("DequantizeLinear", ["x2q", "s2", "z2"], "x2d", "dq2",
                  axis=0),
             node("DequantizeLinear", ["K", "sk"], "kd", "dqk", axis=0),
             node("Add", ["x2d", "kd"], "y2", "add0")]
    return model(nodes, [("x", F, [1, 3, 4, 4]), ("x2", F, [3, 4])],
                 [("y", F, [1, 3, 4, 4]), ("y2", F, [3, 4])], inits)


# --- Blocked ----------------------------------------------------------------

def qdq_blocked():
    # Q/DQ of x [4, 6] in blocks of 2 along axis 0 (scale [2, 6]); DQ of an
    # int4 initializer [2, 6] in blocks of 3 along axis 1 (scale [2, 2]).
    sx = (np.arange(12, dtype=np.float32).reshape(2, 6) + 1) / 16
    zx = np.array([[-2, -1, 0, 1, 2, 3], [4, 5, 6, 7, -8, -4]], np.int8)
    inits = [("sx", sx), tensor("zx", T.INT8, [2, 6], zx.ravel().tolist()),
             tensor("Wq", T.INT4, [2, 6], [-8, -3, 0, 1, 5, 7,
                                           2, -2, 4, -4, 6, -6]),
             ("sw", f32(0.5, 0.25, 1.0, 2.0).reshape(2, 2)),
             tensor("zw", T.INT4, [2, 2], [0, 1, -1, 2])]
    nodes = [node("QuantizeLinear", ["x", "sx", "zx"], "xq", "qb", axis=0,
                  block_size=2),
             node("DequantizeLinear", ["xq", "sx", "zx"], "y", "dqb", axis=0,
                  block_size=2),
             node("DequantizeLinear", ["Wq", "sw", "zw"], "wd", "dqw", axis=1,
                  block_size=3),
             node("Add", ["x2", "wd"], "y2", "add0")]
    return model(nodes, [("x", F, [4, 6]), ("x2", F, [2, 6])],
                 [("y", F, [4, 6]), ("y2", F, [2, 6])], inits)


# --- A QDQ convolution (onnxruntime's quantize_static form) ----------------

def qdq_conv():
    # DQ(Q(x)) -> Conv <- DQ(int8 W, per output channel), DQ(int32 bias at
    # sx * sw) -> Q -> DQ -> y. Scales chosen for a hand computation of the
    # requantization (qdq-import.test):
    #   sx = 0.5 (uint8, zp 128), sw = {0.375, 0.25} (int8, zp 0),
    #   sy = 0.75 (int8, zp -5); bias scale sx * sw = {0.1875, 0.125}.
    w = np.array([[1, -2, 3, -4], [5, 6, -7, 8]], np.int8)  # OIHW [2,1,2,2]
    inits = [tensor("sx", F, [], [0.5]), tensor("zx", T.UINT8, [], [128]),
             tensor("Wq", T.INT8, [2, 1, 2, 2], w.ravel().tolist()),
             tensor("sw", F, [2], [0.375, 0.25]),
             tensor("zw", T.INT8, [2], [0, 0]),
             tensor("Bq", T.INT32, [2], [16, -8]),
             tensor("sb", F, [2], [0.1875, 0.125]),
             tensor("zb", T.INT32, [2], [0, 0]),
             tensor("sy", F, [], [0.75]), tensor("zy", T.INT8, [], [-5])]
    nodes = [node("QuantizeLinear", ["x", "sx", "zx"], "xq", "qx"),
             node("DequantizeLinear", ["xq", "sx", "zx"], "xd", "dqx"),
             node("DequantizeLinear", ["Wq", "sw", "zw"], "wd", "dqw", axis=0),
             node("DequantizeLinear", ["Bq", "sb", "zb"], "bd", "dqb", axis=0),
             node("Conv", ["xd", "wd", "bd"], "c", "conv0"),
             node("QuantizeLinear", ["c", "sy", "zy"], "cq", "qy"),
             node("DequantizeLinear", ["cq", "sy", "zy"], "y", "dqy")]
    return model(nodes, [("x", F, [1, 1, 3, 3])], [("y", F, [1, 2, 2, 2])],
                 inits)


# --- QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger ----------------

def qlinear():
    rng = np.random.default_rng(3)
    w = rng.integers(-20, 20, (4, 2, 3, 3)).ravel().tolist()
    wm = rng.integers(-20, 20, (3, 5)).ravel().tolist()
    inits = [tensor("xs", F, [], [0.05]), tensor("xz", T.UINT8, [], [120]),
             tensor("W", T.INT8, [4, 2, 3, 3], w),
             tensor("ws", F, [4], [0.01, 0.02, 0.03, 0.04]),
             tensor("wz", T.INT8, [4], [0, 0, 0, 0]),
             tensor("ys", F, [], [0.1]), tensor("yz", T.UINT8, [], [100]),
             tensor("B", T.INT32, [4], [100, -100, 50, 0]),
             tensor("as", F, [], [0.02]), tensor("az", T.UINT8, [], [128]),
             tensor("M", T.INT8, [3, 5], wm),
             tensor("ms", F, [], [0.01]), tensor("mz", T.INT8, [], [0]),
             tensor("os", F, [], [0.05]), tensor("oz", T.UINT8, [], [128]),
             tensor("cz", T.UINT8, [], [3]),
             tensor("CW", T.UINT8, [2, 2, 2, 2], list(range(16))),
             tensor("cwz", T.UINT8, [], [5]),
             tensor("bz", T.UINT8, [], [2])]
    nodes = [node("QLinearConv", ["x", "xs", "xz", "W", "ws", "wz", "ys", "yz",
                                  "B"], "y", "qconv", pads=[1, 1, 1, 1]),
             node("QLinearMatMul", ["a", "as", "az", "M", "ms", "mz", "os",
                                    "oz"], "o", "qmm"),
             node("ConvInteger", ["xi", "CW", "cz", "cwz"], "ci", "cint"),
             node("MatMulInteger", ["a", "mi", "az", "bz"], "mm", "mmint")]
    return model(nodes, [("x", T.UINT8, [1, 2, 5, 5]), ("a", T.UINT8, [2, 3]),
                         ("xi", T.UINT8, [1, 2, 3, 3]),
                         ("mi", T.UINT8, [3, 4])],
                 [("y", T.UINT8, [1, 4, 5, 5]), ("o", T.UINT8, [2, 5]),
                  ("ci", T.INT32, [1, 2, 2, 2]), ("mm", T.INT32, [2, 4])],
                 inits)


def convinteger_per_channel():
    # Weight zero points {5, 5, 7}: TOSA has one weight_zp, so channels 0-1
    # form one conv and channel 2 another, joined by tosa.concat. (Not in
    # onnxruntime, whose ConvInteger takes a per-tensor zero point only.)
    return model([node("ConvInteger", ["xi", "CW", "cz", "cwz"], "ci",
                       "cint")],
                 [("xi", T.UINT8, [1, 2, 3, 3])], [("ci", T.INT32, [1, 3, 2, 2])],
                 [tensor("CW", T.UINT8, [3, 2, 2, 2], list(range(24))),
                  tensor("cz", T.UINT8, [], [3]),
                  tensor("cwz", T.UINT8, [3], [5, 5, 7])])


# --- Errors -----------------------------------------------------------------

def err_float8():
    return model([node("DequantizeLinear", ["x", "s"], "y", "dq8")],
                 [("x", T.FLOAT8E4M3FN, [4])], [("y", F, [4])],
                 [tensor("s", F, [], [0.5])])


def err_float4():
    return model([node("QuantizeLinear", ["x", "s", "z"], "y", "q4")],
                 [("x", F, [4])], [("y", T.FLOAT4E2M1, [4])],
                 [tensor("s", F, [], [0.5]),
                  tensor("z", T.FLOAT4E2M1, [], [0.0])])


def err_int2():
    return model([node("DequantizeLinear", ["x", "s"], "y", "dq2")],
                 [("x", T.INT2, [4])], [("y", F, [4])],
                 [tensor("s", F, [], [0.5])])


def err_dynamic_scale():
    return model([node("DequantizeLinear", ["x", "s"], "y", "dqs")],
                 [("x", T.INT8, [4]), ("s", F, [])], [("y", F, [4])])


def err_axis():
    # 3 scales along axis 1 of a [3, 4] tensor (4 values).
    return model([node("QuantizeLinear", ["x", "s"], "y", "qa", axis=1)],
                 [("x", F, [3, 4])], [("y", T.UINT8, [3, 4])],
                 [tensor("s", F, [3], [0.5, 0.25, 0.125])])


def err_block():
    # block_size 4 along a dimension of 6: scale [2, ...] fits ceil(6 / 4)
    # but the blocks do not tile the dimension.
    return model([node("DequantizeLinear", ["W", "s"], "y", "dqblk", axis=1,
                       block_size=4)],
                 [], [("y", F, [2, 6])],
                 [tensor("W", T.INT8, [2, 6], list(range(12))),
                  ("s", np.full((2, 2), 0.5, np.float32))])


# --- Min, Max, Round, ReduceMin, Div, Cast ---------------------------------

def err_min_int():
    return model([node("Min", ["a", "b"], "m", "min0")],
                 [("a", T.UINT8, [4]), ("b", T.UINT8, [4])],
                 [("m", T.UINT8, [4])], opset=13)


def minmax():
    # Min of three inputs broadcasting to [2, 3, 4]; Max of two; Max of one
    # (identity); Max of an NHWC conv output with a [3, 1, 1] constant.
    w = (np.arange(9, dtype=np.float32).reshape(3, 3, 1, 1) - 4) / 4
    nodes = [node("Min", ["a", "b", "c"], "mn", "min0"),
             node("Max", ["a", "b"], "mx", "max0"),
             node("Max", ["a"], "m1", "max1"),
             node("Conv", ["x", "W"], "cv", "conv0"),
             node("Max", ["cv", "K"], "mc", "max2")]
    return model(nodes, [("a", F, [2, 3, 4]), ("b", F, [3, 1]), ("c", F, [4]),
                         ("x", F, [1, 3, 2, 2])],
                 [("mn", F, [2, 3, 4]), ("mx", F, [2, 3, 4]),
                  ("m1", F, [2, 3, 4]), ("mc", F, [1, 3, 2, 2])],
                 [("W", w), ("K", f32(0.25, -0.5, 0.0).reshape(3, 1, 1))],
                 opset=13)


def round_ties():
    # Ties go to even: -2.5 -> -2, -1.5 -> -2, -0.5 -> -0, 0.5 -> 0,
    # 1.5 -> 2, 2.5 -> 2; -0.25 -> -0.0 (sign kept); NHWC after a conv.
    w = np.eye(2, dtype=np.float32).reshape(2, 2, 1, 1) * 2.5
    return model([node("Round", ["x"], "r", "round0"),
                  node("Conv", ["x4", "W"], "cv", "conv0"),
                  node("Round", ["cv"], "r4", "round1")],
                 [("x", F, [12]), ("x4", F, [1, 2, 2, 2])],
                 [("r", F, [12]), ("r4", F, [1, 2, 2, 2])], [("W", w)],
                 opset=11)


INPUTS["round_ties"] = {
    "x": f32(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.25, 0.0, 3.75, -3.25,
             1e9 + 64, -8388609.0),
    "x4": f32(0.2, 0.6, -0.2, -0.6, 1.0, -1.0, 0.3, 0.1).reshape(1, 2, 2, 2)}


def reduce_min():
    # ReduceMin over axis 1, keepdims 0 (opset 13 attribute); over all axes
    # (opset 18 form: no axes input); NHWC over C after a conv.
    w = (np.arange(6, dtype=np.float32).reshape(2, 3, 1, 1) - 2) / 4
    return model([node("ReduceMin", ["x"], "r", "rmin0", axes=[1],
                       keepdims=0),
                  node("ReduceMin", ["x"], "ra", "rmin1"),
                  node("Conv", ["x4", "W"], "cv", "conv0"),
                  node("ReduceMin", ["cv"], "rc", "rmin2", axes=[1])],
                 [("x", F, [2, 3, 4]), ("x4", F, [1, 3, 2, 2])],
                 [("r", F, [2, 4]), ("ra", F, [1, 1, 1]),
                  ("rc", F, [1, 1, 2, 2])], [("W", w)], opset=13)


def div_exact():
    # x / 255 and a / b (broadcast [2, 3] / [3]): arith.divf, exact.
    # 0.1 / 255 rounded once is not 0.1 * f32(1 / 255) for many x.
    return model([node("Div", ["x", "k"], "q", "div0"),
                  node("Div", ["a", "b"], "r", "div1")],
                 [("x", F, [64]), ("a", F, [2, 3]), ("b", F, [3])],
                 [("q", F, [64]), ("r", F, [2, 3])],
                 [("k", f32(255.0))], opset=13)


INPUTS["div_exact"] = {
    "x": np.linspace(-1, 1, 64, dtype=np.float32),
    "a": f32(5, 7, 11, -13, 17, 19).reshape(2, 3), "b": f32(3, 7, 10)}


def cast_int():
    # float -> uint8 / int8 / int32 truncates toward zero (ONNX Cast, as
    # onnxruntime); uint8 -> float.
    return model([node("Cast", ["x"], "u", "cast_u8", to=T.UINT8),
                  node("Cast", ["n"], "i", "cast_i8", to=T.INT8),
                  node("Cast", ["n"], "i32", "cast_i32", to=T.INT32),
                  node("Cast", ["u"], "f", "cast_f", to=T.FLOAT)],
                 [("x", F, [6]), ("n", F, [6])],
                 [("u", T.UINT8, [6]), ("i", T.INT8, [6]), ("i32", T.INT32, [6]),
                  ("f", F, [6])], opset=13)


INPUTS["cast_int"] = {"x": f32(0, 0.9, 1.5, 2.5, 254.99, 255),
                      "n": f32(-127.9, -1.5, -0.5, 0.5, 1.99, 126.5)}


def dql_expanded():
    # ONNX's DynamicQuantizeLinear function body (onnx/defs/quantization),
    # as test_dynamicquantizelinear_expanded spells it.
    def c(name, v):
        return node("Constant", [], name, name,
                    value=nh.from_array(np.array(v, np.float32), name))
    nodes = [c("qmin", 0.0), c("qmax", 255.0),
             node("ReduceMin", ["x"], "xmin", "rmin", keepdims=0),
             node("Min", ["xmin", "qmin"], "xmin_adj", "min0"),
             node("ReduceMax", ["x"], "xmax", "rmax", keepdims=0),
             node("Max", ["xmax", "qmin"], "xmax_adj", "max0"),
             node("Sub", ["xmax_adj", "xmin_adj"], "range", "sub0"),
             node("Div", ["range", "qmax"], "scale", "div0"),
             node("Div", ["xmin_adj", "scale"], "min_scaled", "div1"),
             node("Sub", ["qmin", "min_scaled"], "zp_fp", "sub1"),
             node("Clip", ["zp_fp", "qmin", "qmax"], "zp_clip", "clip0"),
             node("Round", ["zp_clip"], "zp_round", "round0"),
             node("Cast", ["zp_round"], "zp", "cast0", to=T.UINT8),
             node("Identity", ["scale"], "y_scale", "id0"),
             node("Identity", ["zp"], "y_zero_point", "id1"),
             node("QuantizeLinear", ["x", "scale", "zp"], "y", "q0")]
    return model(nodes, [("x", F, [3, 4])],
                 [("y", T.UINT8, [3, 4]), ("y_scale", F, []),
                  ("y_zero_point", T.UINT8, [])])


INPUTS["dql_expanded"] = {
    "x": np.random.default_rng(7).uniform(-3.3, 11.7, (3, 4))
    .astype(np.float32)}

CASES = {k: v for k, v in dict(globals()).items()
         if callable(v) and getattr(v, "__module__", "") == __name__
         and k not in ("model", "node", "tensor", "f32", "make_inputs",
                       "compare", "main", "onnx_dtype")}


def onnx_dtype(elem_type):
    return {T.FLOAT: np.float32, T.UINT8: np.uint8, T.INT8: np.int8,
            T.INT16: np.int16, T.UINT16: np.uint16,
            T.INT32: np.int32}[elem_type]


def make_inputs(m, case):
    rng = np.random.default_rng(1)
    out = {}
    for vi, shape in free_inputs(m):
        if vi.name in INPUTS.get(case, {}):
            out[vi.name] = INPUTS[case][vi.name]
            continue
        tt = vi.type.tensor_type
        if tt.elem_type == T.FLOAT:
            out[vi.name] = (rng.integers(-64, 64, shape) / 16).astype(
                np.float32)
        elif tt.elem_type in (T.UINT8, T.INT8):
            dt = onnx_dtype(tt.elem_type)
            info = np.iinfo(dt)
            out[vi.name] = rng.integers(info.min, info.max + 1, shape,
                                        dtype=dt)
        else:
            out[vi.name] = np.zeros(shape, np.float32)  # error cases only
    return out


def compare(model_path, inputs_path, mlir_path):
    ok = True
    for name, ref, got in run_both(model_path, inputs_path, mlir_path):
        ref = np.asarray(ref)
        shape = "x".join(map(str, ref.shape)) or "scalar"
        same = got.dtype == ref.dtype and got.shape == ref.shape
        if same and ref.dtype == np.float32:
            same = np.array_equal(got.view(np.uint32), ref.view(np.uint32))
        elif same:
            same = np.array_equal(got, ref)
        ok &= same
        print(f"tessera-run {name}: dtype {got.dtype} shape {shape} "
              f"{'EXACT' if same else 'MISMATCH'}")
        if not same:
            print(f"  got {got.dtype} {got.ravel()[:16]}\n"
                  f"  ref {ref.dtype} {ref.ravel()[:16]}")
    return ok


if __name__ == "__main__":
    main("make_model_qdq.py", CASES, make_inputs, compare)
