"""Per-node configuration (docs/quantization.md, "Per-node configuration"):
tessera-compile --write-config / --config and tessera.compile(config=,
write_config=).

1. Round trip: --write-config a.yaml, then --config a.yaml --write-config
   b.yaml gives a.yaml again byte for byte and the same .npubin as the run
   without a config, on the host-fallback models of test_host_fallback.py
   (a node on the host by itself in two of them) and on the fixture models
   (squeezenet1_1, mobilenet_v2 float and onnxruntime QDQ; skipped when
   ../shared is absent).
2. Every bad config is one `error:` line naming the file, the line and the
   field, and nothing is written.
3. `device: cpu` puts a node on the host: the same integer program as
   --float-nodes, the note names the config line, the host node computes
   onnxruntime's float result on its input and the simulator equals the
   integer reference executor bit for bit.
4. `calibration_method` per node changes exactly that node's output scale,
   to the independent numpy re-computation of the method
   (test_calibration.py's NpObserver) over the tensor's values taken from
   onnxruntime; a glob applies to every node it matches and a later exact
   entry overrides it.
"""
import csv
import re

import numpy as np
import onnx
import pytest

import tessera
from conftest import (MODELS, need_shared, onnxruntime_unoptimized,
                      quantized_input, run_tool)
from test_calibration import NpObserver, expected_range, qparams_of
from test_host_fallback import make_model, ort_run, to_nchw

ort = pytest.importorskip("onnxruntime")

IMAGENET = ["--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225"]


@pytest.fixture()
def models(tmp_path):
    """{kind: path} of test_host_fallback's models, and the .npz of their
    2 calibration samples."""
    paths = {}
    for kind in ("pinned_conv", "div_negative", "unlowerable_resize"):
        full, _ = make_model(kind)
        paths[kind] = tmp_path / (kind + ".onnx")
        onnx.save(full, paths[kind])
    rng = np.random.default_rng(11)
    samples = rng.uniform(-1, 1, (2, 3, 8, 8)).astype(np.float32)
    np.savez(tmp_path / "calib.npz", x=samples)
    return paths, tmp_path / "calib.npz", samples


def compile_args(model, calib, target, *extra):
    return (model, "--target", target, "--calibration", calib, "--quiet",
            *extra)


def round_trip(args, tmp_path, tag):
    a, b = tmp_path / f"{tag}.a.yaml", tmp_path / f"{tag}.b.yaml"
    run_tool("tessera-compile", *args, "--write-config", a, "-o",
             tmp_path / f"{tag}.0.npubin")
    run_tool("tessera-compile", *args, "--config", a, "--write-config", b,
             "-o", tmp_path / f"{tag}.1.npubin")
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / f"{tag}.0.npubin").read_bytes() == \
        (tmp_path / f"{tag}.1.npubin").read_bytes()
    return a.read_text()


def entries(text):
    """{node: {field: value}} of a written config (flow mappings)."""
    out = {}
    for m in re.finditer(r"^  ('[^']*'|[^:\s]+):\s+\{ (.*) \}$", text, re.M):
        out[m.group(1).strip("'")] = dict(
            kv.split(": ") for kv in m.group(2).split(", "))
    return out


@pytest.mark.parametrize("target", ["rv1126", "j5"])
@pytest.mark.parametrize("kind", ["pinned_conv", "div_negative",
                                  "unlowerable_resize"])
def test_round_trip(models, kind, target, tmp_path):
    paths, calib, _ = models
    text = round_trip(compile_args(paths[kind], calib, target), tmp_path,
                      kind)
    scheme, dtype = {"rv1126": ("asymmetric_u8", "uint8"),
                     "j5": ("int8_symmetric", "int8")}[target]
    assert f"\ntarget:          {target}\n" in text
    assert f"\nscheme:          {scheme}\n" in text
    assert "\ncalibration_method: minmax\n" in text
    # Graph order; mid is on the host where it cannot run on the NPU.
    host = "npu" if kind == "pinned_conv" else "cpu"
    want = {n: {"dtype": dtype, "scheme": scheme,
                "calibration_method": "minmax", "device": d}
            for n, d in (("conv0", "npu"), ("mid", host), ("conv2", "npu"))}
    assert entries(text) == want
    assert list(entries(text)) == ["conv0", "mid", "conv2"]


