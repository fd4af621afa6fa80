//===- LowerSelect.cpp - compare + select -> npu.compare, npu.select ------===//
//
// The integer comparisons and select of --tessera-fold-to-integer
// (FoldCompare.cpp):
//   c = greater | greater_equal | equal (wa, wb)  (i32 -> i1), each wk a
//       rescale i8 -> i32 (one multiplier, output_zp 0) or an i32 constant
//   out = select(c, [clamp](rescale(x)) | x, [clamp](rescale(y)) | y)  (i8)
// become npu.compare (ELTWISE cmp_gt / cmp_ge / cmp_eq, the bool tensor
// stored as 0 / 1 bytes) and npu.select (ELTWISE select, the condition at
// its third SRAM address): the TOSA i1 value never reaches the NPU, whose
// tensors are bytes, so the pattern rewrites the select and builds the
// comparison it reads (a comparison read by several selects is computed
// once per select). An i32 constant operand is a threshold read with the
// identity multiplier (2^30, 30: exact for every int32). Broadcasting as
// for npu.add: b may be one element or [1, ..., 1, C]; a broadcast constant
// is materialized at the full shape.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

/// One side of a comparison: the narrow value read and its rescale to i32.
struct CompareOperand {
  Value value;
  RescaleParams params;
};

/// `v` (an i32 operand of the comparison) as a narrow value and its
/// rescale, or an i32 constant with the identity.
bool readCompareOperand(tosa::RescaleOp rescale, Value v, CompareOperand &out,
                        std::string &why) {
  if (rescale) {
    if (!readRescale(rescale, out.params, why))
      return false;
    if (out.params.multiplier.size() != 1 || out.params.outputZp != 0) {
      why = "expected a per-tensor rescale to i32 with output_zp 0";
      return false;
    }
    out.value = rescale.getInput();
    return true;
  }
  if (!readIntConstant(v)) {
    why = "expected each compared operand to be rescaled to i32 or an i32 "
          "constant";
    return false;
  }
  out.value = v;
  out.params.multiplier = {kIdentityMultiplier};
  out.params.shift = {kIdentityShift};
  return true;
}

/// The operand `v` of the select and the rescale that moves it to the
/// output (identity with zero point `outZp` when there is none); [lo, hi]
/// is narrowed by a clamp after that rescale.
void readSelectOperand(Value v, int64_t outZp, Value &value,
                       RescaleParams &params, int64_t &lo, int64_t &hi,
                       SmallVectorImpl<Operation *> &fused, bool &ok,
                       std::string &why) {
  Value x = v;
  tosa::ClampOp clamp = x.getDefiningOp<tosa::ClampOp>();
  if (clamp && clamp->hasOneUse() &&
      clamp.getInput().getDefiningOp<tosa::RescaleOp>()) {
    int64_t clo, chi;
    if (!readClamp(clamp, clo, chi)) {
      ok = false;
      why = "expected integer clamp bounds";
      return;
    }
    lo = std::max(lo, clo);
    hi = std::min(hi, chi);
    fused.push_back(clamp);
    x = clamp.getInput();
  }
  auto rescale = x.getDefiningOp<tosa::RescaleOp>();
  auto in = rescale ? cast<RankedTensorType>(rescale.getInput().getType())
                    : RankedTensorType();
  if (rescale && rescale->hasOneUse() &&
      in.getElementType().getIntOrFloatBitWidth() <= 16) {
    if (!readRescale(rescale, params, why) || params.multiplier.size() != 1) {
      ok = false;
      if (why.empty())
        why = "expected a per-tensor rescale";
      return;
    }
    fused.push_back(rescale);
    value = rescale.getInput();
    return;
  }
  if (!fused.empty() && fused.back() == clamp.getOperation()) {
    // A clamp not after a rescale of ours: keep it as the operand.
    fused.pop_back();
    x = v;
  }
  value = x;
  params.multiplier = {kIdentityMultiplier};
  params.shift = {kIdentityShift};
  params.inputZp = outZp;
  params.outputZp = outZp;
}

