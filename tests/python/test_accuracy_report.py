"""Per-layer accuracy analysis: tessera.analyze and tessera-compile
--accuracy-report / --dump-tensors (compiler/analysis/Accuracy.h,
docs/quantization.md "Accuracy analysis").

The oracle is independent of the analysis code: the float tensors come from
tessera.run on the ONNX model (dump_all), the integer ones from tessera.run
on the `emit="int"` program, dequantized here with the scale and zero point
the quant-annotated level (`emit="quant"`) gives, and every metric is
recomputed with numpy.
"""
import json
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import tessera

from conftest import MODELS, need_shared, quantized_input, run_tool

RNG = np.random.default_rng(7)
W1 = (RNG.standard_normal((4, 3, 3, 3)) * 0.3).astype(np.float32)
B1 = (RNG.standard_normal(4) * 0.1).astype(np.float32)
W2 = (RNG.standard_normal((2, 4, 1, 1)) * 0.3).astype(np.float32)
CALIB = RNG.standard_normal((4, 1, 3, 6, 6)).astype(np.float32)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Conv(3->4, 3x3, pad 1) -> Relu -> Conv(4->2, 1x1): two quantized
    tensors, r1 (the Conv is fused with its Relu, so c1 is not quantized)
    and y."""
    tmp = tmp_path_factory.mktemp("acc")
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["c1"], name="conv1",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "W2"], ["y"], name="conv2"),
    ]
    g = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 6, 6])],
        [numpy_helper.from_array(W1, "W"), numpy_helper.from_array(B1, "B"),
         numpy_helper.from_array(W2, "W2")])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    path = tmp / "tiny.onnx"
    onnx.save(model, path)
    np.savez(tmp / "calib.npz", x=CALIB)
    return tmp, path


def metrics(f, q):
    f = np.asarray(f, np.float64).ravel()
    q = np.asarray(q, np.float64).ravel()
    e = f - q
    return {
        "cosine": f @ q / (np.linalg.norm(f) * np.linalg.norm(q)),
        "euclidean": np.linalg.norm(e),
        "sqnr_db": 10 * np.log10((f @ f) / (e @ e)),
        "max_abs": np.abs(e).max(),
        "mean_abs": np.abs(e).mean(),
    }


def activation_qparams(quant_text, tensor):
    """(scale, zero point) of `tensor`'s quant.qcast in the quant level."""
    lines = quant_text.splitlines()
    for i, line in enumerate(lines):
        if 'onnx.output = "%s"' % tensor in line:
            ssa = line.split("=")[0].strip()
            for later in lines[i + 1:]:
                if "quant.qcast %s " % ssa in later:
                    m = re.search(r":f32, ([0-9.eE+-]+)(?::(-?\d+))?>", later)
                    return float(m.group(1)), int(m.group(2) or 0)
    raise AssertionError("no qcast of " + tensor)


@pytest.fixture(scope="module")
def oracle(tiny):
    """Float and dequantized integer values of r1 and y, computed without
    the analysis code."""
    tmp, path = tiny
    x = CALIB[0]
    _, floats = tessera.run(path, {"x": x}, dump_all=True)
    quant_text = tessera.compile(path, target="j5", calibration=CALIB,
                                 emit="quant")
    int_mlir = tmp / "tiny.int.mlir"
    int_mlir.write_text(tessera.compile(path, target="j5", calibration=CALIB,
                                        emit="int"))
    _, ints = tessera.run(int_mlir, {"x": quantized_input(int_mlir, x)},
                          dump_all=True)
    out = {}
    for name in ("r1", "y"):
        s, z = activation_qparams(quant_text, name)
        q = ints[name] if name == "r1" else None
        out[name] = {"float": floats[name], "scale": s, "zero_point": z,
                     "int": q}
    # y's integers: the program output (the conv2d tagged "y" in the
    # integer program is its i32 accumulator).
    outputs = tessera.run(int_mlir, {"x": quantized_input(int_mlir, x)})
    out["y"]["int"] = outputs["y"]
    for v in out.values():
        assert v["int"].dtype == np.int8
        # The analysis dequantizes to float32, as the simulator does.
        v["deq"] = ((v["int"].astype(np.float64) - v["zero_point"])
                    * v["scale"]).astype(np.float32)
    return out


