//===- Target.h - NPU target profiles (targets/*.yaml) ---------*- C++ -*-===//
//
// A target profile describes one NPU core of a target class (Orin DLA, J5
// BPU, RV1126 NPU): clock, MAC array, SRAM, DRAM, DMA, vector unit, legal
// quantization schemes and an energy table. The numbers live only in
// targets/<name>.yaml, each with a comment citing its source or saying how it
// was estimated; this header only gives them types, checks them and derives
// the quantities everyone needs (peak TOPS, cycles from nanoseconds, the
// full-load power the energy table implies).
//
// Loaded with llvm::yaml (YAMLTraits). Errors are one line naming the file,
// and the line and field where the YAML parser knows them.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_TARGET_TARGET_H
#define TESSERA_CORE_TARGET_TARGET_H

#include "core/quant/Quant.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::target {

/// The MAC array, NVDLA-style: `rows` reduction lanes (input channels per
/// cycle, NVDLA ATOMIC_C) by `cols` output channels (ATOMIC_K).
struct MacArray {
  uint32_t rows = 0;
  uint32_t cols = 0;
  uint64_t int8MacsPerCycle = 0;      // = rows * cols
  uint64_t int16MacsPerCycle = 0;     // 0 if int16 is not supported
  uint32_t epilogueLatencyCycles = 0; // bias/requant/clamp pipeline depth
  friend bool operator==(const MacArray &, const MacArray &);
};

struct Sram {
  uint64_t bytes = 0;
  uint32_t banks = 0;
  uint32_t bankBytesPerCycle = 0; // one access per bank per cycle
  friend bool operator==(const Sram &, const Sram &);
};

struct Dram {
  double bytesPerSecond = 0;
  double latencyNs = 0;    // first-word latency of a request
  uint32_t burstBytes = 0; // a shorter run still costs a whole burst
  friend bool operator==(const Dram &, const Dram &);
};

struct Dma {
  uint32_t engines = 0;
  uint32_t bytesPerCycle = 0; // per engine
  uint32_t setupCycles = 0;   // per DMA instruction
  friend bool operator==(const Dma &, const Dma &);
};

/// The vector unit that runs POOL and ELTWISE.
struct VectorUnit {
  uint32_t int8Lanes = 0;  // int8 element operations per cycle
  uint32_t int16Lanes = 0; // int16 element operations per cycle
  uint32_t latencyCycles = 0;
  /// Supported operations: the ELTWISE functions of core/isa ("add", "sub",
  /// "mul", "max", "min", "rescale", "clamp", "lut", "softmax",
  /// "log_softmax", "layer_norm", "cmp_gt", "cmp_ge", "cmp_eq", "select")
  /// and "max_pool", "avg_pool", "min_pool".
  std::vector<std::string> ops;
  friend bool operator==(const VectorUnit &, const VectorUnit &);
};

/// How one tensor role (activations or weights) is quantized.
struct TensorQuant {
  quant::DType dtype = quant::DType::Int8;
  bool symmetric = true;
  bool perChannel = false; // weights only: one scale per output channel
  friend bool operator==(const TensorQuant &, const TensorQuant &);
};

/// A legal quantization scheme, e.g. RKNN's "asymmetric_quantized-u8".
struct QuantScheme {
  std::string name;
  TensorQuant activation;
  TensorQuant weight;
  bool powerOfTwoScale = false; // dynamic fixed point: scales are 2^-n
  friend bool operator==(const QuantScheme &, const QuantScheme &);
};

struct Quantization {
  std::string defaultScheme;
  /// Whether layers may use different schemes (mixed precision).
  bool perLayerSchemes = false;
  std::vector<QuantScheme> schemes;
  /// The calibration method used unless the user picks one
  /// (`calibration_method`, optional, default minmax;
  /// quant::parseCalibrationMethod names).
  std::string calibrationMethod = "minmax";
  friend bool operator==(const Quantization &, const Quantization &);
};

/// Energy per event, picojoules, and static power. The profile says how the
/// numbers were scaled (Horowitz 45 nm x a factor) and the published TOPS/W
/// they are calibrated to; validate() checks that full load reproduces it.
struct Energy {
  double int8MacPj = 0;
  double int16MacPj = 0;
  double sramReadBytePj = 0;
  double sramWriteBytePj = 0;
  double dramBytePj = 0;
  double vectorOpPj = 0; // one vector-unit element operation
  double staticMw = 0;
  double calibrationTopsPerWatt = 0;
  std::string basis; // one sentence: source and scaling
  friend bool operator==(const Energy &, const Energy &);
};

