"""ConvTranspose on the integer NPU path (docs/graph-passes.md
--tessera-decompose-transpose-conv, docs/lowering.md): synthetic 2-D
ConvTranspose models (strides 1 and 2, kernels 2/3/4, pads,
output_padding, groups, with and without bias, followed by
BatchNormalization + Relu) compiled for every target
with a two-sample .npz calibration.

Oracles:
- the float model run by onnxruntime: tessera-run on the float import (the
  decomposed TOSA) agrees with cosine >= 0.99999;
- the simulator's integers equal the integer reference executor's
  (tessera-run on --emit=int) bit for bit;
- the simulator's dequantized output is within a bound derived from the
  quantization steps, against onnxruntime's float output: input rounding
  (step_x / 2 times the largest sum of |W| over the taps that reach one
  output), weight rounding (|x|max times the sum of per-tap weight
  rounding, at most half a weight step each; BN-scaled weights for the
  ConvTranspose -> BatchNormalization -> Relu case) and four output steps
  for the requantizations (conv, bias add).
"""
import re

import numpy as np
import onnx
import pytest
from onnx import helper as h
from onnx import numpy_helper

from conftest import cosine, quantized_input, run_tool

TARGETS = ["rv1126", "j5", "orin"]

# name: (input shape NCHW, weight shape [C, M/group, KH, KW], attrs, bias)
CASES = {
    "s1_k3_pads": ([1, 3, 6, 7], [3, 4, 3, 3], dict(pads=[1, 1, 1, 1]), True),
    "s2_k2": ([1, 4, 5, 6], [4, 3, 2, 2], dict(strides=[2, 2]), True),
    "s2_k3_outpad": ([1, 3, 5, 5], [3, 2, 3, 3],
                     dict(strides=[2, 2], pads=[1, 1, 1, 1],
                          output_padding=[1, 1]), True),
    "s2_k4_nobias": ([1, 2, 4, 6], [2, 3, 4, 4],
                     dict(strides=[2, 2], pads=[1, 1, 1, 1]), False),
    "s2_k3_asym": ([1, 3, 4, 5], [3, 2, 3, 3],
                   dict(strides=[2, 2], pads=[1, 0, 1, 2],
                        output_padding=[1, 0]), True),
    "group2_s2_k2": ([1, 4, 4, 4], [4, 3, 2, 2],
                     dict(strides=[2, 2], group=2), True),
    "depthwise_s2_k4": ([1, 3, 4, 4], [3, 1, 4, 4],
                        dict(strides=[2, 2], pads=[1, 1, 1, 1], group=3),
                        True),
    # PP-OCR's DB head: ConvTranspose -> BatchNormalization -> Relu (the BN
    # folds into the transpose conv before it is decomposed).
    "s2_k2_bn_relu": ([1, 4, 5, 5], [4, 3, 2, 2], dict(strides=[2, 2]),
                      True),
}
WITH_BN_RELU = {"s2_k2_bn_relu"}


def make_model(case, path):
    xshape, wshape, attrs, bias = CASES[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    w = rng.uniform(-1, 1, wshape).astype(np.float32)
    inits = [numpy_helper.from_array(w, "W")]
    ins = ["x", "W"]
    if bias:
        m = wshape[1] * attrs.get("group", 1)
        inits.append(numpy_helper.from_array(
            rng.uniform(-1, 1, [m]).astype(np.float32), "B"))
        ins.append("B")
    nodes = [h.make_node("ConvTranspose", ins,
                         ["t" if case in WITH_BN_RELU else "y"], name="ct0",
                         **attrs)]
    if case in WITH_BN_RELU:
        m = wshape[1] * attrs.get("group", 1)
        for name, lo, hi in [("gamma", 0.5, 2), ("beta", -1, 1),
                             ("mean", -1, 1), ("var", 0.5, 2)]:
            inits.append(numpy_helper.from_array(
                rng.uniform(lo, hi, [m]).astype(np.float32), name))
        nodes += [h.make_node("BatchNormalization",
                              ["t", "gamma", "beta", "mean", "var"], ["b"],
                              name="bn0"),
                  h.make_node("Relu", ["b"], ["y"], name="relu0")]
    graph = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("x", onnx.TensorProto.FLOAT,
                                              xshape)],
        [h.make_empty_tensor_value_info("y")], inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    onnx.save(model, str(path))
    return w


