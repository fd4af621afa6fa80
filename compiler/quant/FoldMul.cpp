//===- FoldMul.cpp - Fold a quantized mul to integer ----------------------===//
//
// real = s_a (a - z_a) * s_b (b - z_b), so with TOSA's legalization of
// TFLite's quantized MUL (kernels/internal/reference/mul.h):
//   a' = rescale_i8->i32(a, 1.0, input_zp z_a)     (= a - z_a, exact)
//   b' = rescale_i8->i32(b, 1.0, input_zp z_b)
//   p  = mul_i32(a', b', shift 0)                   (TOSA broadcasting)
//   out = rescale_i32->i8(p, s_a * s_b / s_out, output_zp z_out) [-> clamp]
// |a - z_a|, |b - z_b| <= 255, so |p| <= 65025 < 2^31: no overflow, and the
// result is one rounding (SINGLE_ROUND) of the exact real product. When
// both zero points are 0 the i8 inputs are multiplied directly (TOSA MUL
// i8 x i8 -> i32), the same product without the widening rescales.
// Pow(x, 2) imports as mul(x, x); both operands then share one widening.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

struct FoldMul : public OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    std::optional<SmallVector<int64_t>> shift = readIntConstant(op.getShift());
    if (!shift || shift->size() != 1 || (*shift)[0] != 0)
      return rewriter.notifyMatchFailure(
          op, "expected a constant shift of 0 on a float mul");
    FailureOr<SmallVector<QuantizedOperand, 2>> matched =
        matchQuantizedOperands(rewriter, op, {op.getInput1(), op.getInput2()},
                               /*allowI16=*/true);
    if (failed(matched))
      return failure();
    SmallVector<QuantizedOperand, 2> &inputs = *matched;
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/true,
                             /*allowI16=*/true);
    if (failed(result))
      return failure();

    // int16 (zero point 0): TOSA MUL i16 x i16 -> i32 directly, |p| <=
    // 32767^2 < 2^30; an i8 x i16 pair (per-node precision) is widened to
    // i32 first (TOSA MUL takes one input type).
    bool widen = inputs[0].type.getZeroPoint() != 0 ||
                 inputs[1].type.getZeroPoint() != 0 ||
                 storageWidth(inputs[0].type) != storageWidth(inputs[1].type);
    SmallVector<RescaleParams, 2> inRescales;
    for (const QuantizedOperand &input : inputs) {
      FailureOr<RescaleParams> p =
          matchRescale(rewriter, op, {1.0}, input.type.getZeroPoint(), 0);
      if (failed(p))
        return failure();
      inRescales.push_back(*p);
    }
    FailureOr<RescaleParams> outRescale =
        matchRescale(rewriter, op,
                     {inputs[0].type.getScale() * inputs[1].type.getScale() /
                      result->type.getScale()},
                     0, result->type.getZeroPoint());
    if (failed(outRescale))
      return failure();

    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    SmallVector<Value, 2> factors;
    for (auto [i, input] : llvm::enumerate(inputs)) {
      if (i == 1 && input.quant == inputs[0].quant) { // x * x
        factors.push_back(factors[0]);
        continue;
      }
      Value x = materializeInteger(rewriter, loc, input.quant);
      factors.push_back(
          widen ? createRescale(rewriter, loc, x, i32, inRescales[i]) : x);
    }
    auto product =
        tosa::MulOp::create(rewriter, loc, withElementType(op.getType(), i32),
                            factors[0], factors[1], op.getShift());
    copyDiscardableAttrs(op, product);
    replaceWithRescaled(rewriter, op, *result, product, *outRescale);
    return success();
  }
};

} // namespace

void populateFoldMulPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldMul>(patterns.getContext());
}

} // namespace tessera::quant
