//===- FuncBoundary.cpp - Integer arguments and results of a folded func --===//
//
// At the integer level the function takes and returns the i8 storage tensors
// and describes each with attributes the compile driver copies into the
// .npubin input/output descriptors:
//   tessera.scale (f64), tessera.zero_point (i64), tessera.dtype ("int8",
//   "uint8" or "int16").
// For "uint8" the zero point is the external one (uint8 bytes); the tensor
// itself holds those bytes XOR 0x80 (zero point - 128), which the runtime
// produces when it loads the input (docs/quantization-passes.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

/// The boundary attributes of a value quantized with `type`; `ioDtype` is the
/// `tessera.io_dtype` recorded by --tessera-quantize or NormalizeStorage.
NamedAttrList boundaryAttrs(Builder &b, mq::UniformQuantizedType type,
                            Attribute ioDtype) {
  bool isUint8 = ioDtype && cast<StringAttr>(ioDtype).getValue() == "uint8";
  NamedAttrList attrs;
  attrs.set(kScaleAttr, b.getF64FloatAttr(type.getScale()));
  attrs.set(kZeroPointAttr,
            b.getI64IntegerAttr(type.getZeroPoint() + (isUint8 ? 128 : 0)));
  attrs.set(kDtypeAttr,
            b.getStringAttr(isUint8                                ? "uint8"
                            : storageWidth(type) == 16 ? "int16"
                                                       : "int8"));
  return attrs;
}

void setArgAttrs(func::FuncOp func, unsigned i, const NamedAttrList &attrs) {
  func.removeArgAttr(i, kIoDtypeAttr);
  for (NamedAttribute attr : attrs)
    func.setArgAttr(i, attr.getName(), attr.getValue());
}

void setResultAttrs(func::FuncOp func, unsigned i, const NamedAttrList &attrs) {
  func.removeResultAttr(i, StringAttr::get(func.getContext(), kIoDtypeAttr));
  for (NamedAttribute attr : attrs)
    func.setResultAttr(i, attr.getName(), attr.getValue());
}

/// The per-tensor i8 quantization an integer argument is read with: the
/// type of the quant.scast at the end of its (single-use) chain of reshapes
/// and transposes.
std::optional<mq::UniformQuantizedType> integerArgumentType(Value v) {
  while (v.hasOneUse()) {
    Operation *user = *v.getUsers().begin();
    if (auto scast = dyn_cast<mq::StorageCastOp>(user)) {
      auto type = dyn_cast_or_null<mq::UniformQuantizedType>(
          getQuantElementType(scast.getType()));
      if (type && type.isSigned() && type.getStorageTypeIntegralWidth() == 8)
        return type;
      return std::nullopt;
    }
    if (!isa<tosa::ReshapeOp, tosa::TransposeOp>(user))
      return std::nullopt;
    v = user->getResult(0);
  }
  return std::nullopt;
}

} // namespace

LogicalResult convertFunctionArguments(func::FuncOp func) {
  if (func.isExternal())
    return success();
  Block &entry = func.getBody().front();
  OpBuilder b(func.getContext());
  for (BlockArgument arg : entry.getArguments()) {
    if (arg.use_empty())
      continue;
    if (!isFloatTensor(arg.getType())) {
      // An integer argument that an imported model reinterprets
      // (quant.scast, possibly after reshape/transpose): describe it by that
      // quantization.
      if (std::optional<mq::UniformQuantizedType> type =
              integerArgumentType(arg))
        setArgAttrs(func, arg.getArgNumber(),
                    boundaryAttrs(b, *type,
                                  func.getArgAttr(arg.getArgNumber(),
                                                  kIoDtypeAttr)));
      continue;
    }
    SmallVector<mq::QuantizeCastOp> qcasts;
    for (Operation *user : arg.getUsers())
      if (auto qcast = dyn_cast<mq::QuantizeCastOp>(user))
        qcasts.push_back(qcast);
    if (qcasts.size() != static_cast<size_t>(std::distance(
                             arg.getUses().begin(), arg.getUses().end())) ||
        llvm::any_of(qcasts, [&](mq::QuantizeCastOp q) {
          return q.getType() != qcasts.front().getType();
        }))
      continue; // not (uniformly) quantized: reported by the leftover check
    Type quantType = qcasts.front().getType();
    llvm::Expected<mq::UniformQuantizedType> type = requireI8PerTensor(
        quantType, "argument #" + std::to_string(arg.getArgNumber()),
        /*allowI16=*/true);
    if (!type)
      return func.emitOpError() << llvm::toString(type.takeError());

    arg.setType(withElementType(arg.getType(), type->getStorageType()));
    b.setInsertionPointToStart(&entry);
    auto scast = mq::StorageCastOp::create(b, arg.getLoc(), quantType, arg);
    for (mq::QuantizeCastOp qcast : qcasts) {
      qcast.replaceAllUsesWith(scast.getResult());
      qcast.erase();
    }
    setArgAttrs(
        func, arg.getArgNumber(),
        boundaryAttrs(b, *type,
                      func.getArgAttr(arg.getArgNumber(), kIoDtypeAttr)));
  }
  func.setType(FunctionType::get(func.getContext(), entry.getArgumentTypes(),
                                 func.getResultTypes()));
  return success();
}

LogicalResult convertFunctionResults(func::FuncOp func) {
  if (func.isExternal())
    return success();
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  Builder b(func.getContext());
  for (OpOperand &operand : ret->getOpOperands()) {
    Value source = getDequantizedSource(operand.get());
    // A quantized result (an imported QuantizeLinear / QLinear* output) is
    // returned as its integers too.
    if (!source && getQuantElementType(operand.get().getType()))
      source = operand.get();
    auto scast = source ? source.getDefiningOp<mq::StorageCastOp>() : nullptr;
    if (!scast ||
        !isa<IntegerType>(getElementTypeOrSelf(scast.getInput().getType())))
      continue; // reported by the leftover check
    llvm::Expected<mq::UniformQuantizedType> type = requireI8PerTensor(
        source.getType(),
        "result #" + std::to_string(operand.getOperandNumber()),
        /*allowI16=*/true);
    if (!type)
      return ret.emitOpError() << llvm::toString(type.takeError());
    unsigned i = operand.getOperandNumber();
    Attribute ioDtype = func.getResultAttr(i, kIoDtypeAttr);
    operand.set(scast.getInput());
    setResultAttrs(func, i, boundaryAttrs(b, *type, ioDtype));
  }
  func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                 ret->getOperandTypes()));
  return success();
}

} // namespace tessera::quant
