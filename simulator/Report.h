//===- Report.h - Table and JSON views of a report --------------*- C++ -*-===//
//
// Two fixed-schema views of a Report (Stats.h): a text table for people and a
// JSON document for tools and golden-file tests. Field names and units are
// listed in docs/simulator.md ("Report").
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_REPORT_H
#define TESSERA_SIMULATOR_REPORT_H

#include "simulator/Stats.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace tessera::sim {

/// Columns: id, layer, op, device (npu/cpu), MACs, cycles, latency_us,
/// achieved_tops,
/// dram_bytes, energy_uj; one row per layer, then a totals row and a line
/// with the target, total latency and MAC-array utilisation.
std::string formatReportTable(const Report &r);

/// {"schema": "tessera-sim-report/1", "target", "clock_mhz", "functional",
///  "mac_array": {"rows", "cols"}, "layers": [...], "unattributed": {...},
///  "totals": {... "mac_utilisation"}}; each layer object has id, name, op,
///  device, instructions, macs, macs_table, macs_match, start_cycle, end_cycle,
///  cycles, busy_cycles {load, mac, vector, store, host}, latency_us,
///  achieved_tops, dram_bytes, dram_read_bytes, dram_write_bytes,
///  dram_burst_bytes, sram_bytes, sram_read_bytes, sram_write_bytes,
///  vector_ops, host_flops, host_bytes, host_us, energy_uj and
///  energy_breakdown_uj {mac, vector, sram, dram, leakage, host}.
llvm::json::Value reportToJson(const Report &r);

/// Writes reportToJson(r), pretty-printed, to `path` atomically (a temporary
/// file in the same directory, then rename).
llvm::Error writeReportJson(const Report &r, llvm::StringRef path);

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_REPORT_H
