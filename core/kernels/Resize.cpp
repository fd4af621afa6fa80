//===- Resize.cpp - TOSA RESIZE (nearest, integer bilinear) kernels -------===//

#include "core/kernels/Resize.h"

#include <algorithm>
#include <cstring>

namespace tessera::kernels {

namespace {

/// floor(a / b) for b > 0.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

} // namespace

ResizeAxis resizeAxis(int64_t o, int64_t scaleN, int64_t scaleD,
                      int64_t offset, int64_t inSize) {
  int64_t pos = o * scaleD + offset;
  int64_t i = floorDiv(pos, scaleN);
  return {i, std::max<int64_t>(i, 0), std::min<int64_t>(i + 1, inSize - 1),
          pos - i * scaleN};
}

std::optional<std::string> checkResize(const ResizeParams &p) {
  if (p.batch < 1 || p.inH < 1 || p.inW < 1 || p.channels < 1 || p.outH < 1 ||
      p.outW < 1)
    return std::string("resize: expected positive dims");
  if (std::max({p.inH, p.inW, p.outH, p.outW}) >= 16384)
    return std::string("resize: dims must be < 16384");
  if (p.scaleYN <= 0 || p.scaleYD <= 0 || p.scaleXN <= 0 || p.scaleXD <= 0)
    return std::string("resize: expected positive scale");
  if (p.scaleYN > (1 << 11) || p.scaleXN > (1 << 11))
    return std::string("resize: scale numerator must be <= 2048");
  if (p.scaleYD >= 16 * p.scaleYN || p.scaleXD >= 16 * p.scaleXN)
    return std::string("resize: downscale must be less than 16x");
  if (p.offsetY < -p.scaleYN || p.offsetY >= 16 * p.scaleYN ||
      p.offsetX < -p.scaleXN || p.offsetX >= 16 * p.scaleXN)
    return std::string("resize: offset out of range");
  return std::nullopt;
}

void resizeNearest(const ResizeParams &p, const void *input, void *output,
                   int64_t elemBytes) {
  const auto *in = static_cast<const uint8_t *>(input);
  auto *out = static_cast<uint8_t *>(output);
  const int64_t pixel = p.channels * elemBytes;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy) {
      ResizeAxis y = resizeAxis(oy, p.scaleYN, p.scaleYD, p.offsetY, p.inH);
      int64_t iy = 2 * y.r >= p.scaleYN ? y.i1 : y.i0;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        ResizeAxis x = resizeAxis(ox, p.scaleXN, p.scaleXD, p.offsetX, p.inW);
        int64_t ix = 2 * x.r >= p.scaleXN ? x.i1 : x.i0;
        std::memcpy(out + ((n * p.outH + oy) * p.outW + ox) * pixel,
                    in + ((n * p.inH + iy) * p.inW + ix) * pixel, pixel);
      }
    }
}

template <typename In, typename Acc>
void resizeBilinear(const ResizeParams &p, const In *input, Acc *output) {
  const int64_t C = p.channels;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy) {
      ResizeAxis y = resizeAxis(oy, p.scaleYN, p.scaleYD, p.offsetY, p.inH);
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        ResizeAxis x = resizeAxis(ox, p.scaleXN, p.scaleXD, p.offsetX, p.inW);
        auto at = [&](int64_t iy, int64_t ix, int64_t c) {
          return static_cast<Acc>(
              input[((n * p.inH + iy) * p.inW + ix) * C + c]);
        };
        // |v| <= 2^7 and each weight product <= 2^22 (numerators <= 2^11):
        // the int8 sum stays below 2^31 as TOSA's scale limit intends.
        const Acc wy0 = p.scaleYN - y.r, wy1 = y.r;
        const Acc wx0 = p.scaleXN - x.r, wx1 = x.r;
        for (int64_t c = 0; c < C; ++c)
          output[((n * p.outH + oy) * p.outW + ox) * C + c] =
              at(y.i0, x.i0, c) * wy0 * wx0 + at(y.i0, x.i1, c) * wy0 * wx1 +
              at(y.i1, x.i0, c) * wy1 * wx0 + at(y.i1, x.i1, c) * wy1 * wx1;
      }
    }
}

template void resizeBilinear<int8_t, int32_t>(const ResizeParams &,
                                              const int8_t *, int32_t *);
template void resizeBilinear<int16_t, int64_t>(const ResizeParams &,
                                               const int16_t *, int64_t *);

} // namespace tessera::kernels
