//===- FloatOps.cpp - f32 TOSA ops: Tessera's only float implementation ---===//
//
// Convolution is im2col + OpenBLAS sgemm (row blocks bound the im2col
// buffer; 1x1 stride-1 convs multiply the input directly). Everything else
// is a plain loop following the TOSA pseudocode for floating point. sgemm
// threads itself (OpenBLAS); im2col, depthwise convolution and pooling split
// their output rows over the cores (parallelRows), each row computed by one
// thread exactly as the sequential loop would, so results do not depend on
// the thread count.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "core/kernels/Broadcast.h"
#include "core/quant/Quant.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Parallel.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;

namespace tessera::reference::detail::fp {

namespace {

llvm::Error checkZeroPoints(Operation *op, Operands zps) {
  for (const Tensor *zp : zps)
    if (zp->numElements() != 1 || zp->getDouble(0) != 0.0)
      return opError(op, "float zero points must be 0");
  return llvm::Error::success();
}

/// out[i] = bias[i % outC] (bias has outC or 1 elements).
llvm::Error fillBias(Operation *op, const Tensor &bias, int64_t outC,
                     Tensor &out) {
  if (bias.numElements() != outC && bias.numElements() != 1)
    return opError(op, "bias has " + llvm::Twine(bias.numElements()) +
                           " elements, expected " + llvm::Twine(outC) +
                           " or 1");
  const float *b = bias.data<float>();
  float *o = out.data<float>();
  const bool perChannel = bias.numElements() == outC;
  for (int64_t i = 0, n = out.numElements(); i < n; ++i)
    o[i] = b[perChannel ? i % outC : 0];
  return llvm::Error::success();
}

/// Runs fn(begin, end) over [0, n) split into one contiguous chunk per core,
/// or inline when the work (n * costPerItem, roughly in multiply-adds) is
/// too small to pay for waking threads (~10 us).
void parallelRows(int64_t n, int64_t costPerItem,
                  llvm::function_ref<void(int64_t, int64_t)> fn) {
  const int64_t threads =
      static_cast<int64_t>(llvm::parallel::strategy.compute_thread_count());
  const int64_t chunks =
      std::min<int64_t>({threads, n, n * costPerItem / (int64_t(1) << 16)});
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  llvm::parallelFor(0, chunks, [&](size_t c) {
    fn(n * static_cast<int64_t>(c) / chunks,
       n * static_cast<int64_t>(c + 1) / chunks);
  });
}

/// dst[i] += a[i] * b[i]; the buffers do not overlap.
void accumulateProducts(float *__restrict dst, const float *__restrict a,
                        const float *__restrict b, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    dst[i] += a[i] * b[i];
}

float nanMax(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<float>::quiet_NaN();
  return a >= b ? a : b;
}

float nanMin(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<float>::quiet_NaN();
  return a < b ? a : b;
}

} // namespace

llvm::Expected<Tensor> conv2d(tosa::Conv2DOp op, Operands args,
                              const Result &rt) {
  const Tensor &in = *args[0], &w = *args[1], &bias = *args[2];
  if (auto err = checkZeroPoints(op, args.slice(3, 2)))
    return std::move(err);
  if (w.rank() != 4 || w.dim(3) != in.dim(3))
    return opError(op, "weights must be [OC, KH, KW, IC] with IC = " +
                           llvm::Twine(in.dim(3)));
  auto pr = convParams(op, in, w.dim(1), w.dim(2), rt.shape, op.getPad(),
                       op.getStride(), op.getDilation());
  if (!pr)
    return pr.takeError();
  const kernels::Conv2DParams &p = *pr;
  if (w.dim(0) != p.outC)
    return opError(op, "weights have " + llvm::Twine(w.dim(0)) +
                           " filters, result has " + llvm::Twine(p.outC) +
                           " channels");
  Tensor out(ElementType::F32, rt.shape);
  if (auto err = fillBias(op, bias, p.outC, out))
    return std::move(err);

  const int64_t K = p.kernelH * p.kernelW * p.inC;
  const int64_t P = p.outH * p.outW;
  const bool direct = p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 &&
                      p.strideW == 1 && p.padTop == 0 && p.padLeft == 0 &&
                      p.outH == p.inH && p.outW == p.inW;
  // Rows of im2col per sgemm call: about 16 MiB of buffer.
  const int64_t block = std::max<int64_t>(1, (int64_t(4) << 20) / K);
  std::vector<float> col(direct ? 0 : std::min(block, P) * K);
  const float *inData = in.data<float>();
  for (int64_t n = 0; n < p.batch; ++n) {
    const float *img = inData + n * p.inH * p.inW * p.inC;
    float *outImg = out.data<float>() + n * P * p.outC;
    for (int64_t r0 = 0; r0 < P; r0 += block) {
      const int64_t rows = std::min(block, P - r0);
      const float *a = img + r0 * p.inC;
      if (!direct) {
        parallelRows(rows, K, [&](int64_t rBegin, int64_t rEnd) {
          for (int64_t r = rBegin; r < rEnd; ++r) {
            const int64_t oy = (r0 + r) / p.outW, ox = (r0 + r) % p.outW;
            float *dst = col.data() + r * K;
            for (int64_t ky = 0; ky < p.kernelH; ++ky) {
              const int64_t y = oy * p.strideH - p.padTop + ky * p.dilationH;
              for (int64_t kx = 0; kx < p.kernelW; ++kx) {
                const int64_t x = ox * p.strideW - p.padLeft + kx * p.dilationW;
                float *d = dst + (ky * p.kernelW + kx) * p.inC;
                if (y < 0 || y >= p.inH || x < 0 || x >= p.inW)
                  std::fill(d, d + p.inC, 0.0f);
                else
                  std::copy_n(img + (y * p.inW + x) * p.inC, p.inC, d);
              }
            }
          }
        });
        a = col.data();
      }
      // out[rows, OC] += a[rows, K] * w[OC, K]^T (out holds the bias).
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, p.outC, K,
                  1.0f, a, K, w.data<float>(), K, 1.0f, outImg + r0 * p.outC,
                  p.outC);
    }
  }
  return out;
}

