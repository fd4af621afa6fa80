//===- Elementwise.cpp - Integer elementwise / data-movement kernels ------===//

#include "core/kernels/Elementwise.h"

#include "core/kernels/Types.h"
#include "core/quant/Quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace tessera::kernels {

template <typename T>
void clamp(const T *input, T *output, int64_t count, T minVal, T maxVal) {
  for (int64_t i = 0; i < count; ++i)
    output[i] = std::min(std::max(input[i], minVal), maxVal);
}

int32_t addSat32(int32_t a, int32_t b) {
  return static_cast<int32_t>(
      quant::saturate(static_cast<int64_t>(a) + b, quant::DType::Int32));
}

int32_t subSat32(int32_t a, int32_t b) {
  return static_cast<int32_t>(
      quant::saturate(static_cast<int64_t>(a) - b, quant::DType::Int32));
}

void reduceSum(const int32_t *input, int64_t outer, int64_t len, int64_t inner,
               int32_t *output) {
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t i = 0; i < inner; ++i) {
      int32_t acc = 0;
      for (int64_t k = 0; k < len; ++k)
        acc = addSat32(acc, input[(a * len + k) * inner + i]);
      output[a * inner + i] = acc;
    }
}

int32_t mulShift32(int64_t a, int64_t b, int32_t shift) {
  int64_t product = a * b; // |a|, |b| < 2^31: fits int64
  if (shift > 0) {
    int64_t round = int64_t(1) << (shift - 1);
    return static_cast<int32_t>(
        quant::saturate((product + round) >> shift, quant::DType::Int32));
  }
  // Low 32 bits, two's complement.
  return static_cast<int32_t>(static_cast<uint32_t>(product));
}

void add(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
         int32_t *out) {
  forEachBroadcast(s, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = addSat32(a[i], b[j]);
  });
}

void sub(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
         int32_t *out) {
  forEachBroadcast(s, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = subSat32(a[i], b[j]);
  });
}

void maximum(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
             int32_t *out) {
  forEachBroadcast(s, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = std::max(a[i], b[j]);
  });
}

void minimum(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
             int32_t *out) {
  forEachBroadcast(s, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = std::min(a[i], b[j]);
  });
}

template <typename In>
void mul(const BroadcastShapes &s, const In *a, const In *b, int32_t shift,
         int32_t *out) {
  forEachBroadcast(s, [&](int64_t o, int64_t i, int64_t j) {
    out[o] = mulShift32(a[i], b[j], std::is_same_v<In, int32_t> ? shift : 0);
  });
}

void table(const int8_t *input, int8_t *output, int64_t count,
           const int8_t *table256) {
  for (int64_t i = 0; i < count; ++i)
    output[i] = table256[static_cast<int32_t>(input[i]) + 128];
}

void table(const int16_t *input, int32_t *output, int64_t count,
           const int16_t *table513) {
  for (int64_t i = 0; i < count; ++i) {
    int32_t value = input[i]; // already within [-32768, 32767]
    int32_t index = (value + 32768) >> 7;
    int32_t fraction = value & 0x7f;
    int32_t base = table513[index];
    int32_t slope = static_cast<int32_t>(table513[index + 1]) - base;
    output[i] = base * 128 + slope * fraction; // (base << 7) + slope * frac
  }
}

namespace {

template <typename In, typename Out> Out castOne(In in) {
  if constexpr (std::is_same_v<Out, bool>) {
    return in != 0;
  } else if constexpr (std::is_floating_point_v<Out>) {
    return static_cast<Out>(in); // round to nearest float
  } else if constexpr (std::is_floating_point_v<In>) {
    if (std::isnan(in))
      return 0;
    double r =
        quant::roundWith(static_cast<double>(in), quant::Rounding::HalfEven);
    // Compare in double before converting: double(INT64_MAX) is 2^63, which
    // would not convert back.
    if (r >= static_cast<double>(std::numeric_limits<Out>::max()))
      return std::numeric_limits<Out>::max();
    if (r <= static_cast<double>(std::numeric_limits<Out>::min()))
      return std::numeric_limits<Out>::min();
    return static_cast<Out>(r);
  } else if constexpr (std::is_same_v<In, bool>) {
    return in ? 1 : 0;
  } else {
    // Integer to integer: extend (by the input's signedness) then keep the
    // low bits of the output width, as TOSA's sign_extend / truncate.
    using Wide = std::conditional_t<std::is_signed_v<In>, int64_t, uint64_t>;
    return static_cast<Out>(static_cast<Wide>(in));
  }
}

} // namespace

template <typename In, typename Out>
void cast(const In *input, Out *output, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    output[i] = castOne<In, Out>(input[i]);
}

void concat(const void *const *inputs, const int64_t *axisSizes,
            int64_t numInputs, int64_t outer, int64_t inner, int64_t elemBytes,
            void *output) {
  int64_t outRow = 0;
  for (int64_t i = 0; i < numInputs; ++i)
    outRow += axisSizes[i] * inner * elemBytes;
  auto *out = static_cast<uint8_t *>(output);
  int64_t col = 0;
  for (int64_t i = 0; i < numInputs; ++i) {
    const int64_t row = axisSizes[i] * inner * elemBytes;
    const auto *in = static_cast<const uint8_t *>(inputs[i]);
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(out + o * outRow + col, in + o * row, row);
    col += row;
  }
}

template void clamp<int8_t>(const int8_t *, int8_t *, int64_t, int8_t, int8_t);
template void clamp<uint8_t>(const uint8_t *, uint8_t *, int64_t, uint8_t,
                             uint8_t);
template void clamp<int16_t>(const int16_t *, int16_t *, int64_t, int16_t,
                             int16_t);
template void clamp<int32_t>(const int32_t *, int32_t *, int64_t, int32_t,
                             int32_t);
template void mul<int8_t>(const BroadcastShapes &, const int8_t *,
                          const int8_t *, int32_t, int32_t *);
template void mul<int16_t>(const BroadcastShapes &, const int16_t *,
                           const int16_t *, int32_t, int32_t *);
template void mul<int32_t>(const BroadcastShapes &, const int32_t *,
                           const int32_t *, int32_t, int32_t *);

#define TESSERA_CAST_TO(IN)                                                    \
  template void cast<IN, bool>(const IN *, bool *, int64_t);                   \
  template void cast<IN, int8_t>(const IN *, int8_t *, int64_t);               \
  template void cast<IN, uint8_t>(const IN *, uint8_t *, int64_t);             \
  template void cast<IN, int16_t>(const IN *, int16_t *, int64_t);             \
  template void cast<IN, int32_t>(const IN *, int32_t *, int64_t);             \
  template void cast<IN, int64_t>(const IN *, int64_t *, int64_t);             \
  template void cast<IN, float>(const IN *, float *, int64_t);
TESSERA_CAST_TO(bool)
TESSERA_CAST_TO(int8_t)
TESSERA_CAST_TO(uint8_t)
TESSERA_CAST_TO(int16_t)
TESSERA_CAST_TO(int32_t)
TESSERA_CAST_TO(int64_t)
TESSERA_CAST_TO(float)
#undef TESSERA_CAST_TO

} // namespace tessera::kernels
