"""Tessera: compile float or QDQ ONNX models into integer NPU programs and
simulate them on Orin-, J5- and RV1126-class targets.

- ``tessera.quant``: quantization arithmetic (scales, rounding, S n.m, TOSA
  multiplier/shift).
- ``tessera.compile(model, ...)``: ONNX -> .npubin (or any --emit level).
- ``tessera.simulate(program, inputs)``: outputs and the per-layer report.
- ``tessera.analyze(model, target, calibration)``: per-layer accuracy of
  the integer program against float (and the simulator), as a dict.
- ``tessera.run(model, inputs)``: the float/integer reference executors on an
  ONNX model or TOSA MLIR.
- ``tessera.set_max_memory(bytes)`` / ``tessera.max_memory()``: the memory
  budget (default 4 GiB) over which a tensor is a ``MemoryError``.

Bad arguments raise ``TypeError`` or ``ValueError`` with one line naming the
function and the argument; no argument aborts the interpreter
(docs/reference.md, "Python API").
"""
from . import quant  # noqa: F401
from .analysis import AccuracyReport, analyze  # noqa: F401
from .pipeline import (  # noqa: F401
    DEFAULT_MAX_MEMORY,
    SimulationResult,
    compile,
    max_memory,
    run,
    set_max_memory,
    simulate,
)
