"""tessera.run: the reference executors from Python, checked against
onnxruntime (float) and hand-computed values (integer)."""
import os
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper as h

import tessera

from conftest import REPO, need_shared

sys.path.insert(0, str(REPO / "tests" / "lit" / "frontend" / "Inputs"))
import make_graph_models  # noqa: E402


def ort_run(model, feeds, extra_outputs=()):
    """onnxruntime on `model` (ModelProto); extra_outputs are intermediate
    tensor names added as graph outputs."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    for name in extra_outputs:
        model.graph.output.append(h.make_empty_tensor_value_info(name))
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds)))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "small.onnx"
    model = make_graph_models.small_cnn()
    onnx.save(model, path)
    x = np.random.default_rng(3).uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32)
    return path, model, x


def test_float_outputs_match_onnxruntime(small):
    path, model, x = small
    got = tessera.run(path, {"x": x})
    want = ort_run(model, {"x": x})
    assert list(got) == ["y"]
    assert got["y"].dtype == np.float32 and got["y"].shape == (1, 5)
    np.testing.assert_allclose(got["y"], want["y"], atol=2e-5, rtol=1e-5)


def test_dump_all_names_onnx_tensors_in_onnx_layout(small):
    path, model, x = small
    outputs, inter = tessera.run(str(path), {"x": x}, dump_all=True)
    # n0/n1: BatchNormalization outputs, produced by the Conv they were folded
    # into; r0/r1/a: NCHW activations; g, f: pooled and flattened.
    names = ["n0", "r0", "n1", "r1", "a", "g", "f"]
    want = ort_run(model, {"x": x}, extra_outputs=names)
    for name in names:
        assert inter[name].shape == want[name].shape, name
        np.testing.assert_allclose(inter[name], want[name], atol=2e-5,
                                   rtol=1e-5, err_msg=name)
    np.testing.assert_array_equal(inter["y"], outputs["y"])
    # The Conv outputs folded away with their BatchNormalization are gone.
    assert "c0" not in inter and "c1" not in inter


def test_bytes_and_mlir_inputs_give_the_same_result(small, tmp_path):
    path, _, x = small
    ref = tessera.run(path, {"x": x})["y"]
    np.testing.assert_array_equal(
        tessera.run(path.read_bytes(), {"x": x})["y"], ref)
    text = tessera.compile(path, emit="tosa")
    mlir = tmp_path / "small.mlir"
    mlir.write_text(text)
    np.testing.assert_array_equal(tessera.run(mlir, {"x": x})["y"], ref)
    np.testing.assert_array_equal(tessera.run(text.encode(), {"0": x})["y"],
                                  ref)


def test_input_shapes_fix_a_dynamic_batch(tmp_path):
    path = tmp_path / "dyn.onnx"
    model = make_graph_models.dynamic_batch()
    onnx.save(model, path)
    x = np.random.default_rng(4).uniform(-1, 1, (2, 3, 8, 8)).astype(np.float32)
    got = tessera.run(path, {"x": x}, input_shapes={"x": [2, 3, 8, 8]})
    np.testing.assert_allclose(got["y"], ort_run(model, {"x": x})["y"],
                               atol=5e-5, rtol=1e-5)


INTEGER_MLIR = """
func.func @main(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  %shift = "tosa.const"() {values = dense<1> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %a, %b, %shift : (tensor<3xi32>, tensor<3xi32>, tensor<1xi8>) -> tensor<3xi32>
  return %m : tensor<3xi32>
}
"""


def test_integer_mlir_runs_on_the_integer_executor():
    # TOSA MUL, i32, shift 1: (a * b + 1) >> 1 (round half up):
    # 7 * 3 = 21 -> 11; -7 * 3 = -21 -> -10; 5 * 1 = 5 -> 3.
    got = tessera.run(INTEGER_MLIR.encode(),
                      {"arg0": np.array([7, -7, 5]), "arg1": [3, 3, 1]})
    assert got["output0"].dtype == np.int32
    np.testing.assert_array_equal(got["output0"], [11, -10, 3])


def test_errors_raise_value_error(small):
    path, _, x = small
    with pytest.raises(ValueError, match="missing input 'x'"):
        tessera.run(path, {})
    with pytest.raises(ValueError, match="no input named 'y'"):
        tessera.run(path, {"x": x, "y": x})
    with pytest.raises(ValueError, match=r"input 'x': expected tensor<1x3x16x16xf32>"):
        tessera.run(path, {"x": x[:, :, :8]})
    with pytest.raises(ValueError, match="cannot open"):
        tessera.run(path.with_suffix(".missing.onnx"), {"x": x})


def test_mobilenet_v2_matches_the_golden_output():
    model = need_shared("models", "mobilenet_v2.onnx")
    golden = np.load(need_shared("models", "mobilenet_v2.golden.npz"))
    got = tessera.run(model, {"input": golden["input"]})["output"]
    # onnxruntime 1.32's float output, stored with the fixture.
    np.testing.assert_allclose(got, golden["float_out0"], atol=1e-3)
