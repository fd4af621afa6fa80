"""--scheme (issue 11, section 2): any quantization scheme a target profile
declares, by name. rv1126's dfp_i8 is RKNN's dynamic_fixed_point-i8:
symmetric int8 with power_of_two_scale, so every activation and weight
scale is 2^-n and each requantisation (s_in s_w / s_out, a ratio of powers
of two) is a pure shift. Checked on a small conv model:
- every scale of the quant-level program is a power of two;
- the simulator equals the integer reference executor bit for bit;
- the dequantized output is close to onnxruntime's float output;
- every rescale multiplier is 2^30 (the rescale is a shift);
rv1126's default asymmetric_u8 (RKNN's asymmetric_quantized-u8) quantizes
weights as asymmetric uint8 per tensor, with a weight zero point, checked
against a hand computation and onnxruntime's quantize_static on the same
scheme. An unknown scheme, or one the compiler cannot quantize (int16
weights with 8-bit activations, asymmetric per-channel weights), is one
error naming the scheme and what the target has or the compiler supports.
The int16 schemes (j5 int16_activations, orin int16_symmetric, rv1126
dfp_i16) compile the same model: int16 argument, simulator == integer
reference, and (int16 weights) a cosine far above int8's; the sigmoid has no
int16 form yet and runs on the host with a note. Per-node precision
(node_dtypes) errors name the pattern or the target's dtypes."""
import math
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

import tessera
from conftest import REPO, cosine

ort = pytest.importorskip("onnxruntime")


def model(path):
    rng = np.random.default_rng(21)
    w0 = nh.from_array(rng.uniform(-0.5, 0.5, (8, 3, 3, 3))
                       .astype(np.float32), "w0")
    w1 = nh.from_array(rng.uniform(-0.3, 0.3, (4, 8, 1, 1))
                       .astype(np.float32), "w1")
    b1 = nh.from_array(rng.uniform(-0.2, 0.2, 4).astype(np.float32), "b1")
    nodes = [h.make_node("Conv", ["x", "w0"], ["a"], pads=[1, 1, 1, 1]),
             h.make_node("Relu", ["a"], ["r"]),
             h.make_node("Conv", ["r", "w1", "b1"], ["c"]),
             h.make_node("Sigmoid", ["c"], ["y"])]
    g = h.make_graph(nodes, "g",
                     [h.make_tensor_value_info("x", TP.FLOAT, [1, 3, 8, 8])],
                     [h.make_tensor_value_info("y", TP.FLOAT, [1, 4, 8, 8])],
                     [w0, w1, b1])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, path)
    return path


def is_power_of_two(s):
    m, _ = math.frexp(s)
    return s > 0 and m == 0.5


def test_dynamic_fixed_point_on_rv1126(tmp_path):
    path = model(tmp_path / "m.onnx")
    calib = np.random.default_rng(5).uniform(-1, 1, (3, 3, 8, 8)) \
        .astype(np.float32)
    args = dict(target="rv1126", calibration=calib, scheme="dfp_i8")
    quant = tessera.compile(path, emit="quant", **args)
    scales = [float(s) for s in re.findall(r":f32, ([0-9.eE+-]+)>", quant)]
    for group in re.findall(r":f32:\d+, \{([^}]*)\}", quant):
        scales += [float(v.split(":")[0]) for v in group.split(",")]
    assert len(scales) >= 5, quant
    assert all(is_power_of_two(s) for s in scales), scales
    # Symmetric int8: no zero point but 0 (uint8 default would have them).
    assert "i8<-127:127>" in quant
    # The default scheme (asymmetric_u8) has scales that are not.
    default = tessera.compile(path, target="rv1126", calibration=calib,
                              emit="quant")
    assert not all(is_power_of_two(float(s)) for s in re.findall(
        r":f32, ([0-9.eE+-]+)>", default))

    text = tessera.compile(path, emit="int", **args)
    # Every rescale's multiplier is 2^30 (times 2^-shift: a pure shift).
    consts = dict(re.findall(r'(%\w+) = "tosa.const"\(\) <\{values = '
                             r'dense<(-?\d+)> : tensor<1xi32>', text))
    mults = re.findall(r"tosa\.rescale %\w+, (%\w+),", text)
    assert len(mults) >= 2
    assert all(consts.get(m) == str(1 << 30) for m in mults), mults
    program = tessera.compile(path, **args)
    x = calib[0:1]
    sim = tessera.simulate(program, {"x": x})
    attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}",
                      text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    assert is_power_of_two(scale)
    xq = tessera.quant.quantize(x, scale, 0, "int8").astype(np.int8)
    ref = tessera.run(text.encode(), {"x": xq})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))
    want = ort.InferenceSession(str(path), providers=[
        "CPUExecutionProvider"]).run(None, {"x": x})[0]
    c = cosine(sim.outputs["y"], want)
    print(f"dfp_i8 on rv1126: cosine {c:.6f}")
    # Power-of-two scales are up to 2x the min/max ones: up to one bit less
    # resolution than the 0.999 of the op sweep's 8-bit bound.
    assert c >= 0.995


