//===- tessera-sim.cpp - Simulate a Tessera NPU program -------------------===//
//
//   tessera-sim OUT.npubin [--target T] [--input NAME=FILE.npy ...]
//               [--output-dir DIR] [--report FILE.json|FILE.csv]
//               [--trace FILE.json] [--timing-only] [--quiet]
//
// Runs the program functionally (bit-exact) and through the timing/energy
// model of target T (default: the target named in the program header) and
// prints the per-layer table. Float32 inputs are quantised with the input's
// scale/zero point; integer inputs are taken as quantised (uint8 ones as the
// input's uint8 view: bytes XOR 0x80 for an int8 input). --output-dir
// writes NAME.npy (dequantised float32) and NAME.int.npy (raw integers) per
// output; --report writes the JSON report (CSV for a .csv name); --trace
// writes the timeline as Chrome trace-event JSON. See docs/simulator.md.
// Errors are one line "error: ..." and exit code 1; files are written by
// core/io's rules (docs/tools.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/HostSegment.h"
#include "core/io/Output.h"
#include "core/tensor/Npy.h"
#include "core/isa/Program.h"
#include "core/support/Names.h"
#include "simulator/MachineModel.h"
#include "simulator/Report.h"
#include "simulator/Simulator.h"
#include "simulator/Trace.h"
#include "tools/common/Tool.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

namespace cl = llvm::cl;
using namespace tessera;
using llvm::Error;
using llvm::StringRef;
using tessera::ElementType;
using tessera::Tensor;

static cl::OptionCategory toolCategory("options");
static cl::opt<std::string> programFile(cl::Positional, cl::Required,
                                        cl::desc("<OUT.npubin>"), cl::cat(toolCategory));
static cl::opt<std::string>
    targetName("target",
               cl::desc("Target profile name or YAML file (default: the "
                        "program's)"),
               cl::value_desc("name"), cl::cat(toolCategory));
static cl::list<std::string>
    inputs("input", cl::desc("A model input, NAME=FILE.npy (repeatable)"),
           cl::value_desc("name=file.npy"), cl::cat(toolCategory));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write NAME.npy (float) and NAME.int.npy per output"),
              cl::value_desc("dir"), cl::cat(toolCategory));
static cl::opt<std::string>
    reportFile("report",
               cl::desc("Write the report: CSV if the name ends in .csv, "
                        "else JSON"),
               cl::value_desc("file.json|file.csv"), cl::cat(toolCategory));
static cl::opt<std::string>
    traceFile("trace",
              cl::desc("Write the timeline as Chrome trace-event JSON "
                       "(Perfetto UI, chrome://tracing)"),
              cl::value_desc("file.json"), cl::cat(toolCategory));
static cl::opt<bool> timingOnly("timing-only",
                                cl::desc("Skip the functional execution"), cl::cat(toolCategory));
static cl::opt<bool> quiet("quiet",
                           cl::desc("Print neither the table nor notes"), cl::cat(toolCategory));

