//===- LowerPad.cpp - Stand-alone constant pad -> concat of constants -----===//
//
// An integer tosa.pad that no conv absorbed (LowerConv folds a pad by the
// conv's input zero point into the conv's own padding) is, per padded axis
// (outermost first), a tosa.concat of a splat constant block of the pad
// value, the tensor and another block: the form the importer already gives
// a rank-4 ONNX Pad. LowerConcat then lowers each concat; codegen copies
// the blocks from the constant image by DMA. Runs in the second phase of
// --tessera-lower-to-npu, after the conv patterns had their chance.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerPad : public OpRewritePattern<tosa::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::PadOp pad,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(pad.getInput1().getType());
    auto elem = dyn_cast<IntegerType>(in.getElementType());
    if (!elem || !in.hasStaticShape())
      return rewriter.notifyMatchFailure(pad, "expected a static integer pad");
    std::optional<int64_t> value = readScalarConstant(pad.getPadConst());
    if (!value)
      return rewriter.notifyMatchFailure(pad, "expected a constant pad value");
    SmallVector<int64_t> padding;
    if (!pad.getPadding().getDefiningOp() ||
        !tosa::getConstShapeValues(pad.getPadding().getDefiningOp(),
                                   padding) ||
        static_cast<int64_t>(padding.size()) != 2 * in.getRank() ||
        llvm::any_of(padding, [](int64_t p) { return p < 0; }))
      return rewriter.notifyMatchFailure(
          pad, "expected constant, non-negative padding");
    Location loc = pad.getLoc();
    Attribute node = pad->getAttr("onnx.node");
    auto tag = [&](Operation *op) {
      if (node)
        op->setAttr("onnx.node", node);
    };
    Value v = pad.getInput1();
    SmallVector<int64_t> shape(in.getShape());
    for (int64_t d = 0; d < in.getRank(); ++d) {
      int64_t before = padding[2 * d], after = padding[2 * d + 1];
      if (before == 0 && after == 0)
        continue;
      SmallVector<Value> parts;
      auto block = [&](int64_t extent) {
        SmallVector<int64_t> blockShape = shape;
        blockShape[d] = extent;
        auto type = RankedTensorType::get(blockShape, elem);
        auto c = tosa::ConstOp::create(
            rewriter, loc, type,
            DenseElementsAttr::get(type, APInt(elem.getWidth(), *value,
                                               /*isSigned=*/true)));
        parts.push_back(c.getResult());
      };
      if (before)
        block(before);
      parts.push_back(v);
      if (after)
        block(after);
      shape[d] += before + after;
      auto cat = tosa::ConcatOp::create(
          rewriter, loc, RankedTensorType::get(shape, elem), parts,
          static_cast<int32_t>(d));
      tag(cat);
      v = cat.getResult();
    }
    if (v == pad.getInput1()) { // no padding: the identity
      auto op = npu::ReshapeOp::create(rewriter, loc, pad.getType(), v, 0);
      tagLayer(op, onnxNodeName(pad), "Reshape");
      v = op.getResult();
    }
    rewriter.replaceOp(pad, v);
    return success();
  }
};

} // namespace

void populateLowerPadPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerPad>(patterns.getContext());
}

} // namespace tessera::lowering
