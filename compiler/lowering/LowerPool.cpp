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
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

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
        !out.getElementType().isInteger(8))
      return rewriter.notifyMatchFailure(rescale,
                                         "expected a sum over H and W of an "
                                         "NHWC i8/i16 tensor, i8 result");
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
    SmallVector<int64_t> kernel = {in.getDimSize(1), in.getDimSize(2)};
    SmallVector<int64_t> one = {1, 1}, noPad = {0, 0, 0, 0};
    auto op = npu::PoolOp::create(
        rewriter, rescale.getLoc(), out, widen.getInput(), "avg", kernel, one,
        noPad, w.inputZp, r.outputZp, /*layer=*/0, /*tile_rows=*/0,
        r.multiplier[0], r.shift[0]);
    tagLayer(op, onnxNodeName(rescale), "GlobalAveragePool");
    replaceFused(rewriter, rescale, op.getResult(),
                 {second.getOperation(), first.getOperation(),
                  widen.getOperation()});
    return success();
  }
};

} // namespace

void populateLowerPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMaxPool, LowerAvgPool, LowerGlobalSumRescale>(
      patterns.getContext());
}

} // namespace tessera::lowering