namespace {

Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string inputNames(const isa::Program &p) {
  std::string s;
  for (const isa::TensorDesc &d : p.inputs)
    s += (s.empty() ? "" : ", ") + quoteName(d.name);
  return s.empty() ? "none" : s;
}

Error setInputs(sim::Simulator &sim) {
  llvm::StringSet<> given;
  for (const std::string &spec : inputs) {
    auto [name, file] = StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return error("--input expects NAME=FILE.npy, got '" + spec + "'");
    if (!given.insert(name).second)
      return error("--input " + name + " given twice");
    bool known = llvm::any_of(sim.program().inputs,
                              [&](const auto &d) { return d.name == name; });
    if (!known)
      return error("--input " + name + ": the program has no such input " +
                   "(inputs: " + inputNames(sim.program()) + ")");
    auto t = readNpy(file);
    if (!t)
      return t.takeError();
    std::vector<int64_t> shape(t->shape().begin(), t->shape().end());
    Error err = Error::success();
    if (t->elementType() == ElementType::F32) {
      err = sim.setInput(name, shape, t->values<float>());
    } else if (isInteger(t->elementType())) {
      std::vector<int64_t> v(t->numElements());
      for (int64_t i = 0; i < t->numElements(); ++i)
        v[i] = t->getInt(i);
      err = t->elementType() == ElementType::U8
                ? sim.setUint8Input(name, shape, v)
                : sim.setQuantizedInput(name, shape, v);
    } else {
      return error(file + ": expected float32 or integer data, got " +
                   elementTypeName(t->elementType()));
    }
    if (err)
      return error(file + ": " + llvm::toString(std::move(err)));
  }
  if (!quiet)
    for (const std::string &name : sim.unsetInputs())
      llvm::errs() << "note: no --input for " << quoteName(name)
                   << "; it holds its zero point (real 0)\n";
  return Error::success();
}

template <typename T> Tensor intTensor(const sim::OutputTensor &o) {
  std::vector<T> v(o.values.begin(), o.values.end());
  return Tensor::fromValues<T>(o.shape, llvm::ArrayRef<T>(v));
}

Error writeOutputs(const sim::Simulator &sim) {
  if (auto ec = llvm::sys::fs::create_directories(outputDir))
    return error(outputDir + ": cannot create directory: " + ec.message());
  llvm::StringSet<> used;
  for (const sim::OutputTensor &o : sim.outputs()) {
    std::string base = safeFileStem(o.name);
    for (unsigned k = 1; !used.insert(base).second; ++k)
      base = safeFileStem(o.name) + "." + std::to_string(k);
    llvm::SmallString<256> f(outputDir), i(outputDir);
    llvm::sys::path::append(f, base + ".npy");
    llvm::sys::path::append(i, base + ".int.npy");
    Tensor floats =
        Tensor::fromValues<float>(o.shape, llvm::ArrayRef(o.dequantized));
    Tensor ints;
    switch (o.dtype) {
    case isa::DType::Int8:
      ints = intTensor<int8_t>(o);
      break;
    case isa::DType::UInt8:
      ints = intTensor<uint8_t>(o);
      break;
    case isa::DType::Int16:
      ints = intTensor<int16_t>(o);
      break;
    case isa::DType::Int32:
      ints = intTensor<int32_t>(o);
      break;
    }
    if (Error err = writeNpy(f, floats))
      return err;
    if (Error err = writeNpy(i, ints))
      return err;
  }
  return Error::success();
}

Error run() {
  if (timingOnly && !outputDir.empty())
    return error("--output-dir needs the functional run; drop --timing-only");
  auto program = isa::readProgramFile(programFile);
  if (!program)
    return program.takeError();
  std::string target = targetName.empty() ? program->target : targetName;
  auto model = sim::loadTargetModel(target);
  if (!model)
    return model.takeError();

  sim::SimOptions opts;
  opts.functional = !timingOnly;
  // Host segments run in float with the reference interpreter.
  opts.hostExecutor = [](const isa::HostSegment &seg,
                         std::vector<Tensor> inputs) {
    return reference::runHostProgram(seg.program, seg.name, inputs);
  };
  auto simulator =
      sim::Simulator::create(std::move(*program), std::move(*model), opts);
  if (!simulator)
    return error(programFile + ": " + llvm::toString(simulator.takeError()));
  sim::Simulator &s = **simulator;
  if (Error err = setInputs(s))
    return err;
  auto report = s.run();
  if (!report)
    return error(programFile + ": " + llvm::toString(report.takeError()));

  if (!quiet) {
    llvm::outs() << sim::formatReportTable(*report);
    if (Error err = io::flushStdout())
      return err;
    for (const sim::LayerStats *l : report->macMismatches())
      llvm::errs() << "warning: layer " << l->id << " " << quoteName(l->name)
                   << ": instructions perform " << l->macs
                   << " MACs but the layer table says " << l->tableMacs << "\n";
  }
  if (!outputDir.empty())
    if (Error err = writeOutputs(s))
      return err;
  if (!reportFile.empty())
    if (Error err = sim::writeReport(*report, reportFile))
      return err; // names reportFile
  if (!traceFile.empty())
    if (Error err = sim::writeTrace(s, traceFile))
      return err; // names traceFile
  return Error::success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(toolCategory);
  tools::parseCommandLine(argc, argv,
                          "tessera-sim: simulate a Tessera NPU program\n");
  if (Error err = run())
    return tools::reportError(std::move(err));
  return 0;
}
