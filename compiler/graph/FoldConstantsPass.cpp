//===- FoldConstantsPass.cpp - --tessera-fold-constants
//--------------------===//

#include "compiler/graph/Passes.h"

using namespace mlir;

namespace tessera::graph {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "compiler/graph/Passes.h.inc"

namespace {

struct FoldConstantsPass
    : public impl::FoldConstantsPassBase<FoldConstantsPass> {
  using FoldConstantsPassBase::FoldConstantsPassBase;

  void runOnOperation() override {
    // Program order: an op whose operands were just folded is folded next.
    llvm::SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (!isConstantOp(op) && op->getNumRegions() == 0)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops)
      (void)foldToConstant(rewriter, op, maxElements);
  }
};

} // namespace
} // namespace tessera::graph
