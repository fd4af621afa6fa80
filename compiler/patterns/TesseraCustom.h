//===- TesseraCustom.h - Tessera's integer tosa.custom ops ------*- C++ -*-===//
//
// Folding writes the integer Softmax, LogSoftmax and layer normalisation as
// tosa.custom ops of domain "tessera" with implementation_attrs "axis=K"
// (docs/quantization-passes.md); the lowering and the integer reference
// executor read them. One writer and one reader of that form.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_PATTERNS_TESSERACUSTOM_H
#define TESSERA_COMPILER_PATTERNS_TESSERACUSTOM_H

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"

#include <cstdint>
#include <optional>

namespace tessera::patterns {

/// tosa.custom tessera.`name` over `axis` of `operands`, one result.
mlir::tosa::CustomOp createTesseraCustom(mlir::OpBuilder &b,
                                         mlir::Location loc,
                                         mlir::Type result,
                                         llvm::StringRef name, int64_t axis,
                                         mlir::ValueRange operands);

/// Whether `op` is tosa.custom tessera.`name`.
bool isTesseraCustom(mlir::tosa::CustomOp op, llvm::StringRef name);

/// The K of `op`'s implementation_attrs "axis=K" if it is in [0, rank).
std::optional<int64_t> tesseraCustomAxis(mlir::tosa::CustomOp op,
                                         int64_t rank);

} // namespace tessera::patterns

#endif // TESSERA_COMPILER_PATTERNS_TESSERACUSTOM_H
