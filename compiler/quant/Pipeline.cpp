//===- Pipeline.cpp - Quantization pipeline and pass registration ---------===//

#include "compiler/quant/Passes.h"

using namespace mlir;

namespace tessera::quant {
namespace {
#define GEN_PASS_REGISTRATION
#include "compiler/quant/Passes.h.inc"
} // namespace

void populateFoldToIntegerPatterns(RewritePatternSet &patterns) {
  populateFoldConvPatterns(patterns);
  populateFoldMatMulPatterns(patterns);
  populateFoldAddPatterns(patterns);
  populateFoldAvgPoolPatterns(patterns);
  populateFoldSharedQParamsPatterns(patterns);
  populateFoldPadPatterns(patterns);
  populateFoldClampPatterns(patterns);
  populateFoldTablePatterns(patterns);
  populateFoldMulPatterns(patterns);
  populateFoldDivPatterns(patterns);
  populateFoldResizePatterns(patterns);
  populateFoldSoftmaxPatterns(patterns);
  populateFoldLayerNormPatterns(patterns);
  populateFoldReducePatterns(patterns);
  populateFoldComparePatterns(patterns);
}

void buildQuantizationPipeline(OpPassManager &pm,
                               const QuantizeOptions &options) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createQuantizePass(options));
  funcPm.addPass(createFoldToIntegerPass());
}

void buildFoldToIntegerPipeline(OpPassManager &pm,
                                const FoldToIntegerOptions &options) {
  pm.nest<func::FuncOp>().addPass(createFoldToIntegerPass(options));
}

void registerQuantPasses() { registerTesseraPasses(); }

} // namespace tessera::quant
