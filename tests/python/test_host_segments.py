"""Host fallback, back end (docs/lowering.md and docs/simulator.md "Host
segments"): an integer-level module with one op on the host CPU goes
through lowering (outlined into @host_segment_0 + npu.host_call), tiling and
codegen (a HOST instruction and the host-segment section), and the
simulator runs the segment's float program with the reference interpreter.

The module is a real `tessera-compile --emit=int` output of Conv 3x3 ->
Sigmoid -> Conv 1x1, made here for each target with its default scheme,
whose Sigmoid (a tosa.table on the NPU) is rewritten into the host form of
the int-level contract: quant.scast/dcast -> float tosa.sigmoid ->
quant.qcast/scast, all with tessera.device = "cpu".

Oracles: the integer reference executor (tessera-run) on the same module,
bit for bit (it runs the float sigmoid and the casts itself); and the host
time, FLOPs, bytes and energy of the report, computed by hand below from
the targets' `host:` blocks."""
import json
import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

from conftest import run_tool

N = 1 * 6 * 6 * 4  # elements the host segment reads and writes
# Work estimate (docs/lowering.md): FLOPs scast 0 + dcast N + sigmoid N +
# qcast N + scast 0; bytes per op operands + results, i8 = 1 B, f32 = 4 B:
# (N + N) + (N + 4N) + (4N + 4N) + (4N + N) + (N + N) = 22 N.
FLOPS = 3 * N    # 432
BYTES = 22 * N   # 3168
# targets/*.yaml host blocks: (GFLOP/s, GB/s, crossing us, W) and the
# host time max(FLOPS / (GFLOP/s * 1e3), BYTES / (GB/s * 1e3)) + 2 crossings:
HAND = {
    # max(432 / 6000 = 0.072, 3168 / 2000 = 1.584) + 2 x 50
    "rv1126": dict(us=101.584, watts=0.6, mhz=934),
    # max(432 / 24000 = 0.018, 3168 / 10000 = 0.3168) + 2 x 20
    "j5": dict(us=40.3168, watts=2.0, mhz=977),
    # max(432 / 105000, 3168 / 40000 = 0.0792) + 2 x 10
    "orin": dict(us=20.0792, watts=12.0, mhz=1600),
}


def model(path):
    rng = np.random.default_rng(0)
    w1 = rng.normal(0, 0.3, (4, 3, 3, 3)).astype(np.float32)
    w2 = rng.normal(0, 0.3, (4, 4, 1, 1)).astype(np.float32)
    nodes = [h.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1],
                         name="conv1"),
             h.make_node("Sigmoid", ["c1"], ["s1"], name="sig1"),
             h.make_node("Conv", ["s1", "w2"], ["y"], name="conv2")]
    g = h.make_graph(
        nodes, "g", [h.make_tensor_value_info("x", TP.FLOAT, [1, 3, 6, 6])],
        [h.make_tensor_value_info("y", TP.FLOAT, [1, 4, 6, 6])],
        [nh.from_array(w1, "w1"), nh.from_array(w2, "w2")])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)
    return path


TABLE = re.compile(
    r'^(\s*)(%\w+) = tosa\.table (%\w+), %\w+ \{[^}]*onnx\.node = "sig1"[^}]*\}'
    r' : \((tensor<([0-9x]+)xi8>), tensor<256xi8>\) -> tensor<[0-9x]+xi8>$',
    re.M)


def host_form(int_text):
    """Replaces the sig1 table lookup by the host-fallback contract form:
    input scale 1/16 (zero point 0), output scale 1/127 (zero point 0)."""
    m = TABLE.search(int_text)
    assert m, "no tosa.table for sig1 in the --emit=int output"
    ind, res, arg, ity, shape = m.groups()
    qin = f"tensor<{shape}x!quant.uniform<i8:f32, 0.0625>>"
    qout = f"tensor<{shape}x!quant.uniform<i8:f32, 0.007874015748031496>>"
    f32 = f"tensor<{shape}xf32>"
    cpu = '{tessera.device = "cpu", onnx.node = "sig1"}'
    lines = [
        f"{ind}%h0 = quant.scast {arg} {cpu} : {ity} to {qin}",
        f"{ind}%h1 = quant.dcast %h0 {cpu} : {qin} to {f32}",
        f"{ind}%h2 = tosa.sigmoid %h1 {cpu} : ({f32}) -> {f32}",
        f"{ind}%h3 = quant.qcast %h2 {cpu} : {f32} to {qout}",
        f"{ind}{res} = quant.scast %h3 {cpu} : {qout} to {ity}",
    ]
    return int_text[:m.start()] + "\n".join(lines) + int_text[m.end():]


