//===- FloatOps.cpp - f32 TOSA ops: Tessera's only float implementation ---===//
//
// Convolution is im2col + OpenBLAS sgemm (1x1 stride-1 convs multiply the
// input directly). Everything else is a plain loop following the TOSA
// pseudocode for floating point; the hot loops are FloatKernels.h's.
//
// Threads: OpenBLAS runs single-threaded and the executor splits the work
// itself over llvm::parallel::strategy's threads (parallelRows): a
// convolution's output pixels in row blocks (each block: its own im2col
// buffer and one sgemm), or its output channels when there are few pixels;
// depthwise convolution and pooling by output row; elementwise ops by index
// range. Each output element is computed by one thread exactly as the
// sequential loop would, so results do not depend on the thread count.
// (With OpenBLAS's own threads, its workers spin between calls and slow
// every loop of ours that runs in parallel with them.)
//
//===----------------------------------------------------------------------===//

#include "compiler/patterns/Activation.h"
#include "compiler/reference/FloatKernels.h"
#include "compiler/reference/Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "core/kernels/Broadcast.h"
#include "core/quant/Quant.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/Parallel.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace mlir;

namespace tessera::reference::detail::fp {

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

namespace {

llvm::Error checkZeroPoints(Operation *op, Operands zps) {
  for (const Tensor *zp : zps)
    if (zp->numElements() != 1 || zp->getDouble(0) != 0.0)
      return opError(op, "float zero points must be 0");
  return llvm::Error::success();
}

/// The bias as outC values (it has outC or 1 elements).
llvm::Expected<std::vector<float>> biasValues(Operation *op, const Tensor &bias,
                                              int64_t outC) {
  if (bias.numElements() != outC && bias.numElements() != 1)
    return opError(op, "bias has " + llvm::Twine(bias.numElements()) +
                           " elements, expected " + llvm::Twine(outC) +
                           " or 1");
  const float *b = bias.data<float>();
  if (bias.numElements() == outC)
    return std::vector<float>(b, b + outC);
  return std::vector<float>(outC, b[0]);
}

/// OpenBLAS's own threads stay off while a float conv or matmul runs (the
/// executor splits the sgemm calls itself); its thread count is restored
/// afterwards, so the rest of the process (e.g. a numpy on the same
/// OpenBLAS) keeps its own.
class SerialBlas {
public:
  SerialBlas() : saved(openblas_get_num_threads()) {
    if (saved != 1)
      openblas_set_num_threads(1);
  }
  ~SerialBlas() {
    if (saved != 1)
      openblas_set_num_threads(saved);
  }
  SerialBlas(const SerialBlas &) = delete;
  SerialBlas &operator=(const SerialBlas &) = delete;

private:
  int saved;
};

/// rows x outC output pixels, each starting as the bias.
void fillRows(float *out, int64_t rows, llvm::ArrayRef<float> bias) {
  for (int64_t r = 0; r < rows; ++r)
    std::copy(bias.begin(), bias.end(), out + r * bias.size());
}

/// The `rows` im2col rows of output pixels r0 .. r0+rows-1 (each K =
/// KH*KW*IC values in [ky][kx][c] order, zeros where the window leaves the
/// image) into dst.
void im2col(const kernels::Conv2DParams &p, const float *img, int64_t r0,
            int64_t rows, float *dst) {
  const int64_t K = p.kernelH * p.kernelW * p.inC;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t oy = (r0 + r) / p.outW, ox = (r0 + r) % p.outW;
    float *row = dst + r * K;
    for (int64_t ky = 0; ky < p.kernelH; ++ky) {
      const int64_t y = oy * p.strideH - p.padTop + ky * p.dilationH;
      for (int64_t kx = 0; kx < p.kernelW; ++kx) {
        const int64_t x = ox * p.strideW - p.padLeft + kx * p.dilationW;
        float *d = row + (ky * p.kernelW + kx) * p.inC;
        if (y < 0 || y >= p.inH || x < 0 || x >= p.inW)
          std::fill(d, d + p.inC, 0.0f);
        else
          std::copy_n(img + (y * p.inW + x) * p.inC, p.inC, d);
      }
    }
  }
}

/// Eight floats as one GCC/Clang vector (SSE pairs or one AVX register,
/// per clone), loaded and stored unaligned with load8/store8.
using Float8 = float __attribute__((vector_size(32)));
/// Unaligned loads and stores through memcpy, which compilers turn into
/// vmovups/movups: a dereferenced under-aligned vector typedef is undefined
/// behaviour (UBSan reports it under clang).
__attribute__((always_inline)) inline Float8 load8(const float *p) {
  Float8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
__attribute__((always_inline)) inline void store8(float *p, const Float8 &v) {
  std::memcpy(p, &v, sizeof v);
}

/// Channels c0 .. c0+8N-1 of one depthwise output pixel (see below), the
/// partial sums held in N vector registers.
template <int N>
__attribute__((always_inline)) inline void
depthwiseChannels(const float *const *taps, const float *const *wts,
                  int64_t numTaps, const float *bias, int64_t c0, float *dst) {
  Float8 acc[N];
  for (int i = 0; i < N; ++i)
    acc[i] = load8(bias + c0 + 8 * i);
  for (int64_t t = 0; t < numTaps; ++t) {
    const float *s = taps[t] + c0, *w = wts[t] + c0;
    for (int i = 0; i < N; ++i)
      acc[i] += load8(s + 8 * i) * load8(w + 8 * i);
  }
  for (int i = 0; i < N; ++i)
    store8(dst + c0 + 8 * i, acc[i]);
}

/// dst[c] = bias[c] + sum over the window's taps of src[c] * w[c], for one
/// output pixel of a depthwise convolution with multiplier 1; taps[t] points
/// at the input pixel of tap t and wts[t] at its C weights. Each channel is
/// summed in tap order, whichever block it falls in.
TESSERA_CLONES
void depthwisePixel(const float *const *taps, const float *const *wts,
                    int64_t numTaps, const float *bias, int64_t C,
                    float *dst) {
  int64_t c0 = 0;
  for (; c0 + 32 <= C; c0 += 32)
    depthwiseChannels<4>(taps, wts, numTaps, bias, c0, dst);
  for (; c0 + 8 <= C; c0 += 8)
    depthwiseChannels<1>(taps, wts, numTaps, bias, c0, dst);
  for (; c0 < C; ++c0) {
    float acc = bias[c0];
    for (int64_t t = 0; t < numTaps; ++t)
      acc += taps[t][c0] * wts[t][c0];
    dst[c0] = acc;
  }
}

/// min(max(v, lo), hi), NaN kept (PROPAGATE: std::max/min return their
/// first argument when it is NaN) or made lo (IGNORE: max(NaN, lo) = lo).
inline float clampValue(float v, float lo, float hi, bool ignoreNan) {
  return ignoreNan && v != v ? lo : std::min(std::max(v, lo), hi);
}

/// out[i] = clampValue(in[i]); in and out do not overlap.
TESSERA_CLONES
void clampArray(const float *__restrict in, float *__restrict out, int64_t n,
                float lo, float hi, bool ignoreNan) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = clampValue(in[i], lo, hi, ignoreNan);
}

/// o[i] = clampValue(o[i]).
TESSERA_CLONES
void clampInPlace(float *o, int64_t n, float lo, float hi, bool ignoreNan) {
  for (int64_t i = 0; i < n; ++i)
    o[i] = clampValue(o[i], lo, hi, ignoreNan);
}

enum class BinaryKind { Add, Sub, Mul };

/// o[i] = a[i] (op) b[i] for the three ops that dominate real networks.
TESSERA_CLONES
void binaryArray(BinaryKind kind, const float *a, const float *b, float *o,
                 int64_t n) {
  switch (kind) {
  case BinaryKind::Add:
    for (int64_t i = 0; i < n; ++i)
      o[i] = a[i] + b[i];
    break;
  case BinaryKind::Sub:
    for (int64_t i = 0; i < n; ++i)
      o[i] = a[i] - b[i];
    break;
  case BinaryKind::Mul:
    for (int64_t i = 0; i < n; ++i)
      o[i] = a[i] * b[i];
    break;
  }
}

/// The epilogue's activation over o[0, n), in place, with the arithmetic
/// of the absorbed ops: clampValue; sigmoidArray then the Mul of
/// binaryArray.
void applyEpilogue(const Epilogue &e, float *o, int64_t n) {
  if (e.kind == Epilogue::Kind::Clamp)
    return clampInPlace(o, n, e.lo, e.hi, e.ignoreNan);
  thread_local std::vector<float> gate;
  gate.resize(std::max<size_t>(gate.size(), n));
  sigmoidArray(o, gate.data(), n);
  binaryArray(BinaryKind::Mul, o, gate.data(), o, n);
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
                              const Result &rt, const Epilogue *epilogue) {
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
  auto biasVec = biasValues(op, bias, p.outC);
  if (!biasVec)
    return biasVec.takeError();
  SerialBlas serialBlas;
  Tensor out = Tensor::uninitialized(ElementType::F32, rt.shape);

  const int64_t K = p.kernelH * p.kernelW * p.inC, OC = p.outC;
  const int64_t P = p.outH * p.outW;
  const bool direct = p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 &&
                      p.strideW == 1 && p.padTop == 0 && p.padLeft == 0 &&
                      p.outH == p.inH && p.outW == p.inW;
  const float *wData = w.data<float>();
  // out[rows, OC] = bias + a[rows, K] * w[OC, K]^T.
  auto gemm = [&](const float *a, int64_t rows, const float *wRows,
                  int64_t cols, float *o) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, K, 1.0f,
                a, K, wRows, K, 1.0f, o, OC);
  };
  // The sgemm calls depend on the shapes only, never on the thread count:
  // OpenBLAS's edge kernels may sum in another order than its main kernel,
  // so moving a block boundary could change the last bit of a result.
  for (int64_t n = 0; n < p.batch; ++n) {
    const float *img = in.data<float>() + n * p.inH * p.inW * p.inC;
    float *outImg = out.data<float>() + n * P * OC;
    if (P >= 256) {
      // Pixel blocks: about P/8 rows (so 8 blocks to share out), a multiple
      // of 16, at most ~1 MiB of im2col; each block is im2col'ed into its
      // thread's buffer and multiplied in one sgemm.
      const int64_t cacheRows =
          std::max<int64_t>(32, (int64_t(1) << 18) / std::max<int64_t>(K, 1));
      const int64_t block =
          std::min(cacheRows, std::max<int64_t>(16, (P / 8 + 15) / 16 * 16));
      const int64_t numBlocks = (P + block - 1) / block;
      parallelRows(numBlocks, block * K * OC, [&](int64_t b0, int64_t b1) {
        std::vector<float> col(direct ? 0 : block * K);
        for (int64_t b = b0; b < b1; ++b) {
          const int64_t r0 = b * block, rows = std::min(block, P - r0);
          fillRows(outImg + r0 * OC, rows, *biasVec);
          const float *a = img + r0 * p.inC;
          if (!direct) {
            im2col(p, img, r0, rows, col.data());
            a = col.data();
          }
          gemm(a, rows, wData, OC, outImg + r0 * OC);
          if (epilogue)
            applyEpilogue(*epilogue, outImg + r0 * OC, rows * OC);
        }
      });
    } else {
      // Few pixels (the deep end of a network): im2col once, then split
      // the output channels in blocks of 64.
      fillRows(outImg, P, *biasVec);
      std::vector<float> col(direct ? 0 : P * K);
      if (!direct)
        im2col(p, img, 0, P, col.data());
      const float *a = direct ? img : col.data();
      constexpr int64_t kCols = 64;
      const int64_t numBlocks = (OC + kCols - 1) / kCols;
      parallelRows(numBlocks, P * K * kCols, [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
          const int64_t c0 = b * kCols, cols = std::min(kCols, OC - c0);
          gemm(a, P, wData + c0 * K, cols, outImg + c0);
        }
      });
      if (epilogue)
        parallelRows(P * OC, 8, [&](int64_t begin, int64_t end) {
          applyEpilogue(*epilogue, outImg + begin, end - begin);
        });
    }
  }
  return out;
}

