//===- Quant.cpp - Quantization arithmetic: the one source of truth -------===//
//
// Implements Quant.h. Every rounding is done here explicitly (never through
// the floating-point environment), every narrowing conversion is clamped in
// the wide domain first, and the TOSA helpers follow the pseudo-code of the
// TOSA specification, "Scaling Helpers" (pseudocode/library/
// scale_helpers.tosac), line for line.
//
//===----------------------------------------------------------------------===//
#include "core/quant/Quant.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace tessera::quant {

namespace {

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt48Min = -(int64_t(1) << 47);
constexpr int64_t kInt48Max = (int64_t(1) << 47) - 1;

int32_t saturateToInt32(int64_t v) {
  return static_cast<int32_t>(std::clamp(v, kInt32Min, kInt32Max));
}

/// Clamps an integer-valued double (or +-inf) into [lo, hi] and converts
/// it; NaN maps to `nanValue`. Callers pass bounds below 2^53 in magnitude
/// (dtype ranges) or lo = -2^k, hi = 2^k - 1 (S n.m), so lo and hi + 1 are
/// exact in double (for k > 53, double(hi) rounds to 2^k and + 1 is lost,
/// still giving 2^k) and the comparisons below are exact.
int64_t clampToInt(double v, int64_t lo, int64_t hi, int64_t nanValue) {
  if (std::isnan(v))
    return std::clamp(nanValue, lo, hi);
  if (v >= static_cast<double>(hi) + 1.0)
    return hi;
  if (v <= static_cast<double>(lo))
    return lo;
  // lo < v < hi + 1 and v is integer-valued: v <= hi, the cast is exact.
  return static_cast<int64_t>(v);
}

std::string str(int64_t v) { return std::to_string(v); }

} // namespace

//===----------------------------------------------------------------------===//
// Data types
//===----------------------------------------------------------------------===//

DTypeInfo dtypeInfo(DType t) {
  switch (t) {
  case DType::UInt8:
    return {8, false, 0, 255};
  case DType::Int8:
    return {8, true, -128, 127};
  case DType::UInt16:
    return {16, false, 0, 65535};
  case DType::Int16:
    return {16, true, -32768, 32767};
  case DType::UInt4:
    return {4, false, 0, 15};
  case DType::Int4:
    return {4, true, -8, 7};
  case DType::Int32:
    return {32, true, kInt32Min, kInt32Max};
  }
  assert(false && "unknown DType");
  return {32, true, kInt32Min, kInt32Max};
}

static constexpr struct {
  DType type;
  const char *name;
} kDTypeNames[] = {{DType::UInt8, "uint8"}, {DType::Int8, "int8"},
                   {DType::UInt16, "uint16"}, {DType::Int16, "int16"},
                   {DType::UInt4, "uint4"}, {DType::Int4, "int4"},
                   {DType::Int32, "int32"}};

std::optional<DType> parseDType(std::string_view name) {
  for (const auto &entry : kDTypeNames)
    if (name == entry.name)
      return entry.type;
  return std::nullopt;
}

const char *dtypeName(DType t) {
  for (const auto &entry : kDTypeNames)
    if (entry.type == t)
      return entry.name;
  return "<invalid dtype>";
}

//===----------------------------------------------------------------------===//
// Rounding
//===----------------------------------------------------------------------===//

static constexpr struct {
  Rounding mode;
  const char *name;
} kRoundingNames[] = {{Rounding::HalfEven, "half_even"},
                      {Rounding::HalfAway, "half_away"},
                      {Rounding::HalfUp, "half_up"},
                      {Rounding::Floor, "floor"},
                      {Rounding::Trunc, "trunc"}};

std::optional<Rounding> parseRounding(std::string_view name) {
  for (const auto &entry : kRoundingNames)
    if (name == entry.name)
      return entry.mode;
  return std::nullopt;
}

