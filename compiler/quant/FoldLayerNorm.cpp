//===- FoldLayerNorm.cpp - Fold a quantized layer normalisation to integer ===//
//
// A layer normalisation (QuantUtils matchLayerNormChain: the decomposed
// ReduceMean-Sub-Pow-ReduceMean-Add-Sqrt-Div chain of ONNX exports, or
// LayerNormalization / GroupNormalization / InstanceNormalization as the
// importer spells them) between a dcast of the input x (s_in, z_in) and the
// qcast of the normalised value (s_out, z_out) becomes one
//   tosa.custom {domain_name = "tessera", operator_name = "layer_norm",
//                implementation_attrs = "axis=K"}
//     (x_i8, params: tensor<7xi32>)
// params = [multiplier, shift, eps_mantissa, eps_shift, z_out, lo, hi] from
// core/quant buildLayerNormParams. Its arithmetic is core/kernels
// quantLayerNorm: exact int32/int64 sums of the integers and of the squared
// deviations (what int8 cannot hold: the variance of a row needs up to 61
// bits), an exact integer square root and one rounding of the result, so no
// intermediate is requantised (TFLite's integer layer-norm kernels keep the
// statistics in int32/int64 the same way). Several normalised axes must be
// contiguous (after dropping unit extents); they are merged by a reshape.
// TOSA 1.0 has no such operator; the NPU runs it as one vector instruction
// (ELTWISE layer_norm). The scale and bias that follow are ordinary
// per-channel mul and add.
//
//===----------------------------------------------------------------------===//

#include "compiler/patterns/TesseraCustom.h"
#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "core/quant/Table.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

Value reshapeTo(PatternRewriter &rewriter, Location loc, Value v,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  auto target = RankedTensorType::get(shape, type.getElementType());
  if (target == type)
    return v;
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(shape.size())},
                                         rewriter.getIndexType());
  Value s = tosa::ConstShapeOp::create(
      rewriter, loc,
      tosa::shapeType::get(rewriter.getContext(),
                           static_cast<int>(shape.size())),
      DenseIntElementsAttr::get(shapeType, shape));
  return tosa::ReshapeOp::create(rewriter, loc, target, v, s);
}

template <typename OpTy> struct FoldLayerNorm : public OpRewritePattern<OpTy> {
  FoldLayerNorm(MLIRContext *context)
      : OpRewritePattern<OpTy>(context, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // does not apply: not a reason to record
    std::optional<LayerNormChain> chain = matchLayerNormChain(op);
    if (!chain)
      return failure(); // does not apply: not a reason to record
    FailureOr<QuantizedOperand> input = matchQuantizedOperand(
        rewriter, op, chain->input, "layer normalisation input");
    if (failed(input))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();
    auto type = cast<RankedTensorType>(chain->input.getType());
    // The normalised axes without unit extents must be contiguous.
    SmallVector<int64_t> axes;
    for (int64_t a : chain->axes)
      if (type.getDimSize(a) != 1)
        axes.push_back(a);
    if (axes.empty())
      axes.push_back(chain->axes.back());
    for (size_t i = 1; i < axes.size(); ++i)
      for (int64_t d = axes[i - 1] + 1; d < axes[i]; ++d)
        if (type.getDimSize(d) != 1)
          return rewriter.notifyMatchFailure(
              op, "the normalised axes must be contiguous (an integer "
                  "GroupNormalization / InstanceNormalization over NHWC "
                  "spatial axes is not supported yet)");
    std::string error;
    std::optional<LayerNormParams> p = buildLayerNormParams(
        input->type.getScale(), result->type.getScale(), chain->count,
        chain->epsilon, &error);
    if (!p)
      return rewriter.notifyMatchFailure(op, error);
    auto [lo, hi] = resultClampBounds(*result);

    Location loc = op.getLoc();
    Value x = materializeInteger(rewriter, loc, input->quant);
    // Merge the normalised axes into one: [before, n, after].
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < axes.front(); ++d)
      shape.push_back(type.getDimSize(d));
    shape.push_back(chain->count);
    for (int64_t d = axes.back() + 1; d < type.getRank(); ++d)
      shape.push_back(type.getDimSize(d));
    int64_t axis = axes.front();
    x = reshapeTo(rewriter, loc, x, shape);
    Type i32 = rewriter.getI32Type();
    Value params = createIntConst(
        rewriter, loc, {7}, i32,
        {p->multiplier, p->shift, p->epsMant, p->epsShift,
         result->type.getZeroPoint(), lo, hi});
    Type storage = result->type.getStorageType();
    auto custom = patterns::createTesseraCustom(
        rewriter, loc, RankedTensorType::get(shape, storage), "layer_norm",
        axis, ValueRange{x, params});
    copyDiscardableAttrs(op, custom);
    Value out = reshapeTo(rewriter, loc, custom.getResult(0), type.getShape());
    replaceWithInteger(rewriter, op, *result, out);
    eraseUnusedInterior(rewriter, chain->interior);
    return success();
  }
};

} // namespace

void populateFoldLayerNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldLayerNorm<tosa::MulOp>, FoldLayerNorm<arith::DivFOp>>(
      patterns.getContext());
}

} // namespace tessera::quant
