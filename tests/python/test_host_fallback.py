"""Host fallback, compiler side (docs/quantization-passes.md, "Host
fallback"): a node pinned with --float-nodes, and an op without an integer
lowering (a Div by a constant with a negative element), run in float on the
host inside an otherwise integer program, on rv1126, j5 and orin; and an op
that folds to integer but has no NPU lowering (a bilinear Resize by 1.5),
which the driver sends to the host after a trial lowering.

Model: Conv -> mid -> Conv, where mid is a third Conv (pinned), a Div by
the per-channel constant [0.5, -2, 1.5, 4] (no integer path: a rescale
multiplier is >= 0, so only divisors > 0 fold; falls back by itself) or a
bilinear Resize by 1.5 (no NPU lowering: falls back by itself).
Calibrated on 2 random samples, run on a third by the integer reference
executor (tessera-run on --emit=int), checking:
(a) the host node's output equals onnxruntime's float32 result of that node
    alone, fed the dequantized host input the program computed (the float
    value of the host op's quant.dcast): max|diff| <= 1e-5 * max|ref|;
(b) the whole dequantized output is close to onnxruntime's float model:
    cosine >= 0.999;
only mid's ops are host ops (its consumers fold to integer), and the
.npubin (with its host segment) on the simulator gives the integer
reference executor's integers bit for bit.
The fixture models run with no host op at all on every target.
"""
import csv
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

import tessera
from conftest import (MODELS, cosine, dequantized_output, need_shared,
                      quantized_input, run_tool)

ort = pytest.importorskip("onnxruntime")

TARGETS = ["rv1126", "j5", "orin"]
IMAGENET = ["--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225"]


def conv_node(name, x, y, ci, co, rng):
    w = nh.from_array(rng.uniform(-0.5, 0.5, (co, ci, 3, 3))
                      .astype(np.float32), name + "_w")
    b = nh.from_array(rng.uniform(-0.1, 0.1, co).astype(np.float32),
                      name + "_b")
    return h.make_node("Conv", [x, w.name, b.name], [y], name=name,
                       pads=[1, 1, 1, 1]), [w, b]


def make_model(kind):
    """(full model, model of the node 'mid' alone: input 'a', output 'b')."""
    rng = np.random.default_rng(3)
    n0, i0 = conv_node("conv0", "x", "a", 3, 4, rng)
    hw = 8
    if kind == "pinned_conv":
        n1, i1 = conv_node("mid", "a", "b", 4, 4, rng)
        cmid = 4
    elif kind == "unlowerable_resize":
        n1 = h.make_node("Resize", ["a", "", "sc"], ["b"], name="mid",
                         mode="linear")
        i1 = [nh.from_array(np.asarray([1, 1, 1.5, 1.5], np.float32), "sc")]
        cmid, hw = 4, 12
    else:  # "div_negative"
        n1 = h.make_node("Div", ["a", "d"], ["b"], name="mid")
        i1 = [nh.from_array(np.asarray([0.5, -2.0, 1.5, 4.0], np.float32)
                            .reshape(4, 1, 1), "d")]
        cmid = 4
    n2, i2 = conv_node("conv2", "b", "y", cmid, 2, rng)

    def model(nodes, inputs, outputs, inits):
        g = h.make_graph(nodes, "g", inputs, outputs, inits)
        m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
        m.ir_version = 8
        return m
    full = model([n0, n1, n2], [h.make_tensor_value_info("x", TP.FLOAT,
                                                         [1, 3, 8, 8])],
                 [h.make_tensor_value_info("y", TP.FLOAT, [1, 2, hw, hw])],
                 i0 + i1 + i2)
    alone = model([n1], [h.make_tensor_value_info("a", TP.FLOAT,
                                                  [1, 4, 8, 8])],
                  [h.make_tensor_value_info("b", TP.FLOAT, [1, cmid, hw, hw])],
                  i1)
    return full, alone


def ort_run(model, feeds):
    sess = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)[0]


def to_nchw(a, layout):
    return a.transpose(0, 3, 1, 2) if layout == "NHWC" else a


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", ["pinned_conv", "div_negative",
                                  "unlowerable_resize"])