def asymmetric_u8(w):
    """Asymmetric uint8 per-tensor quantization of `w` by hand
    (docs/quantization.md): [lo, hi] extended to contain 0, scale =
    (hi - lo) / 255, zero point 0 - round_half_even(lo / scale); Tessera
    stores it as int8 with zero point - 128. Returns (scale, i8 zero point,
    i8 values)."""
    lo, hi = min(float(w.min()), 0.0), max(float(w.max()), 0.0)
    scale = (hi - lo) / 255
    zp = int(np.clip(-np.round(lo / scale), 0, 255))
    q = np.clip(np.round(w.astype(np.float64) / scale) + zp, 0, 255)
    return scale, zp - 128, (q - 128).astype(np.int64)


def test_asymmetric_u8_weights_on_rv1126(tmp_path):
    path = model(tmp_path / "m.onnx")
    calib = np.random.default_rng(5).uniform(-1, 1, (3, 3, 8, 8)) \
        .astype(np.float32)
    args = dict(target="rv1126", calibration=calib)  # asymmetric_u8
    quant = tessera.compile(path, emit="quant", **args)
    text = tessera.compile(path, emit="int", **args)
    inits = {i.name: nh.to_array(i) for i in onnx.load(path).graph.initializer}
    # ONNX OIHW weights as Tessera's OHWI.
    weights = {k: inits[k].transpose(0, 2, 3, 1) for k in ("w0", "w1")}
    zps = []
    for name, w in weights.items():
        scale, zp, q = asymmetric_u8(w)
        shape = "x".join(map(str, w.shape))
        # (MLIR leaves out a zero point of 0.)
        got = re.search(rf"tensor<{shape}xf32> to tensor<{shape}x!quant"
                        rf"\.uniform<i8:f32, ([0-9.eE+-]+)(?::(-?\d+))?>>",
                        quant)
        assert got, (name, quant)
        assert float(got.group(1)) == pytest.approx(scale, rel=1e-12)
        assert int(got.group(2) or 0) == zp
        zps.append(zp)
        # The integer weights: round(w / s) + z, stored as i8 (u - 128).
        # (MLIR prints larger constants as hex bytes.)
        ints = re.search(rf"dense<([^>]*)> : tensor<{shape}xi8>", text)
        body = ints.group(1)
        values = (np.frombuffer(bytes.fromhex(body.strip('"')[2:]), np.int8)
                  if body.startswith('"0x') else
                  np.array([int(v) for v in re.findall(r"-?\d+", body)]))
        np.testing.assert_array_equal(values, q.reshape(-1), err_msg=name)
    # w0 spans about [-0.5, 0.5] (uint8 zero point 128, i8 0); w1 does not.
    assert zps[1] != 0
    # Each conv's weight_zp operand is its weights' zero point.
    consts = dict(re.findall(r'(%\w+) = "tosa.const"\(\) <\{values = '
                             r'dense<(-?\d+)> : tensor<1xi8>', text))
    convs = re.findall(r"tosa\.conv2d %\w+, %\w+, %\w+, %\w+, (%\w+)", text)
    assert [int(consts[c]) for c in convs] == zps

    # onnxruntime's quantize_static on the same scheme (uint8 asymmetric
    # activations and per-tensor weights) gives the same weight
    # quantization (its float32 arithmetic: scale to 1e-6).
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                          QuantType, quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter({"x": c[None]} for c in calib)

        def get_next(self):
            return next(self.it, None)

    quantize_static(str(path), str(tmp_path / "qdq.onnx"), Reader(),
                    quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QUInt8, per_channel=False,
                    extra_options={"ActivationSymmetric": False,
                                   "WeightSymmetric": False})
    qdq = {i.name: nh.to_array(i)
           for i in onnx.load(tmp_path / "qdq.onnx").graph.initializer}
    for name, w in weights.items():
        scale, zp, _ = asymmetric_u8(w)
        assert float(qdq[f"{name}_scale"]) == pytest.approx(scale, rel=1e-6)
        assert int(qdq[f"{name}_zero_point"]) - 128 == zp

    # The simulator equals the integer reference executor bit for bit, and
    # the output is close to float.
    program = tessera.compile(path, **args)
    x = calib[0:1]
    sim = tessera.simulate(program, {"x": x})
    attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}",
                      text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", attrs).group(1))
    xq = tessera.quant.quantize(x, scale, zp, "uint8").astype(np.int16)
    ref = tessera.run(text.encode(), {"x": (xq - 128).astype(np.int8)})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))
    want = ort.InferenceSession(str(path), providers=[
        "CPUExecutionProvider"]).run(None, {"x": x})[0]
    c = cosine(sim.outputs["y"], want)
    print(f"asymmetric_u8 on rv1126: cosine {c:.6f}")
    assert c >= 0.999  # the op sweep's 8-bit bound


