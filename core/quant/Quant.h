//===- Quant.h - Quantization arithmetic: the one source of truth -*- C++ -*-===//
//
// Scale/zero-point selection, quantize/dequantize with every rounding mode,
// signed fixed point S n.m, and the TOSA multiplier/shift requantization
// (apply_scale_32 / apply_scale_16). Compiler constant folding, the integer
// reference executor, the simulator and the Python module all call these;
// nothing else in Tessera re-implements rounding or saturation.
//
// Plain C++17, no MLIR/LLVM dependency (gemmlowp / TFLite-reference style).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_QUANT_QUANT_H
#define TESSERA_CORE_QUANT_QUANT_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::quant {

/// Integer storage types Tessera quantizes to.
enum class DType { UInt8, Int8, UInt16, Int16, UInt4, Int4, Int32 };

/// Bit width, signedness and the full representable range of a dtype.
struct DTypeInfo {
  int bits;
  bool isSigned;
  int64_t qmin;
  int64_t qmax;
};
DTypeInfo dtypeInfo(DType t);
/// "uint8", "int8", "uint16", "int16", "uint4", "int4", "int32".
std::optional<DType> parseDType(std::string_view name);
const char *dtypeName(DType t);

/// Rounding of a real value to an integer.
///   HalfEven: ties to even (IEEE default, numpy.round, the seeds' "银行家舍入").
///   HalfAway: ties away from zero (std::round).
///   HalfUp:   ties toward +inf (floor(x + 0.5)).
///   Floor / Trunc: toward -inf / toward zero.
enum class Rounding { HalfEven, HalfAway, HalfUp, Floor, Trunc };
std::optional<Rounding> parseRounding(std::string_view name);
const char *roundingName(Rounding r);
double roundWith(double x, Rounding r);

/// Affine quantization parameters: real = scale * (q - zeroPoint).
struct QParams {
  double scale;
  int64_t zeroPoint;
};

/// Chooses scale and zero point covering [min, max] (extended to include 0,
/// so that real 0 is exactly representable).
///   asymmetric: scale = (max - min) / (qmax - qmin),
///               zeroPoint = qmin - round_half_even(min / scale), clamped.
///   symmetric:  restricted range [-(2^(b-1)-1), 2^(b-1)-1] for signed types
///               (e.g. [-127, 127] for int8), scale = max|x| / qmax_r,
///               zeroPoint = 0 (unsigned types: the midpoint 2^(b-1)).
/// A degenerate range (min == max == 0) gives scale 1 and the zero point of
/// the formula (qmin asymmetric; 0 or 2^(b-1) symmetric).
/// Precondition: checkRange(min, max); non-finite bounds are treated as 0
/// and swapped bounds are swapped back.
QParams chooseQParams(double min, double max, DType t, bool symmetric);

/// The smallest power of two >= `scale` (> 0): dynamic fixed point's scale
/// (RKNN dynamic_fixed_point-i8, the seeds' S n.m formats), for which every
/// requantisation multiplier is a pure shift. 0.1 -> 0.125, 0.125 -> 0.125.
double powerOfTwoScale(double scale);
/// Same, over the min/max of the finite values of data[0..n) (non-finite
/// values are ignored; no finite value gives the degenerate range).
QParams chooseQParams(const float *data, size_t n, DType t, bool symmetric);

/// The range used for quantized values: the full dtype range, or for
/// symmetric signed types the restricted range (qmin + 1).
int64_t quantMin(DType t, bool symmetric);
int64_t quantMax(DType t, bool symmetric);

/// q = clamp(round(x / scale) + zeroPoint, qmin, qmax) with the full range of t.
int64_t quantize(double x, QParams p, DType t,
                 Rounding r = Rounding::HalfEven);
/// real = scale * (q - zeroPoint).
double dequantize(int64_t q, QParams p);

/// Clamps v into the full range of t.
int64_t saturate(int64_t v, DType t);

/// q = clamp(round(x / scale) + zeroPoint, qmin, qmax) with an explicit
/// range, e.g. {quantMin(t, true), quantMax(t, true)} for the restricted
/// (narrow) range of symmetric quantization. quantize(x, p, t, r) is
/// quantizeRange(x, p, dtypeInfo(t).qmin, dtypeInfo(t).qmax, r).
int64_t quantizeRange(double x, QParams p, int64_t qmin, int64_t qmax,
                      Rounding r = Rounding::HalfEven);

/// Precondition checks for callers holding untrusted input (verifiers,
/// Python). Each returns nullopt when the arguments are valid, otherwise a
/// lowercase message naming the offending argument and its value.
///   checkRange:   min and max finite and min <= max.
///   checkQParams: scale finite and > 0, zeroPoint inside the range of t.
std::optional<std::string> checkRange(double min, double max);
std::optional<std::string> checkQParams(QParams p, DType t);