llvm::Expected<Tensor> depthwiseConv2d(tosa::DepthwiseConv2DOp op,
                                       Operands args, const Result &rt) {
  const Tensor &in = *args[0], &w = *args[1], &bias = *args[2];
  if (auto err = checkZeroPoints(op, args.slice(3, 2)))
    return std::move(err);
  if (w.rank() != 4 || w.dim(2) != in.dim(3))
    return opError(op, "weights must be [KH, KW, C, M] with C = " +
                           llvm::Twine(in.dim(3)));
  auto pr = convParams(op, in, w.dim(0), w.dim(1), rt.shape, op.getPad(),
                       op.getStride(), op.getDilation());
  if (!pr)
    return pr.takeError();
  const kernels::Conv2DParams &p = *pr;
  const int64_t C = p.inC, M = w.dim(3);
  if (p.outC != C * M)
    return opError(op, "result has " + llvm::Twine(p.outC) +
                           " channels, expected C * M = " + llvm::Twine(C * M));
  Tensor out(ElementType::F32, rt.shape);
  if (auto err = fillBias(op, bias, p.outC, out))
    return std::move(err);
  const float *x = in.data<float>(), *wt = w.data<float>();
  float *o = out.data<float>();
  // One item = one output row (n, oy).
  const int64_t rowCost = p.outW * p.kernelH * p.kernelW * p.outC;
  parallelRows(p.batch * p.outH, rowCost, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / p.outH, oy = row % p.outH;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        float *dst = o + ((n * p.outH + oy) * p.outW + ox) * p.outC;
        for (int64_t ky = 0; ky < p.kernelH; ++ky) {
          const int64_t y = oy * p.strideH - p.padTop + ky * p.dilationH;
          if (y < 0 || y >= p.inH)
            continue;
          for (int64_t kx = 0; kx < p.kernelW; ++kx) {
            const int64_t xx = ox * p.strideW - p.padLeft + kx * p.dilationW;
            if (xx < 0 || xx >= p.inW)
              continue;
            const float *src = x + ((n * p.inH + y) * p.inW + xx) * C;
            const float *wk = wt + (ky * p.kernelW + kx) * C * M;
            if (M == 1) // the common case, written so that it vectorizes
              accumulateProducts(dst, src, wk, C);
            else
              for (int64_t c = 0; c < C; ++c)
                for (int64_t m = 0; m < M; ++m)
                  dst[c * M + m] += src[c] * wk[c * M + m];
          }
        }
      }
    }
  });
  return out;
}

