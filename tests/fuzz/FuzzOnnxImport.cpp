//===- FuzzOnnxImport.cpp - Fuzz the ONNX importer ------------------------===//
//
// Bytes -> frontend::importOnnxBytes with the graph clean-up on, as
// tessera-import runs it (no --input-shape, no external data). A module it
// returns must pass the MLIR verifier: the importer promises valid TOSA
// (docs/frontend.md), and every later stage assumes it.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"
#include "tests/fuzz/FuzzContext.h"

#include "compiler/frontend/OnnxImporter.h"
#include "compiler/reference/Interpreter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = fuzz::context();
  // The first diagnostic, if any, explains a verifier failure; the rest of
  // what the importer's passes emit is swallowed (errors come back as
  // llvm::Error).
  reference::FirstDiagnostic diag(ctx);
  frontend::ImportOptions opts;
  auto module =
      frontend::importOnnxBytes(ctx, fuzz::asText(data, size), opts,
                                "fuzz.onnx");
  if (!module) {
    llvm::consumeError(module.takeError());
    return 0;
  }
  if (mlir::failed(mlir::verify(**module)))
    fuzz::violated("the imported module does not verify: " + diag.str());
  return 0;
}
