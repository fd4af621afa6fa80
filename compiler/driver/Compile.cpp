//===- Compile.cpp - The compile driver: ONNX to .npubin ------------------===//
#include "compiler/driver/Compile.h"

#include "compiler/codegen/Codegen.h"
#include "compiler/driver/ApplyConfig.h"
#include "compiler/driver/Calibrate.h"
#include "compiler/graph/Passes.h"
#include "compiler/lowering/Passes.h"
#include "compiler/patterns/NodeName.h"
#include "compiler/quant/Passes.h"
#include "compiler/reference/Interpreter.h"
#include "core/isa/Asm.h"
#include "core/quant/Calibration.h"
#include "core/quant/Quant.h"
#include "core/support/Diagnostics.h"
#include "core/target/Target.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdio>

using llvm::Expected;

namespace tessera::driver {
namespace {

llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string printModule(mlir::ModuleOp m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os);
  return s;
}

/// Runs `pm` on `m`. MLIR's error diagnostics become a DiagnosticListError:
/// the first one (usually the root cause) is the error, the first one of
/// every other location (ONNX node) a note, so a user sees every node to
/// change at once.
/// Remarks (a node that runs on the host) are passed to `note` as
/// "note: TEXT" once the stage succeeded.
llvm::Error runPasses(mlir::PassManager &pm, mlir::ModuleOp m,
                      llvm::StringRef stage,
                      const std::function<void(const std::string &)> &note =
                          nullptr) {
  std::vector<Diagnostic> diagnostics;
  std::vector<std::string> remarks;
  mlir::ScopedDiagnosticHandler handler(
      m.getContext(), [&](mlir::Diagnostic &d) {
        if (d.getSeverity() == mlir::DiagnosticSeverity::Remark) {
          remarks.push_back("note: " + d.str());
          return mlir::success();
        }
        if (d.getSeverity() != mlir::DiagnosticSeverity::Error)
          return mlir::success();
        Diagnostic diag;
        llvm::raw_string_ostream(diag.key) << d.getLocation();
        diag.text = diag.key + ": " + d.str();
        diagnostics.push_back(std::move(diag));
        return mlir::success();
      });
  if (mlir::succeeded(pm.run(m))) {
    if (note)
      for (const std::string &r : remarks)
        note(r);
    return llvm::Error::success();
  }
  if (diagnostics.empty())
    return fail(stage + " failed: (no message)");
  return makeDiagnosticListError((stage + " failed: ").str(), diagnostics);
}

class Timer {
public:
  explicit Timer(std::vector<StageTime> &out) : out(out) {}
  void done(const char *stage) {
    auto now = std::chrono::steady_clock::now();
    out.push_back({stage, std::chrono::duration<double>(now - last).count()});
    last = now;
  }

private:
  std::vector<StageTime> &out;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

/// The dtypes of the target's `dtypes:` list, "int8, int16".
std::string targetDtypes(const target::Target &t) {
  std::string names;
  for (quant::DType d : t.dtypes)
    names += (names.empty() ? "" : ", ") + std::string(quant::dtypeName(d));
  return names;
}

bool targetHasDtype(const target::Target &t, quant::DType d) {
  return llvm::is_contained(t.dtypes, d);
}

/// The scheme --scheme names (empty: the target's default), or an error
/// listing the target's schemes; int16 activations need int16 in the
/// target's dtypes and int16 MACs.
Expected<const target::QuantScheme *>
schemeFor(const target::Target &t, llvm::StringRef name) {
  const target::QuantScheme *scheme =
      name.empty() ? &t.defaultScheme() : t.findScheme(name);
  if (!scheme) {
    std::string names;
    for (const target::QuantScheme &s : t.quantization.schemes)
      names += (names.empty() ? "" : ", ") + s.name;
    return fail("--scheme: target " + t.name + " has no scheme '" + name +
                "' (its schemes: " + names + ")");
  }
  quant::DType act = scheme->activation.dtype;
  if (act != quant::DType::Int8 && act != quant::DType::UInt8 &&
      act != quant::DType::Int16)
    return fail("--scheme: scheme " + scheme->name + " of target " + t.name +
                " has " + quant::dtypeName(act) +
                " activations; the compiler quantizes int8, uint8 and int16 "
                "activations");
  if (act == quant::DType::Int16 &&
      (!targetHasDtype(t, quant::DType::Int16) || !t.mac.int16MacsPerCycle))
    return fail("--scheme: scheme " + scheme->name + " of target " + t.name +
                " has int16 activations but the target has no int16 MACs "
                "(its dtypes: " +
                targetDtypes(t) + ")");
  if (act == quant::DType::Int16 && !scheme->activation.symmetric)
    return fail("--scheme: scheme " + scheme->name + " of target " + t.name +
                " asks for asymmetric int16 activations; int16 is symmetric "
                "(TOSA's int16 operations have zero point 0)");
  if (scheme->powerOfTwoScale && !scheme->activation.symmetric)
    return fail("--scheme: scheme " + scheme->name + " of target " + t.name +
                " asks for power-of-two scales with asymmetric activations; "
                "dynamic fixed point is symmetric");
  // Weights: int8 or uint8, symmetric per tensor or per channel, or
  // asymmetric per tensor (TOSA's conv2d/depthwise_conv2d/matmul and the
  // NPU's CONV carry one weight zero point, w_zp).
  const target::TensorQuant &w = scheme->weight;
  const std::string weights =
      std::string(w.symmetric ? "symmetric " : "asymmetric ") +
      quant::dtypeName(w.dtype) + " weights per " +
      (w.perChannel ? "channel" : "tensor");
  const char *supported =
      "the compiler quantizes int8 and uint8 weights, symmetric per tensor "
      "or per channel, or asymmetric per tensor (TOSA conv2d and the NPU's "
      "CONV have one weight zero point, w_zp), and symmetric int16 weights "
      "with int16 activations";
  bool int16Weights = w.dtype == quant::DType::Int16 &&
                      act == quant::DType::Int16 && w.symmetric;
  if ((w.dtype != quant::DType::Int8 && w.dtype != quant::DType::UInt8 &&
       !int16Weights) ||
      (!w.symmetric && w.perChannel))
    return fail("--scheme: scheme " + scheme->name + " of target " + t.name +
                " asks for " + weights + "; " + supported);
  if (scheme->powerOfTwoScale && !w.symmetric)
    return fail("--scheme: scheme " + scheme->name + " of target " + t.name +
                " asks for power-of-two scales with asymmetric weights; "
                "dynamic fixed point is symmetric");
  return scheme;
}

/// The int16 scheme of `t` whose weights a node promoted to int16 uses
/// (--node-dtype): the first with int16 activations, if any.
const target::QuantScheme *int16SchemeOf(const target::Target &t) {
  for (const target::QuantScheme &s : t.quantization.schemes)
    if (s.activation.dtype == quant::DType::Int16)
      return &s;
  return nullptr;
}

/// The --tessera-quantize options of `scheme` (schemeFor checked it):
/// activations and weights with the scheme's dtype, symmetry and weight
/// granularity; power_of_two_scale rounds every scale up to a power of two
/// (dynamic fixed point). Nodes named by `nodeDtypes` get that activation
/// dtype; int16 ones get int16 weights if the target's int16 scheme has
/// them, else int8.
quant::QuantizeOptions
quantizeOptionsFor(const target::Target &t, const target::QuantScheme &scheme,
                   llvm::ArrayRef<NodeDtype> nodeDtypes) {
  quant::QuantizeOptions o;
  o.powerOfTwoScale = scheme.powerOfTwoScale;
  o.activationDtype = quant::dtypeName(scheme.activation.dtype);
  o.symmetricActivations = scheme.activation.symmetric;
  o.weightPerChannel = scheme.weight.perChannel;
  o.weightDtype = quant::dtypeName(scheme.weight.dtype);
  o.symmetricWeights = scheme.weight.symmetric;
  const target::QuantScheme *wide = int16SchemeOf(t);
  bool nodeInt16Weights =
      wide && wide->weight.dtype == quant::DType::Int16;
  for (const NodeDtype &n : nodeDtypes) {
    std::string entry = n.pattern + "=" + quant::dtypeName(n.dtype);
    if (n.dtype == quant::DType::Int16)
      entry += nodeInt16Weights ? ":int16" : ":int8";
    o.nodeDtypes.push_back(entry);
  }
  return o;
}

/// Calibration samples for an --embed-preprocessing input: raw pixels in
/// the input's layout and colour order. Images are decoded as NCHW RGB
/// pixels (pixel / 255 "normalised" with mean 0, std 1/255) and reordered;
/// a .npz already holds the deployed input (`pixelShape`).
Expected<std::vector<Tensor>> loadPixelSamples(const CompileOptions &opts,
                                               llvm::StringRef inputName,
                                               llvm::ArrayRef<int64_t> nchw,
                                               llvm::ArrayRef<int64_t> pixelShape) {
  if (llvm::StringRef(opts.calibrationPath).ends_with(".npz"))
    return calib::loadSamples(opts.calibrationPath, inputName, pixelShape,
                              opts.preprocess, opts.maxCalibrationSamples);
  calib::Preprocess raw;
  raw.mean.assign(nchw[1], 0.0f);
  raw.std.assign(nchw[1], 1.0f / 255.0f);
  auto samples = calib::loadSamples(opts.calibrationPath, inputName, nchw, raw,
                                    opts.maxCalibrationSamples);
  if (!samples)
    return samples.takeError();
  const int64_t n = nchw[0], c = nchw[1], h = nchw[2], w = nchw[3];
  for (Tensor &t : *samples) {
    Tensor out(ElementType::F32, std::vector<int64_t>(pixelShape));
    const float *src = t.data<float>();
    float *dst = out.data<float>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x) {
            int64_t k = opts.pixelsBgr ? c - 1 - ch : ch;
            // Exact integers: decoding divides by 255 and multiplies back.
            float v = std::round(src[((b * c + ch) * h + y) * w + x]);
            int64_t at = opts.pixelsNhwc ? ((b * h + y) * w + x) * c + k
                                         : ((b * c + k) * h + y) * w + x;
            dst[at] = v;
          }
    t = std::move(out);
  }
  return samples;
}

/// %g: 99.99, 1e+03, nan.
std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// The calibration method: --calibration-method, else the target's
/// default; --percentile only with the percentile method.
Expected<quant::CalibrationOptions>
calibrationOptionsFor(const CompileOptions &opts, const target::Target &t) {
  quant::CalibrationOptions c;
  if (!opts.calibrationMethod.empty()) {
    auto m = quant::parseCalibrationMethod(opts.calibrationMethod);
    if (!m)
      return fail("--calibration-method: unknown method '" +
                  opts.calibrationMethod + "' (expected " +
                  quant::calibrationMethodNames() + ")");
    c.method = *m;
  } else {
    // validate() checked the profile's name.
    c.method = quant::parseCalibrationMethod(t.quantization.calibrationMethod)
                   .value_or(quant::CalibrationMethod::MinMax);
  }
  if (opts.percentile) {
    double p = *opts.percentile;
    if (!(p > 0.0 && p <= 100.0))
      return fail("--percentile: must be in (0, 100], got " +
                  shortNumber(p));
    if (c.method != quant::CalibrationMethod::Percentile)
      return fail(llvm::Twine("--percentile: applies to --calibration-method "
                              "percentile, not ") +
                  quant::calibrationMethodName(c.method));
    c.percentile = p;
  }
  return c;
}

/// --config and --write-config: where they apply, and the config's
/// top-level defaults in `opts`.
llvm::Error loadConfigFor(CompileOptions &opts, const target::Target &t,
                          std::optional<NodeConfig> &config) {
  if (opts.configPath.empty() && !opts.writeConfig)
    return llvm::Error::success();
  const char *flag = opts.configPath.empty() ? "--write-config" : "--config";
  if (llvm::StringRef(opts.modelPath).ends_with(".mlir"))
    return fail(llvm::Twine(flag) + " applies to ONNX models, not to an "
                                    "integer-level .mlir");
  if (opts.writeConfig &&
      (opts.emit == EmitLevel::Tosa || opts.emit == EmitLevel::Quant))
    return fail("--write-config needs the integer level (not with --emit=" +
                llvm::Twine(opts.emit == EmitLevel::Tosa ? "tosa" : "quant") +
                ")");
  if (opts.configPath.empty())
    return llvm::Error::success();
  auto c = loadNodeConfig(opts.configPath);
  if (!c)
    return c.takeError();
  if (llvm::Error e = applyConfigDefaults(*c, t, opts))
    return e;
  config = std::move(*c);
  return llvm::Error::success();
}

} // namespace

