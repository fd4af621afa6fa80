//===- BoundaryLayout.cpp - Absorb NCHW<->NHWC transposes into the signature
//===//
//
// The importer keeps ONNX's NCHW at the function boundary and transposes to
// NHWC inside. The NPU keeps tensors in DRAM in NHWC order, so moving data
// for these transposes would be wasted work: the function takes and returns
// NHWC instead and records `npu.layout = "nhwc"`, which codegen turns into
// the I/O descriptors' layout (the ONNX shape is recovered from it).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

namespace tessera::lowering {

static bool hasPerms(tosa::TransposeOp t, llvm::ArrayRef<int32_t> perms) {
  return t.getPerms() == perms;
}

void absorbBoundaryTransposes(func::FuncOp func) {
  if (func.isExternal())
    return;
  static constexpr int32_t kToNhwc[] = {0, 2, 3, 1};
  static constexpr int32_t kToNchw[] = {0, 3, 1, 2};
  Builder b(func.getContext());
  auto nhwc = b.getStringAttr("nhwc");
  Block &body = func.getBody().front();

  for (BlockArgument arg : body.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() != 4 || arg.use_empty())
      continue;
    bool all = llvm::all_of(arg.getUsers(), [](Operation *u) {
      auto t = dyn_cast<tosa::TransposeOp>(u);
      return t && hasPerms(t, kToNhwc);
    });
    if (!all)
      continue;
    Type newType = (*arg.getUsers().begin())->getResult(0).getType();
    for (Operation *u : llvm::make_early_inc_range(arg.getUsers())) {
      u->getResult(0).replaceAllUsesWith(arg);
      u->erase();
    }
    arg.setType(newType);
    func.setArgAttr(arg.getArgNumber(), kLayoutAttr, nhwc);
  }

  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (OpOperand &operand : ret->getOpOperands()) {
    // The narrow-range clamp of a symmetric scheme after the transpose is
    // elementwise: clamp(transpose(v)) = transpose(clamp(v)), so the clamp
    // moves before the transpose (it keeps its op, now on NHWC).
    if (auto c = operand.get().getDefiningOp<tosa::ClampOp>()) {
      auto t = c.getInput().getDefiningOp<tosa::TransposeOp>();
      if (t && hasPerms(t, kToNchw) && t->hasOneUse() && c->hasOneUse()) {
        c->moveBefore(t);
        c->setOperand(0, t.getInput1());
        c->getResult(0).setType(t.getInput1().getType());
        t->setOperand(0, c.getResult());
        operand.set(t.getResult());
      }
    }
    auto t = operand.get().getDefiningOp<tosa::TransposeOp>();
    if (!t || !hasPerms(t, kToNchw))
      continue;
    operand.set(t.getInput1());
    if (t->use_empty())
      t->erase();
    func.setResultAttr(operand.getOperandNumber(), kLayoutAttr, nhwc);
  }
  func.setType(FunctionType::get(func.getContext(), body.getArgumentTypes(),
                                 ret.getOperandTypes()));
}

} // namespace tessera::lowering
