//===- LowerRescale.cpp - stand-alone integer rescale (+ clamp) -> npu.rescale
//===//
//
// A tosa.rescale between narrow integer tensors (e.g. an input requantized
// to the shared quantization of a concat, or the output of an average pool)
// runs on the vector unit as ELTWISE rescale. The rescales around convs and
// adds (i32 on one side) are consumed by those rewrites instead.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

bool isNarrowInt(Type t) {
  return isa<IntegerType>(t) && t.getIntOrFloatBitWidth() <= 16;
}

struct LowerRescale : public OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::RescaleOp rescale,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(rescale.getInput().getType());
    auto out = cast<RankedTensorType>(rescale.getType());
    if (!isNarrowInt(in.getElementType()) || !isNarrowInt(out.getElementType()))
      return rewriter.notifyMatchFailure(rescale, "expected i8/i16 -> i8/i16");
    RescaleParams rq;
    std::string why;
    if (!readRescale(rescale, rq, why))
      return rewriter.notifyMatchFailure(rescale, why);
    int64_t lo = intTypeMin(out.getElementType());
    int64_t hi = intTypeMax(out.getElementType());
    Operation *last = rescale;
    if (Operation *clamp = absorbClamp(rescale.getResult(), lo, hi))
      last = clamp;
    auto op = npu::RescaleOp::create(
        rewriter, rewriter.getFusedLoc({rescale.getLoc(), last->getLoc()}), out,
        rescale.getInput(), rq.inputZp, rq.outputZp, rq.multiplier, rq.shift,
        rq.doubleRound, lo, hi, /*layer=*/0);
    tagLayer(op, onnxNodeName(rescale), "Rescale");
    replaceFused(rewriter, last, op.getResult(), {rescale});
    return success();
  }
};

} // namespace

void populateLowerRescalePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerRescale>(patterns.getContext());
}

} // namespace tessera::lowering
