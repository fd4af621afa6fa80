//===- tessera-opt.cpp - mlir-opt with Tessera's dialects and passes ------===//
#include "compiler/graph/Passes.h"
#include "compiler/lowering/Passes.h"
#include "compiler/quant/Passes.h"
#include "core/io/Output.h"
#include "dialects/npu/NpuDialect.h"
#include "tools/common/Tool.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Debug/Counter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input file>"),
                                          cl::init("-"));
static cl::opt<std::string> outputFilename("o", cl::desc("Output filename"),
                                           cl::value_desc("filename"),
                                           cl::init("-"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::DialectRegistry registry;
  registry.insert<tessera::npu::NpuDialect, mlir::tosa::TosaDialect,
                  mlir::quant::QuantDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect,
                  mlir::math::MathDialect>();
  // MLIR's generic passes (canonicalize, cse, ...) for pipelines in tests.
  mlir::registerTransformsPasses();
  tessera::quant::registerQuantPasses();
  tessera::graph::registerGraphPasses();
  tessera::lowering::registerLoweringPasses();
  // mlir::registerAndParseCLIOptions, with the parse done by
  // tools::parseCommandLine so command-line errors read "error: ...".
  mlir::MlirOptMainConfig::registerCLOptions(registry);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::tracing::DebugCounter::registerCLOptions();
  tessera::tools::parseCommandLine(argc, argv, "Tessera optimizer driver\n");
  auto config = mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(mlir::MlirOptMain(
        argc, argv, inputFilename, outputFilename, registry));

  // MlirOptMain's own output file aborts with "LLVM ERROR: IO failure" when a
  // write fails; print into memory and write by core/io's rules instead.
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFilename, &message);
  if (!input)
    return tessera::tools::reportError(message);
  std::string output;
  llvm::raw_string_ostream os(output);
  bool ok = mlir::succeeded(
      mlir::MlirOptMain(os, std::move(input), registry, config));
  // As before: a failed run still shows what it printed on stdout, but does
  // not create or replace an output file.
  if (ok || outputFilename == "-")
    if (llvm::Error err = tessera::io::writeFile(outputFilename, output))
      return tessera::tools::reportError(std::move(err));
  return ok ? 0 : 1;
}
