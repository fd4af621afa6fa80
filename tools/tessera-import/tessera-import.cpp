//===- tessera-import.cpp - Print the TOSA module imported from ONNX ------===//
//
//   tessera-import MODEL.onnx [--input-shape name=1x3x224x224]... [-o OUT]
//                  [--no-cleanup]
//
// Prints the module (func.func @main of TOSA ops) to stdout or OUT, after the
// graph clean-up (constant and BatchNormalization folding, activation
// marking, DCE; compiler/graph) unless --no-cleanup asks for the raw import.
// Errors
// are one line "error: ..." and exit status 1; OUT is written by core/io's
// rules (docs/tools.md), so a failed run leaves nothing half-written.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/OnnxImporter.h"
#include "core/io/Output.h"
#include "tools/common/Tool.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::OptionCategory toolCategory("options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx>"),
                                      cl::cat(toolCategory));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file (default: "
                                                "stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(toolCategory));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of a graph input, NAME=DxDx... "
                         "(repeatable)"),
                cl::value_desc("name=1x3x224x224"), cl::cat(toolCategory));

static cl::opt<bool>
    noCleanup("no-cleanup",
              cl::desc("Print the raw import, without the graph clean-up "
                       "passes"),
              cl::cat(toolCategory));

static int fail(const llvm::Twine &msg) {
  return tessera::tools::reportError(msg);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(toolCategory);
  tessera::tools::parseCommandLine(argc, argv,
                                  "tessera-import: ONNX model -> TOSA MLIR\n");

  tessera::frontend::ImportOptions opts;
  opts.cleanup = !noCleanup;
  for (const std::string &s : inputShapes)
    if (llvm::Error err = tessera::frontend::parseInputShapeOption(s, opts))
      return fail(llvm::toString(std::move(err)));

  mlir::MLIRContext ctx;
  auto module = tessera::frontend::importOnnxFile(ctx, inputFile, opts);
  if (!module)
    return fail(llvm::toString(module.takeError()));

  if (llvm::Error err =
          tessera::io::writeFile(outputFile, [&](llvm::raw_ostream &os) {
            (*module)->print(os);
            os << "\n";
            return llvm::Error::success();
          }))
    return fail(llvm::toString(std::move(err)));
  return 0;
}
