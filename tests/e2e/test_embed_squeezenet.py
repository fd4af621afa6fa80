"""squeezenet1_1 with --embed-preprocessing on every target: the program
takes the golden photo's raw uint8 pixels; its first conv (3x3, stride 2,
no padding) absorbs (pixel / 255 - mean) / std.

Oracle: onnxruntime's float output on the same pixels preprocessed in float.
The embedded program must be as close to it as the program that takes the
float input (calibrated on the same single image): cosine at least the
non-embedded one's minus 0.001. CI calibrates on 1 image to stay fast."""
import numpy as np
import pytest

from conftest import cosine, need_shared, run_tool

ort = pytest.importorskip("onnxruntime")
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])
FLAGS = ["--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225",
         "--max-calibration-samples", "1", "--quiet"]


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    model = need_shared("models", "squeezenet1_1.onnx")
    g = np.load(need_shared("models", "squeezenet1_1.golden.npz"))
    # The golden input is a JPEG's pixels preprocessed: recover them (they
    # are integers to within 3e-5).
    p = (g["input"].astype(np.float64) * STD[:, None, None] +
         MEAN[:, None, None]) * 255
    assert np.abs(p - np.round(p)).max() < 1e-3
    p = np.round(p).astype(np.uint8)
    x = ((p.astype(np.float32) / 255 - MEAN[:, None, None].astype(np.float32))
         / STD[:, None, None].astype(np.float32)).astype(np.float32)
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    want = sess.run(None, {"input": x})[0]
    tmp = tmp_path_factory.mktemp("embed_sq")
    np.save(tmp / "p.npy", p)
    np.save(tmp / "x.npy", x)
    return model, tmp, want


def sim_output(tmp, program, array, tag):
    run_tool("tessera-sim", program, "--input", f"input={array}",
             "--output-dir", tmp / tag, "--quiet")
    return np.load(tmp / tag / "output.npy")


@pytest.mark.parametrize("target", ["rv1126", "j5", "orin"])
def test_embedded_preprocessing_matches_float_preprocessing(golden, target):
    model, tmp, want = golden
    calib = need_shared("models", "calib224")
    common = [model, "--target", target, "--calibration", calib, *FLAGS]
    plain = tmp / f"plain_{target}.npubin"
    embedded = tmp / f"embed_{target}.npubin"
    run_tool("tessera-compile", *common, "-o", plain)
    run_tool("tessera-compile", *common, "--embed-preprocessing", "-o",
             embedded)
    cos_plain = cosine(sim_output(tmp, plain, tmp / "x.npy", f"p_{target}"),
                       want)
    cos_embed = cosine(sim_output(tmp, embedded, tmp / "p.npy",
                                  f"e_{target}"), want)
    print(f"\nsqueezenet1_1 {target}: cosine vs onnxruntime float, "
          f"float input {cos_plain:.6f}, embedded uint8 pixels {cos_embed:.6f}")
    assert cos_embed >= cos_plain - 0.001
