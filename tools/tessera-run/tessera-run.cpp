//===- tessera-run.cpp - Run TOSA with the reference executors ------------===//
//
//   tessera-run FILE.mlir --input NAME=FILE.npy ... --output-dir DIR
//               [--function NAME] [--dump-all] [--print]
//
// Runs one func.func (default @main, or the only function) of float or
// integer TOSA with the reference executors. Inputs are matched to function
// arguments by the importer's `onnx.name` argument attribute, or by "argN" /
// "N". Each result is written to DIR/NAME.npy (NAME from the `onnx.name`
// result attribute, else "outputN"); --dump-all also writes every op result
// (named by its `onnx.output` attribute or location, listed with op and
// location in DIR/dump-index.tsv); --print prints the results to stdout.
// Errors are one line "error: ..." and exit status 1; every file is written
// by core/io's rules (docs/tools.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/OnnxImporter.h"
#include "compiler/reference/Interpreter.h"
#include "core/io/Output.h"
#include "core/support/Names.h"
#include "core/tensor/Limits.h"
#include "core/tensor/Npy.h"
#include "tools/common/Tool.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace cl = llvm::cl;
using namespace tessera;
using namespace tessera::reference;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static cl::OptionCategory toolCategory("options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<MODEL.onnx | FILE.mlir>"), cl::cat(toolCategory));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("ONNX models: fix an input's shape, "
                         "name=1x3x224x224 (repeatable)"),
                cl::value_desc("name=shape"), cl::cat(toolCategory));
static cl::list<std::string>
    inputs("input", cl::desc("A function input, NAME=FILE.npy (repeatable)"),
           cl::value_desc("name=file.npy"), cl::cat(toolCategory));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Directory for NAME.npy "
                                               "outputs"),
                                      cl::value_desc("dir"), cl::cat(toolCategory));
static cl::opt<std::string> functionName("function",
                                         cl::desc("Function to run (default: "
                                                  "@main or the only one)"),
                                         cl::value_desc("name"), cl::cat(toolCategory));
static cl::opt<bool> dumpAll("dump-all",
                             cl::desc("Also write every intermediate tensor "
                                      "to the output directory"), cl::cat(toolCategory));
static cl::opt<bool> printOutputs("print",
                                  cl::desc("Print the outputs to stdout"), cl::cat(toolCategory));
static cl::opt<unsigned>
    threads("num-threads", cl::init(0),
            cl::desc("Threads the float executor splits its work over "
                     "(default 0: every core); results are identical for "
                     "any count"),
            cl::value_desc("n"), cl::cat(toolCategory));
static cl::opt<unsigned>
    printLimit("print-limit", cl::init(256),
               cl::desc("Elements printed per output with --print"), cl::cat(toolCategory));

