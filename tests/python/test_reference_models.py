"""The float reference executor on the fixture CNNs, imported with
tessera-import, against onnxruntime's outputs stored in NAME.golden.npz."""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from _tessera_run import REPO, tessera_run_path

SHARED = Path(os.environ.get("TESSERA_SHARED_DIR", REPO.parent / "shared"))
MODELS = SHARED / "fixtures" / "models"


def tessera_import_path():
    run = Path(tessera_run_path())
    cand = run.parent / "tessera-import"
    if cand.exists():
        return str(cand)
    found = shutil.which("tessera-import")
    if not found:
        pytest.skip("tessera-import is not built")
    return found


@pytest.mark.parametrize("model", ["squeezenet1_1", "mobilenet_v2", "yolov5s"])
def test_float_executor_matches_onnxruntime_on_model(tmp_path, model):
    if not (MODELS / f"{model}.onnx").exists():
        pytest.skip(f"{MODELS} is absent (fixtures live in ../shared)")
    mlir = tmp_path / f"{model}.mlir"
    subprocess.run([tessera_import_path(), str(MODELS / f"{model}.onnx"),
                    "-o", str(mlir)], check=True, capture_output=True)
    golden = np.load(MODELS / f"{model}.golden.npz")
    np.save(tmp_path / "input.npy", golden["input"])
    proc = subprocess.run([tessera_run_path(), str(mlir), "--input",
                           f"input={tmp_path / 'input.npy'}", "--output-dir",
                           str(tmp_path / "out")], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    got = np.load(tmp_path / "out" / "output.npy")
    want = golden["float_out0"]
    assert got.shape == want.shape
    # cosine >= 0.99999 and max|diff| <= 1e-4 * max|ref| (in float64).
    got, want = got.astype(np.float64), want.astype(np.float64)
    cos = float((got * want).sum() / np.linalg.norm(got) / np.linalg.norm(want))
    rel = np.abs(got - want).max() / np.abs(want).max()
    print(f"{model}: cosine {cos:.10f}, max|diff| / max|ref| {rel:.3g}")
    assert cos >= 0.99999
    assert rel <= 1e-4
