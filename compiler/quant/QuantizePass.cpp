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
    if (weightDtype != "int8" && weightDtype != "int16") {
      func.emitError() << "unsupported weight-dtype '" << weightDtype
                       << "' (expected int8 or int16)";
      return signalPassFailure();
    }
    QuantizeOptions options{activationDtype, symmetricActivations,
                            weightPerChannel, weightDtype, powerOfTwoScale};
    options.nodeDtypes.assign(nodeDtypes.begin(), nodeDtypes.end());
    FailureOr<NodePrecision> precision = parseNodePrecision(func, options);
    if (failed(precision))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    if (powerOfTwoScale && !symmetricActivations) {
      func.emitError() << "power-of-two-scale needs symmetric activations "
                          "(dynamic fixed point has no zero point)";
      return signalPassFailure();
    }
    populateQuantizeWeightsPatterns(patterns, weightPerChannel,
                                    powerOfTwoScale, &*precision);
    // No folding: quant.dcast(quant.qcast(x)) would fold back to x.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      return signalPassFailure();

    rewriteTensorDivisions(func);
    if (failed(quantizeActivations(func, options, &*precision)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace tessera::quant
