"""Shared pytest helpers: where the built tools are and where ../shared is.

scripts/test puts build/bin on PATH; a tool that is missing there is a test
failure, not a skip. Fixture-dependent tests skip cleanly without ../shared.
"""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TESSERA_SHARED_DIR", REPO.parent / "shared"))
MODELS = SHARED / "fixtures" / "models"


def tool(name):
    """Path of a Tessera tool: PATH first, then $TESSERA_BUILD_DIR/bin or build/bin."""
    found = shutil.which(name)
    if found:
        return found
    build = Path(os.environ.get("TESSERA_BUILD_DIR", REPO / "build"))
    cand = build / "bin" / name
    if cand.exists():
        return str(cand)
    pytest.fail(f"{name} is not built (run scripts/build)")


def run_tool(name, *args, check=True):
    """Runs a tool; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([tool(name), *map(str, args)], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{name} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def need_shared(*parts):
    """The path of a fixture under ../shared/fixtures; skips when absent."""
    p = SHARED.joinpath("fixtures", *parts)
    if not p.exists():
        pytest.skip(f"fixture {p} not available (../shared is absent)")
    return p


def cosine(a, b):
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def quantized_input(int_mlir, x):
    """The input the integer program (tessera-compile --emit=int, the file
    `int_mlir`) takes for the float input `x`: quantized by core/quant
    (tessera.quant) with the parameters on the function argument; uint8 as
    its int8 image q - 128 (docs/quantization-passes.md)."""
    import re
    from tessera import quant
    text = Path(int_mlir).read_text()
    arg = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}", text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", arg).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", arg).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', arg).group(1)
    xq = quant.quantize(x, scale, zp, dtype)
    if dtype == "uint8":
        return (xq.astype(np.int16) - 128).astype(np.int8)
    return xq


def dequantized_output(int_mlir, q, index=0):
    """The real values of result #`index` of the integer program `int_mlir`
    (raw integers `q` as tessera-run writes them; uint8 results as their
    int8 image q - 128), from the result's tessera.scale/zero_point/dtype."""
    import re
    text = Path(int_mlir).read_text()
    sig = text[text.index("func.func @main"):]
    results = sig[sig.index("->"):sig.index("{\n")]
    attrs = re.findall(r"\{([^}]*tessera\.scale[^}]*)\}", results)[index]
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", attrs).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', attrs).group(1)
    q = np.asarray(q, np.int64) + (128 if dtype == "uint8" else 0)
    return (q - zp) * scale


def onnx_reference_float64(model_path, feeds):
    """The model's ONNX semantics, computed by ONNX's own reference
    implementation (onnx.reference.ReferenceEvaluator) in float64: float
    initializers and inputs are widened to float64, so QuantizeLinear's
    x / scale and its round-half-to-even see the (nearly) exact real value,
    not a float32 sum that may sit on the other side of a tie. The evaluator
    implements QuantizeLinear/DequantizeLinear from opset 19, so the model
    goes through onnx.version_converter first (for 8- and 16-bit integer
    types opset 19 keeps opset 13's definition). Returns the first output.
    The oracle for pre-quantized models: onnxruntime's optimized run
    saturates int16 pair sums on AVX2 without VNNI and its unoptimized run
    sums convolutions in float32 (tests/e2e/test_ort_qdq.py)."""
    import onnx
    from onnx import numpy_helper, version_converter
    from onnx.reference import ReferenceEvaluator
    model = onnx.load(str(model_path))
    if model.opset_import[0].version < 19:
        model = version_converter.convert_version(model, 19)
    for init in model.graph.initializer:
        a = numpy_helper.to_array(init)
        if a.dtype == np.float32:
            init.CopyFrom(numpy_helper.from_array(a.astype(np.float64),
                                                  init.name))
    sess = ReferenceEvaluator(model)
    feeds = {k: np.asarray(v, np.float64) for k, v in feeds.items()}
    return sess.run(None, feeds)[0]


def simulate_on_npu(model_path, x, tmp_path, target="orin"):
    """Compiles `model_path` (one input "x", one output "y") for `target`,
    runs the simulator on the float input `x` and returns the output
    integers as the model's uint8 values (the simulator writes their int8
    image, q - 128)."""
    np.save(tmp_path / "x.npy", x)
    run_tool("tessera-compile", model_path, "--target", target, "-o",
             tmp_path / "m.npubin", "--quiet")
    run_tool("tessera-sim", tmp_path / "m.npubin", "--input",
             f"x={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "sim",
             "--quiet")
    return np.load(tmp_path / "sim" / "y.int.npy").astype(np.int64) + 128


def onnxruntime_unoptimized(model, feeds, extra_outputs=()):
    """onnxruntime with every graph optimization off (ORT_DISABLE_ALL): each
    node runs as written, QuantizeLinear/DequantizeLinear around float32
    kernels, no fused integer kernels. `model`: a path or a ModelProto;
    `extra_outputs`: intermediate tensor names added as graph outputs.
    Returns {output name: ndarray}."""
    import onnx
    import onnxruntime as ort
    if extra_outputs or isinstance(model, onnx.ModelProto):
        proto = (model if isinstance(model, onnx.ModelProto)
                 else onnx.load(str(model)))
        proto = onnx.ModelProto.FromString(proto.SerializeToString())
        for name in extra_outputs:
            proto.graph.output.append(
                onnx.helper.make_empty_tensor_value_info(name))
        model = proto.SerializeToString()
    else:
        model = str(model)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds)))
