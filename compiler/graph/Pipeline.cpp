//===- Pipeline.cpp - Graph clean-up pipeline and pass registration -------===//

#include "compiler/graph/Passes.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace tessera::graph {
namespace {
#define GEN_PASS_REGISTRATION
#include "compiler/graph/Passes.h.inc"
} // namespace

void buildGraphCleanupPipeline(OpPassManager &pm) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  // Constants first, so that BN folding and activation matching see folded
  // scales (e.g. Div by 6 as a multiply by a constant). BN folds into a
  // transpose_conv2d too, before it is decomposed; the decomposition's
  // weight rearrangement (tosa ops on constants) is folded by a second
  // constant folding. DCE last.
  funcPm.addPass(createFoldConstantsPass());
  funcPm.addPass(createFoldBatchNormPass());
  funcPm.addPass(createDecomposeTransposeConvPass());
  funcPm.addPass(createFoldConstantsPass());
  funcPm.addPass(createFuseActivationsPass());
  funcPm.addPass(createDeadCodeEliminationPass());
}

llvm::Error runGraphCleanup(ModuleOp module, llvm::StringRef what) {
  std::string diag;
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
    if (diag.empty()) {
      llvm::raw_string_ostream os(diag);
      os << d.getLocation() << ": " << d.str();
    }
    return success();
  });
  PassManager pm(module.getContext());
  buildGraphCleanupPipeline(pm);
  if (failed(pm.run(module)))
    return llvm::createStringError(what + ": graph clean-up failed: " +
                                   (diag.empty() ? "(no diagnostic)" : diag));
  return llvm::Error::success();
}

void registerGraphPasses() { registerTesseraGraphPasses(); }

} // namespace tessera::graph
