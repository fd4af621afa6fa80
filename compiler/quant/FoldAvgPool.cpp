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
// - any other (windowed) pool rounds once per output too, with a
//   multiplier per output position, since the window's in-bounds count n
//   varies at padded borders (TFLite's reference divides by the actual count
//   as well):
//     depthwise_conv2d(x_i8, weights 1, input_zp z_in) -> i32 window sums
//       (exact; padding neither summed nor counted, as avg_pool2d)
//     -> mul by M[oy, ox] with shift s (i32, one rounding), where (m, s)
//        quantizes s_in / s_out and M = quant::perCountMultiplier(m, n)
//     -> rescale i32 -> i8 by 1 to z_out (exact)
//   (the NPU runs this as one POOL with cip = 0 and mult = m, per_count).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"
#include "core/kernels/Pool.h"
#include "core/quant/Quant.h"

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
    Type storage = result.type.getStorageType(); // i8 or i16
    Value out = createRescale(rewriter, loc, sum, storage, *toOut);
    copyDiscardableAttrs(op, out.getDefiningOp());
    out = createIntClamp(rewriter, loc, out, lo, hi);
    replaceWithInteger(rewriter, op, result, out);
    return success();
  }

  /// Windowed pool with a change of scale: exact i32 window sums, one
  /// rounding by a per-position multiplier.
  LogicalResult foldWindowed(tosa::AvgPool2dOp op,
                             const QuantizedOperand &input,
                             const QuantizedResult &result,
                             PatternRewriter &rewriter) const {
    mq::UniformQuantizedType inType = input.type;
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape();
    auto outShape = cast<RankedTensorType>(op.getType()).getShape();
    if (inShape.size() != 4)
      return rewriter.notifyMatchFailure(op, "expected an NHWC input");
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                      pad = op.getPad();
    kernels::Pool2DParams p;
    p.inH = inShape[1];
    p.inW = inShape[2];
    p.kernelH = kernel[0];
    p.kernelW = kernel[1];
    p.strideH = stride[0];
    p.strideW = stride[1];
    p.padTop = pad[0];
    p.padBottom = pad[1];
    p.padLeft = pad[2];
    p.padRight = pad[3];
    const double ratio = inType.getScale() / result.type.getScale();
    // |x - z_in| <= 255: the scaled mean must stay an i32 (TOSA mul), and
    // the window sum is exact for windows below 2^23 values.
    if (255.0 * ratio >= 2147483647.0 || kernel[0] * kernel[1] >= (1 << 23))
      return rewriter.notifyMatchFailure(op, "scale ratio or window too large");
    FailureOr<RescaleParams> base = matchRescale(rewriter, op, {ratio}, 0, 0);
    FailureOr<RescaleParams> toOut =
        matchRescale(rewriter, op, {1.0}, 0, result.type.getZeroPoint());
    if (failed(base) || failed(toOut))
      return failure();
    const auto m = static_cast<int32_t>(base->multipliers[0]);
    const int64_t oh = outShape[1], ow = outShape[2], c = inShape[3];
    SmallVector<int64_t> perPosition;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        perPosition.push_back(
            quant::perCountMultiplier(m, kernels::windowCount(p, oy, ox)));
    auto [lo, hi] = resultClampBounds(result);
    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    Value x = materializeInteger(rewriter, loc, input.quant);
    auto sumType = withElementType(op.getType(), i32);
    Value ones = createIntConst(rewriter, loc, {kernel[0], kernel[1], c, 1}, i8,
                                SmallVector<int64_t>(kernel[0] * kernel[1] * c, 1));
    Value zeros = createIntConst(rewriter, loc, {c}, i32,
                                 SmallVector<int64_t>(c, 0));
    Value sum = tosa::DepthwiseConv2DOp::create(
        rewriter, loc, sumType, x, ones, zeros,
        createZeroPoint(rewriter, loc, i8, inType.getZeroPoint()),
        createZeroPoint(rewriter, loc, i8, 0), op.getPadAttr(),
        op.getStrideAttr(), rewriter.getDenseI64ArrayAttr({1, 1}),
        TypeAttr::get(i32));
    Value multipliers = createIntConst(rewriter, loc, {1, oh, ow, 1}, i32,
                                       perPosition);
    Value shift = createIntConst(rewriter, loc, {1}, i8, {base->shifts[0]});
    Value scaled =
        tosa::MulOp::create(rewriter, loc, sumType, sum, multipliers, shift);
    Value out = createRescale(rewriter, loc, scaled,
                              getElementTypeOrSelf(x.getType()), *toOut);
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
        matchQuantizedOperand(rewriter, op, op.getInput(), "input",
                              /*allowI16=*/true);
    if (failed(input))
      return failure();
    mq::UniformQuantizedType inType = input->type;
    FailureOr<QuantizedResult> result = matchQuantizedResult(
        rewriter, op, /*allowFusedClamp=*/false, /*allowI16=*/true);
    if (failed(result))
      return failure();
    bool wide =
        storageWidth(inType) == 16 || storageWidth(result->type) == 16;

    bool sameScale = inType.getScale() == result->type.getScale();
    auto inShape = cast<RankedTensorType>(op.getInput().getType()).getShape();
    ArrayRef<int64_t> kernel = op.getKernel();
    bool global = inShape.size() == 4 && kernel[0] == inShape[1] &&
                  kernel[1] == inShape[2] &&
                  llvm::all_of(op.getPad(), [](int64_t p) { return p == 0; });
    // int16 (either side): the global form only (an exact i32 sum and one
    // rescale to the result's storage type, whatever the scales).
    if (global && (wide || !sameScale))
      return foldGlobal(op, *input, *result, rewriter);
    if (wide)
      return rewriter.notifyMatchFailure(
          op, "a windowed average pool has no int16 integer form yet");
    if (!sameScale)
      return foldWindowed(op, *input, *result, rewriter);
    auto [lo, hi] = resultClampBounds(*result);

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    // The same scale: TOSA's avg_pool2d rounds once (reciprocal_scale).
    Value inputI8 = materializeInteger(rewriter, loc, input->quant);
    auto pool = tosa::AvgPool2dOp::create(
        rewriter, loc, withElementType(op.getType(), i8), inputI8,
        createZeroPoint(rewriter, loc, i8, inType.getZeroPoint()),
        createZeroPoint(rewriter, loc, i8, result->type.getZeroPoint()),
        op.getKernelAttr(),
        op.getStrideAttr(), op.getPadAttr(), TypeAttr::get(i32));
    copyDiscardableAttrs(op, pool);
    Value out = createIntClamp(rewriter, loc, pool, lo, hi);
    replaceWithInteger(rewriter, op, *result, out);
    return success();
  }
};

} // namespace

void populateFoldAvgPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldAvgPool>(patterns.getContext());
}

} // namespace tessera::quant