@pytest.fixture(scope="module")
def report(tiny):
    _, path = tiny
    return tessera.analyze(path, target="j5", calibration=CALIB)


def test_layers_are_the_quantized_tensors(report):
    layers = {l["tensor"]: l for l in report["layers"]}
    assert list(layers) == ["r1", "y"]  # c1 is fused into relu1's layer
    assert layers["r1"]["nodes"] == ["conv1", "relu1"]
    assert layers["y"]["nodes"] == ["conv2"]
    assert report["skipped"]["not_quantized"] == 1  # c1
    assert layers["r1"]["shape"] == [1, 4, 6, 6]
    assert all(l["device"] == "npu" and l["dtype"] == "int8"
               for l in report["layers"])


def test_entire_metrics_equal_numpy(report, oracle):
    for layer in report["layers"]:
        o = oracle[layer["tensor"]]
        assert layer["scale"] == pytest.approx(o["scale"], rel=1e-12)
        assert layer["zero_point"] == o["zero_point"]
        want = metrics(o["float"], o["deq"])
        for k, v in want.items():
            assert layer["entire"][k] == pytest.approx(v, rel=1e-6, abs=1e-9), k


def test_individual_equals_entire_for_the_first_layer(report):
    first = report["layers"][0]
    assert first["individual"] == first["entire"]


def test_individual_second_layer_from_quantized_float_input(report, oracle):
    """y's individual error: conv2 (1x1, no bias) run in integers on r1's
    float values quantized at r1's parameters, written out here with
    tessera.quant's multiplier and apply_scale (TOSA single rounding)."""
    from tessera import quant
    r1, y = oracle["r1"], oracle["y"]
    # j5 is symmetric int8: the restricted range [-127, 127].
    q = np.clip(np.round(r1["float"] / r1["scale"]) + r1["zero_point"],
                -127, 127).astype(np.int64)[0]                  # [4, 6, 6]
    w = W2[:, :, 0, 0].astype(np.float64)                       # [2, 4]
    s_w = np.abs(w).max(axis=1) / 127
    wq = np.round(w / s_w[:, None]).astype(np.int64)
    acc = np.einsum("oc,chw->ohw", wq, q - r1["zero_point"])
    out = np.empty_like(acc)
    for o in range(2):
        m, shift = quant.quantize_multiplier(r1["scale"] * s_w[o] / y["scale"])
        for idx in np.ndindex(acc.shape[1:]):
            out[(o,) + idx] = quant.apply_scale(int(acc[(o,) + idx]), m, shift)
    out = np.clip(out + y["zero_point"], -127, 127)
    deq = ((out - y["zero_point"]) * y["scale"]).astype(np.float32)
    want = metrics(y["float"], deq[None])
    got = report["layers"][1]["individual"]
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-6, abs=1e-9), k
    # r1's own rounding differs from its quantized float values somewhere,
    # so the two modes of y differ.
    assert np.any(q != r1["int"][0])
    assert got != report["layers"][1]["entire"]


def test_weights_per_channel_scales(report):
    w = report["layers"][0]["weights"]
    assert len(w) == 1 and w[0]["per_channel"] and w[0]["channels"] == 4
    scales = np.abs(W1).reshape(4, -1).max(axis=1) / 127
    assert w[0]["scale_min"] == pytest.approx(scales.min(), rel=1e-12)
    assert w[0]["scale_max"] == pytest.approx(scales.max(), rel=1e-12)