def test_round_trip_python(models, tmp_path):
    paths, _, samples = models
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    p0 = tessera.compile(paths["div_negative"], calibration=samples,
                         write_config=a)
    p1 = tessera.compile(paths["div_negative"], calibration=samples,
                         config=a, write_config=b)
    assert p0 == p1 and a.read_bytes() == b.read_bytes()
    assert entries(a.read_text())["mid"]["device"] == "cpu"
    with pytest.raises(ValueError, match="--write-config needs the integer "
                                         "level"):
        tessera.compile(paths["div_negative"], calibration=samples,
                        emit="quant", write_config=tmp_path / "c.yaml")
    assert not (tmp_path / "c.yaml").exists()
    with pytest.raises(TypeError, match="config must be a path"):
        tessera.compile(paths["div_negative"], calibration=samples, config=3)


@pytest.mark.parametrize("model,target", [
    ("squeezenet1_1.onnx", "rv1126"), ("squeezenet1_1.onnx", "j5"),
    ("mobilenet_v2.onnx", "orin"), ("squeezenet1_1.ort-qdq.onnx", "j5"),
    ("mobilenet_v2.ort-qdq.onnx", "rv1126")])
def test_round_trip_fixtures(model, target, tmp_path):
    path = need_shared("models", model)
    calib = ["--calibration", MODELS / "calib224", *IMAGENET,
             "--max-calibration-samples", "2"] if "qdq" not in model else []
    text = round_trip((path, "--target", target, "--quiet", *calib),
                      tmp_path, "m")
    nodes = entries(text)
    assert len(nodes) > 30
    assert all(e["device"] == "npu" for e in nodes.values())
    if "qdq" in model:  # its quantization is its own: devices only
        assert all(list(e) == ["device"] for e in nodes.values())
        assert "\nscheme:" not in text


BAD = [
    # (config text, extra flags, message after "error: CFG:")
    ("nodes:\n  conv0: { dtpye: int8 }\n", [],
     "2:12: unknown field 'dtpye' (expected dtype, scheme, "
     "calibration_method, percentile, device)"),
    ("frobnicate: 1\n", [],
     "1:1: unknown field 'frobnicate' (expected target, scheme, "
     "calibration_method, percentile, nodes)"),
    ("nodes:\n  conv0: { dtype: int4 }\n", [],
     "2:19: field 'dtype': unknown dtype 'int4' (expected uint8, int8 or "
     "int16)"),
    ("nodes:\n  conv0:\n    calibration_method: best\n", [],
     "3:25: field 'calibration_method': unknown calibration method 'best' "
     "(expected minmax, moving_average, percentile, kl, mse)"),
    ("nodes:\n  conv0: { device: gpu }\n", [],
     "2:20: field 'device': unknown device 'gpu' (expected npu, or cpu: run "
     "on the host)"),
    ("nodes:\n  conv0: { calibration_method: percentile, percentile: 101 }"
     "\n", [],
     "2:56: field 'percentile': expected a number in (0, 100], got '101'"),
    ("nodes:\n  conv0: { device: cpu }\n  conv0: { device: npu }\n", [],
     "3:3: 'conv0' is given twice (one entry per node name or pattern)"),
    ("nodes:\n  conv0: { device: npu }\n  'backbone/*': { device: cpu }\n",
     [], "3: nodes: 'backbone/*' matches no ONNX node of the model"),
    ("nodes:\n  conv0: 3\n", [],
     "2:10: 'conv0': expected a mapping of fields ({ dtype, scheme, "
     "calibration_method, percentile, device })"),
    ("nodes:\n  conv0: { dtype: uint8 }\n", ["--target", "j5"],
     "2: field 'dtype': 'conv0': target j5 does not support uint8 (its "
     "dtypes: int8, int16)"),
    ("nodes:\n  conv0: { scheme: dfp_i8 }\n", [],
     "2: field 'scheme': 'conv0': scheme dfp_i8 differs from the default "
     "scheme asymmetric_u8 in activation symmetry, weights, "
     "power_of_two_scale; a per-node scheme may differ from the default "
     "only in its activation dtype (or use --scheme dfp_i8 for the whole "
     "model)"),
    ("nodes:\n  conv0: { scheme: best }\n", [],
     "2: field 'scheme': 'conv0': target rv1126 has no scheme 'best' (its "
     "schemes: asymmetric_u8, dfp_i8, dfp_i16)"),
    ("target: j5\n", [], "1: field 'target': the config is for target j5, "
     "not rv1126"),
    ("calibration_method: kl\n", ["--calibration-method", "mse"],
     "1: field 'calibration_method': kl contradicts --calibration-method "
     "mse (a flag and the config's top level may not disagree; change one "
     "of them)"),
    ("scheme: dfp_i8\n", ["--scheme", "asymmetric_u8"],
     "1: field 'scheme': dfp_i8 contradicts --scheme asymmetric_u8"),
    ("nodes:\n  conv0: { percentile: 99 }\n", [],
     "2: field 'percentile': 'conv0': applies to calibration_method "
     "percentile, not minmax"),
    ("nodes:\n  mid: { device: cpu }\n", ["--no-fallback"],
     "2: field 'device': 'mid': cpu runs nodes on the host, which "
     "--no-fallback forbids"),
    ("nodes:\n  mid: { device: npu }\n", ["--float-nodes", "m*"],
     "2: field 'device': 'mid': npu contradicts --float-nodes m*, which runs "
     "it on the host"),
    ("nodes: [conv0]\n", [], "1:9: field 'nodes': not a mapping"),
    ("nodes:\n  conv0: { dtype: int8\n", [], "2:23: Unexpected token"),
]