llvm::Expected<Tensor> matmul(tosa::MatMulOp op, Operands args,
                              const Result &rt) {
  const Tensor &a = *args[0], &b = *args[1];
  if (auto err = checkZeroPoints(op, args.slice(2, 2)))
    return std::move(err);
  if (a.rank() != 3 || b.rank() != 3 || a.dim(0) != b.dim(0) ||
      a.dim(2) != b.dim(1))
    return opError(op, "expected a [N, H, C] and b [N, C, W], got " +
                           a.typeString() + " and " + b.typeString());
  const int64_t N = a.dim(0), H = a.dim(1), C = a.dim(2), W = b.dim(2);
  Tensor out(ElementType::F32, rt.shape);
  for (int64_t n = 0; n < N; ++n)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, H, W, C, 1.0f,
                a.data<float>() + n * H * C, C, b.data<float>() + n * C * W, W,
                0.0f, out.data<float>() + n * H * W, W);
  return out;
}

llvm::Expected<Tensor> clamp(tosa::ClampOp op, Operands args,
                             const Result &rt) {
  auto lo = dyn_cast<FloatAttr>(op.getMinValAttr());
  auto hi = dyn_cast<FloatAttr>(op.getMaxValAttr());
  if (!lo || !hi)
    return opError(op, "expected float min_val/max_val");
  const float minV = lo.getValueAsDouble(), maxV = hi.getValueAsDouble();
  const bool ignoreNan = op.getNanMode() == tosa::NanPropagationMode::IGNORE;
  Tensor out = *args[0];
  for (float &v :
       llvm::MutableArrayRef<float>(out.data<float>(), out.numElements())) {
    if (std::isnan(v))
      v = ignoreNan ? minV : v; // IGNORE: max(NaN, min) = min, then <= max
    else
      v = std::min(std::max(v, minV), maxV);
  }
  return out;
}

llvm::Expected<Tensor> maxPool2d(tosa::MaxPool2dOp op, Operands args,
                                 const Result &rt) {
  const Tensor &in = *args[0];
  auto pr =
      poolParams(op, in, rt.shape, op.getKernel(), op.getStride(), op.getPad());
  if (!pr)
    return pr.takeError();
  const kernels::Pool2DParams &p = *pr;
  const bool ignoreNan = op.getNanMode() == tosa::NanPropagationMode::IGNORE;
  Tensor out(ElementType::F32, rt.shape);
  const float *x = in.data<float>();
  float *o = out.data<float>();
  const int64_t C = p.channels;
  const int64_t rowCost = p.outW * p.kernelH * p.kernelW * C;
  parallelRows(p.batch * p.outH, rowCost, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / p.outH, oy = row % p.outH;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        float *dst = o + ((n * p.outH + oy) * p.outW + ox) * C;
        std::fill(dst, dst + C,
                  ignoreNan ? std::numeric_limits<float>::quiet_NaN()
                            : -std::numeric_limits<float>::infinity());
        for (int64_t ky = 0; ky < p.kernelH; ++ky) {
          const int64_t y = oy * p.strideH - p.padTop + ky;
          if (y < 0 || y >= p.inH)
            continue;
          for (int64_t kx = 0; kx < p.kernelW; ++kx) {
            const int64_t xx = ox * p.strideW - p.padLeft + kx;
            if (xx < 0 || xx >= p.inW)
              continue;
            const float *src = x + ((n * p.inH + y) * p.inW + xx) * C;
            for (int64_t c = 0; c < C; ++c) {
              if (ignoreNan)
                dst[c] = std::isnan(dst[c])   ? src[c]
                         : std::isnan(src[c]) ? dst[c]
                                              : std::max(dst[c], src[c]);
              else
                dst[c] = nanMax(dst[c], src[c]);
            }
          }
        }
      }
    }
  });
  return out;
}

llvm::Expected<Tensor> avgPool2d(tosa::AvgPool2dOp op, Operands args,
                                 const Result &rt) {
  const Tensor &in = *args[0];
  if (auto err = checkZeroPoints(op, args.slice(1, 2)))
    return std::move(err);
  auto pr =
      poolParams(op, in, rt.shape, op.getKernel(), op.getStride(), op.getPad());
  if (!pr)
    return pr.takeError();
  const kernels::Pool2DParams &p = *pr;
  Tensor out(ElementType::F32, rt.shape);
  const float *x = in.data<float>();
  float *o = out.data<float>();
  const int64_t C = p.channels;
  const int64_t rowCost = p.outW * p.kernelH * p.kernelW * C;
  parallelRows(p.batch * p.outH, rowCost, [&](int64_t begin, int64_t end) {
    std::vector<float> acc(C);
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / p.outH, oy = row % p.outH;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        std::fill(acc.begin(), acc.end(), 0.0f);
        int64_t count = 0; // padding is not counted (TOSA AVG_POOL2D)
        for (int64_t ky = 0; ky < p.kernelH; ++ky) {
          const int64_t y = oy * p.strideH - p.padTop + ky;
          if (y < 0 || y >= p.inH)
            continue;
          for (int64_t kx = 0; kx < p.kernelW; ++kx) {
            const int64_t xx = ox * p.strideW - p.padLeft + kx;
            if (xx < 0 || xx >= p.inW)
              continue;
            ++count;
            const float *src = x + ((n * p.inH + y) * p.inW + xx) * C;
            for (int64_t c = 0; c < C; ++c)
              acc[c] += src[c];
          }
        }
        float *dst = o + ((n * p.outH + oy) * p.outW + ox) * C;
        for (int64_t c = 0; c < C; ++c)
          dst[c] = acc[c] / static_cast<float>(count);
      }
    }
  });
  return out;
}

