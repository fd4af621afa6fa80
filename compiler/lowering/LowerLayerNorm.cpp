//===- LowerLayerNorm.cpp - tosa.custom layer_norm -> npu.layer_norm ------===//
//
// --tessera-fold-to-integer folds a quantized layer normalisation (the
// decomposed ReduceMean-Sub-Pow-ReduceMean-Add-Sqrt-Div chain of ONNX
// exports, or LayerNormalization's import) to one tosa.custom (domain
// "tessera", operator "layer_norm", implementation_attrs "axis=K") on the i8
// input with one constant operand, the i32 parameters [multiplier, shift,
// eps_mantissa, eps_shift, output_zp, clamp_min, clamp_max]. The integer
// reference executor runs it with core/kernels quantLayerNorm, the kernel of
// the ISA's ELTWISE layer_norm, so it maps one to one onto npu.layer_norm
// when the normalised axis is the innermost non-unit dimension.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/patterns/TesseraCustom.h"
#include "compiler/lowering/Passes.h"

#include "core/kernels/VectorUnit.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerLayerNorm : public OpRewritePattern<tosa::CustomOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::CustomOp op,
                                PatternRewriter &rewriter) const override {
    if (!patterns::isTesseraCustom(op, "layer_norm"))
      return rewriter.notifyMatchFailure(op, "not a tessera layer_norm");
    if (op.getInputList().size() != 2 || op.getOutputList().size() != 1)
      return rewriter.notifyMatchFailure(
          op, "expected input and parameters and one result");
    Value input = op.getInputList()[0];
    auto in = cast<RankedTensorType>(input.getType());
    auto out = cast<RankedTensorType>(op.getOutputList()[0].getType());
    if (!in.getElementType().isSignlessInteger(8) ||
        !out.getElementType().isSignlessInteger(8))
      return rewriter.notifyMatchFailure(op, "expected i8 -> i8");
    std::optional<int64_t> axisOr =
        patterns::tesseraCustomAxis(op, in.getRank());
    if (!axisOr)
      return rewriter.notifyMatchFailure(
          op, "expected implementation_attrs \"axis=K\" with K in [0, rank)");
    int64_t axis = *axisOr;
    for (int64_t d = axis + 1; d < in.getRank(); ++d)
      if (in.getDimSize(d) != 1)
        return rewriter.notifyMatchFailure(
            op, "the normalised axis must be the innermost non-unit "
                "dimension (the vector unit normalises rows)");
    if (in.getDimSize(axis) > kernels::kLayerNormMaxRow)
      return rewriter.notifyMatchFailure(
          op, "a row of more than 32767 elements does not fit the int64 sum "
              "of squares");
    auto params = readIntConstant(op.getInputList()[1]);
    if (!params || params->size() != 7)
      return rewriter.notifyMatchFailure(op, "expected 7 constant parameters");
    const auto &p = *params;
    Location loc = op.getLoc();
    SmallVector<int64_t> rowShape(in.getShape().take_front(axis + 1));
    std::string node = onnxNodeName(op);
    StringRef opType = "LayerNorm";
    Value x = input;
    auto rowType = RankedTensorType::get(rowShape, in.getElementType());
    if (rowType != in) {
      auto r = npu::ReshapeOp::create(rewriter, loc, rowType, x, 0);
      tagLayer(r, node, opType);
      x = r;
    }
    auto ln = npu::LayerNormOp::create(
        rewriter, loc, rowType, x,
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[0])),
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[1])),
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[2])),
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[3])),
        rewriter.getI64IntegerAttr(p[4]), rewriter.getI64IntegerAttr(p[5]),
        rewriter.getI64IntegerAttr(p[6]), rewriter.getI64IntegerAttr(0),
        rewriter.getI64IntegerAttr(0), rewriter.getBoolAttr(false));
    tagLayer(ln, node, opType);
    Value result = ln;
    if (rowType != out) {
      auto r = npu::ReshapeOp::create(rewriter, loc, out, result, 0);
      tagLayer(r, node, opType);
      result = r;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateLowerLayerNormPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerLayerNorm>(patterns.getContext());
}

} // namespace tessera::lowering
