//===- Calibrate.h - Min/max calibration over the float executor -*- C++ -*-===//
//
// Runs the float reference executor on calibration samples and records, for
// every op with a float result and every function argument, the observed
// range as `tessera.range = array<f64: min, max>` — the input of
// --tessera-quantize.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_DRIVER_CALIBRATE_H
#define TESSERA_COMPILER_DRIVER_CALIBRATE_H

#include "core/tensor/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <vector>

namespace tessera::driver {

/// samples[s][i] is argument i of sample s. `progress(s, n)` is called after
/// each sample. Attaches `tessera.range` to ops and arguments.
llvm::Error calibrateMinMax(
    mlir::func::FuncOp func,
    const std::vector<std::vector<Tensor>> &samples,
    const std::function<void(size_t, size_t)> &progress = {});

} // namespace tessera::driver

#endif // TESSERA_COMPILER_DRIVER_CALIBRATE_H