@pytest.mark.parametrize("text,flags,message", BAD)
def test_errors(models, text, flags, message, tmp_path):
    paths, calib, _ = models
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(text)
    proc = run_tool("tessera-compile", paths["pinned_conv"], "--calibration",
                    calib, "--quiet", *flags, "--config", cfg,
                    "--write-config", tmp_path / "out.yaml", "-o",
                    tmp_path / "out.npubin", check=False)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {cfg}:" +
                                                   message), proc.stderr
    assert not (tmp_path / "out.yaml").exists()
    assert not (tmp_path / "out.npubin").exists()


def test_device_npu_on_a_host_node_is_an_error(models, tmp_path):
    paths, calib, _ = models
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("nodes:\n  mid: { device: npu }\n")
    proc = run_tool("tessera-compile", paths["div_negative"],
                    "--calibration", calib, "--quiet", "--config", cfg, "-o",
                    tmp_path / "out.npubin", check=False)
    assert proc.returncode == 1
    assert proc.stderr == (
        f"error: {cfg}:2: field 'device': 'mid' is npu in the config but "
        "runs on the host: a divisor <= 0 or not finite (rescale "
        "multipliers are >= 0)\n")


@pytest.mark.parametrize("text", ["nodes:\n  conv0: { dtype: int16 }\n",
                                  "nodes:\n  conv0: { scheme: "
                                  "int16_activations }\n"])
def test_int16_per_node(models, text, tmp_path):
    """A config's per-node int16 (as a dtype, or as j5's int16 scheme) is
    --node-dtype's per-node precision: the same integer program, in which
    conv0's output is i16; and the config it writes back says int16."""
    paths, calib, _ = models
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(text)
    common = [paths["pinned_conv"], "--target", "j5", "--calibration", calib,
              "--quiet", "--emit=int"]
    run_tool("tessera-compile", *common, "--config", cfg,
             "--write-config", tmp_path / "back.yaml",
             "-o", tmp_path / "a.mlir")
    run_tool("tessera-compile", *common, "--node-dtype", "conv0=int16",
             "-o", tmp_path / "b.mlir")
    a = (tmp_path / "a.mlir").read_text()
    assert a == (tmp_path / "b.mlir").read_text()
    assert re.search(r'xi16>.*onnx\.node = "conv0"|onnx\.node = "conv0".*xi16>',
                     a), "conv0's output is not int16"
    back = (tmp_path / "back.yaml").read_text()
    assert re.search(r"conv0:.*dtype: int16", back), back


