//===- ApplyConfig.h - A per-node config applied to a model ------*- C++ -*-===//
//
// What the compile driver does with --config and --write-config
// (docs/quantization.md, "Per-node configuration"):
//   1. applyConfigDefaults: the config's top-level defaults become the
//      options' scheme / calibration method / percentile (a flag that says
//      otherwise is an error); target and --no-fallback are checked.
//   2. planConfig, on the imported float function: the entries matched
//      against the ONNX nodes and checked against the target (dtypes,
//      schemes) and the calibration (which nodes have calibrated output
//      tensors); fills CompileOptions::nodeDtypes and the per-node
//      calibration methods.
//   3. pinConfigHostNodes, on the quant-level module: `device: cpu` nodes
//      get `tessera.host_reason`, the host-fallback mechanism of
//      --float-nodes.
//   4. checkConfigDevices, on the integer module: a `device: npu` node that
//      runs on the host anyway is an error.
//   5. printChosenConfig: the per-node choices as a config (--write-config).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_DRIVER_APPLYCONFIG_H
#define TESSERA_COMPILER_DRIVER_APPLYCONFIG_H

#include "compiler/driver/Compile.h"
#include "compiler/driver/NodeConfig.h"
#include "core/target/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

namespace tessera::driver {

struct ConfigPlan {
  std::optional<NodeConfig> config; ///< --config's, if given
  ResolvedConfig resolved;
  /// The model's ONNX nodes, in graph order.
  std::vector<std::string> nodes;
  /// Nodes with at least one calibrated output tensor (quant::rangedOps).
  llvm::StringSet<> calibrated;
  bool preQuantized = false;
  /// The defaults in force (after flags and the config's top level).
  std::string scheme;
  quant::CalibrationOptions method;
  /// Per node: the calibration method of its output tensors, where it
  /// differs from `method` (CalibrateOptions::nodeMethods).
  llvm::StringMap<quant::CalibrationOptions> nodeMethods;

  const NodeSettings *settings(llvm::StringRef node) const {
    auto it = resolved.nodes.find(node);
    return it == resolved.nodes.end() ? nullptr : &it->second;
  }
};

/// Step 1. `opts` is the caller's copy.
llvm::Error applyConfigDefaults(const NodeConfig &config,
                                const target::Target &target,
                                CompileOptions &opts);

/// Step 2. `scheme` and `method` are the defaults in force.
llvm::Expected<ConfigPlan>
planConfig(std::optional<NodeConfig> config, mlir::func::FuncOp func,
           bool preQuantized, const target::Target &target,
           const target::QuantScheme &scheme,
           const quant::CalibrationOptions &method, CompileOptions &opts);

/// Step 3.
void pinConfigHostNodes(const ConfigPlan &plan, mlir::ModuleOp quantLevel);

/// Step 4. `notes` are the fold's "note: node 'X' (...) runs on the host:
/// REASON" lines (the reason is quoted in the error).
llvm::Error checkConfigDevices(const ConfigPlan &plan, mlir::ModuleOp intLevel,
                               llvm::ArrayRef<std::string> notes);

/// Step 5: every node of `intLevel` with integer or host ops or with a
/// calibrated output tensor, in graph order, with its activation dtype (the quantized type of its output at
/// `quantLevel`), scheme, calibration method and device.
std::string printChosenConfig(const ConfigPlan &plan,
                              const target::Target &target,
                              mlir::ModuleOp quantLevel,
                              mlir::ModuleOp intLevel);

} // namespace tessera::driver

#endif // TESSERA_COMPILER_DRIVER_APPLYCONFIG_H
