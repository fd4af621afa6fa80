//===- FoldToIntegerPass.cpp - --tessera-fold-to-integer ------------------===//

#include "compiler/quant/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tessera::quant {
#define GEN_PASS_DEF_FOLDTOINTEGERPASS
#include "compiler/quant/Passes.h.inc"
} // namespace tessera::quant

using namespace mlir;

namespace tessera::quant {
namespace {

struct FoldToIntegerPass
    : public impl::FoldToIntegerPassBase<FoldToIntegerPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (failed(normalizeUnsignedStorage(func)) ||
        failed(convertFunctionArguments(func)))
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateFoldToIntegerPatterns(patterns);
    // Producers before consumers; no folding, which would turn
    // quant.dcast(quant.qcast(x)) back into x.
    UnfoldedReasons reasons;
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal().enableFolding(false).setListener(&reasons);
    (void)applyPatternsGreedily(func, std::move(patterns), config);

    if (failed(convertFunctionResults(func)) ||
        failed(reportUnfoldedOps(func, reasons)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace tessera::quant
