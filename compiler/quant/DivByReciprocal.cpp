//===- DivByReciprocal.cpp - x / d as x * reciprocal(d) before quantizing -===//
//
// ONNX Div of two activations imports as arith.divf(x, d) (docs/frontend.md).
// The integer level has no division, but it has both halves of
//   x / d = x * (1 / d):
// a reciprocal of the 8-bit d is one 256-entry table (FoldElementwiseChain)
// and the product of two activations is the integer mul (FoldMul). What the
// table needs is a quantization of 1 / d, and that can only come from d's
// calibrated range [lo, hi]: d's quantization always contains 0 (the grid is
// extended to hold it), where 1 / d has no bound. So before the activations
// are quantized, a division whose divisor's range excludes 0 (lo > 0 or
// hi < 0) becomes mul(x, reciprocal(d)), the reciprocal calibrated to
// [min(1/lo, 1/hi), max(1/lo, 1/hi)]: 1 / d is monotonic on a range without
// 0, so every calibrated divisor maps inside it. Divisor codes outside the
// calibrated range (down to d = 0) saturate in the table. The mul keeps the
// division's range and ONNX node.
//
// Left as they are (folding reports them; host fallback runs them in
// float): a divisor whose range contains 0 (1 / d is unbounded), a constant
// divisor (FoldDiv.cpp: a rescale), divisions inside one ONNX node's
// elementwise chain (Softsign: one table) or a layer normalisation
// (FoldLayerNorm.cpp), and divisions without calibration ranges.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace tessera::quant {
namespace {

/// The calibrated [min, max] of `v` (an op result or a function argument),
/// if it has one.
std::optional<std::pair<double, double>> calibratedRange(Value v) {
  DenseF64ArrayAttr attr;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (func)
      attr = func.getArgAttrOfType<DenseF64ArrayAttr>(arg.getArgNumber(),
                                                      kRangeAttr);
  } else if (Operation *def = v.getDefiningOp()) {
    attr = dyn_cast_or_null<DenseF64ArrayAttr>(
        def->getDiscardableAttr(kRangeAttr));
  }
  if (!attr || attr.size() != 2 || !std::isfinite(attr[0]) ||
      !std::isfinite(attr[1]))
    return std::nullopt;
  return std::make_pair(attr[0], attr[1]);
}

} // namespace

void rewriteTensorDivisions(func::FuncOp func) {
  // Divisions that a multi-op fold takes as a whole.
  llvm::DenseSet<Operation *> units;
  for (const NodeChain &chain : findNodeChains(func))
    units.insert(chain.ops.begin(), chain.ops.end());
  func.walk([&](Operation *op) {
    if (std::optional<LayerNormChain> ln = matchLayerNormChain(op)) {
      units.insert(op);
      units.insert(ln->interior.begin(), ln->interior.end());
    }
  });
  SmallVector<arith::DivFOp> divisions;
  func.walk([&](arith::DivFOp div) {
    if (!units.contains(div) && isFloatTensor(div.getType()) &&
        !readFloatConstant(div.getRhs()) &&
        div->getDiscardableAttr(kRangeAttr))
      divisions.push_back(div);
  });
  for (arith::DivFOp div : divisions) {
    std::optional<std::pair<double, double>> range =
        calibratedRange(div.getRhs());
    if (!range || !(range->first > 0 || range->second < 0))
      continue; // unbounded reciprocal: reported by folding
    double a = 1.0 / range->first, b = 1.0 / range->second;
    OpBuilder builder(div);
    Location loc = div.getLoc();
    auto recip = tosa::ReciprocalOp::create(builder, loc, div.getRhs().getType(),
                                            div.getRhs());
    copyDiscardableAttrs(div, recip);
    recip->setDiscardableAttr(
        kRangeAttr,
        builder.getDenseF64ArrayAttr({std::min(a, b), std::max(a, b)}));
    auto shiftType = RankedTensorType::get({1}, builder.getI8Type());
    Value shift = tosa::ConstOp::create(
        builder, loc, shiftType,
        DenseElementsAttr::get(shiftType, llvm::ArrayRef<int8_t>{0}));
    auto mul = tosa::MulOp::create(builder, loc, div.getType(), div.getLhs(),
                                   recip.getResult(), shift);
    copyDiscardableAttrs(div, mul);
    div.replaceAllUsesWith(mul.getResult());
    div.erase();
  }
}

} // namespace tessera::quant