def test_host_node_in_integer_program(kind, target, tmp_path):
    full, alone = make_model(kind)
    onnx.save(full, tmp_path / "m.onnx")
    rng = np.random.default_rng(11)
    np.savez(tmp_path / "calib.npz",
             x=rng.uniform(-1, 1, (2, 1, 3, 8, 8)).astype(np.float32)
             .reshape(2, 3, 8, 8))
    x = rng.uniform(-1, 1, (1, 3, 8, 8)).astype(np.float32)

    pin = ["--float-nodes", "mid"] if kind == "pinned_conv" else []
    proc = run_tool("tessera-compile", tmp_path / "m.onnx", "--target", target,
                    "--calibration", tmp_path / "calib.npz", *pin,
                    "--emit=int", "-o", tmp_path / "int.mlir")
    op, reason = {
        "pinned_conv": ("tosa.conv2d", "pinned by --float-nodes"),
        "div_negative": ("arith.divf", "a divisor <= 0 or not finite "
                         "(rescale multipliers are >= 0)"),
        "unlowerable_resize": ("tosa.resize", "no NPU lowering for "
                               "'tosa.resize': expected a BILINEAR resize "
                               "of a rank-4 i8 tensor by integer factors"),
    }[kind]
    assert f"note: node 'mid' ({op}) runs on the host: {reason}" \
        in proc.stderr
    assert proc.stderr.count("runs on the host") == 1
    text = (tmp_path / "int.mlir").read_text()

    # Only mid computes on the host; both Convs around it are integer.
    host_ops = re.findall(r'((?:tosa|arith)\.\w+) .*onnx\.node = "(\w+)".*'
                          r'tessera\.device = "cpu"', text)
    assert host_ops == [(op, "mid")], host_ops
    int_convs = re.findall(r"tosa\.conv2d .*-> tensor<[0-9x]*xi32>", text)
    assert len(int_convs) == 2
    layout = re.search(op + r' .*onnx\.layout = "(\w+)"', text)
    layout = layout.group(1) if layout else "NCHW"

    # The integer reference executor runs the mixed program.
    np.save(tmp_path / "xq.npy", quantized_input(tmp_path / "int.mlir", x))
    run_tool("tessera-run", tmp_path / "int.mlir", "--input",
             f"x={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "out",
             "--dump-all")
    with open(tmp_path / "out" / "dump-index.tsv") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    at = next(i for i, r in enumerate(rows) if r["op"] == op
              and r["type"].endswith("f32"))
    assert rows[at - 1]["op"] == "quant.dcast"
    host_in = to_nchw(np.load(tmp_path / "out" / rows[at - 1]["file"]),
                      layout)
    host_out = to_nchw(np.load(tmp_path / "out" / rows[at]["file"]), layout)

    # (a) The host node computes onnxruntime's float result on its input.
    ref = ort_run(alone, {"a": host_in.astype(np.float32)})
    diff = float(np.max(np.abs(host_out.astype(np.float64) - ref)))
    assert diff <= 1e-5 * float(np.max(np.abs(ref))), diff

    # The .npubin (host segment included) on the simulator: the integers of
    # the integer reference executor, bit for bit.
    run_tool("tessera-compile", tmp_path / "m.onnx", "--target", target,
             "--calibration", tmp_path / "calib.npz", *pin, "--quiet", "-o",
             tmp_path / "m.npubin")
    np.save(tmp_path / "x.npy", x)
    table = run_tool("tessera-sim", tmp_path / "m.npubin", "--input",
                     f"x={tmp_path / 'x.npy'}", "--output-dir",
                     tmp_path / "sim").stdout
    # One host row, named after mid alone (its boundary casts carry its
    # location, not conv0's).
    assert re.findall(r"^\d+\s+(\S+)\s+\S+\s+cpu\b", table, re.M) == ["mid"]
    ref_int = np.load(tmp_path / "out" / "y.npy")
    sim_int = np.load(tmp_path / "sim" / "y.int.npy")
    np.testing.assert_array_equal(sim_int.reshape(ref_int.shape), ref_int)

    # (b) The whole program is close to the float model.
    y = dequantized_output(tmp_path / "int.mlir", ref_int)
    c = cosine(y, ort_run(full, {"x": x}))
    print(f"{kind} {target}: host node max|diff| {diff:.3g}, "
          f"output cosine {c:.6f}")
    assert c >= 0.999


def test_python_api(tmp_path):
    full, _ = make_model("pinned_conv")
    onnx.save(full, tmp_path / "m.onnx")
    calib = np.random.default_rng(5).uniform(-1, 1, (2, 3, 8, 8)) \
        .astype(np.float32)
    text = tessera.compile(tmp_path / "m.onnx", calibration=calib,
                           emit="int", float_nodes=["m?d"])
    assert re.search(r'tosa\.conv2d .*onnx\.node = "mid".*'
                     r'tessera\.device = "cpu"', text)
    with pytest.raises(ValueError, match="float-nodes pattern 'nothing' "
                                         "matches no ONNX node"):
        tessera.compile(tmp_path / "m.onnx", calibration=calib, emit="int",
                        float_nodes=["mid", "nothing"])
    with pytest.raises(ValueError, match="which --no-fallback forbids"):
        tessera.compile(tmp_path / "m.onnx", calibration=calib, emit="int",
                        float_nodes=["mid"], no_fallback=True)
    with pytest.raises(TypeError, match="float_nodes must be a list"):
        tessera.compile(tmp_path / "m.onnx", calibration=calib, emit="int",
                        float_nodes="mid")

    full, _ = make_model("div_negative")
    onnx.save(full, tmp_path / "r.onnx")
    with pytest.raises(ValueError, match="node 'mid' \\(arith.divf\\) "
                       "cannot be folded to integer and host fallback is "
                       "disabled: a divisor <= 0 or not finite"):
        tessera.compile(tmp_path / "r.onnx", calibration=calib, emit="int",
                        no_fallback=True)
    program = tessera.compile(tmp_path / "r.onnx", calibration=calib)
    assert isinstance(program, bytes) and len(program) > 0

    # Folds to integer, has no NPU lowering: with --no-fallback the
    # lowering's error names the node and the op.
    full, _ = make_model("unlowerable_resize")
    onnx.save(full, tmp_path / "z.onnx")
    with pytest.raises(ValueError, match="unsupported for now: 'tosa.resize' "
                       "\\(ONNX node 'mid'\\)"):
        tessera.compile(tmp_path / "z.onnx", calibration=calib,
                        no_fallback=True)


@pytest.mark.parametrize("target", TARGETS)
def test_fixture_model_has_no_host_ops(target, tmp_path):
    model = need_shared("models", "squeezenet1_1.onnx")
    run_tool("tessera-compile", model, "--target", target, "--calibration",
             MODELS / "calib224", *IMAGENET, "--max-calibration-samples", "1",
             "--emit=int", "--quiet", "-o", tmp_path / "int.mlir")
    text = (tmp_path / "int.mlir").read_text()
    assert "tosa.conv2d" in text
    assert "tessera.device" not in text
