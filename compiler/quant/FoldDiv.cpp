//===- FoldDiv.cpp - Fold a quantized division by a positive constant -----===//
//
// ONNX Div imports as arith.divf, a constant divisor tiled to the full shape
// (docs/frontend.md). Dividing the quantized x by a per-channel constant
// c[k] > 0 (innermost dimension k) is a per-channel requantization:
//   real = s_x (x - z_x) / c[k]
//   out  = rescale_i8->i8(x, m[k] = s_x / (c[k] s_out), input_zp z_x,
//                         output_zp z_out) [-> clamp]
// one rounding of the exact quotient (SINGLE_ROUND; the multiplier is exact
// to 2^-31 relative), i.e. multiplication by the reciprocal folded into the
// scale, with no quantized reciprocal constant. A splat divisor is left to
// FoldElementwiseChain (a 256-entry table, exact per input code); a divisor
// <= 0 or one that varies along an outer dimension is not folded here (TOSA
// multipliers are >= 0) and is reported with the reason.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;

namespace tessera::quant {
namespace {

struct FoldDivByChannelConstant : public OpRewritePattern<arith::DivFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::DivFOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !isFloatTensor(type) || type.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "not a float tensor division");
    std::optional<SmallVector<double>> divisor =
        readFloatConstant(op.getRhs());
    if (!divisor)
      return rewriter.notifyMatchFailure(
          op, "divisor is not a constant (a tensor divisor folds as x * "
              "reciprocal(d) only when --tessera-quantize saw its calibrated "
              "range exclude 0)");
    const int64_t c = type.getDimSize(type.getRank() - 1);
    const auto n = static_cast<size_t>(type.getNumElements());
    if (divisor->size() != n || c <= 0)
      return rewriter.notifyMatchFailure(
          op, "divisor constant does not have the result's shape");
    SmallVector<double> perChannel(divisor->begin(), divisor->begin() + c);
    if (llvm::all_of(perChannel, [&](double d) { return d == perChannel[0]; }))
      return rewriter.notifyMatchFailure(
          op, "one divisor for all elements (a table, FoldElementwiseChain)");
    for (size_t i = 0; i < n; ++i)
      if ((*divisor)[i] != perChannel[i % c])
        return rewriter.notifyMatchFailure(
            op, "divisor varies along an outer dimension (only per-channel "
                "divisors of the innermost dimension fold)");
    for (double d : perChannel)
      if (!(d > 0) || !std::isfinite(d))
        return rewriter.notifyMatchFailure(
            op, "a divisor <= 0 or not finite (rescale multipliers are >= 0)");
    FailureOr<QuantizedOperand> x =
        matchQuantizedOperand(rewriter, op, op.getLhs(), "the dividend");
    if (failed(x))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/true);
    if (failed(result))
      return failure();
    SmallVector<double> real;
    for (double d : perChannel)
      real.push_back(x->type.getScale() / (d * result->type.getScale()));
    FailureOr<RescaleParams> params =
        matchRescale(rewriter, op, real, x->type.getZeroPoint(),
                     result->type.getZeroPoint());
    if (failed(params))
      return failure();
    Value xi = materializeInteger(rewriter, op.getLoc(), x->quant);
    replaceWithRescaled(rewriter, op, *result, xi, *params);
    return success();
  }
};

} // namespace

void populateFoldDivPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldDivByChannelConstant>(patterns.getContext());
}

} // namespace tessera::quant