@pytest.mark.parametrize("target", ["rv1126", "j5"])
def test_device_cpu_runs_the_node_on_the_host(models, target, tmp_path):
    paths, calib, _ = models
    model = paths["pinned_conv"]
    _, alone = make_model("pinned_conv")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("# mid in float\nnodes:\n  mid: { device: cpu }\n")
    proc = run_tool("tessera-compile", model, "--target", target,
                    "--calibration", calib, "--config", cfg, "--emit=int",
                    "-o", tmp_path / "int.mlir")
    assert (f"note: node 'mid' (tosa.conv2d) runs on the host: pinned by "
            f"{cfg}:3 (device: cpu)") in proc.stderr
    assert proc.stderr.count("runs on the host") == 1
    text = (tmp_path / "int.mlir").read_text()
    host_ops = re.findall(r'((?:tosa|arith)\.\w+) .*onnx\.node = "(\w+)".*'
                          r'tessera\.device = "cpu"', text)
    assert host_ops == [("tosa.conv2d", "mid")]
    # The mechanism of --float-nodes: the same integer program.
    run_tool("tessera-compile", model, "--target", target, "--calibration",
             calib, "--float-nodes", "mid", "--emit=int", "--quiet", "-o",
             tmp_path / "float-nodes.mlir")
    assert (tmp_path / "float-nodes.mlir").read_text() == text

    # The host node computes onnxruntime's float result on its input.
    x = np.random.default_rng(12).uniform(-1, 1, (1, 3, 8, 8)) \
        .astype(np.float32)
    np.save(tmp_path / "xq.npy", quantized_input(tmp_path / "int.mlir", x))
    run_tool("tessera-run", tmp_path / "int.mlir", "--input",
             f"x={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "out",
             "--dump-all")
    with open(tmp_path / "out" / "dump-index.tsv") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    at = next(i for i, r in enumerate(rows) if r["op"] == "tosa.conv2d"
              and r["type"].endswith("f32"))
    layout = re.search(r'tosa\.conv2d .*onnx\.layout = "(\w+)".*'
                       r'tessera\.device', text)
    layout = layout.group(1) if layout else "NCHW"
    host_in = to_nchw(np.load(tmp_path / "out" / rows[at - 1]["file"]),
                      layout)
    host_out = to_nchw(np.load(tmp_path / "out" / rows[at]["file"]), layout)
    ref = ort_run(alone, {"a": host_in.astype(np.float32)})
    diff = float(np.max(np.abs(host_out.astype(np.float64) - ref)))
    assert diff <= 1e-5 * float(np.max(np.abs(ref))), diff

    # The .npubin on the simulator: the reference executor's integers.
    run_tool("tessera-compile", model, "--target", target, "--calibration",
             calib, "--config", cfg, "--quiet", "-o", tmp_path / "m.npubin")
    np.save(tmp_path / "x.npy", x)
    table = run_tool("tessera-sim", tmp_path / "m.npubin", "--input",
                     f"x={tmp_path / 'x.npy'}", "--output-dir",
                     tmp_path / "sim").stdout
    assert re.findall(r"^\d+\s+(\S+)\s+\S+\s+cpu\b", table, re.M) == ["mid"]
    ref_int = np.load(tmp_path / "out" / "y.npy")
    sim_int = np.load(tmp_path / "sim" / "y.int.npy")
    np.testing.assert_array_equal(sim_int.reshape(ref_int.shape), ref_int)


