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
    if (!wDtype || (*wDtype != DType::Int8 && *wDtype != DType::UInt8 &&
                    *wDtype != DType::Int16)) {
      func.emitError() << "unsupported weight-dtype '" << weightDtype
                       << "' (expected int8, uint8 or int16)";
      return signalPassFailure();
    }
    QuantizeOptions options{activationDtype, symmetricActivations,
                            weightPerChannel, weightDtype, powerOfTwoScale,
                            symmetricWeights};
    options.nodeDtypes.assign(nodeDtypes.begin(), nodeDtypes.end());
    FailureOr<NodePrecision> precision = parseNodePrecision(func, options);
    if (failed(precision))
      return signalPassFailure();
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
    if (!symmetricWeights && *wDtype == DType::Int16) {
      func.emitError() << "int16 weights are symmetric (symmetric-weights "
                          "must be true)";
      return signalPassFailure();
    }
    populateQuantizeWeightsPatterns(
        patterns,
        WeightScheme{*wDtype, symmetricWeights, weightPerChannel,
                     powerOfTwoScale},
        &*precision);
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
