#!/usr/bin/env python3
"""Tessera's MAC-array cycles against SCALE-Sim 3's compute cycles, per
Conv/Gemm layer, on a matching weight-stationary array.

usage: scalesim_compare.py [--build DIR] [--target PROFILE] [--models M,...]
                           [--json FILE] [--scalesim-python PY] [--keep DIR]

For each model (default resnet18 and mobilenet_v2: the fixtures' float
mobilenet_v2 and the patterned resnet18, materialized on the fly), the
script

1. lists every Conv and Gemm node with ONNX shape inference: input
   [N, C, H, W], weight [M, C/g, R, S], pads, strides, groups;
2. writes them as a SCALE-Sim topology (IFMAP H and W include the padding,
   since SCALE-Sim convolves without any; a Gemm is a 1x1 "convolution" of
   a 1x1 map with K channels and N filters; a depthwise or grouped layer is
   one layer of C/g channels and M/g filters whose cycles count g times,
   which is what SCALE-Sim's own 'DP' layers do, one per channel, run once
   instead of g times) and a config of the array the Tessera profile
   declares (`mac_array.rows` x `mac_array.cols`, dataflow ws, SRAM and
   interface bandwidth large enough that SCALE-Sim reports no stalls), then
   runs SCALE-Sim (its own venv: it needs numpy < 2; scripts/setup
   --scalesim makes .venv-scalesim) and reads COMPUTE_REPORT.csv;
3. compiles the model for the profile (1 calibration image), runs
   tessera-sim --timing-only and takes each layer's `busy_cycles.mac`;
4. prints one row per layer (Tessera / SCALE-Sim ratio) and the ratio's
   distribution (median, p90, min, max) by layer kind: dense KxK conv,
   1x1 conv, depthwise, fully connected. --json writes the same.

Dilated convolutions have no SCALE-Sim equivalent and are listed as
skipped. Wall time is printed, never gated; needs ../shared for the models.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TESSERA_SHARED_DIR", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"
IMAGENET = ("0.485,0.456,0.406", "0.229,0.224,0.225")

# SCALE-Sim's runner, executed by the scalesim venv's interpreter: argv is
# config, topology, layout, output dir; prints COMPUTE_REPORT.csv's path.
RUNNER = r"""
import sys
from scalesim.scale_sim import scalesim
cfg, topo, layout, out = sys.argv[1:5]
s = scalesim(save_disk_space=True, verbose=False, config=cfg,
             topology=topo, layout=layout)
s.run_scale(top_path=out)
"""


def model_path(name, tmp):
    models = FIXTURES / "models" / f"{name}.onnx"
    if models.exists():
        return models
    skeleton = FIXTURES / "patterned" / f"{name}.skeleton.onnx"
    if not skeleton.exists():
        sys.exit(f"error: model '{name}' is neither {models} nor {skeleton}")
    out = tmp / f"{name}.onnx"
    subprocess.run([sys.executable, str(skeleton.parent / "materialize.py"),
                    str(skeleton), str(out)], check=True)
    return out


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return list(a.ints) if a.ints else a.i
    return default


def mac_layers(path):
    """[(node name, kind, SCALE-Sim row [H, W, R, S, C, M, stride],
    repeat, MACs)] for every Conv/Gemm of the model, batch 1."""
    model = shape_inference.infer_shapes(onnx.load(str(path)))
    g = model.graph
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.value_info) + list(g.input) + list(g.output)}
    for init in g.initializer:
        shapes[init.name] = list(init.dims)
    layers, skipped = [], []
    for node in g.node:
        if node.op_type == "Conv":
            n, c, h, w = shapes[node.input[0]]
            m, cg, r, s = shapes[node.input[1]]
            group = attr(node, "group", 1)
            pads = attr(node, "pads", [0, 0, 0, 0])
            strides = attr(node, "strides", [1, 1])
            dil = attr(node, "dilations", [1, 1])
            if dil != [1, 1] or strides[0] != strides[1]:
                skipped.append((node.name, f"dilations {dil}, strides "
                                            f"{strides}"))
                continue
            hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
            oh = (hp - r) // strides[0] + 1
            ow = (wp - s) // strides[1] + 1
            if group == c == m and cg == 1:
                kind = "depthwise"
            elif r == s == 1:
                kind = "1x1"
            else:
                kind = f"conv"
            row = [hp, wp, r, s, cg, m // group, strides[0]]
            layers.append((node.name, kind, row, group,
                           oh * ow * m * cg * r * s))
        elif node.op_type in ("Gemm", "MatMul"):
            a, b = shapes[node.input[0]], shapes[node.input[1]]
            k = a[-1]
            trans_b = node.op_type == "Gemm" and attr(node, "transB", 0)
            nout = b[0] if trans_b else b[-1]
            rows = int(np.prod(a[:-1]))
            if rows != 1:
                skipped.append((node.name, f"{rows} rows"))
                continue
            layers.append((node.name, "fc", [1, 1, 1, 1, k, nout, 1], 1,
                           k * nout))
    return layers, skipped


def run_scalesim(layers, rows, cols, python, workdir):
    """Compute cycles per distinct SCALE-Sim row (dict keyed by tuple)."""
    distinct = sorted({tuple(l[2]) for l in layers})
    cfg = workdir / "tessera.cfg"
    cfg.write_text(f"""[general]
