//===- ElementwiseChain.cpp - Elementwise chains of one ONNX node ---------===//
//
// The front end imports unary ONNX functions without a TOSA operator (Elu,
// Mish, Gelu, Softplus, LeakyRelu, HardSwish, ...) as several elementwise
// float ops on one input with splat constants. Quantizing each intermediate
// would round the node's value several times and leave ops the integer level
// cannot run alone (maximum or mul of two different activations), so the
// quantizer quantizes only the node's input and output tensors, as a QDQ
// model does, and FoldElementwiseChain makes the node one 256-entry table.
// SiLU (ONNX Sigmoid and Mul, two nodes) is two groups of one op: untouched.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;

namespace tessera::quant {

bool isChainOp(Operation *op) {
  return isa<tosa::AddOp, tosa::SubOp, tosa::MulOp, tosa::MaximumOp,
             tosa::MinimumOp, tosa::ClampOp, tosa::SigmoidOp, tosa::TanhOp,
             tosa::ExpOp, tosa::LogOp, tosa::ReciprocalOp, tosa::RsqrtOp,
             tosa::AbsOp, tosa::NegateOp, tosa::FloorOp, tosa::CeilOp,
             tosa::ErfOp, tosa::PowOp, arith::DivFOp>(op) &&
         op->getNumResults() == 1 && isFloatTensor(op->getResult(0).getType());
}

bool isChainConstant(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  return !isa<FloatType>(attr.getElementType()) || attr.getNumElements() == 1 ||
         (isa<DenseElementsAttr>(attr) &&
          cast<DenseElementsAttr>(attr).isSplat());
}

namespace {

constexpr llvm::StringLiteral kNodeAttr = "onnx.node";

bool sameNode(Operation *a, Operation *b) {
  auto na = a->getAttrOfType<StringAttr>(kNodeAttr);
  return na && na == b->getAttrOfType<StringAttr>(kNodeAttr);
}

/// `ops` (program order) if they form a NodeChain, else none.
std::optional<NodeChain> checkChain(llvm::ArrayRef<Operation *> ops) {
  llvm::SmallPtrSet<Operation *, 8> members(ops.begin(), ops.end());
  Value input;
  NodeChain chain;
  for (Operation *op : ops) {
    for (Value v : op->getOperands()) {
      if (members.contains(v.getDefiningOp()) || isChainConstant(v))
        continue;
      if (input && input != v)
        return std::nullopt;
      input = v;
    }
    if (llvm::any_of(op->getUsers(),
                     [&](Operation *u) { return !members.contains(u); })) {
      if (chain.output)
        return std::nullopt;
      chain.output = op;
    }
  }
  if (!input || !chain.output)
    return std::nullopt;
  auto shape = cast<ShapedType>(input.getType()).getShape();
  for (Operation *op : ops)
    if (cast<ShapedType>(op->getResult(0).getType()).getShape() != shape)
      return std::nullopt;
  chain.ops.assign(ops.begin(), ops.end());
  return chain;
}

} // namespace

SmallVector<NodeChain> findNodeChains(func::FuncOp func) {
  // Chain ops joined along def-use edges within one ONNX node.
  llvm::EquivalenceClasses<Operation *> groups;
  SmallVector<Operation *> order;
  func.walk([&](Operation *op) {
    if (!isChainOp(op))
      return;
    order.push_back(op);
    groups.insert(op);
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp();
          def && groups.contains(def) && sameNode(def, op))
        groups.unionSets(def, op);
  });
  llvm::MapVector<Operation *, SmallVector<Operation *>> members;
  for (Operation *op : order)
    members[groups.getLeaderValue(op)].push_back(op);
  SmallVector<NodeChain> chains;
  for (auto &[leader, ops] : members)
    if (ops.size() >= 2)
      if (auto chain = checkChain(ops))
        chains.push_back(std::move(*chain));
  return chains;
}

} // namespace tessera::quant