def test_scheme_errors(tmp_path):
    path = model(tmp_path / "m.onnx")
    calib = np.zeros((1, 3, 8, 8), np.float32)
    with pytest.raises(ValueError, match=r"--scheme: target j5 has no scheme "
                       r"'dfp_i8' \(its schemes: int8_symmetric, "):
        tessera.compile(path, target="j5", calibration=calib, scheme="dfp_i8")
    with pytest.raises(ValueError, match=r"node-dtypes pattern 'nosuch\*' "
                       r"matches no ONNX node"):
        tessera.compile(path, target="j5", calibration=calib,
                        node_dtypes={"nosuch*": "int16"})
    with pytest.raises(ValueError, match=r"--node-dtype .*=uint8: target j5 "
                       r"does not support uint8 \(its dtypes: int8, int16\)"):
        tessera.compile(path, target="j5", calibration=calib,
                        node_dtypes={"*": "uint8"})
    with pytest.raises(TypeError, match="node_dtypes"):
        tessera.compile(path, target="j5", calibration=calib,
                        node_dtypes=["*"])
    with pytest.raises(TypeError, match="scheme"):
        tessera.compile(path, target="rv1126", calibration=calib, scheme=8)


def test_unsupported_weight_schemes(tmp_path):
    """A profile's scheme the compiler cannot honour is an error that says
    what it supports: asymmetric per-channel weights (TOSA conv2d and the
    NPU's CONV have one weight zero point) and int16 weights."""
    path = model(tmp_path / "m.onnx")
    calib = np.zeros((1, 3, 8, 8), np.float32)
    text = (REPO / "targets" / "rv1126.yaml").read_text()
    asym = "weight: { dtype: uint8, symmetric: false, per_channel: false }"
    dfp = "weight: { dtype: int8, symmetric: true, per_channel: false }"
    assert asym in text and dfp in text
    profile = tmp_path / "rv1126_variant.yaml"
    profile.write_text(
        text.replace(asym, asym.replace("per_channel: false",
                                        "per_channel: true"))
            .replace(dfp, dfp.replace("int8", "int16")))
    supported = (r"the compiler quantizes int8 and uint8 weights, symmetric "
                 r"per tensor or per channel, or asymmetric per tensor")
    with pytest.raises(ValueError, match=r"--scheme: scheme asymmetric_u8 "
                       r"of target rv1126 asks for asymmetric uint8 weights "
                       r"per channel; " + supported):
        tessera.compile(path, target=str(profile), calibration=calib)
    with pytest.raises(ValueError, match=r"--scheme: scheme dfp_i8 of target "
                       r"rv1126 asks for symmetric int16 weights per tensor; "
                       + supported):
        tessera.compile(path, target=str(profile), calibration=calib,
                        scheme="dfp_i8")


def skewed(shape, seed):
    """Weights in [-0.2, 0.8]: an asymmetric uint8 zero point near 51, far
    from the symmetric 128 (i8: about -77)."""
    return np.random.default_rng(seed).uniform(-0.2, 0.8, shape) \
        .astype(np.float32)


