"""tessera.compile / tessera.simulate on the built-in demo model (no
../shared needed): the Python API runs the same pipeline as the tools."""
import numpy as np
import onnx
import pytest
from onnx import shape_inference

import tessera
from tessera import demo_model

from conftest import cosine, run_tool


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    demo_model.write(str(tmp / "demo.onnx"))
    calib = demo_model.calibration_images()
    program = tessera.compile(tmp / "demo.onnx", target="rv1126", calibration=calib,
                              output=tmp / "demo.npubin")
    return tmp, calib, program


def conv_macs(path):
    """Sum over Conv nodes of OH*OW*OC*KH*KW*IC/groups, from ONNX shape inference."""
    m = shape_inference.infer_shapes(onnx.load(path))
    dims = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in list(m.graph.value_info) + list(m.graph.output)}
    w = {i.name: list(i.dims) for i in m.graph.initializer}
    total = 0
    for n in m.graph.node:
        if n.op_type == "Conv":
            o = dims[n.output[0]]
            k = w[n.input[1]]
            total += o[1] * o[2] * o[3] * k[1] * k[2] * k[3]
    return total


def test_compile_writes_the_same_program_it_returns(demo):
    tmp, _, program = demo
    assert program[:4] == b"NPUB"
    assert (tmp / "demo.npubin").read_bytes() == program


def test_simulate_report_and_accuracy(demo):
    tmp, calib, program = demo
    x = demo_model.calibration_images(n=1, seed=7)
    outputs, report = tessera.simulate(program, {"input": x})
    assert set(outputs) == {"output"} and outputs["output"].shape == (1, 10)
    # One row per ONNX layer the NPU runs: 11 convs (ReLU fused), 2 max
    # pools, 3 concats, the global average pool and the flatten.
    assert len(report) == 18
    assert sum(l["macs"] for l in report) == conv_macs(tmp / "demo.onnx")
    for row in report:
        for key in ("name", "op", "macs", "cycles", "latency_us", "achieved_tops",
                    "dram_bytes", "energy_uj"):
            assert key in row
    # Against Tessera's float reference executor on the ONNX model.
    np.save(tmp / "x.npy", x)
    run_tool("tessera-run", tmp / "demo.onnx", "--input", f"input={tmp / 'x.npy'}",
             "--output-dir", tmp / "float")
    ref = np.load(tmp / "float" / "output.npy")
    assert cosine(outputs["output"], ref) >= 0.99


def test_simulate_is_bit_exact_with_integer_reference(demo):
    tmp, calib, program = demo
    x = demo_model.calibration_images(n=1, seed=7)
    res = tessera.simulate(program, {"input": x})
    text = tessera.compile(tmp / "demo.onnx", target="rv1126", calibration=calib, emit="int")
    (tmp / "int.mlir").write_text(text)
    import re
    arg = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}", text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", arg).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", arg).group(1))
    assert re.search(r'tessera.dtype = "uint8"', arg)  # rv1126's default scheme
    xq = tessera.quant.quantize(x, scale, zp, "uint8").astype(np.int16) - 128
    np.save(tmp / "xq.npy", xq.astype(np.int8))
    run_tool("tessera-run", tmp / "int.mlir", "--input", f"input={tmp / 'xq.npy'}",
             "--output-dir", tmp / "int")
    ref = np.load(tmp / "int" / "output.npy").astype(np.int64)
    np.testing.assert_array_equal(res.int_outputs["output"], ref)


def test_targets_differ_in_timing_not_in_results(demo):
    _, _, program = demo
    x = demo_model.calibration_images(n=1, seed=3)
    a = tessera.simulate(program, {"input": x})
    b = tessera.simulate(program, {"input": x}, target="orin")
    np.testing.assert_array_equal(a.int_outputs["output"], b.int_outputs["output"])
    assert a.totals["macs"] == b.totals["macs"]
    assert a.totals["cycles"] != b.totals["cycles"]


def test_errors_raise_value_error(tmp_path):
    with pytest.raises(ValueError, match="missing.onnx"):
        tessera.compile(tmp_path / "missing.onnx", calibration=np.zeros((1, 3, 96, 96), np.float32))
    with pytest.raises(ValueError, match="unknown target 'tpu9'"):
        demo_model.write(str(tmp_path / "d.onnx"))
        tessera.compile(tmp_path / "d.onnx", target="tpu9",
                        calibration=demo_model.calibration_images(n=1))
    with pytest.raises(ValueError):
        tessera.simulate(b"NPUB-not-a-program")
