"""Writes one tiny ONNX model for the data-movement / shape lit tests
(Resize, Slice, Split, Transpose, Squeeze/Unsqueeze, Reshape, Concat, Pad,
Expand, Tile, Gather, ConvTranspose, constant-folded shape subgraphs).

usage: make_model_opsb.py CASE OUT.onnx

CASE is a function name below, or a parametrized Resize case
  resize-MODE-COORD[-NEAREST]-scales|sizes-H0xW0-H1xW1[-opsetN]
e.g. resize-nearest-half_pixel-floor-scales-4x5-8x10. Weights are seeded
random; the numeric checks compare with onnxruntime.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.dirname(__file__))
from make_model import conv, model, rand  # noqa: E402

I64 = np.int64


def const(name, value, dtype=None):
    """A Constant node defining `name`."""
    arr = np.array(value, dtype=dtype)
    return h.make_node("Constant", [], [name], name="const_" + name,
                       value=nh.from_array(arr))


def with_inits(m, **arrays):
    for n, a in arrays.items():
        m.graph.initializer.append(nh.from_array(np.asarray(a), n))
    return m


# --- Resize ---------------------------------------------------------------

def resize_case(name):
    """resize-MODE-COORD[-NEAREST]-scales|sizes-HxW-HxW[-opsetN]."""
    parts = name.split("-")[1:]
    opset = 17
    if parts[-1].startswith("opset"):
        opset = int(parts.pop()[5:])
    mode, coord = parts[0], parts[1]
    rest = parts[2:]
    nearest = rest.pop(0) if mode == "nearest" else None
    how, src, dst = rest
    (h0, w0), (h1, w1) = [map(int, s.split("x")) for s in (src, dst)]
    attrs = dict(mode=mode, coordinate_transformation_mode=coord)
    if nearest:
        attrs["nearest_mode"] = nearest
    inits = {"W": rand(3, 2, 1, 1)}
    if how == "scales":
        inits["scales"] = np.array([1, 1, h1 / h0, w1 / w0], np.float32)
        ins = ["c", "roi" if opset < 13 else "", "scales"]
    else:
        inits["sizes"] = np.array([1, 3, h1, w1], I64)
        ins = ["c", "roi" if opset < 13 else "", "", "sizes"]
        if opset < 13:
            ins[2] = "noscales"
            inits["noscales"] = np.zeros(0, np.float32)
    if opset < 13:
        inits["roi"] = np.zeros(0, np.float32)
    nodes = [conv("conv0", "x", "W", None, "c"),
             h.make_node("Resize", ins, ["y"], name="rs0", **attrs)]
    return model(nodes, [("x", [1, 2, h0, w0])], ["y"], list(inits.items()),
                 opset=opset)


def resize_axes_opset18():
    # Opset 18: 'axes' = [2, 3] with two scales.
    m = model([h.make_node("Resize", ["x", "", "scales"], ["y"], name="rs0",
                           mode="nearest", axes=[2, 3],
                           coordinate_transformation_mode="asymmetric",
                           nearest_mode="floor")],
              [("x", [1, 3, 4, 5])], ["y"], opset=18)
    return with_inits(m, scales=np.array([3, 2], np.float32))


def resize_yolo():
    # YOLOv5's upsample: Constant scales [1, 1, 2, 2], nearest, asymmetric,
    # floor, after a conv (NHWC input).
    return model([conv("conv0", "x", "W", None, "c"),
                  const("sc", [1, 1, 2, 2], np.float32),
                  h.make_node("Resize", ["c", "", "sc"], ["y"], name="up0",
                              mode="nearest", nearest_mode="floor",
                              coordinate_transformation_mode="asymmetric",
                              cubic_coeff_a=-0.75)],
                 [("x", [1, 2, 3, 4])], ["y"], [("W", rand(3, 2, 1, 1))])


def resize_cubic():
    m = model([h.make_node("Resize", ["x", "", "scales"], ["y"], name="rs0",
                           mode="cubic")], [("x", [1, 1, 4, 4])], ["y"])
    return with_inits(m, scales=np.array([1, 1, 2, 2], np.float32))


def resize_crop():
    m = model([h.make_node("Resize", ["x", "roi", "scales"], ["y"],
                           name="rs0",
                           coordinate_transformation_mode="tf_crop_and_resize")],
              [("x", [1, 1, 4, 4])], ["y"])
    return with_inits(m, scales=np.array([1, 1, 2, 2], np.float32),
                      roi=np.array([0, 0, 0, 0, 1, 1, 1, 1], np.float32))


def resize_channels():
    m = model([h.make_node("Resize", ["x", "", "scales"], ["y"], name="rs0")],
              [("x", [1, 2, 4, 4])], ["y"])
    return with_inits(m, scales=np.array([1, 2, 2, 2], np.float32))


def upsample():
    m = model([h.make_node("Upsample", ["x", "scales"], ["y"], name="up0")],
              [("x", [1, 1, 4, 4])], ["y"])
    return with_inits(m, scales=np.array([1, 1, 2, 2], np.float32))


# --- Slice ----------------------------------------------------------------

def slice_nhwc():
    # On an NHWC conv output: negative start, INT64_MAX end, axes 1..3 in a
    # shuffled order; stays NHWC.
    m = model([conv("conv0", "x", "W", None, "c"),
               h.make_node("Slice", ["c", "st", "en", "ax"], ["y"],
                           name="sl0")],
              [("x", [1, 2, 6, 7])], ["y"], [("W", rand(5, 2, 1, 1))])
    return with_inits(m, st=np.array([-4, 1, 1], I64),
                      en=np.array([2**63 - 1, 4, -1], I64),
                      ax=np.array([3, 1, 2], I64))


def slice_steps():
    # Step 2 along H fits (strided slice by reshape); step 3 along W from 1
    # in 8 does not (gather); default axes.
    m = model([h.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"],
                           name="sl0")],
              [("x", [2, 3, 8, 8])], ["y"])
    return with_inits(m, st=np.array([0, 1], I64), en=np.array([8, 8], I64),
                      ax=np.array([2, 3], I64), sp=np.array([2, 3], I64))


def slice_negstep():
    # Reverse axis 1 from -1 to INT64_MIN (the whole axis), step -2 on 2.
    m = model([h.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"],
                           name="sl0")],
              [("x", [2, 5, 7])], ["y"])
    return with_inits(m, st=np.array([-1, 5], I64),
                      en=np.array([-2**63, 0], I64),
                      ax=np.array([1, 2], I64), sp=np.array([-1, -2], I64))


def slice_rank5():
    # As YOLOv5's Detect head: [..., 0:2], [..., 2:4], [..., 4:] on rank 5.
    nodes = []
    outs = []
    for i, (s, e) in enumerate([(0, 2), (2, 4), (4, 2**63 - 1)]):
        nodes += [const(f"s{i}", [s], I64), const(f"e{i}", [e], I64),
                  const(f"a{i}", [4], I64), const(f"p{i}", [1], I64),
                  h.make_node("Slice", ["x", f"s{i}", f"e{i}", f"a{i}",
                                        f"p{i}"], [f"y{i}"], name=f"sl{i}")]
        outs.append(f"y{i}")
    return model(nodes, [("x", [1, 3, 2, 2, 7])], outs)


def slice_empty():
    m = model([h.make_node("Slice", ["x", "st", "en"], ["y"], name="sl0")],
              [("x", [4, 4])], ["y"])
    return with_inits(m, st=np.array([3], I64), en=np.array([1], I64))


def slice_nonconst():
    return model([h.make_node("Slice", ["x", "st", "en"], ["y"],
                              name="sl0")],
                 [("x", [4, 4]), ("st", [1]), ("en", [1])], ["y"])


# --- Split, Transpose, Squeeze/Unsqueeze, Reshape, Concat -----------------

def split_input():
    # Opset 13: sizes as input, on an NHWC conv output along C.
    m = model([conv("conv0", "x", "W", None, "c"),
               h.make_node("Split", ["c", "sp"], ["a", "b"], name="sp0",
                           axis=1)],
              [("x", [1, 2, 3, 3])], ["a", "b"], [("W", rand(5, 2, 1, 1))])
    return with_inits(m, sp=np.array([2, 3], I64))


def split_attr_opset11():
    return model([h.make_node("Split", ["x"], ["a", "b", "c"], name="sp0",
                              axis=-1, split=[1, 2, 3])],
                 [("x", [2, 6])], ["a", "b", "c"], opset=11)


def split_num_outputs():
    # Opset 18: num_outputs = 3 over 7 -> 3, 3, 1.
    return model([h.make_node("Split", ["x"], ["a", "b", "c"], name="sp0",
                              axis=1, num_outputs=3)],
                 [("x", [2, 7])], ["a", "b", "c"], opset=18)


def split_equal():
    return model([h.make_node("Split", ["x"], ["a", "b"], name="sp0",
                              axis=2)],
                 [("x", [1, 2, 4, 3])], ["a", "b"])


def split_bad():
    m = model([h.make_node("Split", ["x", "sp"], ["a", "b"], name="sp0",
                           axis=1)], [("x", [2, 6])], ["a", "b"])
    return with_inits(m, sp=np.array([2, 3], I64))


def transpose_nhwc():
    # perm (0, 2, 3, 1) of an NHWC value is the NHWC value itself.
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("Transpose", ["c"], ["y"], name="tr0",
                              perm=[0, 2, 3, 1])],
                 [("x", [1, 2, 3, 4])], ["y"], [("W", rand(5, 2, 1, 1))])


def transpose_nhwc_4d():
    # perm (0, 1, 3, 2) (swap H, W) of an NHWC value stays NHWC; feeds a
    # conv.
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("Transpose", ["c"], ["t"], name="tr0",
                              perm=[0, 1, 3, 2]),
                  conv("conv1", "t", "W1", None, "y")],
                 [("x", [1, 2, 3, 4])], ["y"],
                 [("W", rand(5, 2, 1, 1)), ("W1", rand(2, 5, 1, 1))])


def transpose_rank5():
    return model([h.make_node("Transpose", ["x"], ["y"], name="tr0",
                              perm=[0, 1, 3, 4, 2])],
                 [("x", [1, 3, 4, 2, 5])], ["y"])


def transpose_default():
    return model([h.make_node("Transpose", ["x"], ["y"], name="tr0")],
                 [("x", [2, 3, 4])], ["y"])


def squeeze_unsqueeze_13():
    m = model([h.make_node("Unsqueeze", ["x", "ua"], ["u"], name="us0"),
               h.make_node("Squeeze", ["u", "sa"], ["s"], name="sq0"),
               h.make_node("Squeeze", ["s"], ["y"], name="sq1")],
              [("x", [3, 1, 4])], ["y"])
    return with_inits(m, ua=np.array([0, -1], I64), sa=np.array([0], I64))


def squeeze_unsqueeze_11():
    return model([h.make_node("Unsqueeze", ["x"], ["u"], name="us0",
                              axes=[1, 3]),
                  h.make_node("Squeeze", ["u"], ["y"], name="sq0",
                              axes=[-1, 1])],
                 [("x", [3, 4])], ["y"], opset=11)


def squeeze_bad():
    m = model([h.make_node("Squeeze", ["x", "sa"], ["y"], name="sq0")],
              [("x", [3, 4])], ["y"])
    return with_inits(m, sa=np.array([1], I64))


def reshape_allowzero():
    # allowzero = 1 with no zero in the shape behaves as Reshape; -1 infers.
    m = model([h.make_node("Reshape", ["x", "s"], ["y"], name="rs0",
                           allowzero=1)], [("x", [2, 3, 4])], ["y"])
    return with_inits(m, s=np.array([4, -1], I64))


def reshape_zero_copy():
    m = model([conv("conv0", "x", "W", None, "c"),
               h.make_node("Reshape", ["c", "s"], ["y"], name="rs0")],
              [("x", [1, 2, 3, 4])], ["y"], [("W", rand(6, 2, 1, 1))])
    return with_inits(m, s=np.array([0, 3, 2, -1], I64))


def concat_axes():
    # NHWC inputs concatenated along N, H and W (ONNX axes 0, -2, 3).
    nodes = [conv("conv0", "x", "W0", None, "a"),
             conv("conv1", "x", "W1", None, "b")]
    outs = []
    for i, ax in enumerate([0, -2, 3]):
        nodes.append(h.make_node("Concat", ["a", "b"], [f"y{i}"],
                                 name=f"cat{i}", axis=ax))
        outs.append(f"y{i}")
    return model(nodes, [("x", [1, 2, 3, 4])], outs,
                 [("W0", rand(3, 2, 1, 1)), ("W1", rand(3, 2, 1, 1))])


def concat_rank5():
    return model([h.make_node("Concat", ["x", "z"], ["y"], name="cat0",
                              axis=4)],
                 [("x", [1, 3, 2, 2, 4]), ("z", [1, 3, 2, 2, 1])], ["y"])


# --- Pad, Expand, Tile ----------------------------------------------------

def pad_constant():
    # NHWC conv output, pads [N0 C1 H2 W0 | N0 C0 H1 W3], value 0.5.
    m = model([conv("conv0", "x", "W", None, "c"),
               h.make_node("Pad", ["c", "p", "v"], ["y"], name="pad0")],
              [("x", [1, 2, 3, 4])], ["y"], [("W", rand(3, 2, 1, 1))])
    return with_inits(m, p=np.array([0, 1, 2, 0, 0, 0, 1, 3], I64),
                      v=np.array(0.5, np.float32))


def pad_reflect():
    m = model([h.make_node("Pad", ["x", "p"], ["y"], name="pad0",
                           mode="reflect")], [("x", [1, 2, 4, 5])], ["y"])
    return with_inits(m, p=np.array([0, 0, 2, 1, 0, 0, 1, 3], I64))


def pad_edge():
    m = model([h.make_node("Pad", ["x", "p"], ["y"], name="pad0",
                           mode="edge")], [("x", [1, 2, 4, 5])], ["y"])
    return with_inits(m, p=np.array([0, 0, 3, 1, 0, 0, 1, 2], I64))


def pad_reflect_wide():
    # 10 reflected columns: more than 8 pieces, so a tosa.gather.
    m = model([h.make_node("Pad", ["x", "p"], ["y"], name="pad0",
                           mode="reflect")], [("x", [2, 12])], ["y"])
    return with_inits(m, p=np.array([0, 10, 0, 1], I64))


def pad_wrap_opset19():
    m = model([h.make_node("Pad", ["x", "p"], ["y"], name="pad0",
                           mode="wrap")], [("x", [3, 4])], ["y"], opset=19)
    return with_inits(m, p=np.array([1, 2, 2, 3], I64))


def pad_axes_opset18():
    # Opset 18 'axes' input: pads only axis -1, with a negative (crop) pad
    # before.
    m = model([h.make_node("Pad", ["x", "p", "", "ax"], ["y"], name="pad0")],
              [("x", [2, 3, 5])], ["y"], opset=18)
    return with_inits(m, p=np.array([-1, 2], I64), ax=np.array([-1], I64))


def pad_reflect_bad():
    m = model([h.make_node("Pad", ["x", "p"], ["y"], name="pad0",
                           mode="reflect")], [("x", [2, 3])], ["y"])
    return with_inits(m, p=np.array([0, 3, 0, 0], I64))


def expand():
    m = model([h.make_node("Expand", ["x", "s"], ["y"], name="ex0")],
              [("x", [3, 1])], ["y"])
    return with_inits(m, s=np.array([2, 1, 4], I64))


def expand_nhwc():
    m = model([conv("conv0", "x", "W", None, "c"),
               h.make_node("Expand", ["c", "s"], ["y"], name="ex0")],
              [("x", [1, 2, 1, 3])], ["y"], [("W", rand(2, 2, 1, 1))])
    return with_inits(m, s=np.array([2, 1, 4, 3], I64))


def tile():
    m = model([h.make_node("Tile", ["x", "r"], ["y"], name="tl0")],
              [("x", [2, 3])], ["y"])
    return with_inits(m, r=np.array([2, 3], I64))


# --- Gather on activations ------------------------------------------------

def gather_channels():
    # NHWC conv output, channels [4, 0, 1] (axis 1): stays NHWC.
    m = model([conv("conv0", "x", "W", None, "c"),
               h.make_node("Gather", ["c", "i"], ["y"], name="g0", axis=1)],
              [("x", [1, 2, 3, 3])], ["y"], [("W", rand(5, 2, 1, 1))])
    return with_inits(m, i=np.array([4, 0, 1], I64))


def gather_scalar():
    # Scalar index -1 along axis 1 removes the axis.
    m = model([h.make_node("Gather", ["x", "i"], ["y"], name="g0", axis=1)],
              [("x", [2, 4, 3])], ["y"])
    return with_inits(m, i=np.array(-1, I64))


def gather_2d():
    # 2-D indices with repeats and 10 runs -> tosa.gather.
    m = model([h.make_node("Gather", ["x", "i"], ["y"], name="g0", axis=0)],
              [("x", [6, 3])], ["y"])
    return with_inits(m, i=np.array([[5, 0, 3, 1, 4], [2, 2, 0, 5, 1]], I64))


# --- ConvTranspose --------------------------------------------------------

def convt(name="ct0", x="x", w="W", b="B", y="y", **attrs):
    ins = [x, w] + ([b] if b else [])
    return h.make_node("ConvTranspose", ins, [y], name=name, **attrs)


def convt_hand():
    # x = [[1, 2], [3, 4]], W = [[1, 10], [100, 1000]], stride 2, bias 0.5:
    # each input pixel v writes the 2x2 block v * W (no overlap):
    #   [[1.5, 10.5, 2.5, 20.5], [100.5, 1000.5, 200.5, 2000.5], ...]
    w = np.array([1, 10, 100, 1000], np.float32).reshape(1, 1, 2, 2)
    return model([convt(strides=[2, 2])], [("x", [1, 1, 2, 2])], ["y"],
                 [("W", w), ("B", np.array([0.5], np.float32))])


def convt_pads():
    return model([convt(strides=[2, 2], pads=[1, 0, 1, 2],
                        output_padding=[1, 0])],
                 [("x", [1, 3, 4, 5])], ["y"],
                 [("W", rand(3, 2, 3, 3)), ("B", rand(2))])


def convt_big_pads():
    # pads 3 >= kernel 3 on top: out_pad clamps at -(K-1) and a slice crops.
    return model([convt(b=None, pads=[3, 1, 0, 2])],
                 [("x", [1, 2, 6, 5])], ["y"], [("W", rand(2, 3, 3, 3))])


def convt_output_shape():
    # output_shape 10x8 with stride 3x2 (ONNX backend test
    # convtranspose_output_shape), odd total padding on H.
    return model([convt(b=None, strides=[3, 2], output_shape=[10, 8])],
                 [("x", [1, 1, 3, 3])], ["y"], [("W", rand(1, 2, 3, 3))])


def convt_output_shape_odd():
    return model([convt(b=None, strides=[2, 2], output_shape=[8, 7])],
                 [("x", [1, 1, 4, 4])], ["y"], [("W", rand(1, 2, 3, 3))])


def convt_same_upper():
    return model([convt(strides=[2, 2], auto_pad="SAME_UPPER")],
                 [("x", [1, 2, 3, 3])], ["y"],
                 [("W", rand(2, 3, 3, 3)), ("B", rand(3))])


def convt_same_lower():
    return model([convt(strides=[2, 2], auto_pad="SAME_LOWER")],
                 [("x", [1, 2, 3, 3])], ["y"],
                 [("W", rand(2, 3, 3, 3)), ("B", rand(3))])


def convt_dilation():
    return model([convt(dilations=[2, 2], strides=[2, 1], pads=[1, 1, 0, 1])],
                 [("x", [1, 2, 4, 4])], ["y"],
                 [("W", rand(2, 3, 3, 2)), ("B", rand(3))])


def convt_group():
    return model([convt(group=2, strides=[2, 2], pads=[1, 1, 1, 1])],
                 [("x", [1, 4, 3, 3])], ["y"],
                 [("W", rand(4, 3, 3, 3)), ("B", rand(6))])


def convt_depthwise():
    # After a conv (NHWC input), group = C = 3.
    return model([conv("conv0", "x", "W0", None, "c"),
                  convt(x="c", group=3, strides=[2, 2])],
                 [("x", [1, 2, 3, 4])], ["y"],
                 [("W0", rand(3, 2, 1, 1)), ("W", rand(3, 1, 2, 2)),
                  ("B", rand(3))])


def convt_nonconst():
    return model([h.make_node("ConvTranspose", ["x", "w"], ["y"],
                              name="ct0")],
                 [("x", [1, 1, 3, 3]), ("w", [1, 1, 2, 2])], ["y"])


# --- Shape computation subgraphs (folded at import) -----------------------

def shape_reshape_torch():
    # As PyTorch exports x.view(x.size(0), -1) after a conv:
    # Shape -> Gather(0) -> Unsqueeze -> Concat([n], [-1]) -> Reshape.
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("Shape", ["c"], ["s"], name="shape0"),
                  const("zero", 0, I64),
                  h.make_node("Gather", ["s", "zero"], ["n"], name="gat0",
                              axis=0),
                  const("ax0", [0], I64),
                  h.make_node("Unsqueeze", ["n", "ax0"], ["n1"], name="uns0"),
                  const("m1", [-1], I64),
                  h.make_node("Concat", ["n1", "m1"], ["tgt"], name="cat0",
                              axis=0),
                  h.make_node("Reshape", ["c", "tgt"], ["y"], name="rs0")],
                 [("x", [1, 2, 3, 4])], ["y"], [("W", rand(5, 2, 1, 1))])


def shape_arith():
    # Resize sizes from arithmetic on the shape: [N, C, H*2, W*2] via
    # Shape(start=2) (opset 15), Cast to float, Mul, Cast back, Concat.
    return model([conv("conv0", "x", "W", None, "c"),
                  h.make_node("Shape", ["c"], ["hw"], name="shape0", start=2),
                  h.make_node("Cast", ["hw"], ["hwf"], name="cast0",
                              to=T.FLOAT),
                  const("two", [2.0], np.float32),
                  h.make_node("Mul", ["hwf", "two"], ["hw2f"], name="mul0"),
                  h.make_node("Cast", ["hw2f"], ["hw2"], name="cast1",
                              to=T.INT64),
                  h.make_node("Shape", ["c"], ["nc"], name="shape1", end=2),
                  h.make_node("Concat", ["nc", "hw2"], ["sz"], name="cat0",
                              axis=0),
                  h.make_node("Resize", ["c", "", "", "sz"], ["y"],
                              name="rs0", mode="nearest",
                              coordinate_transformation_mode="asymmetric",
                              nearest_mode="floor")],
                 [("x", [1, 2, 3, 4])], ["y"], [("W", rand(3, 2, 1, 1))])


def shape_expand_where():
    # PyTorch's expand(-1, 4, -1) export: ConstantOfShape -> Mul(-1) ->
    # Equal -> Where picks the input dims for -1, then Expand; plus Range
    # and integer Sub/Div for a Slice end.
    target = np.array([-1, 4, -1], I64)
    return model([const("tgt", target),
                  const("len", [3], I64),
                  h.make_node("ConstantOfShape", ["len"], ["ones"],
                              name="cos0",
                              value=nh.from_array(np.array([1], I64))),
                  const("neg", -1, I64),
                  h.make_node("Mul", ["ones", "neg"], ["negs"], name="mul0"),
                  h.make_node("Equal", ["tgt", "negs"], ["isneg"],
                              name="eq0"),
                  h.make_node("Shape", ["x"], ["xs"], name="shape0"),
                  h.make_node("Where", ["isneg", "xs", "tgt"], ["shp"],
                              name="wh0"),
                  h.make_node("Expand", ["x", "shp"], ["e"], name="ex0"),
                  const("r0", 0, I64), const("r1", 3, I64),
                  const("r2", 1, I64),
                  h.make_node("Range", ["r0", "r1", "r2"], ["rg"],
                              name="range0"),
                  h.make_node("Sub", ["rg", "r2"], ["rm"], name="sub0"),
                  const("two", 2, I64),
                  h.make_node("Div", ["rm", "two"], ["rd"], name="div0"),
                  # rd = [-1 / 2, 0 / 2, 1 / 2] = [0, 0, 0] (truncation);
                  # last = rd[2:3] = [0]
                  h.make_node("Slice", ["rd", "s0", "s1"], ["last"],
                              name="sl0"),
                  h.make_node("Add", ["last", "r1"], ["end"], name="add0"),
                  # end = [0 + 3] = [3]: Slice the expanded axis 1 to 0:3
                  h.make_node("Slice", ["e", "s0b", "end", "ax1"], ["y"],
                              name="sl1")],
                 [("x", [2, 1, 3])], ["y"],
                 [("s0", np.array([2], I64)), ("s1", np.array([3], I64)),
                  ("s0b", np.array([0], I64)), ("ax1", np.array([1], I64))])


def cast_nonconst():
    return model([h.make_node("Cast", ["x"], ["y"], name="cast0",
                              to=T.INT64)], [("x", [2, 3])], ["y"])


def cos_nonconst():
    return model([h.make_node("Shape", ["x"], ["s"], name="shape0"),
                  h.make_node("Add", ["x", "x"], ["a"], name="add0"),
                  h.make_node("ConstantOfShape", ["a"], ["y"], name="cos0")],
                 [("x", [3])], ["y"])


def main():
    cases = {k: v for k, v in globals().items()
             if callable(v) and getattr(v, "__module__", "") == __name__
             and k not in ("const", "with_inits", "resize_case", "convt",
                           "main")}
    if len(sys.argv) != 3:
        sys.exit("usage: make_model_opsb.py CASE OUT.onnx\ncases: " +
                 " ".join(sorted(cases)) + " resize-...")
    name = sys.argv[1]
    if name.startswith("resize-"):
        m = resize_case(name)
    elif name in cases:
        m = cases[name]()
    else:
        sys.exit(f"make_model_opsb.py: unknown case {name}")
    onnx.save(m, sys.argv[2])


if __name__ == "__main__":
    main()
