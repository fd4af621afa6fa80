//===- Pool.h - Integer max/avg pooling reference kernels --------*- C++
//-*-===//
//
// MAX_POOL2D and AVG_POOL2D as the TOSA specification defines them
// (pseudocode/operators/MAX_POOL2D.tosac, AVG_POOL2D.tosac) on NHWC buffers:
// padded positions are ignored (max: never the maximum; avg: neither summed
// nor counted), and the integer average is
//   acc   = sum over valid positions of (in - input_zp)       (int32)
//   scale = reciprocal_scale(count)
//   out   = clip(apply_scale_32(acc, scale.multiplier, scale.shift, false)
//               + output_zp, out_t range)
// Geometry is explicit (tile-friendly), as for the conv kernels.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_POOL_H
#define TESSERA_CORE_KERNELS_POOL_H

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace tessera::kernels {

struct Pool2DParams {
  int64_t batch = 1;
  int64_t inH = 0, inW = 0, channels = 0; ///< input buffer (tile) dims
  int64_t outH = 0, outW = 0;             ///< output buffer (tile) dims
  int64_t kernelH = 1, kernelW = 1;
  int64_t strideH = 1, strideW = 1;
  int64_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  int32_t inputZp = 0;  ///< avg pool only
  int32_t outputZp = 0; ///< avg pool only
};

/// Validates positive dims/kernel/stride, 0 <= pad < kernel on every side
/// (TOSA: otherwise a window could hold no input value) and every output
/// window inside the padded input.
std::optional<std::string> checkPool2D(const Pool2DParams &p);

/// MAX_POOL2D; T in int8_t, uint8_t, int16_t, int32_t.
template <typename T>
void maxPool2d(const Pool2DParams &p, const T *input, T *output);

/// The window minimum (no TOSA operator: ReduceMin as a POOL min on the
/// NPU); padding never wins, as for maxPool2d. T as maxPool2d.
template <typename T>
void minPool2d(const Pool2DParams &p, const T *input, T *output);

/// AVG_POOL2D with an int32 accumulator; T in int8_t, uint8_t, int16_t
/// (TOSA allows zero points only for int8; the kernel applies whatever it is
/// given).
template <typename T>
void avgPool2d(const Pool2DParams &p, const T *input, T *output);

/// How many elements of the input the pooling window of output (oy, ox)
/// covers (padding excluded): the divisor of TOSA AVG_POOL2D there.
inline uint32_t windowCount(const Pool2DParams &p, int64_t oy, int64_t ox) {
  auto inside = [](int64_t start, int64_t k, int64_t n) {
    return std::max<int64_t>(0, std::min(start + k, n) - std::max<int64_t>(start, 0));
  };
  return static_cast<uint32_t>(
      inside(oy * p.strideH - p.padTop, p.kernelH, p.inH) *
      inside(ox * p.strideW - p.padLeft, p.kernelW, p.inW));
}

/// The sum of (x - inputZp) over the in-bounds elements of the pooling
/// window of output (n, oy, ox, c), and in `count` how many there are
/// (padding is neither summed nor counted, as TOSA AVG_POOL2D specifies).
/// Shared by avgPool2d and the vector unit's pooling (VectorUnit.h).
template <typename T>
int64_t windowSum(const Pool2DParams &p, const T *input, int64_t n,
                  int64_t oy, int64_t ox, int64_t c, int64_t inputZp,
                  uint32_t &count) {
  int64_t sum = 0;
  count = 0;
  for (int64_t ky = 0; ky < p.kernelH; ++ky) {
    int64_t y = oy * p.strideH - p.padTop + ky;
    if (y < 0 || y >= p.inH)
      continue;
    for (int64_t kx = 0; kx < p.kernelW; ++kx) {
      int64_t x = ox * p.strideW - p.padLeft + kx;
      if (x < 0 || x >= p.inW)
        continue;
      ++count;
      sum += static_cast<int64_t>(
                 input[((n * p.inH + y) * p.inW + x) * p.channels + c]) -
             inputZp;
    }
  }
  return sum;
}

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_POOL_H
