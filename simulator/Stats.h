//===- Stats.h - Per-layer statistics of a run ------------------*- C++ -*-===//
//
// The profiler, kept apart from the decode switch as in TVM VTA: the event
// loop hands it one record per executed instruction (queue, layer id, start
// and end cycle, cost) and, at the end, it folds them into a Report: per
// layer MACs, busy cycles per unit, span, latency, achieved TOPS, bytes and
// energy, plus totals. Leakage energy (static power x time) is attributed by
// sweeping the timeline: each interval is split equally among the layers
// with an instruction in flight, and intervals with none are "idle".
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_STATS_H
#define TESSERA_SIMULATOR_STATS_H

#include "core/isa/Program.h"
#include "simulator/MachineModel.h"
#include "simulator/Timing.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::sim {

/// Busy cycles per unit (Unit order: load, mac, vector, store, host).
using UnitCycles = std::array<uint64_t, kNumUnits>;
/// Instructions per unit, same order (NOP and FINISH have no unit).
using UnitCounts = std::array<uint64_t, kNumUnits>;

/// The resource that limits a layer (the report's `bound` column).
enum class Bound : uint8_t { None, Compute, Sram, Dram, Host };
/// "none", "compute", "sram", "dram", "host"
const char *boundName(Bound b);

/// The cycles each resource needs for a set of instructions on its own
/// (docs/simulator.md, "Report"), from the terms of the timing model:
///   compute: sum of the MAC-array bounds of the CONVs and the lane bounds
///            ceil(ops / lanes) of POOL and ELTWISE (the COMPUTE queue);
///   sram:    sum of those instructions' SRAM-bandwidth bounds;
///   dram:    the DMA engines' busy cycles (setup + DRAM latency + transfer,
///            including waits for the shared channel): the larger of LOAD's
///            and STORE's with two engines, their sum with one;
///   host:    the HOST instructions' cycles.
/// Each is the busy time of one in-order resource inside the span, so none
/// exceeds the span of the instructions it was summed over.
struct ResourceCycles {
  uint64_t compute = 0;
  uint64_t sram = 0;
  uint64_t dram = 0;
  uint64_t host = 0;
};

/// The resource whose cycles are closest to `cycles` (the span): the one
/// minimising |cycles - t|, ties going to compute, sram, dram, host in that
/// order. None when every resource's cycles are 0 (no timed work). Since
/// no resource's cycles exceed the span, this is the largest of the four.
Bound classifyBound(const ResourceCycles &t, uint64_t cycles);

/// Statistics of one layer (one row of the program's layer table), or of
/// the whole run for Report::totals.
struct LayerStats {
  int64_t id = -1;  ///< layer-table index; -1 for the totals
  std::string name; ///< ONNX node name
  std::string op;   ///< ONNX op type
  /// "npu", or "cpu" for a host segment's row (a HOST instruction ran in it)
  std::string device = "npu";
  uint64_t instructions = 0;
  uint64_t macs = 0;       ///< counted from the CONV instructions' fields
  uint64_t tableMacs = 0;  ///< the layer table's MACs for the whole node
  uint64_t startCycle = 0; ///< first instruction start
  uint64_t endCycle = 0;   ///< last instruction end
  UnitCycles busy{};       ///< cycles each unit spent on this layer
  UnitCounts unitInstructions{}; ///< instructions each unit ran
  ResourceCycles resources;      ///< the terms of bound()
  Events events;
  Energy energyPj;

  uint64_t cycles() const { return endCycle - startCycle; } ///< the span
  bool macsMatch() const { return macs == tableMacs; }
  uint64_t dramBytes() const {
    return events.dramReadBytes + events.dramWriteBytes;
  }
  uint64_t sramBytes() const {
    return events.sramReadBytes + events.sramWriteBytes;
  }
  double energyUj() const { return energyPj.total() * 1e-6; }
  Bound bound() const { return classifyBound(resources, cycles()); }
};


struct Report {
  std::string target;
  double clockMhz = 0;
  bool functional = true; ///< false with --timing-only
  uint32_t macRows = 0, macCols = 0;
  std::vector<LayerStats> layers; ///< one per layer-table row, in id order
  /// Instructions with layer id 0xffff (FINISH, ...) and idle leakage.
  LayerStats unattributed;
  LayerStats totals; ///< the whole run: cycles = end of the last instruction

  /// Span in microseconds at the model's clock.
  double latencyUs(const LayerStats &s) const {
    return clockMhz > 0 ? double(s.cycles()) / clockMhz : 0;
  }
  /// 2 * MACs / latency, in tera-operations per second.
  double achievedTops(const LayerStats &s) const {
    double us = latencyUs(s);
    return us > 0 ? 2.0 * double(s.macs) / (us * 1e-6) * 1e-12 : 0;
  }
  /// MACs / (rows x cols x total cycles): the fraction of the array's int8
  /// peak the whole run used.
  double macUtilisation() const { return macUtilisation(totals); }
  /// MACs / (rows x cols x cycles) of one row: the fraction of the
  /// array's int8 peak it used over its span (0 for an empty span).
  double macUtilisation(const LayerStats &s) const {
    double peak = double(macRows) * macCols * double(s.cycles());
    return peak > 0 ? double(s.macs) / peak : 0;
  }
  /// Layers whose counted MACs differ from the layer table's.
  std::vector<const LayerStats *> macMismatches() const;
};

/// One executed instruction as the event loop saw it.
struct InstrRecord {
  isa::Queue queue;
  uint32_t index;
  uint16_t layer;
  uint64_t start;
  uint64_t end;
  InstrCost cost;
};

/// Accumulates records; finish() builds the report.
class Profiler {
public:
  Profiler(const isa::Program &program, const MachineModel &model);
  void record(const InstrRecord &r);
  /// Folds the records into a report (callable once per run).
  Report finish(bool functional) const;
  const std::vector<InstrRecord> &records() const { return records_; }

private:
  const isa::Program &program_;
  const MachineModel &model_;
  std::vector<InstrRecord> records_;
};

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_STATS_H
