//===- NodeName.cpp - The ONNX node an op came from -----------------------===//
#include "compiler/patterns/NodeName.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

using namespace mlir;

namespace tessera::patterns {

static std::string firstName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (std::string s = firstName(l); !s.empty())
        return s;
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return firstName(call.getCallee());
  return "";
}

std::string onnxNodeName(Operation *op) {
  if (auto node = op->getAttrOfType<StringAttr>("onnx.node"))
    return node.str();
  return firstName(op->getLoc());
}

} // namespace tessera::patterns
