//===- VectorUnit.cpp - Kernels of the NPU vector unit (POOL, ELTWISE) ----===//

#include "core/kernels/VectorUnit.h"

#include "core/kernels/Rescale.h"
#include "core/kernels/Types.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace tessera::kernels {

int64_t clampSaturate(int64_t v, int64_t lo, int64_t hi, quant::DType t) {
  return quant::saturate(std::min(std::max(v, lo), hi), t);
}

int32_t saturateInt32(int64_t v) {
  return static_cast<int32_t>(quant::saturate(v, quant::DType::Int32));
}

template <typename In, typename Out>
void maxPool2dQuant(const Pool2DParams &p, const PoolQuant &q, const In *input,
                    Out *output) {
  // The window maximum is TOSA MAX_POOL2D; only the zero-point change and the
  // output stage are added here.
  const int64_t count = p.batch * p.outH * p.outW * p.channels;
  std::vector<In> maxima(static_cast<size_t>(count));
  maxPool2d<In>(p, input, maxima.data());
  constexpr quant::DType outType = DTypeOf<Out>::value;
  for (int64_t i = 0; i < count; ++i)
    output[i] = static_cast<Out>(
        clampSaturate(static_cast<int64_t>(maxima[i]) - q.inputZp + q.outputZp,
                      q.clampMin, q.clampMax, outType));
}

template <typename In, typename Out>
void avgPool2dQuant(const Pool2DParams &p, const PoolQuant &q, const In *input,
                    Out *output) {
  const int64_t C = p.channels;
  constexpr quant::DType outType = DTypeOf<Out>::value;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy)
      for (int64_t ox = 0; ox < p.outW; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          uint32_t count = 0;
          int64_t sum = windowSum(p, input, n, oy, ox, c, q.inputZp, count);
          int64_t acc = 0;
          if (q.countIncludePad) {
            acc = quant::applyScale32(saturateInt32(sum), q.multiplier, q.shift,
                                      q.doubleRound);
          } else if (count > 0 && q.multiplier != 0) { // per-count scaling
            acc = quant::applyScale32(
                saturateInt32(sum),
                quant::perCountMultiplier(q.multiplier, count), q.shift,
                q.doubleRound);
          } else if (count > 0) { // pads < kernel guarantee count > 0
            quant::ScaleMultiplier s = quant::reciprocalScale(count);
            acc = quant::applyScale32(saturateInt32(sum), s.multiplier, s.shift,
                                      /*doubleRound=*/false);
          }
          output[((n * p.outH + oy) * p.outW + ox) * C + c] = static_cast<Out>(
              clampSaturate(acc + q.outputZp, q.clampMin, q.clampMax, outType));
        }
}

/// sat32((v - zp) << shift) for a 16-bit-or-narrower v: |v - zp| < 2^17 and
/// shift <= 31, so the shift cannot overflow int64.
static int32_t shiftedInt32(int64_t v, int32_t zp, int32_t leftShift) {
  return saturateInt32((v - zp) * (int64_t(1) << leftShift));
}

int64_t quantBinaryScalar(int64_t a, int64_t b, const QuantBinary &q,
                          quant::DType outType) {
  int64_t v;
  if (q.func == BinaryFunc::Mul) {
    v = quant::applyScale32(saturateInt32((a - q.aZp) * (b - q.bZp)), q.outMult,
                            q.outShift, q.doubleRound);
  } else {
    int64_t as = quant::applyScale32(shiftedInt32(a, q.aZp, q.leftShift),
                                     q.aMult, q.aShift, q.doubleRound);
    int64_t bs = quant::applyScale32(shiftedInt32(b, q.bZp, q.leftShift),
                                     q.bMult, q.bShift, q.doubleRound);
    int64_t r = 0;
    switch (q.func) {
    case BinaryFunc::Add:
      r = as + bs;
      break;
    case BinaryFunc::Sub:
      r = as - bs;
      break;
    case BinaryFunc::Max:
      r = std::max(as, bs);
      break;
    case BinaryFunc::Min:
      r = std::min(as, bs);
      break;
    case BinaryFunc::Mul:
      break; // handled above
    }
    v = quant::applyScale32(saturateInt32(r), q.outMult, q.outShift,
                            q.doubleRound);
  }
  return clampSaturate(v + q.outZp, q.clampMin, q.clampMax, outType);
}

