//===- Rescale.h - TOSA RESCALE and the requantizing epilogue ----*- C++
//-*-===//
//
// RESCALE as the TOSA specification defines it (pseudocode/operators/
// RESCALE.tosac):
//   value  = in - input_zp                  (in and zp zero-extended if the
//                                            input is unsigned, else signed)
//   result = scale32 ? apply_scale_32(value, multiplier[c], shift[c], dbl)
//                    : apply_scale_16(value, multiplier[c], shift[c])
//   out    = clip(result + output_zp, out_t range)
// with c the innermost index when per-channel. The arithmetic comes from
// core/quant (applyScale32/applyScale16/saturate); nothing is re-derived here.
//
// The requantizing epilogue of a fused conv / matmul is the same RESCALE with
// input_zp = 0 followed by TOSA CLAMP, so both go through rescaleScalar().
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_RESCALE_H
#define TESSERA_CORE_KERNELS_RESCALE_H

#include "core/quant/Quant.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tessera::kernels {

/// Multipliers and shifts of a RESCALE, per tensor (numChannels == 1) or per
/// channel of the innermost dimension (numChannels == C).
struct RescaleParams {
  /// Input zero point, as a value of the input type (e.g. 128 for a uint8
  /// input; TOSA allows it only for 8-bit and unsigned 16-bit inputs).
  int32_t inputZp = 0;
  /// Output zero point, as a value of the output type.
  int32_t outputZp = 0;
  /// true: apply_scale_32 with 32-bit multipliers; false: apply_scale_16
  /// with 16-bit multipliers (TOSA scale32 attribute).
  bool scale32 = true;
  /// TOSA rounding_mode DOUBLE_ROUND (only with scale32). SINGLE_ROUND and
  /// INEXACT_ROUND are both computed exactly as SINGLE_ROUND, which the spec
  /// says meets INEXACT_ROUND's error bound.
  bool doubleRound = false;
  const int32_t *multiplier = nullptr; ///< numChannels entries
  const int32_t *shift = nullptr;      ///< numChannels entries, in [2, 62]
  int64_t numChannels = 1;
};

/// Checks the parameters against TOSA's REQUIREs that do not depend on data:
/// multipliers >= 0 (and < 2^15 when !scale32), shifts in [2, 62],
/// doubleRound only with scale32. Returns a message naming the channel.
std::optional<std::string> checkRescale(const RescaleParams &p);

/// Rescales one value that has already been read (zero- or sign-extended to
/// 64 bits according to the input's signedness) into the range of outType:
/// (value - inputZp) * multiplier * 2^-shift (rounded as TOSA), + outputZp,
/// saturated to outType.
int32_t rescaleScalar(int64_t value, int64_t inputZp, int32_t multiplier,
                      int32_t shift, bool scale32, bool doubleRound,
                      int32_t outputZp, quant::DType outType);

/// TOSA RESCALE over count elements of a dense tensor whose innermost
/// dimension has p.numChannels elements when per-channel.
/// In: int8_t, uint8_t, int16_t, uint16_t, int32_t, int64_t (TOSA i48).
/// Out: int8_t, uint8_t, int16_t, uint16_t, int32_t.
/// The C++ types carry the signedness (TOSA input_unsigned/output_unsigned).
template <typename In, typename Out>
void rescale(const RescaleParams &p, const In *input, Out *output,
             int64_t count);

/// The epilogue applied to an int32 accumulator (bias already added) by a
/// fused conv/matmul: per-channel requantization (RESCALE with input_zp = 0),
/// + output zero point, saturation to the output type, then CLAMP to
/// [clampMin, clampMax] (the fused activation, in the output's quantized
/// domain).
struct Requantize {
  const int32_t *multiplier = nullptr; ///< numChannels entries
  const int32_t *shift = nullptr;      ///< numChannels entries
  int64_t numChannels = 1;             ///< 1: per-tensor; else = outC
  bool doubleRound = false;            ///< TOSA rounding_mode DOUBLE_ROUND
  int32_t outputZp = 0;
  int32_t clampMin = INT32_MIN;
  int32_t clampMax = INT32_MAX;
};

/// The epilogue for one accumulator of output channel `channel`.
template <typename Out>
Out requantizeScalar(int32_t acc, int64_t channel, const Requantize &rq);

/// The epilogue of an int16 convolution (TOSA i16 x i8 -> i48, then RESCALE
/// with scale32 = false): apply_scale_16 of the i48 accumulator (bias
/// added) with the 16-bit multiplier of `channel`, + output zero point,
/// saturation, CLAMP. doubleRound is ignored (TOSA has none for scale16).
/// Out: int8_t, uint8_t, int16_t.
template <typename Out>
Out requantizeScalar48(int64_t acc, int64_t channel, const Requantize &rq);

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_RESCALE_H
