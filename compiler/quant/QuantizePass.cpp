//===- QuantizePass.cpp - --tessera-quantize ------------------------------===//

#include "compiler/quant/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tessera::quant {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "compiler/quant/Passes.h.inc"
} // namespace tessera::quant

using namespace mlir;

namespace tessera::quant {
namespace {

struct QuantizePass : public impl::QuantizePassBase<QuantizePass> {
  using QuantizePassBase::QuantizePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<DType> wDtype = parseDType(weightDtype);
    if (!wDtype || (*wDtype != DType::Int8 && *wDtype != DType::UInt8)) {
      func.emitError() << "unsupported weight-dtype '" << weightDtype
                       << "' (expected int8 or uint8)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    if (powerOfTwoScale && !(symmetricActivations && symmetricWeights)) {
      func.emitError() << "power-of-two-scale needs symmetric activations "
                          "and weights (dynamic fixed point has no zero "
                          "point)";
      return signalPassFailure();
    }
    if (!symmetricWeights && weightPerChannel) {
      func.emitError() << "asymmetric weights must be per tensor "
                          "(weight-per-channel=false): tosa.conv2d, "
                          "depthwise_conv2d and matmul, and the NPU's CONV, "
                          "take one weight zero point";
      return signalPassFailure();
    }
    populateQuantizeWeightsPatterns(
        patterns,
        WeightScheme{*wDtype, symmetricWeights, weightPerChannel,
                     powerOfTwoScale});
    // No folding: quant.dcast(quant.qcast(x)) would fold back to x.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      return signalPassFailure();

    rewriteTensorDivisions(func);
    QuantizeOptions options{activationDtype, symmetricActivations,
                            weightPerChannel, weightDtype, powerOfTwoScale,
                            symmetricWeights};
    if (failed(quantizeActivations(func, options)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace tessera::quant
