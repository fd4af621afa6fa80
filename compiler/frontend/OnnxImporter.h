//===- OnnxImporter.h - ONNX protobuf to TOSA import ----------------------===//
//
// The Tessera front end: reads an ONNX model and produces a module holding one
// `func.func @main` of TOSA ops (plus arith/tensor only where TOSA lacks an op)
// with static shapes. The function takes the ONNX graph inputs and returns the
// ONNX graph outputs in ONNX layout (NCHW); internally 4-D activations are
// NHWC, as TOSA wants. Every op carries the ONNX node it came from (location
// and `onnx.node` attribute); see docs/frontend.md for the full contract.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_FRONTEND_ONNXIMPORTER_H
#define TESSERA_COMPILER_FRONTEND_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace tessera::frontend {

/// Options of one import.
struct ImportOptions {
  /// Static shapes for graph inputs, by ONNX input name (`--input-shape
  /// name=1x3x224x224`). Overrides the model's shape; required for every
  /// input that has a dynamic (symbolic or missing) dimension.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Name of the produced function.
  std::string functionName = "main";
  /// Run the graph clean-up (constant folding, BatchNormalization folding,
  /// activation marking, DCE; compiler/graph) on the imported module.
  /// `tessera-import --no-cleanup` turns it off to show the raw import.
  bool cleanup = true;
  /// Receives the import's notes (one line each, starting "note: "), e.g.
  /// that an opset 7-10 model was upgraded. Unset: printed on stderr.
  std::function<void(const std::string &)> note;
};

/// Lowest and highest default-domain opset the importer accepts. Operators
/// changed between 21 and 22 only by adding element types.
constexpr int64_t kMinOpset = 11;
constexpr int64_t kMaxOpset = 22;
/// Models at opsets kMinUpgradableOpset .. kMinOpset - 1 are first upgraded
/// to kMinOpset by ONNX's own version converter (libonnx), with a note.
constexpr int64_t kMinUpgradableOpset = 7;

/// Registers every dialect the imported IR uses (func, tosa, arith, tensor).
void registerFrontendDialects(mlir::DialectRegistry &registry);

/// Loads the dialects of registerFrontendDialects into `ctx`.
void loadFrontendDialects(mlir::MLIRContext &ctx);

/// The context the tools and the Python module work in: the front end's
/// and the reference executors' dialects loaded, MLIR's own multithreading
/// off (the executors split their work themselves).
std::unique_ptr<mlir::MLIRContext> createContext();

/// Imports the ONNX model stored in `path`. Errors are one line naming the
/// file and, where it applies, the node, operator, attribute or input.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(mlir::MLIRContext &ctx, llvm::StringRef path,
               const ImportOptions &opts);

/// Imports a serialized ModelProto held in memory. `displayName` stands for
/// the file name in error messages and locations; external tensor data is
/// resolved relative to `baseDir` (empty: external data is an error).
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> importOnnxBytes(
    mlir::MLIRContext &ctx, llvm::StringRef bytes, const ImportOptions &opts,
    llvm::StringRef displayName = "<memory>", llvm::StringRef baseDir = "");

/// Parses "1x3x224x224" (dimensions separated by 'x', each > 0).
std::optional<std::vector<int64_t>> parseShape(llvm::StringRef text);

/// Parses one `--input-shape` value, "name=1x3x224x224", into `opts`.
llvm::Error parseInputShapeOption(llvm::StringRef text, ImportOptions &opts);

} // namespace tessera::frontend

#endif // TESSERA_COMPILER_FRONTEND_ONNXIMPORTER_H