def test_simulator_equals_reference_and_costs(report, oracle):
    (out,) = report["outputs"]
    assert out["name"] == "y"
    assert out["sim_vs_reference"] == {"identical": True, "mismatches": 0,
                                       "max_abs_diff": 0}
    assert out["entire"]["cosine"] == pytest.approx(
        metrics(oracle["y"]["float"], oracle["y"]["deq"])["cosine"], rel=1e-9)
    for layer in report["layers"]:
        assert layer["sim"]["cycles"] > 0 and layer["sim"]["energy_uj"] > 0
    # conv1 (3x3x3 -> 4 over 6x6) is relu1's layer's MACs.
    assert report["layers"][0]["sim"]["macs"] == 6 * 6 * 4 * 27


def test_cli_report_table_and_dump(tiny, report, oracle, tmp_path):
    _, path = tiny
    calib = tiny[0] / "calib.npz"
    proc = run_tool("tessera-compile", path, "--target", "j5", "--calibration",
                    calib, "--accuracy-report", tmp_path / "r.json",
                    "--dump-tensors", tmp_path / "dump", "--accuracy-top", 1)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["schema"] == "tessera-accuracy-report/1"
    assert [l["entire"] for l in doc["layers"]] == \
        [l["entire"] for l in report["layers"]]
    # The table: one row (--accuracy-top 1), the worst layer.
    rows = [l for l in proc.stderr.splitlines() if re.match(r"\s+\d+ \d", l)]
    assert len(rows) == 1
    worst = min(doc["layers"], key=lambda l: l["entire"]["cosine"])
    assert rows[0].rstrip().endswith("%s (%s)" % (worst["tensor"], worst["node"]))
    assert "simulator vs integer reference: identical" in proc.stderr
    # Dumps: ONNX layout, float32; the histograms count every value.
    d = tmp_path / "dump"
    np.testing.assert_array_equal(np.load(d / "float" / "r1.npy"),
                                  oracle["r1"]["float"])
    np.testing.assert_allclose(np.load(d / "entire" / "y.npy"),
                               oracle["y"]["deq"], rtol=1e-6)
    np.testing.assert_array_equal(np.load(d / "individual" / "r1.npy"),
                                  np.load(d / "entire" / "r1.npy"))
    hist = json.loads((d / "histograms.json").read_text())
    for t in hist["tensors"]:
        f = np.load(d / "float" / t["file"])
        assert sum(t["float"]["histogram"]) == f.size
        assert len(t["float"]["histogram"]) == 32
        assert t["float"]["min"] == pytest.approx(float(f.min()))
        assert t["float"]["std"] == pytest.approx(float(f.std()), rel=1e-6)


def test_table_sorted_by_entire_cosine(tiny, tmp_path):
    _, path = tiny
    proc = run_tool("tessera-compile", path, "--target", "rv1126",
                    "--calibration", tiny[0] / "calib.npz",
                    "--accuracy-report", tmp_path / "r.json",
                    "--accuracy-top", 0)
    cos = [float(l.split()[1]) for l in proc.stderr.splitlines()
           if re.match(r"\s+\d+ \d", l)]
    assert len(cos) == 2 and cos == sorted(cos)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [l["dtype"] for l in doc["layers"]] == ["uint8", "uint8"]


def test_bad_paths_are_one_error_line(tiny, tmp_path):
    _, path = tiny
    calib = tiny[0] / "calib.npz"
    bad = tmp_path / "missing" / "r.json"
    proc = run_tool("tessera-compile", path, "--target", "j5", "--calibration",
                    calib, "--accuracy-report", bad, "-o", tmp_path / "p.npubin",
                    check=False)
    assert proc.returncode == 1
    errors = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0]
    assert not bad.exists()
    assert not (tmp_path / "p.npubin").exists()  # nothing half done
    # A --dump-tensors path under a file.
    (tmp_path / "file").write_text("x")
    proc = run_tool("tessera-compile", path, "--target", "j5", "--calibration",
                    calib, "--dump-tensors", tmp_path / "file" / "d",
                    check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1].startswith("error: ")
    assert str(tmp_path / "file" / "d") in proc.stderr.splitlines()[-1]
    proc = run_tool("tessera-compile", path, "--target", "j5", "--calibration",
                    calib, "--accuracy-report", tmp_path / "r.json",
                    "--analysis-input", tmp_path / "none.npz", check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1].startswith("error:")
    assert "none.npz" in proc.stderr.splitlines()[-1]
    assert not (tmp_path / "r.json").exists()
    proc = run_tool("tessera-compile", path, "--calibration", calib,
                    "--accuracy-report", tmp_path / "r.json", "--emit", "int",
                    check=False)
    assert proc.returncode == 1 and "--emit" in proc.stderr