template <typename A, typename B, typename Out>
void quantBinary(const QuantBinary &q, const A *a, const B *b, Out *out,
                 int64_t rows, int64_t channels, BinaryBroadcast bcast) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t i = r * channels + c;
      int64_t j = bcast == BinaryBroadcast::None      ? i
                  : bcast == BinaryBroadcast::Channel ? c
                                                      : 0;
      out[i] = static_cast<Out>(quantBinaryScalar(a[i], b[j], q, outType));
    }
}

template <typename In, typename Out>
void quantRescale(const QuantRescale &q, const In *a, Out *out, int64_t rows,
                  int64_t channels) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  // The output stage of rescaleScalar saturates before this function
  // clamps; with saturated clamp bounds that equals saturate(clamp(v)).
  const int64_t lo = quant::saturate(q.clampMin, outType);
  const int64_t hi = quant::saturate(q.clampMax, outType);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t i = r * channels + c;
      int32_t m = q.pairs ? q.pairs[2 * c] : q.multiplier;
      int32_t s = q.pairs ? q.pairs[2 * c + 1] : q.shift;
      // The subtraction is saturated to int32 first (an int32 A may have a
      // zero point); rescaleScalar then sees input_zp = 0.
      int32_t v = rescaleScalar(saturateInt32(int64_t(a[i]) - q.aZp),
                                /*inputZp=*/0, m, s, /*scale32=*/true,
                                q.doubleRound, q.outZp, outType);
      out[i] =
          static_cast<Out>(std::min<int64_t>(std::max<int64_t>(v, lo), hi));
    }
}

template <typename In, typename Out>
void clampConvert(const In *a, Out *out, int64_t count, int32_t clampMin,
                  int32_t clampMax) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  for (int64_t i = 0; i < count; ++i)
    out[i] = static_cast<Out>(clampSaturate(a[i], clampMin, clampMax, outType));
}

template <typename In, typename Out>
void lookup256(const In *a, const Out *table, Out *out, int64_t count,
               int32_t clampMin, int32_t clampMax) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  constexpr int64_t offset = std::numeric_limits<In>::min(); // -128 or 0
  for (int64_t i = 0; i < count; ++i)
    out[i] = static_cast<Out>(
        clampSaturate(table[static_cast<int64_t>(a[i]) - offset], clampMin,
                      clampMax, outType));
}

int64_t log2Q16(uint32_t v) {
  if (v == 0)
    v = 1;
  int e = 31;
  while (!(v >> e))
    --e;
  // The mantissa in [2^30, 2^31), Q30 (v >= 2^31 has e = 31: exactly one
  // low bit drops, below the 2^-16 the result resolves).
  int64_t y = e <= 30 ? static_cast<int64_t>(v) << (30 - e)
                      : static_cast<int64_t>(v) >> (e - 30);
  int64_t frac = 0;
  for (int i = 0; i < 16; ++i) {
    y = (y * y) >> 30;
    frac <<= 1;
    if (y >= (int64_t(1) << 31)) {
      y >>= 1;
      frac |= 1;
    }
  }
  return (int64_t(e) << 16) | frac;
}

