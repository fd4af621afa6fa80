//===- Resize.h - TOSA RESIZE (nearest, integer bilinear) kernels -*- C++
//-*-===//
//
// RESIZE per the TOSA specification (pseudocode/operators/RESIZE.tosac) on
// NHWC buffers. The sample position of output (oy, ox) is
//   y = oy * scale_y_d + offset_y,  iy = floor(y / scale_y_n),
//   ry = y - iy * scale_y_n  (the fraction, in units of 1/scale_y_n),
// clamped to the input's edge rows (iy0 = max(iy, 0), iy1 = min(iy+1, IH-1)).
// NEAREST picks iy1 when 2 * ry >= scale_y_n, else iy0 (same for x): pure
// indexing, so one kernel serves every element type. Integer BILINEAR
// returns v00*(n_y-ry)*(n_x-rx) + v01*(n_y-ry)*rx + v10*ry*(n_x-rx) +
// v11*ry*rx, i.e. scaled by scale_y_n * scale_x_n, which a following RESCALE
// removes. border only determines the output size, checked by the caller.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_RESIZE_H
#define TESSERA_CORE_KERNELS_RESIZE_H

#include <cstdint>
#include <optional>
#include <string>

namespace tessera::kernels {

struct ResizeParams {
  int64_t batch = 1, inH = 0, inW = 0, channels = 0, outH = 0, outW = 0;
  int64_t scaleYN = 1, scaleYD = 1, scaleXN = 1, scaleXD = 1;
  int64_t offsetY = 0, offsetX = 0;
};

/// One axis of the sample position of output index o, as RESIZE computes
/// it: pos = o * scale_d + offset, index = floor(pos / scale_n) (unclamped),
/// its neighbours clamped to the input (i0 = max(index, 0), i1 =
/// min(index + 1, inSize - 1)) and the fraction r = pos - index * scale_n.
/// Both kernels below sample through it; the NPU lowering of BILINEAR
/// (compiler/lowering/LowerResize.cpp) reads its interpolation weights off
/// it (scale_n - r at i0, r at i1).
struct ResizeAxis {
  int64_t index, i0, i1, r;
};
ResizeAxis resizeAxis(int64_t o, int64_t scaleN, int64_t scaleD,
                      int64_t offset, int64_t inSize);

/// TOSA's ERROR_IFs on the scale and offset (positive scales, numerators
/// <= 2^11, downscale at most 16x, offset in [-n, 16n)) and dims < 16384.
std::optional<std::string> checkResize(const ResizeParams &p);

/// NEAREST_NEIGHBOR on elements of elemBytes bytes.
void resizeNearest(const ResizeParams &p, const void *input, void *output,
                   int64_t elemBytes);

/// Integer BILINEAR: int8_t -> int32_t, int16_t -> int64_t (TOSA i48).
template <typename In, typename Acc>
void resizeBilinear(const ResizeParams &p, const In *input, Acc *output);

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_RESIZE_H
