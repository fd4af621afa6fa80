//===- Conv.h - Integer conv2d / depthwise / matmul reference kernels -*- C++
//-*-===//
//
// The one definition of the integer arithmetic of convolution-like layers,
// on dense NHWC buffers, after the TOSA pseudocode (CONV2D.tosac,
// DEPTHWISE_CONV2D.tosac, MATMUL.tosac):
//
//   acc[n,oy,ox,oc] = sum_{ky,kx,ic} (in[n,y,x,ic] - input_zp)
//                                    * (w[oc,ky,kx,ic] - weight_zp)
//   with y = oy*stride_y - pad_top + ky*dilation_y (same for x); positions
//   outside the input are padding whose value is input_zp, so they add
//   (input_zp - input_zp) * (...) = 0 and are skipped.
//   out = acc + bias[oc]                                  (the TOSA op)
//   out = clamp(requant(acc + bias[oc]) + output_zp)      (fused epilogue)
//
// The geometry is explicit (input dims, output dims, four pads), so a caller
// may run a band of output rows with its own pads: the simulator executes
// tiles this way. Kernels trust their parameters; validate them once with
// checkConv2D / checkDepthwiseConv2D.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_CONV_H
#define TESSERA_CORE_KERNELS_CONV_H

#include "core/kernels/Rescale.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tessera::kernels {

/// Geometry and zero points of a 2-D convolution over NHWC buffers.
struct Conv2DParams {
  int64_t batch = 1;
  int64_t inH = 0, inW = 0, inC = 0;    ///< input buffer (tile) dims
  int64_t outH = 0, outW = 0, outC = 0; ///< output buffer (tile) dims
  int64_t kernelH = 1, kernelW = 1;
  int64_t strideH = 1, strideW = 1;
  int64_t dilationH = 1, dilationW = 1;
  int64_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  /// Channel groups (conv2d only): inC and outC are divided into `groups`
  /// equal parts; output channel oc reads input channels of group
  /// oc / (outC / groups). Weights are [outC, kernelH, kernelW, inC/groups].
  int64_t groups = 1;
  int32_t inputZp = 0;
  int32_t weightZp = 0;
};

/// Products summed into one accumulator: kernelH * kernelW * inC / groups
/// (conv2d) or kernelH * kernelW (depthwise).
int64_t reductionDepth(const Conv2DParams &p);

/// With 8-bit operands |in - input_zp| <= 255 and |w - weight_zp| <= 255, so
/// each product is at most 255^2 = 65025 in magnitude and a sum of
/// 2^15 = 32768 of them is at most 2,130,739,200 < 2^31 - 1 = 2,147,483,647:
/// an int32 accumulator cannot overflow for reduction depths up to 32768
/// (3x3x2048 = 18432 and 1x1x4096 are well inside). Deeper reductions are
/// rejected by the checks below. The bias is then added with saturation.
constexpr int64_t kMaxInt32ReductionDepth = 32768;

/// Validates a conv2d (weights [outC, kH, kW, inC/groups]): positive dims,
/// strides, dilations, non-negative pads, channel divisibility by groups,
/// every output window inside the padded input
/// ((outH-1)*strideH + (kH-1)*dilationH + 1 <= padTop + inH + padBottom, same
/// for W), and, when int32Accumulator, the reduction depth bound above.
std::optional<std::string> checkConv2D(const Conv2DParams &p,
                                       bool int32Accumulator = true);
/// Validates a depthwise conv (weights [kH, kW, inC, M], outC = inC * M;
/// groups is ignored).
std::optional<std::string> checkDepthwiseConv2D(const Conv2DParams &p,
                                                bool int32Accumulator = true);

/// CONV2D without epilogue: acc[n,oy,ox,oc] = sum + bias[oc] (bias may be
/// null). Instantiated for (In, W, Acc) in
///   (int8_t, int8_t, int32_t), (uint8_t, int8_t, int32_t),
///   (uint8_t, uint8_t, int32_t), (int8_t, uint8_t, int32_t),
///   (int16_t, int8_t, int64_t)   (TOSA i16 x i8 -> i48, stored in int64),
///   (int16_t, int16_t, int64_t)  (i16 x i16 -> i48: int16 weights).
template <typename In, typename W, typename Acc>
void conv2dAccumulate(const Conv2DParams &p, const In *input, const W *weights,
                      const Acc *bias, Acc *acc);

/// CONV2D fused with the epilogue (bias -> requant -> + output_zp -> clamp ->
/// cast). In/W as above with an int32 accumulator; Out in int8_t, uint8_t,
/// int16_t.
template <typename In, typename W, typename Out>
void conv2d(const Conv2DParams &p, const In *input, const W *weights,
            const int32_t *bias, const Requantize &rq, Out *output);

/// DEPTHWISE_CONV2D without epilogue, TOSA weight layout [kH, kW, inC, M]:
/// acc[n,oy,ox,c*M+m] = sum_{ky,kx} (in[.., c] - izp) * (w[ky,kx,c,m] - wzp)
/// + bias[c*M+m]. Same instantiations as conv2dAccumulate.
template <typename In, typename W, typename Acc>
void depthwiseConv2dAccumulate(const Conv2DParams &p, const In *input,
                               const W *weights, const Acc *bias, Acc *acc);

/// DEPTHWISE_CONV2D fused with the epilogue.
template <typename In, typename W, typename Out>
void depthwiseConv2d(const Conv2DParams &p, const In *input, const W *weights,
                     const int32_t *bias, const Requantize &rq, Out *output);

/// Batched matrix product, TOSA MATMUL: a [batch, m, k], b [batch, k, n],
/// acc [batch, m, n] = sum_k (a - aZp) * (b - bZp). int32 accumulators
/// (k <= kMaxInt32ReductionDepth; check with checkMatMul).
struct MatMulParams {
  int64_t batch = 1, m = 0, k = 0, n = 0;
  int32_t aZp = 0, bZp = 0;
};
std::optional<std::string> checkMatMul(const MatMulParams &p);
/// Instantiated for (A, B) in (int8_t, int8_t), (uint8_t, int8_t),
/// (uint8_t, uint8_t), (int8_t, uint8_t).
template <typename A, typename B>
void matMulAccumulate(const MatMulParams &p, const A *a, const B *b,
                      int32_t *acc);

/// Fully connected (ONNX Gemm with transB / TFLite FULLY_CONNECTED):
/// input [batch, inC], weights [outC, inC], acc [batch, outC] =
/// sum (in - izp)(w - wzp) + bias[oc]. Equivalent to a 1x1 conv2d.
struct FullyConnectedParams {
  int64_t batch = 1, inC = 0, outC = 0;
  int32_t inputZp = 0, weightZp = 0;
};
std::optional<std::string> checkFullyConnected(const FullyConnectedParams &p);
template <typename In, typename W>
void fullyConnectedAccumulate(const FullyConnectedParams &p, const In *input,
                              const W *weights, const int32_t *bias,
                              int32_t *acc);
template <typename In, typename W, typename Out>
void fullyConnected(const FullyConnectedParams &p, const In *input,
                    const W *weights, const int32_t *bias, const Requantize &rq,
                    Out *output);

/// acc + bias with the saturation Tessera gives TOSA's apply_add_s REQUIRE.
int32_t addBias(int32_t acc, int32_t bias);

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_CONV_H
