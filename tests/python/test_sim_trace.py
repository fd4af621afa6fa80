"""tessera-sim --trace (Chrome trace-event JSON) and --report FILE.csv,
checked against the simulator's own JSON report of the same run.

The trace is read twice: with the json module (always; every check below)
and with Perfetto's trace processor (the `perfetto` package's
TraceProcessor) when its native binary is installed. scripts/setup fetches
that binary (pinned by the package's manifest) into .venv/bin; without
network it cannot, and the Perfetto test skips saying so. The models: the
built-in demo model (always) and yolov5s's onnxruntime int8 twin for rv1126
(from ../shared; skipped without it).
"""
import collections
import csv
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import tessera
from tessera import demo_model

from conftest import need_shared, run_tool

UNITS = ["load", "mac", "vector", "store", "host"]  # tids 11..15
PID = 1  # core 0 (Perfetto reserves pid 0)
TID0 = 11  # 10 x pid + 1: the first unit's thread
TRACKS = ["LOAD DMA", "MAC array (COMPUTE queue)",
          "vector unit (COMPUTE queue)", "STORE DMA",
          "HOST (CPU, on the STORE queue)"]
TRACE_PROCESSOR = Path(os.environ.get(
    "TESSERA_TRACE_PROCESSOR",
    Path(sys.prefix) / "bin" / "trace_processor_shell"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo model compiled for rv1126, its trace, JSON and CSV report."""
    tmp = tmp_path_factory.mktemp("trace_demo")
    demo_model.write(str(tmp / "demo.onnx"))
    tessera.compile(tmp / "demo.onnx", target="rv1126",
                    calibration=demo_model.calibration_images(),
                    output=tmp / "demo.npubin")
    return simulate(tmp, tmp / "demo.npubin")


@pytest.fixture(scope="module")
def yolo(tmp_path_factory):
    model = need_shared("models", "yolov5s.ort-qdq.onnx")
    tmp = tmp_path_factory.mktemp("trace_yolo")
    run_tool("tessera-compile", model, "--target", "rv1126", "-o",
             tmp / "y.npubin")
    return simulate(tmp, tmp / "y.npubin")


def simulate(tmp, program):
    run_tool("tessera-sim", program, "--timing-only", "--quiet",
             "--trace", tmp / "trace.json", "--report", tmp / "report.json")
    run_tool("tessera-sim", program, "--timing-only", "--quiet",
             "--report", tmp / "report.csv")
    return {
        "dir": tmp,
        "program": program,
        "trace_path": tmp / "trace.json",
        "trace": json.loads((tmp / "trace.json").read_text()),
        "report": json.loads((tmp / "report.json").read_text()),
        "csv": list(csv.DictReader(
            open(tmp / "report.csv", newline="", encoding="utf-8"))),
    }


def llround(x):
    """C's llround: halves away from zero (Python's round goes to even)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def nearest_ns(cycle, clock_mhz):
    """The trace's time of a cycle boundary, in integer nanoseconds."""
    return llround(cycle * 1e3 / clock_mhz)


def check_trace(trace, report):
    """Every property of docs/simulator.md "Timeline trace" the JSON shows,
    against the report of the same run."""
    clock = report["clock_mhz"]
    events = trace["traceEvents"]
    assert trace["otherData"]["clock_mhz"] == clock
    assert trace["otherData"]["cycles"] == report["totals"]["cycles"]

    names = {e["tid"]: e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    assert names == {TID0 + i: t for i, t in enumerate(TRACKS)}
    procs = [e for e in events if e["ph"] == "M"
             and e["name"] == "process_name"]
    assert [p["args"]["name"] for p in procs] == [
        "NPU core 0 (%s)" % report["target"]]

    slices = [e for e in events if e["ph"] == "X"]
    by_tid = collections.defaultdict(list)
    for s in slices:
        assert s["pid"] == PID
        by_tid[s["tid"]].append(s)
    totals = report["totals"]
    for i, unit in enumerate(UNITS):
        track = by_tid.get(TID0 + i, [])
        # One slice per instruction of the unit; their cycles are its busy
        # cycles; the microsecond durations say the same at the clock.
        assert len(track) == totals["unit_instructions"][unit], unit
        cycles = sum(s["args"]["cycles"] for s in track)
        assert cycles == totals["busy_cycles"][unit], unit
        # Times are whole nanoseconds: each boundary cycle x 1000 / clock,
        # rounded once; a duration is end - start in those nanoseconds.
        for s in track:
            start, n = s["args"]["start_cycle"], s["args"]["cycles"]
            assert s["ts"] * 1e3 == pytest.approx(
                nearest_ns(start, clock), abs=1e-6)
            assert s["dur"] * 1e3 == pytest.approx(
                nearest_ns(start + n, clock) - nearest_ns(start, clock),
                abs=1e-6)
        assert abs(sum(s["dur"] for s in track) * 1e3
                   - cycles * 1e3 / clock) <= len(track), unit
        # A unit runs one instruction at a time, and its slices stay apart
        # once a viewer converts them to integer nanoseconds as Perfetto
        # does (llround(ts x 1000), llround(dur x 1000)).
        track.sort(key=lambda s: s["args"]["start_cycle"])
        for a, b in zip(track, track[1:]):
            assert (a["args"]["start_cycle"] + a["args"]["cycles"]
                    <= b["args"]["start_cycle"]), (unit, a, b)
            assert (llround(a["ts"] * 1e3) + llround(a["dur"] * 1e3)
                    <= llround(b["ts"] * 1e3)), (unit, a, b)
    assert set(by_tid) <= {TID0 + i for i in range(len(UNITS))}

    # Per layer: slice names are the report's layer names, and the slices'
    # counts and cycles per unit are the layer's.
    layers = report["layers"]
    per_layer = collections.defaultdict(lambda: collections.Counter())
    for s in slices:
        lid = s["args"]["layer_id"]
        if lid < 0:
            assert s["name"] == "(no layer)"
            continue
        assert s["name"] == s["args"]["layer"] == layers[lid]["name"]
        assert s["args"]["op"] == layers[lid]["op"]
        unit = UNITS[s["tid"] - TID0]
        per_layer[lid][unit] += 1
        per_layer[lid][unit + " cycles"] += s["args"]["cycles"]
        per_layer[lid]["macs"] += s["args"]["macs"]
        per_layer[lid]["dram"] += s["args"]["dram_bytes"]
    for layer in layers:
        got = per_layer[layer["id"]]
        for unit in UNITS:
            assert got[unit] == layer["unit_instructions"][unit], layer["name"]
            assert got[unit + " cycles"] == layer["busy_cycles"][unit]
        assert got["macs"] == layer["macs"]
        assert got["dram"] == layer["dram_bytes"]
    timed = {l["name"] for l in layers
             if sum(l["unit_instructions"].values())}
    assert {s["name"] for s in slices} - {"(no layer)"} == timed

    # Counters: the DRAM windows add up to the bus bytes; live SRAM stays
    # within the target's SRAM and ends at 0.
    window = trace["otherData"]["dram_window_cycles"]
    assert window == max(1, -(-totals["cycles"] // 1000))
    dram = [e for e in events if e["ph"] == "C" and e["name"] == "DRAM bus"]
    assert sum(e["args"]["bytes per window"] for e in dram) == \
        totals["dram_burst_bytes"]
    for e in dram:
        assert math.isclose(e["args"]["GB/s"],
                            e["args"]["bytes per window"] * clock
                            / (window * 1e3), rel_tol=1e-12)
    # The channel moves at most dram_bytes_per_cycle: a window holds at
    # most that much per cycle, plus 1 byte of rounding per DMA in it.
    dmas = collections.Counter()
    for s in slices:
        if s["args"]["dram_burst_bytes"]:
            first = s["args"]["start_cycle"] // window
            last = (s["args"]["start_cycle"] + s["args"]["cycles"] - 1) \
                // window
            for w in range(first, last + 1):
                dmas[w] += 1
    peak = trace["otherData"]["dram_bytes_per_cycle"] * window
    for w, e in enumerate(dram[:-1]):  # one event per window, in order
        assert e["ts"] * clock == pytest.approx(w * window, abs=0.5)
        assert e["args"]["bytes per window"] <= peak + dmas[w], (e, peak)
    sram = [e for e in events if e["ph"] == "C" and e["name"] == "SRAM live"]
    values = [e["args"]["bytes"] for e in sram]
    assert [e["ts"] for e in sram] == sorted(e["ts"] for e in sram)
    assert min(values) >= 0 and values[-1] == 0
    assert max(values) <= trace["otherData"]["sram_bytes"]
    assert max(values) > 0
    return slices


def expected_bound(row):
    """docs/simulator.md: the resource whose cycles are closest to the
    span, ties in the order compute, sram, dram, host; none without work."""
    t = row["bound_cycles"]
    work = [(abs(row["cycles"] - t[k]), i, k) for i, k in
            enumerate(["compute", "sram", "dram", "host"]) if t[k] > 0]
    return min(work)[2] if work else "none"


def check_csv(rows, report):
    """The CSV holds the JSON report's rows and numbers."""
    layers = report["layers"]
    assert len(rows) == len(layers) + 2
    assert [r["id"] for r in rows[:-2]] == [str(l["id"]) for l in layers]
    assert [r["name"] for r in rows[-2:]] == ["(no layer)", "total"]
    macs = report["mac_array"]["rows"] * report["mac_array"]["cols"]
    docs = layers + [report["unattributed"], report["totals"]]
    for row, doc in zip(rows, docs):
        for key, cell in row.items():
            head, _, tail = key.partition(".")
            value = doc.get(head)
            if tail and value is not None:
                value = value[tail]
            if value is None:
                assert cell == "", key
            elif isinstance(value, bool):
                assert cell == ("true" if value else "false"), key
            elif isinstance(value, (int, float)):
                assert float(cell) == value, (key, cell, value)
            else:
                assert cell == value, key
        # Each resource is in order and works inside the row's span, so no
        # bound term exceeds it (the closest is then the largest).
        for k in ["compute", "sram", "dram", "host"]:
            assert int(row["bound_cycles." + k]) <= int(row["cycles"]), \
                (row["name"], k)
        # bound and util by their definitions, from the row's own numbers
        assert row["bound"] == expected_bound(doc), row["name"]
        util = int(row["macs"]) / (macs * int(row["cycles"])) \
            if int(row["cycles"]) else 0
        assert math.isclose(float(row["util"]), util, rel_tol=1e-12)
    # Totals: the sums of the other rows (cycles is the run's span, and
    # DRAM's bound term a max over the DMA engines, so those are not sums).
    total = rows[-1]
    for key in ["macs", "instructions", "dram_bytes", "dram_burst_bytes",
                "sram_bytes", "vector_ops", "bound_cycles.compute",
                "bound_cycles.sram", "bound_cycles.host"] + \
            ["busy_cycles." + u for u in UNITS] + \
            ["unit_instructions." + u for u in UNITS]:
        assert sum(int(r[key]) for r in rows[:-1]) == int(total[key]), key
    assert math.isclose(sum(float(r["energy_uj"]) for r in rows[:-1]),
                        float(total["energy_uj"]), rel_tol=1e-9)
    assert float(total["util"]) == report["totals"]["mac_utilisation"]


def count_no_unit(report):
    """Instructions without a unit (NOP, FINISH): all minus the units'."""
    t = report["totals"]
    return t["instructions"] - sum(t["unit_instructions"].values())


def test_demo_trace_matches_report(demo):
    report = demo["report"]
    slices = check_trace(demo["trace"], report)
    assert len(slices) == report["totals"]["instructions"] - \
        count_no_unit(report)


def test_demo_csv_matches_report(demo):
    check_csv(demo["csv"], demo["report"])


def test_python_api_writes_the_same_trace(demo, tmp_path):
    r = tessera.simulate(demo["program"], timing_only=True,
                         trace=tmp_path / "api.json")
    api = json.loads((tmp_path / "api.json").read_text())
    # The tool and the API run the same code on the same program.
    assert api == demo["trace"]
    check_trace(api, r.json)


def test_python_api_trace_errors_name_the_file(demo, tmp_path):
    bad = tmp_path / "no" / "such" / "dir" / "t.json"
    with pytest.raises(ValueError, match="t.json: cannot write"):
        tessera.simulate(demo["program"], timing_only=True, trace=bad)
    assert not bad.parent.exists()
    with pytest.raises(TypeError, match="simulate: trace must be a path"):
        tessera.simulate(demo["program"], timing_only=True, trace=3)


def test_host_segment_on_the_host_track(tmp_path):
    """The host-segment model of test_host_segments.py on rv1126: its HOST
    instruction is the HOST track's one slice, 101.584 us of host work and
    crossings = ceil(101.584 x 934) = 94,880 cycles (docs/simulator.md), and
    its layer is host-bound."""
    from test_host_segments import host_form, model
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 6, 6)).astype(
        np.float32)
    np.savez(tmp_path / "calib.npz", x=x)
    run_tool("tessera-compile", model(tmp_path / "m.onnx"), "--target",
             "rv1126", "--calibration", tmp_path / "calib.npz", "--emit=int",
             "-o", tmp_path / "int.mlir")
    host = tmp_path / "host.int.mlir"
    host.write_text(host_form((tmp_path / "int.mlir").read_text()))
    run_tool("tessera-compile", host, "--target", "rv1126", "-o",
             tmp_path / "h.npubin")
    run = simulate(tmp_path, tmp_path / "h.npubin")
    report = run["report"]
    slices = check_trace(run["trace"], report)
    check_csv(run["csv"], report)
    on_host = [s for s in slices if s["tid"] == TID0 + 4]
    assert len(on_host) == 1
    assert on_host[0]["name"] == "sig1" and on_host[0]["cat"] == "host"
    assert on_host[0]["args"]["cycles"] == 94880
    assert on_host[0]["args"]["host_us"] == pytest.approx(101.584,
                                                          rel=1e-12)
    sig1 = next(l for l in report["layers"] if l["name"] == "sig1")
    assert sig1["bound"] == "host" and sig1["bound_cycles"]["host"] == 94880


def test_yolov5s_trace_matches_report(yolo):
    report = yolo["report"]
    slices = check_trace(yolo["trace"], report)
    assert len(slices) == report["totals"]["instructions"] - \
        count_no_unit(report)
    # Most of yolov5s's layers on rv1126 wait for DRAM (no on-chip
    # residency between layers yet); every bound is one of the four.
    bounds = collections.Counter(l["bound"] for l in report["layers"])
    assert set(bounds) <= {"compute", "sram", "dram", "host", "none"}
    assert bounds["dram"] > bounds["compute"] > 0


def test_yolov5s_csv_matches_report(yolo):
    check_csv(yolo["csv"], yolo["report"])


def perfetto_checks(path, report):
    if not TRACE_PROCESSOR.is_file():
        pytest.skip("Perfetto's trace_processor_shell is not installed at "
                    f"{TRACE_PROCESSOR} (scripts/setup fetches it; it needs "
                    "network): the json-module tests above cover the trace")
    from perfetto.trace_processor import TraceProcessor, TraceProcessorConfig
    config = TraceProcessorConfig(bin_path=str(TRACE_PROCESSOR))
    clock = report["clock_mhz"]
    totals = report["totals"]
    with TraceProcessor(trace=str(path), config=config) as tp:
        rows = tp.query(
            "select thread.name as track, count(*) as n, sum(slice.dur) as d "
            "from slice join thread_track on slice.track_id = thread_track.id "
            "join thread on thread.utid = thread_track.utid "
            "group by thread.name")
        got = {r.track: (r.n, r.d) for r in rows}
        for i, unit in enumerate(UNITS):
            n = totals["unit_instructions"][unit]
            if n == 0:
                assert TRACKS[i] not in got
                continue
            count, dur_ns = got[TRACKS[i]]
            assert count == n, unit
            # The trace processor keeps integer nanoseconds: each slice's
            # start and end round by at most 1 ns.
            want = totals["busy_cycles"][unit] * 1e3 / clock
            assert abs(dur_ns - want) <= 2 * n + 1, (unit, dur_ns, want)
        names = {r.name for r in tp.query("select distinct name from slice")}
        timed = {l["name"] for l in report["layers"]
                 if sum(l["unit_instructions"].values())}
        assert names - {"(no layer)"} == timed
        counters = {r.name: r.total for r in tp.query(
            "select track.name as name, sum(counter.value) as total "
            "from counter join track on counter.track_id = track.id "
            "group by track.name")}
        dram = [v for k, v in counters.items()
                if k.startswith("DRAM bus") and "bytes" in k]
        assert dram == [totals["dram_burst_bytes"]], counters


def test_perfetto_reads_the_demo_trace(demo):
    perfetto_checks(demo["trace_path"], demo["report"])


def test_perfetto_reads_the_yolov5s_trace(yolo):
    perfetto_checks(yolo["trace_path"], yolo["report"])
