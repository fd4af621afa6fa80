//===- Conv.cpp - Integer conv2d / depthwise / matmul reference kernels ---===//

#include "core/kernels/Conv.h"

#include "core/quant/Quant.h"

#include <limits>
#include <type_traits>

namespace tessera::kernels {

int64_t reductionDepth(const Conv2DParams &p) {
  int64_t groups = p.groups > 0 ? p.groups : 1;
  return p.kernelH * p.kernelW * (p.inC / groups);
}

int32_t addBias(int32_t acc, int32_t bias) {
  return static_cast<int32_t>(
      quant::saturate(static_cast<int64_t>(acc) + bias, quant::DType::Int32));
}

namespace {

std::string dims(int64_t a, int64_t b) {
  return std::to_string(a) + "x" + std::to_string(b);
}

/// Shared geometry checks of conv2d and depthwise conv2d.
std::optional<std::string> checkGeometry(const char *op,
                                         const Conv2DParams &p) {
  std::string name(op);
  if (p.batch < 1 || p.inH < 1 || p.inW < 1 || p.inC < 1 || p.outH < 1 ||
      p.outW < 1 || p.outC < 1)
    return name + ": expected positive dims, got input " +
           std::to_string(p.batch) + "x" + dims(p.inH, p.inW) + "x" +
           std::to_string(p.inC) + " output " + dims(p.outH, p.outW) + "x" +
           std::to_string(p.outC);
  if (p.kernelH < 1 || p.kernelW < 1)
    return name + ": expected kernel >= 1, got " + dims(p.kernelH, p.kernelW);
  if (p.strideH < 1 || p.strideW < 1)
    return name + ": expected stride >= 1, got " + dims(p.strideH, p.strideW);
  if (p.dilationH < 1 || p.dilationW < 1)
    return name + ": expected dilation >= 1, got " +
           dims(p.dilationH, p.dilationW);
  if (p.padTop < 0 || p.padBottom < 0 || p.padLeft < 0 || p.padRight < 0)
    return name + ": expected pads >= 0";
  int64_t needH = (p.outH - 1) * p.strideH + (p.kernelH - 1) * p.dilationH + 1;
  int64_t haveH = p.padTop + p.inH + p.padBottom;
  if (needH > haveH)
    return name +
           ": expected (OH - 1) * stride + (KH - 1) * dilation + 1 <= "
           "pad_top + IH + pad_bottom but got " +
           std::to_string(needH) + " > " + std::to_string(haveH);
  int64_t needW = (p.outW - 1) * p.strideW + (p.kernelW - 1) * p.dilationW + 1;
  int64_t haveW = p.padLeft + p.inW + p.padRight;
  if (needW > haveW)
    return name +
           ": expected (OW - 1) * stride + (KW - 1) * dilation + 1 <= "
           "pad_left + IW + pad_right but got " +
           std::to_string(needW) + " > " + std::to_string(haveW);
  return std::nullopt;
}

std::optional<std::string> checkDepth(const char *op, int64_t depth,
                                      bool int32Accumulator) {
  if (int32Accumulator && depth > kMaxInt32ReductionDepth)
    return std::string(op) + ": reduction depth " + std::to_string(depth) +
           " exceeds " + std::to_string(kMaxInt32ReductionDepth) +
           ", the most an int32 accumulator holds without overflow";
  return std::nullopt;
}

template <typename Acc> Acc addBiasTo(Acc acc, Acc bias) {
  if constexpr (std::is_same_v<Acc, int32_t>)
    return addBias(acc, bias);
  else
    return acc + bias; // int64 (i48) accumulators cannot overflow here
}

/// The conv2d loop nest; calls emit(outputIndex, oc, acc) once per output
/// element with acc = sum (+ bias). One flat nest, TFLite-reference style.
template <typename In, typename W, typename Acc, typename Bias, typename Emit>
void conv2dLoop(const Conv2DParams &p, const In *input, const W *weights,
                const Bias *bias, Emit emit) {
  const int64_t groups = p.groups;
  const int64_t icPerGroup = p.inC / groups;
  const int64_t ocPerGroup = p.outC / groups;
  const Acc izp = p.inputZp, wzp = p.weightZp;
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t oy = 0; oy < p.outH; ++oy) {
      const int64_t iy0 = oy * p.strideH - p.padTop;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        const int64_t ix0 = ox * p.strideW - p.padLeft;
        const int64_t outBase = ((n * p.outH + oy) * p.outW + ox) * p.outC;
        for (int64_t oc = 0; oc < p.outC; ++oc) {
          const int64_t icBase = (oc / ocPerGroup) * icPerGroup;
          Acc acc = 0;
          for (int64_t ky = 0; ky < p.kernelH; ++ky) {
            const int64_t y = iy0 + ky * p.dilationH;
            if (y < 0 || y >= p.inH)
              continue; // padding: (input_zp - input_zp) * w == 0
            for (int64_t kx = 0; kx < p.kernelW; ++kx) {
              const int64_t x = ix0 + kx * p.dilationW;
              if (x < 0 || x >= p.inW)
                continue;
              const In *in =
                  input + ((n * p.inH + y) * p.inW + x) * p.inC + icBase;
              const W *w = weights + ((oc * p.kernelH + ky) * p.kernelW + kx) *
                                         icPerGroup;
              for (int64_t ic = 0; ic < icPerGroup; ++ic)
                acc += (static_cast<Acc>(in[ic]) - izp) *
                       (static_cast<Acc>(w[ic]) - wzp);
            }
          }
          if (bias)
            acc = addBiasTo<Acc>(acc, static_cast<Acc>(bias[oc]));
          emit(outBase + oc, oc, acc);
        }
      }
    }
  }
}

