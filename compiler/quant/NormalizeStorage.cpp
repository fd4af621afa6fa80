//===- NormalizeStorage.cpp - Unsigned quantized storage to signed i8 -----===//
//
// TOSA 1.0 integer ops compute on int8. A uint8 quantization (scale s, zero
// point z) is the int8 quantization (s, z - 128) of the same bytes XOR 0x80:
// every integer op gives bit-identical results. Pre-quantized ONNX models
// (QuantizeLinear to uint8) import with u8 storage; this step rewrites them to
// i8 storage before folding and records `tessera.io_dtype = "uint8"` where
// such a value crosses the function boundary, so the boundary can still say
// what the user feeds and reads.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

/// The signed-storage equivalent of an unsigned quantized type.
mq::QuantizedType toSignedStorage(mq::QuantizedType type) {
  if (!type || type.isSigned())
    return type;
  int64_t shift = int64_t(1) << (type.getStorageTypeIntegralWidth() - 1);
  unsigned flags = mq::QuantizationFlags::Signed;
  if (auto uniform = dyn_cast<mq::UniformQuantizedType>(type))
    return mq::UniformQuantizedType::get(
        flags, uniform.getStorageType(), uniform.getExpressedType(),
        uniform.getScale(), uniform.getZeroPoint() - shift,
        uniform.getStorageTypeMin() - shift,
        uniform.getStorageTypeMax() - shift);
  if (auto perAxis = dyn_cast<mq::UniformQuantizedPerAxisType>(type)) {
    SmallVector<int64_t> zps;
    for (int64_t z : perAxis.getZeroPoints())
      zps.push_back(z - shift);
    return mq::UniformQuantizedPerAxisType::get(
        flags, perAxis.getStorageType(), perAxis.getExpressedType(),
        perAxis.getScales(), zps, perAxis.getQuantizedDimension(),
        perAxis.getStorageTypeMin() - shift,
        perAxis.getStorageTypeMax() - shift);
  }
  return nullptr;
}

/// If the storage of `scast` is an 8-bit function argument, possibly
/// through tensor.bitcast (ui8 -> i8) and data movement (reshape,
/// transpose), makes the argument the signless int8 image of the uint8
/// bytes (XOR 0x80, produced by the runtime at the boundary, see
/// FuncBoundary.cpp) and records `tessera.io_dtype = "uint8"`. Data
/// movement commutes with the per-byte XOR, so the chain stays as it is.
LogicalResult convertUnsignedArgument(func::FuncOp func,
                                      mq::StorageCastOp scast) {
  Value v = scast.getInput();
  SmallVector<Operation *> chain;
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<tensor::BitcastOp, tosa::ReshapeOp, tosa::TransposeOp>(def))
      return failure();
    chain.push_back(def);
    v = def->getOperand(0);
  }
  auto arg = dyn_cast<BlockArgument>(v);
  auto type = arg ? dyn_cast<RankedTensorType>(arg.getType()) : nullptr;
  if (!type || !type.getElementType().isInteger(8) ||
      arg.getOwner() != &func.getBody().front())
    return failure();
  Type i8 = IntegerType::get(func.getContext(), 8);
  arg.setType(withElementType(type, i8));
  for (Operation *op : llvm::reverse(chain)) {
    if (auto bitcast = dyn_cast<tensor::BitcastOp>(op)) {
      bitcast.getResult().replaceAllUsesWith(bitcast.getSource());
      bitcast.erase();
      continue;
    }
    op->getResult(0).setType(withElementType(op->getResult(0).getType(), i8));
  }
  func.setArgAttr(arg.getArgNumber(), kIoDtypeAttr,
                  StringAttr::get(func.getContext(), "uint8"));
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().front().getArgumentTypes(),
                                 func.getResultTypes()));
  return success();
}

} // namespace

LogicalResult normalizeUnsignedStorage(func::FuncOp func) {
  StringAttr uint8 = StringAttr::get(func.getContext(), "uint8");
  llvm::DenseSet<Value> converted;
  SmallVector<mq::StorageCastOp> scasts;
  WalkResult walk = func.walk([&](Operation *op) {
    if (!isa<mq::QuantizeCastOp, mq::StorageCastOp>(op))
      return WalkResult::advance();
    Value result = op->getResult(0);
    mq::QuantizedType type = getQuantElementType(result.getType());
    if (!type || type.isSigned())
      return WalkResult::advance();
    mq::QuantizedType signedType = toSignedStorage(type);
    if (!signedType) {
      op->emitOpError("cannot convert unsigned quantized storage of ")
          << type << " to i8";
      return WalkResult::interrupt();
    }
    if (auto scast = dyn_cast<mq::StorageCastOp>(op))
      scasts.push_back(scast);
    result.setType(withElementType(result.getType(), signedType));
    converted.insert(result);
    if (auto arg = dyn_cast<BlockArgument>(op->getOperand(0)))
      if (isa<mq::QuantizeCastOp>(op))
        func.setArgAttr(arg.getArgNumber(), kIoDtypeAttr, uint8);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  // Unsigned integer constants behind a storage cast move down by 2^(b-1);
  // unsigned integer arguments (an imported model's uint8 input) become the
  // int8 image at the boundary.
  for (mq::StorageCastOp scast : scasts) {
    auto qtype = cast<mq::QuantizedType>(getQuantElementType(scast.getType()));
    if (succeeded(convertUnsignedArgument(func, scast)))
      continue;
    std::optional<SmallVector<int64_t>> values =
        readIntConstant(scast.getInput());
    if (!values)
      return scast.emitOpError("expected an integer tosa.const or function "
                               "argument operand for an unsigned quantized "
                               "type");
    int64_t shift = int64_t(1) << (qtype.getStorageTypeIntegralWidth() - 1);
    for (int64_t &v : *values)
      v -= shift;
    OpBuilder b(scast);
    Value cst = createIntConst(
        b, scast.getInput().getLoc(),
        cast<ShapedType>(scast.getType()).getShape(),
        b.getIntegerType(qtype.getStorageTypeIntegralWidth()), *values);
    scast.getInputMutable().assign(cst);
  }

  func.walk([&](func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands()) {
      Value source = getDequantizedSource(operand.get());
      if (!source && getQuantElementType(operand.get().getType()))
        source = operand.get(); // a quantized result (QuantizeLinear)
      if (source && converted.contains(source))
        func.setResultAttr(operand.getOperandNumber(), kIoDtypeAttr, uint8);
    }
  });
  return success();
}

} // namespace tessera::quant
