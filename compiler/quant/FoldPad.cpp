//===- FoldPad.cpp - Fold a quantized pad to integer ----------------------===//
//
//   dcast(x: s_in, z_in) -> pad(pad_const c) -> qcast(s_out, z_out)
// becomes pad(requantize(x_i8 to s_out, z_out), q(c)) where q(c) quantizes
// the pad value with the output parameters (core/quant, round half to even;
// c = 0 pads with z_out, real zero). --tessera-quantize gives pad its input's
// quantization, so normally no rescale is emitted.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

struct FoldPad : public OpRewritePattern<tosa::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::PadOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, op.getInput1(), "input",
                              /*allowI16=*/true);
    if (failed(input))
      return failure();
    std::optional<SmallVector<double>> padValue =
        readFloatConstant(op.getPadConst());
    if (!padValue || padValue->size() != 1)
      return rewriter.notifyMatchFailure(
          op, "pad_const is not a one-element float tosa.const");
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
    // The pad value is a clamp of itself: quantized and kept in storage range.
    int64_t padQ =
        quantizedClampBounds(result->type, (*padValue)[0], std::nullopt).first;
    auto [lo, hi] = resultClampBounds(*result);

    Location loc = op.getLoc();
    Type storage = result->type.getStorageType();
    Value in = applyRequantize(rewriter, loc,
                               materializeInteger(rewriter, loc, input->quant),
                               *requant, result->type.getStorageType());
    Value padConst = createIntConst(
        rewriter, loc, cast<ShapedType>(op.getPadConst().getType()).getShape(),
        storage, {padQ});
    auto pad = tosa::PadOp::create(rewriter, loc,
                                   withElementType(op.getType(), storage), in,
                                   op.getPadding(), padConst);
    copyDiscardableAttrs(op, pad);
    // The result holds the (requantized) input and the pad value only.
    IntRange padded =
        hull(requantizedRange(input->type, *requant), {padQ, padQ});
    Value out = createIntClamp(rewriter, loc, pad, lo, hi, padded);
    replaceWithInteger(rewriter, op, *result, out);
    return success();
  }
};

} // namespace

void populateFoldPadPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldPad>(patterns.getContext());
}

} // namespace tessera::quant
