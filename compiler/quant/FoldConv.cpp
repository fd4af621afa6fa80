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
// int16 activations (TOSA's int16 profile): an i16 input with i8 weights
// accumulates in i48 (acc_type = i48, bias i48) and the rescale of the i48
// accumulator uses 16-bit multipliers (scale32 = false, apply_scale_16) as
// TOSA requires. int16 weights (orin's int16_symmetric) are i16 x i16 -> i48,
// an extension of TOSA's conv2d (TOSA defines it for matmul only). An i8
// input of a conv with int16 weights is first widened to i16 by an exact
// rescale (multiplier 1, its zero point removed). The i48 bias is what the
// NPU's int16 CONV reads (8 bytes per channel).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include <cmath>

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
    FailureOr<QuantizedOperand> input = matchQuantizedOperand(
        rewriter, op, op.getInput(), "input", /*allowI16=*/true);
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
    FailureOr<QuantizedResult> result = matchQuantizedResult(
        rewriter, op, /*allowFusedClamp=*/true, /*allowI16=*/true);
    if (failed(result))
      return failure();
    auto weightType = cast<mq::QuantizedType>(
        getElementTypeOrSelf(weight->quant.getType()));
    const bool wideWeight = weightType.getStorageTypeIntegralWidth() == 16;
    // An i8 input of i16 weights is widened to i16 (below).
    const bool wide = storageWidth(input->type) == 16 || wideWeight;

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
      // i32, saturated as before int16 existed (a channel whose weights
      // are all about 0 has a tiny s_w; onnxruntime instead raises that
      // channel's weight scale until the bias fits: not done yet), or for
      // int16 an i48 bias (|b| / (s_in s_w) < 2^47, else not folded).
      double q = b / (sIn * *sW);
      if (wide && std::abs(q) > 140737488355327.0)
        return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
          diag << "the bias of output channel " << oc
               << " does not fit 48 bits";
        });
      biasQ.push_back(wide ? static_cast<int64_t>(std::nearbyint(q))
                           : quantize(b, QParams{sIn * *sW, 0}, DType::Int32,
                                      Rounding::HalfEven));
      multipliers.push_back(sIn * *sW / sOut);
    }
    FailureOr<RescaleParams> rescale =
        matchRescale(rewriter, op, multipliers, 0, result->type.getZeroPoint(),
                     /*scale16=*/wide);
    if (failed(rescale))
      return failure();
    std::optional<RescaleParams> widen;
    if (wideWeight && storageWidth(input->type) == 8) {
      FailureOr<RescaleParams> p = matchRescale(
          rewriter, op, {1.0}, input->type.getZeroPoint(), /*outputZp=*/0);
      if (failed(p))
        return failure();
      widen = *p;
    }

    Location loc = op.getLoc();
    // i8 x i8 -> i32; i16 x (i8 | i16) -> i48 (stored in i64 by the
    // reference, apply_scale_16 on the rescale).
    Type accType = rewriter.getIntegerType(wide ? 48 : 32);
    Value inputInt = materializeInteger(rewriter, loc, input->quant);
    int64_t inputZpValue = input->type.getZeroPoint();
    if (widen) {
      inputInt = createRescale(rewriter, loc, inputInt, rewriter.getI16Type(),
                               *widen);
      inputZpValue = 0;
    }
    Type inElem = getElementTypeOrSelf(inputInt.getType());
    Value weightInt =
        materializeInteger(rewriter, weight->quant.getLoc(), weight->quant);
    Value biasInt = createIntConst(rewriter, loc, {channels}, accType, biasQ);
    Value inputZp = createZeroPoint(rewriter, loc, inElem, inputZpValue);
    Value weightZp =
        createZeroPoint(rewriter, loc, weightType.getStorageType(),
                        weight->params.zeroPoint);
    auto acc = OpTy::create(
        rewriter, loc, withElementType(outType, accType), inputInt, weightInt,
        biasInt, inputZp, weightZp, op.getPadAttr(), op.getStrideAttr(),
        op.getDilationAttr(), TypeAttr::get(accType), op.getLocalBoundAttr());
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
