//===- FoldCompare.cpp - Fold quantized comparisons and select to integer -===//
//
// tosa.greater / greater_equal / equal read float operands and give a bool
// (i1) tensor, which is not quantized; tosa.select picks between two
// quantized values. In integer TOSA (docs/quantization-passes.md,
// "Comparisons and select"):
//
// Two quantized operands are compared on a common scale, rescaled to i32
// exactly as the integer add does (FoldAdd.cpp: twice_max = 2 max(s_1, s_2),
// multiplier s_k / twice_max * 2^20, input_zp z_k), so that
//   greater(rescale(x_1), rescale(x_2))   (i32 -> i1)
// decides ties exactly and order to 2^-18 of the coarser step (the larger
// scale's multiplier is exactly 2^19, the other's product is off by < 2^-4
// of a unit before rounding).
//
// A quantized x (s, z) against a float constant c compares q - z (x widened
// to i32 by an identity rescale with input_zp z) with an integer threshold
// of t = c / s, chosen so that the result is the float comparison of the
// dequantized value s (q - z) with c:
//   x >  c  <=>  q - z >  floor(t)        c >  x  <=>  ceil(t)  > q - z
//   x >= c  <=>  q - z >= ceil(t)         c >= x  <=>  floor(t) >= q - z
//   x == c  <=>  q - z == t   if t is an integer, else never (a threshold
//                             no 16-bit difference reaches)
// t within 1e-6 of an integer is taken as that integer (c on x's grid up to
// the float rounding of c), and thresholds are clamped to +-2^24, beyond the
// reach of any 16-bit q - z, which keeps the decisions (NaN: never true).
//
// tosa.select(cond, x, y): x and y are requantized to the result's
// quantization (i8 -> i8 rescale, clamped to the result's storage range,
// as FoldSharedQParams.cpp moves values) and selected on i8; cond is the
// folded i1 comparison (or a bool constant).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

/// Beyond every value q - z of a 16-bit operand (|q - z| < 2^17).
constexpr int64_t kFarThreshold = int64_t(1) << 24;
/// How close c / s must be to an integer to count as on the grid.
constexpr double kGridTolerance = 1e-6;

enum class Cmp { Greater, GreaterEqual, Equal };

template <typename OpTy> constexpr Cmp cmpOf() {
  if constexpr (std::is_same_v<OpTy, tosa::GreaterOp>)
    return Cmp::Greater;
  else if constexpr (std::is_same_v<OpTy, tosa::GreaterEqualOp>)
    return Cmp::GreaterEqual;
  else
    return Cmp::Equal;
}

/// The i32 threshold T that the widened x (q - z) is compared with, the
/// comparison keeping its operand order: x OP c becomes (q - z) OP T when
/// `xFirst`, c OP x becomes T OP (q - z) otherwise. t = c / s.
int64_t threshold(Cmp cmp, bool xFirst, double t) {
  // A comparison that is never true: x > +far, far' > x with far' = -far.
  int64_t never = xFirst ? kFarThreshold : -kFarThreshold;
  if (std::isnan(t))
    return cmp == Cmp::Equal ? kFarThreshold : never;
  double r = std::nearbyint(t);
  bool onGrid = std::fabs(t - r) <= kGridTolerance;
  if (onGrid)
    t = r;
  double v = 0;
  switch (cmp) {
  case Cmp::Greater: // q' > floor(t) | ceil(t) > q'
    v = xFirst ? std::floor(t) : std::ceil(t);
    break;
  case Cmp::GreaterEqual: // q' >= ceil(t) | floor(t) >= q'
    v = xFirst ? std::ceil(t) : std::floor(t);
    break;
  case Cmp::Equal:
    v = onGrid ? t : double(kFarThreshold);
    break;
  }
  v = std::clamp(v, -double(kFarThreshold), double(kFarThreshold));
  return static_cast<int64_t>(v);
}

