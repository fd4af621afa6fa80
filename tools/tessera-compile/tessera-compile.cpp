//===- tessera-compile.cpp - ONNX model to .npubin for a target -----------===//
//
// tessera-compile MODEL.onnx --target T [--calibration DIR|FILE.jpg|FILE.npz]
//   [--mean a,b,c] [--std a,b,c] [--input-shape name=1x3xHxW ...]
//   [--embed-preprocessing [--input-layout nchw|nhwc] [--input-color rgb|bgr]]
//   [--calibration-method minmax|moving_average|percentile|kl|mse]
//   [--percentile P] [--scheme NAME] [--emit=tosa|quant|int|npu|asm] [--float-nodes NAME,GLOB,...]
//   [--node-dtype PATTERN=DTYPE,...] [--no-fallback]
//   [--config FILE.yaml] [--write-config FILE.yaml] [--quiet] -o OUT.npubin
//   [--accuracy-report FILE.json] [--dump-tensors DIR] [--analysis-input F]
//   [--accuracy-top N]
// tessera-compile MODEL.int.mlir --target T -o OUT.npubin
//   (an integer-level module, e.g. --emit=int output with host-fallback
//   ops: lowered, tiled and generated directly; docs/lowering.md)
//
//===----------------------------------------------------------------------===//
#include "compiler/analysis/Accuracy.h"
#include "compiler/driver/Compile.h"
#include "core/io/Output.h"
#include "tools/common/Tool.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>

namespace cl = llvm::cl;
using namespace tessera;

