//===- Rescale.cpp - TOSA RESCALE and the requantizing epilogue -----------===//

#include "core/kernels/Rescale.h"

#include "core/kernels/Types.h"

#include <algorithm>

namespace tessera::kernels {

std::optional<std::string> checkRescale(const RescaleParams &p) {
  if (p.numChannels < 1)
    return "rescale: expected at least one multiplier, got " +
           std::to_string(p.numChannels);
  if (!p.multiplier || !p.shift)
    return std::string("rescale: multiplier/shift arrays missing");
  if (p.doubleRound && !p.scale32)
    return std::string("rescale: DOUBLE_ROUND requires scale32");
  for (int64_t c = 0; c < p.numChannels; ++c) {
    auto err = p.scale32 ? quant::checkScale32(p.multiplier[c], p.shift[c])
                         : quant::checkScale16(p.multiplier[c], p.shift[c]);
    if (err)
      return "rescale: channel " + std::to_string(c) + ": " + *err;
  }
  return std::nullopt;
}

int32_t rescaleScalar(int64_t value, int64_t inputZp, int32_t multiplier,
                      int32_t shift, bool scale32, bool doubleRound,
                      int32_t outputZp, quant::DType outType) {
  // value - input_zp fits int32 for every input type TOSA allows with a zero
  // point (8-bit, unsigned 16-bit); 32-bit inputs must have zp 0, and i48
  // inputs only go through apply_scale_16 which takes 48 bits.
  int64_t v = value - inputZp;
  int32_t result =
      scale32 ? quant::applyScale32(static_cast<int32_t>(v), multiplier, shift,
                                    doubleRound)
              : quant::applyScale16(v, static_cast<int16_t>(multiplier), shift);
  // apply_add_s<int32_t> then apply_clip to the output type; adding in 64
  // bits and saturating once gives the same result whenever TOSA's REQUIRE
  // (no int32 overflow) holds, and a defined one otherwise.
  return static_cast<int32_t>(
      quant::saturate(static_cast<int64_t>(result) + outputZp, outType));
}

template <typename In, typename Out>
void rescale(const RescaleParams &p, const In *input, Out *output,
             int64_t count) {
  constexpr quant::DType outType = DTypeOf<Out>::value;
  const int64_t channels = p.numChannels;
  for (int64_t i = 0; i < count; ++i) {
    int64_t c = channels == 1 ? 0 : i % channels;
    output[i] = static_cast<Out>(rescaleScalar(
        static_cast<int64_t>(input[i]), p.inputZp, p.multiplier[c], p.shift[c],
        p.scale32, p.doubleRound, p.outputZp, outType));
  }
}

template <typename Out>
Out requantizeScalar(int32_t acc, int64_t channel, const Requantize &rq) {
  int64_t c = rq.numChannels == 1 ? 0 : channel;
  int32_t v = rescaleScalar(acc, /*inputZp=*/0, rq.multiplier[c], rq.shift[c],
                            /*scale32=*/true, rq.doubleRound, rq.outputZp,
                            DTypeOf<Out>::value);
  // TOSA CLAMP after the RESCALE: max(min_val, ...) then min(max_val, ...).
  v = std::min(std::max(v, rq.clampMin), rq.clampMax);
  return static_cast<Out>(v);
}

template <typename Out>
Out requantizeScalar48(int64_t acc, int64_t channel, const Requantize &rq) {
  int64_t c = rq.numChannels == 1 ? 0 : channel;
  int32_t v = rescaleScalar(acc, /*inputZp=*/0, rq.multiplier[c], rq.shift[c],
                            /*scale32=*/false, /*doubleRound=*/false,
                            rq.outputZp, DTypeOf<Out>::value);
  v = std::min(std::max(v, rq.clampMin), rq.clampMax);
  return static_cast<Out>(v);
}

#define TESSERA_RESCALE_OUT(IN)                                                \
  template void rescale<IN, int8_t>(const RescaleParams &, const IN *,         \
                                    int8_t *, int64_t);                        \
  template void rescale<IN, uint8_t>(const RescaleParams &, const IN *,        \
                                     uint8_t *, int64_t);                      \
  template void rescale<IN, int16_t>(const RescaleParams &, const IN *,        \
                                     int16_t *, int64_t);                      \
  template void rescale<IN, uint16_t>(const RescaleParams &, const IN *,       \
                                      uint16_t *, int64_t);                    \
  template void rescale<IN, int32_t>(const RescaleParams &, const IN *,        \
                                     int32_t *, int64_t);
TESSERA_RESCALE_OUT(int8_t)
TESSERA_RESCALE_OUT(uint8_t)
TESSERA_RESCALE_OUT(int16_t)
TESSERA_RESCALE_OUT(uint16_t)
TESSERA_RESCALE_OUT(int32_t)
TESSERA_RESCALE_OUT(int64_t)
#undef TESSERA_RESCALE_OUT

template int8_t requantizeScalar<int8_t>(int32_t, int64_t, const Requantize &);
template uint8_t requantizeScalar<uint8_t>(int32_t, int64_t,
                                           const Requantize &);
template int16_t requantizeScalar<int16_t>(int32_t, int64_t,
                                           const Requantize &);
template int32_t requantizeScalar<int32_t>(int32_t, int64_t,
                                           const Requantize &);
template int8_t requantizeScalar48<int8_t>(int64_t, int64_t,
                                           const Requantize &);
template uint8_t requantizeScalar48<uint8_t>(int64_t, int64_t,
                                             const Requantize &);
template int16_t requantizeScalar48<int16_t>(int64_t, int64_t,
                                             const Requantize &);

} // namespace tessera::kernels
