//===- FoldAdd.cpp - Fold a quantized add, sub, maximum, minimum ----------===//
//
// TFLite's quantized add (kernels/internal/reference/add.h), in TOSA:
//   twice_max = 2 * max(s_1, s_2)
//   x_k' = rescale_i8->i32(x_k, (s_k / twice_max) * 2^20, input_zp z_k)
//   sum  = add_i32(x_1', x_2')
//   out  = rescale_i32->i8(sum, twice_max / (2^20 * s_out), output_zp z_out)
//   [-> clamp for a fused activation]
// Sub is the same with sub_i32 (TFLite's quantized SUB); maximum and
// minimum (ONNX Max/Min, PRelu, dilated MaxPool) with maximum_i32 /
// minimum_i32: both inputs land on one grid (the real value times
// 2^20 / twice_max, by increasing maps, each rounded to the grid: 2^-20 of
// the larger input step), so the larger integer is the larger real up to
// that rounding, and the output is rounded once, as the ISA's ELTWISE max/min
// computes.
// The 2^20 left shift (folded into the input multipliers, as TOSA's TFLite
// legalization does) keeps 20 bits of the inputs' fraction; with
// |x_k - z_k| <= 255 and s_k / twice_max <= 1/2, |x_k'| <= 2^27 and the i32
// sum cannot overflow.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

/// tosa.add, or tosa.sub / tosa.maximum / tosa.minimum with the same
/// rescales (the i32 difference of the widened inputs is bounded like the
/// sum; the maximum and minimum are one of the widened inputs).
template <typename OpTy> struct FoldAdd : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<SmallVector<QuantizedOperand, 2>> matched =
        matchQuantizedOperands(rewriter, op, op->getOperands(),
                               /*allowI16=*/true);
    if (failed(matched))
      return failure();
    SmallVector<QuantizedOperand, 2> &inputs = *matched;
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/true,
                             /*allowI16=*/true);
    if (failed(result))
      return failure();

    double twiceMax =
        2.0 * std::max(inputs[0].type.getScale(), inputs[1].type.getScale());
    // An i16 input (|x - z| <= 2^15) takes TFLite's int16 left shift 15:
    // |x'| <= 2^15 * 2^15 / 2 = 2^29 and the i32 sum cannot overflow.
    bool i16 = llvm::any_of(inputs, [](const QuantizedOperand &in) {
      return storageWidth(in.type) == 16;
    });
    double leftShift = std::ldexp(1.0, i16 ? kAddLeftShift16 : kAddLeftShift);
    SmallVector<RescaleParams, 2> inRescales;
    for (const QuantizedOperand &input : inputs) {
      FailureOr<RescaleParams> p = matchRescale(
          rewriter, op, {input.type.getScale() / twiceMax * leftShift},
          input.type.getZeroPoint(), 0);
      if (failed(p))
        return failure();
      inRescales.push_back(*p);
    }
    FailureOr<RescaleParams> outRescale = matchRescale(
        rewriter, op, {twiceMax / (leftShift * result->type.getScale())}, 0,
        result->type.getZeroPoint());
    if (failed(outRescale))
      return failure();

    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    SmallVector<Value, 2> wide;
    for (auto [input, p] : llvm::zip(inputs, inRescales))
      wide.push_back(createRescale(
          rewriter, loc, materializeInteger(rewriter, loc, input.quant), i32,
          p));
    auto sum = OpTy::create(
        rewriter, loc, withElementType(op.getType(), i32), wide[0], wide[1]);
    copyDiscardableAttrs(op, sum);
    replaceWithRescaled(rewriter, op, *result, sum, *outRescale);
    return success();
  }
};

} // namespace

void populateFoldAddPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldAdd<tosa::AddOp>, FoldAdd<tosa::SubOp>,
               FoldAdd<tosa::MaximumOp>, FoldAdd<tosa::MinimumOp>>(
      patterns.getContext());
}

} // namespace tessera::quant
