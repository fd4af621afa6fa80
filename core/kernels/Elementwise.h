//===- Elementwise.h - Integer elementwise / data-movement kernels -*- C++
//-*-===//
//
// TOSA CLAMP, ADD/SUB/MUL/MAXIMUM/MINIMUM and REDUCE_SUM on integers, TABLE, CAST and CONCAT
// on raw buffers
// (pseudocode/operators/*.tosac). Overflow that TOSA leaves as a REQUIRE
// (apply_add_s, MUL with shift) saturates here, so the reference executor
// and the simulator agree on a defined value.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_ELEMENTWISE_H
#define TESSERA_CORE_KERNELS_ELEMENTWISE_H

#include "core/kernels/Broadcast.h"

#include <cstdint>

namespace tessera::kernels {

/// CLAMP: out = min(max(in, minVal), maxVal); T in int8_t, uint8_t, int16_t,
/// int32_t.
template <typename T>
void clamp(const T *input, T *output, int64_t count, T minVal, T maxVal);

/// Saturating int32 addition / subtraction (TOSA apply_add_s/apply_sub_s).
int32_t addSat32(int32_t a, int32_t b);
int32_t subSat32(int32_t a, int32_t b);
/// TOSA MUL of one pair: shift > 0 (int32 inputs only):
/// (int64(a) * b + 2^(shift-1)) >> shift, saturated to int32; shift == 0:
/// the low 32 bits of the product (TOSA "low 32-bits of result").
int32_t mulShift32(int64_t a, int64_t b, int32_t shift);

/// REDUCE_SUM on int32, the input viewed as [outer, len, inner]:
/// out[a * inner + i] = sum over k of in[(a * len + k) * inner + i], each
/// addition apply_add_s (addSat32), k in order.
void reduceSum(const int32_t *input, int64_t outer, int64_t len, int64_t inner,
               int32_t *output);

/// ADD / SUB on int32 with TOSA broadcasting.
void add(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
         int32_t *out);
void sub(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
         int32_t *out);
/// MAXIMUM / MINIMUM on int32 with TOSA broadcasting (exact: one of the
/// operands).
void maximum(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
             int32_t *out);
void minimum(const BroadcastShapes &s, const int32_t *a, const int32_t *b,
             int32_t *out);
/// MUL: In in int8_t, int16_t, int32_t; int32 output; shift only for int32.
template <typename In>
void mul(const BroadcastShapes &s, const In *a, const In *b, int32_t shift,
         int32_t *out);

/// TABLE, int8: out = table[in + 128] over a 256-entry table.
void table(const int8_t *input, int8_t *output, int64_t count,
           const int8_t *table256);
/// TABLE, int16: 513-entry table, input read as 9.7 fixed point, linear
/// interpolation to a 16.7 result in int32 (TOSA apply_lookup_s).
void table(const int16_t *input, int32_t *output, int64_t count,
           const int16_t *table513);

/// CAST per TOSA: to bool is (in != 0); int -> wider int sign-/zero-extends,
/// to narrower truncates (two's complement wrap, no saturation); float -> int
/// rounds to nearest, ties to even, then clips to the output range (NaN -> 0);
/// int -> float rounds to nearest float. In/Out in bool, int8_t, uint8_t,
/// int16_t, int32_t, int64_t, float.
template <typename In, typename Out>
void cast(const In *input, Out *output, int64_t count);

/// CONCAT of numInputs dense tensors along one axis: the tensors are viewed
/// as [outer, axisSizes[i] * inner] byte blocks of elemBytes-sized elements;
/// the output is [outer, sum(axisSizes) * inner].
void concat(const void *const *inputs, const int64_t *axisSizes,
            int64_t numInputs, int64_t outer, int64_t inner, int64_t elemBytes,
            void *output);

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_ELEMENTWISE_H
