//===- LowerClamp.cpp - stand-alone clamp -> identity npu.rescale ---------===//
//
// A clamp that no conv, add or rescale absorbed (a ReLU sharing its input's
// quantization, or one after a pool or concat) is an npu.rescale by exactly
// 1 (multiplier 2^30, shift 30: (v * 2^30 + 2^29) >> 30 == v for every
// int32 v) with the clamp's bounds; codegen emits it as ELTWISE clamp.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

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

} // namespace

void populateLowerClampPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerClamp>(patterns.getContext());
}

} // namespace tessera::lowering
