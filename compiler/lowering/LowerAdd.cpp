//===- LowerAdd.cpp - rescale, rescale -> add -> rescale (+ clamp) -> npu.add
//===//
//
// The integer residual add of --tessera-fold-to-integer (TFLite's quantized
// ADD): each i8 input is rescaled to i32 (its multiplier carrying the left
// shift), the i32 values are added, and the sum is rescaled to i8 and
// optionally clamped (tosa.sub likewise: npu.add with subtract = true, ELTWISE
// sub; its operands are not swapped). The NPU's ELTWISE add computes exactly this with
// left_shift = 0 (docs/isa.md), so the five ops become one npu.add. A
// broadcast operand becomes b (the operands are swapped if needed): one
// element or a [1, ..., 1, C] vector is read by ELTWISE bcast scalar /
// channel; any other broadcast operand must be a constant and is
// materialized at the full shape (read from the constant image).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

#include <type_traits>

using namespace mlir;

namespace tessera::lowering {
namespace {

/// tosa.add, or tosa.sub (npu.add with subtract = true: ELTWISE sub).
template <typename OpTy> struct LowerAdd : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  static constexpr bool kSub = std::is_same_v<OpTy, tosa::SubOp>;
  LogicalResult matchAndRewrite(OpTy add,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(add.getType());
    if (!type.getElementType().isInteger(32))
      return rewriter.notifyMatchFailure(add, "expected an i32 add or sub");
    auto ra = add.getInput1().template getDefiningOp<tosa::RescaleOp>();
    auto rb = add.getInput2().template getDefiningOp<tosa::RescaleOp>();
    auto ro = soleUser<tosa::RescaleOp>(add.getResult());
    if (!ra || !rb || !ro || !ra->hasOneUse() || !rb->hasOneUse() || ra == rb)
      return rewriter.notifyMatchFailure(add, "expected rescaled operands "
                                              "and one rescale user");
    // Broadcasting: the full-shaped operand becomes a (add commutes); b may
    // be one element or a [1, ..., 1, C] vector (ELTWISE bcast); any other
    // broadcast operand must be a constant (YOLO's anchor grid) and is
    // materialized at the full shape.
    Value inA = ra.getInput(), inB = rb.getInput();
    if (cast<RankedTensorType>(inA.getType()).getElementType() !=
        cast<RankedTensorType>(inB.getType()).getElementType())
      return rewriter.notifyMatchFailure(add, "mixed operand types");
    std::string why;
    RescaleParams a, b, o;
    if (!readRescale(ra, a, why) || !readRescale(rb, b, why) ||
        !readRescale(ro, o, why))
      return rewriter.notifyMatchFailure(add, why);
    if (a.multiplier.size() != 1 || b.multiplier.size() != 1 ||
        o.multiplier.size() != 1)
      return rewriter.notifyMatchFailure(add, "per-channel rescale");
    if (a.outputZp != 0 || b.outputZp != 0 || o.inputZp != 0)
      return rewriter.notifyMatchFailure(add, "nonzero i32 zero point");
    if (a.doubleRound != o.doubleRound || b.doubleRound != o.doubleRound)
      return rewriter.notifyMatchFailure(add, "mixed rounding modes");
    // Last check, as it may create ops (constants, broadcast copies).
    bool swapped = false;
    if (!arrangeBinaryOperands(rewriter, type, inA, inB,
                               /*commutative=*/!kSub, swapped, why))
      return rewriter.notifyMatchFailure(add, "broadcasting add: " + why);
    if (swapped)
      std::swap(a, b);
    auto outType = cast<RankedTensorType>(ro.getType());
    Type outElem = outType.getElementType();
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    Operation *last = ro;
    if (Operation *clamp = absorbClamp(ro.getResult(), lo, hi))
      last = clamp;
    auto op = npu::AddOp::create(
        rewriter, rewriter.getFusedLoc({add.getLoc(), last->getLoc()}), outType,
        inA, inB, a.inputZp, a.multiplier[0], a.shift[0], b.inputZp,
        b.multiplier[0], b.shift[0], o.outputZp, o.multiplier[0], o.shift[0],
        o.doubleRound, lo, hi, /*layer=*/0);
    if (kSub)
      op.setSubtract(true);
    std::string act = activationName(lo, hi, o.outputZp, intTypeMin(outElem),
                                     intTypeMax(outElem));
    std::string type0 = kSub ? "Sub" : "Add";
    tagLayer(op, onnxNodeName(add), act.empty() ? type0 : type0 + "+" + act);
    replaceFused(rewriter, last, op.getResult(),
                 {ro.getOperation(), add.getOperation(), ra.getOperation(),
                  rb.getOperation()});
    return success();
  }
};

} // namespace

void populateLowerAddPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerAdd<tosa::AddOp>, LowerAdd<tosa::SubOp>>(
      patterns.getContext());
}

} // namespace tessera::lowering
