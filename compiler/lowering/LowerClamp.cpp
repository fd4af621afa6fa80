//===- LowerClamp.cpp - stand-alone clamp -> identity npu.rescale ---------===//
//
// A clamp that no conv, add or rescale absorbed (a ReLU sharing its input's
// quantization, or one after a pool or concat) is an npu.rescale by exactly
// 1 (multiplier 2^30, shift 30: (v * 2^30 + 2^29) >> 30 == v for every
// int32 v) with the clamp's bounds; codegen emits it as ELTWISE clamp.
// Before any rewrite, eraseRedundantClamps drops the clamps that cannot
// change their input: symmetric schemes clamp to [-127, 127] after every
// op, also after a reshape/transpose/slice/pad of an already clamped value
// (a decomposed ConvTranspose has four of those).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

#include <limits>

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerClamp : public OpRewritePattern<tosa::ClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ClampOp clamp,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(clamp.getType());
    Type elem = type.getElementType();
    if (!isa<IntegerType>(elem) || elem.getIntOrFloatBitWidth() > 16)
      return rewriter.notifyMatchFailure(clamp, "expected i8/i16");
    // Leave clamps that a conv/add/rescale rewrite will absorb to it.
    if (Operation *def = clamp.getInput().getDefiningOp())
      if (isa<tosa::RescaleOp>(def) && def->hasOneUse())
        return rewriter.notifyMatchFailure(clamp, "fused into its rescale");
    int64_t lo, hi;
    if (!readClamp(clamp, lo, hi))
      return rewriter.notifyMatchFailure(clamp, "expected integer bounds");
    lo = std::max(lo, intTypeMin(elem));
    hi = std::min(hi, intTypeMax(elem));
    auto op = npu::RescaleOp::create(
        rewriter, clamp.getLoc(), type, clamp.getInput(), /*input_zp=*/0,
        /*output_zp=*/0, llvm::ArrayRef<int32_t>{kIdentityMultiplier},
        llvm::ArrayRef<int32_t>{kIdentityShift}, /*double_round=*/false, lo, hi,
        /*layer=*/0);
    tagLayer(op, onnxNodeName(clamp), "Clip");
    rewriter.replaceOp(clamp, op.getResult());
    return success();
  }
};

/// The bounds every element of `v` is known to lie in: those of the clamp
/// it comes from through data movement (reshape, transpose, slice, and pad
/// with a constant value, which joins the range).
bool knownRange(Value v, int64_t &lo, int64_t &hi) {
  int64_t padLo = std::numeric_limits<int64_t>::max(),
          padHi = std::numeric_limits<int64_t>::min();
  while (Operation *def = v.getDefiningOp()) {
    if (auto c = dyn_cast<tosa::ClampOp>(def)) {
      if (!readClamp(c, lo, hi))
        return false;
      lo = std::min(lo, padLo);
      hi = std::max(hi, padHi);
      return true;
    }
    if (auto p = dyn_cast<tosa::PadOp>(def)) {
      auto value = readScalarConstant(p.getPadConst());
      if (!value)
        return false;
      padLo = std::min(padLo, *value);
      padHi = std::max(padHi, *value);
    } else if (!isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp>(def)) {
      return false;
    }
    v = def->getOperand(0);
  }
  return false;
}

} // namespace

unsigned eraseRedundantClamps(func::FuncOp func) {
  llvm::SmallVector<tosa::ClampOp> dead;
  func.walk([&](tosa::ClampOp clamp) {
    int64_t lo, hi, inLo, inHi;
    if (isa<IntegerType>(clamp.getType().getElementType()) &&
        readClamp(clamp, lo, hi) && knownRange(clamp.getInput(), inLo, inHi) &&
        lo <= inLo && inHi <= hi)
      dead.push_back(clamp);
  });
  for (tosa::ClampOp clamp : dead) {
    clamp.getResult().replaceAllUsesWith(clamp.getInput());
    clamp->erase();
  }
  return dead.size();
}

void populateLowerClampPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerClamp>(patterns.getContext());
}

} // namespace tessera::lowering
