//===- Calibrate.cpp - Calibration over the float executor ----------------===//
#include "compiler/driver/Calibrate.h"

#include "compiler/patterns/NodeName.h"
#include "compiler/quant/Passes.h"
#include "compiler/reference/Interpreter.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Parallel.h"

#include <memory>

namespace tessera::driver {

llvm::Expected<CalibrateStats>
calibrate(mlir::func::FuncOp func,
          const std::vector<std::vector<Tensor>> &samples,
          const CalibrateOptions &options,
          const std::function<void(size_t, size_t)> &progress) {
  if (samples.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "calibration needs at least one sample");
  // Only what --tessera-quantize reads: one observer per such op's result.
  llvm::SetVector<mlir::Operation *> needed = quant::rangedOps(func);
  llvm::DenseSet<mlir::Operation *> observe(needed.begin(), needed.end());
  llvm::DenseMap<mlir::Operation *, std::unique_ptr<quant::Observer>> ops;
  auto methodOf = [&](mlir::Operation *op) -> const quant::CalibrationOptions & {
    if (!options.nodeMethods.empty()) {
      auto it = options.nodeMethods.find(patterns::onnxNodeName(op));
      if (it != options.nodeMethods.end())
        return it->second;
    }
    return options.method;
  };
  for (mlir::Operation *op : needed)
    ops[op] = std::make_unique<quant::Observer>(methodOf(op));
  std::vector<quant::Observer> args(func.getNumArguments(),
                                    quant::Observer(options.method));

  reference::Executor executor(func);
  reference::RunOptions opts;
  opts.observe = &observe;
  opts.onValue = [&](mlir::Operation *op, const Tensor &t) {
    if (t.elementType() != ElementType::F32)
      return;
    auto it = ops.find(op);
    if (it != ops.end())
      it->second->add(t.data<float>(), static_cast<size_t>(t.numElements()));
  };
  for (size_t s = 0; s < samples.size(); ++s) {
    for (size_t i = 0; i < args.size() && i < samples[s].size(); ++i)
      if (samples[s][i].elementType() == ElementType::F32)
        args[i].add(samples[s][i].data<float>(),
                    static_cast<size_t>(samples[s][i].numElements()));
    auto outs = executor.run(samples[s], opts);
    if (!outs)
      return outs.takeError();
    if (progress)
      progress(s + 1, samples.size());
  }

  CalibrateStats stats;
  auto histogramBytes = [](const quant::CalibrationOptions &m) -> size_t {
    return m.method == quant::CalibrationMethod::MinMax ||
                   m.method == quant::CalibrationMethod::MovingAverage
               ? 0
               : 2 * quant::Histogram::kHalfBins * sizeof(uint64_t);
  };
  mlir::MLIRContext *ctx = func.getContext();
  auto attach = [&](const quant::Observer &o, const quant::CalibrationOptions &m,
                    quant::Range r, auto set) {
    if (o.empty())
      return;
    set(mlir::DenseF64ArrayAttr::get(ctx, {r.min, r.max}));
    ++stats.observedTensors;
    stats.histogramBytes += histogramBytes(m);
  };
  // The methods' searches (kl's is O(bins^2), ~30 ms a tensor) run in
  // parallel over the tensors; each is independent, so the ranges do not
  // depend on the thread count.
  std::vector<const quant::Observer *> all;
  for (mlir::Operation *op : needed)
    all.push_back(ops[op].get());
  for (const quant::Observer &o : args)
    all.push_back(&o);
  std::vector<quant::Range> ranges(all.size());
  llvm::parallelFor(0, all.size(), [&](size_t i) {
    if (!all[i]->empty())
      ranges[i] = all[i]->range(options.grid);
  });
  for (auto [k, op] : llvm::enumerate(needed))
    attach(*all[k], methodOf(op), ranges[k], [&, op = op](mlir::Attribute a) {
      op->setAttr("tessera.range", a);
    });
  for (size_t i = 0; i < args.size(); ++i)
    attach(args[i], options.method, ranges[needed.size() + i],
           [&](mlir::Attribute a) {
      func.setArgAttr(i, "tessera.range", a);
    });
  return stats;
}

} // namespace tessera::driver
