"""benchmarks/ptq_vs_ort.py (issue 11, section 6) on MNIST: its JSON has the
documented schema, and its numbers are what Tessera and onnxruntime give
when asked directly.

The Tessera cosine in the JSON must equal the one computed here from
tessera.compile(emit="int") + tessera.run on the golden image (the same
arithmetic, done independently of the script) and from tessera.compile +
tessera.simulate (the simulator, bit-exact with the integer executor); the
float top-1 must equal onnxruntime's on the same images; j5 and orin, which
share a scheme, must have identical rows. Skips without ../shared (the
script itself exits 0 with a message then, checked too).
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import (REPO, cosine, dequantized_output, need_shared,
                      quantized_input)
from fixture_models import GOLDEN_MNIST, mnist_images, mnist_labels

ort = pytest.importorskip("onnxruntime")
tessera = pytest.importorskip("tessera")

SCRIPT = REPO / "benchmarks" / "ptq_vs_ort.py"
EVAL = 30
ROW_KEYS = {"model", "target", "scheme", "activations", "weights", "method",
            "calib_samples", "golden", "tessera_cosine", "tessera_seconds",
            "tessera_top1", "ort_method", "ort_settings", "ort_cosine",
            "ort_cosine_unoptimized", "ort_seconds", "ort_top1",
            "ort_top1_unoptimized", "float_top1"}


def bench(*args, env=None):
    return subprocess.run([sys.executable, str(SCRIPT), "--quiet", *args],
                          capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    need_shared("onnx-mlir-mnist", "mnist.onnx")
    tmp = tmp_path_factory.mktemp("ptq_vs_ort")
    proc = bench("--models", "mnist", "--targets", "j5,orin,rv1126",
                 "--methods", "minmax,percentile,mse", "--mnist-eval",
                 str(EVAL), "--work", str(tmp / "work"), "--json",
                 str(tmp / "out.json"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((tmp / "out.json").read_text()), proc.stdout


def test_json_schema(result):
    doc, stdout = result
    assert doc["calib_images"] == 12 and doc["percentile"] == 99.99
    assert doc["mnist_eval"] == EVAL and doc["threads"] == 1
    assert doc["onnxruntime"] == ort.__version__
    rows = doc["rows"]
    # 3 targets x 3 methods, by scheme (in --targets order), method, target.
    methods = ("minmax", "percentile", "mse")
    assert [(r["target"], r["method"]) for r in rows] == [
        (t, m) for m in methods for t in ("j5", "orin")] + [
        ("rv1126", m) for m in methods]
    for r in rows:
        assert r["model"] == "mnist" and r["calib_samples"] == 100
        assert r["golden"] == f"MNIST test image {GOLDEN_MNIST}"
        assert 0.9 < r["tessera_cosine"] <= 1.0 + 1e-12
        assert 0.0 <= r["tessera_top1"] <= 1.0
        if r["method"] == "mse":
            # No onnxruntime counterpart: no peer numbers at all.
            assert r["ort_method"] is None
            assert set(r) == ROW_KEYS - {k for k in ROW_KEYS if k.startswith(
                "ort_") and k != "ort_method"}
            continue
        assert set(r) == ROW_KEYS
        assert r["ort_method"] == {"minmax": "MinMax",
                                   "percentile": "Percentile"}[r["method"]]
        s = r["ort_settings"]
        j5 = r["target"] != "rv1126"
        assert s["activation_type"] == ("QInt8" if j5 else "QUInt8")
        # rv1126: asymmetric uint8 weights per tensor (RKNN's default).
        assert s["weight_type"] == ("QInt8" if j5 else "QUInt8")
        assert s["per_channel"] == j5
        assert s["extra_options"]["ActivationSymmetric"] == j5
        assert s["extra_options"]["WeightSymmetric"] == j5
        if r["method"] == "percentile":
            assert s["extra_options"]["CalibPercentile"] == 99.99
            assert s["extra_options"]["CalibTensorRangeSymmetric"] == j5
        for k in ("ort_cosine", "ort_cosine_unoptimized"):
            assert 0.9 < r[k] <= 1.0 + 1e-12
    by = {(r["target"], r["method"]): r for r in rows}
    for m in ("minmax", "percentile", "mse"):
        assert ({k: v for k, v in by["j5", m].items() if "seconds" not in k
                 and k != "target"} ==
                {k: v for k, v in by["orin", m].items() if "seconds" not in k
                 and k != "target"})
    # The printed table has one line per row, with the JSON's cosines.
    for r in rows:
        assert (f"| mnist | {r['target']} ({r['scheme']}) | {r['method']} | "
                f"{r['tessera_cosine']:.6f}") in stdout


@pytest.mark.parametrize("target", ["j5", "rv1126"])
def test_tessera_cosine_is_compile_and_run(result, target, tmp_path):
    doc, _ = result
    model = need_shared("onnx-mlir-mnist", "mnist.onnx")
    calib = mnist_images(need_shared, 0, 100)
    x = mnist_images(need_shared, GOLDEN_MNIST, 1)
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    float_out = sess.run(None, {"image": x})[0]
    row = next(r for r in doc["rows"]
               if r["target"] == target and r["method"] == "percentile")

    # The integer reference executor.
    text = tessera.compile(model, target=target, calibration=calib,
                           calibration_method="percentile", emit="int")
    mlir = tmp_path / "int.mlir"
    mlir.write_text(text)
    q = tessera.run(mlir, {"image": quantized_input(mlir, x)})
    ours = cosine(dequantized_output(mlir, q["prediction"]), float_out)
    assert ours == pytest.approx(row["tessera_cosine"], abs=1e-12)

    # The simulator on the compiled program.
    program = tessera.compile(model, target=target, calibration=calib,
                              calibration_method="percentile")
    sim = tessera.simulate(program, {"image": x})[0]["prediction"]
    assert cosine(sim, float_out) == pytest.approx(row["tessera_cosine"],
                                                   abs=1e-12)


def test_float_top1_is_onnxruntime(result):
    doc, _ = result
    model = need_shared("onnx-mlir-mnist", "mnist.onnx")
    x = mnist_images(need_shared, 100, EVAL)
    labels = mnist_labels(need_shared, 100, EVAL)
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    hits = sum(int(np.argmax(sess.run(None, {"image": x[i:i + 1]})[0]) ==
                   labels[i]) for i in range(EVAL))
    assert {r["float_top1"] for r in doc["rows"]} == {hits / EVAL}


def test_skips_without_shared(tmp_path):
    proc = bench("--models", "mnist", env={
        "TESSERA_SHARED_DIR": str(tmp_path / "absent")})
    assert proc.returncode == 0
    assert proc.stdout == ""
    assert proc.stderr.startswith("ptq_vs_ort: skipped: fixture ")
    assert "not available" in proc.stderr


@pytest.mark.parametrize("args,message", [
    (["--models", "mnist,lenet"], "argument --models: unknown model lenet"),
    (["--methods", "entropy"], "argument --methods: unknown method entropy"),
    (["--calib-images", "13"], "--calib-images: expected 1 to 12"),
    (["--percentile", "0"], "--percentile: expected (0, 100]"),
])
def test_bad_arguments(args, message):
    proc = bench(*args)
    assert proc.returncode == 2
    assert message in proc.stderr.splitlines()[-1]
