//===- LowerPool.cpp - max_pool2d / avg_pool2d -> npu.pool ----------------===//
//
// Both TOSA poolings map one-to-one: npu.pool has TOSA's semantics (padding
// neither counted nor summed; the average scaled by reciprocal_scale of the
// in-bounds count), which the ISA's POOL with cip = 0 implements.
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

} // namespace

void populateLowerPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMaxPool, LowerAvgPool>(patterns.getContext());
}

} // namespace tessera::lowering
