"""tessera-compile --embed-preprocessing: the program takes raw uint8 pixels
(scale 1, zero point 0) and applies (pixel / 255 - mean) / std itself.

Oracles: onnxruntime on the float model fed the same pixels preprocessed in
float (the dequantized simulator output within a few output quantization
steps, at the zero-padded borders as in the interior), and the integer
reference executor (the simulator's integers equal it exactly). A wrong pad
value (padding the pixels with 0, i.e. a normalised -mean/std) moves the
border outputs by sum(w * mean / std), tens of steps here."""
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

from conftest import run_tool

ort = pytest.importorskip("onnxruntime")
TARGETS = ["rv1126", "j5", "orin"]
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
FLAGS = ["--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225"]
H, W = 9, 11


def conv_model(path, pads):
    """x [1, 3, H, W] -> Conv 3x3 (4 outputs, bias) with `pads` -> y."""
    rng = np.random.default_rng(1)
    w = rng.normal(0, 0.3, (4, 3, 3, 3)).astype(np.float32)
    b = rng.normal(0, 0.2, 4).astype(np.float32)
    oh, ow = H + pads[0] + pads[2] - 2, W + pads[1] + pads[3] - 2
    graph = h.make_graph(
        [h.make_node("Conv", ["x", "w", "b"], ["y"], pads=pads)], "embed",
        [h.make_tensor_value_info("x", TP.FLOAT, [1, 3, H, W])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, 4, oh, ow])],
        [nh.from_array(w, "w"), nh.from_array(b, "b")])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def pixels(seed, n=1):
    """n random RGB images [n, 1, 3, H, W] of uint8 pixels."""
    return np.random.default_rng(seed).integers(0, 256, (n, 1, 3, H, W),
                                                dtype=np.uint8)


def to_layout(p, nhwc, bgr):
    """NCHW RGB pixels [..., 3, H, W] in the given layout and colour order."""
    if bgr:
        p = p[..., ::-1, :, :]
    if nhwc:
        p = np.moveaxis(p, -3, -1)
    return np.ascontiguousarray(p)


def normalised(p):
    """The float input the model expects, from NCHW RGB pixels."""
    return ((p.astype(np.float32) / 255 - MEAN[:, None, None]) /
            STD[:, None, None]).astype(np.float32)


def boundary_attrs(text, which):
    sig = re.search(r"func.func @main\((.*)\) -> \((.*)\) \{", text)
    attrs = sig.group(1 if which == "arg" else 2)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", attrs).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', attrs).group(1)
    return scale, zp, dtype


def compile_embedded(tmp, model, target, nhwc=False, bgr=False, tag=""):
    calib = tmp / f"calib{tag}.npz"
    np.savez(calib, x=to_layout(pixels(7, 3), nhwc, bgr).astype(np.float32))
    args = [model, "--target", target, "--calibration", calib, *FLAGS,
            "--embed-preprocessing", "--quiet"]
    if nhwc:
        args += ["--input-layout", "nhwc"]
    if bgr:
        args += ["--input-color", "bgr"]
    run_tool("tessera-compile", *args, "-o", tmp / f"m{tag}.npubin")
    run_tool("tessera-compile", *args, "--emit=int", "-o", tmp / f"m{tag}.mlir")
    return tmp / f"m{tag}.npubin", tmp / f"m{tag}.mlir"


def simulate(tmp, program, p, tag=""):
    np.save(tmp / f"p{tag}.npy", p)
    run_tool("tessera-sim", program, "--input", f"x={tmp / f'p{tag}.npy'}",
             "--output-dir", tmp / f"out{tag}", "--quiet")
    return (np.load(tmp / f"out{tag}" / "y.npy"),
            np.load(tmp / f"out{tag}" / "y.int.npy"))


def check_against_references(tmp, model, program, int_mlir, p):
    """Simulator == integer reference executor bit for bit; dequantized
    output within 3 output steps of onnxruntime everywhere (borders too)."""
    text = int_mlir.read_text()
    # The deployed input contract: the pixel byte is the quantized value.
    assert boundary_attrs(text, "arg") == (1.0, 0, "uint8")
    out_scale = boundary_attrs(text, "result")[0]
    deq, ints = simulate(tmp, program, p)
    # tessera.simulate takes the same uint8 image (its uint8 view).
    import tessera
    api = tessera.simulate(str(program), {"x": p})
    np.testing.assert_array_equal(api.int_outputs["y"], ints)
    # The integer level computes on the uint8 bytes XOR 0x80 (q - 128).
    np.save(tmp / "pq.npy", (p.astype(np.int16) - 128).astype(np.int8))
    run_tool("tessera-run", int_mlir, "--input", f"x={tmp / 'pq.npy'}",
             "--output-dir", tmp / "ref")
    ref = np.load(tmp / "ref" / "y.npy")
    # Both hold the int8 image of a uint8 result (q - 128).
    np.testing.assert_array_equal(ref.astype(np.int64), ints.astype(np.int64))
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    return deq, sess, out_scale


