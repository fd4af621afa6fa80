//===- ConstantFolder.cpp - Replace an all-constant op by its value -------===//
//
// The value comes from compiler/reference's per-op evaluator (evalOp), the
// same code the float and integer reference executors run, so a folded op
// computes exactly what executing it would have computed.
//
//===----------------------------------------------------------------------===//

#include "compiler/graph/Passes.h"

#include "compiler/reference/Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
namespace ref = tessera::reference;

namespace tessera::graph {

bool isConstantOp(Operation *op) {
  return isa<tosa::ConstOp, tosa::ConstShapeOp, arith::ConstantOp>(op);
}

namespace {

bool isQuantized(Type t) {
  auto shaped = dyn_cast<ShapedType>(t);
  return shaped && isa<mlir::quant::QuantizedType>(shaped.getElementType());
}

/// `t`'s values as an attribute of `type` (same shape, matching element
/// type); nullptr when they do not match.
DenseElementsAttr toAttr(const ref::Tensor &t, RankedTensorType type) {
  Type et = type.getElementType();
  if (t.shape() != type.getShape())
    return nullptr;
  if (t.elementType() == ref::ElementType::F32)
    return et.isF32() ? DenseElementsAttr::get(type, t.values<float>())
                      : nullptr;
  if (t.elementType() == ref::ElementType::Bool)
    return et.isInteger(1) ? DenseElementsAttr::get(type, t.values<bool>())
                           : nullptr;
  if (!et.isInteger() && !et.isIndex())
    return nullptr;
  // Integers, i48 included (held in i64): through APInt of the MLIR width.
  unsigned width = et.isIndex() ? 64 : et.getIntOrFloatBitWidth();
  bool isSigned = !tessera::isUnsigned(t.elementType());
  llvm::SmallVector<APInt> values;
  values.reserve(t.numElements());
  for (int64_t i = 0, n = t.numElements(); i < n; ++i)
    values.emplace_back(width, static_cast<uint64_t>(t.getInt(i)), isSigned,
                        /*implicitTrunc=*/true);
  return DenseElementsAttr::get(type, values);
}

} // namespace

FailureOr<Value> foldToConstant(RewriterBase &rewriter, Operation *op,
                                int64_t maxElements) {
  if (isConstantOp(op) || op->getNumResults() != 1 ||
      op->getNumRegions() != 0 || !ref::detail::isKnownOp(op))
    return failure();
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() > maxElements ||
      isQuantized(type))
    return failure();

  // Operand values, each evaluated from its constant op.
  std::vector<ref::Tensor> operands;
  operands.reserve(op->getNumOperands());
  for (Value v : op->getOperands()) {
    Operation *def = v.getDefiningOp();
    if (!def || !isConstantOp(def) || isQuantized(v.getType()))
      return failure();
    auto t = ref::detail::evalOp(def, {});
    if (!t) {
      llvm::consumeError(t.takeError());
      return failure();
    }
    operands.push_back(std::move(*t));
  }
  std::vector<const ref::Tensor *> args;
  for (const ref::Tensor &t : operands)
    args.push_back(&t);
  auto value = ref::detail::evalOp(op, args);
  if (!value) {
    llvm::consumeError(value.takeError());
    return failure();
  }
  DenseElementsAttr attr = toAttr(*value, type);
  if (!attr)
    return failure();

  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  auto folded = tosa::ConstOp::create(rewriter, op->getLoc(), type, attr);
  // Keep what maps the value back to ONNX (onnx.node, onnx.output,
  // onnx.layout, onnx.fused) and any other annotation.
  for (NamedAttribute a : op->getDiscardableAttrs())
    folded->setAttr(a.getName(), a.getValue());
  llvm::SetVector<Operation *> defs;
  for (Value v : op->getOperands())
    defs.insert(v.getDefiningOp());
  rewriter.replaceOp(op, folded.getResult());
  // Constants that only fed the folded op are dead now.
  for (Operation *def : defs)
    if (def->use_empty())
      rewriter.eraseOp(def);
  return folded.getResult();
}

} // namespace tessera::graph
