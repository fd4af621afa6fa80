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
// can overflow. With both zero points 0 the fold multiplies the i8 values
// directly (no widening rescales): the same op with a_zp = b_zp = 0.
// Broadcasting: the operands are swapped so that a has the result's shape;
// b may be a single element (bcast = scalar) or a [1, ..., 1, C] vector
// (bcast = channel: squeeze-excitation's gate, a per-channel constant);
// constant operands (behind reshapes) become tosa.const operands that
// codegen puts in the constant image, materialized at the full shape for
// any other broadcast. Input rescales with another multiplier are not
// ELTWISE mul (it has no input scaling) and are left for diagnoseUnlowered.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

/// Whether every user of `v` is `op`.
bool onlyUsedBy(Value v, Operation *op) {
  return llvm::all_of(v.getUsers(), [&](Operation *u) { return u == op; });
}

/// One factor of the i32 mul: an i8 value rescaled to i32 by exactly 1
/// (x - zp), used only by the mul, or an i8 value multiplied directly (both
/// zero points 0, FoldMul's i8 x i8 -> i32 form).
struct Factor {
  Value input;
  int64_t zp = 0;
  tosa::RescaleOp rescale;
};

LogicalResult readFactor(tosa::MulOp mul, Value v, Factor &f,
                         std::string &why) {
  if (auto r = v.getDefiningOp<tosa::RescaleOp>()) {
    RescaleParams p;
    if (!readRescale(r, p, why))
      return failure();
    if (!isZeroPointRemoval(p)) {
      why = "input rescale is not zero-point removal (by exactly 1)";
      return failure();
    }
    if (!onlyUsedBy(r.getResult(), mul)) {
      why = "an input rescale has other users";
      return failure();
    }
    f = {r.getInput(), p.inputZp, r};
  } else {
    f = {v, 0, nullptr};
  }
  Type e = cast<RankedTensorType>(f.input.getType()).getElementType();
  if (!e.isSignlessInteger(8) && !e.isSignlessInteger(16)) {
    why = "expected i8 or i16 inputs (rescaled to i32 by exactly 1, or "
          "multiplied directly)";
    return failure();
  }
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
    Factor fa, fb;
    std::string why;
    if (failed(readFactor(mul, mul.getInput1(), fa, why)) ||
        failed(readFactor(mul, mul.getInput2(), fb, why)))
      return rewriter.notifyMatchFailure(mul, why);
    auto ro = soleUser<tosa::RescaleOp>(mul.getResult());
    if (!ro)
      return rewriter.notifyMatchFailure(mul, "expected one rescale user");
    RescaleParams o;
    if (!readRescale(ro, o, why))
      return rewriter.notifyMatchFailure(mul, why);
    if (o.multiplier.size() != 1 || o.inputZp != 0)
      return rewriter.notifyMatchFailure(
          mul, "output rescale is per channel or has an input zero point");
    auto outType = cast<RankedTensorType>(ro.getType());
    Type outElem = outType.getElementType();
    if (!isa<IntegerType>(outElem) || outElem.getIntOrFloatBitWidth() > 16)
      return rewriter.notifyMatchFailure(mul, "expected an i8/i16 result");
    // Broadcasting: the full-shaped operand becomes a (mul commutes), the
    // other may be one element or a per-channel vector (ELTWISE bcast).
    Value a = fa.input, b = fb.input;
    bool swapped = false;
    if (!arrangeBinaryOperands(rewriter, type, a, b, /*commutative=*/true,
                               swapped, why))
      return rewriter.notifyMatchFailure(mul, "broadcasting mul: " + why);
    if (swapped)
      std::swap(fa, fb);
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    Operation *last = ro;
    if (Operation *clamp = absorbClamp(ro.getResult(), lo, hi))
      last = clamp;
    auto op = npu::MulOp::create(
        rewriter, rewriter.getFusedLoc({mul.getLoc(), last->getLoc()}), outType,
        materializeConstant(rewriter, a, nullptr), b, fa.zp, fb.zp,
        o.outputZp, o.multiplier[0], o.shift[0], o.doubleRound, lo, hi,
        /*layer=*/0);
    tagLayer(op, onnxNodeName(mul), "Mul");
    llvm::SmallVector<Operation *> fused = {ro, mul};
    for (tosa::RescaleOp r : {fa.rescale, fb.rescale})
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