@pytest.mark.parametrize("target", TARGETS)
def test_padded_first_conv_borders(tmp_path, target):
    """Conv with pads 1: the normalisation stays a 1x1 conv (the pad value
    255 * mean is no pixel), so the padded conv pads with its input's zero
    point = normalised 0, as the float model does."""
    model = conv_model(tmp_path / "pad.onnx", [1, 1, 1, 1])
    program, int_mlir = compile_embedded(tmp_path, model, target)
    p = pixels(3)[0]
    deq, sess, step = check_against_references(tmp_path, model, program,
                                               int_mlir, p)
    want = sess.run(None, {"x": normalised(p)})[0]
    err = np.abs(deq - want)
    border = np.zeros(want.shape, bool)
    border[..., 0, :] = border[..., -1, :] = True
    border[..., :, 0] = border[..., :, -1] = True
    assert err[border].max() <= 3 * step, (err[border].max(), step)
    assert err[~border].max() <= 3 * step, (err[~border].max(), step)


@pytest.mark.parametrize("target", TARGETS)
def test_unpadded_first_conv_absorbs_normalisation(tmp_path, target):
    """Conv without padding: the normalisation folds into its weights and
    bias, so the float level has the one conv and no 1x1 conv."""
    model = conv_model(tmp_path / "nopad.onnx", [0, 0, 0, 0])
    calib = tmp_path / "c.npz"
    np.savez(calib, x=pixels(7, 3).astype(np.float32))
    tosa = run_tool("tessera-compile", model, "--calibration", calib, *FLAGS,
                    "--embed-preprocessing", "--emit=tosa").stdout
    assert tosa.count("tosa.conv2d") == 1
    assert "tensor<1x3x9x11xf32>" in tosa  # the NCHW pixel input
    program, int_mlir = compile_embedded(tmp_path, model, target)
    p = pixels(4)[0]
    deq, sess, step = check_against_references(tmp_path, model, program,
                                               int_mlir, p)
    want = sess.run(None, {"x": normalised(p)})[0]
    assert np.abs(deq - want).max() <= 3 * step


@pytest.mark.parametrize("pads", [[1, 1, 1, 1], [0, 0, 0, 0]])
def test_nhwc_bgr_is_only_the_input_order(tmp_path, pads):
    """The same image given as NHWC BGR to a program compiled with
    --input-layout nhwc --input-color bgr gives the integers the NCHW RGB program
    gives (calibrated on the same images in each order)."""
    model = conv_model(tmp_path / "m.onnx", pads)
    a, _ = compile_embedded(tmp_path, model, "j5", tag="a")
    b, b_mlir = compile_embedded(tmp_path, model, "j5", nhwc=True, bgr=True,
                                 tag="b")
    assert "tensor<1x9x11x3xi8>" in b_mlir.read_text()
    p = pixels(5)[0]
    _, ia = simulate(tmp_path, a, p, "a")
    _, ib = simulate(tmp_path, b, to_layout(p, True, True), "b")
    np.testing.assert_array_equal(ia, ib)


def test_flag_errors(tmp_path):
    model = conv_model(tmp_path / "m.onnx", [1, 1, 1, 1])
    r = run_tool("tessera-compile", model, "--input-layout", "nhwc",
                 "--emit=tosa", check=False)
    assert r.returncode == 1
    assert "error: --input-layout and --input-color describe the pixels of " \
           "--embed-preprocessing" in r.stderr
    r = run_tool("tessera-compile", model, "--embed-preprocessing",
                 "--input-color", "rgba", "--emit=tosa", check=False)
    assert r.returncode == 1
    assert "error: --input-color: expected rgb or bgr, got 'rgba'" in r.stderr
    r = run_tool("tessera-compile", model, "--embed-preprocessing", "--mean",
                 "0.5", "--std", "0.5", "--emit=tosa", check=False)
    assert r.returncode == 1
    assert "--embed-preprocessing: expected a float image input [N, 1, H, " \
           "W]" in r.stderr


def test_python_api(tmp_path):
    """tessera.compile(embed_preprocessing=True, input_layout, input_color): the
    same contract as the command line."""
    import tessera
    model = conv_model(tmp_path / "m.onnx", [1, 1, 1, 1])
    calib = to_layout(pixels(7, 3), True, False).astype(np.float32)
    text = tessera.compile(str(model), target="j5", calibration=calib,
                           mean=tuple(MEAN), std=tuple(STD),
                           embed_preprocessing=True, input_layout="nhwc",
                           emit="int")
    assert "tensor<1x9x11x3xi8>" in text
    assert boundary_attrs(text, "arg") == (1.0, 0, "uint8")
    with pytest.raises(ValueError, match="compile: input_layout: expected "
                                         "'nchw' or 'nhwc', got 'hwc'"):
        tessera.compile(str(model), calibration=calib, input_layout="hwc",
                        embed_preprocessing=True, emit="int")
    with pytest.raises(ValueError, match="compile: input_color: expected 'rgb' "
                                         "or 'bgr', got 'RGB'"):
        tessera.compile(str(model), calibration=calib, input_color="RGB",
                        embed_preprocessing=True, emit="int")
    with pytest.raises(ValueError, match="compile: input_layout and input_color "
                                         "describe the pixels of "
                                         "embed_preprocessing, which is False"):
        tessera.compile(str(model), calibration=calib, input_color="bgr",
                        emit="int")