# name -> (nodes, initializers, input shape): each kind of weight the
# compiler quantizes (conv, depthwise with M = 1 and 2, grouped conv,
# ConvTranspose through its decomposition into convs, MatMul with a constant
# operand, Gemm).
WEIGHT_OPS = {
    "depthwise": ([h.make_node("Conv", ["x", "w"], ["y"], group=4,
                               pads=[1, 1, 1, 1])],
                  {"w": skewed((4, 1, 3, 3), 1)}, [1, 4, 6, 6]),
    "depthwise_m2": ([h.make_node("Conv", ["x", "w"], ["y"], group=4,
                                  pads=[1, 1, 1, 1])],
                     {"w": skewed((8, 1, 3, 3), 2)}, [1, 4, 6, 6]),
    "grouped": ([h.make_node("Conv", ["x", "w"], ["y"], group=2,
                             pads=[1, 1, 1, 1])],
                {"w": skewed((6, 2, 3, 3), 3)}, [1, 4, 6, 6]),
    "conv_transpose": ([h.make_node("ConvTranspose", ["x", "w"], ["y"],
                                    strides=[2, 2])],
                       {"w": skewed((4, 3, 2, 2), 4)}, [1, 4, 6, 6]),
    "matmul": ([h.make_node("MatMul", ["x", "w"], ["y"])],
               {"w": skewed((6, 5), 5)}, [1, 4, 6, 6]),
    "gemm": ([h.make_node("Gemm", ["x", "w", "b"], ["y"])],
             {"w": skewed((8, 3), 6),
              "b": np.linspace(-.5, .5, 3).astype(np.float32)}, [2, 8]),
}


@pytest.mark.parametrize("name", list(WEIGHT_OPS))
def test_asymmetric_weights_per_op(tmp_path, name):
    """rv1126's asymmetric uint8 weights on every op that has weights: each
    integer conv2d / depthwise_conv2d / matmul gets a weight zero point
    (the one computed by hand from its weights where the op keeps them
    whole), the simulator equals the integer reference executor, and the
    output is close to onnxruntime float."""
    nodes, inits, shape = WEIGHT_OPS[name]
    g = h.make_graph(nodes, "g",
                     [h.make_tensor_value_info("x", TP.FLOAT, shape)],
                     [h.make_tensor_value_info("y", TP.FLOAT, None)],
                     [nh.from_array(v, k) for k, v in inits.items()])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 17)])
    m.ir_version = 8
    m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    path = tmp_path / "m.onnx"
    onnx.save(m, path)
    calib = np.random.default_rng(7).standard_normal((2, *shape)) \
        .astype(np.float32)
    text = tessera.compile(path, target="rv1126", calibration=calib,
                           emit="int", no_fallback=True)
    consts = dict(re.findall(r'(%\w+) = "tosa.const"\(\) <\{values = '
                             r'dense<(-?\d+)> : tensor<1xi8>', text))
    operands = re.findall(r"tosa\.(?:depthwise_)?conv2d %\w+, %\w+, %\w+, "
                          r"%\w+, (%\w+)", text)  # weight_zp
    operands += re.findall(r"tosa\.matmul %\w+, %\w+, %\w+, (%\w+)",
                           text)  # b_zp
    zps = [int(consts[v]) for v in operands]
    w = inits["w"]
    if name == "conv_transpose":  # sub-kernels: each its own zero point
        assert zps and all(z != 0 for z in zps), zps
    elif name == "grouped":  # one conv per group, each its own weights
        assert zps == [asymmetric_u8(w[:3])[1], asymmetric_u8(w[3:])[1]], zps
    else:
        assert zps == [asymmetric_u8(w)[1]], zps

    program = tessera.compile(path, target="rv1126", calibration=calib,
                              no_fallback=True)
    x = calib[0]
    sim = tessera.simulate(program, {"x": x})
    attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}",
                      text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", attrs).group(1))
    xq = tessera.quant.quantize(x, scale, zp, "uint8").astype(np.int16)
    ref = tessera.run(text.encode(), {"x": (xq - 128).astype(np.int8)})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))
    want = ort.InferenceSession(str(path), providers=[
        "CPUExecutionProvider"]).run(None, {"x": x})[0]
    c = cosine(sim.outputs["y"], want)
    print(f"{name} asymmetric_u8 on rv1126: cosine {c:.6f}")
    assert c >= 0.999


