//===- LowerPool.cpp - max_pool2d / avg_pool2d -> npu.pool ----------------===//
//
// Both TOSA poolings map one-to-one: npu.pool has TOSA's semantics (padding
// neither counted nor summed; the average scaled by reciprocal_scale of the
// in-bounds count), which the ISA's POOL with cip = 0 implements.
// The global average pool into another quantization that
// --tessera-fold-to-integer emits (FoldAvgPool.cpp),
//   rescale narrow -> i32 (x - zp, identity scale) -> reduce_sum over H and
//   W -> rescale i32 -> narrow (m, s, + out_zp),
// becomes one npu.pool with multiplier m and shift s (POOL with cip = 1):
// the same exact sum, the same single apply_scale_32.
// The windowed average pool into another quantization (depthwise window
// sum, per-position multiplier, rescale by 1) becomes one npu.pool with a
// per_count multiplier (POOL with cip = 0, mult != 0).
// Any other reduction over a set of contiguous axes (ReduceSum, ReduceMean:
// FoldReduce.cpp; ReduceMax / ReduceMin: reduce_max / reduce_min on i8)
// views the input as [1, outer, R, inner] (R the product of the reduced
// extents) and pools it with a 1 x R window: npu.reshape, npu.pool (avg with
// cip for a sum, max, min: POOL mode min), npu.reshape back.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"
#include "core/kernels/Pool.h"
#include "core/quant/Quant.h"

#include <array>
#include <type_traits>

using namespace mlir;

namespace tessera::lowering {
namespace {

/// GlobalAveragePool when the window is the whole unpadded plane.
std::string poolOpType(bool max, RankedTensorType in,
                       llvm::ArrayRef<int64_t> kernel,
                       llvm::ArrayRef<int64_t> pad) {
  if (max)
    return "MaxPool";
  bool global = kernel[0] == in.getDimSize(1) &&
                kernel[1] == in.getDimSize(2) &&
                llvm::all_of(pad, [](int64_t p) { return p == 0; });
  return global ? "GlobalAveragePool" : "AveragePool";
}

/// npu.pool `kind` over a kh x kw window with stride 1 and no padding: the
/// geometry of a global pool and of a reduction viewed as [1, outer, R,
/// inner] (one window per output row). A nonzero `multiplier` scales the
/// exact window sum once (POOL with cip = 1).
npu::PoolOp createWholeWindowPool(PatternRewriter &rewriter, Location loc,
                                  Type out, Value input, StringRef kind,
                                  int64_t kh, int64_t kw, int64_t inZp,
                                  int64_t outZp, int64_t multiplier,
                                  int64_t shift) {
  SmallVector<int64_t> kernel = {kh, kw}, one = {1, 1}, noPad = {0, 0, 0, 0};
  return npu::PoolOp::create(rewriter, loc, out, input, kind, kernel, one,
                             noPad, inZp, outZp, /*layer=*/0, /*tile_rows=*/0,
                             multiplier, shift);
}

struct LowerMaxPool : public OpRewritePattern<tosa::MaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MaxPool2dOp pool,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(pool.getInput().getType());
    if (!isa<IntegerType>(in.getElementType()))
      return rewriter.notifyMatchFailure(pool, "expected an integer input");
    auto op = npu::PoolOp::create(
        rewriter, pool.getLoc(), pool.getType(), pool.getInput(), "max",
        pool.getKernel(), pool.getStride(), pool.getPad(), /*input_zp=*/0,
        /*output_zp=*/0, /*layer=*/0);
    tagLayer(op, onnxNodeName(pool),
             poolOpType(true, in, pool.getKernel(), pool.getPad()));
    rewriter.replaceOp(pool, op.getResult());
    return success();
  }
};

struct LowerAvgPool : public OpRewritePattern<tosa::AvgPool2dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::AvgPool2dOp pool,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(pool.getInput().getType());
    if (!isa<IntegerType>(in.getElementType()) ||
        !pool.getAccType().isInteger(32))
      return rewriter.notifyMatchFailure(pool, "expected integer, acc i32");
    auto izp = readScalarConstant(pool.getInputZp());
    auto ozp = readScalarConstant(pool.getOutputZp());
    if (!izp || !ozp)
      return rewriter.notifyMatchFailure(pool, "expected constant zps");
    auto op = npu::PoolOp::create(rewriter, pool.getLoc(), pool.getType(),
                                  pool.getInput(), "avg", pool.getKernel(),
                                  pool.getStride(), pool.getPad(), *izp, *ozp,
                                  /*layer=*/0);
    tagLayer(op, onnxNodeName(pool),
             poolOpType(false, in, pool.getKernel(), pool.getPad()));
    rewriter.replaceOp(pool, op.getResult());
    return success();
  }
};