llvm::Expected<Tensor> binary(Operation *op, Operands args, const Result &rt) {
  const Tensor &a = *args[0], &b = *args[1];
  kernels::BroadcastShapes s{rt.shape, a.shape().vec(), b.shape().vec()};
  if (auto err = kernels::checkBroadcast(s))
    return opError(op, *err);
  if (isa<tosa::MulOp>(op) && args.size() > 2 && scalarOf(*args[2]) != 0)
    return opError(op, "float mul must have shift 0");
  Tensor out(ElementType::F32, rt.shape);
  const float *x = a.data<float>(), *y = b.data<float>();
  float *o = out.data<float>();
  // Same shapes (SiLU's x * sigmoid(x), residual adds): a flat loop; anything
  // else walks the broadcast indices. Memory-bound, so not split over the
  // cores (measured slower: OpenBLAS's worker threads spin after each sgemm).
  const bool sameShape =
      a.shape() == llvm::ArrayRef(rt.shape) && b.shape() == a.shape();
  auto apply = [&](auto fn) {
    if (sameShape)
      for (int64_t i = 0, n = out.numElements(); i < n; ++i)
        o[i] = fn(x[i], y[i]);
    else
      kernels::forEachBroadcast(s, [&](int64_t i, int64_t ia, int64_t ib) {
        o[i] = fn(x[ia], y[ib]);
      });
  };
  if (isa<tosa::AddOp>(op))
    apply([](float u, float v) { return u + v; });
  else if (isa<tosa::SubOp>(op))
    apply([](float u, float v) { return u - v; });
  else if (isa<tosa::MulOp>(op))
    apply([](float u, float v) { return u * v; });
  else if (isa<tosa::MaximumOp>(op))
    apply(nanMax);
  else if (isa<tosa::MinimumOp>(op))
    apply(nanMin);
  else if (isa<tosa::PowOp>(op))
    apply([](float u, float v) { return std::pow(u, v); });
  else if (isa<arith::DivFOp>(op)) // IEEE division, correctly rounded
    apply([](float u, float v) { return u / v; });
  else
    return opError(op, "not a float binary op");
  return out;
}

llvm::Expected<Tensor> unary(Operation *op, Operands args, const Result &rt) {
  Tensor out = *args[0];
  if (isa<tosa::NegateOp>(op))
    if (auto err = checkZeroPoints(op, args.slice(1, 2)))
      return std::move(err);
  float *v = out.data<float>();
  const int64_t n = out.numElements();
  // Transcendentals cost tens of multiply-adds per element.
  auto apply = [&](auto fn) {
    parallelRows(n, 32, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        v[i] = fn(v[i]);
    });
  };
  if (isa<tosa::SigmoidOp>(op))
    apply([](float x) { return 1.0f / (1.0f + std::exp(-x)); });
  else if (isa<tosa::TanhOp>(op))
    apply([](float x) { return std::tanh(x); });
  else if (isa<tosa::ExpOp>(op))
    apply([](float x) { return std::exp(x); });
  else if (isa<tosa::LogOp>(op))
    apply([](float x) { return std::log(x); });
  else if (isa<tosa::ReciprocalOp>(op))
    apply([](float x) { return 1.0f / x; });
  else if (isa<tosa::RsqrtOp>(op))
    apply([](float x) { return 1.0f / std::sqrt(x); });
  else if (isa<tosa::AbsOp>(op))
    apply([](float x) { return std::fabs(x); });
  else if (isa<tosa::NegateOp>(op))
    apply([](float x) { return -x; });
  else if (isa<tosa::FloorOp>(op))
    apply([](float x) { return std::floor(x); });
  else if (isa<tosa::CeilOp>(op))
    apply([](float x) { return std::ceil(x); });
  else if (isa<tosa::ErfOp>(op))
    apply([](float x) { return std::erf(x); });
  else if (isa<math::RoundEvenOp>(op)) // ONNX Round: core/quant's rounding
    apply([](float x) {
      return static_cast<float>(quant::roundWith(x, quant::Rounding::HalfEven));
    });
  else if (isa<math::TruncOp>(op)) // ONNX Cast float -> int: toward zero
    apply([](float x) { return std::trunc(x); });
  else
    return opError(op, "not a float unary op");
  return out;
}

