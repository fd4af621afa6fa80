//===- ReportUnfolded.cpp - Errors for what fold-to-integer left as float -===//
//
// After folding, the function must be integer TOSA. Dead quant casts and
// float constants are erased; every op still computing on float or quantized
// types is reported, all at once, with the reason its fold pattern gave
// (recorded from notifyMatchFailure), instead of silently leaving floats.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {

void UnfoldedReasons::notifyMatchFailure(
    Location loc, function_ref<void(Diagnostic &)> reasonCallback) {
  Diagnostic diag(loc, DiagnosticSeverity::Remark);
  reasonCallback(diag);
  reasons[loc] = diag.str();
}

static bool isNotInteger(Type type) {
  Type element = getElementTypeOrSelf(type);
  return isa<FloatType, mq::QuantizedType>(element);
}

/// Erases ops without uses or side effects, users before producers.
static void eraseDeadOps(func::FuncOp func) {
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<Operation *> dead;
    func.walk([&](Operation *op) {
      if (op != func && isOpTriviallyDead(op))
        dead.push_back(op);
    });
    for (Operation *op : llvm::reverse(dead)) {
      if (isOpTriviallyDead(op)) {
        op->erase();
        changed = true;
      }
    }
  }
}

LogicalResult reportUnfoldedOps(func::FuncOp func,
                                const UnfoldedReasons &unfolded) {
  eraseDeadOps(func);
  bool failedAny = false;
  func.walk([&](Operation *op) {
    if (isa<mq::QuantizeCastOp, mq::DequantizeCastOp, mq::StorageCastOp,
            tosa::ConstOp, func::FuncOp>(op))
      return;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (OpOperand &operand : ret->getOpOperands())
        if (isNotInteger(operand.get().getType())) {
          ret.emitOpError("result #")
              << operand.getOperandNumber()
              << " cannot be folded to integer: it is not quant.dcast of a "
                 "folded integer value";
          failedAny = true;
        }
      return;
    }
    if (llvm::none_of(op->getOperandTypes(), isNotInteger) &&
        llvm::none_of(op->getResultTypes(), isNotInteger))
      return;
    auto it = unfolded.reasons.find(op->getLoc());
    InFlightDiagnostic diag = op->emitOpError("cannot be folded to integer: ");
    if (it != unfolded.reasons.end())
      diag << it->second;
    else
      diag << "no integer lowering for this op";
    failedAny = true;
  });
  return failure(failedAny);
}

} // namespace tessera::quant
