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
  // transpose_conv2d first: its decomposition rearranges the constant
  // weight with tosa ops that constant folding then evaluates. Constants
  // before BN folding and activation matching, so that they see folded
  // scales (e.g. Div by 6 as a multiply by a constant); DCE last.
  funcPm.addPass(createDecomposeTransposeConvPass());
  funcPm.addPass(createFoldConstantsPass());
  funcPm.addPass(createFoldBatchNormPass());
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
