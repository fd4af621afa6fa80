//===- NodeName.h - The ONNX node an op came from ---------------*- C++ -*-===//
//
// Every pass that names an op to the user (fold-to-integer's reasons, host
// fallback, the lowering's errors and layer table, the driver) names it by
// its ONNX node: the op's `onnx.node` attribute, else the first name of its
// location (the importer's NameLoc, inside fused and call-site locations).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_PATTERNS_NODENAME_H
#define TESSERA_COMPILER_PATTERNS_NODENAME_H

#include "mlir/IR/Operation.h"

#include <string>

namespace tessera::patterns {

/// The ONNX node name of `op`, or "" when neither names one.
std::string onnxNodeName(mlir::Operation *op);

} // namespace tessera::patterns

#endif // TESSERA_COMPILER_PATTERNS_NODENAME_H