std::optional<EmitLevel> parseEmitLevel(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<EmitLevel>>(name)
      .Case("tosa", EmitLevel::Tosa)
      .Case("quant", EmitLevel::Quant)
      .Case("int", EmitLevel::Int)
      .Case("npu", EmitLevel::Npu)
      .Case("asm", EmitLevel::Asm)
      .Default(std::nullopt);
}

/// Rounds of host fallback for nodes without an NPU lowering (each round
/// can only uncover ops that the previous one's boundaries created).
constexpr unsigned kMaxLoweringFallbackRounds = 4;

/// The ops an NPU lowering of (a copy of) `module` leaves behind; none if
/// the rewrites themselves fail (the real lowering then reports it).
static std::vector<lowering::UnloweredOp> trialLowering(mlir::ModuleOp module) {
  mlir::OwningOpRef<mlir::ModuleOp> copy(module.clone());
  mlir::ScopedDiagnosticHandler quiet(module.getContext(),
                                      [](mlir::Diagnostic &) {
                                        return mlir::success();
                                      });
  mlir::FailureOr<std::vector<lowering::UnloweredOp>> left =
      lowering::applyNpuRewrites(*copy);
  if (mlir::failed(left))
    return {};
  // The ops die with the copy: keep only what the caller reads.
  for (lowering::UnloweredOp &u : *left)
    u.op = nullptr;
  return std::move(*left);
}