/// The depthwise loop nest (weights [kH, kW, C, M]).
template <typename In, typename W, typename Acc, typename Bias, typename Emit>
void depthwiseLoop(const Conv2DParams &p, const In *input, const W *weights,
                   const Bias *bias, Emit emit) {
  const int64_t channels = p.inC;
  const int64_t mult = p.outC / p.inC;
  const Acc izp = p.inputZp, wzp = p.weightZp;
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t oy = 0; oy < p.outH; ++oy) {
      const int64_t iy0 = oy * p.strideH - p.padTop;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        const int64_t ix0 = ox * p.strideW - p.padLeft;
        const int64_t outBase = ((n * p.outH + oy) * p.outW + ox) * p.outC;
        for (int64_t c = 0; c < channels; ++c) {
          for (int64_t m = 0; m < mult; ++m) {
            const int64_t oc = c * mult + m;
            Acc acc = 0;
            for (int64_t ky = 0; ky < p.kernelH; ++ky) {
              const int64_t y = iy0 + ky * p.dilationH;
              if (y < 0 || y >= p.inH)
                continue; // padding contributes (zp - zp) * w == 0
              for (int64_t kx = 0; kx < p.kernelW; ++kx) {
                const int64_t x = ix0 + kx * p.dilationW;
                if (x < 0 || x >= p.inW)
                  continue;
                Acc v =
                    static_cast<Acc>(
                        input[((n * p.inH + y) * p.inW + x) * channels + c]) -
                    izp;
                Acc w =
                    static_cast<Acc>(
                        weights[((ky * p.kernelW + kx) * channels + c) * mult +
                                m]) -
                    wzp;
                acc += v * w;
              }
            }
            if (bias)
              acc = addBiasTo<Acc>(acc, static_cast<Acc>(bias[oc]));
            emit(outBase + oc, oc, acc);
          }
        }
      }
    }
  }
}

} // namespace

std::optional<std::string> checkConv2D(const Conv2DParams &p,
                                       bool int32Accumulator) {
  if (auto err = checkGeometry("conv2d", p))
    return err;
  if (p.groups < 1 || p.inC % p.groups != 0 || p.outC % p.groups != 0)
    return "conv2d: groups " + std::to_string(p.groups) +
           " must divide input channels " + std::to_string(p.inC) +
           " and output channels " + std::to_string(p.outC);
  return checkDepth("conv2d", reductionDepth(p), int32Accumulator);
}

