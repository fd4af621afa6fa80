//===- Compare.h - Integer comparison and select kernels -------*- C++ -*-===//
//
// TOSA GREATER / GREATER_EQUAL / EQUAL on integers and the NPU vector unit's
// ELTWISE cmp_gt / cmp_ge / cmp_eq / select (core/isa/Isa.h), and POOL min
// (ReduceMin). The comparison itself is compareScalar, shared by the integer
// reference executor and the simulator; the operand rescales are those of the
// quantized add (quantBinaryScalar) and of TOSA RESCALE, from core/quant.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_COMPARE_H
#define TESSERA_CORE_KERNELS_COMPARE_H

#include "core/kernels/Broadcast.h"
#include "core/kernels/VectorUnit.h"

#include <cstdint>

namespace tessera::kernels {

enum class CompareFunc { Greater, GreaterEqual, Equal };

/// a > b, a >= b or a == b.
bool compareScalar(CompareFunc f, int64_t a, int64_t b);

/// TOSA GREATER / GREATER_EQUAL / EQUAL with broadcasting (the integer
/// comparisons of --tessera-fold-to-integer are on int32). T in int8_t,
/// int16_t, int32_t.
template <typename T>
void compare(CompareFunc f, const BroadcastShapes &s, const T *a, const T *b,
             bool *out);

/// ELTWISE cmp_gt / cmp_ge / cmp_eq: both operands are rescaled exactly as
/// the quantized add's (quantBinaryScalar), then compared:
///   a' = applyScale32(sat32((a - aZp) << leftShift), aMult, aShift, dr)
///   b' = applyScale32(sat32((b - bZp) << leftShift), bMult, bShift, dr)
///   out = compareScalar(func, a', b') ? 1 : 0      (int8)
/// An int32 operand (a threshold constant) requires leftShift = 0; with the
/// identity (2^30, 30) its value passes unchanged.
struct QuantCompare {
  CompareFunc func = CompareFunc::Greater;
  int32_t aZp = 0, bZp = 0;
  int32_t leftShift = 0;
  int32_t aMult = 0, aShift = 2;
  int32_t bMult = 0, bShift = 2;
  bool doubleRound = false;
};

/// Over rows x channels elements, B indexed per `bcast`. A, B in int8_t,
/// uint8_t, int16_t, int32_t.
template <typename A, typename B>
void quantCompare(const QuantCompare &q, const A *a, const B *b, int8_t *out,
                  int64_t rows, int64_t channels, BinaryBroadcast bcast);

/// ELTWISE select: TOSA SELECT of two operands each requantized to the
/// output (TOSA RESCALE, scale32, rescaleScalar):
///   a' = applyScale32(sat32(a - aZp), aMult, aShift, dr)
///   b' = applyScale32(sat32(b - bZp), bMult, bShift, dr)
///   out = saturate(clamp((cond[i] != 0 ? a' : b') + outZp, clampMin,
///                        clampMax), Out)
/// This equals rescaling each operand to Out (saturating), clamping, then
/// selecting, the integer TOSA of FoldCompare.cpp, whenever the clamp bounds
/// lie inside Out's range (saturation and clamp are monotone).
struct QuantSelect {
  int32_t aZp = 0, bZp = 0, outZp = 0;
  int32_t aMult = 0, aShift = 2;
  int32_t bMult = 0, bShift = 2;
  bool doubleRound = false;
  int32_t clampMin = INT32_MIN, clampMax = INT32_MAX;
};

/// cond has rows x channels elements; B is indexed per `bcast`. A, B, Out in
/// int8_t, uint8_t, int16_t.
template <typename A, typename B, typename Out>
void quantSelect(const QuantSelect &q, const int8_t *cond, const A *a,
                 const B *b, Out *out, int64_t rows, int64_t channels,
                 BinaryBroadcast bcast);

/// POOL min: the window minimum of the in-bounds elements (minPool2d), then
/// out = saturate(clamp(v - inputZp + outputZp, clampMin, clampMax), Out),
/// the output stage of maxPool2dQuant. In, Out in int8_t, uint8_t, int16_t.
template <typename In, typename Out>
void minPool2dQuant(const Pool2DParams &p, const PoolQuant &q, const In *input,
                    Out *output);

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_COMPARE_H
