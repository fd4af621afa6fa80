"""Tessera's integer TOSA against Arm's TOSA reference model, bit for bit
(issue 11, section 6; docs/reference.md "TOSA reference model").

tessera.compile(..., emit="int") writes TOSA in MLIR 22's tosa dialect.
The pinned tosa-tools wheel (python/requirements-tosa.txt, in .venv-tosa
made by scripts/setup --tosa; these tests skip without it) ships tosa-opt
built from LLVM 24.0.0git with the TOSA flatbuffer serializer: it parses
that MLIR as it is and writes the flatbuffer (TOSA 1.1) that
tosa_reference_model runs. The reference model's output on the golden input,
quantized as the program's argument says, must equal tessera.run's (the
integer reference executor, itself bit-exact with the simulator:
tests/e2e/test_model_matrix.py) element for element.

Models: squeezenet1_1 and mobilenet_v2 (../shared/fixtures/models,
calibrated on the first CALIB_SAMPLES photos as the model matrix does) on
j5 (int8 symmetric, per-channel weights) and rv1126 (uint8 asymmetric
activations, carried as their int8 image q - 128, per-tensor weights);
MNIST up to its logits. MNIST's Softmax is Tessera's tosa.custom
(domain "tessera", TOSA has no softmax): the reference model rejects the
whole graph naming it, which is checked too.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, need_shared, quantized_input
from fixture_models import (GOLDEN_MNIST, MODELS, calibration_photos,
                            image_input, mnist_images, model_file)

tessera = pytest.importorskip("tessera")
pytest.importorskip("PIL.Image")

CALIB_SAMPLES = 2


def tosa_tool(name):
    """A tosa-tools program: $TESSERA_TOSA_TOOLS_DIR, .venv-tosa/bin, then
    PATH; skips when absent."""
    dirs = [os.environ.get("TESSERA_TOSA_TOOLS_DIR"), REPO / ".venv-tosa" /
            "bin"]
    for d in dirs:
        if d and (Path(d) / name).exists():
            return str(Path(d) / name)
    found = shutil.which(name)
    if found:
        return found
    pytest.skip(f"{name} not found (scripts/setup --tosa installs the TOSA "
                f"reference model into .venv-tosa)")


@pytest.fixture(scope="module")
def tools():
    """{name: path} of the two tosa-tools programs used (skips first)."""
    return {name: tosa_tool(name)
            for name in ("tosa-opt", "tosa_reference_model")}


def serialize(tools, int_mlir, tmp_path):
    """The flatbuffer of the integer program, written by tosa-opt."""
    out = tmp_path / "m.tosa"
    proc = subprocess.run(
        [tools["tosa-opt"], str(int_mlir),
         f"--tosa-serialize=tosa-flatbuffer-filename={out}", "-o",
         os.devnull], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def reference_model(tools, flatbuffer, xq, tmp_path):
    """(exit code, output or None, log) of tosa_reference_model on the
    input integers `xq`. The serializer names the graph's tensors
    TosaInput_0 / TosaOutput_0."""
    np.save(tmp_path / "xq.npy", xq)
    out = tmp_path / "ref_out.npy"
    proc = subprocess.run(
        [tools["tosa_reference_model"], "--tosa_file", str(flatbuffer),
         "--ifm_name", "TosaInput_0", "--ifm_file", str(tmp_path / "xq.npy"),
         "--ofm_name", "TosaOutput_0", "--ofm_file", str(out)],
        capture_output=True, text=True, cwd=tmp_path)
    log = proc.stdout + proc.stderr
    return proc.returncode, (np.load(out) if out.exists() else None), log


def inputs(model, tmp_path):
    """(float model, calibration samples, golden input)."""
    source, _, golden, mean_std = MODELS[model]
    path = model_file(need_shared, model, tmp_path)
    if source == "mnist":
        return (path, mnist_images(need_shared, 0, 100),
                mnist_images(need_shared, GOLDEN_MNIST, 1))
    photos = calibration_photos(need_shared, model)[:CALIB_SAMPLES]
    return (path, np.concatenate([image_input(p, mean_std) for p in photos]),
            image_input(need_shared("models", golden), mean_std))


def logits_model(path, tmp_path):
    """The model cut before its final Softmax (onnx.utils.extract_model)."""
    import onnx
    from onnx.utils import extract_model
    graph = onnx.load(str(path)).graph
    last = next(n for n in graph.node if n.output[0] == graph.output[0].name)
    assert last.op_type == "Softmax"
    out = tmp_path / "logits.onnx"
    extract_model(str(path), str(out), [graph.input[0].name],
                  [last.input[0]])
    return out


@pytest.mark.parametrize("model,target", [
    ("squeezenet1_1", "j5"), ("squeezenet1_1", "rv1126"),
    ("mobilenet_v2", "j5"), ("mnist", "j5"), ("mnist", "rv1126")])
def test_reference_model_matches_tessera(tools, model, target, tmp_path):
    path, samples, x = inputs(model, tmp_path)
    if model == "mnist":
        path = logits_model(path, tmp_path)
    text = tessera.compile(path, target=target, calibration=samples,
                           emit="int")
    assert "tosa.custom" not in text
    int_mlir = tmp_path / "int.mlir"
    int_mlir.write_text(text)
    xq = quantized_input(int_mlir, x)
    code, ref, log = reference_model(
        tools, serialize(tools, int_mlir, tmp_path), xq, tmp_path)
    assert code == 0 and ref is not None, log[-3000:]
    ours = tessera.run(int_mlir, {"arg0": xq})
    ours = next(iter(ours.values()))
    assert ref.dtype == ours.dtype == np.int8
    assert ref.shape == ours.shape
    # Not a constant output: the comparison could not pass by accident.
    assert len(np.unique(ours)) > 5, np.unique(ours)
    np.testing.assert_array_equal(ref, ours)


def test_reference_model_rejects_tessera_softmax(tools, tmp_path):
    """The full MNIST model ends in Tessera's integer Softmax, a tosa.custom
    the reference model has no implementation of: it refuses the graph
    (exit code non-zero) and names the operator."""
    path, samples, x = inputs("mnist", tmp_path)
    text = tessera.compile(path, target="j5", calibration=samples,
                           emit="int")
    assert re.search(r'tosa.custom .*domain_name = "tessera".*'
                     r'operator_name = "softmax"', text)
    int_mlir = tmp_path / "int.mlir"
    int_mlir.write_text(text)
    code, ref, log = reference_model(
        tools, serialize(tools, int_mlir, tmp_path),
        quantized_input(int_mlir, x), tmp_path)
    assert code != 0 and ref is None
    assert "tessera::softmax is not registered" in log, log[-3000:]