std::optional<std::string> checkDepthwiseConv2D(const Conv2DParams &p,
                                                bool int32Accumulator) {
  if (auto err = checkGeometry("depthwise_conv2d", p))
    return err;
  if (p.outC % p.inC != 0)
    return "depthwise_conv2d: output channels " + std::to_string(p.outC) +
           " must be a multiple of input channels " + std::to_string(p.inC);
  return checkDepth("depthwise_conv2d", p.kernelH * p.kernelW,
                    int32Accumulator);
}

template <typename In, typename W, typename Acc>
void conv2dAccumulate(const Conv2DParams &p, const In *input, const W *weights,
                      const Acc *bias, Acc *acc) {
  conv2dLoop<In, W, Acc>(p, input, weights, bias,
                         [&](int64_t i, int64_t, Acc v) { acc[i] = v; });
}

template <typename In, typename W, typename Out>
void conv2d(const Conv2DParams &p, const In *input, const W *weights,
            const int32_t *bias, const Requantize &rq, Out *output) {
  conv2dLoop<In, W, int32_t>(p, input, weights, bias,
                             [&](int64_t i, int64_t oc, int32_t v) {
                               output[i] = requantizeScalar<Out>(v, oc, rq);
                             });
}

template <typename In, typename W, typename Acc>
void depthwiseConv2dAccumulate(const Conv2DParams &p, const In *input,
                               const W *weights, const Acc *bias, Acc *acc) {
  depthwiseLoop<In, W, Acc>(p, input, weights, bias,
                            [&](int64_t i, int64_t, Acc v) { acc[i] = v; });
}

template <typename In, typename W, typename Out>
void depthwiseConv2d(const Conv2DParams &p, const In *input, const W *weights,
                     const int32_t *bias, const Requantize &rq, Out *output) {
  depthwiseLoop<In, W, int32_t>(p, input, weights, bias,
                                [&](int64_t i, int64_t oc, int32_t v) {
                                  output[i] = requantizeScalar<Out>(v, oc, rq);
                                });
}

std::optional<std::string> checkMatMul(const MatMulParams &p) {
  if (p.batch < 1 || p.m < 1 || p.k < 1 || p.n < 1)
    return "matmul: expected positive dims, got batch " +
           std::to_string(p.batch) + " m " + std::to_string(p.m) + " k " +
           std::to_string(p.k) + " n " + std::to_string(p.n);
  return checkDepth("matmul", p.k, true);
}

template <typename A, typename B>
void matMulAccumulate(const MatMulParams &p, const A *a, const B *b,
                      int32_t *acc) {
  for (int64_t bt = 0; bt < p.batch; ++bt) {
    const A *aB = a + bt * p.m * p.k;
    const B *bB = b + bt * p.k * p.n;
    int32_t *oB = acc + bt * p.m * p.n;
    for (int64_t i = 0; i < p.m; ++i) {
      for (int64_t j = 0; j < p.n; ++j) {
        int32_t sum = 0;
        for (int64_t kk = 0; kk < p.k; ++kk)
          sum += (static_cast<int32_t>(aB[i * p.k + kk]) - p.aZp) *
                 (static_cast<int32_t>(bB[kk * p.n + j]) - p.bZp);
        oB[i * p.n + j] = sum;
      }
    }
  }
}

std::optional<std::string> checkFullyConnected(const FullyConnectedParams &p) {
  if (p.batch < 1 || p.inC < 1 || p.outC < 1)
    return "fully_connected: expected positive dims, got batch " +
           std::to_string(p.batch) + " inC " + std::to_string(p.inC) +
           " outC " + std::to_string(p.outC);
  return checkDepth("fully_connected", p.inC, true);
}

