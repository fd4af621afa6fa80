"""``tessera.compile`` and ``tessera.simulate``: the two tools as functions.

Both call the same C++ code as ``tessera-compile`` and ``tessera-sim``; errors
raise ``ValueError`` with the tool's one-line message.
"""
import json
import os

import numpy as np

from . import _tessera


def compile(model, output=None, target="rv1126", calibration=None,
            mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), input_shapes=None,
            emit=None, quiet=True, max_calibration_samples=0):
    """Compiles ``model`` (an ONNX file path) for ``target``.

    calibration: a directory of JPEGs, one JPEG, a .npz path (one [N, ...]
    array per input), or an ndarray of samples [N, ...] for the single input,
    which is written to a temporary .npz. mean/std: per-channel image
    preprocessing after pixel/255. input_shapes: {name: shape} for dynamic
    inputs. emit: "tosa", "quant", "int", "npu" or "asm" returns that level as
    text instead of compiling. Otherwise returns the .npubin bytes (and writes
    them to ``output`` if given).
    """
    model = os.fspath(model)
    tmp = None
    if isinstance(calibration, np.ndarray):
        import tempfile
        fd, tmp = tempfile.mkstemp(suffix=".npz")
        os.close(fd)
        # A single array serves the model's single input, whatever its name.
        np.savez(tmp, samples=np.ascontiguousarray(calibration, np.float32))
        calibration = tmp
    try:
        return _tessera._compile(
            model, None if output is None else os.fspath(output), target,
            None if calibration is None else os.fspath(calibration),
            [float(v) for v in mean], [float(v) for v in std],
            {k: [int(d) for d in v] for k, v in (input_shapes or {}).items()},
            emit, quiet, int(max_calibration_samples))
    finally:
        if tmp:
            os.remove(tmp)


class SimulationResult(tuple):
    """``(outputs, report)``: outputs maps each model output name to its
    dequantized float32 array; report is a list of per-layer dicts (layer id,
    name, op, macs, cycles, latency_us, achieved_tops, dram_bytes, energy_uj,
    ...). Also: ``int_outputs`` (the raw integers), ``totals`` (the same fields
    for the whole run), ``json`` (the full report document, as tessera-sim
    --report writes it) and ``table`` (the printed table)."""

    def __new__(cls, outputs, int_outputs, report_json, table):
        doc = json.loads(report_json)
        self = super().__new__(cls, (outputs, doc["layers"]))
        self.outputs = outputs
        self.report = doc["layers"]
        self.int_outputs = int_outputs
        self.totals = doc["totals"]
        self.json = doc
        self.table = table
        return self


def simulate(program, inputs=None, target=None, timing_only=False):
    """Runs a compiled program (.npubin path or the bytes ``compile``
    returned) on the simulator. inputs: {name: ndarray}; float arrays are
    quantized with the input's scale and zero point, integer arrays are taken
    as already quantized. Inputs not given hold their zero point. target:
    another profile to time the same program on (default: the program's)."""
    if not isinstance(program, (bytes, bytearray)):
        with open(os.fspath(program), "rb") as f:
            program = f.read()
    arrays = {k: np.asarray(v) for k, v in (inputs or {}).items()}
    return SimulationResult(*_tessera._simulate(bytes(program), arrays, target,
                                                bool(timing_only)))


def _is_mlir_text(data):
    """Whether in-memory model bytes are MLIR text rather than an ONNX
    protobuf (which is binary and never starts with these)."""
    head = bytes(data[:4096]).lstrip()
    if not head.startswith((b"module", b"func.func", b"#", b"//", b"{-#")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def run(model, inputs, dump_all=False, input_shapes=None, function=None,
        threads=0):
    """Runs ``model`` with Tessera's reference executors and returns
    ``{output name: ndarray}``.

    model: a path to an .onnx model (imported exactly as ``tessera-compile``
    imports it, graph clean-up included) or to a .mlir file of TOSA, or the
    file's bytes. Float TOSA runs on the float executor; integer TOSA (e.g.
    ``compile(..., emit="int")``) on the bit-exact integer executor.
    inputs: ``{name: ndarray}`` by ONNX input name (or "arg0", "0", ...);
    arrays are cast to the argument's element type. input_shapes: ``{name:
    shape}`` for ONNX inputs with dynamic dimensions. function: the function
    to run in a multi-function module (default @main or the only one).
    threads: how many threads the float executor splits its work over
    (0: every core); the results are identical for any count. Without
    ``dump_all``, a float Conv followed by its Relu/Clip or SiLU runs as one
    fused op (same values, fewer passes over memory).

    With ``dump_all=True`` returns ``(outputs, intermediates)``, where
    intermediates maps every ONNX tensor computed on the way (by its ONNX
    name, in ONNX layout: NCHW for 4-D activations) to its value. A tensor
    folded away at import (e.g. a Conv output whose BatchNormalization was
    folded into the Conv) has no entry; the Conv then produces the
    BatchNormalization's output.
    """
    if isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
        is_onnx = not _is_mlir_text(data)
    else:
        data = os.fspath(model)
        is_onnx = not data.lower().endswith(".mlir")
    arrays = {str(k): np.asarray(v) for k, v in inputs.items()}
    shapes = {k: [int(d) for d in v] for k, v in (input_shapes or {}).items()}
    if int(threads) < 0:
        raise ValueError("threads must be >= 0, got %d" % int(threads))
    outputs, intermediates = _tessera._run(data, is_onnx, arrays, shapes,
                                           bool(dump_all), function,
                                           int(threads))
    if dump_all:
        return outputs, intermediates
    return outputs
