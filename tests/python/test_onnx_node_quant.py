"""ONNX's own conformance cases for the quantization operators
(../shared/fixtures/onnx-node-quant), imported and run bit-exactly.

Each case is imported with tessera-import onto the quant-annotated level and
run with tessera-run (the reference executor; quant.qcast / quant.dcast call
core/quant). Cases whose graph quantizes a computation (QLinearConv,
QLinearMatMul) are also folded with --tessera-fold-to-integer and run on the
integer level; their inputs and outputs then cross the function boundary as
the runtime does (uint8 as int8 bytes XOR 0x80, docs/quantization-passes.md).
The stored outputs (which agree with ONNX's reference evaluator) are the
oracle; results must be np.array_equal with matching dtypes.

Tessera needs scales, zero points and convolution weights at compile time,
so inputs that the model feeds into those slots are bound as initializers
from the case's own test data; every other input stays a run-time input.

The float8 / float4 / int2 cases must be rejected with one line naming the
node, the op and the type.
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from conftest import SHARED, tool

CASES_DIR = SHARED / "fixtures" / "onnx-node-quant"
CASES = sorted(p.name for p in CASES_DIR.iterdir()) if CASES_DIR.exists() else []

# Input slots Tessera needs as constants: op type -> input indices.
CONSTANT_SLOTS = {
    "QuantizeLinear": {1, 2},
    "DequantizeLinear": {1, 2},
    "QLinearConv": {1, 2, 3, 4, 5, 6, 7, 8},
    "QLinearMatMul": {1, 2, 4, 5, 6, 7},
    "ConvInteger": {1, 2, 3},
    "MatMulInteger": {2, 3},
}
# Ops whose graph quantizes a computation: also run after folding.
FOLDED_OPS = {"QLinearConv", "QLinearMatMul"}
REJECTED = ("e4m3fn", "e5m2", "float4e2m1", "int2", "uint2")


def is_rejected(case):
    return any(case.endswith(r) or f"_{r}_" in case + "_" for r in REJECTED)


def load_case(case):
    d = CASES_DIR / case
    model = onnx.load(d / "model.onnx")
    data = d / "test_data_set_0"
    inputs, outputs = {}, {}
    for i, vi in enumerate(model.graph.input):
        f = data / f"input_{i}.pb"
        if f.exists():
            inputs[vi.name] = numpy_helper.to_array(onnx.load_tensor(str(f)))
    for i, vi in enumerate(model.graph.output):
        outputs[vi.name] = numpy_helper.to_array(
            onnx.load_tensor(str(data / f"output_{i}.pb")))
    return model, inputs, outputs


def bind_constants(model, inputs):
    """Moves the inputs that feed constant slots into initializers; returns
    the run-time inputs left."""
    names = set()
    for node in model.graph.node:
        for i in CONSTANT_SLOTS.get(node.op_type, ()):
            if i < len(node.input) and node.input[i] in inputs:
                names.add(node.input[i])
    keep = [vi for vi in model.graph.input if vi.name not in names]
    for name in sorted(names):
        vi = next(v for v in model.graph.input if v.name == name)
        t = numpy_helper.from_array(inputs[name], name)
        t.data_type = vi.type.tensor_type.elem_type  # keep int4 / uint4
        model.graph.initializer.append(t)
    del model.graph.input[:]
    model.graph.input.extend(keep)
    return {k: v for k, v in inputs.items() if k not in names}


def storage_array(a):
    """int4 / uint4 arrays (ml_dtypes) as the int8 / uint8 the executor uses."""
    if a.dtype.name == "int4":
        return a.astype(np.int8)
    if a.dtype.name == "uint4":
        return a.astype(np.uint8)
    return a


def run(cmd):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    return proc


def run_level(tmp, mlir, inputs, boundary=False):
    """tessera-run on `mlir` with {name: array}; returns {name: array}."""
    cmd = [tool("tessera-run"), mlir, "--output-dir", tmp / "out"]
    for name, arr in inputs.items():
        p = tmp / f"in_{name}.npy"
        np.save(p, arr)
        cmd += ["--input", f"{name}={p}"]
    proc = run(cmd)
    assert proc.returncode == 0, proc.stderr
    return {p.stem: np.load(p) for p in (tmp / "out").glob("*.npy")}


def check_equal(got, want):
    for name, w in want.items():
        w = storage_array(w)
        assert name in got, f"output {name} missing (got {sorted(got)})"
        g = got[name]
        assert g.dtype == w.dtype, f"{name}: dtype {g.dtype} != {w.dtype}"
        assert g.shape == w.shape, f"{name}: shape {g.shape} != {w.shape}"
        assert np.array_equal(g, w), f"{name}: {g.ravel()} != {w.ravel()}"


def boundary_dtypes(mlir_text):
    """{onnx.name: tessera.dtype} of the folded @main's arguments and of its
    results (the attributes FuncBoundary.cpp writes)."""
    import re
    sig = mlir_text[mlir_text.index("func.func @main"):]
    sig = sig[:sig.index("{\n")]
    args_part, _, res_part = sig.partition("->")

    def attrs(part):
        out = {}
        for chunk in re.split(r"tensor<", part)[1:]:
            name = re.search(r'onnx.name = "([^"]+)"', chunk)
            dt = re.search(r'tessera.dtype = "(\w+)"', chunk)
            if name:
                out[name.group(1)] = dt.group(1) if dt else None
        return out
    return attrs(args_part), attrs(res_part)


@pytest.fixture(scope="module", autouse=True)
def _need_cases():
    if not CASES:
        pytest.skip(f"{CASES_DIR} not available (../shared is absent)")


@pytest.mark.parametrize("case", CASES or ["none"])
def test_case(case, tmp_path):
    model, inputs, outputs = load_case(case)
    ops = {n.op_type for n in model.graph.node}
    if is_rejected(case):
        path = tmp_path / "model.onnx"
        onnx.save(model, path)
        proc = run([tool("tessera-import"), path])
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        node = model.graph.node[0]
        msg = lines[0]
        assert msg.startswith("error: "), msg
        assert f"({node.op_type})" in msg and "has type" in msg, msg
        assert any(t in msg for t in ("float8e4m3fn", "float8e5m2",
                                      "float4e2m1", "int2", "uint2")), msg
        return

    runtime = bind_constants(model, inputs)
    path = tmp_path / "model.onnx"
    onnx.save(model, path)
    mlir = tmp_path / "quant.mlir"
    proc = run([tool("tessera-import"), path, "-o", mlir])
    assert proc.returncode == 0, proc.stderr
    feeds = {k: storage_array(v) for k, v in runtime.items()}
    (tmp_path / "q").mkdir()
    check_equal(run_level(tmp_path / "q", mlir, feeds), outputs)

    if ops & FOLDED_OPS:
        folded = tmp_path / "int.mlir"
        proc = run([tool("tessera-opt"), mlir, "--tessera-fold-to-integer",
                    "-o", folded])
        assert proc.returncode == 0, proc.stderr
        text = folded.read_text()
        assert "quant." not in text and "xf32" not in text, text
        arg_dtypes, res_dtypes = boundary_dtypes(text)
        # The runtime's uint8 boundary: the int8 image, bytes XOR 0x80.
        ifeeds = {name: ((arr ^ 0x80).view(np.int8)
                         if arg_dtypes.get(name) == "uint8" else arr)
                  for name, arr in feeds.items()}
        (tmp_path / "i").mkdir()
        got = run_level(tmp_path / "i", folded, ifeeds)
        for name, arr in got.items():
            if res_dtypes.get(name) == "uint8":
                got[name] = arr.view(np.uint8) ^ 0x80
        check_equal(got, outputs)
