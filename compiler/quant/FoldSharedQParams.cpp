//===- FoldSharedQParams.cpp - Fold data-movement ops to integer ----------===//
//
// max_pool2d, reduce_max, reduce_min, concat, reshape, transpose, slice and
// tile move values without arithmetic, so on i8 they are the same op as on
// f32 provided every input has the output's quantization. --tessera-quantize
// gives them shared quantization; an input quantized differently (e.g. an
// imported QDQ model) is first requantized with an i8 -> i8 rescale by
// s_in / s_out (max and min are monotonic and the rescale is non-decreasing,
// so requantizing before max_pool2d / reduce_max / reduce_min equals
// requantizing after). The same holds for i16, and an i8 input of an i16
// result (per-node precision) is rescaled i8 -> i16.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

template <typename OpTy>
struct FoldSharedQParams : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op->getResult(0).getType()))
      return failure(); // already integer: not a reason to record
    SmallVector<std::pair<unsigned, QuantizedOperand>> floatOperands;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isFloatTensor(operand.get().getType()))
        continue; // shapes and other non-data operands are kept
      FailureOr<QuantizedOperand> input = matchQuantizedOperand(
          rewriter, op, operand.get(),
          "operand #" + Twine(operand.getOperandNumber()), /*allowI16=*/true);
      if (failed(input))
        return failure();
      floatOperands.push_back({operand.getOperandNumber(), *input});
    }
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false,
                             /*allowI16=*/true);
    if (failed(result))
      return failure();
    SmallVector<std::optional<RescaleParams>> requants;
    for (auto &[index, input] : floatOperands) {
      llvm::Expected<std::optional<RescaleParams>> p =
          computeRequantize(input.type, result->type);
      if (!p)
        return rewriter.notifyMatchFailure(op, llvm::toString(p.takeError()));
      requants.push_back(*p);
    }
    auto [lo, hi] = resultClampBounds(*result);

    // Moving values creates none: the result holds what the inputs hold.
    // An input that is rescaled (which saturates to the whole storage type)
    // is clamped to the result's storage range right after its rescale
    // (one npu.rescale with bounds, on that input only); the others are
    // already inside it, so the result needs no clamp.
    Location loc = op.getLoc();
    SmallVector<Value> operands(op->getOperands());
    for (auto [entry, requant] : llvm::zip(floatOperands, requants)) {
      Value input = materializeInteger(rewriter, loc, entry.second.quant);
      Value moved = applyRequantize(rewriter, loc, input, requant,
                                    result->type.getStorageType());
      if (requant)
        moved = createIntClamp(rewriter, loc, moved, lo, hi);
      operands[entry.first] = moved;
    }
    Operation *intOp = rewriter.clone(*op);
    intOp->setOperands(operands);
    intOp->getResult(0).setType(withElementType(op->getResult(0).getType(),
                                                result->type.getStorageType()));
    replaceWithInteger(rewriter, op, *result, intOp->getResult(0));
    return success();
  }
};

} // namespace

void populateFoldSharedQParamsPatterns(RewritePatternSet &patterns) {
  patterns.add<
      FoldSharedQParams<tosa::MaxPool2dOp>, FoldSharedQParams<tosa::ConcatOp>,
      FoldSharedQParams<tosa::ReshapeOp>, FoldSharedQParams<tosa::TransposeOp>,
      FoldSharedQParams<tosa::SliceOp>, FoldSharedQParams<tosa::ReduceMaxOp>,
      FoldSharedQParams<tosa::ReduceMinOp>, FoldSharedQParams<tosa::TileOp>>(
      patterns.getContext());
}

} // namespace tessera::quant
