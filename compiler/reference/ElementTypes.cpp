//===- ElementTypes.cpp - MLIR element types of host tensors --------------===//
#include "compiler/reference/ElementTypes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"

namespace tessera::reference {

std::optional<ElementType> elementTypeOf(mlir::Type type) {
  if (auto q = llvm::dyn_cast<mlir::quant::QuantizedType>(type)) {
    unsigned w = q.getStorageTypeIntegralWidth();
    bool s = q.isSigned();
    if (w == 8 || w == 4) // 4-bit values are held one per byte
      return s ? ElementType::I8 : ElementType::U8;
    if (w == 16)
      return s ? ElementType::I16 : ElementType::U16;
    if (w == 32 && s)
      return ElementType::I32;
    return std::nullopt;
  }
  if (type.isF32())
    return ElementType::F32;
  if (type.isIndex())
    return ElementType::I64;
  auto it = llvm::dyn_cast<mlir::IntegerType>(type);
  if (!it)
    return std::nullopt;
  bool u = it.isUnsigned();
  switch (it.getWidth()) {
  case 1:
    return ElementType::Bool;
  case 4: // int4 / uint4 (ONNX), one value per byte, sign-/zero-extended
  case 8:
    return u ? ElementType::U8 : ElementType::I8;
  case 16:
    return u ? ElementType::U16 : ElementType::I16;
  case 32:
    return u ? std::nullopt : std::optional(ElementType::I32);
  case 48:
  case 64:
    return u ? std::nullopt : std::optional(ElementType::I64);
  default:
    return std::nullopt;
  }
}

} // namespace tessera::reference
