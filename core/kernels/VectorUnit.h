//===- VectorUnit.h - NPU vector-unit kernels -------------------*- C++ -*-===//
//
// The arithmetic of the Tessera NPU's vector-unit instructions where it goes
// beyond a single TOSA operator (core/isa/Isa.h, POOL and ELTWISE): pooling
// with different input/output zero points and types, average pooling with a
// folded (multiplier, shift) (ONNX count_include_pad / global average pool),
// quantised binary ops with a per-input rescale (TFLite's quantised ADD,
// TOSA's RESCALE -> ADD -> RESCALE fused), per-channel RESCALE from an
// interleaved (multiplier, shift) table, and 256-entry table lookup.
//
// Everything is built from core/quant (applyScale32, saturate) and the TOSA
// kernels beside this file (maxPool2d, rescaleScalar) and core/quant; each
// function states its formula, which is the pseudo-code of Isa.h. Intermediate
// values are int64 and are saturated to int32 before each applyScale32, and
// every result is saturate(clamp(v, clampMin, clampMax), outType).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_VECTORUNIT_H
#define TESSERA_CORE_KERNELS_VECTORUNIT_H

#include "core/kernels/Pool.h"
#include "core/quant/Quant.h"

#include <cstdint>

namespace tessera::kernels {

/// saturate(clamp(v, lo, hi), t): the output stage of every NPU instruction.
/// Because saturation is monotone, this equals
/// clamp(saturate(v, t), saturate(lo, t), saturate(hi, t)) (for lo <= hi),
/// which is how it is fed to kernels that clamp after saturating
/// (requantizeScalar).
int64_t clampSaturate(int64_t v, int64_t lo, int64_t hi, quant::DType t);

/// v saturated to int32 (the "saturated to int32 before each applyScale32"
/// rule of the vector unit).
int32_t saturateInt32(int64_t v);

/// Zero points, clamp and scaling of POOL (Isa.h TESSERA_ISA_POOL_FIELDS).
struct PoolQuant {
  int32_t inputZp = 0;
  int32_t outputZp = 0;
  int32_t clampMin = INT32_MIN;
  int32_t clampMax = INT32_MAX;
  /// Average only. false: TOSA AVG_POOL2D, divide by the number of in-bounds
  /// elements with quant::reciprocalScale(count). true: ONNX count_include_pad,
  /// multiply by (multiplier, shift), which folds 1/(kh*kw) and the ratio of
  /// input to output scale. false with multiplier != 0: per-count scaling,
  /// (perCountMultiplier(multiplier, count), shift), the ratio of scales and
  /// the in-bounds count in one rounding (windowed pools into another
  /// quantization).
  bool countIncludePad = false;
  int32_t multiplier = 0;
  int32_t shift = 2;
  bool doubleRound = false;
};

/// Max pooling: v = max over the window's in-bounds elements (maxPool2d),
/// out = saturate(clamp(v - inputZp + outputZp, clampMin, clampMax), Out).
/// p.inputZp/outputZp are ignored (q carries them). In, Out in int8_t,
/// uint8_t, int16_t.
template <typename In, typename Out>
void maxPool2dQuant(const Pool2DParams &p, const PoolQuant &q, const In *input,
                    Out *output);

/// Average pooling:
///   sum = sum over in-bounds elements of (in - inputZp)   (int64)
///   acc = countIncludePad
///           ? applyScale32(sat32(sum), multiplier, shift, doubleRound)
///         : multiplier != 0
///           ? applyScale32(sat32(sum), perCountMultiplier(multiplier, count),
///                          shift, doubleRound)
///           : applyScale32(sat32(sum), reciprocalScale(count))   (TOSA)
///   out = saturate(clamp(acc + outputZp, clampMin, clampMax), Out)
/// With countIncludePad false, multiplier 0, In == Out and no clamp this is
/// exactly TOSA AVG_POOL2D (avgPool2d). In, Out in int8_t, uint8_t, int16_t.
template <typename In, typename Out>
void avgPool2dQuant(const Pool2DParams &p, const PoolQuant &q, const In *input,
                    Out *output);

/// How operand B of a binary op is indexed for element i = r*channels + c.
enum class BinaryBroadcast { None, Channel, Scalar };
enum class BinaryFunc { Add, Sub, Mul, Max, Min };

/// Parameters of a quantised binary op (Isa.h ELTWISE add/sub/mul/max/min).
struct QuantBinary {
  BinaryFunc func = BinaryFunc::Add;
  int32_t aZp = 0, bZp = 0, outZp = 0;
  int32_t leftShift = 0; ///< add/sub/max/min: 0..31
  int32_t aMult = 0, aShift = 2;
  int32_t bMult = 0, bShift = 2;
  int32_t outMult = 0, outShift = 2;
  bool doubleRound = false;
  int32_t clampMin = INT32_MIN, clampMax = INT32_MAX;
};

/// One element:
///   add/sub/max/min:
///     a' = applyScale32(sat32((a - aZp) << leftShift), aMult, aShift, dr)
///     b' = applyScale32(sat32((b - bZp) << leftShift), bMult, bShift, dr)
///     v  = applyScale32(sat32(a' op b'), outMult, outShift, dr) + outZp
///   mul:
///     v  = applyScale32(sat32((a - aZp) * (b - bZp)), outMult, outShift, dr)
///          + outZp
///   result = saturate(clamp(v, clampMin, clampMax), outType)
int64_t quantBinaryScalar(int64_t a, int64_t b, const QuantBinary &q,
                          quant::DType outType);

/// quantBinaryScalar over rows x channels elements; B has rows x channels,
/// channels or 1 element(s) per `bcast`. A, B, Out in int8_t, uint8_t,
/// int16_t (Out also int32_t).
template <typename A, typename B, typename Out>
void quantBinary(const QuantBinary &q, const A *a, const B *b, Out *out,
                 int64_t rows, int64_t channels, BinaryBroadcast bcast);

/// RESCALE with clamp: for element i in channel c = i % channels,
///   (m, s) = pairs ? (pairs[2c], pairs[2c+1]) : (multiplier, shift)
///   v = applyScale32(sat32(a - aZp), m, s, doubleRound) + outZp
///   out = saturate(clamp(v, clampMin, clampMax), Out)
/// `pairs` is the interleaved int32 (multiplier, shift) table of the ISA, or
/// null for one pair. In in int8_t, uint8_t, int16_t, int32_t; Out in int8_t,
/// uint8_t, int16_t, int32_t.
struct QuantRescale {
  int32_t aZp = 0, outZp = 0;
  int32_t multiplier = 0, shift = 2;
  const int32_t *pairs = nullptr;
  bool doubleRound = false;
  int32_t clampMin = INT32_MIN, clampMax = INT32_MAX;
};
template <typename In, typename Out>
void quantRescale(const QuantRescale &q, const In *a, Out *out, int64_t rows,
                  int64_t channels);

/// CLAMP with conversion: out = saturate(clamp(a, clampMin, clampMax), Out).
template <typename In, typename Out>
void clampConvert(const In *a, Out *out, int64_t count, int32_t clampMin,
                  int32_t clampMax);

/// Table lookup over 256 entries (TOSA TABLE for 8-bit data, generalised to
/// unsigned input): v = table[a - min(In)], out = saturate(clamp(v, ...)).
/// In, Out in int8_t, uint8_t.
template <typename In, typename Out>
void lookup256(const In *a, const Out *table, Out *out, int64_t count,
               int32_t clampMin, int32_t clampMax);

/// Integer Softmax / LogSoftmax on the vector unit (ISA ELTWISE softmax,
/// log_softmax; TOSA level: tosa.custom "softmax" / "log_softmax", domain
/// "tessera"). TFLite's scheme with a compile-time exp table:
///   m   = max_k a[k]                         (over the normalised axis)
///   e_k = clamp(table[m - a[k]], 0, 2^15)    (table[d] ~ exp(-s_in d) 2^15)
///   sum = sat32(sum_k e_k), at least 1       (exact for n < 2^16)
///   softmax:     recip = floor(2^62 / sum)                 (one per row)
///                p     = sat32((e_k * recip + 2^30) >> 31)  (e_k/sum, Q31)
///                v     = applyScale32(p, multiplier, shift, dr) + outZp
///   log_softmax: l     = log2Q16(sum) - 15 * 2^16          (log2(sum/2^15))
///                acc   = (m - a[k]) * inMult * 2^16 + l * logMult
///                v     = outZp - ((acc + 2^31) >> 32)      (one rounding)
///                inMult = s_in/s_out * 2^16, logMult = ln2/s_out * 2^16
///   out = saturate(clamp(v, clampMin, clampMax), Out)
/// e_k <= sum, so e_k * recip <= 2^62 cannot overflow.
inline constexpr int kSoftmaxExpBits = 15;
struct QuantSoftmax {
  bool log = false;
  const int32_t *expTable = nullptr; ///< 256 entries
  int32_t multiplier = 0, shift = 2; ///< softmax: Q31 probability -> out
  int32_t inMult = 0;                ///< log_softmax: s_in / s_out, Q16
  int32_t logMult = 0;               ///< log_softmax: ln 2 / s_out, Q16
  int32_t outZp = 0;
  bool doubleRound = false;
  int32_t clampMin = INT32_MIN, clampMax = INT32_MAX;
};

/// floor-ish log2(v) in Q16 for v >= 1, by repeated squaring of the Q30
/// mantissa (16 fraction bits, each squaring truncated): exact integer
/// arithmetic, at most a few 2^-16 below the real log2.
int64_t log2Q16(uint32_t v);

/// quantSoftmax over a [outer, n, inner] tensor, normalising along n.
/// In, Out in int8_t, uint8_t.
template <typename In, typename Out>
void quantSoftmax(const QuantSoftmax &q, const In *a, Out *out, int64_t outer,
                  int64_t n, int64_t inner);

/// Integer layer normalisation of each row on the vector unit (ISA ELTWISE
/// layer_norm; TOSA level: tosa.custom "layer_norm", domain "tessera"): the
/// normalised value y = (x - mean) / sqrt(var + eps) of a row of n 8-bit
/// values, requantised once. With the raw integers a_k of a row (the zero
/// point cancels in x - mean):
///   S   = sum_k a_k,  d_k = n a_k - S            (n (x_k - mean) / s_in)
///   Q   = sum_k d_k^2                            (int64; n^3 var / s_in^2)
///   A   = Q + epsMant * 2^epsShift               (eps n^3 / s_in^2 added)
///   y_k = d_k sqrt(n) / sqrt(A)                  (exactly, in real numbers)
/// A is normalised by an even shift 2t to [2^60, 2^62) and R = isqrt(A 2^2t)
/// (floor, in [2^30, 2^31)), recip = floor(2^62 / R); then
///   v = outZp + ((d_k * recip * multiplier + 2^(sh-1)) >> sh),
///   sh = shift + 31 - t   (int128 product; (multiplier, shift) =
///                          quantizeMultiplier(sqrt(n) / s_out * 2^-31))
/// out = saturate(clamp(v, clampMin, clampMax)). A row with A = 0 (constant
/// row, eps 0) gives outZp. Requires n < 2^15 (Q < 2^61).
inline constexpr int64_t kLayerNormMaxRow = 32767;
struct QuantLayerNorm {
  int32_t multiplier = 0, shift = 2; ///< sqrt(n) / s_out * 2^-31
  int32_t epsMant = 0, epsShift = 0; ///< eps n^3 / s_in^2 = mant * 2^shift
  int32_t outZp = 0;
  int32_t clampMin = INT32_MIN, clampMax = INT32_MAX;
};

/// floor(sqrt(v)), exact.
uint64_t isqrt64(uint64_t v);

/// quantLayerNorm over a [outer, n, inner] tensor, normalising along n.
/// In, Out in int8_t, uint8_t.
template <typename In, typename Out>
void quantLayerNorm(const QuantLayerNorm &q, const In *a, Out *out,
                    int64_t outer, int64_t n, int64_t inner);

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_VECTORUNIT_H
