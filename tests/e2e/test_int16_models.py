"""int16 activations on the fixture models (issue 11 section 2, mixed
precision of section 3): mobilenet_v2 and resnet18 compiled with j5's
int16_activations (int16 activations, int8 per-channel weights) and orin's
int16_symmetric (int16 activations and weights), calibrated with MinMax on
the first two calibration photos, run on the golden photo:

- the simulator's output integers equal the integer reference executor's
  (tessera-run on --emit=int) bit for bit;
- the dequantized output's cosine against onnxruntime float is at least
  FLOOR (measured figures in docs/quantization.md "int16 activations"):
  with int16 weights the activations and weights are both 2^-15 of their
  ranges, so the network output is close to float (mobilenet_v2 measured
  0.999985 on orin); with int8 weights the weights' rounding dominates (mobilenet_v2
  0.987 on j5, against 0.972 at int8; resnet18 0.999974 on j5, 1.000000
  on orin).
- mixed precision: mobilenet_v2 at int8 on j5 with the first two blocks and
  the classifier at int16 (--node-dtype): both dtypes in the integer level,
  simulator == reference, and a cosine above int8's (measured 0.975246
  against 0.972167 at int8 and 0.987072 at full int16 on j5)."""
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import cosine, need_shared, quantized_input, run_tool

ort = pytest.importorskip("onnxruntime")

CALIB = ["--max-calibration-samples", "2",
         "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225"]
# (model, target, scheme, node dtypes) -> cosine floor.
FLOOR = {
    ("mobilenet_v2", "j5", "int16_activations", None): 0.985,
    ("mobilenet_v2", "orin", "int16_symmetric", None): 0.99995,
    ("resnet18", "j5", "int16_activations", None): 0.9999,
    ("resnet18", "orin", "int16_symmetric", None): 0.99999,
    ("mobilenet_v2", "j5", None,
     "/features/features.[01]/*=int16,/classifier/*=int16"): 0.974,
}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    cache = {}

    def get(model):
        if model not in cache:
            tmp = tmp_path_factory.mktemp(model)
            if model == "resnet18":
                skeleton = need_shared("patterned", "resnet18.skeleton.onnx")
                path = tmp / "resnet18.onnx"
                subprocess.run([sys.executable,
                                str(skeleton.parent / "materialize.py"),
                                str(skeleton), str(path)], check=True)
            else:
                path = need_shared("models", f"{model}.onnx")
            # The golden photo, preprocessed (ImageNet mean/std, 224x224).
            x = np.load(need_shared("models", "mobilenet_v2.golden.npz"))[
                "input"]
            sess = ort.InferenceSession(str(path),
                                        providers=["CPUExecutionProvider"])
            want = sess.run(None, {sess.get_inputs()[0].name: x})[0]
            np.save(tmp / "x.npy", x)
            cache[model] = (path, tmp, sess.get_inputs()[0].name,
                            sess.get_outputs()[0].name, x, want)
        return cache[model]
    return get


@pytest.mark.parametrize("model,target,scheme,nodes", list(FLOOR))
def test_int16_model(models, model, target, scheme, nodes, tmp_path):
    path, mtmp, inp, out, x, want = models(model)
    args = [path, "--target", target, "--calibration",
            need_shared("models", "calib224"), *CALIB, "--quiet"]
    if scheme:
        args += ["--scheme", scheme]
    if nodes:
        args += ["--node-dtype", nodes]
    run_tool("tessera-compile", *args, "-o", tmp_path / "m.npubin")
    run_tool("tessera-compile", *args, "--emit=int", "-o",
             tmp_path / "int.mlir")
    text = (tmp_path / "int.mlir").read_text()
    arg = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}", text).group(1)
    if scheme:
        assert 'tessera.dtype = "int16"' in arg
    else:  # mixed: the first conv's input is int16, int8 regions remain
        assert "acc_type = i48" in text and "acc_type = i32" in text
    np.save(tmp_path / "xq.npy", quantized_input(tmp_path / "int.mlir", x))
    run_tool("tessera-run", tmp_path / "int.mlir", "--input",
             f"{inp}={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "ref")
    run_tool("tessera-sim", tmp_path / "m.npubin", "--input",
             f"{inp}={mtmp / 'x.npy'}", "--output-dir", tmp_path / "sim",
             "--quiet")
    ref = np.load(tmp_path / "ref" / f"{out}.npy").astype(np.int64)
    sim = np.load(tmp_path / "sim" / f"{out}.int.npy").astype(np.int64)
    np.testing.assert_array_equal(sim, ref)
    c = cosine(np.load(tmp_path / "sim" / f"{out}.npy"), want)
    print(f"\n{model} {target} {scheme or nodes}: cosine {c:.6f}")
    assert c >= FLOOR[model, target, scheme, nodes]
