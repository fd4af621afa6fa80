//===- LowerConcat.cpp - concat -> npu.concat -----------------------------===//
//
// TOSA concat of integer tensors that share one quantization (the fold pass
// rescales any input that does not). Codegen realises it without copies
// where it can (producers store into channel slices of one buffer).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerConcat : public OpRewritePattern<tosa::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    auto out = cast<RankedTensorType>(concat.getType());
    if (!isa<IntegerType>(out.getElementType()))
      return rewriter.notifyMatchFailure(concat, "expected integer tensors");
    auto op = npu::ConcatOp::create(rewriter, concat.getLoc(), out,
                                    concat.getInput1(), concat.getAxis(),
                                    /*layer=*/0);
    tagLayer(op, onnxNodeName(concat), "Concat");
    rewriter.replaceOp(concat, op.getResult());
    return success();
  }
};

} // namespace

void populateLowerConcatPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerConcat>(patterns.getContext());
}

} // namespace tessera::lowering
