//===- Pool.cpp - Integer max/avg pooling reference kernels ---------------===//

#include "core/kernels/Pool.h"

#include "core/kernels/Types.h"
#include "core/quant/Quant.h"

#include <algorithm>
#include <limits>

namespace tessera::kernels {

std::optional<std::string> checkPool2D(const Pool2DParams &p) {
  if (p.batch < 1 || p.inH < 1 || p.inW < 1 || p.channels < 1 || p.outH < 1 ||
      p.outW < 1)
    return std::string("pool2d: expected positive dims");
  if (p.kernelH < 1 || p.kernelW < 1 || p.strideH < 1 || p.strideW < 1)
    return std::string("pool2d: expected kernel and stride >= 1");
  if (p.padTop < 0 || p.padBottom < 0 || p.padLeft < 0 || p.padRight < 0 ||
      p.padTop >= p.kernelH || p.padBottom >= p.kernelH ||
      p.padLeft >= p.kernelW || p.padRight >= p.kernelW)
    return "pool2d: expected 0 <= pad < kernel, got pads [" +
           std::to_string(p.padTop) + ", " + std::to_string(p.padBottom) +
           ", " + std::to_string(p.padLeft) + ", " +
           std::to_string(p.padRight) + "] for kernel " +
           std::to_string(p.kernelH) + "x" + std::to_string(p.kernelW);
  int64_t needH = (p.outH - 1) * p.strideH + p.kernelH;
  int64_t needW = (p.outW - 1) * p.strideW + p.kernelW;
  if (needH > p.padTop + p.inH + p.padBottom ||
      needW > p.padLeft + p.inW + p.padRight)
    return "pool2d: output " + std::to_string(p.outH) + "x" +
           std::to_string(p.outW) + " windows exceed the padded input " +
           std::to_string(p.padTop + p.inH + p.padBottom) + "x" +
           std::to_string(p.padLeft + p.inW + p.padRight);
  return std::nullopt;
}

namespace {
/// The extremum of every window's in-bounds elements: `better(v, acc)` says
/// whether v replaces acc; `start` loses against every value.
template <typename T, typename Better>
void windowExtremum(const Pool2DParams &p, const T *input, T *output,
                    T start, Better better) {
  const int64_t C = p.channels;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy)
      for (int64_t ox = 0; ox < p.outW; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          T acc = start;
          for (int64_t ky = 0; ky < p.kernelH; ++ky) {
            int64_t y = oy * p.strideH - p.padTop + ky;
            if (y < 0 || y >= p.inH)
              continue; // padding never wins
            for (int64_t kx = 0; kx < p.kernelW; ++kx) {
              int64_t x = ox * p.strideW - p.padLeft + kx;
              if (x < 0 || x >= p.inW)
                continue;
              T v = input[((n * p.inH + y) * p.inW + x) * C + c];
              if (better(v, acc))
                acc = v;
            }
          }
          output[((n * p.outH + oy) * p.outW + ox) * C + c] = acc;
        }
}
} // namespace

template <typename T>
void minPool2d(const Pool2DParams &p, const T *input, T *output) {
  windowExtremum(p, input, output, std::numeric_limits<T>::max(),
                 [](T v, T acc) { return v < acc; });
}

template <typename T>
void maxPool2d(const Pool2DParams &p, const T *input, T *output) {
  windowExtremum(p, input, output, std::numeric_limits<T>::min(),
                 [](T v, T acc) { return v > acc; });
}

template <typename T>
void avgPool2d(const Pool2DParams &p, const T *input, T *output) {
  const int64_t C = p.channels;
  constexpr quant::DType outType = DTypeOf<T>::value;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy)
      for (int64_t ox = 0; ox < p.outW; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          // |in - zp| <= 65535 and a window has at most kernelH * kernelW
          // values; TOSA REQUIREs the int32 sum not to overflow, which holds
          // for windows up to 32768 values of 16-bit data.
          uint32_t count = 0;
          auto acc = static_cast<int32_t>(
              windowSum(p, input, n, oy, ox, c, p.inputZp, count));
          int64_t out = p.outputZp;
          if (count > 0) { // checkPool2D guarantees it; guard regardless
            quant::ScaleMultiplier s = quant::reciprocalScale(count);
            out += quant::applyScale32(acc, s.multiplier, s.shift, false);
          }
          output[((n * p.outH + oy) * p.outW + ox) * C + c] =
              static_cast<T>(quant::saturate(out, outType));
        }
}

template void maxPool2d<int8_t>(const Pool2DParams &, const int8_t *, int8_t *);
template void maxPool2d<uint8_t>(const Pool2DParams &, const uint8_t *,
                                 uint8_t *);
template void maxPool2d<int16_t>(const Pool2DParams &, const int16_t *,
                                 int16_t *);
template void maxPool2d<int32_t>(const Pool2DParams &, const int32_t *,
                                 int32_t *);
template void minPool2d<int8_t>(const Pool2DParams &, const int8_t *, int8_t *);
template void minPool2d<uint8_t>(const Pool2DParams &, const uint8_t *,
                                 uint8_t *);
template void minPool2d<int16_t>(const Pool2DParams &, const int16_t *,
                                 int16_t *);
template void avgPool2d<int8_t>(const Pool2DParams &, const int8_t *, int8_t *);
template void avgPool2d<uint8_t>(const Pool2DParams &, const uint8_t *,
                                 uint8_t *);
template void avgPool2d<int16_t>(const Pool2DParams &, const int16_t *,
                                 int16_t *);

} // namespace tessera::kernels
