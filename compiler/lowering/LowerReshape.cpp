//===- LowerReshape.cpp - reshape -> npu.reshape --------------------------===//
//
// A reshape of a row-major tensor is a view: codegen aliases the buffer (or
// copies when the source is a strided slice of a concat buffer).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerReshape : public OpRewritePattern<tosa::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ReshapeOp reshape,
                                PatternRewriter &rewriter) const override {
    auto out = cast<RankedTensorType>(reshape.getType());
    if (!isa<IntegerType>(out.getElementType()) || !out.hasStaticShape())
      return rewriter.notifyMatchFailure(reshape, "expected static integer");
    auto op = npu::ReshapeOp::create(rewriter, reshape.getLoc(), out,
                                     reshape.getInput1(), /*layer=*/0);
    tagLayer(op, onnxNodeName(reshape), "Reshape");
    rewriter.replaceOp(reshape, op.getResult());
    return success();
  }
};

} // namespace

void populateLowerReshapePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerReshape>(patterns.getContext());
}

} // namespace tessera::lowering