/// The SoC's CPU cluster that runs host segments (host fallback,
/// docs/targets.md "Host"). Optional in the YAML: without it (cores = 0)
/// the simulator refuses programs with HOST instructions.
struct Host {
  std::string cpu;            // e.g. "4x Cortex-A7", for reports
  uint32_t cores = 0;         // 0: no host block
  double clockMhz = 0;
  double sustainedGflops = 0; // float work the cluster sustains, GFLOP/s
  double sustainedGbps = 0;   // bytes it streams, GB/s (1e9 bytes/s)
  double crossingUs = 0;      // sync + cache maintenance of one crossing
  double powerW = 0;          // cluster power while running a segment
  bool present() const { return cores > 0; }
  friend bool operator==(const Host &, const Host &);
};

/// One NPU core of a target class. `cores` says how many the chip has;
/// every other number is per core.
struct Target {
  std::string name;
  std::string description;
  uint32_t cores = 1;
  double clockMhz = 0;
  MacArray mac;
  std::vector<quant::DType> dtypes;
  Sram sram;
  Dram dram;
  Dma dma;
  VectorUnit vector;
  Quantization quantization;
  Energy energy;
  Host host;
  /// Where the profile was loaded from (not part of the YAML).
  std::string sourcePath;

  /// Peak int8 / int16 tera-operations per second of one core
  /// (2 ops per MAC): 2 * macs/cycle * clock.
  double peakInt8Tops() const;
  double peakInt16Tops() const;
  double dramBytesPerCycle() const;
  /// DRAM latency rounded up to whole NPU cycles.
  uint32_t dramLatencyCycles() const;
  /// SRAM bytes the array reads per MAC at full load: one input byte per
  /// row and one weight byte per column each cycle, (rows + cols)/(rows*cols).
  double fullLoadSramBytesPerMac() const;
  /// Power of one core with every MAC busy every cycle:
  /// peak MAC/s * (int8_mac + sramBytesPerMac * sram_read) + static.
  double fullLoadPowerW() const;
  /// 2 * peak MAC/s / fullLoadPowerW, in TOPS/W.
  double modelTopsPerWatt() const;

  bool supports(quant::DType t) const;
  const QuantScheme *findScheme(llvm::StringRef name) const;
  const QuantScheme &defaultScheme() const; // valid after validate()
  bool allowsPerChannelWeights() const;
  bool supportsVectorOp(llvm::StringRef op) const;

  /// Consistency checks; errors name the field, e.g. "field 'sram.banks': 7
  /// does not divide sram.bytes = 262144".
  llvm::Error validate() const;
  /// The profile as YAML (without comments); parseTargetProfile reads it back
  /// to an equal Target.
  std::string toYaml() const;

  friend bool operator==(const Target &, const Target &); // ignores sourcePath
};
using TargetProfile = Target;

/// Profiles larger than this are refused before parsing; the real ones are
/// under 8 KiB.
constexpr uint64_t kMaxProfileBytes = uint64_t(1) << 20;
/// The deepest nesting of YAML collections (sequences and mappings) a
/// profile may have; the real ones nest 5 deep (the document, quantization,
/// schemes, a scheme, its activation). llvm::yaml::Input builds its node tree
/// recursively, so 100,000 nested `[` would overflow the stack: the depth is
/// measured first, without recursion.
constexpr unsigned kMaxProfileNesting = 64;

/// Parses and validates YAML text; `sourceName` prefixes error messages.
/// Text over kMaxProfileBytes or nested deeper than kMaxProfileNesting is an
/// error naming the size, or the line and column where the limit is crossed.
llvm::Expected<Target> parseTargetProfile(llvm::StringRef yaml,
                                          llvm::StringRef sourceName);

/// Loads a profile. A bare name ("rv1126", "j5", "orin") is looked up as
/// <dir>/<name>.yaml in targetSearchDirs(); anything with a '/' or ending in
/// .yaml/.yml is a path. Only a regular file of at most kMaxProfileBytes is
/// read ("--target /dev/zero" is "/dev/zero: not a regular file").
llvm::Expected<Target> loadTargetProfile(llvm::StringRef pathOrName);

/// Where bare names are looked up, in order: $TESSERA_TARGETS_DIR if set
/// (and then only there); else the source tree's targets/ (compiled in) and
/// <executable>/../share/tessera/targets.
std::vector<std::string> targetSearchDirs();
/// Names of the *.yaml profiles in the search directories, sorted.
std::vector<std::string> knownTargets();

} // namespace tessera::target

#endif // TESSERA_CORE_TARGET_TARGET_H
