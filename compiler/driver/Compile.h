//===- Compile.h - The compile driver: ONNX to .npubin -----------*- C++ -*-===//
//
// The one implementation of `tessera-compile` and `tessera.compile(...)`:
// import, calibrate, quantize, fold to integer, lower to npu, tile, generate
// the program. Each level can be printed instead (`--emit`).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_DRIVER_COMPILE_H
#define TESSERA_COMPILER_DRIVER_COMPILE_H

#include "compiler/calibration/Inputs.h"
#include "compiler/frontend/OnnxImporter.h"
#include "core/isa/Program.h"
#include "core/quant/Quant.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera::driver {

/// The levels `--emit` can print, in pipeline order.
enum class EmitLevel { None, Tosa, Quant, Int, Npu, Asm };
std::optional<EmitLevel> parseEmitLevel(llvm::StringRef name);

/// Per-node precision (--node-dtype, the YAML config's dtype): the
/// activations of the ONNX nodes `pattern` names (a node name or an
/// llvm::GlobPattern) use `dtype` (int8 or int16), their weights int16 if
/// the target's int16 scheme has int16 weights, else int8.
struct NodeDtype {
  std::string pattern;
  quant::DType dtype;
};

struct CompileOptions {
  std::string modelPath;
  std::string target = "rv1126";
  /// Directory of JPEGs, one JPEG or a .npz (see calibration/Inputs.h).
  std::string calibrationPath;
  calib::Preprocess preprocess;
  /// --embed-preprocessing: the input becomes raw uint8 pixels (in
  /// `pixelsNhwc` / `pixelsBgr` order) and the program applies `preprocess`
  /// (graph/Passes.h embedPreprocessing).
  bool embedPreprocessing = false;
  bool pixelsNhwc = false;
  bool pixelsBgr = false;
  frontend::ImportOptions import;
  EmitLevel emit = EmitLevel::None;
  /// At most this many calibration samples (0: all).
  size_t maxCalibrationSamples = 0;
  /// --scheme: a quantization scheme of the target profile by name; empty:
  /// its default_scheme.
  std::string scheme;
  /// --calibration-method (quant::parseCalibrationMethod names); empty: the
  /// target profile's quantization.calibration_method.
  std::string calibrationMethod;
  /// --percentile, in (0, 100]; only with the percentile method (unset:
  /// 99.99).
  std::optional<double> percentile;
  /// ONNX node names or glob patterns (llvm::GlobPattern) whose ops run in
  /// float on the host CPU (--float-nodes).
  std::vector<std::string> floatNodes;
  /// --node-dtype: per-node precision, applied in order (the last pattern
  /// that matches a node wins). A pattern that matches no node is an
  /// error naming it; a dtype the target's `dtypes:` list lacks is an error
  /// listing what it supports.
  std::vector<NodeDtype> nodeDtypes;
  /// An op that cannot be folded to integer is an error instead of running
  /// on the host (--no-fallback); contradicts floatNodes.
  bool noFallback = false;
  /// Progress lines ("calibrating 3/12") and notes (a node that runs on the
  /// host) go here; empty: silent.
  std::function<void(const std::string &)> progress;
  /// Keep the float, quant-annotated and integer modules and the first
  /// calibration sample in CompileResult::levels (accuracy analysis,
  /// compiler/analysis/Accuracy.h). Float models only.
  bool keepLevels = false;
  /// --config: a per-node configuration file (docs/quantization.md,
  /// "Per-node configuration"); empty: none.
  std::string configPath;
  /// --write-config: fill CompileResult::config with the per-node choices
  /// the compiler made (needs the integer level: not with --emit=tosa or
  /// quant).
  bool writeConfig = false;
};

/// The program at three levels, as accuracy analysis compares them.
struct CompiledLevels {
  /// Owns the modules' context; declared first, so destroyed last.
  std::unique_ptr<mlir::MLIRContext> context;
  /// Float TOSA as calibrated: what the float reference executor runs.
  mlir::OwningOpRef<mlir::ModuleOp> floatModule;
  /// Quant-annotated TOSA: every quantized tensor's scale and zero point.
  mlir::OwningOpRef<mlir::ModuleOp> quantModule;
  /// Integer TOSA (the `--emit=int` program, host ops included).
  mlir::OwningOpRef<mlir::ModuleOp> intModule;
  /// The first calibration sample, one tensor per argument, preprocessed.
  std::vector<Tensor> firstSample;
  /// The scheme's activation dtype ("int8", "uint8", ...).
  std::string activationDtype;
  ~CompiledLevels();
};

struct StageTime {
  std::string stage;
  double seconds;
};

struct CompileResult {
  /// Set unless emit stopped the pipeline earlier.
  std::optional<isa::Program> program;
  /// The text of the requested --emit level (empty for EmitLevel::None).
  std::string emitted;
  std::vector<StageTime> times;
  /// Set with CompileOptions::keepLevels when the whole pipeline ran.
  std::shared_ptr<CompiledLevels> levels;
  /// With CompileOptions::writeConfig: the config's YAML text.
  std::string config;
};

/// Runs the pipeline. Errors are one line naming the file, node or field.
/// A `modelPath` ending in ".mlir" is an integer-level module (`--emit=int`
/// output, possibly with host-fallback ops): it skips import, calibration,
/// quantization and folding and is lowered, tiled and generated directly.
llvm::Expected<CompileResult> compileModel(const CompileOptions &opts);

} // namespace tessera::driver

#endif // TESSERA_COMPILER_DRIVER_COMPILE_H
