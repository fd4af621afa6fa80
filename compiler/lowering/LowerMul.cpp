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
// in the constant image. Input rescales with another multiplier are not
// ELTWISE mul
// (it has no input scaling) and are left for diagnoseUnlowered.
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
    auto ra = mul.getInput1().getDefiningOp<tosa::RescaleOp>();
    auto rb = mul.getInput2().getDefiningOp<tosa::RescaleOp>();
    auto ro = soleUser<tosa::RescaleOp>(mul.getResult());
    if (!ra || !rb || !ro || !onlyUsedBy(ra.getResult(), mul) ||
        !onlyUsedBy(rb.getResult(), mul))
      return rewriter.notifyMatchFailure(mul, "expected rescaled operands "
                                              "and one rescale user");
    for (Value v : {ra.getInput(), rb.getInput()}) {
      auto t = cast<RankedTensorType>(v.getType());
      // B may be one element broadcast to all (ELTWISE bcast = scalar).
      bool scalarB = v == rb.getInput() && isScalarShape(t) && t.getRank() &&
                     type.getRank() == t.getRank();
      if (t.getShape() != type.getShape() && !scalarB)
        return rewriter.notifyMatchFailure(mul, "broadcasting mul");
      if (!t.getElementType().isSignlessInteger(8))
        return rewriter.notifyMatchFailure(mul, "expected i8 inputs");
    }
    RescaleParams a, b, o;
    std::string why;
    if (!readRescale(ra, a, why) || !readRescale(rb, b, why) ||
        !readRescale(ro, o, why))
      return rewriter.notifyMatchFailure(mul, why);
    for (const RescaleParams *p : {&a, &b})
      if (!isZeroPointRemoval(*p))
        return rewriter.notifyMatchFailure(
            mul, "input rescale is not zero-point removal (by exactly 1)");
    if (o.multiplier.size() != 1 || o.inputZp != 0)
      return rewriter.notifyMatchFailure(
          mul, "output rescale is per channel or has an input zero point");
    auto outType = cast<RankedTensorType>(ro.getType());
    Type outElem = outType.getElementType();
    if (!isa<IntegerType>(outElem) || outElem.getIntOrFloatBitWidth() > 16)
      return rewriter.notifyMatchFailure(mul, "expected an i8/i16 result");
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    Operation *last = ro;
    if (Operation *clamp = absorbClamp(ro.getResult(), lo, hi))
      last = clamp;
    auto op = npu::MulOp::create(
        rewriter, rewriter.getFusedLoc({mul.getLoc(), last->getLoc()}), outType,
        materializeConstant(rewriter, ra.getInput(), nullptr),
        materializeConstant(rewriter, rb.getInput(), nullptr), a.inputZp,
        b.inputZp, o.outputZp, o.multiplier[0], o.shift[0], o.doubleRound, lo,
        hi, /*layer=*/0);
    tagLayer(op, onnxNodeName(mul), "Mul");
    llvm::SmallVector<Operation *> fused = {ro, mul, ra};
    if (rb != ra)
      fused.push_back(rb);
    replaceFused(rewriter, last, op.getResult(), fused);
    return success();
  }
};

} // namespace

void populateLowerMulPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMul>(patterns.getContext());
}

} // namespace tessera::lowering