llvm::Expected<Tensor> reduce(Operation *op, Operands args, const Result &rt) {
  const Tensor &in = *args[0];
  int64_t axis = op->getAttrOfType<IntegerAttr>("axis").getInt();
  if (axis < 0 || axis >= in.rank())
    return opError(op, "axis " + llvm::Twine(axis) + " out of range");
  int64_t outer = 1, inner = 1, len = in.dim(axis);
  for (int64_t d = 0; d < axis; ++d)
    outer *= in.dim(d);
  for (int64_t d = axis + 1; d < in.rank(); ++d)
    inner *= in.dim(d);
  Tensor out(ElementType::F32, rt.shape);
  if (out.numElements() != outer * inner)
    return opError(op, "result shape does not match a reduction of axis " +
                           llvm::Twine(axis));
  const float *x = in.data<float>();
  float *o = out.data<float>();
  const bool isSum = isa<tosa::ReduceSumOp>(op),
             isMax = isa<tosa::ReduceMaxOp>(op),
             isMin = isa<tosa::ReduceMinOp>(op);
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t i = 0; i < inner; ++i) {
      const float *src = x + a * len * inner + i;
      // Sums and products accumulate in double: the reference should be the
      // most accurate float result, not one summation order's rounding.
      double acc = isSum ? 0.0 : isMax || isMin ? src[0] : 1.0;
      for (int64_t k = isSum || (!isMax && !isMin) ? 0 : 1; k < len; ++k) {
        float v = src[k * inner];
        if (isSum)
          acc += v;
        else if (isMax)
          acc = nanMax(static_cast<float>(acc), v);
        else if (isMin)
          acc = nanMin(static_cast<float>(acc), v);
        else
          acc *= v;
      }
      o[a * inner + i] = static_cast<float>(acc);
    }
  return out;
}

llvm::Expected<Tensor> resizeBilinear(tosa::ResizeOp op, Operands args,
                                      const Result &rt) {
  const Tensor &in = *args[0];
  auto pr = resizeParams(op, args, rt.shape);
  if (!pr)
    return pr.takeError();
  const kernels::ResizeParams &p = *pr;
  Tensor out(ElementType::F32, rt.shape);
  const float *x = in.data<float>();
  float *o = out.data<float>();
  const int64_t C = p.channels;
  auto axis = [](int64_t oo, int64_t sn, int64_t sd, int64_t off, int64_t size,
                 int64_t &i0, int64_t &i1, float &d) {
    int64_t pos = oo * sd + off;
    int64_t i = pos >= 0 ? pos / sn : -((-pos + sn - 1) / sn);
    d = static_cast<float>(pos - i * sn) / static_cast<float>(sn);
    i0 = std::max<int64_t>(i, 0);
    i1 = std::min<int64_t>(i + 1, size - 1);
  };
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy) {
      int64_t y0, y1;
      float dy;
      axis(oy, p.scaleYN, p.scaleYD, p.offsetY, p.inH, y0, y1, dy);
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        int64_t x0, x1;
        float dx;
        axis(ox, p.scaleXN, p.scaleXD, p.offsetX, p.inW, x0, x1, dx);
        auto at = [&](int64_t yy, int64_t xx) {
          return x + ((n * p.inH + yy) * p.inW + xx) * C;
        };
        const float *v00 = at(y0, x0), *v01 = at(y0, x1), *v10 = at(y1, x0),
                    *v11 = at(y1, x1);
        float *dst = o + ((n * p.outH + oy) * p.outW + ox) * C;
        for (int64_t c = 0; c < C; ++c)
          dst[c] = v00[c] * (1 - dy) * (1 - dx) + v01[c] * (1 - dy) * dx +
                   v10[c] * dy * (1 - dx) + v11[c] * dy * dx;
      }
    }
  return out;
}

} // namespace tessera::reference::detail::fp