/// rescale(i32 -> narrow) of reduce_sum(reduce_sum(rescale(narrow -> i32)))
/// over both spatial axes of an NHWC tensor -> npu.pool avg with the final
/// rescale's multiplier.
struct LowerGlobalSumRescale : public OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    auto out = cast<RankedTensorType>(rescale.getType());
    auto second = rescale.getInput().getDefiningOp<tosa::ReduceSumOp>();
    auto first =
        second ? second.getInput().getDefiningOp<tosa::ReduceSumOp>() : nullptr;
    auto widen =
        first ? first.getInput().getDefiningOp<tosa::RescaleOp>() : nullptr;
    if (!widen || !second->hasOneUse() || !first->hasOneUse() ||
        !widen->hasOneUse())
      return rewriter.notifyMatchFailure(rescale, "not a global sum");
    auto in = cast<RankedTensorType>(widen.getInput().getType());
    const uint32_t a0 = first.getAxis(), a1 = second.getAxis();
    const bool bothSpatial = (a0 == 1 && a1 == 2) || (a0 == 2 && a1 == 1);
    if (in.getRank() != 4 || !bothSpatial ||
        !isa<IntegerType>(in.getElementType()) ||
        in.getElementType().getIntOrFloatBitWidth() > 16 ||
        !(out.getElementType().isInteger(8) ||
          out.getElementType().isInteger(16)))
      return rewriter.notifyMatchFailure(rescale,
                                         "expected a sum over H and W of an "
                                         "NHWC i8/i16 tensor, i8/i16 result");
    RescaleParams w, r;
    std::string why;
    if (!readRescale(widen, w, why) || !readRescale(rescale, r, why))
      return rewriter.notifyMatchFailure(rescale, why);
    // x - zp exactly, then one final multiplier, single rounding.
    if (!isZeroPointRemoval(w) || r.multiplier.size() != 1 || r.inputZp != 0 ||
        r.doubleRound)
      return rewriter.notifyMatchFailure(rescale,
                                         "expected an identity widening and "
                                         "one single-round multiplier");
    npu::PoolOp op = createWholeWindowPool(
        rewriter, rescale.getLoc(), out, widen.getInput(), "avg",
        in.getDimSize(1), in.getDimSize(2), w.inputZp, r.outputZp,
        r.multiplier[0], r.shift[0]);
    tagLayer(op, onnxNodeName(rescale), "GlobalAveragePool");
    replaceFused(rewriter, rescale, op.getResult(),
                 {second.getOperation(), first.getOperation(),
                  widen.getOperation()});
    return success();
  }
};

