//===- FoldMatMul.cpp - Fold a quantized matmul to integer ----------------===//
//
//   dcast(a: s_a, z_a) x dcast(b: s_b[w], z_b) -> matmul (f32)
//     [-> clamp] -> qcast(s_out, z_out)
// becomes matmul(a_i8, b_i8, z_a, z_b) -> i32, then rescale by
// s_a * s_b[w] / s_out (per output column w, the innermost dimension, which
// is the axis tosa.rescale's per_channel scales) and the clamp. tosa.matmul
// has no bias: a bias add stays a separate (quantized) tosa.add.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

struct FoldMatMul : public OpRewritePattern<tosa::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<QuantizedOperand> a =
        matchQuantizedOperand(rewriter, op, op.getA(), "operand a");
    if (failed(a))
      return failure();
    FailureOr<QuantizedWeight> b =
        matchQuantizedWeight(rewriter, op, op.getB(), "operand b");
    if (failed(b))
      return failure();
    if (getQuantElementType(b->quant.getType())
            .getStorageTypeIntegralWidth() != 8)
      return rewriter.notifyMatchFailure(
          op, "operand b has i16 storage; matmul has no int16 integer form "
              "yet");
    const WeightQParams *bParams = &b->params;
    if (bParams->axis >= 0 && bParams->axis != 2)
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "operand b is quantized along axis " << bParams->axis
             << " but only per-column (axis 2) scales can be rescaled";
      });
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/true);
    if (failed(result))
      return failure();

    auto outType = cast<RankedTensorType>(op.getType());
    int64_t columns = outType.getShape().back();
    SmallVector<double> multipliers;
    for (int64_t w = 0; w < columns; ++w)
      multipliers.push_back(a->type.getScale() * bParams->scaleAt(w) /
                            result->type.getScale());
    FailureOr<RescaleParams> rescale =
        matchRescale(rewriter, op, multipliers, 0, result->type.getZeroPoint());
    if (failed(rescale))
      return failure();

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    Value aI8 = materializeInteger(rewriter, loc, a->quant);
    Value bI8 = materializeInteger(rewriter, b->quant.getLoc(), b->quant);
    Value aZp = createZeroPoint(rewriter, loc, i8, a->type.getZeroPoint());
    Value bZp = createZeroPoint(rewriter, loc, i8, bParams->zeroPoint);
    auto acc = tosa::MatMulOp::create(
        rewriter, loc, withElementType(outType, i32), aI8, bI8, aZp, bZp);
    copyDiscardableAttrs(op, acc);
    replaceWithRescaled(rewriter, op, *result, acc, *rescale);
    return success();
  }
};

} // namespace

void populateFoldMatMulPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldMatMul>(patterns.getContext());
}

} // namespace tessera::quant