/// Signed fixed point S n.m (1 sign bit, n integer bits, m fraction bits;
/// n + m + 1 bits in all): a = saturate(round(x * 2^m)) into
/// [-2^(n+m), 2^(n+m) - 1]. Requires 0 <= n, 0 <= m, n + m + 1 <= 63.
int64_t toFixed(double x, int intBits, int fracBits,
                Rounding r = Rounding::HalfEven);
double fromFixed(int64_t a, int intBits, int fracBits);
/// toFixed/fromFixed's precondition on the format (0 <= n, 0 <= m,
/// n + m + 1 <= 63); nullopt when valid. The functions assert it and, in
/// release builds, clamp n and m into range rather than shift out of range.
std::optional<std::string> checkFixedFormat(int intBits, int fracBits);

/// A real multiplier m > 0 as multiplier * 2^-shift, TOSA convention:
/// multiplier in [2^30, 2^31) and shift in [2, 62] (m == 0 gives {0, 2}).
/// Multipliers too small for shift <= 62 flush to {0, 2}; too large ones
/// (shift < 2, i.e. m >= 2^29) are an error the caller must avoid
/// (returned as nullopt), as are negative and non-finite m. The mantissa is
/// rounded half away from zero (as TFLite and MLIR do); a carry to 2^31
/// renormalises to {2^30, shift - 1}.
struct ScaleMultiplier {
  int32_t multiplier;
  int32_t shift;
};
std::optional<ScaleMultiplier> quantizeMultiplier(double m);
/// 16-bit variant for TOSA rescale with scale32 = false: multiplier in
/// [2^14, 2^15), shift in [2, 62].
std::optional<ScaleMultiplier> quantizeMultiplier16(double m);

/// TOSA reciprocal_scale(value) (pseudocode/library/scale_helpers.tosac),
/// the multiplier/shift of 1 / value used by integer AVG_POOL2D:
/// k = 32 - clz(value - 1), so 2^(k-1) < value <= 2^k;
/// multiplier = ((2^30 + 1) << k) / value (in [2^30, 2^31)), shift = 30 + k.
/// value must be > 0.
ScaleMultiplier reciprocalScale(uint32_t value);

/// The multiplier of an average over `count` values when (multiplier,
/// shift) scales their mean: round(multiplier / count), halves up, with the
/// same shift. A windowed average pool into another quantization rounds
/// once per output with it: applyScale32(sum, perCountMultiplier(m, n), s)
/// where n is the window's in-bounds count (docs/quantization.md). Requires
/// multiplier >= 0 and count > 0.
int32_t perCountMultiplier(int32_t multiplier, uint32_t count);

/// TOSA apply_scale_32(value, multiplier, shift, double_round):
///   round = 1 << (shift - 1); if double_round and shift > 31:
///   round += value >= 0 ? 1 << 30 : -(1 << 30);
///   result = (int64(value) * multiplier + round) >> shift (arithmetic).
/// TOSA REQUIREs multiplier >= 0, 2 <= shift <= 62 and
/// -2^(shift-1) <= value < 2^(shift-1), under which the result fits int32.
/// Tessera's defined extension when the value REQUIRE is violated: the
/// exact result of the formula, saturated to int32. multiplier < 0 is
/// computed by the same formula; shift outside [2, 62] asserts (debug) and is
/// clamped into range (release). Validate untrusted input with
/// checkScale32 / checkApplyScale32.
int32_t applyScale32(int32_t value, int32_t multiplier, int32_t shift,
                     bool doubleRound = false);
/// TOSA apply_scale_16(value48, multiplier16, shift): the same formula
/// without double rounding; value is an int48 (clamped into
/// [-2^47, 2^47) if wider) and the result is REQUIREd to fit int32 (here
/// saturated).
int32_t applyScale16(int64_t value, int16_t multiplier, int32_t shift);

/// TOSA's REQUIREs on the rescale attributes (multiplier >= 0, shift in
/// [2, 62]; for 16-bit scaling also multiplier <= INT16_MAX), and on one
/// application (value range for apply_scale_32; int48 value and int32
/// result for apply_scale_16). nullopt when satisfied, else a message.
std::optional<std::string> checkScale32(int64_t multiplier, int64_t shift);
std::optional<std::string> checkScale16(int64_t multiplier, int64_t shift);
std::optional<std::string> checkApplyScale32(int64_t value, int64_t multiplier,
                                             int64_t shift);
std::optional<std::string> checkApplyScale16(int64_t value, int64_t multiplier,
                                             int64_t shift);

} // namespace tessera::quant

#endif // TESSERA_CORE_QUANT_QUANT_H