# Cosine floors for the int16 schemes on this model (measured on the
# golden-free random input below; see the print): int16 activations with
# int8 weights (j5) are bounded by the weights' 8-bit rounding, like int8
# (>= 0.999); with int16 weights (orin, rv1126 dfp_i16, power-of-two
# scales up to 2x coarser) every step is 2^-15 of its range, so the
# relative error is ~2^-15 and 1 - cos ~ 1e-9: 0.99999 leaves a wide margin.
INT16_SCHEMES = [("j5", "int16_activations", 0.999),
                 ("orin", "int16_symmetric", 0.99999),
                 ("rv1126", "dfp_i16", 0.99999)]


@pytest.mark.parametrize("target,scheme,floor", INT16_SCHEMES)
def test_int16_schemes(tmp_path, target, scheme, floor):
    path = model(tmp_path / "m.onnx")
    calib = np.random.default_rng(5).uniform(-1, 1, (3, 3, 8, 8)) \
        .astype(np.float32)
    args = dict(target=target, calibration=calib, scheme=scheme)
    notes = []
    text = tessera.compile(path, emit="int", **args)
    assert "tensor<1x3x8x8xi16>" in text  # the argument is int16
    assert "acc_type = i48" in text and "scale32 = false" in text
    if scheme != "int16_activations":
        assert "x1x1x8xi16>" in text  # int16 weights of the 1x1 conv
    # The sigmoid (a table) has no int16 form yet: it runs on the host.
    assert text.count('tessera.device = "cpu"') >= 1
    program = tessera.compile(path, **args)
    x = calib[0:1]
    sim = tessera.simulate(program, {"x": x})
    attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}",
                      text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    assert 'tessera.dtype = "int16"' in attrs
    xq = tessera.quant.quantize(x, scale, 0, "int16").astype(np.int16)
    ref = tessera.run(text.encode(), {"x": xq})["y"]
    np.testing.assert_array_equal(sim.int_outputs["y"], ref.astype(np.int64))
    want = ort.InferenceSession(str(path), providers=[
        "CPUExecutionProvider"]).run(None, {"x": x})[0]
    c = cosine(sim.outputs["y"], want)
    print(f"{scheme} on {target}: cosine {c:.8f}")
    assert c >= floor


def test_node_dtypes_mixed(tmp_path):
    """Per-node precision on j5's int8 scheme: Conv_2 (the 1x1 conv, whose
    input Relu_1 stays int8) at int16. Its output is i16 (the sigmoid after
    it has no int16 table and runs on the host), its i8 input accumulates
    in i32 and rescales to i16; the first conv stays i8 -> i8. Simulator ==
    reference, and the output is at least as close to float as at int8."""
    path = model(tmp_path / "m.onnx")
    calib = np.random.default_rng(5).uniform(-1, 1, (3, 3, 8, 8)) \
        .astype(np.float32)
    x = calib[0:1]
    want = ort.InferenceSession(str(path), providers=[
        "CPUExecutionProvider"]).run(None, {"x": x})[0]
    cosines = {}
    for nodes in (None, {"Conv_2": "int16"}):
        args = dict(target="j5", calibration=calib, node_dtypes=nodes)
        text = tessera.compile(path, emit="int", **args)
        assert "tensor<1x3x8x8xi8>" in text  # the argument stays int8
        if nodes:
            assert re.search(r"tosa.rescale .* -> tensor<1x8x8x4xi16>", text)
            assert "acc_type = i48" not in text  # both conv inputs are i8
        sim = tessera.simulate(tessera.compile(path, **args), {"x": x})
        attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}",
                          text).group(1)
        scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)",
                                attrs).group(1))
        xq = tessera.quant.quantize(x, scale, 0, "int8").astype(np.int8)
        ref = tessera.run(text.encode(), {"x": xq})["y"]
        np.testing.assert_array_equal(sim.int_outputs["y"],
                                      ref.astype(np.int64))
        cosines[bool(nodes)] = cosine(sim.outputs["y"], want)
    print(f"j5 int8 {cosines[False]:.8f}, Conv_2 at int16 "
          f"{cosines[True]:.8f}")
    assert cosines[True] >= cosines[False] - 1e-6
