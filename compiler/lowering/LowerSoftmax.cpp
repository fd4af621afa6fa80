//===- LowerSoftmax.cpp - tosa.custom softmax / log_softmax -> npu.softmax ===//
//
// --tessera-fold-to-integer folds a quantized Softmax / LogSoftmax to one
// tosa.custom (domain "tessera", operator "softmax" / "log_softmax",
// implementation_attrs "axis=K") on the i8 input with two constant operands:
// the 256-entry i32 exp table and the i32 parameters [multiplier, shift,
// in_multiplier, log_multiplier, output_zp, clamp_min, clamp_max]. The
// integer reference executor runs it with core/kernels quantSoftmax, the same
// kernel as the ISA's ELTWISE softmax, so the op maps one to one onto
// npu.softmax when the normalised axis is the innermost one (or every
// dimension after it is 1: a reshape then makes it innermost).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerSoftmax : public OpRewritePattern<tosa::CustomOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::CustomOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getDomainName() != "tessera" ||
        (op.getOperatorName() != "softmax" &&
         op.getOperatorName() != "log_softmax"))
      return rewriter.notifyMatchFailure(op, "not a tessera softmax");
    if (op.getInputList().size() != 3 || op.getOutputList().size() != 1)
      return rewriter.notifyMatchFailure(
          op, "expected input, table and parameters and one result");
    Value input = op.getInputList()[0];
    auto in = cast<RankedTensorType>(input.getType());
    auto out = cast<RankedTensorType>(op.getOutputList()[0].getType());
    if (!in.getElementType().isSignlessInteger(8) ||
        !out.getElementType().isSignlessInteger(8))
      return rewriter.notifyMatchFailure(op, "expected i8 -> i8");
    StringRef attrs = op.getImplementationAttrs();
    int64_t axis = -1;
    if (!attrs.consume_front("axis=") || attrs.getAsInteger(10, axis) ||
        axis < 0 || axis >= in.getRank())
      return rewriter.notifyMatchFailure(
          op, "expected implementation_attrs \"axis=K\" with K in [0, rank)");
    for (int64_t d = axis + 1; d < in.getRank(); ++d)
      if (in.getDimSize(d) != 1)
        return rewriter.notifyMatchFailure(
            op, "the normalised axis must be the innermost non-unit "
                "dimension (the vector unit normalises rows)");
    if (in.getDimSize(axis) >= 65536)
      return rewriter.notifyMatchFailure(
          op, "a row of 65536 or more elements does not fit an int32 sum");
    auto table = readIntConstant(op.getInputList()[1]);
    auto params = readIntConstant(op.getInputList()[2]);
    if (!table || table->size() != 256 || !params || params->size() != 7)
      return rewriter.notifyMatchFailure(
          op, "expected a constant 256-entry table and 7 parameters");
    const auto &p = *params;
    Location loc = op.getLoc();
    // Rows of the normalised axis: [..., n] (trailing unit dims dropped).
    SmallVector<int64_t> rowShape(in.getShape().take_front(axis + 1));
    std::string node = onnxNodeName(op);
    StringRef opType =
        op.getOperatorName() == "log_softmax" ? "LogSoftmax" : "Softmax";
    Value x = input;
    auto rowType = RankedTensorType::get(rowShape, in.getElementType());
    if (rowType != in) {
      auto r = npu::ReshapeOp::create(rewriter, loc, rowType, x, 0);
      tagLayer(r, node, opType);
      x = r;
    }
    Value tableConst = op.getInputList()[1];
    auto sm = npu::SoftmaxOp::create(
        rewriter, loc, rowType, x, tableConst,
        rewriter.getBoolAttr(op.getOperatorName() == "log_softmax"),
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[0])),
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[1])),
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[2])),
        rewriter.getI32IntegerAttr(static_cast<int32_t>(p[3])),
        rewriter.getI64IntegerAttr(p[4]), rewriter.getI64IntegerAttr(p[5]),
        rewriter.getI64IntegerAttr(p[6]), rewriter.getI64IntegerAttr(0),
        rewriter.getI64IntegerAttr(0), rewriter.getBoolAttr(false));
    tagLayer(sm, node, opType);
    Value result = sm;
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

void populateLowerSoftmaxPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSoftmax>(patterns.getContext());
}

} // namespace tessera::lowering