/// Lowering to npu, tiling and codegen of an integer-level module (the
/// tail of compileModel; also its whole work for an int-level .mlir input).
static Expected<CompileResult>
lowerAndGenerate(mlir::MLIRContext &ctx, mlir::ModuleOp module,
                 const target::Target &tgt, const CompileOptions &opts,
                 CompileResult result, Timer &timer) {
  const target::Target *target = &tgt;
  {
    mlir::PassManager pm(&ctx);
    lowering::TileOptions topts;
    topts.sramBytes = target->sram.bytes;
    lowering::buildLowerToNpuPipeline(pm, topts);
    if (llvm::Error e = runPasses(pm, module, "lowering to npu"))
      return std::move(e);
  }
  timer.done("lower-to-npu");
  if (opts.emit == EmitLevel::Npu) {
    llvm::raw_string_ostream os(result.emitted);
    codegen::printNpuModule(module, os);
    return result;
  }
  codegen::CodegenOptions copts;
  copts.target = target->name;
  copts.sramBytes = target->sram.bytes;
  auto program = codegen::generateProgram(module, copts);
  if (!program)
    return program.takeError();
  timer.done("codegen");
  if (opts.emit == EmitLevel::Asm)
    result.emitted = isa::disassemble(*program);
  result.program = std::move(*program);
  return result;
}

