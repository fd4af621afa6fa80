//===- NodeConfig.h - Per-node quantization config (YAML) --------*- C++ -*-===//
//
// The file behind `tessera-compile --config FILE.yaml` and
// `--write-config FILE.yaml` (RKNN's hybrid_quantization_step1/step2,
// Horizon's node_info): top-level defaults and a `nodes:` map from ONNX
// node names or globs (llvm::GlobPattern) to per-node settings. Read and
// written with LLVM's YAML I/O (llvm/Support/YAMLTraits.h), in the style of
// the target profile loader (core/target/Target.cpp). The format and its
// rules are in docs/quantization.md, "Per-node configuration".
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_DRIVER_NODECONFIG_H
#define TESSERA_COMPILER_DRIVER_NODECONFIG_H

#include "core/quant/Calibration.h"
#include "core/quant/Quant.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace tessera::driver {

enum class Device { Npu, Cpu };

/// A value read from the file with the line it is on (0: not from a file).
template <typename T> struct Located {
  T value{};
  unsigned line = 0;
};

/// One `nodes:` entry.
struct NodeConfigEntry {
  std::string pattern; ///< an ONNX node name or a glob
  unsigned line = 0;   ///< of the pattern
  std::optional<Located<quant::DType>> dtype;
  std::optional<Located<std::string>> scheme;
  std::optional<Located<quant::CalibrationMethod>> calibrationMethod;
  std::optional<Located<double>> percentile;
  std::optional<Located<Device>> device;
  /// Where the entry's value starts in the file (orders the entries).
  size_t offset = 0;
};

struct NodeConfig {
  std::string path; ///< how errors name the file
  std::optional<Located<std::string>> target;
  std::optional<Located<std::string>> scheme;
  std::optional<Located<quant::CalibrationMethod>> calibrationMethod;
  std::optional<Located<double>> percentile;
  /// In file order: a later entry overrides the fields an earlier one set
  /// for the same node.
  std::vector<NodeConfigEntry> nodes;

  /// "PATH:LINE: field 'FIELD': " (the start of an error about a field).
  std::string at(unsigned line, llvm::StringRef field) const;
};

/// Parses a config. Errors are one line "PATH:LINE:COL: ..." naming the
/// field: a syntax error, an unknown field, a bad dtype (uint8, int8,
/// int16), calibration method, percentile or device, an entry given twice.
llvm::Expected<NodeConfig> parseNodeConfig(llvm::StringRef yaml,
                                           llvm::StringRef path);
/// Reads PATH (a regular file of at most 16 MiB) and parses it.
llvm::Expected<NodeConfig> loadNodeConfig(llvm::StringRef path);

/// The YAML text of `config` (its `path` and lines are not written) after
/// a comment explaining the format: what --write-config writes.
std::string printNodeConfig(const NodeConfig &config);

/// What the entries say about one node, after every matching entry was
/// applied in file order (a field of a later entry replaces the same field
/// of an earlier one).
struct NodeSettings {
  std::optional<Located<quant::DType>> dtype;
  std::optional<Located<std::string>> scheme;
  std::optional<Located<quant::CalibrationMethod>> calibrationMethod;
  std::optional<Located<double>> percentile;
  std::optional<Located<Device>> device;
};

struct ResolvedConfig {
  /// Every node some entry matched.
  llvm::StringMap<NodeSettings> nodes;
  /// matches[i]: the nodes entry i matched, in the order of `nodes`.
  std::vector<std::vector<std::string>> matches;
};

/// Matches the entries against `nodes` (the model's ONNX node names).
/// Errors: a pattern that is not a valid glob, or that matches no node
/// (named, with its line).
llvm::Expected<ResolvedConfig> resolveNodeConfig(const NodeConfig &config,
                                                 llvm::ArrayRef<std::string> nodes);

/// `name` as a glob pattern that matches exactly `name` (the glob
/// metacharacters escaped).
std::string globEscape(llvm::StringRef name);

} // namespace tessera::driver

#endif // TESSERA_COMPILER_DRIVER_NODECONFIG_H