struct LowerSelect : public OpRewritePattern<tosa::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::SelectOp select,
                                PatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(select.getType());
    Type outElem = outType.getElementType();
    if (!isa<IntegerType>(outElem) || outElem.getIntOrFloatBitWidth() > 16)
      return rewriter.notifyMatchFailure(select, "expected an i8/i16 select");
    Operation *cmp = select.getInput1().getDefiningOp();
    StringRef kind = isa_and_nonnull<tosa::GreaterOp>(cmp)        ? "gt"
                     : isa_and_nonnull<tosa::GreaterEqualOp>(cmp) ? "ge"
                     : isa_and_nonnull<tosa::EqualOp>(cmp)        ? "eq"
                                                                  : "";
    if (kind.empty())
      return rewriter.notifyMatchFailure(
          select, "expected the condition to be a greater, greater_equal or "
                  "equal");
    if (cast<RankedTensorType>(cmp->getResult(0).getType()).getShape() !=
        outType.getShape())
      return rewriter.notifyMatchFailure(
          select, "expected a condition of the result's shape");
    std::string why;
    CompareOperand ca, cb;
    if (!readCompareOperand(
            cmp->getOperand(0).getDefiningOp<tosa::RescaleOp>(),
            cmp->getOperand(0), ca, why) ||
        !readCompareOperand(
            cmp->getOperand(1).getDefiningOp<tosa::RescaleOp>(),
            cmp->getOperand(1), cb, why))
      return rewriter.notifyMatchFailure(select, why);
    if (ca.params.doubleRound != cb.params.doubleRound)
      return rewriter.notifyMatchFailure(select, "mixed rounding modes");

    // The select's operands and their requantization to the output.
    int64_t outZp = 0;
    for (Value v : {select.getInput2(), select.getInput3()}) {
      Value x = v;
      if (auto c = x.getDefiningOp<tosa::ClampOp>())
        x = c.getInput();
      if (auto r = x.getDefiningOp<tosa::RescaleOp>()) {
        RescaleParams p;
        if (readRescale(r, p, why))
          outZp = p.outputZp;
      }
    }
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    SmallVector<Operation *> fused;
    Value xa, xb;
    RescaleParams pa, pb;
    bool ok = true;
    readSelectOperand(select.getInput2(), outZp, xa, pa, lo, hi, fused, ok,
                      why);
    if (ok)
      readSelectOperand(select.getInput3(), outZp, xb, pb, lo, hi, fused, ok,
                        why);
    if (!ok)
      return rewriter.notifyMatchFailure(select, why);
    if (pa.outputZp != pb.outputZp || pa.doubleRound != pb.doubleRound)
      return rewriter.notifyMatchFailure(
          select, "expected both operands requantized to one output");
    if (cast<RankedTensorType>(xa.getType()).getElementType() !=
        cast<RankedTensorType>(xb.getType()).getElementType())
      return rewriter.notifyMatchFailure(select, "mixed operand types");

    // Last checks, as they may create ops (constants, broadcast copies).
    auto cmpType = RankedTensorType::get(outType.getShape(),
                                         rewriter.getIntegerType(8));
    Value a = ca.value, b = cb.value;
    bool swapped = false;
    if (!arrangeBinaryOperands(rewriter, cmpType, a, b,
                               /*commutative=*/kind == "eq", swapped, why))
      return rewriter.notifyMatchFailure(select, "broadcasting compare: " + why);
    if (swapped)
      std::swap(ca, cb);
    bool selSwapped = false;
    if (!arrangeBinaryOperands(rewriter, outType, xa, xb,
                               /*commutative=*/false, selSwapped, why))
      return rewriter.notifyMatchFailure(select, "broadcasting select: " + why);

    std::string node = onnxNodeName(cmp);
    auto compare = npu::CompareOp::create(
        rewriter, cmp->getLoc(), cmpType, a, b, kind, ca.params.inputZp,
        ca.params.multiplier[0], ca.params.shift[0], cb.params.inputZp,
        cb.params.multiplier[0], cb.params.shift[0], ca.params.doubleRound,
        /*layer=*/0);
    tagLayer(compare, node,
             kind == "eq" ? "Equal" : kind == "gt" ? "Greater" : "GreaterEqual");
    auto op = npu::SelectOp::create(
        rewriter, select.getLoc(), outType, compare.getResult(), xa, xb,
        pa.inputZp, pa.multiplier[0], pa.shift[0], pb.inputZp,
        pb.multiplier[0], pb.shift[0], pa.outputZp, pa.doubleRound, lo, hi,
        /*layer=*/0);
    tagLayer(op, onnxNodeName(select), "Where");
    rewriter.replaceOp(select, op.getResult());
    for (Operation *f : fused)
      if (f->use_empty())
        rewriter.eraseOp(f);
    // The comparison and its rescales, once no other select reads them.
    if (cmp->use_empty()) {
      SmallVector<Operation *> widen;
      for (Value v : cmp->getOperands())
        if (Operation *def = v.getDefiningOp())
          widen.push_back(def);
      rewriter.eraseOp(cmp);
      for (Operation *def : widen)
        if (def->use_empty())
          rewriter.eraseOp(def);
    }
    return success();
  }
};

} // namespace

void populateLowerSelectPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSelect>(patterns.getContext());
}

} // namespace tessera::lowering
