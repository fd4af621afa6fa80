//===- OnnxImporter.cpp - Entry points of the ONNX front end --------------===//

#include "compiler/frontend/OnnxImporter.h"

#include "compiler/frontend/GraphImporter.h"
#include "compiler/graph/Passes.h"
#include "compiler/reference/Interpreter.h"
#include "core/io/Output.h"
#include "core/tensor/Limits.h"

#include "core/support/Names.h"
#include "llvm/ADT/StringSet.h"
#include <functional>
#include "onnx/onnx_pb.h"
#include "onnx/version_converter/convert.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <climits>
#include <exception>

using llvm::Twine;

namespace tessera::frontend {

void registerFrontendDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::func::FuncDialect, mlir::tosa::TosaDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect,
                  mlir::quant::QuantDialect, mlir::math::MathDialect>();
}

std::unique_ptr<mlir::MLIRContext> createContext() {
  mlir::DialectRegistry registry;
  registerFrontendDialects(registry);
  reference::registerReferenceDialects(registry);
  auto ctx = std::make_unique<mlir::MLIRContext>(
      registry, mlir::MLIRContext::Threading::DISABLED);
  ctx->loadAllAvailableDialects();
  return ctx;
}

void loadFrontendDialects(mlir::MLIRContext &ctx) {
  mlir::DialectRegistry registry;
  registerFrontendDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadDialect<mlir::func::FuncDialect, mlir::tosa::TosaDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect,
                  mlir::quant::QuantDialect, mlir::math::MathDialect>();
}

namespace {

/// A model at opset 7..10 is upgraded in place to kMinOpset by ONNX's own
/// C++ version converter (the adapters onnx.version_converter uses: e.g.
/// Upsample -> Resize, BatchNormalization's spatial attribute, Dropout's
/// is_test), then imported as usual. Other opsets are left to checkOpsets.
llvm::Error upgradeOldOpset(onnx::ModelProto &model,
                            llvm::StringRef displayName,
                            const ImportOptions &opts) {
  int64_t opset = -1;
  for (const auto &os : model.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx")
      opset = os.version();
  if (opset < kMinUpgradableOpset || opset >= kMinOpset)
    return llvm::Error::success();
  // Before IR version 4 an initializer had to be listed as a graph input
  // too, and the converter treats one that is not as undefined. IR 4 only
  // drops that rule, so raising the version changes nothing else.
  if (model.ir_version() < 4)
    model.set_ir_version(4);
  try {
    // The converter trusts its input: a graph output or node input that
    // nothing defines (a fuzzed model) crashed it in graphProtoToGraph.
    // Checked here, subgraphs too (ONNX's checker refuses valid old models
    // whose value_info has no shape).
    std::string undefined;
    std::function<void(const onnx::GraphProto &, llvm::StringSet<>)> check =
        [&](const onnx::GraphProto &g, llvm::StringSet<> defined) {
          for (const auto &i : g.input())
            defined.insert(i.name());
          for (const auto &i : g.initializer())
            defined.insert(i.name());
          for (const auto &n : g.node()) {
            for (const auto &a : n.attribute()) {
              if (a.has_g())
                check(a.g(), defined);
              for (const auto &sub : a.graphs())
                check(sub, defined);
            }
            for (const auto &in : n.input())
              if (!in.empty() && !defined.contains(in) && undefined.empty())
                undefined = in;
            for (const auto &out : n.output())
              defined.insert(out);
          }
          for (const auto &o : g.output())
            if (!defined.contains(o.name()) && undefined.empty())
              undefined = o.name();
        };
    check(model.graph(), {});
    if (!undefined.empty())
      return llvm::createStringError(
          displayName + ": tensor " + quoteName(undefined) +
          " is used but nothing defines it (opset " + llvm::Twine(opset) +
          " models are upgraded by ONNX's version converter, which needs a "
          "well-formed graph)");
    onnx::ModelProto upgraded =
        onnx::version_conversion::ConvertVersion(model, kMinOpset);
    model = std::move(upgraded);
  } catch (const std::exception &e) {
    // The converter reports its failures as exceptions (onnx::ConvertError
    // and assertion errors); keep the first line of the message.
    llvm::StringRef what = llvm::StringRef(e.what()).split('\n').first.trim();
    return llvm::createStringError(
        displayName + ": opset " + llvm::Twine(opset) +
        " could not be upgraded to opset " + llvm::Twine(kMinOpset) +
        " by ONNX's version converter: " + what);
  }
  std::string note = "note: " + displayName.str() + ": opset " +
                     std::to_string(opset) + " upgraded to opset " +
                     std::to_string(kMinOpset) +
                     " by ONNX's version converter before import";
  if (opts.note)
    opts.note(note);
  else
    llvm::errs() << note << "\n";
  return llvm::Error::success();
}

} // namespace

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxBytes(mlir::MLIRContext &ctx, llvm::StringRef bytes,
                const ImportOptions &opts, llvm::StringRef displayName,
                llvm::StringRef baseDir) {
  if (bytes.empty())
    return llvm::createStringError(displayName + ": empty file");
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return llvm::createStringError(displayName +
                                   ": larger than 2 GiB; store the weights "
                                   "as ONNX external data");
  onnx::ModelProto model;
  // A truncated or corrupt file fails to parse, or parses into a model
  // without a graph (protobuf accepts a prefix ending at a field boundary).
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return llvm::createStringError(
        displayName + ": not a valid ONNX model (protobuf parse failed; "
                      "truncated or corrupt file?)");
  if (!model.has_graph() || model.graph().output_size() == 0)
    return llvm::createStringError(
        displayName + ": not a valid ONNX model (no graph or no graph "
                      "outputs; truncated or corrupt file?)");
  if (llvm::Error err = upgradeOldOpset(model, displayName, opts))
    return std::move(err);
  loadFrontendDialects(ctx);
  GraphImporter importer(ctx, model, displayName, baseDir, opts);
  auto module = importer.run();
  if (!module || !opts.cleanup)
    return module;
  if (llvm::Error err = graph::runGraphCleanup(**module, displayName))
    return std::move(err);
  return module;
}

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(mlir::MLIRContext &ctx, llvm::StringRef path,
               const ImportOptions &opts) {
  // Only a regular file no larger than the memory budget: a device or FIFO
  // would be read forever, a huge file loaded before anything is checked.
  auto buf = io::readRegularFile(path, memoryBudget(), memoryBudgetText());
  if (!buf)
    return buf.takeError();
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  return importOnnxBytes(ctx, (*buf)->getBuffer(), opts, path,
                         dir.empty() ? "." : dir);
}

std::optional<std::vector<int64_t>> parseShape(llvm::StringRef text) {
  std::vector<int64_t> shape;
  if (text.empty())
    return std::nullopt;
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, 'x');
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d <= 0)
      return std::nullopt;
    shape.push_back(d);
  }
  return shape;
}

llvm::Error parseInputShapeOption(llvm::StringRef text, ImportOptions &opts) {
  auto [name, dims] = text.rsplit('=');
  if (dims.empty() || name.empty() || name == text)
    return llvm::createStringError("--input-shape '" + text +
                                   "': expected NAME=DxDx... (e.g. "
                                   "input=1x3x224x224)");
  auto shape = parseShape(dims);
  if (!shape)
    return llvm::createStringError("--input-shape '" + text + "': bad shape '" +
                                   dims +
                                   "' (positive integers separated by 'x')");
  opts.inputShapes[name.str()] = std::move(*shape);
  return llvm::Error::success();
}

} // namespace tessera::frontend