namespace {

Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// Loads the module to run. The ONNX path goes here: a MODEL.onnx argument
/// is imported with tessera::frontend::importOnnxFile instead of parsed.
Expected<mlir::OwningOpRef<mlir::ModuleOp>> loadModule(mlir::MLIRContext &ctx,
                                                       StringRef path) {
  tessera::reference::FirstDiagnostic diag(ctx);
  if (path.ends_with_insensitive(".onnx")) {
    tessera::frontend::ImportOptions opts;
    for (const std::string &shape : inputShapes)
      if (Error e = tessera::frontend::parseInputShapeOption(shape, opts))
        return std::move(e);
    return tessera::frontend::importOnnxFile(ctx, path, opts);
  }
  // "-" is stdin; otherwise only a regular file no larger than the memory
  // budget (core/io), not `tessera-run /dev/zero` read forever.
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  if (path == "-") {
    auto in = llvm::MemoryBuffer::getSTDIN();
    if (!in)
      return error("cannot read standard input: " + in.getError().message());
    buffer = std::move(*in);
  } else {
    auto file = io::readRegularFile(path, memoryBudget(), memoryBudgetText());
    if (!file)
      return file.takeError();
    buffer = std::move(*file);
  }
  return tessera::reference::parseModule(ctx, buffer->getBuffer(), path);
}

Expected<mlir::func::FuncOp> pickFunction(mlir::ModuleOp module) {
  auto f = tessera::reference::findEntryFunction(module, functionName);
  if (!f)
    return error(inputFile + ": " + llvm::toString(f.takeError()));
  return *f;
}

using tessera::reference::resultName;
std::string argName(mlir::func::FuncOp f, unsigned i) {
  return tessera::reference::argumentName(f, i);
}

Expected<std::vector<Tensor>> readInputs(mlir::func::FuncOp f) {
  const unsigned n = f.getNumArguments();
  std::vector<std::optional<Tensor>> slots(n);
  for (const std::string &spec : inputs) {
    auto [name, file] = StringRef(spec).split('=');
    if (file.empty())
      return error("--input expects NAME=FILE.npy, got '" + spec + "'");
    std::optional<unsigned> index = tessera::reference::findArgument(f, name);
    if (!index)
      return error("--input " + name + ": @" + f.getName() +
                   " has no such input (inputs: " +
                   tessera::reference::argumentNames(f) + ")");
    if (slots[*index])
      return error("--input " + name + " given twice");
    auto t = readNpy(file);
    if (!t)
      return t.takeError();
    slots[*index] = std::move(*t);
  }
  std::vector<Tensor> result;
  for (unsigned i = 0; i < n; ++i) {
    if (!slots[i])
      return error("missing --input " +
                   escapeName(argName(f, i), kMaxShownNameBytes) + "=FILE.npy");
    result.push_back(std::move(*slots[i]));
  }
  return result;
}

void printTensor(llvm::raw_ostream &os, StringRef name, const Tensor &t) {
  os << escapeName(name, kMaxShownNameBytes) << ": " << t.typeString()
     << " = [";
  const int64_t n = t.numElements();
  const int64_t shown = std::min<int64_t>(n, printLimit);
  for (int64_t i = 0; i < shown; ++i) {
    if (i)
      os << ", ";
    if (t.elementType() == ElementType::F32)
      os << llvm::format("%.7g", t.getDouble(i));
    else
      os << t.getInt(i);
  }
  if (shown < n)
    os << ", ... (" << n - shown << " more)";
  os << "]\n";
}

Error run() {
  if (outputDir.empty() && !printOutputs)
    return error("--output-dir DIR is required (or --print)");
  if (Error err = tessera::reference::checkThreadCount(threads,
                                                       "--num-threads"))
    return err;
  std::unique_ptr<mlir::MLIRContext> ctx = tessera::frontend::createContext();
  auto module = loadModule(*ctx, inputFile);
  if (!module)
    return module.takeError();
  auto func = pickFunction(**module);
  if (!func)
    return func.takeError();
  if (Error err = checkSupported(*func))
    return err;
  auto ins = readInputs(*func);
  if (!ins)
    return ins.takeError();

  if (!outputDir.empty())
    if (auto ec = llvm::sys::fs::create_directories(outputDir))
      return error(outputDir + ": cannot create directory: " + ec.message());
  auto pathFor = [](StringRef file) {
    llvm::SmallString<256> p(outputDir);
    llvm::sys::path::append(p, file);
    return std::string(p);
  };

  RunOptions opts;
  std::string index;
  llvm::StringSet<> used;
  Error dumpError = Error::success();
  unsigned opIndex = 0;
  if (dumpAll && !outputDir.empty())
    opts.onValue = [&](mlir::Operation *op, const Tensor &t) {
      ++opIndex;
      if (dumpError)
        return;
      std::string base = valueName(op);
      base = base.empty() ? "op" + std::to_string(opIndex) + "_" +
                                op->getName().stripDialect().str()
                          : safeFileStem(base);
      std::string file = base + ".npy";
      for (unsigned k = 1; !used.insert(file).second; ++k)
        file = base + "." + std::to_string(k) + ".npy";
      dumpError = writeNpy(pathFor(file), t);
      std::string loc;
      llvm::raw_string_ostream os(loc);
      os << op->getLoc();
      index += file + "\t" + op->getName().getStringRef().str() + "\t" +
               t.typeString() + "\t" + loc + "\n";
    };

  tessera::reference::setThreadCount(threads);
  Executor exec(*func);
  auto outs = exec.run(*ins, opts);
  if (dumpError)
    return std::move(dumpError);
  if (!outs)
    return outs.takeError();

  for (unsigned i = 0; i < outs->size(); ++i) {
    std::string name = resultName(*func, i);
    if (printOutputs) {
      printTensor(llvm::outs(), name, (*outs)[i]);
      if (Error err = io::flushStdout())
        return err;
    }
    if (!outputDir.empty())
      if (Error err = writeNpy(pathFor(safeFileStem(name) + ".npy"), (*outs)[i]))
        return err;
  }
  if (dumpAll && !outputDir.empty())
    return io::writeFile(pathFor("dump-index.tsv"),
                         "file\top\ttype\tlocation\n" + index);
  return Error::success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(toolCategory);
  tools::parseCommandLine(
      argc, argv, "tessera-run: run TOSA with the reference executors\n");
  if (Error err = run())
    return tools::reportError(std::move(err));
  return 0;
}
