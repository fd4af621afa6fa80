//===- FloatForwardBench.cpp - Time the float reference executor ----------===//
//
//   float-forward-bench MODEL.onnx --input NAME=FILE.npy [--input-shape ..]
//                       [--repeat N] [--warmup W] [--num-threads T]
//                       [--output FILE.npy]
//
// Imports the model once (with the graph clean-up, as tessera-compile does)
// and times Executor::run, the float forward pass, `repeat` times after
// `warmup` untimed runs. Prints one JSON object on stdout: import time and
// each run's wall time in milliseconds. --output writes the first result so
// that benchmarks/float_vs_ort.py can check it against onnxruntime. Threads:
// --num-threads is the executor's thread count (reference::setThreadCount);
// OpenBLAS itself runs single-threaded, the executor splits its calls.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/OnnxImporter.h"
#include "compiler/reference/Interpreter.h"
#include "core/tensor/Npy.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>

namespace cl = llvm::cl;
using namespace tessera;

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx>"));
static cl::opt<std::string> inputSpec("input", cl::Required,
                                      cl::desc("NAME=FILE.npy (one input)"));
static cl::list<std::string> inputShapes("input-shape",
                                         cl::desc("name=1x3x224x224"));
static cl::opt<unsigned> repeat("repeat", cl::init(10), cl::desc("Timed runs"));
static cl::opt<unsigned> warmup("warmup", cl::init(1),
                                cl::desc("Untimed runs first"));
static cl::opt<unsigned> threads("num-threads", cl::init(0),
                                 cl::desc("Executor threads (0: all cores)"));
static cl::opt<std::string> outputPath("output", cl::init(""),
                                       cl::desc("Write output 0 here"));
static cl::opt<bool> profile("profile",
                             cl::desc("Print the time per op type (averaged "
                                      "over the timed runs) on stderr; the "
                                      "run is then op by op, without the "
                                      "executor's conv + activation fusion"));

static int fail(const llvm::Twine &msg) {
  llvm::errs() << "error: " << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "float-forward-bench\n");
  reference::setThreadCount(threads);
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
  };

  frontend::ImportOptions opts;
  for (const std::string &s : inputShapes)
    if (llvm::Error e = frontend::parseInputShapeOption(s, opts))
      return fail(llvm::toString(std::move(e)));
  std::unique_ptr<mlir::MLIRContext> ctx = frontend::createContext();

  auto t0 = Clock::now();
  auto module = frontend::importOnnxFile(*ctx, modelPath, opts);
  if (!module)
    return fail(llvm::toString(module.takeError()));
  const double importMs = ms(Clock::now() - t0);
  auto funcs = (*module)->getOps<mlir::func::FuncOp>();
  if (funcs.empty())
    return fail(modelPath + ": no function");
  mlir::func::FuncOp func = *funcs.begin();
  if (llvm::Error e = reference::checkSupported(func))
    return fail(llvm::toString(std::move(e)));

  auto [name, file] = llvm::StringRef(inputSpec).split('=');
  auto input = readNpy(file);
  if (!input)
    return fail(llvm::toString(input.takeError()));
  std::vector<Tensor> inputs;
  inputs.push_back(std::move(*input));

  reference::Executor exec(func);
  std::vector<double> times;
  // --profile: onValue runs right after each op, so the time since the
  // previous call is that op's.
  std::map<std::string, double> perOp;
  Clock::time_point last;
  reference::RunOptions runOpts;
  bool timing = false;
  if (profile)
    runOpts.onValue = [&](mlir::Operation *op, const Tensor &) {
      auto now = Clock::now();
      if (timing)
        perOp[op->getName().getStringRef().str()] += ms(now - last);
      last = Clock::now();
    };
  for (unsigned i = 0; i < warmup + repeat; ++i) {
    auto start = Clock::now();
    last = start;
    timing = i >= warmup;
    auto outs = exec.run(inputs, runOpts);
    double t = ms(Clock::now() - start);
    if (!outs)
      return fail(llvm::toString(outs.takeError()));
    if (i == 0 && !outputPath.empty())
      if (llvm::Error e = writeNpy(outputPath, (*outs)[0]))
        return fail(llvm::toString(std::move(e)));
    if (i >= warmup)
      times.push_back(t);
  }

  llvm::outs() << "{\"model\": \"" << modelPath
               << "\", \"import_ms\": " << importMs << ", \"threads\": "
               << reference::threadCount()
               << ", \"run_ms\": [";
  for (size_t i = 0; i < times.size(); ++i)
    llvm::outs() << (i ? ", " : "") << times[i];
  llvm::outs() << "]}\n";
  for (const auto &[name, t] : perOp)
    llvm::errs() << name << "\t" << t / repeat << " ms/run\n";
  return 0;
}