template <typename OpTy> struct FoldCompare : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    if (!isFloatTensor(lhs.getType()))
      return failure(); // already integer: not a reason to record
    std::optional<SmallVector<double>> constants[2] = {readFloatConstant(lhs),
                                                       readFloatConstant(rhs)};
    if (constants[0] && constants[1])
      return rewriter.notifyMatchFailure(op, "both operands are constants");
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    Value wide[2];
    if (!constants[0] && !constants[1]) {
      FailureOr<SmallVector<QuantizedOperand, 2>> inputs =
          matchQuantizedOperands(rewriter, op, op->getOperands());
      if (failed(inputs))
        return failure();
      // Common scale, exactly as the integer add (FoldAdd.cpp).
      double twiceMax = 2.0 * std::max((*inputs)[0].type.getScale(),
                                       (*inputs)[1].type.getScale());
      double leftShift = std::ldexp(1.0, kAddLeftShift);
      for (unsigned i = 0; i < 2; ++i) {
        const QuantizedOperand &in = (*inputs)[i];
        FailureOr<RescaleParams> p = matchRescale(
            rewriter, op, {in.type.getScale() / twiceMax * leftShift},
            in.type.getZeroPoint(), 0);
        if (failed(p))
          return failure();
        wide[i] = createRescale(rewriter, loc,
                                materializeInteger(rewriter, loc, in.quant),
                                i32, *p);
      }
    } else {
      unsigned xi = constants[0] ? 1 : 0; // the quantized operand
      FailureOr<QuantizedOperand> x = matchQuantizedOperand(
          rewriter, op, op->getOperand(xi), "operand #" + Twine(xi));
      if (failed(x))
        return failure();
      FailureOr<RescaleParams> identity =
          matchRescale(rewriter, op, {1.0}, x->type.getZeroPoint(), 0);
      if (failed(identity))
        return failure();
      double s = x->type.getScale();
      SmallVector<int64_t> thresholds;
      for (double c : *constants[1 - xi])
        thresholds.push_back(threshold(cmpOf<OpTy>(), xi == 0, c / s));
      Value c = op->getOperand(1 - xi);
      wide[xi] = createRescale(rewriter, loc,
                               materializeInteger(rewriter, loc, x->quant),
                               i32, *identity);
      wide[1 - xi] = createIntConst(
          rewriter, loc, cast<RankedTensorType>(c.getType()).getShape(), i32,
          thresholds);
    }
    auto cmp = OpTy::create(rewriter, loc, op.getType(), wide[0], wide[1]);
    copyDiscardableAttrs(op, cmp);
    rewriter.replaceOp(op, cmp.getResult());
    return success();
  }
};

struct FoldSelect : public OpRewritePattern<tosa::SelectOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::SelectOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    Value cond = op.getInput1();
    Operation *condDef = cond.getDefiningOp();
    if (condDef && condDef->getNumOperands() > 0 &&
        isFloatTensor(condDef->getOperand(0).getType()))
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "the condition " << kProducerNotFolded;
      });
    FailureOr<QuantizedOperand> onTrue =
        matchQuantizedOperand(rewriter, op, op.getInput2(), "operand #1");
    if (failed(onTrue))
      return failure();
    FailureOr<QuantizedOperand> onFalse =
        matchQuantizedOperand(rewriter, op, op.getInput3(), "operand #2");
    if (failed(onFalse))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();
    auto [lo, hi] = resultClampBounds(*result);
    Location loc = op.getLoc();
    Value picked[2];
    QuantizedOperand values[2] = {*onTrue, *onFalse};
    for (unsigned i = 0; i < 2; ++i) {
      const QuantizedOperand &in = values[i];
      llvm::Expected<std::optional<RescaleParams>> requant =
          computeRequantize(in.type, result->type);
      if (!requant)
        return rewriter.notifyMatchFailure(op,
                                           llvm::toString(requant.takeError()));
      Value v = applyRequantize(
          rewriter, loc, materializeInteger(rewriter, loc, in.quant), *requant);
      // A rescaled operand saturates to the whole storage type: clamp it to
      // the result's storage range (restricted range), as data movement does.
      if (*requant)
        v = createIntClamp(rewriter, loc, v, lo, hi);
      picked[i] = v;
    }
    auto select = tosa::SelectOp::create(
        rewriter, loc,
        withElementType(op.getType(), result->type.getStorageType()), cond,
        picked[0], picked[1]);
    copyDiscardableAttrs(op, select);
    replaceWithInteger(rewriter, op, *result, select.getResult());
    return success();
  }
};

} // namespace

void populateFoldComparePatterns(RewritePatternSet &patterns) {
  patterns.add<FoldCompare<tosa::GreaterOp>, FoldCompare<tosa::GreaterEqualOp>,
               FoldCompare<tosa::EqualOp>, FoldSelect>(patterns.getContext());
}

} // namespace tessera::quant