const char *roundingName(Rounding r) {
  for (const auto &entry : kRoundingNames)
    if (entry.mode == r)
      return entry.name;
  return "<invalid rounding>";
}

double roundWith(double x, Rounding r) {
  if (!std::isfinite(x))
    return x;
  // t = trunc(x) and d = x - t are exact: t and x have the same sign and
  // |t| <= |x| < 2|t| when |t| >= 1 (Sterbenz), and d == x when t == 0.
  // So ties are detected exactly, without the classic floor(x + 0.5) error
  // at 0.49999999999999994, and without depending on fesetround (which
  // std::nearbyint would). For |x| >= 2^52, x is an integer and d == 0.
  double t = std::trunc(x);
  double d = x - t;
  double away = x < 0 ? t - 1 : t + 1;
  switch (r) {
  case Rounding::Floor:
    return std::floor(x);
  case Rounding::Trunc:
    return t;
  case Rounding::HalfAway:
    return std::fabs(d) >= 0.5 ? away : t;
  case Rounding::HalfEven:
    if (std::fabs(d) != 0.5)
      return std::fabs(d) > 0.5 ? away : t;
    return std::fmod(t, 2.0) == 0.0 ? t : away;
  case Rounding::HalfUp:
    // floor(x + 0.5) computed exactly: ties go toward +inf.
    if (d >= 0.5)
      return t + 1;
    if (d < -0.5)
      return t - 1;
    return t;
  }
  assert(false && "unknown Rounding");
  return t;
}

//===----------------------------------------------------------------------===//
// Scale and zero point
//===----------------------------------------------------------------------===//

int64_t quantMin(DType t, bool symmetric) {
  DTypeInfo info = dtypeInfo(t);
  return symmetric && info.isSigned ? info.qmin + 1 : info.qmin;
}

int64_t quantMax(DType t, bool /*symmetric*/) { return dtypeInfo(t).qmax; }

QParams chooseQParams(double min, double max, DType t, bool symmetric) {
  // Non-finite bounds violate checkRange; treat them as 0 rather than
  // propagate an infinite or NaN scale.
  if (!std::isfinite(min))
    min = 0;
  if (!std::isfinite(max))
    max = 0;
  if (min > max)
    std::swap(min, max);
  // Extend the range to contain 0, so that real 0 (padding, ReLU floor) is
  // exactly the integer zeroPoint.
  double lo = std::min(min, 0.0);
  double hi = std::max(max, 0.0);
  DTypeInfo info = dtypeInfo(t);

  if (symmetric) {
    // Restricted range: the signed grid [-(2^(b-1)-1), 2^(b-1)-1] is
    // symmetric around 0 (the -128 of int8 is dropped); unsigned types center
    // the same grid on 2^(b-1), i.e. q in [1, 2^b - 1].
    int64_t half = (int64_t(1) << (info.bits - 1)) - 1;
    int64_t zeroPoint = info.isSigned ? 0 : half + 1;
    double absMax = std::max(-lo, hi);
    double scale = absMax / static_cast<double>(half);
    if (!(scale >= std::numeric_limits<double>::min()))
      scale = 1.0; // all zeros (or a range below DBL_MIN): any scale works
    return {scale, zeroPoint};
  }

  double steps = static_cast<double>(info.qmax - info.qmin);
  double scale = (hi - lo) / steps;
  if (std::isinf(scale)) // hi - lo overflowed; the split form cannot
    scale = hi / steps - lo / steps;
  if (!(scale >= std::numeric_limits<double>::min()))
    return {1.0, info.qmin}; // all zeros: q = zeroPoint = qmin for every x
  // zeroPoint = qmin - round(lo / scale): lo maps to qmin, 0 to zeroPoint.
  // Since -lo <= hi - lo, lo / scale >= -(qmax - qmin) and the clamp only
  // absorbs the last-ulp error of the division.
  double zp = static_cast<double>(info.qmin) -
              roundWith(lo / scale, Rounding::HalfEven);
  return {scale, clampToInt(zp, info.qmin, info.qmax, info.qmin)};
}

