//===- FoldAvgPool.cpp - Fold a quantized avg_pool2d to integer -----------===//
//
// tosa.avg_pool2d on i8 subtracts input_zp, averages in i32 (rounding as the
// TOSA spec defines) and adds output_zp; it cannot change the scale. So
//   dcast(x: s_in, z_in) -> avg_pool2d -> qcast(s_out, z_out)
// becomes avg_pool2d(x_i8, z_in, z_out) when s_in == s_out. Otherwise:
// - a global pool (the window is the whole unpadded plane: ONNX
//   GlobalAveragePool) becomes one sum and one rounding, as the ONNX
//   semantics rounds once:
//     rescale i8 -> i32 (x - z_in, exact) -> reduce_sum H -> reduce_sum W
//     -> rescale i32 -> i8 by s_in / (H * W * s_out), + z_out
//   (the NPU runs this as one POOL with a folded multiplier, cip = 1);
// - any other pool is avg_pool2d(x_i8, z_in, z_in) followed by an i8 -> i8
//   rescale by s_in / s_out: two roundings (the average of values in the
//   input range is in the input range, so the intermediate i8 cannot
//   saturate). The window's element count varies at padded borders, so no
//   single multiplier would do.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

struct FoldAvgPool : public OpRewritePattern<tosa::AvgPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  /// Global pool with a change of scale: exact i32 sum, one rescale.
  LogicalResult foldGlobal(tosa::AvgPool2dOp op, const QuantizedOperand &input,
                           const QuantizedResult &result,
                           PatternRewriter &rewriter) const {
    mq::UniformQuantizedType inType = input.type;
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape();
    const int64_t count = inShape[1] * inShape[2];
    // |x - z_in| < 2^16 for the 8- and 16-bit storage types: the sum of
    // `count` of them must stay an exact i32.
    if (count >= (int64_t(1) << 15))
      return rewriter.notifyMatchFailure(op, "window too large for an i32 sum");
    FailureOr<RescaleParams> toI32 =
        matchRescale(rewriter, op, {1.0}, inType.getZeroPoint(), 0);
    FailureOr<RescaleParams> toOut = matchRescale(
        rewriter, op,
        {inType.getScale() / (static_cast<double>(count) *
                              result.type.getScale())},
        0, result.type.getZeroPoint());
    if (failed(toI32) || failed(toOut))
      return failure();
    auto [lo, hi] = resultClampBounds(result);
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    Value x = materializeInteger(rewriter, loc, input.quant);
    Value sum = createRescale(rewriter, loc, x, i32, *toI32);
    for (int32_t axis : {1, 2}) {
      SmallVector<int64_t> shape(cast<RankedTensorType>(sum.getType()).getShape());
      shape[axis] = 1;
      sum = tosa::ReduceSumOp::create(rewriter, loc,
                                      RankedTensorType::get(shape, i32), sum,
                                      rewriter.getI32IntegerAttr(axis));
    }
    Type storage = getElementTypeOrSelf(x.getType());
    Value out = createRescale(rewriter, loc, sum, storage, *toOut);
    copyDiscardableAttrs(op, out.getDefiningOp());
    out = createIntClamp(rewriter, loc, out, lo, hi);
    replaceWithInteger(rewriter, op, result, out);
    return success();
  }

  LogicalResult matchAndRewrite(tosa::AvgPool2dOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, op.getInput(), "input");
    if (failed(input))
      return failure();
    mq::UniformQuantizedType inType = input->type;
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();

    bool sameScale = inType.getScale() == result->type.getScale();
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape();
    ArrayRef<int64_t> kernel = op.getKernel();
    bool global = inShape.size() == 4 && kernel[0] == inShape[1] &&
                  kernel[1] == inShape[2] &&
                  llvm::all_of(op.getPad(), [](int64_t p) { return p == 0; });
    if (!sameScale && global)
      return foldGlobal(op, *input, *result, rewriter);
    int64_t poolOutZp =
        sameScale ? result->type.getZeroPoint() : inType.getZeroPoint();
    std::optional<RescaleParams> rescale;
    if (!sameScale) {
      FailureOr<RescaleParams> p = matchRescale(
          rewriter, op, {inType.getScale() / result->type.getScale()},
          inType.getZeroPoint(), result->type.getZeroPoint());
      if (failed(p))
        return failure();
      rescale = *p;
    }
    auto [lo, hi] = resultClampBounds(*result);

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    Value inputI8 = materializeInteger(rewriter, loc, input->quant);
    auto pool = tosa::AvgPool2dOp::create(
        rewriter, loc, withElementType(op.getType(), i8), inputI8,
        createZeroPoint(rewriter, loc, i8, inType.getZeroPoint()),
        createZeroPoint(rewriter, loc, i8, poolOutZp), op.getKernelAttr(),
        op.getStrideAttr(), op.getPadAttr(), TypeAttr::get(i32));
    copyDiscardableAttrs(op, pool);
    Value out = pool;
    out = applyRequantize(rewriter, loc, out, rescale);
    out = createIntClamp(rewriter, loc, out, lo, hi);
    replaceWithInteger(rewriter, op, *result, out);
    return success();
  }
};

} // namespace

void populateFoldAvgPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldAvgPool>(patterns.getContext());
}

} // namespace tessera::quant
