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

Invalid arguments raise ``ValueError`` with a message naming them.
"""
from ._tessera.quant import (  # noqa: F401
    DTYPES,
    ROUNDINGS,
    apply_scale,
    apply_scale_16,
    choose_qparams,
    dequantize,
    from_fixed,
    quant_range,
    quantize,
    quantize_multiplier,
    round_with,
    to_fixed,
)

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
