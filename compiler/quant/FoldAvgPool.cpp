//===- FoldAvgPool.cpp - Fold a quantized avg_pool2d to integer -----------===//
//
// tosa.avg_pool2d on i8 subtracts input_zp, averages in i32 (rounding as the
// TOSA spec defines) and adds output_zp; it cannot change the scale. So
//   dcast(x: s_in, z_in) -> avg_pool2d -> qcast(s_out, z_out)
// becomes avg_pool2d(x_i8, z_in, z_out) when s_in == s_out, and otherwise
// avg_pool2d(x_i8, z_in, z_in) followed by an i8 -> i8 rescale by
// s_in / s_out (the average of values in the input range is in the input
// range, so the intermediate i8 cannot saturate).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

struct FoldAvgPool : public OpRewritePattern<tosa::AvgPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::AvgPool2dOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return rewriter.notifyMatchFailure(op, "not a float avg_pool2d");
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, op.getInput(), "input");
    if (failed(input))
      return failure();
    mq::UniformQuantizedType inType = input->type;
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();

    bool sameScale = inType.getScale() == result->type.getScale();
    int64_t poolOutZp =
        sameScale ? result->type.getZeroPoint() : inType.getZeroPoint();
    std::optional<RescaleParams> rescale;
    if (!sameScale) {
      FailureOr<RescaleParams> p = matchRescale(
          rewriter, op, {inType.getScale() / result->type.getScale()},
          inType.getZeroPoint(), result->type.getZeroPoint());
      if (failed(p))
        return failure();
      rescale = *p;
    }
    auto [lo, hi] = resultClampBounds(*result);

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    Value inputI8 = materializeInteger(rewriter, loc, input->quant);
    auto pool = tosa::AvgPool2dOp::create(
        rewriter, loc, withElementType(op.getType(), i8), inputI8,
        createZeroPoint(rewriter, loc, i8, inType.getZeroPoint()),
        createZeroPoint(rewriter, loc, i8, poolOutZp), op.getKernelAttr(),
        op.getStrideAttr(), op.getPadAttr(), TypeAttr::get(i32));
    copyDiscardableAttrs(op, pool);
    Value out = pool;
    out = applyRequantize(rewriter, loc, out, rescale);
    out = createIntClamp(rewriter, loc, out, lo, hi);
    replaceWithInteger(rewriter, op, *result, out);
    return success();
  }
};

} // namespace

void populateFoldAvgPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldAvgPool>(patterns.getContext());
}

} // namespace tessera::quant