static cl::OptionCategory category("tessera-compile options");
static cl::opt<std::string> modelPath(cl::Positional, cl::desc("MODEL.onnx or MODEL.int.mlir"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputPath("o", cl::desc("output .npubin (or text file with --emit)"),
                                       cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string> target("target", cl::desc("target profile: rv1126, j5, orin, or a YAML file"),
                                   cl::init("rv1126"), cl::cat(category));
static cl::opt<std::string> calibration(
    "calibration", cl::desc("calibration samples: a directory of JPEGs, a JPEG, or a .npz with one [N,...] array per input"),
    cl::value_desc("path"), cl::cat(category));
static cl::opt<std::string> mean("mean", cl::desc("per-channel mean after pixel/255 (images only)"),
                                 cl::init("0,0,0"), cl::cat(category));
static cl::opt<std::string> stdev("std", cl::desc("per-channel std after pixel/255 (images only)"),
                                  cl::init("1,1,1"), cl::cat(category));
static cl::opt<bool> embedPreprocessing(
    "embed-preprocessing",
    cl::desc("the program takes raw uint8 pixels and applies --mean/--std "
             "itself (scale 1, zero point 0 input)"),
    cl::cat(category));
static cl::opt<std::string> inputLayout(
    "input-layout", cl::desc("pixel layout with --embed-preprocessing: nchw "
                             "(default) or nhwc"),
    cl::value_desc("nchw|nhwc"), cl::cat(category));
static cl::opt<std::string> color(
    "input-color", cl::desc("pixel channel order with --embed-preprocessing: rgb "
                      "(default) or bgr; --mean/--std stay in the model's "
                      "RGB order"),
    cl::value_desc("rgb|bgr"), cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape", cl::desc("fix an input's shape: name=1x3x224x224 (repeatable)"),
    cl::value_desc("name=shape"), cl::cat(category));
static cl::opt<std::string> emit("emit", cl::desc("print a level instead of compiling: tosa, quant, int, npu, asm"),
                                 cl::value_desc("level"), cl::cat(category));
static cl::opt<unsigned> maxSamples("max-calibration-samples", cl::desc("use at most N calibration samples (0: all)"),
                                    cl::init(0), cl::cat(category));
static cl::opt<std::string> calibrationMethod(
    "calibration-method",
    cl::desc("how activation ranges are chosen: minmax, moving_average, "
             "percentile, kl or mse (default: the target profile's "
             "calibration_method)"),
    cl::value_desc("method"), cl::cat(category));
static cl::opt<std::string> percentile(
    "percentile", cl::desc("the percentile of |x| kept by --calibration-method "
                           "percentile, in (0, 100] (default 99.99)"),
    cl::value_desc("P"), cl::cat(category));
static cl::opt<std::string> scheme(
    "scheme",
    cl::desc("the target profile's quantization scheme to use, by name "
             "(default: its default_scheme; e.g. rv1126: asymmetric_u8, "
             "dfp_i8, dfp_i16; j5: int16_activations; orin: "
             "int16_symmetric)"),
    cl::value_desc("name"), cl::cat(category));
static cl::list<std::string> floatNodes(
    "float-nodes", cl::desc("run these ONNX nodes in float on the host CPU: names or glob patterns, comma-separated"),
    cl::value_desc("NAME,GLOB,..."), cl::CommaSeparated, cl::cat(category));
static cl::list<std::string> nodeDtypes(
    "node-dtype",
    cl::desc("per-node precision: the activations of the ONNX nodes PATTERN "
             "names (a name or glob) use DTYPE (int8 or int16; weights int16 "
             "if the target's int16 scheme has them); repeatable, "
             "comma-separated"),
    cl::value_desc("PATTERN=DTYPE,..."), cl::CommaSeparated, cl::cat(category));
static cl::opt<bool> noFallback("no-fallback", cl::desc("an op the NPU cannot run is an error instead of running on the host"),
                                cl::cat(category));
static cl::opt<std::string> configPath(
    "config",
    cl::desc("apply a per-node configuration: dtype, scheme, calibration "
             "method and device (npu | cpu) per ONNX node name or glob "
             "(docs/quantization.md, \"Per-node configuration\")"),
    cl::value_desc("FILE.yaml"), cl::cat(category));
static cl::opt<std::string> writeConfigPath(
    "write-config",
    cl::desc("write the per-node choices the compiler made, as a config "
             "--config reads"),
    cl::value_desc("FILE.yaml"), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("no progress on stderr"), cl::cat(category));
static cl::opt<std::string> accuracyReport(
    "accuracy-report",
    cl::desc("write the per-layer accuracy analysis (float vs integer "
             "program vs simulator, docs/quantization.md) as JSON and print "
             "the worst layers on stderr"),
    cl::value_desc("FILE.json"), cl::cat(category));
static cl::opt<std::string> analysisInput(
    "analysis-input",
    cl::desc("the sample the accuracy analysis runs (a .npz, an image or a "
             "directory: its first sample; default: the first calibration "
             "sample)"),
    cl::value_desc("path"), cl::cat(category));
static cl::opt<std::string> dumpTensors(
    "dump-tensors",
    cl::desc("write every analysed tensor as .npy (float/, entire/, "
             "individual/) and histograms.json to this directory"),
    cl::value_desc("DIR"), cl::cat(category));
static cl::opt<unsigned> accuracyTop(
    "accuracy-top", cl::desc("rows of the printed accuracy table (0: all)"),
    cl::init(10), cl::cat(category));
static cl::opt<bool> showTimes("time", cl::desc("print the time of each stage on stderr"), cl::cat(category));

static int fail(const llvm::Twine &msg) { return tools::reportError(msg); }

/// --accuracy-report / --dump-tensors on a compiled float model: runs the
/// analysis (writing the dumps) and prints the table; `writeReport` is set
/// to write the JSON.
static int analyseAccuracy(const driver::CompileResult &result,
                           const driver::CompileOptions &opts,
                           std::function<int()> &writeReport) {
  if (!result.levels)
    return fail(opts.modelPath + ": --accuracy-report and --dump-tensors "
                                 "analyse a float model quantized by "
                                 "calibration; this one is pre-quantized");
  auto input = analysis::analysisInput(*result.levels, analysisInput,
                                       opts.preprocess,
                                       opts.embedPreprocessing);
  if (!input)
    return tools::reportError(input.takeError());
  analysis::AnalysisOptions aopts;
  aopts.program = &*result.program;
  aopts.dumpDir = dumpTensors;
  aopts.modelName = opts.modelPath;
  aopts.inputName = analysisInput.empty()
                        ? "first calibration sample of " + opts.calibrationPath
                        : "first sample of " + analysisInput;
  aopts.progress = opts.progress;
  auto report = analysis::analyzeAccuracy(*result.levels, *input, aopts);
  if (!report)
    return tools::reportError(report.takeError());
  llvm::errs() << analysis::formatAccuracyTable(*report, accuracyTop);
  if (showTimes)
    llvm::errs() << fmt::format("time: {:<16} {:8.3f} s\n", "accuracy",
                                report->totalSeconds);
  writeReport = [report = std::move(*report)] {
    if (accuracyReport.empty())
      return 0;
    if (llvm::Error e = analysis::writeAccuracyReport(report, accuracyReport))
      return tools::reportError(std::move(e));
    return 0;
  };
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  tools::parseCommandLine(argc, argv, "Tessera: compile an ONNX model for an NPU target\n");

  driver::CompileOptions opts;
  opts.modelPath = modelPath;
  opts.target = target;
  opts.calibrationPath = calibration;
  opts.maxCalibrationSamples = maxSamples;
  opts.calibrationMethod = calibrationMethod;
  opts.scheme = scheme;
  if (percentile.getNumOccurrences()) {
    // Parsed here so that "abc" and "nan" get one line naming the flag.
    double p = 0;
    if (llvm::StringRef(percentile).trim().getAsDouble(p) || !std::isfinite(p))
      return fail("--percentile: expected a number in (0, 100], got '" +
                  percentile + "'");
    opts.percentile = p;
  }
  opts.floatNodes.assign(floatNodes.begin(), floatNodes.end());
  for (llvm::StringRef entry : nodeDtypes) {
    auto [pattern, dtype] = entry.rsplit('=');
    std::optional<quant::DType> d = quant::parseDType(dtype.str());
    if (pattern.empty() || dtype.empty() || !d)
      return fail("--node-dtype: expected PATTERN=DTYPE with DTYPE int8 or "
                  "int16, got '" +
                  entry + "'");
    opts.nodeDtypes.push_back({pattern.str(), *d});
  }
  opts.noFallback = noFallback;
  opts.configPath = configPath;
  opts.writeConfig = !writeConfigPath.empty();
  if (!emit.empty()) {
    auto level = driver::parseEmitLevel(emit);
    if (!level)
      return fail("--emit: unknown level '" + emit + "' (expected tosa, quant, int, npu or asm)");
    opts.emit = *level;
  } else if (outputPath.empty() && accuracyReport.empty() &&
             dumpTensors.empty()) {
    return fail("-o OUT.npubin is required (or --emit=LEVEL to print a level)");
  }
  const bool analyse = !accuracyReport.empty() || !dumpTensors.empty();
  if (analyse && !emit.empty())
    return fail("--accuracy-report and --dump-tensors analyse the compiled "
                "program; they cannot be combined with --emit");
  if (!analysisInput.empty() && !analyse)
    return fail("--analysis-input is the input of --accuracy-report or "
                "--dump-tensors, neither of which is given");
  opts.keepLevels = analyse;
  auto m = calib::parseFloatList(mean, "mean");
  if (!m)
    return fail(llvm::toString(m.takeError()));
  auto s = calib::parseFloatList(stdev, "std");
  if (!s)
    return fail(llvm::toString(s.takeError()));
  opts.preprocess.mean = *m;
  opts.preprocess.std = *s;
  if (!embedPreprocessing && (!inputLayout.empty() || !color.empty()))
    return fail("--input-layout and --input-color describe the pixels of "
                "--embed-preprocessing, which is not given");
  opts.embedPreprocessing = embedPreprocessing;
  if (!inputLayout.empty() && inputLayout != "nchw" && inputLayout != "nhwc")
    return fail("--input-layout: expected nchw or nhwc, got '" + inputLayout +
                "'");
  if (!color.empty() && color != "rgb" && color != "bgr")
    return fail("--input-color: expected rgb or bgr, got '" + color +
                "'");
  opts.pixelsNhwc = inputLayout == "nhwc";
  opts.pixelsBgr = color == "bgr";
  for (const std::string &shape : inputShapes)
    if (llvm::Error e = frontend::parseInputShapeOption(shape, opts.import))
      return fail(llvm::toString(std::move(e)));
  if (!quiet)
    opts.progress = [](const std::string &line) { llvm::errs() << "tessera-compile: " << line << "\n"; };

  auto result = driver::compileModel(opts);
  if (!result)
    return tools::reportError(result.takeError());
  if (showTimes)
    for (const auto &t : result->times)
      llvm::errs() << fmt::format("time: {:<16} {:8.3f} s\n", t.stage, t.seconds);

  if (opts.writeConfig)
    if (llvm::Error e = io::writeFile(writeConfigPath, result->config))
      return fail(llvm::toString(std::move(e)));
  if (opts.emit != driver::EmitLevel::None) {
    // Standard output ("-") or a file, by core/io's rules (docs/tools.md).
    std::string path = outputPath.empty() ? "-" : outputPath.getValue();
    if (llvm::Error e = io::writeFile(path, result->emitted))
      return fail(llvm::toString(std::move(e)));
    return 0;
  }
  // The analysis and its report come first: if either fails (a bad
  // --accuracy-report path), no program is left behind.
  std::function<int()> writeReport = [] { return 0; };
  if (analyse)
    if (int rc = analyseAccuracy(*result, opts, writeReport))
      return rc;
  if (int rc = writeReport())
    return rc;
  if (!outputPath.empty())
    if (llvm::Error e = isa::writeProgram(*result->program, outputPath))
      return fail(llvm::toString(std::move(e)));
  return 0;
}