run_name = tessera

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: 65536
FilterSramSzkB: 65536
OfmapSramSzkB: 65536
IfmapOffset: 0
FilterOffset: 100000000
OfmapOffset: 200000000
Bandwidth: 4096
Dataflow: ws
ReadRequestBuffer: 512
WriteRequestBuffer: 512

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 4096
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 4096
FilterSRAMBankNum: 1
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport: false
SparseRep: ellpack_block
OptimizedMapping: false
BlockSize: 8
RandomNumberGeneratorSeed: 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
""")
    header = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, "
              "Filter Width, Channels, Num Filter, Strides,\n")
    topo = workdir / "layers.csv"
    topo.write_text(header + "".join(
        f"L{i}, " + ", ".join(map(str, row)) + ",\n"
        for i, row in enumerate(distinct)))
    # Layouts only matter with custom layouts, which are off; the file
    # must still parse: factors 1, orders 0..13 per layer.
    layout = workdir / "layout.csv"
    layout.write_text("Layer name," + ",".join(["x"] * 20) + ",\n" + "".join(
        f"L{i}," + ",".join(["1"] * 6 + [str(j) for j in range(14)]) + ",\n"
        for i in range(len(distinct))))
    out = workdir / "scalesim"
    proc = subprocess.run([python, "-c", RUNNER, str(cfg), str(topo),
                           str(layout), str(out)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        sys.exit("error: SCALE-Sim failed:\n" + proc.stderr[-3000:])
    report = (out / "tessera" / "COMPUTE_REPORT.csv").read_text()
    cycles = {}
    for line in report.splitlines()[1:]:
        f = [x.strip() for x in line.split(",")]
        # LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall
        # Cycles, ...: compute cycles = total - stalls.
        total, stall = int(f[2]), int(f[3])
        cycles[distinct[int(f[0])]] = total - stall
    return cycles


def tessera_mac_cycles(path, name, target, bindir, workdir):
    npubin = workdir / f"{name}.npubin"
    report = workdir / f"{name}.json"
    subprocess.run([str(bindir / "tessera-compile"), str(path), "--target",
                    target, "--calibration", str(FIXTURES / "models" /
                                                 "calib224"),
                    "--mean", IMAGENET[0], "--std", IMAGENET[1],
                    "--max-calibration-samples", "1", "--quiet", "-o",
                    str(npubin)], check=True)
    subprocess.run([str(bindir / "tessera-sim"), str(npubin),
                    "--timing-only", "--report", str(report), "--quiet"],
                   check=True)
    layers = json.loads(report.read_text())["layers"]
    return {l["name"]: l["busy_cycles"]["mac"] for l in layers}, \
        {l["name"]: l["macs"] for l in layers}


def profile_array(target, bindir):
    """(rows, cols) of the profile's MAC array, as the loader reads it."""
    text = Path(target).read_text() if target.endswith(".yaml") else (
        REPO / "targets" / f"{target}.yaml").read_text()
    dims = {}
    for line in text.splitlines():
        key = line.split("#")[0].strip()
        for k in ("rows", "cols"):
            if key.startswith(k + ":"):
                dims.setdefault(k, int(key.split(":")[1]))
    return dims["rows"], dims["cols"]


