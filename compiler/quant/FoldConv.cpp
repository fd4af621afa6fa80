//===- FoldConv.cpp - Fold a quantized conv2d/depthwise_conv2d to integer -===//
//
//   dcast(x: s_in, z_in), dcast(w: s_w[oc], z_w) -> conv (f32)
//     [-> clamp (fused activation)] -> qcast(s_out, z_out)
// becomes
//   conv2d(x_i8, w_i8, bias_i32, z_in, z_w) {acc_type = i32}
//     -> rescale(multiplier/shift of s_in * s_w[oc] / s_out, output_zp z_out)
//     -> clamp(quantized activation bounds)
// with bias_i32[oc] = round_half_even(bias[oc] / (s_in * s_w[oc])) and the
// multipliers from core/quant quantizeMultiplier (TFLite's conv reference
// epilogue: bias, requantize, + zero point, clamp).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

/// Weight scale of output channel `oc`, or none if the weight's quantization
/// axis is not one output channels map onto.
std::optional<double> weightScaleOf(Operation *op, const WeightQParams &w,
                                    ArrayRef<int64_t> weightShape, int64_t oc) {
  if (w.axis < 0)
    return w.scales[0];
  if (isa<tosa::Conv2DOp>(op))
    return w.axis == 0 ? std::optional<double>(w.scales[oc]) : std::nullopt;
  // depthwise [KH, KW, C, M]: output channel oc = c * M + m.
  int64_t m = weightShape[3];
  if (w.axis == 2)
    return w.scales[oc / m];
  if (w.axis == 3)
    return w.scales[oc % m];
  return std::nullopt;
}

template <typename OpTy> struct FoldConv : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, op.getInput(), "input");
    if (failed(input))
      return failure();
    FailureOr<QuantizedWeight> weight =
        matchQuantizedWeight(rewriter, op, op.getWeight(), "weight");
    if (failed(weight))
      return failure();
    std::optional<SmallVector<double>> bias = readRealValues(op.getBias());
    if (!bias)
      return rewriter.notifyMatchFailure(op, "bias is not a constant");
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t channels = outType.getShape().back();
    if (bias->size() != 1 && static_cast<int64_t>(bias->size()) != channels)
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "expected a bias of 1 or " << channels << " values but got "
             << bias->size();
      });
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/true);
    if (failed(result))
      return failure();

    // All arithmetic up front: nothing is built unless it all succeeds.
    ArrayRef<int64_t> weightShape =
        cast<ShapedType>(weight->quant.getType()).getShape();
    double sIn = input->type.getScale(), sOut = result->type.getScale();
    SmallVector<int64_t> biasQ;
    SmallVector<double> multipliers;
    for (int64_t oc = 0; oc < channels; ++oc) {
      std::optional<double> sW =
          weightScaleOf(op, weight->params, weightShape, oc);
      if (!sW)
        return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
          diag << "weight is quantized along axis " << weight->params.axis
               << ", which does not index output channels";
        });
      double b = (*bias)[bias->size() == 1 ? 0 : oc];
      biasQ.push_back(
          quantize(b, QParams{sIn * *sW, 0}, DType::Int32, Rounding::HalfEven));
      multipliers.push_back(sIn * *sW / sOut);
    }
    FailureOr<RescaleParams> rescale =
        matchRescale(rewriter, op, multipliers, 0, result->type.getZeroPoint());
    if (failed(rescale))
      return failure();

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    Value inputI8 = materializeInteger(rewriter, loc, input->quant);
    Value weightI8 =
        materializeInteger(rewriter, weight->quant.getLoc(), weight->quant);
    Value biasI32 = createIntConst(rewriter, loc, {channels}, i32, biasQ);
    Value inputZp =
        createZeroPoint(rewriter, loc, i8, input->type.getZeroPoint());
    Value weightZp =
        createZeroPoint(rewriter, loc, i8, weight->params.zeroPoint);
    auto acc = OpTy::create(
        rewriter, loc, withElementType(outType, i32), inputI8, weightI8,
        biasI32, inputZp, weightZp, op.getPadAttr(), op.getStrideAttr(),
        op.getDilationAttr(), TypeAttr::get(i32), op.getLocalBoundAttr());
    copyDiscardableAttrs(op, acc);
    replaceWithRescaled(rewriter, op, *result, acc, *rescale);
    return success();
  }
};

} // namespace

void populateFoldConvPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldConv<tosa::Conv2DOp>, FoldConv<tosa::DepthwiseConv2DOp>>(
      patterns.getContext());
}

} // namespace tessera::quant
