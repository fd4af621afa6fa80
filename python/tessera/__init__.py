"""Tessera: compile float or QDQ ONNX models into integer NPU programs and
simulate them on Orin-, J5- and RV1126-class targets.

- ``tessera.quant``: quantization arithmetic (scales, rounding, S n.m, TOSA
  multiplier/shift).
- ``tessera.compile(model, ...)``: ONNX -> .npubin (or any --emit level).
- ``tessera.simulate(program, inputs)``: outputs and the per-layer report.
- ``tessera.run(model, inputs)``: the float/integer reference executors on an
  ONNX model or TOSA MLIR.
"""
from . import quant  # noqa: F401
from .pipeline import compile, run, simulate, SimulationResult  # noqa: F401
