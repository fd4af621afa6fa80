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
// dimension after it is 1: a reshape then makes it innermost). Another axis
// is moved innermost by a transpose before and back after.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/patterns/TesseraCustom.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerSoftmax : public OpRewritePattern<tosa::CustomOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::CustomOp op,
                                PatternRewriter &rewriter) const override {
    if (!patterns::isTesseraCustom(op, "softmax") &&
        !patterns::isTesseraCustom(op, "log_softmax"))
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
    std::optional<int64_t> axisOr =
        patterns::tesseraCustomAxis(op, in.getRank());
    if (!axisOr)
      return rewriter.notifyMatchFailure(
          op, "expected implementation_attrs \"axis=K\" with K in [0, rank)");
    int64_t axis = *axisOr;
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
    std::string node = onnxNodeName(op);
    StringRef opType =
        op.getOperatorName() == "log_softmax" ? "LogSoftmax" : "Softmax";
    Value x = input;
    // A non-innermost axis (a non-unit dimension after it): the vector unit
    // normalises rows, so the axis is moved innermost by a tosa.transpose
    // (the other dimensions keep their order) and moved back after; the
    // late phase lowers both (LowerRowTranspose.cpp: one-element rows).
    SmallVector<int32_t> perm, inverse(in.getRank());
    for (int64_t d = axis + 1; d < in.getRank(); ++d)
      if (in.getDimSize(d) != 1) {
        for (int64_t k = 0; k < in.getRank(); ++k)
          if (k != axis)
            perm.push_back(static_cast<int32_t>(k));
        perm.push_back(static_cast<int32_t>(axis));
        break;
      }
    RankedTensorType moved = in;
    if (!perm.empty()) {
      SmallVector<int64_t> shape;
      for (auto [i, p] : llvm::enumerate(perm)) {
        shape.push_back(in.getDimSize(p));
        inverse[p] = static_cast<int32_t>(i);
      }
      moved = RankedTensorType::get(shape, in.getElementType());
      auto t = tosa::TransposeOp::create(rewriter, loc, moved, x,
                                         rewriter.getDenseI32ArrayAttr(perm));
      t->setAttr("onnx.node", rewriter.getStringAttr(node));
      x = t;
      axis = in.getRank() - 1;
    }
    // Rows of the normalised axis: [..., n] (trailing unit dims dropped).
    SmallVector<int64_t> rowShape(moved.getShape().take_front(axis + 1));
    auto rowType = RankedTensorType::get(rowShape, in.getElementType());
    if (rowType != moved) {
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
    RankedTensorType movedOut =
        perm.empty() ? out
                     : RankedTensorType::get(moved.getShape(),
                                             out.getElementType());
    if (rowType != movedOut) {
      auto r = npu::ReshapeOp::create(rewriter, loc, movedOut, result, 0);
      tagLayer(r, node, opType);
      result = r;
    }
    if (!perm.empty()) {
      auto t = tosa::TransposeOp::create(
          rewriter, loc, out, result, rewriter.getDenseI32ArrayAttr(inverse));
      t->setAttr("onnx.node", rewriter.getStringAttr(node));
      result = t;
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