/// The windowed average pool into another quantization that
/// --tessera-fold-to-integer emits (FoldAvgPool.cpp),
///   depthwise_conv2d(x, weights 1, bias 0, input_zp z) -> i32 window sums
///   -> mul by M [1, OH, OW, 1] with shift s
///   -> rescale i32 -> narrow by 1 (2^30, 30) to out_zp,
/// becomes one npu.pool with per_count multiplier m and shift s when every
/// M[oy, ox] is quant::perCountMultiplier(m, n) for the window's in-bounds
/// count n (POOL with cip = 0 and mult = m): the same sums, the same single
/// rounding.
struct LowerWindowSumRescale : public OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    auto mul = rescale.getInput().getDefiningOp<tosa::MulOp>();
    auto sum =
        mul ? mul.getInput1().getDefiningOp<tosa::DepthwiseConv2DOp>() : nullptr;
    if (!sum || !mul->hasOneUse() || !sum->hasOneUse())
      return rewriter.notifyMatchFailure(rescale, "not a window sum");
    auto in = cast<RankedTensorType>(sum.getInput().getType());
    auto out = cast<RankedTensorType>(rescale.getType());
    auto wType = cast<RankedTensorType>(sum.getWeight().getType());
    if (!in.getElementType().isInteger(8) || !out.getElementType().isInteger(8) ||
        wType.getDimSize(3) != 1 ||
        !llvm::all_of(sum.getDilation(), [](int64_t d) { return d == 1; }))
      return rewriter.notifyMatchFailure(rescale,
                                         "expected an i8 depthwise window "
                                         "sum (multiplier 1, dilation 1)");
    auto weights = readIntConstant(sum.getWeight());
    auto bias = readIntConstant(sum.getBias());
    auto izp = readScalarConstant(sum.getInputZp());
    auto wzp = readScalarConstant(sum.getWeightZp());
    auto perPosition = readIntConstant(mul.getInput2());
    auto shift = readScalarConstant(mul.getShift());
    auto isAll = [](const std::optional<SmallVector<int64_t>> &v, int64_t x) {
      return v && llvm::all_of(*v, [x](int64_t e) { return e == x; });
    };
    if (!isAll(weights, 1) || !isAll(bias, 0) || !izp || !wzp || *wzp != 0 ||
        !perPosition || !shift || *shift < 2 || *shift > 62)
      return rewriter.notifyMatchFailure(rescale,
                                         "expected weights 1, bias 0, constant "
                                         "multipliers and shift");
    RescaleParams r;
    std::string why;
    if (!readRescale(rescale, r, why))
      return rewriter.notifyMatchFailure(rescale, why);
    if (r.multiplier.size() != 1 || r.multiplier[0] != kIdentityMultiplier ||
        r.shift[0] != kIdentityShift || r.inputZp != 0 || r.doubleRound)
      return rewriter.notifyMatchFailure(rescale, "expected a rescale by 1");
    auto sumType = cast<RankedTensorType>(sum.getType());
    const int64_t oh = sumType.getDimSize(1), ow = sumType.getDimSize(2);
    if (cast<RankedTensorType>(mul.getInput2().getType()).getShape() !=
        ArrayRef<int64_t>{1, oh, ow, 1})
      return rewriter.notifyMatchFailure(rescale,
                                         "expected multipliers [1, OH, OW, 1]");
    kernels::Pool2DParams p;
    p.inH = in.getDimSize(1);
    p.inW = in.getDimSize(2);
    p.kernelH = wType.getDimSize(0);
    p.kernelW = wType.getDimSize(1);
    p.strideH = sum.getStride()[0];
    p.strideW = sum.getStride()[1];
    p.padTop = sum.getPad()[0];
    p.padBottom = sum.getPad()[1];
    p.padLeft = sum.getPad()[2];
    p.padRight = sum.getPad()[3];
    if (p.padTop >= p.kernelH || p.padBottom >= p.kernelH ||
        p.padLeft >= p.kernelW || p.padRight >= p.kernelW)
      return rewriter.notifyMatchFailure(rescale, "expected pads < window");
    // The m whose per-count multipliers are M: from the first position's
    // count n, m is within n of M[0] * n (tried nearest first); any
    // consistent m computes the same.
    auto consistent = [&](int64_t m) {
      if (m <= 0 || m > INT32_MAX)
        return false;
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          if ((*perPosition)[oy * ow + ox] !=
              quant::perCountMultiplier(static_cast<int32_t>(m),
                                        kernels::windowCount(p, oy, ox)))
            return false;
      return true;
    };
    const int64_t n0 = kernels::windowCount(p, 0, 0);
    std::optional<int64_t> m;
    for (int64_t d = 0; d <= n0 && !m; ++d)
      for (int64_t cand : {(*perPosition)[0] * n0 + d,
                           (*perPosition)[0] * n0 - d})
        if (!m && consistent(cand))
          m = cand;
    if (!m)
      return rewriter.notifyMatchFailure(
          rescale, "multipliers are not one per window count");
    auto op = npu::PoolOp::create(
        rewriter, rescale.getLoc(), out, sum.getInput(), "avg",
        SmallVector<int64_t>{p.kernelH, p.kernelW}, sum.getStride(),
        sum.getPad(), *izp, r.outputZp, /*layer=*/0, /*tile_rows=*/0, *m,
        *shift, /*tile_channels=*/0, /*per_count=*/true);
    tagLayer(op, onnxNodeName(rescale), "AveragePool");
    replaceFused(rewriter, rescale, op.getResult(),
                 {mul.getOperation(), sum.getOperation()});
    return success();
  }
};

/// [outer, R, inner] of a reduction over `axes` of `shape`, if the axes are
/// contiguous and each extent fits the POOL fields (16 bits).
std::optional<std::array<int64_t, 3>>
reductionView(ArrayRef<int64_t> shape, SmallVector<int64_t> axes) {
  llvm::sort(axes);
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1)
      return std::nullopt;
  std::array<int64_t, 3> v = {1, 1, 1};
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    v[d < axes.front() ? 0 : d <= axes.back() ? 1 : 2] *= shape[d];
  if (llvm::any_of(v, [](int64_t x) { return x >= 65536; }))
    return std::nullopt;
  return v;
}

