//===- Timing.h - Cycles and events of one instruction ----------*- C++ -*-===//
//
// The per-instruction half of the timing model (docs/simulator.md): how many
// cycles an instruction occupies its unit and which energy events (MACs,
// vector operations, SRAM and DRAM bytes) it causes, from its fields and the
// machine model alone. The event loop (Simulator.cpp) adds the other half:
// in-order queues, dependency tokens and the shared DRAM channel.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_TIMING_H
#define TESSERA_SIMULATOR_TIMING_H

#include "core/isa/Isa.h"
#include "core/isa/Program.h"
#include "simulator/MachineModel.h"

#include <cstdint>

namespace tessera::sim {

/// The hardware unit an instruction occupies.
enum class Unit : uint8_t { LoadDma, MacArray, Vector, StoreDma, Host, None };
inline constexpr unsigned kNumUnits = 5; // None is not counted
/// "load", "mac", "vector", "store", "host", "none"
const char *unitName(Unit u);

/// Counted events, the inputs of the energy model.
struct Events {
  uint64_t macsInt8 = 0;  ///< MACs with both operands 8-bit
  uint64_t macsInt16 = 0; ///< MACs with an int16 operand
  uint64_t vectorOps = 0; ///< vector-unit element operations
  uint64_t sramReadBytes = 0;
  uint64_t sramWriteBytes = 0;
  uint64_t dramReadBytes = 0;  ///< bytes requested (LOAD)
  uint64_t dramWriteBytes = 0; ///< bytes requested (STORE)
  uint64_t dramBurstBytes = 0; ///< bytes moved on the bus, whole bursts
  uint64_t hostFlops = 0;      ///< float work of host segments
  uint64_t hostBytes = 0;      ///< bytes host segments read and write
  double hostUs = 0;           ///< time the CPU spent on host segments

  uint64_t macs() const { return macsInt8 + macsInt16; }
  Events &operator+=(const Events &o);
};

/// Energy of a set of events, picojoules, by component.
struct Energy {
  double mac = 0, vector = 0, sram = 0, dram = 0, leakage = 0, host = 0;
  double total() const {
    return mac + vector + sram + dram + leakage + host;
  }
  Energy &operator+=(const Energy &o);
};
/// Dynamic energy of `e` (leakage 0): MACs x pJ by dtype, vector ops x pJ,
/// SRAM bytes x pJ/byte (read, write), DRAM burst bytes x pJ/byte, host
/// time x host power (1 W for 1 us is 1e6 pJ).
Energy dynamicEnergy(const Events &e, const MachineModel &m);

/// The cost of one instruction.
struct InstrCost {
  Unit unit = Unit::None;
  /// Cycles the unit is busy when nothing else interferes.
  uint64_t cycles = 0;
  /// DMA only: the part before data moves (setup + DRAM latency) and the
  /// data-transfer part, and how long the transfer occupies the DRAM
  /// channel (burst bytes / DRAM bandwidth), for the shared-channel model.
  uint64_t dmaFixedCycles = 0;
  uint64_t dmaTransferCycles = 0;
  uint64_t dramChannelCycles = 0;
  /// CONV only: the MAC-array bound. CONV, POOL, ELTWISE: the
  /// SRAM-bandwidth bound.
  uint64_t macArrayCycles = 0;
  uint64_t sramCycles = 0;
  /// POOL/ELTWISE only: the lane bound ceil(ops / lanes); sramCycles is
  /// their SRAM-bandwidth bound.
  uint64_t vectorCycles = 0;
  Events events;
};

/// Bursts of `burst` bytes that the byte range [addr, addr + bytes) touches.
uint64_t burstsTouched(uint64_t addr, uint64_t bytes, uint64_t burst);
/// DRAM bytes a strided DMA moves on the bus: the sum over its runs of the
/// bursts each run touches, times the burst size.
uint64_t dmaBurstBytes(const isa::DmaFields &d, uint64_t burst);

/// CONV tiling on the weight-stationary array (docs/simulator.md):
struct ConvMapping {
  uint64_t pixels = 0;        ///< P = OH * OW, the streamed vectors
  uint64_t reduction = 0;     ///< K = kh * kw * ic / groups
  uint64_t groupOc = 0;       ///< oc / groups
  uint64_t groupsPerPass = 0; ///< block-diagonal packing of small groups
  uint64_t passes = 0;        ///< weight blocks loaded into the array
  uint64_t cyclesPerPass = 0;
};
ConvMapping convMapping(const isa::ConvFields &c, const MachineModel &m);

/// The cost of `in` under `m`; a pure function of the two. A HOST
/// instruction's cost depends on its segment: use hostCost.
InstrCost instrCost(const isa::Instr &in, const MachineModel &m);

/// Host crossings one HOST instruction costs: NPU -> CPU and back.
inline constexpr unsigned kHostCrossings = 2;
/// Microseconds the host spends on `seg` (docs/simulator.md):
/// max(flops / (GFLOP/s * 1e3), bytes / (GB/s * 1e3)) + 2 * crossing_us.
double hostSegmentUs(const isa::HostSegment &seg, const MachineModel &m);
/// The cost of a HOST instruction running `seg`: the STORE queue waits
/// hostSegmentUs converted to NPU cycles (rounded up); events carry the
/// host's FLOPs, bytes and time (energy = time x host power).
InstrCost hostCost(const isa::HostSegment &seg, const MachineModel &m);

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_TIMING_H
