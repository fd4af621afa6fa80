//===- FoldToIntegerPass.cpp - --tessera-fold-to-integer ------------------===//

#include "compiler/quant/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace tessera::quant {
#define GEN_PASS_DEF_FOLDTOINTEGERPASS
#include "compiler/quant/Passes.h.inc"
} // namespace tessera::quant

using namespace mlir;

namespace tessera::quant {
namespace {

struct FoldToIntegerPass
    : public impl::FoldToIntegerPassBase<FoldToIntegerPass> {
  using FoldToIntegerPassBase::FoldToIntegerPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<FallbackMode> mode =
        llvm::StringSwitch<std::optional<FallbackMode>>(fallback)
            .Case("none", FallbackMode::None)
            .Case("host", FallbackMode::Host)
            .Case("error", FallbackMode::Error)
            .Default(std::nullopt);
    if (!mode) {
      func.emitError() << "unknown fallback '" << fallback
                       << "' (expected none, host or error)";
      return signalPassFailure();
    }
    if (*mode == FallbackMode::Error && !floatNodes.empty()) {
      func.emitError() << "float-nodes pins nodes to the host, which "
                          "fallback=error forbids";
      return signalPassFailure();
    }
    if (failed(normalizeUnsignedStorage(func)) ||
        failed(convertFunctionArguments(func)))
      return signalPassFailure();

    HostReasons hostReasons;
    if (failed(pinFloatNodes(func, floatNodes, hostReasons)))
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateFoldToIntegerPatterns(patterns);
    skipHostOps(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    // Producers before consumers; no folding, which would turn
    // quant.dcast(quant.qcast(x)) back into x.
    UnfoldedReasons reasons;
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal().enableFolding(false).setListener(&reasons);
    // Fold; then move what cannot fold to the host, whose quantized results
    // let their consumers fold in the next round.
    bool automatic = *mode != FallbackMode::None;
    do
      (void)applyPatternsGreedily(func, frozen, config);
    while (fallBackToHost(func, reasons, hostReasons, automatic) > 0);
    finalizeHostBoundaries(func);

    if (failed(convertFunctionResults(func)) ||
        failed(reportUnfoldedOps(func, reasons)) ||
        failed(reportHostNodes(func, hostReasons,
                               *mode == FallbackMode::Error)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace tessera::quant
