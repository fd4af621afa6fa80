//===- FoldResize.cpp - Fold a quantized resize to integer ----------------===//
//
// NEAREST_NEIGHBOR only selects input elements, so on i8 it is the same
// op; an input quantized differently from the output is first requantized
// (i8 -> i8 rescale by s_in / s_out; selecting then rescaling equals
// rescaling then selecting, and the input is the smaller tensor when
// upsampling):
//   dcast(x: s_in, z_in) -> resize nearest -> qcast(s_out, z_out)
//   => resize_i8(requantize(x_i8)).
// BILINEAR on i8 returns, per TOSA RESIZE (pseudocode/operators/
// RESIZE.tosac), acc = sum_k w_k q_k in i32 with integer weights summing
// to n = scale_y_n * scale_x_n, so
//   real = s_in * sum_k w_k (q_k - z_in) / n = s_in * (acc - n z_in) / n
//   => rescale_i32->i8(sub_i32(resize_i8(x_i8), n z_in), s_in / (n s_out),
//                      output_zp z_out).
// |acc| <= 128 n and |n z_in| <= 128 n with n <= 2^22 (numerators <= 2^11),
// so the i32 subtraction cannot overflow.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

struct FoldResize : public OpRewritePattern<tosa::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::ResizeOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, op.getInput(), "input");
    if (failed(input))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();
    mq::UniformQuantizedType in = input->type, out = result->type;
    bool nearest = op.getMode() == tosa::ResizeMode::NEAREST_NEIGHBOR;

    std::optional<RescaleParams> requant;
    RescaleParams bilinearRescale;
    int64_t n = 1;
    if (nearest) {
      llvm::Expected<std::optional<RescaleParams>> p =
          computeRequantize(in, out);
      if (!p)
        return rewriter.notifyMatchFailure(op, llvm::toString(p.takeError()));
      requant = *p;
    } else {
      SmallVector<int64_t> scale;
      if (!tosa::getConstShapeValues(op.getScale().getDefiningOp(), scale) ||
          scale.size() != 4)
        return rewriter.notifyMatchFailure(
            op, "expected a constant scale for a bilinear resize");
      n = scale[0] * scale[2];
      FailureOr<RescaleParams> p = matchRescale(
          rewriter, op,
          {in.getScale() / (static_cast<double>(n) * out.getScale())}, 0,
          out.getZeroPoint());
      if (failed(p))
        return failure();
      bilinearRescale = *p;
    }
    auto [lo, hi] = resultClampBounds(*result);

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    Value x = materializeInteger(rewriter, loc, input->quant);
    if (nearest)
      x = applyRequantize(rewriter, loc, x, requant);
    auto resize = tosa::ResizeOp::create(
        rewriter, loc, withElementType(op.getType(), nearest ? i8 : i32), x,
        op.getScale(), op.getOffset(), op.getBorder(), op.getModeAttr());
    copyDiscardableAttrs(op, resize);
    Value outValue = resize;
    if (!nearest) {
      if (in.getZeroPoint() != 0) {
        Value offset = createIntConst(rewriter, loc, {1, 1, 1, 1}, i32,
                                      {n * in.getZeroPoint()});
        outValue = tosa::SubOp::create(rewriter, loc, resize.getType(), resize,
                                       offset);
      }
      outValue = createRescale(rewriter, loc, outValue, i8, bilinearRescale);
    }
    // Nearest selects (requantized) input values; bilinear is rescaled from
    // i32 and saturates to the whole storage type.
    std::optional<IntRange> selected;
    if (nearest)
      selected = requantizedRange(in, requant);
    outValue = createIntClamp(rewriter, loc, outValue, lo, hi, selected);
    replaceWithInteger(rewriter, op, *result, outValue);
    return success();
  }
};

} // namespace

void populateFoldResizePatterns(RewritePatternSet &patterns) {
  patterns.add<FoldResize>(patterns.getContext());
}

} // namespace tessera::quant
