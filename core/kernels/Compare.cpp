//===- Compare.cpp - Integer comparison and select kernels ----------------===//

#include "core/kernels/Compare.h"

#include "core/kernels/Rescale.h"
#include "core/kernels/Types.h"

#include <algorithm>
#include <vector>

namespace tessera::kernels {

bool compareScalar(CompareFunc f, int64_t a, int64_t b) {
  switch (f) {
  case CompareFunc::Greater:
    return a > b;
  case CompareFunc::GreaterEqual:
    return a >= b;
  case CompareFunc::Equal:
    return a == b;
  }
  return false;
}

template <typename T>
void compare(CompareFunc f, const BroadcastShapes &s, const T *a, const T *b,
             bool *out) {
  forEachBroadcast(s, [&](int64_t i, int64_t ia, int64_t ib) {
    out[i] = compareScalar(f, a[ia], b[ib]);
  });
}

namespace {
/// The operand rescale of the quantized add (quantBinaryScalar):
/// applyScale32(sat32((v - zp) << leftShift), m, s, dr). The int64 shift
/// cannot overflow: |v - zp| < 2^33 with leftShift = 0 for int32 operands,
/// |v - zp| < 2^17 and leftShift <= 31 otherwise.
int64_t widen(int64_t v, int32_t zp, int32_t leftShift, int32_t m, int32_t s,
              bool doubleRound) {
  return quant::applyScale32(saturateInt32((v - zp) * (int64_t(1) << leftShift)),
                             m, s, doubleRound);
}

int64_t bIndex(BinaryBroadcast bcast, int64_t i, int64_t c) {
  return bcast == BinaryBroadcast::None      ? i
         : bcast == BinaryBroadcast::Channel ? c
                                             : 0;
}
} // namespace

template <typename A, typename B>
void quantCompare(const QuantCompare &q, const A *a, const B *b, int8_t *out,
                  int64_t rows, int64_t channels, BinaryBroadcast bcast) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t i = r * channels + c;
      int64_t as = widen(a[i], q.aZp, q.leftShift, q.aMult, q.aShift,
                         q.doubleRound);
      int64_t bs = widen(b[bIndex(bcast, i, c)], q.bZp, q.leftShift, q.bMult,
                         q.bShift, q.doubleRound);
      out[i] = compareScalar(q.func, as, bs) ? 1 : 0;
    }
}

template <typename A, typename B, typename Out>
void quantSelect(const QuantSelect &q, const int8_t *cond, const A *a,
                 const B *b, Out *out, int64_t rows, int64_t channels,
                 BinaryBroadcast bcast) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t i = r * channels + c;
      // Only the picked operand is rescaled: the other one's value does not
      // matter, and rescaleScalar is TOSA RESCALE (scale32) of one value.
      int64_t v =
          cond[i] != 0
              ? rescaleScalar(a[i], q.aZp, q.aMult, q.aShift, true,
                              q.doubleRound, 0, quant::DType::Int32)
              : rescaleScalar(b[bIndex(bcast, i, c)], q.bZp, q.bMult,
                              q.bShift, true, q.doubleRound, 0,
                              quant::DType::Int32);
      out[i] = static_cast<Out>(
          clampSaturate(v + q.outZp, q.clampMin, q.clampMax, outType));
    }
}

template <typename In, typename Out>
void minPool2dQuant(const Pool2DParams &p, const PoolQuant &q, const In *input,
                    Out *output) {
  const int64_t count = p.batch * p.outH * p.outW * p.channels;
  std::vector<In> minima(static_cast<size_t>(count));
  minPool2d<In>(p, input, minima.data());
  constexpr quant::DType outType = DTypeOf<Out>::value;
  for (int64_t i = 0; i < count; ++i)
    output[i] = static_cast<Out>(
        clampSaturate(static_cast<int64_t>(minima[i]) - q.inputZp + q.outputZp,
                      q.clampMin, q.clampMax, outType));
}

template void compare<int8_t>(CompareFunc, const BroadcastShapes &,
                              const int8_t *, const int8_t *, bool *);
template void compare<int16_t>(CompareFunc, const BroadcastShapes &,
                               const int16_t *, const int16_t *, bool *);
template void compare<int32_t>(CompareFunc, const BroadcastShapes &,
                               const int32_t *, const int32_t *, bool *);

#define TESSERA_COMPARE(A, B)                                                  \
  template void quantCompare<A, B>(const QuantCompare &, const A *, const B *, \
                                   int8_t *, int64_t, int64_t,                 \
                                   BinaryBroadcast);
#define TESSERA_COMPARE_B(A)                                                   \
  TESSERA_COMPARE(A, int8_t)                                                   \
  TESSERA_COMPARE(A, uint8_t)                                                  \
  TESSERA_COMPARE(A, int16_t) TESSERA_COMPARE(A, int32_t)
TESSERA_COMPARE_B(int8_t)
TESSERA_COMPARE_B(uint8_t)
TESSERA_COMPARE_B(int16_t)
TESSERA_COMPARE_B(int32_t)
#undef TESSERA_COMPARE_B
#undef TESSERA_COMPARE

#define TESSERA_SELECT(A, B, OUT)                                              \
  template void quantSelect<A, B, OUT>(const QuantSelect &, const int8_t *,    \
                                       const A *, const B *, OUT *, int64_t,   \
                                       int64_t, BinaryBroadcast);
#define TESSERA_SELECT_OUT(A, B)                                               \
  TESSERA_SELECT(A, B, int8_t)                                                 \
  TESSERA_SELECT(A, B, uint8_t) TESSERA_SELECT(A, B, int16_t)
#define TESSERA_SELECT_B(A)                                                    \
  TESSERA_SELECT_OUT(A, int8_t)                                                \
  TESSERA_SELECT_OUT(A, uint8_t) TESSERA_SELECT_OUT(A, int16_t)
TESSERA_SELECT_B(int8_t)
TESSERA_SELECT_B(uint8_t)
TESSERA_SELECT_B(int16_t)
#undef TESSERA_SELECT_B
#undef TESSERA_SELECT_OUT
#undef TESSERA_SELECT

#define TESSERA_MIN_POOL(IN, OUT)                                              \
  template void minPool2dQuant<IN, OUT>(const Pool2DParams &,                  \
                                        const PoolQuant &, const IN *, OUT *);
#define TESSERA_MIN_POOL_IN(IN)                                                \
  TESSERA_MIN_POOL(IN, int8_t)                                                 \
  TESSERA_MIN_POOL(IN, uint8_t) TESSERA_MIN_POOL(IN, int16_t)
TESSERA_MIN_POOL_IN(int8_t)
TESSERA_MIN_POOL_IN(uint8_t)
TESSERA_MIN_POOL_IN(int16_t)
#undef TESSERA_MIN_POOL_IN
#undef TESSERA_MIN_POOL

} // namespace tessera::kernels