llvm::Expected<Tensor> depthwiseConv2d(tosa::DepthwiseConv2DOp op,
                                       Operands args, const Result &rt,
                                       const Epilogue *epilogue) {
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
  auto biasVec = biasValues(op, bias, p.outC);
  if (!biasVec)
    return biasVec.takeError();
  Tensor out = Tensor::uninitialized(ElementType::F32, rt.shape);
  const float *x = in.data<float>(), *wt = w.data<float>();
  const float *bv = biasVec->data();
  float *o = out.data<float>();
  const int64_t numTaps = p.kernelH * p.kernelW;
  // One item = one output row (n, oy).
  const int64_t rowCost = p.outW * numTaps * p.outC;
  parallelRows(p.batch * p.outH, rowCost, [&](int64_t begin, int64_t end) {
    std::vector<const float *> taps(numTaps), wts(numTaps);
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / p.outH, oy = row % p.outH;
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        float *dst = o + ((n * p.outH + oy) * p.outW + ox) * p.outC;
        // The taps inside the image, in (ky, kx) order.
        int64_t t = 0;
        for (int64_t ky = 0; ky < p.kernelH; ++ky) {
          const int64_t y = oy * p.strideH - p.padTop + ky * p.dilationH;
          if (y < 0 || y >= p.inH)
            continue;
          for (int64_t kx = 0; kx < p.kernelW; ++kx) {
            const int64_t xx = ox * p.strideW - p.padLeft + kx * p.dilationW;
            if (xx < 0 || xx >= p.inW)
              continue;
            taps[t] = x + ((n * p.inH + y) * p.inW + xx) * C;
            wts[t++] = wt + (ky * p.kernelW + kx) * C * M;
          }
        }
        if (M == 1) { // the common case
          depthwisePixel(taps.data(), wts.data(), t, bv, C, dst);
          continue;
        }
        std::copy(bv, bv + p.outC, dst);
        for (int64_t i = 0; i < t; ++i)
          for (int64_t c = 0; c < C; ++c)
            for (int64_t m = 0; m < M; ++m)
              dst[c * M + m] += taps[i][c] * wts[i][c * M + m];
      }
      if (epilogue)
        applyEpilogue(*epilogue,
                      o + (n * p.outH + oy) * p.outW * p.outC,
                      p.outW * p.outC);
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
  SerialBlas serialBlas;
  Tensor out = Tensor::uninitialized(ElementType::F32, rt.shape);
  // Blocks of 64 rows of each batch entry, one sgemm each: the split
  // depends on the shapes only (see conv2d).
  constexpr int64_t kRows = 64;
  const int64_t rowBlocks = (H + kRows - 1) / kRows;
  parallelRows(N * rowBlocks, kRows * C * W, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t n = blk / rowBlocks, r0 = (blk % rowBlocks) * kRows;
      const int64_t rows = std::min(kRows, H - r0);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, W, C, 1.0f,
                  a.data<float>() + (n * H + r0) * C, C,
                  b.data<float>() + n * C * W, W, 0.0f,
                  out.data<float>() + (n * H + r0) * W, W);
    }
  });
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
  const Tensor &in = *args[0];
  Tensor out = Tensor::uninitialized(ElementType::F32, rt.shape);
  const float *x = in.data<float>();
  float *o = out.data<float>();
  parallelRows(in.numElements(), 1, [&](int64_t begin, int64_t end) {
    clampArray(x + begin, o + begin, end - begin, minV, maxV, ignoreNan);
  });
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
  Tensor out = Tensor::uninitialized(ElementType::F32, rt.shape);
  const float *x = a.data<float>(), *y = b.data<float>();
  float *o = out.data<float>();
  const int64_t n = out.numElements();
  // Same shapes (SiLU's x * sigmoid(x), residual adds): flat loops split
  // over the cores; anything else walks the broadcast indices.
  const bool sameShape =
      a.shape() == llvm::ArrayRef(rt.shape) && b.shape() == a.shape();
  std::optional<BinaryKind> kind;
  if (isa<tosa::AddOp>(op))
    kind = BinaryKind::Add;
  else if (isa<tosa::SubOp>(op))
    kind = BinaryKind::Sub;
  else if (isa<tosa::MulOp>(op))
    kind = BinaryKind::Mul;
  if (sameShape && kind) {
    parallelRows(n, 1, [&](int64_t begin, int64_t end) {
      binaryArray(*kind, x + begin, y + begin, o + begin, end - begin);
    });
    return out;
  }
  auto apply = [&](auto fn) {
    if (sameShape)
      for (int64_t i = 0; i < n; ++i)
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

llvm::Expected<Tensor> compare(Operation *op, Operands args,
                               const Result &rt) {
  const Tensor &a = *args[0], &b = *args[1];
  kernels::BroadcastShapes s{rt.shape, a.shape().vec(), b.shape().vec()};
  if (auto err = kernels::checkBroadcast(s))
    return opError(op, *err);
  Tensor out(ElementType::Bool, rt.shape);
  const float *x = a.data<float>(), *y = b.data<float>();
  bool *o = out.data<bool>();
  auto apply = [&](auto fn) {
    kernels::forEachBroadcast(s, [&](int64_t i, int64_t ia, int64_t ib) {
      o[i] = fn(x[ia], y[ib]);
    });
  };
  // IEEE comparisons: NaN compares false (numpy, onnxruntime).
  if (isa<tosa::EqualOp>(op))
    apply([](float u, float v) { return u == v; });
  else if (isa<tosa::GreaterOp>(op))
    apply([](float u, float v) { return u > v; });
  else if (isa<tosa::GreaterEqualOp>(op))
    apply([](float u, float v) { return u >= v; });
  else
    return opError(op, "not a float comparison");
  return out;
}

llvm::Expected<Tensor> unary(Operation *op, Operands args, const Result &rt) {
  if (isa<tosa::NegateOp>(op))
    if (auto err = checkZeroPoints(op, args.slice(1, 2)))
      return std::move(err);
  Tensor out = Tensor::uninitialized(ElementType::F32, rt.shape);
  const float *src = args[0]->data<float>();
  float *v = out.data<float>();
  const int64_t n = out.numElements();
  if (args[0]->numElements() != n)
    return opError(op, "operand and result sizes differ");
  // Transcendentals cost tens of multiply-adds per element.
  auto vectorized = [&](void (*kernel)(const float *, float *, int64_t)) {
    parallelRows(n, 32, [&](int64_t begin, int64_t end) {
      kernel(src + begin, v + begin, end - begin);
    });
  };
  auto apply = [&](auto fn) {
    parallelRows(n, 32, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        v[i] = fn(src[i]);
    });
  };
  if (isa<tosa::SigmoidOp>(op))
    vectorized(sigmoidArray);
  else if (isa<tosa::TanhOp>(op))
    vectorized(tanhArray);
  else if (isa<tosa::ExpOp>(op))
    vectorized(expArray);
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

namespace tessera::reference::detail {

namespace {

/// A tosa.mul whose shift operand is a constant 0 (float mul).
bool hasZeroShift(tosa::MulOp mul) {
  DenseElementsAttr shift;
  if (!matchPattern(mul.getShift(), m_Constant(&shift)))
    return false;
  return llvm::all_of(shift.getValues<APInt>(),
                      [](const APInt &v) { return v.isZero(); });
}

/// The epilogue for `act` after `conv`, if the executor can run it exactly:
/// a float clamp, or sigmoid + mul (shift 0), every result of the conv's
/// own type (no broadcast).
std::optional<Epilogue> epilogueFor(Value conv,
                                    const patterns::Activation &act) {
  for (Operation *op : act.ops)
    if (op->getResult(0).getType() != conv.getType())
      return std::nullopt;
  using Kind = patterns::Activation::Kind;
  Epilogue e;
  switch (act.kind) {
  case Kind::Relu:
  case Kind::Relu6:
  case Kind::Clamp: {
    auto clamp = cast<tosa::ClampOp>(act.last());
    auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
    auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
    if (!lo || !hi)
      return std::nullopt;
    e.kind = Epilogue::Kind::Clamp;
    e.lo = static_cast<float>(lo.getValueAsDouble());
    e.hi = static_cast<float>(hi.getValueAsDouble());
    e.ignoreNan = clamp.getNanMode() == tosa::NanPropagationMode::IGNORE;
    return e;
  }
  case Kind::SiLU:
    if (!hasZeroShift(cast<tosa::MulOp>(act.last())))
      return std::nullopt;
    e.kind = Epilogue::Kind::SiLU;
    return e;
  case Kind::HardSwish:
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace

EpiloguePlan planEpilogues(Block &body,
                           const llvm::DenseSet<Operation *> *observed) {
  EpiloguePlan plan;
  for (Operation &op : body) {
    if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op))
      continue;
    Value conv = op.getResult(0);
    auto type = dyn_cast<RankedTensorType>(conv.getType());
    if (!type || !type.getElementType().isF32())
      continue;
    std::optional<patterns::Activation> act = patterns::matchActivation(conv);
    std::optional<Epilogue> e = act ? epilogueFor(conv, *act) : std::nullopt;
    if (!e)
      continue;
    // The conv's own result and every absorbed result but the last exist
    // only inside the fused kernel.
    if (observed && (observed->contains(&op) ||
                     llvm::any_of(llvm::ArrayRef<Operation *>(act->ops).drop_back(),
                                  [&](Operation *o) {
                                    return observed->contains(o);
                                  })))
      continue;
    plan.producers[&op] = *e;
    for (Operation *absorbed : act->ops)
      plan.absorbed[absorbed] = &op;
  }
  return plan;
}

} // namespace tessera::reference::detail
