//===- TesseraCustom.cpp - Tessera's integer tosa.custom ops --------------===//
#include "compiler/patterns/TesseraCustom.h"

#include <string>

using namespace mlir;

namespace tessera::patterns {

tosa::CustomOp createTesseraCustom(OpBuilder &b, Location loc, Type result,
                                   StringRef name, int64_t axis,
                                   ValueRange operands) {
  return tosa::CustomOp::create(b, loc, TypeRange{result},
                                b.getStringAttr(name),
                                b.getStringAttr("tessera"),
                                b.getStringAttr("axis=" + std::to_string(axis)),
                                operands);
}

bool isTesseraCustom(tosa::CustomOp op, StringRef name) {
  return op.getDomainName() == "tessera" && op.getOperatorName() == name;
}

std::optional<int64_t> tesseraCustomAxis(tosa::CustomOp op, int64_t rank) {
  StringRef attrs = op.getImplementationAttrs();
  int64_t axis = -1;
  if (!attrs.consume_front("axis=") || attrs.getAsInteger(10, axis) ||
      axis < 0 || axis >= rank)
    return std::nullopt;
  return axis;
}

} // namespace tessera::patterns