def test_python_argument_errors(tiny):
    _, path = tiny
    with pytest.raises(ValueError, match="analyze: calibration is required"):
        tessera.analyze(path, target="j5")
    with pytest.raises(TypeError, match="analyze: simulate"):
        tessera.analyze(path, target="j5", calibration=CALIB, simulate="yes")
    with pytest.raises(ValueError, match="<input array>"):
        tessera.analyze(path, target="j5", calibration=CALIB,
                        input=np.zeros((2, 2), np.float32))


def test_python_input_array(tiny, report):
    _, path = tiny
    r = tessera.analyze(path, target="j5", calibration=CALIB, input=CALIB[0],
                        simulate=False)
    assert [l["entire"] for l in r["layers"]] == \
        [l["entire"] for l in report["layers"]]
    assert r["outputs"][0]["sim_vs_reference"] is None
    assert r["layers"][0]["sim"] is None


def test_mobilenet_v2_simulator_equals_reference(tmp_path):
    model = need_shared("models", "mobilenet_v2.onnx")
    calib = need_shared("models", "calib224")
    r = tessera.analyze(model, target="j5", calibration=calib,
                        mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                        max_calibration_samples=2)
    (out,) = r["outputs"]
    assert out["sim_vs_reference"]["max_abs_diff"] == 0
    assert out["sim_vs_reference"]["identical"]
    assert len(r["layers"]) > 50
    first = r["layers"][0]
    assert first["individual"] == first["entire"]
    # Each layer fed float inputs is far closer to float than the network
    # run end to end at its worst layer.
    worst = min(r["layers"], key=lambda l: l["entire"]["cosine"])
    assert worst["individual"]["cosine"] > worst["entire"]["cosine"]


def test_host_layer(tiny, oracle):
    """conv2 pinned to the host: its layer is reported as `cpu`, its tensor
    found after the host transpose (NCHW) and compared in that layout; the
    simulator (host segment) still equals the integer reference."""
    _, path = tiny
    r = tessera.analyze(path, target="j5", calibration=CALIB,
                        float_nodes=["conv2"])
    layers = {l["tensor"]: l for l in r["layers"]}
    assert layers["r1"]["device"] == "npu" and layers["y"]["device"] == "cpu"
    assert r["skipped"] == {"not_quantized": 1, "unmatched": 0}
    y = layers["y"]
    # The host conv computes in float from r1's integers: y's error is r1's
    # propagated plus y's own rounding, so its integers differ from the
    # all-integer program's, and its metrics are those of the output.
    assert y["entire"] == r["outputs"][0]["entire"]
    assert r["outputs"][0]["sim_vs_reference"]["identical"]
    assert y["weights"] == []  # the host conv keeps its float weights
    want = metrics(oracle["y"]["float"], y_host_dequantized(path))
    for k, v in want.items():
        assert y["entire"][k] == pytest.approx(v, rel=1e-6, abs=1e-9), k


def y_host_dequantized(path):
    """y of the program with conv2 on the host, by tessera.run on its
    integer level (emit="int"), dequantized by the result's attributes."""
    import tempfile
    from conftest import dequantized_output
    text = tessera.compile(path, target="j5", calibration=CALIB, emit="int",
                           float_nodes=["conv2"])
    with tempfile.TemporaryDirectory() as d:
        p = f"{d}/host.int.mlir"
        open(p, "w").write(text)
        out = tessera.run(p, {"x": quantized_input(p, CALIB[0])})["y"]
        return dequantized_output(p, out).astype(np.float32)
