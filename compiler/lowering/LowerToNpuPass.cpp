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
    FailureOr<std::vector<UnloweredOp>> left = applyNpuRewrites(module);
    if (failed(left))
      return signalPassFailure();
    bool ok = true;
    for (auto func : module.getOps<func::FuncOp>())
      if (!isHostSegment(func) && !func.isExternal())
        ok &= succeeded(diagnoseUnlowered(func));
    if (!ok)
      return signalPassFailure();
    assignLayers(module);
  }
};

} // namespace

FailureOr<std::vector<UnloweredOp>> applyNpuRewrites(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  // Loaded already inside the pass (its dependent dialects); a caller
  // outside a pass manager (the driver's trial lowering) needs them too.
  ctx->getOrLoadDialect<npu::NpuDialect>();
  ctx->getOrLoadDialect<tosa::TosaDialect>();
  RewritePatternSet patterns(ctx);
  populateLowerToNpuPatterns(patterns);
  FrozenRewritePatternSet frozen(std::move(patterns));
  RewritePatternSet late(ctx);
  populateLowerElementTransposePatterns(late);
  // A pad no conv absorbed becomes concats of constant blocks, lowered
  // by the concat pattern in the same phase.
  populateLowerPadPatterns(late);
  populateLowerConcatPatterns(late);
  FrozenRewritePatternSet frozenLate(std::move(late));
  // Host fallback first: the float ops leave the NPU function.
  unsigned counter = 0;
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>()))
    if (!isHostSegment(func) && !func.isExternal() &&
        failed(outlineHostSegments(func, counter)))
      return failure();
  std::vector<UnloweredOp> left;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (isHostSegment(func) || func.isExternal())
      continue;
    eraseRedundantClamps(func);
    absorbBoundaryTransposes(func);
    if (failed(applyPatternsGreedily(func, frozen)) ||
        failed(applyPatternsGreedily(func, frozenLate)))
      return failure();
    std::vector<UnloweredOp> f = collectUnlowered(func);
    left.insert(left.end(), f.begin(), f.end());
  }
  return left;
}

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