def ort_run(path, x):
    import onnxruntime as ort
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x})[0]


def inputs(case):
    rng = np.random.default_rng(1 + sum(map(ord, case)))
    xs = CASES[case][0]
    calib = rng.uniform(-1, 1, [2] + xs[1:]).astype(np.float32)
    return calib, calib[:1]


@pytest.mark.parametrize("case", CASES)
def test_float_path_matches_onnxruntime(tmp_path, case):
    make_model(case, tmp_path / "m.onnx")
    _, x = inputs(case)
    np.save(tmp_path / "x.npy", x)
    run_tool("tessera-run", tmp_path / "m.onnx", "--input",
             f"x={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "out")
    got = np.load(tmp_path / "out" / "y.npy")
    want = ort_run(tmp_path / "m.onnx", x)
    assert got.shape == want.shape
    assert cosine(got, want) >= 0.99999
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def scales(int_mlir):
    text = open(int_mlir).read()
    arg = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}", text).group(1)
    return float(re.search(r"tessera.scale = ([0-9.eE+-]+)", arg).group(1))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES)
def test_npu_bit_exact_and_accurate(tmp_path, case, target):
    w = make_model(case, tmp_path / "m.onnx")
    calib, x = inputs(case)
    np.savez(tmp_path / "c.npz", x=calib)
    common = ["--target", target, "--calibration", tmp_path / "c.npz",
              "--quiet"]
    run_tool("tessera-compile", tmp_path / "m.onnx", *common, "-o",
             tmp_path / "m.npubin")
    run_tool("tessera-compile", tmp_path / "m.onnx", *common, "--emit=int",
             "-o", tmp_path / "int.mlir")
    np.save(tmp_path / "x.npy", x)
    run_tool("tessera-sim", tmp_path / "m.npubin", "--input",
             f"x={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "sim",
             "--quiet")
    np.save(tmp_path / "xq.npy", quantized_input(tmp_path / "int.mlir", x))
    run_tool("tessera-run", tmp_path / "int.mlir", "--input",
             f"x={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "ref")
    ref = np.load(tmp_path / "ref" / "y.npy")
    sim = np.load(tmp_path / "sim" / "y.int.npy")
    assert ref.shape == sim.shape
    np.testing.assert_array_equal(ref.astype(np.int64), sim.astype(np.int64))

    want = ort_run(tmp_path / "m.onnx", x)
    got = np.load(tmp_path / "sim" / "y.npy")
    assert got.shape == want.shape
    # Error bound from the quantization steps (module docstring).
    step_x = scales(tmp_path / "int.mlir")
    if case in WITH_BN_RELU:  # the BN scale multiplies the weights
        init = {i.name: numpy_helper.to_array(i) for i in
                onnx.load(str(tmp_path / "m.onnx")).graph.initializer}
        s = init["gamma"] / np.sqrt(init["var"] + 1e-5)
        w = w * s.reshape(1, -1, 1, 1)
    kernel_abs = np.abs(w).sum(axis=(0, 2, 3)).max()  # all taps, per out ch
    step_w = np.abs(w).max() / 127  # per-tensor bound on per-channel steps
    taps = w.shape[0] * w.shape[2] * w.shape[3]
    lo, hi = min(want.min(), 0.0), max(want.max(), 0.0)
    step_y = (hi - lo) / 255
    bound = (step_x / 2 * kernel_abs + np.abs(x).max() * taps * step_w / 2
             + 4 * step_y)
    err = np.abs(got - want).max()
    print(f"\n{case} {target}: max |sim - onnxruntime| {err:.5f}, bound "
          f"{bound:.5f}, step_y {step_y:.5f}, cosine {cosine(got, want):.6f}")
    assert err <= bound
    assert cosine(got, want) >= 0.9999