template <typename In, typename Out>
void quantSoftmax(const QuantSoftmax &q, const In *a, Out *out, int64_t outer,
                  int64_t n, int64_t inner) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  constexpr int64_t expOne = int64_t(1) << kSoftmaxExpBits;
  if (n <= 0)
    return; // no element to normalise (and no row[0] to read)
  auto expOf = [&](int64_t d) -> int64_t {
    return std::min<int64_t>(std::max<int64_t>(q.expTable[d], 0), expOne);
  };
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const In *row = a + o * n * inner + i;
      Out *dst = out + o * n * inner + i;
      int64_t m = row[0];
      for (int64_t k = 1; k < n; ++k)
        m = std::max<int64_t>(m, row[k * inner]);
      int64_t sum = 0;
      for (int64_t k = 0; k < n; ++k)
        sum = saturateInt32(sum + expOf(m - row[k * inner]));
      sum = std::max<int64_t>(sum, 1);
      if (!q.log) {
        const int64_t recip = (int64_t(1) << 62) / sum;
        for (int64_t k = 0; k < n; ++k) {
          int64_t p = (expOf(m - row[k * inner]) * recip + (int64_t(1) << 30)) >>
                      31;
          int64_t v = int64_t(quant::applyScale32(saturateInt32(p),
                                                  q.multiplier, q.shift,
                                                  q.doubleRound)) +
                      q.outZp;
          dst[k * inner] =
              static_cast<Out>(clampSaturate(v, q.clampMin, q.clampMax, outType));
        }
        continue;
      }
      const int64_t l = log2Q16(static_cast<uint32_t>(sum)) -
                        (int64_t(kSoftmaxExpBits) << 16);
      for (int64_t k = 0; k < n; ++k) {
        // |d * inMult * 2^16| < 2^55 and |l * logMult| < 2^52: exact.
        int64_t acc = (m - row[k * inner]) * int64_t(q.inMult) * 65536 +
                      l * int64_t(q.logMult);
        int64_t v = q.outZp - ((acc + (int64_t(1) << 31)) >> 32);
        dst[k * inner] =
            static_cast<Out>(clampSaturate(v, q.clampMin, q.clampMax, outType));
      }
    }
}

uint64_t isqrt64(uint64_t v) {
  // Newton's iteration from above (r_{k+1} = (r_k + v / r_k) / 2 decreases
  // to floor(sqrt(v))): integer arithmetic only, so every build agrees.
  if (v < 2)
    return v;
  uint64_t r = uint64_t(1) << ((64 - __builtin_clzll(v) + 1) / 2); // >= sqrt
  for (;;) {
    uint64_t next = (r + v / r) / 2;
    if (next >= r)
      return r;
    r = next;
  }
}

template <typename In, typename Out>
void quantLayerNorm(const QuantLayerNorm &q, const In *a, Out *out,
                    int64_t outer, int64_t n, int64_t inner) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  if (n <= 0)
    return;
  const int64_t eps =
      q.epsMant <= 0 ? 0
                     : (q.epsShift >= 31 ? (int64_t(1) << 61)
                                         : std::min<int64_t>(
                                               int64_t(q.epsMant) << q.epsShift,
                                               int64_t(1) << 61));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const In *row = a + o * n * inner + i;
      Out *dst = out + o * n * inner + i;
      int64_t sum = 0;
      for (int64_t k = 0; k < n; ++k)
        sum += row[k * inner];
      uint64_t sq = 0;
      for (int64_t k = 0; k < n; ++k) {
        int64_t d = n * row[k * inner] - sum;
        sq += static_cast<uint64_t>(d * d);
      }
      const uint64_t total = sq + static_cast<uint64_t>(eps);
      if (total == 0) {
        for (int64_t k = 0; k < n; ++k)
          dst[k * inner] = static_cast<Out>(
              clampSaturate(q.outZp, q.clampMin, q.clampMax, outType));
        continue;
      }
      const int top = 63 - __builtin_clzll(total); // floor(log2(total))
      const int t = (61 - top) / 2;                // total << 2t < 2^62
      const uint64_t r = isqrt64(total << (2 * t)); // [2^30, 2^31)
      const int64_t recip = static_cast<int64_t>((uint64_t(1) << 62) / r);
      const int sh = q.shift + 31 - t;
      for (int64_t k = 0; k < n; ++k) {
        int64_t d = n * row[k * inner] - sum;
        __int128 p = static_cast<__int128>(d * recip) * q.multiplier;
        int64_t v = static_cast<int64_t>(
                        (p + (static_cast<__int128>(1) << (sh - 1))) >> sh) +
                    q.outZp;
        dst[k * inner] =
            static_cast<Out>(clampSaturate(v, q.clampMin, q.clampMax, outType));
      }
    }
}

template void quantLayerNorm<int8_t, int8_t>(const QuantLayerNorm &,
                                             const int8_t *, int8_t *, int64_t,
                                             int64_t, int64_t);
template void quantLayerNorm<int8_t, uint8_t>(const QuantLayerNorm &,
                                              const int8_t *, uint8_t *,
                                              int64_t, int64_t, int64_t);
template void quantLayerNorm<uint8_t, int8_t>(const QuantLayerNorm &,
                                              const uint8_t *, int8_t *,
                                              int64_t, int64_t, int64_t);
