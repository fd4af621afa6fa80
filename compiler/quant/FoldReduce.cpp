//===- FoldReduce.cpp - Fold quantized ReduceSum / ReduceMean to integer --===//
//
// A sum over one or more axes, optionally scaled by a splat constant c
// (ReduceSum; ReduceMean imports as the sum times 1/count; QuantUtils
// matchReduceSumChain), between dcast(x: s_in, z_in) and qcast(s_out, z_out):
//   rescale i8 -> i32 by 1 (x - z_in, exact)
//   -> reduce_sum over each axis (exact i32: count * 255 < 2^31)
//   -> rescale i32 -> i8 by s_in * c / s_out, + z_out     (one rounding)
// the same form as the global average pool (FoldAvgPool.cpp), which the NPU
// runs as one POOL with cip = 1. ReduceMax needs no arithmetic: it shares
// its input's quantization (FoldSharedQParams.cpp) and stays reduce_max on i8.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

template <typename OpTy> struct FoldReduceSum : public OpRewritePattern<OpTy> {
  FoldReduceSum(MLIRContext *context)
      : OpRewritePattern<OpTy>(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op->getResult(0).getType()))
      return failure(); // does not apply: not a reason to record
    std::optional<ReduceSumChain> chain = matchReduceSumChain(op);
    if (!chain)
      return failure(); // does not apply: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, chain->input, "reduce_sum input");
    if (failed(input))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();
    auto inShape = cast<RankedTensorType>(chain->input.getType()).getShape();
    int64_t count = 1;
    for (int64_t a : chain->axes)
      count *= inShape[a];
    if (count >= (int64_t(1) << 23))
      return rewriter.notifyMatchFailure(
          op, "more than 2^23 summed elements would overflow the i32 sum");
    if (!(chain->factor > 0))
      return rewriter.notifyMatchFailure(
          op, "expected a positive scale factor after the sum");
    FailureOr<RescaleParams> toI32 =
        matchRescale(rewriter, op, {1.0}, input->type.getZeroPoint(), 0);
    FailureOr<RescaleParams> toOut = matchRescale(
        rewriter, op,
        {input->type.getScale() * chain->factor / result->type.getScale()}, 0,
        result->type.getZeroPoint());
    if (failed(toI32) || failed(toOut))
      return failure();
    auto [lo, hi] = resultClampBounds(*result);
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    Value x = materializeInteger(rewriter, loc, input->quant);
    Value sum = createRescale(rewriter, loc, x, i32, *toI32);
    for (int64_t axis : llvm::reverse(chain->axes)) {
      SmallVector<int64_t> shape(
          cast<RankedTensorType>(sum.getType()).getShape());
      shape[axis] = 1;
      sum = tosa::ReduceSumOp::create(
          rewriter, loc, RankedTensorType::get(shape, i32), sum,
          rewriter.getI32IntegerAttr(static_cast<int32_t>(axis)));
    }
    Type storage = getElementTypeOrSelf(x.getType());
    Value out = createRescale(rewriter, loc, sum, storage, *toOut);
    copyDiscardableAttrs(op, out.getDefiningOp());
    out = createIntClamp(rewriter, loc, out, lo, hi);
    replaceWithInteger(rewriter, op, *result, out);
    eraseUnusedInterior(rewriter, chain->interior);
    return success();
  }
};

} // namespace

void populateFoldReducePatterns(RewritePatternSet &patterns) {
  patterns.add<FoldReduceSum<tosa::ReduceSumOp>, FoldReduceSum<tosa::MulOp>>(
      patterns.getContext());
}

} // namespace tessera::quant
