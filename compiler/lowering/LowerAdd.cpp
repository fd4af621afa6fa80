//===- LowerAdd.cpp - rescale, rescale -> add -> rescale (+ clamp) -> npu.add
//===//
//
// The integer residual add of --tessera-fold-to-integer (TFLite's quantized
// ADD): each i8 input is rescaled to i32 (its multiplier carrying the left
// shift), the i32 values are added, and the sum is rescaled to i8 and
// optionally clamped (tosa.sub, tosa.maximum, tosa.minimum likewise: npu.add
// with kind "sub", "max", "min", ELTWISE sub, max, min; sub's operands are
// not swapped). The NPU's ELTWISE add computes exactly this with
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

/// The npu.add kind and layer type of tosa.add, sub, maximum, minimum.
template <typename OpTy> struct AddKind;
template <> struct AddKind<tosa::AddOp> {
  static constexpr const char *kind = "add", *layer = "Add";
};
template <> struct AddKind<tosa::SubOp> {
  static constexpr const char *kind = "sub", *layer = "Sub";
};
template <> struct AddKind<tosa::MaximumOp> {
  static constexpr const char *kind = "max", *layer = "Max";
};
template <> struct AddKind<tosa::MinimumOp> {
  static constexpr const char *kind = "min", *layer = "Min";
};

/// tosa.add, or tosa.sub / maximum / minimum (npu.add of that kind: ELTWISE
/// sub, max, min).
template <typename OpTy> struct LowerAdd : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  static constexpr bool kSub = std::is_same_v<OpTy, tosa::SubOp>;
  LogicalResult matchAndRewrite(OpTy add,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(add.getType());
    if (!type.getElementType().isInteger(32))
      return rewriter.notifyMatchFailure(
          add, "expected an i32 add, sub, maximum or minimum");
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
    // Mixed i8 / i16 operands (per-node precision) are fine: ELTWISE has
    // a_dtype and b_dtype.
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
      return rewriter.notifyMatchFailure(
          add, std::string("broadcasting ") + AddKind<OpTy>::kind + ": " + why);
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
    if constexpr (!std::is_same_v<OpTy, tosa::AddOp>)
      op.setKind(AddKind<OpTy>::kind); // "add" is the default, not printed
    std::string act = activationName(lo, hi, o.outputZp, intTypeMin(outElem),
                                     intTypeMax(outElem));
    std::string type0 = AddKind<OpTy>::layer;
    tagLayer(op, onnxNodeName(add), act.empty() ? type0 : type0 + "+" + act);
    replaceFused(rewriter, last, op.getResult(),
                 {ro.getOperation(), add.getOperation(), ra.getOperation(),
                  rb.getOperation()});
    return success();
  }
};

} // namespace

void populateLowerAddPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerAdd<tosa::AddOp>, LowerAdd<tosa::SubOp>,
               LowerAdd<tosa::MaximumOp>, LowerAdd<tosa::MinimumOp>>(
      patterns.getContext());
}

} // namespace tessera::lowering