template void quantLayerNorm<uint8_t, uint8_t>(const QuantLayerNorm &,
                                               const uint8_t *, uint8_t *,
                                               int64_t, int64_t, int64_t);

template void quantSoftmax<int8_t, int8_t>(const QuantSoftmax &,
                                           const int8_t *, int8_t *, int64_t,
                                           int64_t, int64_t);
template void quantSoftmax<int8_t, uint8_t>(const QuantSoftmax &,
                                            const int8_t *, uint8_t *, int64_t,
                                            int64_t, int64_t);
template void quantSoftmax<uint8_t, int8_t>(const QuantSoftmax &,
                                            const uint8_t *, int8_t *, int64_t,
                                            int64_t, int64_t);
template void quantSoftmax<uint8_t, uint8_t>(const QuantSoftmax &,
                                             const uint8_t *, uint8_t *,
                                             int64_t, int64_t, int64_t);

#define TESSERA_POOL(IN, OUT)                                                  \
  template void maxPool2dQuant<IN, OUT>(const Pool2DParams &,                  \
                                        const PoolQuant &, const IN *, OUT *); \
  template void avgPool2dQuant<IN, OUT>(const Pool2DParams &,                  \
                                        const PoolQuant &, const IN *, OUT *);
#define TESSERA_POOL_IN(IN)                                                    \
  TESSERA_POOL(IN, int8_t) TESSERA_POOL(IN, uint8_t) TESSERA_POOL(IN, int16_t)
TESSERA_POOL_IN(int8_t)
TESSERA_POOL_IN(uint8_t)
TESSERA_POOL_IN(int16_t)
#undef TESSERA_POOL_IN
#undef TESSERA_POOL

#define TESSERA_BINARY(A, B, OUT)                                              \
  template void quantBinary<A, B, OUT>(const QuantBinary &, const A *,         \
                                       const B *, OUT *, int64_t, int64_t,     \
                                       BinaryBroadcast);
#define TESSERA_BINARY_OUT(A, B)                                               \
  TESSERA_BINARY(A, B, int8_t)                                                 \
  TESSERA_BINARY(A, B, uint8_t)                                                \
  TESSERA_BINARY(A, B, int16_t) TESSERA_BINARY(A, B, int32_t)
#define TESSERA_BINARY_B(A)                                                    \
  TESSERA_BINARY_OUT(A, int8_t)                                                \
  TESSERA_BINARY_OUT(A, uint8_t) TESSERA_BINARY_OUT(A, int16_t)
TESSERA_BINARY_B(int8_t)
TESSERA_BINARY_B(uint8_t)
TESSERA_BINARY_B(int16_t)
#undef TESSERA_BINARY_B
#undef TESSERA_BINARY_OUT
#undef TESSERA_BINARY

#define TESSERA_UNARY(IN, OUT)                                                 \
  template void quantRescale<IN, OUT>(const QuantRescale &, const IN *, OUT *, \
                                      int64_t, int64_t);                       \
  template void clampConvert<IN, OUT>(const IN *, OUT *, int64_t, int32_t,     \
                                      int32_t);
#define TESSERA_UNARY_IN(IN)                                                   \
  TESSERA_UNARY(IN, int8_t)                                                    \
  TESSERA_UNARY(IN, uint8_t)                                                   \
  TESSERA_UNARY(IN, int16_t) TESSERA_UNARY(IN, int32_t)
TESSERA_UNARY_IN(int8_t)
TESSERA_UNARY_IN(uint8_t)
TESSERA_UNARY_IN(int16_t)
TESSERA_UNARY_IN(int32_t)
#undef TESSERA_UNARY_IN
#undef TESSERA_UNARY

template void lookup256<int8_t, int8_t>(const int8_t *, const int8_t *,
                                        int8_t *, int64_t, int32_t, int32_t);
template void lookup256<int8_t, uint8_t>(const int8_t *, const uint8_t *,
                                         uint8_t *, int64_t, int32_t, int32_t);
template void lookup256<uint8_t, int8_t>(const uint8_t *, const int8_t *,
                                         int8_t *, int64_t, int32_t, int32_t);
template void lookup256<uint8_t, uint8_t>(const uint8_t *, const uint8_t *,
                                          uint8_t *, int64_t, int32_t, int32_t);

} // namespace tessera::kernels