CompiledLevels::~CompiledLevels() {
  // The modules die before the context that owns their types.
  intModule = nullptr;
  quantModule = nullptr;
  floatModule = nullptr;
}

Expected<CompileResult> compileModel(const CompileOptions &optsIn) {
  // A copy: --config fills in defaults and per-node dtypes (ApplyConfig.h).
  CompileOptions opts = optsIn;
  CompileResult result;
  Timer timer(result.times);
  auto say = [&](const std::string &s) {
    if (opts.progress)
      opts.progress(s);
  };

  std::unique_ptr<mlir::MLIRContext> ctxOwner = frontend::createContext();
  mlir::MLIRContext &ctx = *ctxOwner;
  std::shared_ptr<CompiledLevels> levels;
  if (opts.keepLevels)
    levels = std::make_shared<CompiledLevels>();

  if (opts.noFallback && !opts.floatNodes.empty())
    return fail("--float-nodes runs nodes on the host, which --no-fallback "
                "forbids");
  auto target = target::loadTargetProfile(opts.target);
  if (!target)
    return target.takeError();
  std::optional<NodeConfig> config;
  if (llvm::Error e = loadConfigFor(opts, *target, config))
    return std::move(e);
  auto method = calibrationOptionsFor(opts, *target);
  if (!method)
    return method.takeError();
  auto scheme = schemeFor(*target, opts.scheme);
  if (!scheme)
    return scheme.takeError();
  for (const NodeDtype &n : opts.nodeDtypes) {
    if (!targetHasDtype(*target, n.dtype))
      return fail("--node-dtype " + n.pattern + "=" +
                  quant::dtypeName(n.dtype) + ": target " + target->name +
                  " does not support " + quant::dtypeName(n.dtype) +
                  " (its dtypes: " + targetDtypes(*target) + ")");
    if (n.dtype != quant::DType::Int8 && n.dtype != quant::DType::Int16)
      return fail("--node-dtype " + n.pattern + "=" +
                  quant::dtypeName(n.dtype) +
                  ": a node can be promoted to int8 or int16 only");
    if (n.dtype == quant::DType::Int16 && !target->mac.int16MacsPerCycle)
      return fail("--node-dtype " + n.pattern +
                  "=int16: target " + target->name + " has no int16 MACs");
  }

  // An integer-level module (`--emit=int` output, or hand-written with host
  // ops per docs/lowering.md "Host segments") goes straight to lowering.
  if (llvm::StringRef(opts.modelPath).ends_with(".mlir")) {
    say("reading integer-level MLIR " + opts.modelPath);
    std::string diag;
    mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
      if (diag.empty())
        diag = d.str();
      return mlir::success();
    });
    auto intModule =
        mlir::parseSourceFile<mlir::ModuleOp>(opts.modelPath, &ctx);
    if (!intModule)
      return fail(opts.modelPath + ": cannot parse" +
                  (diag.empty() ? "" : ": " + diag));
    timer.done("import");
    if (opts.emit == EmitLevel::Tosa || opts.emit == EmitLevel::Quant ||
        opts.emit == EmitLevel::Int) {
      result.emitted = printModule(*intModule);
      return result;
    }
    return lowerAndGenerate(ctx, *intModule, *target, opts, std::move(result),
                            timer);
  }

  say("importing " + opts.modelPath);
  frontend::ImportOptions importOpts = opts.import;
  if (opts.progress && !importOpts.note)
    importOpts.note = say; // e.g. an opset 7-10 model upgraded to 11
  auto module = frontend::importOnnxFile(ctx, opts.modelPath, importOpts);
  if (!module)
    return module.takeError();
  timer.done("import");
  std::optional<std::vector<int64_t>> modelInputShape;
  if (opts.embedPreprocessing) {
    auto fs = (*module)->getOps<mlir::func::FuncOp>();
    if (std::distance(fs.begin(), fs.end()) != 1)
      return fail(opts.modelPath + ": expected one function after import");
    mlir::func::FuncOp f = *fs.begin();
    if (f.getNumArguments() == 1)
      if (auto t = llvm::dyn_cast<mlir::RankedTensorType>(
              f.getArgumentTypes()[0]))
        modelInputShape = std::vector<int64_t>(t.getShape());
    graph::EmbedPreprocessingOptions eo;
    eo.mean = opts.preprocess.mean;
    eo.std = opts.preprocess.std;
    eo.nhwc = opts.pixelsNhwc;
    eo.bgr = opts.pixelsBgr;
    if (llvm::Error e = graph::embedPreprocessing(f, eo))
      return fail(opts.modelPath + ": " + llvm::toString(std::move(e)));
    if (llvm::Error e = graph::runGraphCleanup(**module, opts.modelPath))
      return std::move(e);
  }
  if (opts.emit == EmitLevel::Tosa) {
    result.emitted = printModule(**module);
    return result;
  }

  auto funcs = (*module)->getOps<mlir::func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1)
    return fail(opts.modelPath + ": expected one function after import");
  mlir::func::FuncOp func = *funcs.begin();

  // A pre-quantized model (QDQ from QAT or onnxruntime) imports onto the
  // quant-annotated level already: its own scales and zero points are used,
  // without calibration or --tessera-quantize.
  bool preQuantized = false;
  func.walk([&](mlir::Operation *op) {
    if (llvm::isa<mlir::quant::QuantizeCastOp, mlir::quant::DequantizeCastOp,
                  mlir::quant::StorageCastOp>(op))
      preQuantized = true;
  });
  std::optional<ConfigPlan> plan;
  if (config || opts.writeConfig) {
    auto p = planConfig(std::move(config), func, preQuantized, *target,
                        **scheme, *method, opts);
    if (!p)
      return p.takeError();
    plan = std::move(*p);
  }
  if (preQuantized && opts.embedPreprocessing)
    return fail(opts.modelPath + ": --embed-preprocessing: the model is "
                                 "pre-quantized (QDQ); its input quantization "
                                 "is its own");
  if (preQuantized && !opts.nodeDtypes.empty())
    return fail(opts.modelPath + ": --node-dtype: the model is pre-quantized "
                                 "(QDQ); its precision is its own");
  if (preQuantized) {
    say("pre-quantized model: using its scales and zero points, no "
        "calibration");
    if (!opts.calibrationPath.empty())
      say("note: --calibration is ignored for a pre-quantized model");
  } else {
    // Calibration: one sample per argument (models with one input for now).
    if (opts.calibrationPath.empty())
      return fail(opts.modelPath +
                  ": --calibration is required to quantize a float model");
    if (func.getNumArguments() != 1)
      return fail(opts.modelPath + ": calibration supports models with one "
                                   "input, this one has " +
                  llvm::Twine(func.getNumArguments()));
    auto argType = llvm::cast<mlir::RankedTensorType>(func.getArgumentTypes()[0]);
    std::string inputName;
    if (auto n = func.getArgAttrOfType<mlir::StringAttr>(0, "onnx.name"))
      inputName = n.str();
    auto samples = opts.embedPreprocessing
                       ? loadPixelSamples(opts, inputName, *modelInputShape,
                                          argType.getShape())
                       : calib::loadSamples(opts.calibrationPath, inputName,
                                            argType.getShape(), opts.preprocess,
                                            opts.maxCalibrationSamples);
    if (!samples)
      return samples.takeError();
    std::vector<std::vector<Tensor>> runs;
    for (auto &t : *samples) {
      if (opts.maxCalibrationSamples && runs.size() >= opts.maxCalibrationSamples)
        break;
      runs.push_back({t});
    }
    if (levels && !runs.empty()) {
      levels->firstSample = runs.front();
      levels->activationDtype =
          quant::dtypeName((*scheme)->activation.dtype);
    }
    quant::QuantizeOptions qopts =
        quantizeOptionsFor(*target, **scheme, opts.nodeDtypes);
    CalibrateOptions copts;
    copts.method = *method;
    if (plan)
      copts.nodeMethods = plan->nodeMethods;
    copts.grid.symmetric = qopts.symmetricActivations;
    if (auto dt = quant::parseDType(qopts.activationDtype))
      copts.grid.bits = quant::dtypeInfo(*dt).bits;
    // One progress line per tenth of the samples (and the last), with the
    // time so far: a 100-image run prints 10 lines.
    auto start = std::chrono::steady_clock::now();
    say("calibrating with " +
        std::string(quant::calibrationMethodName(copts.method.method)) +
        (copts.method.method == quant::CalibrationMethod::Percentile
             ? " " + shortNumber(copts.method.percentile)
             : std::string()) +
        " on " + std::to_string(runs.size()) + " samples");
    auto stats = calibrate(func, runs, copts, [&](size_t i, size_t n) {
      if (i != n && i % std::max<size_t>(1, n / 10) != 0)
        return;
      double s = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count();
      say("calibrating " + std::to_string(i) + "/" + std::to_string(n) +
          llvm::formatv(" ({0:f1} s)", s).str());
    });
    if (!stats)
      return stats.takeError();
    if (stats->histogramBytes)
      say(llvm::formatv("calibration observed {0} tensors, histograms {1} KiB "
                        "({2} KiB each)",
                        stats->observedTensors, stats->histogramBytes / 1024,
                        stats->histogramBytes / 1024 /
                            std::max<size_t>(1, stats->observedTensors))
              .str());
    timer.done("calibrate");

    if (levels)
      levels->floatModule = (*module)->clone();
    {
      mlir::PassManager pm(&ctx);
      pm.nest<mlir::func::FuncOp>().addPass(quant::createQuantizePass(qopts));
      if (llvm::Error e = runPasses(pm, **module, "quantize"))
        return std::move(e);
    }
    timer.done("quantize");
  }
  if (opts.emit == EmitLevel::Quant) {
    result.emitted = printModule(**module);
    return result;
  }
  // Folding, then host fallback of the nodes that fold but have no NPU
  // lowering: a trial lowering of a copy names them, they are sent to the
  // host (tessera.host_reason on the quant-level ops) and folding is redone
  // from the quant level, until the trial leaves nothing a node names.
  if (plan)
    pinConfigHostNodes(*plan, **module); // device: cpu
  mlir::OwningOpRef<mlir::ModuleOp> quantLevel((*module)->clone());
  std::vector<std::string> foldNotes;
  auto fold = [&]() -> llvm::Error {
    foldNotes.clear();
    mlir::PassManager pm(&ctx);
    quant::FoldToIntegerOptions fopts;
    fopts.floatNodes.assign(opts.floatNodes.begin(), opts.floatNodes.end());
    fopts.fallback = opts.noFallback ? "error" : "host";
    quant::buildFoldToIntegerPipeline(pm, fopts);
    return runPasses(pm, **module, "fold-to-integer",
                     [&](const std::string &n) { foldNotes.push_back(n); });
  };
  if (llvm::Error e = fold())
    return std::move(e);
  if (!opts.noFallback) {
    llvm::MapVector<std::string, std::string, llvm::StringMap<unsigned>>
        unlowerable; // node -> reason
    for (unsigned round = 0; round < kMaxLoweringFallbackRounds; ++round) {
      unsigned before = unlowerable.size();
      for (const lowering::UnloweredOp &u : trialLowering(**module))
        if (!u.node.empty() && !unlowerable.count(u.node))
          unlowerable[u.node] =
              "no NPU lowering for '" + u.opName + "': " + u.reason;
      if (unlowerable.size() == before)
        break;
      mlir::OwningOpRef<mlir::ModuleOp> fresh(quantLevel->clone());
      mlir::Builder b(&ctx);
      fresh->walk([&](mlir::Operation *op) {
        auto it = unlowerable.find(patterns::onnxNodeName(op));
        if (it != unlowerable.end())
          op->setAttr(quant::kHostReasonAttr, b.getStringAttr(it->second));
      });
      *module = std::move(fresh);
      if (llvm::Error e = fold())
        return std::move(e);
    }
  }
  for (const std::string &n : foldNotes)
    say(n);
  if (plan) {
    if (llvm::Error e = checkConfigDevices(*plan, **module, foldNotes))
      return std::move(e);
    if (opts.writeConfig)
      result.config = printChosenConfig(*plan, *target, *quantLevel, **module);
  }
  timer.done("fold-to-integer");
  if (opts.emit == EmitLevel::Int) {
    result.emitted = printModule(**module);
    return result;
  }
  if (levels && levels->floatModule) {
    levels->quantModule = quantLevel->clone();
    levels->intModule = (*module)->clone();
  }
  auto generated = lowerAndGenerate(ctx, **module, *target, opts,
                                    std::move(result), timer);
  if (generated && levels && levels->floatModule) {
    levels->context = std::move(ctxOwner);
    generated->levels = std::move(levels);
  }
  return generated;
}

} // namespace tessera::driver
