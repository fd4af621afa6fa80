"""End to end on onnxruntime's own int8 twins (QDQ: per-channel symmetric
int8 weights, asymmetric uint8 activations): the pre-quantized model
compiles for orin and j5 without calibration, with its own scales and zero
points; the simulator equals the integer reference executor bit for bit.

Accuracy oracle: onnxruntime on the same twin in the same run with graph
optimizations off (ORT_DISABLE_ALL), i.e. every QuantizeLinear /
DequantizeLinear executed as written around float kernels: the ONNX
semantics of the model. The twin's stored output (`ortqdq_out0`) is not
that: it comes from onnxruntime's optimized session, which fuses QDQ into
integer kernels, and on an AVX2 machine without VNNI its u8s8 GEMM
(vpmaddubsw) can saturate int16 pair sums, a known onnxruntime limitation;
for mobilenet_v2 that run is only 0.966 (cosine) from the unoptimized one.
The stored output and the float model's (`float_out0`) are printed for
reference; squeezenet1_1, which the saturation barely touches (0.999834
between the two onnxruntime runs), must still reach 0.999 against both.

Measured (golden photo; orin and j5 give the same integers), cosine of
Tessera's dequantized output:
                 vs ORT_DISABLE_ALL  vs ortqdq_out0  vs float_out0
  squeezenet1_1  0.999583            0.999549        0.999613
  mobilenet_v2   0.997576            0.966604        0.971913
(ORT_DISABLE_ALL vs ortqdq_out0: 0.999834 and 0.966191.)

Why mobilenet_v2 stays at 0.9976 against ORT_DISABLE_ALL: that run
computes each convolution in float and quantizes the float sum, so a sum
within float error of a rounding tie can land on the wrong side; Tessera
accumulates in int32 exactly. The first difference is one element of the
first conv (401408 values), where the exact x / scale is 41.4999991:
Tessera gives 41, onnxruntime's float sum 42. mobilenet_v2 amplifies such
one-step differences layer after layer: Tessera's own float run of the
quant-annotated level (tessera-run, float convs) differs from onnxruntime's
in 1, 4, 3, 62, ... quantized elements of the first layers and thousands by
block 8, ending at cosine 0.99795. MIN_COSINE keeps a margin over the
measured values for other CPUs' float kernels.
"""
import re

import numpy as np
import pytest

from conftest import cosine, need_shared, run_tool

MODELS = ["squeezenet1_1", "mobilenet_v2"]
# Cosine against onnxruntime ORT_DISABLE_ALL on the twin; measured 0.999583
# and 0.997576 (module docstring).
MIN_COSINE = {"squeezenet1_1": 0.999, "mobilenet_v2": 0.996}
TARGETS = ["orin", "j5"]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    cache = {}

    def get(model, target):
        key = (model, target)
        if key not in cache:
            onnx_path = need_shared("models", f"{model}.ort-qdq.onnx")
            golden = np.load(need_shared("models", f"{model}.golden.npz"))
            tmp = tmp_path_factory.mktemp(f"{model}_{target}")
            proc = run_tool("tessera-compile", onnx_path, "--target", target,
                            "-o", tmp / "m.npubin")
            assert "pre-quantized" in proc.stderr
            run_tool("tessera-compile", onnx_path, "--target", target,
                     "--emit=int", "-o", tmp / "int.mlir", "--quiet")
            np.save(tmp / "x.npy", golden["input"].astype(np.float32))
            run_tool("tessera-sim", tmp / "m.npubin", "--input",
                     f"input={tmp / 'x.npy'}", "--output-dir", tmp / "sim",
                     "--quiet")
            cache[key] = (tmp, golden)
        return cache[key]
    return get


def quantized_input(int_mlir, x):
    """The input the integer program takes: quantized with the parameters
    on the function argument (core/quant through tessera.quant); uint8 as
    its int8 image (q - 128, docs/quantization-passes.md)."""
    text = int_mlir.read_text()
    arg = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}", text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", arg).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", arg).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', arg).group(1)
    from tessera import quant
    xq = quant.quantize(x, scale, zp, dtype).astype(np.int16)
    if dtype == "uint8":
        xq -= 128
    return xq.astype(np.int8)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("model", MODELS)
def test_simulator_bit_exact_with_integer_reference(compiled, model, target):
    tmp, golden = compiled(model, target)
    np.save(tmp / "xq.npy", quantized_input(tmp / "int.mlir", golden["input"]))
    run_tool("tessera-run", tmp / "int.mlir", "--input",
             f"input={tmp / 'xq.npy'}", "--output-dir", tmp / "ref")
    ref = np.load(tmp / "ref" / "output.npy")
    sim = np.load(tmp / "sim" / "output.int.npy")
    assert ref.shape == sim.shape == (1, 1000)
    np.testing.assert_array_equal(ref.astype(np.int64), sim.astype(np.int64))


def ort_unoptimized(onnx_path, x):
    """onnxruntime on `onnx_path` with graph optimizations off: the QDQ
    nodes run as written (float kernels between them), no fused integer
    kernels."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(onnx_path), opts,
                                providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x})[0]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("model", MODELS)
def test_accuracy_against_onnxruntime_twin(compiled, model, target):
    tmp, golden = compiled(model, target)
    out = np.load(tmp / "sim" / "output.npy")
    ref = ort_unoptimized(need_shared("models", f"{model}.ort-qdq.onnx"),
                          golden["input"].astype(np.float32))
    vs_qdq = cosine(out, ref)
    vs_ort = cosine(out, golden["ortqdq_out0"])
    vs_float = cosine(out, golden["float_out0"])
    ref_vs_ort = cosine(ref, golden["ortqdq_out0"])
    print(f"\n{model} {target}: cosine vs onnxruntime ORT_DISABLE_ALL "
          f"{vs_qdq:.6f}, vs stored ortqdq {vs_ort:.6f}, vs float "
          f"{vs_float:.6f} (ORT_DISABLE_ALL vs stored ortqdq "
          f"{ref_vs_ort:.6f})")
    assert vs_qdq >= MIN_COSINE[model]
    if model == "squeezenet1_1":
        assert vs_ort >= 0.999
        assert vs_float >= 0.999
