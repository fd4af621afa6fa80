"""The patterned torchvision models (../shared/fixtures/patterned: resnet18,
resnet50, efficientnet_b0, BatchNormalization left unfolded) import and run
in the float reference executor, and agree with onnxruntime (float) on the
golden photo: cosine >= 0.99999 and max|diff| <= 1e-4 * max|ref|, the bar
issue 3 sets for the float executor.

The models are materialized from their skeletons with the fixture's own
materialize.py into pytest's temporary directory (never into ../shared)."""
import subprocess
import sys

import numpy as np
import pytest

from conftest import cosine, need_shared, run_tool

ort = pytest.importorskip("onnxruntime")
Image = pytest.importorskip("PIL.Image")

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def golden_input():
    img = need_shared("models", "golden224_rocket.jpg")
    x = np.asarray(Image.open(img).convert("RGB"), np.float32) / 255.0
    x = (x - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


@pytest.mark.parametrize("model", ["resnet18", "resnet50", "efficientnet_b0"])
def test_patterned_model_matches_onnxruntime(tmp_path, model):
    skeleton = need_shared("patterned", f"{model}.skeleton.onnx")
    onnx_path = tmp_path / f"{model}.onnx"
    subprocess.run([sys.executable, str(skeleton.parent / "materialize.py"),
                    str(skeleton), str(onnx_path)], check=True)
    x = golden_input()
    sess = ort.InferenceSession(str(onnx_path),
                                providers=["CPUExecutionProvider"])
    in_name = sess.get_inputs()[0].name
    out_name = sess.get_outputs()[0].name
    ref = sess.run(None, {in_name: x})[0]

    np.save(tmp_path / "x.npy", x)
    run_tool("tessera-run", onnx_path, "--input", f"{in_name}={tmp_path / 'x.npy'}",
             "--output-dir", tmp_path / "out")
    got = np.load(tmp_path / "out" / f"{out_name}.npy")
    assert got.shape == ref.shape
    cos = cosine(got, ref)
    max_diff = float(np.max(np.abs(got - ref)))
    bound = 1e-4 * float(np.max(np.abs(ref)))
    print(f"{model}: cosine {cos:.8f}, max|diff| {max_diff:.3g} "
          f"(bound {bound:.3g})")
    assert cos >= 0.99999
    assert max_diff <= bound
