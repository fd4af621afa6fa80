//===- FuseActivations.cpp - Mark conv/matmul + activation ----------------===//
//
// Recognition only: the producer gets `tessera.activation`; nothing else
// changes. The forms recognised are compiler/patterns/Activation.h's (relu,
// relu6, clamp, silu, hardswish as ONNX exporters' graphs import); p may
// pass through one single-use tosa.reshape first (Gemm's import).
//
//===----------------------------------------------------------------------===//

#include "compiler/graph/Passes.h"
#include "compiler/patterns/Activation.h"

#include <optional>

using namespace mlir;

namespace tessera::graph {
#define GEN_PASS_DEF_FUSEACTIVATIONSPASS
#include "compiler/graph/Passes.h.inc"

namespace {

struct FuseActivationsPass
    : public impl::FuseActivationsPassBase<FuseActivationsPass> {
  void runOnOperation() override { markFusedActivations(getOperation()); }
};

} // namespace

unsigned markFusedActivations(func::FuncOp func) {
  unsigned count = 0;
  func.walk([&](Operation *op) {
    if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
      return;
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.getElementType().isF32())
      return;
    Value p = op->getResult(0);
    std::optional<patterns::Activation> act = patterns::matchActivation(p);
    if (!act && p.hasOneUse())
      if (auto reshape = dyn_cast<tosa::ReshapeOp>(*p.getUsers().begin()))
        act = patterns::matchActivation(reshape.getResult());
    if (!act)
      return;
    auto name = StringAttr::get(func.getContext(), act->name());
    op->setAttr(kActivationAttr, name);
    ++count;
  });
  return count;
}

} // namespace tessera::graph
