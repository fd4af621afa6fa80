//===- Calibrate.h - Calibration over the float executor ---------*- C++ -*-===//
//
// Runs the float reference executor on calibration samples and records, for
// every activation --tessera-quantize quantizes (quant::rangedOps) and every
// function argument, the range the calibration method chooses as
// `tessera.range = array<f64: min, max>` — the input of --tessera-quantize.
// Only those tensors are observed, so the executor keeps its conv +
// activation fusion wherever it hides none of them. Weights are not
// calibrated here: --tessera-quantize takes their per-channel min/max.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_DRIVER_CALIBRATE_H
#define TESSERA_COMPILER_DRIVER_CALIBRATE_H

#include "core/quant/Calibration.h"
#include "core/tensor/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <vector>

namespace tessera::driver {

struct CalibrateOptions {
  quant::CalibrationOptions method; // minmax by default
  /// The activations' grid (bits, symmetric): what percentile, kl and mse
  /// optimise for.
  quant::GridSpec grid;
  /// Per ONNX node (patterns::onnxNodeName): the method for that node's
  /// observed output tensors instead of `method` (--config's
  /// calibration_method per node).
  llvm::StringMap<quant::CalibrationOptions> nodeMethods;
};

struct CalibrateStats {
  size_t observedTensors = 0; // per sample, arguments included
  size_t histogramBytes = 0;  // all observers' histograms together
};

/// samples[s][i] is argument i of sample s. `progress(s, n)` is called after
/// each sample. Attaches `tessera.range` to ops and arguments.
llvm::Expected<CalibrateStats>
calibrate(mlir::func::FuncOp func,
          const std::vector<std::vector<Tensor>> &samples,
          const CalibrateOptions &options,
          const std::function<void(size_t, size_t)> &progress = {});

} // namespace tessera::driver

#endif // TESSERA_COMPILER_DRIVER_CALIBRATE_H
