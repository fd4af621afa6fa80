//===- DecomposeTransposeConv.cpp - --tessera-decompose-transpose-conv ----===//
//
// A float tosa.transpose_conv2d is rewritten by upstream MLIR's
// populateTosaDecomposeTransposeConv (MLIRTosaTransforms) into ops the
// integer path already has or can lower:
//   stride 1:  pad(x) -> conv2d(reversed weight)
//   stride s:  pad(x) -> conv2d(weight rearranged for s*s sub-pixel phases,
//              s*s*OC output channels, bias 0) -> reshape to rank 6 ->
//              transpose (depth-to-space) -> reshape -> slice (out_pad crop
//              or pad) -> add(bias)
// The weight-side ops (pad, reshape, transpose, reverse of the constant
// weight) are left for --tessera-fold-constants, which runs next. We only
// add what upstream does not: the new ops keep the transpose_conv2d's
// location (upstream uses it already) and get its `onnx.node`, and the op
// that replaces it takes over all of its `onnx.*` / `tessera.*` attributes
// (onnx.output, onnx.layout, onnx.fused), so that reports still name the
// ONNX output. Slices and pads that keep the shape (upstream emits both
// always) are dropped.
//
//===----------------------------------------------------------------------===//

#include "compiler/graph/Passes.h"

#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace tessera::graph {
#define GEN_PASS_DEF_DECOMPOSETRANSPOSECONVPASS
#include "compiler/graph/Passes.h.inc"

namespace {

/// Copies the replaced transpose_conv2d's discardable attributes onto the
/// ops the rewrite inserted.
struct AttributeCarrier : public RewriterBase::Listener {
  llvm::SmallVector<Operation *> inserted, all;

  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint) override {
    inserted.push_back(op);
    all.push_back(op);
  }
  void notifyOperationErased(Operation *op) override {
    llvm::erase(inserted, op);
    llvm::erase(all, op);
  }
  void notifyOperationReplaced(Operation *op, ValueRange values) override {
    auto node = op->getAttrOfType<StringAttr>("onnx.node");
    for (Operation *n : inserted)
      if (node && !n->hasAttr("onnx.node"))
        n->setAttr("onnx.node", node);
    inserted.clear();
    if (values.size() != 1)
      return;
    Operation *last = values[0].getDefiningOp();
    if (!last)
      return;
    for (NamedAttribute a : op->getDiscardableAttrs())
      last->setAttr(a.getName(), a.getValue());
  }
};

struct DecomposeTransposeConvPass
    : public impl::DecomposeTransposeConvPassBase<DecomposeTransposeConvPass> {
  void runOnOperation() override {
    bool any = false;
    getOperation().walk([&](tosa::TransposeConv2DOp op) {
      any |= isa<FloatType>(op.getType().getElementType());
    });
    if (!any)
      return;
    RewritePatternSet patterns(&getContext());
    tosa::populateTosaDecomposeTransposeConv(&getContext(), patterns);
    AttributeCarrier carrier;
    GreedyRewriteConfig config;
    config.setListener(&carrier).enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
    // Upstream always emits the out_pad slice and pad, also when they keep
    // the shape (no crop, no padding): drop those, so that nothing
    // downstream sees a no-op data movement. The attributes of a dropped
    // last op go to its input's producer.
    for (Operation *op : llvm::reverse(carrier.all)) {
      if (!isa<tosa::SliceOp, tosa::PadOp>(op) ||
          op->getOperand(0).getType() != op->getResult(0).getType())
        continue;
      Value in = op->getOperand(0);
      if (Operation *def = in.getDefiningOp())
        for (NamedAttribute a : op->getDiscardableAttrs())
          if (a.getName() != "onnx.node")
            def->setAttr(a.getName(), a.getValue());
      op->getResult(0).replaceAllUsesWith(in);
      op->erase();
    }
  }
};

} // namespace
} // namespace tessera::graph