double powerOfTwoScale(double scale) {
  int exp = 0;
  double mantissa = std::frexp(scale, &exp); // scale = mantissa 2^exp
  // mantissa in [0.5, 1): exactly 0.5 is already a power of two.
  return std::ldexp(1.0, mantissa == 0.5 ? exp - 1 : exp);
}

QParams chooseQParams(const float *data, size_t n, DType t, bool symmetric) {
  double min = 0, max = 0;
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    double v = data[i];
    if (!std::isfinite(v))
      continue; // documented: non-finite values are ignored
    min = any ? std::min(min, v) : v;
    max = any ? std::max(max, v) : v;
    any = true;
  }
  return chooseQParams(min, max, t, symmetric);
}

std::optional<std::string> checkRange(double min, double max) {
  if (!std::isfinite(min))
    return "range min must be finite, got " + std::to_string(min);
  if (!std::isfinite(max))
    return "range max must be finite, got " + std::to_string(max);
  if (min > max)
    return "range min must be <= max, got min " + std::to_string(min) +
           " > max " + std::to_string(max);
  return std::nullopt;
}

std::optional<std::string> checkQParams(QParams p, DType t) {
  if (!std::isfinite(p.scale) || !(p.scale > 0))
    return "scale must be finite and > 0, got " + std::to_string(p.scale);
  DTypeInfo info = dtypeInfo(t);
  if (p.zeroPoint < info.qmin || p.zeroPoint > info.qmax)
    return "zero point " + str(p.zeroPoint) + " outside the " + dtypeName(t) +
           " range [" + str(info.qmin) + ", " + str(info.qmax) + "]";
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Quantize / dequantize
//===----------------------------------------------------------------------===//

int64_t quantizeRange(double x, QParams p, int64_t qmin, int64_t qmax,
                      Rounding r) {
  // Round x / scale first and add the integer zero point afterwards: adding
  // zeroPoint before rounding (the seeds' nearbyint(x / s + z)) is the same
  // in exact arithmetic but can move a tie in floating point.
  double v = roundWith(x / p.scale, r);
  // v is integer-valued (or +-inf/NaN); v + zeroPoint is exact while
  // |v| < 2^52, and anything larger saturates anyway. NaN maps to the zero
  // point (real 0).
  double q = v + static_cast<double>(p.zeroPoint);
  return clampToInt(q, qmin, qmax, p.zeroPoint);
}

int64_t quantize(double x, QParams p, DType t, Rounding r) {
  DTypeInfo info = dtypeInfo(t);
  return quantizeRange(x, p, info.qmin, info.qmax, r);
}

double dequantize(int64_t q, QParams p) {
  int64_t diff;
  if (__builtin_sub_overflow(q, p.zeroPoint, &diff))
    return p.scale *
           (static_cast<double>(q) - static_cast<double>(p.zeroPoint));
  return p.scale * static_cast<double>(diff);
}

int64_t saturate(int64_t v, DType t) {
  DTypeInfo info = dtypeInfo(t);
  return std::clamp(v, info.qmin, info.qmax);
}

//===----------------------------------------------------------------------===//
// Fixed point S n.m
//===----------------------------------------------------------------------===//

std::optional<std::string> checkFixedFormat(int intBits, int fracBits) {
  if (intBits < 0 || fracBits < 0 || intBits + fracBits + 1 > 63)
    return "fixed-point format S" + std::to_string(intBits) + "." +
           std::to_string(fracBits) +
           " invalid: need int_bits >= 0, frac_bits >= 0 and "
           "int_bits + frac_bits + 1 <= 63";
  return std::nullopt;
}

static void clampFixedFormat(int &intBits, int &fracBits) {
  assert(!checkFixedFormat(intBits, fracBits) && "invalid S n.m format");
  fracBits = std::clamp(fracBits, 0, 62);
  intBits = std::clamp(intBits, 0, 62 - fracBits);
}

int64_t toFixed(double x, int intBits, int fracBits, Rounding r) {
  clampFixedFormat(intBits, fracBits);
  // x * 2^m is exact (unless it overflows to inf, which saturates).
  double v = roundWith(std::ldexp(x, fracBits), r);
  int64_t hi = (int64_t(1) << (intBits + fracBits)) - 1;
  return clampToInt(v, -hi - 1, hi, 0);
}

double fromFixed(int64_t a, int intBits, int fracBits) {
  clampFixedFormat(intBits, fracBits);
  return std::ldexp(static_cast<double>(a), -fracBits);
}

//===----------------------------------------------------------------------===//
// Multiplier and shift
//===----------------------------------------------------------------------===//

/// m = multiplier * 2^-shift with multiplier in [2^(bits-2), 2^(bits-1)).
/// frexp gives m = f * 2^e with f in [0.5, 1); multiplier is
/// f * 2^(bits-1) rounded and shift = bits - 1 - e. The product is exact
/// (a 53-bit mantissa scaled by a power of two). It is rounded half away
/// from zero, as TFLite's QuantizeMultiplier and MLIR's
/// computeMultiplierAndShiftTosaScale32 do, so Tessera's multipliers equal
/// theirs. When rounding carries into 2^(bits-1) (f >= 1 - 2^-bits),
/// renormalise to 2^(bits-2) and one less shift.
/// TOSA caps shift at 62 (two right shifts of 31); a multiplier that would
/// need more is flushed to {0, 2}: for bits == 32 this is exact for every
/// int32 input, since m < 2^-32 gives |value * m| < 1/2, which rounds to 0.
/// (MLIR instead keeps shift 62 and denormalises the multiplier; Tessera
/// keeps the invariant multiplier in [2^30, 2^31) or 0.) shift < 2 means
/// m >= 2^(bits - 3) (2^29 for 32-bit, 2^13 for 16-bit), which TOSA cannot
/// express: nullopt.
static std::optional<ScaleMultiplier> quantizeMultiplierBits(double m,
                                                             int bits) {
  if (!std::isfinite(m) || m < 0)
    return std::nullopt;
  if (m == 0)
    return ScaleMultiplier{0, 2};
  int exp = 0;
  double f = std::frexp(m, &exp);
  int64_t q = static_cast<int64_t>(
      roundWith(std::ldexp(f, bits - 1), Rounding::HalfAway));
  int64_t shift = int64_t(bits - 1) - exp;
  if (q == (int64_t(1) << (bits - 1))) {
    q >>= 1;
    --shift;
  }
  if (shift < 2)
    return std::nullopt;
  if (shift > 62)
    return ScaleMultiplier{0, 2};
  return ScaleMultiplier{static_cast<int32_t>(q), static_cast<int32_t>(shift)};
}

std::optional<ScaleMultiplier> quantizeMultiplier(double m) {
  return quantizeMultiplierBits(m, 32);
}

std::optional<ScaleMultiplier> quantizeMultiplier16(double m) {
  return quantizeMultiplierBits(m, 16);
}

//===----------------------------------------------------------------------===//
// TOSA apply_scale
//===----------------------------------------------------------------------===//

std::optional<std::string> checkScale32(int64_t multiplier, int64_t shift) {
  if (multiplier < 0 || multiplier > kInt32Max)
    return "multiplier must be in [0, 2^31 - 1] (TOSA REQUIRE multiplier >= "
           "0), got " +
           str(multiplier);
  if (shift < 2 || shift > 62)
    return "shift must be in [2, 62] (TOSA REQUIRE), got " + str(shift);
  return std::nullopt;
}

std::optional<std::string> checkScale16(int64_t multiplier, int64_t shift) {
  if (multiplier < 0 || multiplier > std::numeric_limits<int16_t>::max())
    return "16-bit multiplier must be in [0, 32767] (TOSA REQUIRE multiplier "
           ">= 0), got " +
           str(multiplier);
  if (shift < 2 || shift > 62)
    return "shift must be in [2, 62] (TOSA REQUIRE), got " + str(shift);
  return std::nullopt;
}

std::optional<std::string> checkApplyScale32(int64_t value, int64_t multiplier,
                                             int64_t shift) {
  if (auto err = checkScale32(multiplier, shift))
    return err;
  if (value < kInt32Min || value > kInt32Max)
    return "value " + str(value) + " does not fit int32";
  // REQUIRE(value >= (-1 << (shift - 1)) && value < (1 << (shift - 1))):
  // it lets implementations pre-shift the value left for shift <= 32.
  int64_t bound = int64_t(1) << (shift - 1);
  if (value < -bound || value >= bound)
    return "value " + str(value) + " outside [-2^" + str(shift - 1) + ", 2^" +
           str(shift - 1) + ") required by TOSA apply_scale_32 for shift " +
           str(shift);
  return std::nullopt;
}

std::optional<std::string> checkApplyScale16(int64_t value, int64_t multiplier,
                                             int64_t shift) {
  if (auto err = checkScale16(multiplier, shift))
    return err;
  if (value < kInt48Min || value > kInt48Max)
    return "value " + str(value) + " does not fit int48";
  // REQUIRE(result fits int32), evaluated with the formula itself.
  int64_t round = int64_t(1) << (shift - 1);
  int64_t result = (value * multiplier + round) >> shift;
  if (result < kInt32Min || result > kInt32Max)
    return "apply_scale_16 result " + str(result) +
           " does not fit int32 (TOSA REQUIRE)";
  return std::nullopt;
}

int32_t applyScale32(int32_t value, int32_t multiplier, int32_t shift,
                     bool doubleRound) {
  assert(shift >= 2 && shift <= 62 && "apply_scale_32 shift out of [2, 62]");
  shift = std::clamp(shift, 2, 62);
  // |value * multiplier| <= 2^62 and round <= 2^61 + 2^30: no int64
  // overflow for any int32 operands, including negative multipliers.
  int64_t round = int64_t(1) << (shift - 1);
  if (doubleRound && shift > 31)
    round += value >= 0 ? (int64_t(1) << 30) : -(int64_t(1) << 30);
  int64_t result = (int64_t(value) * multiplier + round);
  // Arithmetic right shift (floor division by 2^shift): guaranteed by C++20
  // and by GCC/Clang for C++17.
  result >>= shift;
  return saturateToInt32(result);
}

int32_t applyScale16(int64_t value, int16_t multiplier, int32_t shift) {
  assert(shift >= 2 && shift <= 62 && "apply_scale_16 shift out of [2, 62]");
  assert(value >= kInt48Min && value <= kInt48Max && "value is not int48");
  shift = std::clamp(shift, 2, 62);
  value = std::clamp(value, kInt48Min, kInt48Max);
  // |value * multiplier| <= 2^47 * 2^15 = 2^62: no overflow.
  int64_t round = int64_t(1) << (shift - 1);
  int64_t result = (value * multiplier + round) >> shift;
  return saturateToInt32(result);
}

ScaleMultiplier reciprocalScale(uint32_t value) {
  // value == 1: clz(0) is 32, so k = 0 and multiplier = 2^30 + 1, shift 30.
  int32_t k = 0;
  for (uint32_t v = value - 1; v != 0; v >>= 1)
    ++k; // k = 32 - count_leading_zeros(value - 1)
  int64_t numerator = ((int64_t(1) << 30) + 1) << k;
  return {static_cast<int32_t>(numerator / value), 30 + k};
}

int32_t perCountMultiplier(int32_t multiplier, uint32_t count) {
  assert(multiplier >= 0 && count > 0);
  return static_cast<int32_t>((int64_t(multiplier) + count / 2) / count);
}

} // namespace tessera::quant
