//===- FuzzContext.h - One MLIR context for many fuzz inputs ----*- C++ -*-===//
//
// Creating a context loads every dialect (about as long as a typical
// import), so the MLIR-level fuzzers share one, replaced every 1000 inputs
// because the attributes and types of every input stay uniqued in it.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_TESTS_FUZZ_FUZZCONTEXT_H
#define TESSERA_TESTS_FUZZ_FUZZCONTEXT_H

#include "compiler/frontend/OnnxImporter.h"

#include "mlir/IR/MLIRContext.h"

#include <memory>

namespace tessera::fuzz {

inline mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static unsigned uses = 0;
  if (!ctx || ++uses % 1000 == 0)
    ctx = frontend::createContext();
  return *ctx;
}

} // namespace tessera::fuzz

#endif // TESSERA_TESTS_FUZZ_FUZZCONTEXT_H