/// npu.reshape(x) to [1, outer, R, inner] -> npu.pool 1 x R -> npu.reshape
/// to `out`.
Value poolReduction(PatternRewriter &rewriter, Location loc, Value x,
                    std::array<int64_t, 3> v, RankedTensorType out,
                    StringRef kind, int64_t inZp, int64_t outZp,
                    int64_t multiplier, int64_t shift, StringRef node,
                    StringRef opType) {
  auto in = cast<RankedTensorType>(x.getType());
  auto view = RankedTensorType::get({1, v[0], v[1], v[2]}, in.getElementType());
  auto pooled =
      RankedTensorType::get({1, v[0], 1, v[2]}, out.getElementType());
  Value input = x;
  if (view != in) {
    auto r = npu::ReshapeOp::create(rewriter, loc, view, x, 0);
    tagLayer(r, node, opType); // one layer-table row with the pool
    input = r;
  }
  npu::PoolOp pool = createWholeWindowPool(rewriter, loc, pooled, input, kind,
                                           1, v[1], inZp, outZp, multiplier,
                                           shift);
  tagLayer(pool, node, opType);
  Value result = pool;
  if (pooled != out) {
    auto r = npu::ReshapeOp::create(rewriter, loc, out, result, 0);
    tagLayer(r, node, opType);
    result = r;
  }
  return result;
}

/// rescale(i32 -> i8) of reduce_sum(... reduce_sum(rescale(i8 -> i32 by 1)))
/// over contiguous axes: one npu.pool avg with the final multiplier.
struct LowerReduceSumRescale : public OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    auto out = cast<RankedTensorType>(rescale.getType());
    SmallVector<Operation *> fused;
    SmallVector<int64_t> axes;
    Value v = rescale.getInput();
    while (auto sum = v.getDefiningOp<tosa::ReduceSumOp>()) {
      if (!sum->hasOneUse())
        return rewriter.notifyMatchFailure(rescale, "shared partial sum");
      fused.push_back(sum);
      axes.push_back(sum.getAxis());
      v = sum.getInput();
    }
    auto widen = v.getDefiningOp<tosa::RescaleOp>();
    if (axes.empty() || !widen || !widen->hasOneUse())
      return rewriter.notifyMatchFailure(rescale, "not a reduced sum");
    fused.push_back(widen);
    auto in = cast<RankedTensorType>(widen.getInput().getType());
    if (!in.getElementType().isInteger(8) || !out.getElementType().isInteger(8))
      return rewriter.notifyMatchFailure(rescale, "expected i8 in and out");
    auto view = reductionView(in.getShape(), axes);
    if (!view)
      return rewriter.notifyMatchFailure(
          rescale, "expected contiguous reduced axes, extents < 65536");
    RescaleParams w, r;
    std::string why;
    if (!readRescale(widen, w, why) || !readRescale(rescale, r, why))
      return rewriter.notifyMatchFailure(rescale, why);
    if (!isZeroPointRemoval(w) || r.multiplier.size() != 1 || r.inputZp != 0 ||
        r.doubleRound)
      return rewriter.notifyMatchFailure(rescale,
                                         "expected an identity widening and "
                                         "one single-round multiplier");
    Value result = poolReduction(rewriter, rescale.getLoc(), widen.getInput(),
                                 *view, out, "avg", w.inputZp, r.outputZp,
                                 r.multiplier[0], r.shift[0],
                                 onnxNodeName(rescale), "ReduceSum");
    replaceFused(rewriter, rescale, result, fused);
    return success();
  }
};

/// reduce_max / reduce_min on i8 -> npu.pool max / min with a 1 x R window.
template <typename OpTy>
struct LowerReduceMaxMin : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  static constexpr bool kMax = std::is_same_v<OpTy, tosa::ReduceMaxOp>;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(op.getInput().getType());
    auto out = cast<RankedTensorType>(op.getType());
    if (!in.getElementType().isInteger(8))
      return rewriter.notifyMatchFailure(op, "expected an i8 input");
    auto view = reductionView(in.getShape(), {int64_t(op.getAxis())});
    if (!view)
      return rewriter.notifyMatchFailure(op, "extent >= 65536");
    Value result = poolReduction(rewriter, op.getLoc(), op.getInput(), *view,
                                 out, kMax ? "max" : "min", 0, 0, 0, 0,
                                 onnxNodeName(op),
                                 kMax ? "ReduceMax" : "ReduceMin");
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateLowerPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMaxPool, LowerAvgPool,
               LowerReduceMaxMin<tosa::ReduceMaxOp>,
               LowerReduceMaxMin<tosa::ReduceMinOp>>(patterns.getContext());
  // The global pool's own row type first; any other sum after it.
  patterns.add<LowerGlobalSumRescale, LowerWindowSumRescale>(
      patterns.getContext(), /*benefit=*/2);
  patterns.add<LowerReduceSumRescale>(patterns.getContext(), /*benefit=*/1);
}

} // namespace tessera::lowering