@pytest.mark.parametrize("target", list(HAND))
def test_host_segment_bit_exact_and_timed(tmp_path, target):
    path = model(tmp_path / "m.onnx")
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 6, 6)).astype(np.float32)
    np.savez(tmp_path / "calib.npz", x=x)
    run_tool("tessera-compile", path, "--target", target, "--calibration",
             tmp_path / "calib.npz", "--emit=int", "-o", tmp_path / "int.mlir")
    host = tmp_path / "host.int.mlir"
    host.write_text(host_form((tmp_path / "int.mlir").read_text()))

    # Lowering outlines the segment and calls it.
    npu = run_tool("tessera-compile", host, "--target", target,
                   "--emit=npu").stdout
    assert "npu.host_call @host_segment_0(" in npu
    assert "func.func private @host_segment_0" in npu
    assert f"flops = {FLOPS} : i64" in npu and f"bytes = {BYTES} : i64" in npu
    assert "tosa.table" not in npu.split("@host_segment_0")[0]

    run_tool("tessera-compile", host, "--target", target, "-o",
             tmp_path / "h.npubin")
    # Integers the input takes (int8, or rv1126's uint8 as its int8 image).
    xq = np.random.default_rng(2).integers(-127, 128, (1, 3, 6, 6)
                                           ).astype(np.int8)
    np.save(tmp_path / "xq.npy", xq)
    run_tool("tessera-sim", tmp_path / "h.npubin", "--input",
             f"x={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "sim",
             "--report", tmp_path / "rep.json", "--quiet")
    run_tool("tessera-run", host, "--input", f"x={tmp_path / 'xq.npy'}",
             "--output-dir", tmp_path / "run")
    ref = np.load(tmp_path / "run" / "y.npy")
    sim = np.load(tmp_path / "sim" / "y.int.npy").reshape(ref.shape)
    np.testing.assert_array_equal(sim.astype(np.int64), ref.astype(np.int64))
    assert len(np.unique(ref)) > 20  # not a saturated or constant output

    rep = json.loads((tmp_path / "rep.json").read_text())
    rows = {l["name"]: l for l in rep["layers"]}
    assert [l["device"] for l in rep["layers"]] == ["npu", "cpu", "npu"]
    seg = rows["sig1"]
    assert seg["op"] == "Host"
    assert seg["host_flops"] == FLOPS and seg["host_bytes"] == BYTES
    hand = HAND[target]
    assert seg["host_us"] == pytest.approx(hand["us"], rel=1e-12)
    # The STORE queue waits ceil(us x MHz) NPU cycles for the host.
    assert seg["busy_cycles"]["host"] == int(np.ceil(hand["us"] * hand["mhz"]))
    assert seg["energy_breakdown_uj"]["host"] == pytest.approx(
        hand["us"] * hand["watts"], rel=1e-12)
    # The host time is part of the total latency and energy.
    assert rep["totals"]["latency_us"] > hand["us"]
    assert rep["totals"]["energy_breakdown_uj"]["host"] == pytest.approx(
        hand["us"] * hand["watts"], rel=1e-12)

    # The Python API: tessera.compile takes the int-level .mlir and
    # tessera.simulate installs the host executor; same integers, same rows.
    import tessera
    prog = tessera.compile(str(host), target=target)
    res = tessera.simulate(prog, {"x": xq})
    np.testing.assert_array_equal(
        res.int_outputs["y"].reshape(ref.shape).astype(np.int64),
        ref.astype(np.int64))
    assert [l["device"] for l in res.report] == ["npu", "cpu", "npu"]
    assert res.report[1]["host_us"] == pytest.approx(hand["us"], rel=1e-12)

    # Timing only needs no host executor and gives the same host time.
    run_tool("tessera-sim", tmp_path / "h.npubin", "--timing-only",
             "--report", tmp_path / "t.json", "--quiet")
    t = json.loads((tmp_path / "t.json").read_text())
    assert t["totals"]["cycles"] == rep["totals"]["cycles"]


