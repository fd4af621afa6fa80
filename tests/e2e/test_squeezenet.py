"""End to end on squeezenet1_1: ONNX -> rv1126 .npubin -> simulator.

Asserts the contract of the skeleton: the simulator's integers equal the
integer reference executor's bit for bit, and the dequantized output has
cosine >= 0.99 against onnxruntime's float output stored in the fixture
(onnxruntime's own int8 twin reaches 0.9998)."""
import json
import time

import numpy as np
import pytest

from conftest import cosine, need_shared, run_tool

MEAN = "0.485,0.456,0.406"
STD = "0.229,0.224,0.225"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    model = need_shared("models", "squeezenet1_1.onnx")
    calib = need_shared("models", "calib224")
    tmp = tmp_path_factory.mktemp("sq")
    args = [model, "--target", "rv1126", "--calibration", calib, "--mean", MEAN,
            "--std", STD, "--quiet"]
    t0 = time.perf_counter()
    run_tool("tessera-compile", *args, "-o", tmp / "sq.npubin")
    compile_s = time.perf_counter() - t0
    run_tool("tessera-compile", *args, "--emit=int", "-o", tmp / "sq_int.mlir")
    golden = np.load(need_shared("models", "squeezenet1_1.golden.npz"))
    np.save(tmp / "x.npy", golden["input"].astype(np.float32))
    print(f"\nsqueezenet1_1 compile time: {compile_s:.2f} s")
    return tmp, golden


def test_simulator_matches_float_model(compiled):
    tmp, golden = compiled
    t0 = time.perf_counter()
    proc = run_tool("tessera-sim", tmp / "sq.npubin", "--input", f"input={tmp / 'x.npy'}",
                    "--output-dir", tmp / "out", "--report", tmp / "r.json")
    sim_s = time.perf_counter() - t0
    out = np.load(tmp / "out" / "output.npy")
    cos = cosine(out, golden["float_out0"])
    print(f"squeezenet1_1 simulation time: {sim_s:.2f} s, cosine vs float: {cos:.6f}")
    assert out.shape == (1, 1000)
    assert cos >= 0.99
    report = json.loads((tmp / "r.json").read_text())
    convs = [l for l in report["layers"] if l["op"].startswith("Conv")]
    assert len(convs) == 26
    # squeezenet1_1 at 224x224 has 349,151,936 conv MACs (sum over its 26
    # convolutions of OH*OW*OC*KH*KW*IC, computed from the ONNX graph).
    assert sum(l["macs"] for l in convs) == 349151936
    assert "conv" in proc.stdout.lower() or "Conv" in proc.stdout


def test_simulator_bit_exact_with_integer_reference(compiled):
    tmp, golden = compiled
    run_tool("tessera-sim", tmp / "sq.npubin", "--input", f"input={tmp / 'x.npy'}",
             "--output-dir", tmp / "out2", "--quiet")
    sim_int = np.load(tmp / "out2" / "output.int.npy")
    # The integer program takes the quantized input: quantize with the
    # parameters the compiler recorded on the function argument.
    text = (tmp / "sq_int.mlir").read_text()
    import re
    arg = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}", text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", arg).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", arg).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', arg).group(1)
    from tessera import quant
    xq = quant.quantize(golden["input"], scale, zp, dtype).astype(np.int16)
    if dtype == "uint8":
        # The integer level computes on int8: uint8 bits with the sign bit
        # flipped (q - 128), see docs/quantization-passes.md.
        xq -= 128
    np.save(tmp / "xq.npy", xq.astype(np.int8))
    run_tool("tessera-run", tmp / "sq_int.mlir", "--input", f"input={tmp / 'xq.npy'}",
             "--output-dir", tmp / "ref")
    ref = np.load(tmp / "ref" / "output.npy")
    assert ref.shape == sim_int.shape
    np.testing.assert_array_equal(ref.astype(np.int64), sim_int.astype(np.int64))
