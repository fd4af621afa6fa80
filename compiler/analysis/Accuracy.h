//===- Accuracy.h - Per-layer accuracy of a quantized program --*- C++ -*-===//
//
// RKNN's accuracy_analysis, for Tessera: given the float TOSA program, its
// quant-annotated form and the integer program the compiler made of it
// (driver::CompiledLevels) and one input sample, measures per layer how far
// the integer program's tensors are from the float ones:
//
//  - "entire": the integer program run end to end on the integer reference
//    executor (errors accumulate), each quantized tensor dequantized with its
//    scale and zero point, against the float executor's tensor;
//  - "individual": every layer fed the float values of its inputs (quantized
//    at their own scale and zero point), so only the layer's own error shows;
//  - the simulator against the integer reference executor on every program
//    output, which must be identical.
//
// A *layer* is the set of integer ops that compute one quantized ONNX tensor
// from other quantized ONNX tensors, the program inputs and constants: one
// ONNX node usually, several when quantization fused them (a Conv and the
// Relu after it form the Relu output's layer; the Conv output is not
// quantized and so is not a layer). docs/quantization.md, "Accuracy
// analysis", gives the report's schema and how to read it.
//
// Cost: one float run, two integer runs (entire, individual) and, with a
// program, one simulator run.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_ANALYSIS_ACCURACY_H
#define TESSERA_COMPILER_ANALYSIS_ACCURACY_H

#include "compiler/driver/Compile.h"
#include "core/isa/Program.h"
#include "core/tensor/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tessera::analysis {

/// How far `actual` is from `reference` (computed in double).
struct ErrorMetrics {
  int64_t elements = 0;
  /// <r, a> / (|r| |a|); 1 when both are all zeros, 0 when only one is.
  double cosine = 1.0;
  /// |r - a|, the L2 norm of the difference.
  double euclidean = 0.0;
  /// 10 log10(|r|^2 / |r - a|^2) in dB; +inf when a == r.
  double sqnrDb = 0.0;
  double maxAbs = 0.0;  ///< max |r - a|
  double meanAbs = 0.0; ///< mean |r - a|
};
ErrorMetrics compareValues(llvm::ArrayRef<float> reference,
                           llvm::ArrayRef<float> actual);

/// A weight operand's quantization, per-channel scales summarised.
struct WeightQuant {
  std::string node; ///< the ONNX node reading it
  std::string dtype;
  bool perChannel = false;
  int64_t channels = 1;
  double scaleMin = 0, scaleMax = 0;
  int64_t zeroPointMin = 0, zeroPointMax = 0;
};

/// The simulator's cost of a layer: the sums over its ONNX nodes' report
/// rows (a node shared by two layers counts for the first).
struct LayerCost {
  uint64_t cycles = 0;
  double latencyUs = 0;
  double energyUj = 0;
  uint64_t macs = 0;
};

struct LayerAccuracy {
  std::string tensor; ///< ONNX tensor name
  std::string node;   ///< ONNX node producing it
  std::string op;     ///< the float TOSA op producing it
  /// Every ONNX node with an integer op in the layer, program order.
  std::vector<std::string> nodes;
  std::vector<int64_t> shape; ///< ONNX layout (NCHW for 4-D activations)
  std::string dtype;          ///< "int8", "uint8", "int16"
  double scale = 1.0;
  int64_t zeroPoint = 0; ///< in `dtype`
  std::vector<WeightQuant> weights;
  bool host = false; ///< computed on the host CPU (host fallback)
  ErrorMetrics entire, individual;
  std::optional<LayerCost> cost; ///< with a simulator run
};

/// A program output: the simulator against the integer reference executor
/// (must be identical) and the integer program against float.
struct OutputAccuracy {
  std::string name;
  int64_t elements = 0;
  int64_t mismatches = -1; ///< integers that differ; -1: not simulated
  int64_t maxAbsDiff = 0;  ///< in integer steps
  ErrorMetrics entire;     ///< dequantized integer output vs float
};

struct AccuracyReport {
  std::string model, target, input;
  std::vector<LayerAccuracy> layers; ///< program order
  std::vector<OutputAccuracy> outputs;
  bool simulated = false;
  /// Float tensors without a quantization (e.g. a Conv fused with its Relu)
  /// and quantized tensors the integer program has no value for.
  int64_t notQuantized = 0, unmatched = 0;
  double floatSeconds = 0, entireSeconds = 0, individualSeconds = 0,
         simulateSeconds = 0, totalSeconds = 0;
};

struct AnalysisOptions {
  /// The compiled program: its simulator run gives the per-layer costs and
  /// the simulator-vs-reference check. Null: neither.
  const isa::Program *program = nullptr;
  /// With a program: the simulator's target (empty: the program's).
  std::string simTarget;
  /// Writes float/, entire/, individual/ .npy files and histograms.json
  /// there (created if missing). Empty: no dump.
  std::string dumpDir;
  /// Names for the report ("model", "input").
  std::string modelName, inputName;
  std::function<void(const std::string &)> progress;
};

/// The sample to analyse: the first one in `path` (a .npz, an image or a
/// directory of images, preprocessed with `pre` as calibration is; only a
/// .npz for a program taking raw pixels, `pixels`), or the first
/// calibration sample when `path` is empty.
llvm::Expected<std::vector<Tensor>>
analysisInput(const driver::CompiledLevels &levels, llvm::StringRef path,
              const calib::Preprocess &pre, bool pixels);

/// Runs the analysis on `input` (one float tensor per argument of the float
/// program, as calibration feeds it).
llvm::Expected<AccuracyReport>
analyzeAccuracy(const driver::CompiledLevels &levels,
                llvm::ArrayRef<Tensor> input, const AnalysisOptions &opts);

/// The report as JSON ("schema": "tessera-accuracy-report/1";
/// docs/quantization.md). An infinite SQNR is null.
llvm::json::Value accuracyReportToJson(const AccuracyReport &r);
/// Writes it pretty-printed to `path` atomically; errors name the path.
llvm::Error writeAccuracyReport(const AccuracyReport &r, llvm::StringRef path);
/// The `top` worst layers (lowest entire cosine first; 0: all) as a table,
/// then one line per output with the simulator check.
std::string formatAccuracyTable(const AccuracyReport &r, size_t top);

} // namespace tessera::analysis

#endif // TESSERA_COMPILER_ANALYSIS_ACCURACY_H
