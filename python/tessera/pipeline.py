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
