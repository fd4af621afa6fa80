//===- DeadCodeElimination.cpp - --tessera-dce
//-----------------------------===//

#include "compiler/graph/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace tessera::graph {
#define GEN_PASS_DEF_DEADCODEELIMINATIONPASS
#include "compiler/graph/Passes.h.inc"

namespace {

struct DeadCodeEliminationPass
    : public impl::DeadCodeEliminationPassBase<DeadCodeEliminationPass> {
  void runOnOperation() override { eraseDeadOps(getOperation()); }
};

} // namespace

unsigned eraseDeadOps(func::FuncOp func) {
  unsigned count = 0;
  for (Block &block : func.getBody()) {
    // Last to first: an op's users come after it, so by the time it is
    // visited every dead user is already gone.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
      if (!isOpTriviallyDead(&op))
        continue;
      op.erase();
      ++count;
    }
  }
  return count;
}

} // namespace tessera::graph
