//===- FuzzMlirRun.cpp - Fuzz tessera-run's .mlir entry --------------------===//
//
// MLIR text -> what tessera-run does with FILE.mlir: parse (and verify) in
// the tools' context (frontend::createContext), pick the entry function
// (reference::findEntryFunction), check its ops (checkSupported) and, when
// every input has a static shape and all of them fit kMaxInputBytes, run the
// reference executors on all-zero inputs. Whatever the text says, the
// result is a module, an llvm::Error or a diagnostic, never a crash.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"
#include "tests/fuzz/FuzzContext.h"

#include "compiler/frontend/OnnxImporter.h"
#include "compiler/reference/Interpreter.h"
#include "core/tensor/Limits.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

using namespace tessera;

namespace {

/// Inputs of a function the fuzzer runs take at most this many bytes in all:
/// the interesting sizes come from the ops, not from big inputs.
constexpr int64_t kMaxInputBytes = 1 << 20;


/// All-zero inputs for `f`, or nullopt if an argument is not a ranked
/// tensor of static shape and known element type, or they are too big.
std::optional<std::vector<Tensor>> zeroInputs(mlir::func::FuncOp f) {
  std::vector<Tensor> inputs;
  int64_t total = 0;
  for (mlir::Type type : f.getArgumentTypes()) {
    auto ranked = mlir::dyn_cast<mlir::RankedTensorType>(type);
    if (!ranked || !ranked.hasStaticShape())
      return std::nullopt;
    std::optional<ElementType> element =
        reference::elementTypeOf(ranked.getElementType());
    if (!element)
      return std::nullopt;
    std::optional<int64_t> bytes =
        checkedByteSize(ranked.getShape(), elementSize(*element));
    if (!bytes)
      return std::nullopt;
    std::optional<int64_t> sum = checkedAdd(total, *bytes);
    if (!sum || *sum > kMaxInputBytes)
      return std::nullopt;
    total = *sum;
    inputs.emplace_back(*element, ranked.getShape().vec());
  }
  return inputs;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool once = (reference::setThreadCount(1), true);
  (void)once;
  mlir::MLIRContext &ctx = fuzz::context();
  reference::FirstDiagnostic diag(ctx); // swallows parse errors
  // MLIR's lexer reads the NUL just past the buffer: tessera-run's file
  // buffer (MemoryBuffer::getFile) has one, libFuzzer's bytes do not.
  std::string text(reinterpret_cast<const char *>(data), size);
  if (reference::hitsKnownMlirParserCrash(text))
    return 0;
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  if (!module)
    return 0;
  auto f = reference::findEntryFunction(*module);
  if (!f) {
    llvm::consumeError(f.takeError());
    return 0;
  }
  if (llvm::Error err = reference::checkSupported(*f)) {
    llvm::consumeError(std::move(err));
    return 0;
  }
  std::optional<std::vector<Tensor>> inputs = zeroInputs(*f);
  if (!inputs)
    return 0;
  reference::Executor exec(*f);
  auto outputs = exec.run(*inputs);
  if (!outputs)
    llvm::consumeError(outputs.takeError());
  return 0;
}
