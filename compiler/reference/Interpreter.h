//===- Interpreter.h - Reference executors over float and integer TOSA -*- C++
//-*-===//
//
// Runs a func.func of TOSA ops on host tensors, one op at a time in program
// order. Float ops (f32) are the only float implementation in Tessera:
// calibration and accuracy analysis observe intermediates through
// RunOptions::onValue (every one, or the RunOptions::observe set). Integer ops (i8/u8/i16/i32/i48) call core/kernels, the
// same arithmetic the simulator executes, so this is the bit-exact oracle.
// See docs/reference.md for the op coverage.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_REFERENCE_INTERPRETER_H
#define TESSERA_COMPILER_REFERENCE_INTERPRETER_H

#include "compiler/reference/ElementTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera::reference::detail {
struct EpiloguePlan;
} // namespace tessera::reference::detail

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace tessera::reference {

struct RunOptions {
  /// Called once per result of every executed op (after the op ran), in
  /// program order. Map op -> ONNX node through op->getLoc() (NameLoc) or the
  /// importer's `onnx.node` / `onnx.output` attributes. The tensor is only
  /// valid during the call: copy it to keep it.
  std::function<void(mlir::Operation *, const Tensor &)> onValue;
  /// Also report tosa.const / tosa.const_shape / arith.constant results.
  bool observeConstants = false;
  /// When set, onValue is called only for the ops in this set, and the conv
  /// + activation fusion stays on wherever it hides none of them (a fused
  /// conv's own result, or an absorbed op's other than the last, is hidden):
  /// calibration observes the activations it quantizes at fused speed. One
  /// Executor must be given the same set on every run (its plan is cached).
  const llvm::DenseSet<mlir::Operation *> *observe = nullptr;
  /// Called after onValue for every executed non-constant op: a tensor it
  /// returns replaces the op's result for every later op (it must have the
  /// result's declared type). Accuracy analysis runs each layer of an
  /// integer program on quantized float inputs this way ("individual"
  /// mode, compiler/analysis/Accuracy.h). Turns the conv + activation
  /// fusion off, as onValue does.
  std::function<std::optional<Tensor>(mlir::Operation *, const Tensor &)>
      replace;
};

/// Executes one function repeatedly, caching its constants between runs
/// (calibration runs the same graph on many inputs). The function must stay
/// alive and unmodified while the Executor is used.
class Executor {
public:
  explicit Executor(mlir::func::FuncOp func);
  ~Executor();

  /// Runs the function on `inputs` (one per argument, with exactly the
  /// argument's shape and element type) and returns its results in order.
  /// Errors name the op and its location ("'tosa.erf' at loc(\"n1\"): ...").
  llvm::Expected<std::vector<Tensor>> run(llvm::ArrayRef<Tensor> inputs,
                                          const RunOptions &opts = {});

private:
  mlir::func::FuncOp func;
  llvm::DenseMap<mlir::Operation *, std::shared_ptr<const Tensor>> constants;
  /// Conv + activation fusion, planned on the first run without onValue
  /// (and on the first run with RunOptions::observe, for that set).
  std::unique_ptr<detail::EpiloguePlan> epilogues;
  std::unique_ptr<detail::EpiloguePlan> observedEpilogues;
  /// Whether every result type was checked against the memory budget.
  bool sizesChecked = false;
};

/// The float executor splits convolutions, pooling and elementwise ops over
/// this many threads (llvm::parallel::strategy; default and 0: every core).
/// Results do not depend on it: the work is cut the same way for any count.
/// Counts above kMaxThreadCount are clamped to it.
void setThreadCount(unsigned n);
unsigned threadCount();

/// The most threads a caller may ask for. Each is a real thread of
/// llvm::parallel's executor, and a thread the OS refuses is a
/// std::system_error in a worker, i.e. an abort (`--num-threads 1000000`
/// did that); 1024 is far above any core count Tessera runs on and far
/// below the kernel's threads-max.
constexpr unsigned kMaxThreadCount = 1024;

/// Success when `n` is 0 (every core) or 1..kMaxThreadCount; otherwise
/// "<option>: must be 0 (every core) or 1 to 1024, got N". Shared by
/// `tessera-run --num-threads` and `tessera.run(threads=)`.
llvm::Error checkThreadCount(int64_t n, llvm::StringRef option);

/// One-shot convenience: Executor(f).run(inputs, opts).
llvm::Expected<std::vector<Tensor>> runFunction(mlir::func::FuncOp f,
                                                llvm::ArrayRef<Tensor> inputs,
                                                const RunOptions &opts = {});

/// Checks, without running, that every op in `f` is one the executors know;
/// the error lists each unknown op with its location, one per line.
/// (Element-type support is checked when the op runs.)
llvm::Error checkSupported(mlir::func::FuncOp f);

/// The dialects the executors read (func, tosa, arith, quant).
void registerReferenceDialects(mlir::DialectRegistry &registry);

/// The name a tensor produced by `op` goes by: the `onnx.output` attribute,
/// else the NameLoc name (first one of a fused location), else "".
std::string valueName(mlir::Operation *op);

/// The function to run: the one called `name`, else @main, else the only
/// function with a body. The error names the functions the module has.
llvm::Expected<mlir::func::FuncOp>
findEntryFunction(mlir::ModuleOp module, llvm::StringRef name = "");

/// The ONNX name of argument / result `i` (`onnx.name`), else "argI" /
/// "outputI".
std::string argumentName(mlir::func::FuncOp f, unsigned i);
std::string resultName(mlir::func::FuncOp f, unsigned i);

/// The argument an input given as `name` binds to: its ONNX name, "argI" or
/// "I"; nullopt if none matches.
std::optional<unsigned> findArgument(mlir::func::FuncOp f,
                                     llvm::StringRef name);
/// "'a', 'b', 'c'": the argumentName of every argument, quoted (for error
/// messages).
std::string argumentNames(mlir::func::FuncOp f);

/// While alive, keeps the first diagnostic `ctx` emits as `loc(...): message`
/// and swallows the rest: the runners' one-line "cannot parse" errors.
class FirstDiagnostic {
public:
  explicit FirstDiagnostic(mlir::MLIRContext &ctx);
  /// "" if nothing was emitted.
  const std::string &str() const { return text; }

private:
  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};

/// The deepest bracket nesting ((, [, {, <) parseModule accepts. MLIR's
/// parser recurses once per level with about 2.7 KB of stack: 3,000 nested
/// regions or 10,000 nested `[` overflowed an 8 MB stack (a segfault in
/// tessera-run and in tessera.run). Real modules nest a few dozen deep.
constexpr unsigned kMaxMlirNesting = 256;

/// Whether `text` holds a dense array whose element type is `index` (or an
/// alias, which may be index): MLIR 22's own parser segfaults on
/// "array<index: 1>" (llvm/llvm-project#179045, fixed upstream by #179075
/// after Debian's 22.1.8), so such text is refused before parsing.
bool hitsKnownMlirParserCrash(llvm::StringRef text);

/// Parses MLIR text (a file's contents, named `sourceName` in locations and
/// errors). Text nesting deeper than kMaxMlirNesting, or text for which
/// hitsKnownMlirParserCrash holds, is an error before the parser sees it; a parse failure is "<first diagnostic>" or
/// "<sourceName>: cannot parse". Shared by tessera-run and tessera.run.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
parseModule(mlir::MLIRContext &ctx, llvm::StringRef text,
            llvm::StringRef sourceName);

} // namespace tessera::reference

#endif // TESSERA_COMPILER_REFERENCE_INTERPRETER_H
