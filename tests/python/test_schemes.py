"""--scheme (issue 11, section 2): any quantization scheme a target profile
declares, by name. rv1126's dfp_i8 is RKNN's dynamic_fixed_point-i8:
symmetric int8 with power_of_two_scale, so every activation and weight
scale is 2^-n and each requantisation (s_in s_w / s_out, a ratio of powers
of two) is a pure shift. Checked on a small conv model:
- every scale of the quant-level program is a power of two;
- the simulator equals the integer reference executor bit for bit;
- the dequantized output is close to onnxruntime's float output;
- every rescale multiplier is 2^30 (the rescale is a shift);
and an unknown scheme is one error naming the scheme and what the target
has. The int16 schemes (j5 int16_activations, orin int16_symmetric, rv1126
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
from conftest import cosine

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
