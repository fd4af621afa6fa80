//===- LowerTable.cpp - i8 tosa.table -> npu.table ------------------------===//
//
// Sigmoid, tanh, HardSwish... fold to a 256-entry i8 tosa.table in
// --tessera-fold-to-integer (docs/quantization-passes.md). The vector unit's
// ELTWISE lut computes table[x + 128] exactly as TOSA TABLE does for i8
// (both are core/kernels lookup256 / table), so the op maps one to one; the
// table stays a constant operand that codegen puts in the constant image.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerTable : public OpRewritePattern<tosa::TableOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TableOp table,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(table.getInput1().getType());
    auto out = cast<RankedTensorType>(table.getType());
    if (!in.getElementType().isSignlessInteger(8) ||
        !out.getElementType().isSignlessInteger(8))
      return rewriter.notifyMatchFailure(table, "expected an i8 -> i8 table");
    auto entries = readIntConstant(table.getTable());
    if (!entries || entries->size() != 256)
      return rewriter.notifyMatchFailure(table,
                                         "expected a constant 256-entry table");
    auto op = npu::TableOp::create(rewriter, table.getLoc(), out,
                                   table.getInput1(), table.getTable(),
                                   /*layer=*/0);
    // ONNX Sigmoid/Tanh/... are all one tosa.table; the row keeps the name.
    tagLayer(op, onnxNodeName(table), "Table");
    rewriter.replaceOp(table, op.getResult());
    return success();
  }
};

} // namespace

void populateLowerTablePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerTable>(patterns.getContext());
}

} // namespace tessera::lowering