namespace {
Conv2DParams asConv(const FullyConnectedParams &p) {
  Conv2DParams c;
  c.batch = p.batch;
  c.inH = c.inW = c.outH = c.outW = 1;
  c.inC = p.inC;
  c.outC = p.outC;
  c.inputZp = p.inputZp;
  c.weightZp = p.weightZp;
  return c;
}
} // namespace

template <typename In, typename W>
void fullyConnectedAccumulate(const FullyConnectedParams &p, const In *input,
                              const W *weights, const int32_t *bias,
                              int32_t *acc) {
  conv2dAccumulate<In, W, int32_t>(asConv(p), input, weights, bias, acc);
}

template <typename In, typename W, typename Out>
void fullyConnected(const FullyConnectedParams &p, const In *input,
                    const W *weights, const int32_t *bias, const Requantize &rq,
                    Out *output) {
  conv2d<In, W, Out>(asConv(p), input, weights, bias, rq, output);
}

// Explicit instantiations: the operand combinations TOSA and ONNX's
// ConvInteger/MatMulInteger use.
#define TESSERA_ACC32(IN, W)                                                   \
  template void conv2dAccumulate<IN, W, int32_t>(const Conv2DParams &,         \
                                                 const IN *, const W *,        \
                                                 const int32_t *, int32_t *);  \
  template void depthwiseConv2dAccumulate<IN, W, int32_t>(                     \
      const Conv2DParams &, const IN *, const W *, const int32_t *,            \
      int32_t *);                                                              \
  template void matMulAccumulate<IN, W>(const MatMulParams &, const IN *,      \
                                        const W *, int32_t *);                 \
  template void fullyConnectedAccumulate<IN, W>(const FullyConnectedParams &,  \
                                                const IN *, const W *,         \
                                                const int32_t *, int32_t *);
#define TESSERA_FUSED(IN, W, OUT)                                              \
  template void conv2d<IN, W, OUT>(const Conv2DParams &, const IN *,           \
                                   const W *, const int32_t *,                 \
                                   const Requantize &, OUT *);                 \
  template void depthwiseConv2d<IN, W, OUT>(const Conv2DParams &, const IN *,  \
                                            const W *, const int32_t *,        \
                                            const Requantize &, OUT *);        \
  template void fullyConnected<IN, W, OUT>(                                    \
      const FullyConnectedParams &, const IN *, const W *, const int32_t *,    \
      const Requantize &, OUT *);
#define TESSERA_OPERANDS(IN, W)                                                \
  TESSERA_ACC32(IN, W)                                                         \
  TESSERA_FUSED(IN, W, int8_t)                                                 \
  TESSERA_FUSED(IN, W, uint8_t)                                                \
  TESSERA_FUSED(IN, W, int16_t)
TESSERA_OPERANDS(int8_t, int8_t)
TESSERA_OPERANDS(uint8_t, int8_t)
TESSERA_OPERANDS(uint8_t, uint8_t)
TESSERA_OPERANDS(int8_t, uint8_t)
#undef TESSERA_OPERANDS
#undef TESSERA_FUSED
#undef TESSERA_ACC32

template void conv2dAccumulate<int16_t, int8_t, int64_t>(const Conv2DParams &,
                                                         const int16_t *,
                                                         const int8_t *,
                                                         const int64_t *,
                                                         int64_t *);
template void depthwiseConv2dAccumulate<int16_t, int8_t, int64_t>(
    const Conv2DParams &, const int16_t *, const int8_t *, const int64_t *,
    int64_t *);
// int16 weights (orin's int16_symmetric): i16 x i16 -> i48, an extension of
// TOSA's conv2d (which defines i16 x i16 for MATMUL only).
template void conv2dAccumulate<int16_t, int16_t, int64_t>(const Conv2DParams &,
                                                          const int16_t *,
                                                          const int16_t *,
                                                          const int64_t *,
                                                          int64_t *);
template void depthwiseConv2dAccumulate<int16_t, int16_t, int64_t>(
    const Conv2DParams &, const int16_t *, const int16_t *, const int64_t *,
    int64_t *);

} // namespace tessera::kernels
