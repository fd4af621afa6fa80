//===- Calibrate.cpp - Min/max calibration over the float executor --------===//
#include "compiler/driver/Calibrate.h"

#include "compiler/reference/Interpreter.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <limits>

namespace tessera::driver {
namespace {

struct Range {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  void add(const Tensor &t) {
    const float *p = t.data<float>();
    for (int64_t i = 0, n = t.numElements(); i < n; ++i) {
      min = std::min(min, static_cast<double>(p[i]));
      max = std::max(max, static_cast<double>(p[i]));
    }
  }
};

mlir::DenseF64ArrayAttr rangeAttr(mlir::MLIRContext *ctx, const Range &r) {
  return mlir::DenseF64ArrayAttr::get(ctx, {r.min, r.max});
}

} // namespace

llvm::Error calibrateMinMax(
    mlir::func::FuncOp func,
    const std::vector<std::vector<Tensor>> &samples,
    const std::function<void(size_t, size_t)> &progress) {
  if (samples.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "calibration needs at least one sample");
  llvm::DenseMap<mlir::Operation *, Range> ranges;
  std::vector<Range> argRanges(func.getNumArguments());
  reference::Executor executor(func);
  reference::RunOptions opts;
  opts.onValue = [&](mlir::Operation *op, const Tensor &t) {
    if (t.elementType() == ElementType::F32)
      ranges[op].add(t);
  };
  for (size_t s = 0; s < samples.size(); ++s) {
    for (size_t i = 0; i < argRanges.size() && i < samples[s].size(); ++i)
      if (samples[s][i].elementType() == ElementType::F32)
        argRanges[i].add(samples[s][i]);
    auto outs = executor.run(samples[s], opts);
    if (!outs)
      return outs.takeError();
    if (progress)
      progress(s + 1, samples.size());
  }
  mlir::MLIRContext *ctx = func.getContext();
  for (auto &kv : ranges)
    kv.first->setAttr("tessera.range", rangeAttr(ctx, kv.second));
  for (size_t i = 0; i < argRanges.size(); ++i)
    if (argRanges[i].min <= argRanges[i].max)
      func.setArgAttr(i, "tessera.range", rangeAttr(ctx, argRanges[i]));
  return llvm::Error::success();
}

} // namespace tessera::driver
