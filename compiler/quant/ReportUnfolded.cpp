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
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {

void UnfoldedReasons::notifyMatchFailure(
    Location loc, function_ref<void(Diagnostic &)> reasonCallback) {
  Diagnostic diag(loc, DiagnosticSeverity::Remark);
  reasonCallback(diag);
  std::string reason = diag.str();
  auto &list = reasons[loc];
  if (!llvm::is_contained(list, reason))
    list.push_back(std::move(reason));
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
  // An op is reported when it is a root (none of its operands comes from
  // another op left unfolded) or has no fold pattern at all. The other ops
  // downstream of a root fail only because their input is float; they are
  // counted in one line instead of one error each (a detector would
  // otherwise list every later layer).
  llvm::DenseSet<Operation *> unfoldedOps;
  auto producedByUnfolded = [&](Value v) {
    Operation *def = v.getDefiningOp();
    // Through the quant casts the folding leaves behind an unfolded op.
    while (def && isa<mq::QuantizeCastOp, mq::DequantizeCastOp,
                      mq::StorageCastOp>(def))
      def = def->getOperand(0).getDefiningOp();
    return def && unfoldedOps.contains(def);
  };
  bool failedAny = false;
  unsigned downstream = 0;
  func.walk([&](Operation *op) {
    if (isa<mq::QuantizeCastOp, mq::DequantizeCastOp, mq::StorageCastOp,
            tosa::ConstOp, func::FuncOp>(op) ||
        isHostOp(op)) // runs in float on the host (HostFallback.cpp)
      return;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (OpOperand &operand : ret->getOpOperands())
        if (isNotInteger(operand.get().getType())) {
          failedAny = true;
          if (producedByUnfolded(operand.get())) {
            ++downstream;
            continue;
          }
          ret.emitOpError("result #")
              << operand.getOperandNumber()
              << " cannot be folded to integer: it is not quant.dcast of a "
                 "folded integer value";
        }
      return;
    }
    if (llvm::none_of(op->getOperandTypes(), isNotInteger) &&
        llvm::none_of(op->getResultTypes(), isNotInteger))
      return;
    failedAny = true;
    unfoldedOps.insert(op);
    // The reasons recorded at the op's location (its ONNX node's): its own
    // and its node's other ops'. One that only says an input was not folded
    // is a consequence, never a root's reason.
    llvm::ArrayRef<std::string> reasons;
    if (auto it = unfolded.reasons.find(op->getLoc());
        it != unfolded.reasons.end())
      reasons = it->second;
    auto own = llvm::find_if(reasons, [](const std::string &r) {
      return !llvm::StringRef(r).contains(kProducerNotFolded);
    });
    // An op no pattern exists for is reported wherever it is.
    bool root = llvm::none_of(op->getOperands(), producedByUnfolded) ||
                reasons.empty();
    if (!root) {
      ++downstream;
      return;
    }
    InFlightDiagnostic diag = op->emitOpError("cannot be folded to integer: ");
    if (own != reasons.end())
      diag << *own;
    else
      diag << "no integer lowering for this op";
  });
  if (downstream)
    func.emitError() << downstream << " later op"
                     << (downstream == 1 ? " was" : "s were")
                     << " not folded because an input comes from an op above";
  return failure(failedAny);
}

} // namespace tessera::quant
