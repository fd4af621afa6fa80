//===- LowerToNpuPass.cpp - --tessera-lower-to-npu ------------------------===//
#include "compiler/lowering/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tessera::lowering {
#define GEN_PASS_DEF_LOWERTONPUPASS
#include "compiler/lowering/Passes.h.inc"
} // namespace tessera::lowering

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerToNpuPass : public impl::LowerToNpuPassBase<LowerToNpuPass> {
  using LowerToNpuPassBase::LowerToNpuPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    RewritePatternSet patterns(&getContext());
    populateLowerToNpuPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    RewritePatternSet late(&getContext());
    populateLowerElementTransposePatterns(late);
    // A pad no conv absorbed becomes concats of constant blocks, lowered
    // by the concat pattern in the same phase.
    populateLowerPadPatterns(late);
    populateLowerConcatPatterns(late);
    FrozenRewritePatternSet frozenLate(std::move(late));
    bool ok = true;
    // Host fallback first: the float ops leave the NPU function.
    unsigned counter = 0;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>()))
      if (!isHostSegment(func) && !func.isExternal() &&
          failed(outlineHostSegments(func, counter)))
        return signalPassFailure();
    for (auto func : module.getOps<func::FuncOp>()) {
      if (isHostSegment(func))
        continue;
      eraseRedundantClamps(func);
      absorbBoundaryTransposes(func);
      if (failed(applyPatternsGreedily(func, frozen)) ||
          failed(applyPatternsGreedily(func, frozenLate)))
        return signalPassFailure();
      ok &= succeeded(diagnoseUnlowered(func));
    }
    if (!ok)
      return signalPassFailure();
    assignLayers(module);
  }
};

} // namespace

void populateLowerToNpuPatterns(RewritePatternSet &patterns) {
  populateLowerConvPatterns(patterns);
  populateLowerMatMulPatterns(patterns);
  populateLowerPoolPatterns(patterns);
  populateLowerConcatPatterns(patterns);
  populateLowerReshapePatterns(patterns);
  populateLowerRescalePatterns(patterns);
  populateLowerAddPatterns(patterns);
  populateLowerTablePatterns(patterns);
  populateLowerSoftmaxPatterns(patterns);
  populateLowerLayerNormPatterns(patterns);
  populateLowerSlicePatterns(patterns);
  populateLowerResizePatterns(patterns);
  populateLowerRowTransposePatterns(patterns);
  populateLowerMulPatterns(patterns);
  populateLowerSelectPatterns(patterns);
  populateLowerClampPatterns(patterns);
  populateLowerTransposePatterns(patterns);
}

} // namespace tessera::lowering
