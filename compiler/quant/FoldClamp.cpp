//===- FoldClamp.cpp - Fold a stand-alone quantized clamp to integer ------===//
//
// A clamp whose input is dequantized (not fused into a conv/matmul/add):
//   dcast(x: s_in, z_in) -> clamp [lo, hi] -> qcast(s_out, z_out)
// becomes clamp(requantize(x_i8 to s_out, z_out), q(lo), q(hi)) where q()
// quantizes with the output parameters (core/quant, round half to even):
// real 0 maps to z_out exactly, so ReLU's floor is exact. --tessera-quantize
// gives such a clamp its input's quantization, so no rescale is emitted.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

struct FoldClamp : public OpRewritePattern<tosa::ClampOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::ClampOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, op.getInput(), "input",
                              /*allowI16=*/true);
    if (failed(input))
      return failure();
    auto minVal = dyn_cast<FloatAttr>(op.getMinValAttr());
    auto maxVal = dyn_cast<FloatAttr>(op.getMaxValAttr());
    if (!minVal || !maxVal)
      return rewriter.notifyMatchFailure(op, "expected float clamp bounds");
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false,
                             /*allowI16=*/true);
    if (failed(result))
      return failure();
    llvm::Expected<std::optional<RescaleParams>> requant =
        computeRequantize(input->type, result->type);
    if (!requant)
      return rewriter.notifyMatchFailure(op,
                                         llvm::toString(requant.takeError()));
    auto [lo, hi] = quantizedClampBounds(
        result->type, minVal.getValueAsDouble(), maxVal.getValueAsDouble());

    Location loc = op.getLoc();
    Value out = applyRequantize(rewriter, loc,
                                materializeInteger(rewriter, loc, input->quant),
                                *requant, result->type.getStorageType());
    out = createIntClamp(rewriter, loc, out, lo, hi);
    replaceWithInteger(rewriter, op, *result, out);
    return success();
  }
};

} // namespace

void populateFoldClampPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldClamp>(patterns.getContext());
}

} // namespace tessera::quant
