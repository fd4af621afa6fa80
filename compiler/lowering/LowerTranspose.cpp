//===- LowerTranspose.cpp - layout-preserving transpose -> npu.reshape ----===//
//
// A transpose that only moves dimensions of size 1 keeps every element at
// its row-major position (e.g. NHWC -> NCHW of a [1, 1, 1, C] global-pool
// output before Flatten), so it is a reshape. Other transposes inside the
// function would move data and are reported by diagnoseUnlowered.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerTranspose : public OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp t,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(t.getInput1().getType());
    auto out = cast<RankedTensorType>(t.getType());
    if (!isa<IntegerType>(in.getElementType()) || !in.hasStaticShape())
      return rewriter.notifyMatchFailure(t, "expected static integer");
    // The non-unit input dimensions must appear in the same order.
    int64_t last = -1;
    for (int32_t p : t.getPerms()) {
      if (in.getDimSize(p) == 1)
        continue;
      if (p < last)
        return rewriter.notifyMatchFailure(t, "moves data");
      last = p;
    }
    auto op = npu::ReshapeOp::create(rewriter, t.getLoc(), out, t.getInput1(),
                                     /*layer=*/0);
    tagLayer(op, onnxNodeName(t), "Reshape");
    rewriter.replaceOp(t, op.getResult());
    return success();
  }
};

} // namespace

void populateLowerTransposePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerTranspose>(patterns.getContext());
}

} // namespace tessera::lowering
