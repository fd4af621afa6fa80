"""tessera.run: the reference executors from Python, checked against
onnxruntime (float) and hand-computed values (integer)."""
import os
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper as h

import tessera

from conftest import REPO, need_shared, onnxruntime_unoptimized

sys.path.insert(0, str(REPO / "tests" / "lit" / "frontend" / "Inputs"))
import make_graph_models  # noqa: E402


ort_run = onnxruntime_unoptimized


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


def fused_cnn():
    """Conv+Clip(0,6) (relu6), depthwise Conv+Clip, Conv+Sigmoid+Mul (SiLU)
    and a deep 1x1 Conv+Relu: every pattern the float executor fuses, at
    sizes that take both of its convolution paths (64x64 = 4096 pixels in
    row blocks; 8x8 = 64 pixels with 160 channels split in column blocks of
    64, the last one partial)."""
    rng = np.random.default_rng(11)

    def w(*shape):
        return rng.normal(0, 0.3, shape).astype(np.float32)

    inits = [
        onnx.numpy_helper.from_array(w(24, 3, 3, 3), "w0"),
        onnx.numpy_helper.from_array(w(24), "b0"),
        onnx.numpy_helper.from_array(w(24, 1, 3, 3), "w1"),
        onnx.numpy_helper.from_array(w(24), "b1"),
        onnx.numpy_helper.from_array(w(40, 24, 1, 1), "w2"),
        onnx.numpy_helper.from_array(w(40), "b2"),
        onnx.numpy_helper.from_array(w(160, 40, 1, 1), "w3"),
        onnx.numpy_helper.from_array(w(160), "b3"),
        onnx.numpy_helper.from_array(np.float32(0), "lo"),
        onnx.numpy_helper.from_array(np.float32(6), "hi"),
    ]
    nodes = [
        h.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
        h.make_node("Clip", ["c0", "lo", "hi"], ["r0"]),
        h.make_node("Conv", ["r0", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1],
                    group=24),
        h.make_node("Clip", ["c1", "lo", "hi"], ["r1"]),
        h.make_node("Conv", ["r1", "w2", "b2"], ["c2"]),
        h.make_node("Sigmoid", ["c2"], ["s2"]),
        h.make_node("Mul", ["c2", "s2"], ["m2"]),
        h.make_node("MaxPool", ["m2"], ["p2"], kernel_shape=[8, 8],
                    strides=[8, 8]),
        h.make_node("Conv", ["p2", "w3", "b3"], ["c3"]),
        h.make_node("Relu", ["c3"], ["y"]),
    ]
    graph = h.make_graph(
        nodes, "fused", [h.make_tensor_value_info("x", 1, [1, 3, 64, 64])],
        [h.make_tensor_value_info("y", 1, [1, 160, 8, 8])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 13)])


def test_fused_threaded_runs_are_bit_identical(tmp_path):
    """The fused run (no dump_all) and the op-by-op run (dump_all) give the
    same bits, and so do 1, 2 and 3 threads; all agree with onnxruntime."""
    model = fused_cnn()
    path = tmp_path / "fused.onnx"
    onnx.save(model, path)
    x = np.random.default_rng(5).uniform(-1, 1, (1, 3, 64, 64)).astype(
        np.float32)
    fused = tessera.run(path, {"x": x})["y"]
    unfused, inter = tessera.run(path, {"x": x}, dump_all=True)
    np.testing.assert_array_equal(fused, unfused["y"])
    for t in (1, 2, 3):
        np.testing.assert_array_equal(
            tessera.run(path, {"x": x}, threads=t)["y"], fused, err_msg=str(t))
    want = ort_run(model, {"x": x}, extra_outputs=["r0", "r1", "m2"])
    np.testing.assert_allclose(fused, want["y"], rtol=0,
                               atol=1e-5 * np.abs(want["y"]).max())
    # The op-by-op run still shows the tensors the fused run skips.
    for name in ("r0", "r1", "m2"):
        np.testing.assert_allclose(inter[name], want[name], rtol=0,
                                   atol=1e-5 * np.abs(want[name]).max(),
                                   err_msg=name)
    with pytest.raises(ValueError, match="threads"):
        tessera.run(path, {"x": x}, threads=-1)


def test_batched_matmul_blocks_are_thread_independent(tmp_path):
    """MatMul [2, 150, 40] x [2, 40, 30]: three 64-row blocks per batch
    entry (the last partial), the same bits for 1 and 2 threads, equal to
    onnxruntime within float rounding."""
    rng = np.random.default_rng(8)
    b = rng.normal(size=(2, 40, 30)).astype(np.float32)
    graph = h.make_graph(
        [h.make_node("MatMul", ["a", "b"], ["y"])], "mm",
        [h.make_tensor_value_info("a", 1, [2, 150, 40])],
        [h.make_tensor_value_info("y", 1, [2, 150, 30])],
        [onnx.numpy_helper.from_array(b, "b")])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 13)])
    path = tmp_path / "mm.onnx"
    onnx.save(model, path)
    a = rng.normal(size=(2, 150, 40)).astype(np.float32)
    one = tessera.run(path, {"a": a}, threads=1)["y"]
    np.testing.assert_array_equal(tessera.run(path, {"a": a}, threads=2)["y"],
                                  one)
    np.testing.assert_allclose(one, ort_run(model, {"a": a})["y"], rtol=0,
                               atol=1e-5 * np.abs(one).max())
