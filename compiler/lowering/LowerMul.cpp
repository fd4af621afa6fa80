//===- LowerMul.cpp - rescale, rescale -> mul (i32) -> rescale -> npu.mul -===//
//
// The integer Mul of --tessera-fold-to-integer (docs/quantization-passes.md):
// each 8-bit input is rescaled to i32 by exactly 1 (multiplier 2^30, shift
// 30: apply_scale_32 returns a - a_zp unchanged), the i32 values are
// multiplied with shift 0, and the product is rescaled to i8 (+ clamp). The
// NPU's ELTWISE mul computes
//   applyScale32(sat32((a - a_zp) * (b - b_zp)), out_mult, out_shift) + out_zp
// which is the same arithmetic: |a - a_zp|, |b - b_zp| <= 255 (8-bit), so the
// product (<= 65025) is exact in int32 and neither TOSA's i32 mul nor sat32
// can overflow. B may be a single element (bcast = scalar); constant
// operands (behind reshapes) become tosa.const operands that codegen puts
// in the constant image; a constant that broadcasts along other dimensions
// is materialized at the full shape. With both zero points 0 the fold
// multiplies the i8 values directly (no widening rescales): the same
// instruction with a_zp = b_zp = 0. Input rescales with another multiplier
// are not ELTWISE mul (it has no input scaling) and are left for
// diagnoseUnlowered.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

bool isScalarShape(RankedTensorType t) {
  return llvm::all_of(t.getShape(), [](int64_t d) { return d == 1; });
}

/// Whether every user of `v` is `op`.
bool onlyUsedBy(Value v, Operation *op) {
  return llvm::all_of(v.getUsers(), [&](Operation *u) { return u == op; });
}

/// One factor of the i32 mul: an 8-bit value and the zero point removed from
/// it, either by a widening rescale by exactly 1 (kept in `widen` to be
/// erased) or, with zero point 0, by reading the i8 value directly (the
/// i8 x i8 -> i32 mul --tessera-fold-to-integer emits when both zero points
/// are 0, as with symmetric activations).
struct Factor {
  Value value;
  int64_t zp = 0;
  tosa::RescaleOp widen;
};

LogicalResult matchFactor(PatternRewriter &rewriter, tosa::MulOp mul,
                          Value operand, Factor &f) {
  if (auto r = operand.getDefiningOp<tosa::RescaleOp>()) {
    if (!onlyUsedBy(r.getResult(), mul))
      return rewriter.notifyMatchFailure(mul, "rescaled operand has other "
                                              "users");
    RescaleParams p;
    std::string why;
    if (!readRescale(r, p, why))
      return rewriter.notifyMatchFailure(mul, why);
    if (!isZeroPointRemoval(p))
      return rewriter.notifyMatchFailure(
          mul, "input rescale is not zero-point removal (by exactly 1)");
    f = {r.getInput(), p.inputZp, r};
    return success();
  }
  f = {operand, 0, nullptr};
  return success();
}

struct LowerMul : public OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MulOp mul,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(mul.getType());
    if (!type.getElementType().isInteger(32))
      return rewriter.notifyMatchFailure(mul, "expected an i32 mul");
    auto shift = readScalarConstant(mul.getShift());
    if (!shift || *shift != 0)
      return rewriter.notifyMatchFailure(mul, "expected shift 0");
    auto ro = soleUser<tosa::RescaleOp>(mul.getResult());
    if (!ro)
      return rewriter.notifyMatchFailure(mul, "expected one rescale user");
    Factor fa, fb;
    if (failed(matchFactor(rewriter, mul, mul.getInput1(), fa)) ||
        failed(matchFactor(rewriter, mul, mul.getInput2(), fb)))
      return failure();
    // The one-element factor goes to B (ELTWISE bcast = scalar).
    auto shapeOf = [](Value v) {
      return cast<RankedTensorType>(v.getType()).getShape();
    };
    auto scalar = [&](Value v) {
      auto t = cast<RankedTensorType>(v.getType());
      return t.getRank() == type.getRank() && isScalarShape(t);
    };
    if (scalar(fa.value) && !scalar(fb.value))
      std::swap(fa, fb);
    RescaleParams o;
    std::string why;
    if (!readRescale(ro, o, why))
      return rewriter.notifyMatchFailure(mul, why);
    if (o.multiplier.size() != 1 || o.inputZp != 0)
      return rewriter.notifyMatchFailure(
          mul, "output rescale is per channel or has an input zero point");
    auto outType = cast<RankedTensorType>(ro.getType());
    Type outElem = outType.getElementType();
    if (!isa<IntegerType>(outElem) || outElem.getIntOrFloatBitWidth() > 16)
      return rewriter.notifyMatchFailure(mul, "expected an i8/i16 result");
    for (Factor *f : {&fa, &fb})
      if (!cast<RankedTensorType>(f->value.getType())
               .getElementType()
               .isSignlessInteger(8))
        return rewriter.notifyMatchFailure(mul, "expected i8 inputs");
    // Any other broadcast operand must be a constant (an anchor grid of
    // [1, A, 1, 1, 2]): materialized at the full shape. (Last check: a
    // failure erases what was created.)
    llvm::SmallVector<Operation *> created;
    for (Factor *f : {&fa, &fb}) {
      if (shapeOf(f->value) == type.getShape() ||
          (f == &fb && scalar(f->value)))
        continue;
      auto elem = cast<RankedTensorType>(f->value.getType()).getElementType();
      Value c = materializeConstant(
          rewriter, f->value, RankedTensorType::get(type.getShape(), elem));
      if (!c) {
        for (Operation *op : created)
          rewriter.eraseOp(op);
        return rewriter.notifyMatchFailure(mul, "broadcasting mul of a "
                                                "non-constant");
      }
      created.push_back(c.getDefiningOp());
      f->value = c;
    }
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    Operation *last = ro;
    if (Operation *clamp = absorbClamp(ro.getResult(), lo, hi))
      last = clamp;
    auto op = npu::MulOp::create(
        rewriter, rewriter.getFusedLoc({mul.getLoc(), last->getLoc()}), outType,
        materializeConstant(rewriter, fa.value, nullptr),
        materializeConstant(rewriter, fb.value, nullptr), fa.zp, fb.zp,
        o.outputZp, o.multiplier[0], o.shift[0], o.doubleRound, lo, hi,
        /*layer=*/0);
    tagLayer(op, onnxNodeName(mul), "Mul");
    llvm::SmallVector<Operation *> fused = {ro, mul};
    for (tosa::RescaleOp r : {fa.widen, fb.widen})
      if (r && !llvm::is_contained(fused, r.getOperation()))
        fused.push_back(r);
    replaceFused(rewriter, last, op.getResult(), fused);
    return success();
  }
};

} // namespace

void populateLowerMulPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMul>(patterns.getContext());
}

} // namespace tessera::lowering
