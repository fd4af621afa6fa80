//===- MachineModel.h - Simulator timing/energy parameters ------*- C++ -*-===//
//
// The numbers the timing and energy model of docs/simulator.md uses, in the
// simulator's units (cycles, bytes per cycle, picojoules). They are derived
// from a target profile (core/target) by modelFromTarget, or set directly by
// tests. Keeping them in one flat struct makes every formula's inputs
// explicit and lets a test run one program under two very different models.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_MACHINEMODEL_H
#define TESSERA_SIMULATOR_MACHINEMODEL_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::target {
struct Target;
} // namespace tessera::target

namespace tessera::sim {

struct MachineModel {
  // The defaults are round numbers for tests, not a target: real runs get
  // every field from a target profile (modelFromTarget).
  std::string target = "custom"; ///< profile name, for the report
  double clockMhz = 1000.0;      ///< NPU clock: converts cycles to time

  // MAC array, weight-stationary (NVDLA CMAC-like): `macRows` reduction
  // lanes (NVDLA ATOMIC_C) by `macCols` output channels (ATOMIC_K).
  uint32_t macRows = 32;
  uint32_t macCols = 32;
  /// int8 MACs per cycle / int16 MACs per cycle (2 on NVDLA nv_full);
  /// 0: the array has no int16 mode (int16 CONVs are rejected).
  double int16Slowdown = 2.0;
  /// Pipeline depth of the fused epilogue (bias, requantise, clamp) that
  /// drains after the last partial sum; its throughput is never the limit.
  uint32_t epilogueLatency = 4;

  // Vector unit (POOL, ELTWISE).
  uint32_t vectorLanes = 16;     ///< 8-bit element operations per cycle
  uint32_t vectorLanesInt16 = 8; ///< with an operand of 16 bits or more
  uint32_t vectorLatency = 4;    ///< pipeline depth, once per instruction
  /// Operations the unit implements (ELTWISE function names, "max_pool",
  /// "avg_pool"); empty: all. Programs using others are rejected.
  std::vector<std::string> vectorOps;

  // On-chip SRAM.
  uint64_t sramBytes = 256 * 1024;
  uint32_t sramBanks = 8;
  uint32_t sramBankBytesPerCycle = 16; ///< bank width; one access per cycle

  // DRAM and the two DMA engines (LOAD, STORE).
  double dramBytesPerCycle = 16.0;  ///< peak DRAM bandwidth / clock
  uint32_t dramLatencyCycles = 100; ///< first-word latency of a request
  double dmaBytesPerCycle = 32.0;   ///< one DMA engine's datapath width
  /// 2: LOAD and STORE have their own engines; 1: they share one, so a
  /// LOAD and a STORE never overlap.
  uint32_t dmaEngines = 2;
  uint32_t dmaSetupCycles = 8; ///< descriptor decode, per instruction
  uint32_t burstBytes = 64;    ///< DRAM burst; shorter runs pay a whole

  // Energy per event (picojoules) and static power.
  double macInt8Pj = 0.23; ///< one int8 multiply-accumulate
  double macInt16Pj = 0.9; ///< one int16 multiply-accumulate
  double vectorOpPj = 0.5; ///< one vector-unit element operation
  double sramReadPjPerByte = 1.25;
  double sramWritePjPerByte = 1.25;
  double dramPjPerByte = 20.0;
  double staticPowerMw = 100.0;

  // The SoC's CPU cluster that runs host segments (HOST instructions);
  // core/target Host. hostCores = 0: no host model (HOST is refused).
  std::string hostCpu;
  uint32_t hostCores = 0;
  double hostGflops = 0;     ///< sustained GFLOP/s of the cluster
  double hostGbps = 0;       ///< sustained GB/s of the cluster
  double hostCrossingUs = 0; ///< one NPU <-> CPU crossing (each way)
  double hostPowerW = 0;     ///< cluster power while it runs a segment

  /// Compute SRAM bandwidth (all banks, one port each), bytes per cycle.
  uint64_t sramBytesPerCycle() const {
    return uint64_t(sramBanks) * sramBankBytesPerCycle;
  }
  /// Cycles per microsecond.
  double cyclesPerUs() const { return clockMhz; }
};

/// Checks every parameter is positive/finite where a formula divides by it.
/// The message names the field: "machine model: mac_rows must be >= 1".
llvm::Error checkModel(const MachineModel &m);

/// The model of a target profile; the mapping of each field is documented in
/// docs/simulator.md ("Where the parameters come from").
llvm::Expected<MachineModel> modelFromTarget(const target::Target &t);

/// Loads a target profile by name or YAML path with core/target's loader and
/// maps it with modelFromTarget. Fails on an unknown target, naming it.
llvm::Expected<MachineModel> loadTargetModel(llvm::StringRef nameOrPath);

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_MACHINEMODEL_H
