"""Quantization arithmetic: ``tessera.quant``.

Re-exports the C++ core (core/quant/Quant.h) bound in ``tessera._tessera``,
so Python computes bit-for-bit what the compiler and the simulator compute.
Conventions, formulas and worked examples: docs/quantization.md.

- ``choose_qparams(x, dtype="int8", symmetric=False) -> (scale, zero_point)``
- ``quantize(x, scale, zero_point, dtype="int8", rounding="half_even",
  narrow_range=False) -> ndarray`` (uint8/int8/uint16/int16/int32; 4-bit
  types stored as uint8/int8)
- ``dequantize(q, scale, zero_point) -> ndarray`` (float64)
- ``round_with(x, rounding="half_even") -> ndarray`` (float64)
- ``to_fixed(x, int_bits, frac_bits, rounding="half_even") -> int`` and
  ``from_fixed(a, int_bits, frac_bits) -> float`` (signed S n.m)
- ``quantize_multiplier(m, scale32=True) -> (multiplier, shift)``
- ``apply_scale(value, multiplier, shift, double_round=False, strict=True)``
  and ``apply_scale_16(value, multiplier, shift, strict=True)`` (TOSA)
- ``quant_range(dtype, symmetric=False) -> (qmin, qmax)``
- ``DTYPES``, ``ROUNDINGS``: the accepted names.

Invalid arguments raise ``ValueError`` (a bad value) or ``TypeError`` (a
bad type: a string scale, a float shift, an object or complex array) with a
one-line message naming the function and the argument
(docs/quantization.md, "Python API").
"""
from ._tessera import quant as _q

DTYPES = _q.DTYPES
ROUNDINGS = _q.ROUNDINGS


# Plain Python functions in front of the C++ ones: Python itself checks the
# argument count and names (a short TypeError), the C++ side converts each
# argument (python/bindings/Convert.h). A pybind11 overload failure instead
# prints the repr of every argument, megabytes for a long list.
def _doc(f):
    """The C++ docstring without its signature line (Python shows it)."""
    return f.__doc__.split("\n\n", 1)[-1]


def choose_qparams(x, dtype="int8", symmetric=False):
    return _q.choose_qparams(x, dtype, symmetric)


def quantize(x, scale, zero_point, dtype="int8", rounding="half_even",
             narrow_range=False):
    return _q.quantize(x, scale, zero_point, dtype, rounding, narrow_range)


def dequantize(q, scale, zero_point):
    return _q.dequantize(q, scale, zero_point)


def round_with(x, rounding="half_even"):
    return _q.round_with(x, rounding)


def to_fixed(x, int_bits, frac_bits, rounding="half_even"):
    return _q.to_fixed(x, int_bits, frac_bits, rounding)


def from_fixed(a, int_bits, frac_bits):
    return _q.from_fixed(a, int_bits, frac_bits)


def quantize_multiplier(m, scale32=True):
    return _q.quantize_multiplier(m, scale32)


def apply_scale(value, multiplier, shift, double_round=False, strict=True):
    return _q.apply_scale(value, multiplier, shift, double_round, strict)


def apply_scale_16(value, multiplier, shift, strict=True):
    return _q.apply_scale_16(value, multiplier, shift, strict)


def quant_range(dtype, symmetric=False):
    return _q.quant_range(dtype, symmetric)


for _f in (choose_qparams, quantize, dequantize, round_with, to_fixed,
           from_fixed, quantize_multiplier, apply_scale, apply_scale_16,
           quant_range):
    _f.__doc__ = _doc(getattr(_q, _f.__name__))
del _f

__all__ = [
    "DTYPES",
    "ROUNDINGS",
    "apply_scale",
    "apply_scale_16",
    "choose_qparams",
    "dequantize",
    "from_fixed",
    "quant_range",
    "quantize",
    "quantize_multiplier",
    "round_with",
    "to_fixed",
]