def quantiles(values):
    v = sorted(values)
    return dict(n=len(v), median=statistics.median(v),
                p90=v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))],
                min=v[0], max=v[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get(
        "TESSERA_BUILD_DIR", str(REPO / "build")))
    ap.add_argument("--target", default="rv1126")
    ap.add_argument("--models", default="resnet18,mobilenet_v2")
    ap.add_argument("--json")
    ap.add_argument("--scalesim-python",
                    default=str(REPO / ".venv-scalesim" / "bin" / "python"))
    ap.add_argument("--keep", help="keep the work files in this directory")
    args = ap.parse_args()
    if not Path(args.scalesim_python).exists():
        sys.exit(f"error: {args.scalesim_python} not found: run "
                 "scripts/setup --scalesim (SCALE-Sim needs numpy < 2, so it "
                 "gets its own venv)")
    if not FIXTURES.exists():
        sys.exit(f"error: {FIXTURES} not found (set TESSERA_SHARED_DIR)")
    bindir = Path(args.build) / "bin"
    rows, cols = profile_array(args.target, bindir)
    start = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory() as tmpname:
        work = Path(args.keep or tmpname)
        work.mkdir(parents=True, exist_ok=True)
        for name in args.models.split(","):
            path = model_path(name, work)
            layers, skipped = mac_layers(path)
            print(f"{name}: {len(layers)} Conv/Gemm layers, SCALE-Sim "
                  f"{rows}x{cols} ws ...", file=sys.stderr)
            sdir = work / f"ss_{name}"
            sdir.mkdir(exist_ok=True)
            ss = run_scalesim(layers, rows, cols, args.scalesim_python, sdir)
            ours, macs = tessera_mac_cycles(path, name, args.target, bindir,
                                            work)
            for lname, kind, row, repeat, nmacs in layers:
                if lname not in ours:
                    skipped.append((lname, "not a layer of Tessera's report "
                                           "(fused into another)"))
                    continue
                theirs = ss[tuple(row)] * repeat
                results.append(dict(model=name, layer=lname, kind=kind,
                                    macs=nmacs, tessera=ours[lname],
                                    scalesim=theirs,
                                    ratio=ours[lname] / theirs))
            for lname, why in skipped:
                print(f"{name}: skipped {lname}: {why}", file=sys.stderr)
    print(f"| model | layer | kind | MACs | Tessera MAC cycles | SCALE-Sim "
          f"compute cycles | ratio |\n|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['model']} | {r['layer']} | {r['kind']} | {r['macs']} | "
              f"{r['tessera']} | {r['scalesim']} | {r['ratio']:.3f} |")
    kinds = sorted({r["kind"] for r in results})
    summary = {k: quantiles([r["ratio"] for r in results if r["kind"] == k])
               for k in kinds}
    summary["all"] = quantiles([r["ratio"] for r in results])
    print("\n| kind | layers | median | p90 | min | max |\n"
          "|---|---|---|---|---|---|")
    for k, q in summary.items():
        print(f"| {k} | {q['n']} | {q['median']:.3f} | {q['p90']:.3f} | "
              f"{q['min']:.3f} | {q['max']:.3f} |")
    seconds = time.monotonic() - start
    print(f"\n{len(results)} layers; target {args.target} ({rows}x{cols}); "
          f"{seconds:.0f} s wall")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(
            target=args.target, array=[rows, cols], layers=results,
            summary=summary, seconds=seconds), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