def output_scales(text):
    """{ONNX node: scale} of each conv's quantized result (--emit=quant),
    and the model input's as "x"."""
    out = {}
    qtype = r" : tensor<[^>]*> to tensor<[^!]*!quant\.uniform<i8(?:<-?\d+:" \
        r"-?\d+>)?:f32, ([0-9.eE+-]+)>"
    for m in re.finditer(r'(%\d+) = tosa\.conv2d .*onnx\.node = "(\w+)"',
                         text):
        q = re.search(r"quant\.qcast " + m.group(1) + qtype, text)
        out[m.group(2)] = float(q.group(1))
    out["x"] = float(re.search(r"quant\.qcast %arg0" + qtype, text).group(1))
    return out


@pytest.mark.parametrize("method,percentile", [("percentile", 99.0),
                                               ("mse", None), ("kl", None)])
def test_calibration_method_per_node(models, method, percentile, tmp_path):
    paths, calib, samples = models
    model = paths["pinned_conv"]
    # The tensors conv0, mid and conv2 output (a, b, y) on the calibration
    # samples, from onnxruntime.
    values = {n: NpObserver() for n in ("a", "b", "y")}
    for s in samples:
        got = onnxruntime_unoptimized(model, {"x": s[None]},
                                      extra_outputs=("a", "b"))
        for n, o in values.items():
            o.add(got[n])

    base = output_scales(tessera.compile(model, target="j5",
                                         calibration=samples, emit="quant"))
    cfg = tmp_path / "cfg.yaml"
    extra = f", percentile: {percentile}" if percentile else ""
    cfg.write_text(f"nodes:\n  mid: {{ calibration_method: {method}{extra} "
                   "}\n")
    got = output_scales(tessera.compile(model, target="j5",
                                        calibration=samples, emit="quant",
                                        config=cfg))
    # mid's output scale is the method's (numpy re-computation, j5:
    # symmetric int8); every other tensor keeps its minmax scale.
    want = qparams_of(expected_range(values["b"], method, True,
                                     percentile=percentile or 99.99), True)
    assert got["mid"] == pytest.approx(want[0], rel=1e-6)
    assert base["mid"] == pytest.approx(
        qparams_of(values["b"].observed(), True)[0], rel=1e-6)
    if method == "percentile":
        assert got["mid"] < base["mid"]  # clipped below the max
    assert {k: v for k, v in got.items() if k != "mid"} == \
        {k: v for k, v in base.items() if k != "mid"}


def test_glob_then_exact_entry(models, tmp_path):
    paths, calib, samples = models
    model = paths["pinned_conv"]
    base = output_scales(tessera.compile(model, target="j5",
                                         calibration=samples, emit="quant"))
    cfg = tmp_path / "cfg.yaml"
    # The glob matches conv0 and conv2; the later exact entry takes conv2
    # back to minmax.
    cfg.write_text("nodes:\n  'conv*': { calibration_method: percentile, "
                   "percentile: 99 }\n  conv2: { calibration_method: minmax "
                   "}\n")
    got = output_scales(tessera.compile(model, target="j5",
                                        calibration=samples, emit="quant",
                                        config=cfg))
    assert got["conv0"] < base["conv0"]
    assert (got["mid"], got["conv2"], got["x"]) == \
        (base["mid"], base["conv2"], base["x"])
    tessera.compile(model, target="j5", calibration=samples, config=cfg,
                    write_config=tmp_path / "w.yaml")
    methods = {n: (e.get("calibration_method"), e.get("percentile"))
               for n, e in entries((tmp_path / "w.yaml").read_text()).items()}
    assert methods == {"conv0": ("percentile", "99"),
                       "mid": ("minmax", None), "conv2": ("minmax", None)}

    # A glob with device: cpu puts every node it matches on the host.
    cfg.write_text("nodes:\n  'conv?': { device: cpu }\n")
    proc = run_tool("tessera-compile", model, "--target", "j5",
                    "--calibration", calib, "--config", cfg, "-o",
                    tmp_path / "m.npubin")
    notes = re.findall(r"note: node '(\w+)' \(.*\) runs on the host: pinned "
                       r"by .*cfg\.yaml:2 \(device: cpu\)", proc.stderr)
    assert notes == ["conv0", "conv2"]