def test_host_segment_needs_a_host_block(tmp_path):
    """A target profile without `host:` refuses a program with host
    segments, naming the reason."""
    from pathlib import Path
    import conftest
    path = model(tmp_path / "m.onnx")
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 6, 6)).astype(np.float32)
    np.savez(tmp_path / "calib.npz", x=x)
    run_tool("tessera-compile", path, "--target", "j5", "--calibration",
             tmp_path / "calib.npz", "--emit=int", "-o", tmp_path / "int.mlir")
    host = tmp_path / "host.int.mlir"
    host.write_text(host_form((tmp_path / "int.mlir").read_text()))
    run_tool("tessera-compile", host, "--target", "j5", "-o",
             tmp_path / "h.npubin")
    yaml = (conftest.REPO / "targets" / "j5.yaml").read_text()
    (tmp_path / "nohost.yaml").write_text(yaml.split("\nhost:")[0] + "\n")
    p = run_tool("tessera-sim", tmp_path / "h.npubin", "--target",
                 tmp_path / "nohost.yaml", "--quiet", check=False)
    assert p.returncode != 0
    assert "has no host model" in p.stderr


def test_host_segment_reads_a_strided_slice(tmp_path):
    """A host op reading an npu.slice (a strided view of the conv's
    channels 1..2): codegen copies it into a dense buffer for the host.
    Hand-written from Inputs/host_sigmoid.int.mlir; oracle tessera-run."""
    import conftest
    src = (conftest.REPO / "tests/lit/tessera-lower-to-npu/Inputs/"
           "host_sigmoid.int.mlir").read_text()
    head = src[:src.index("    %h0 = quant.scast")].replace(
        '-> (tensor<1x4x6x6xi8> {onnx.name = "y"',
        '-> (tensor<1x2x6x6xi8> {onnx.name = "y"')
    q_in = "tensor<1x6x6x2x!quant.uniform<i8:f32, 0.0625>>"
    q_out = "tensor<1x6x6x2x!quant.uniform<i8:f32, 0.007874015748031496>>"
    f32 = "tensor<1x6x6x2xf32>"
    cpu = '{tessera.device = "cpu", onnx.node = "sig1"}'
    body = f"""
    %st = tosa.const_shape {{values = dense<[0, 0, 0, 1]> : tensor<4xindex>}} : () -> !tosa.shape<4>
    %sz = tosa.const_shape {{values = dense<[1, 6, 6, 2]> : tensor<4xindex>}} : () -> !tosa.shape<4>
    %sl = tosa.slice %13, %st, %sz {{onnx.node = "slice1"}} : (tensor<1x6x6x4xi8>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x6x6x2xi8>
    %h0 = quant.scast %sl {cpu} : tensor<1x6x6x2xi8> to {q_in}
    %h1 = quant.dcast %h0 {cpu} : {q_in} to {f32}
    %h2 = tosa.sigmoid %h1 {cpu} : ({f32}) -> {f32}
    %h3 = quant.qcast %h2 {cpu} : {f32} to {q_out}
    %14 = quant.scast %h3 {cpu} : {q_out} to tensor<1x6x6x2xi8>
    %18 = tosa.transpose %14 {{onnx.node = "out", perms = array<i32: 0, 3, 1, 2>}} : (tensor<1x6x6x2xi8>) -> tensor<1x2x6x6xi8>
    return %18 : tensor<1x2x6x6xi8>
  }}
}}
"""
    path = tmp_path / "slice_host.int.mlir"
    path.write_text(head + body)
    npu = run_tool("tessera-compile", path, "--target", "j5", "--emit=npu"
                   ).stdout
    assert re.search(r"npu.slice .*\n.*npu.host_call @host_segment_0", npu)
    run_tool("tessera-compile", path, "--target", "j5", "-o",
             tmp_path / "s.npubin")
    xq = np.random.default_rng(2).integers(-127, 128, (1, 3, 6, 6)
                                           ).astype(np.int8)
    np.save(tmp_path / "xq.npy", xq)
    run_tool("tessera-sim", tmp_path / "s.npubin", "--input",
             f"x={tmp_path / 'xq.npy'}", "--output-dir", tmp_path / "sim",
             "--quiet")
    run_tool("tessera-run", path, "--input", f"x={tmp_path / 'xq.npy'}",
             "--output-dir", tmp_path / "run")
    ref = np.load(tmp_path / "run" / "y.npy")
    sim = np.load(tmp_path / "sim" / "y.int.npy").reshape(ref.shape)
    np.testing.assert_array_equal(sim, ref)
    assert len(np.unique(ref)) > 20
