//===- Report.cpp - Printed table and JSON form of a simulation report ----===//

#include "simulator/Report.h"
#include "core/support/Names.h"

#include "core/io/Output.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

using namespace tessera;
using namespace tessera::sim;

namespace {

using Row = std::array<std::string, 10>;

Row rowOf(const Report &r, const LayerStats &s, std::string id) {
  // Layer names come from the model: escaped so a newline cannot break the
  // table, shortened so a long one cannot flood it.
  std::string name = s.name.empty() && s.id >= 0
                         ? "#" + std::to_string(s.id)
                         : escapeName(s.name, kMaxShownNameBytes);
  return {std::move(id),
          name,
          s.op,
          s.device,
          std::to_string(s.macs),
          std::to_string(s.cycles()),
          fmt::format("{:.3f}", r.latencyUs(s)),
          fmt::format("{:.4f}", r.achievedTops(s)),
          std::to_string(s.dramBytes()),
          fmt::format("{:.4f}", s.energyUj())};
}

} // namespace

std::string sim::formatReportTable(const Report &r) {
  std::vector<Row> rows;
  rows.push_back({"id", "layer", "op", "device", "MACs", "cycles", "latency_us",
                  "achieved_tops", "dram_bytes", "energy_uj"});
  for (const LayerStats &l : r.layers)
    rows.push_back(rowOf(r, l, std::to_string(l.id)));
  // Instructions without a layer and idle leakage, when there are any.
  if (r.unattributed.cycles() || r.unattributed.energyPj.total() > 0)
    rows.push_back(rowOf(r, r.unattributed, "-"));
  rows.push_back(rowOf(r, r.totals, ""));

  std::array<size_t, 10> width{};
  for (const Row &row : rows)
    for (size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  // Text columns (id, layer, op, device) are left-aligned, numbers
  // right-aligned.
  auto line = [&](const Row &row) {
    std::string s;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c)
        s += "  ";
      s += c < 4 ? fmt::format("{:<{}}", row[c], width[c])
                 : fmt::format("{:>{}}", row[c], width[c]);
    }
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
    return s + "\n";
  };
  size_t total = 2 * (width.size() - 1);
  for (size_t w : width)
    total += w;
  std::string rule(total, '-');
  rule += "\n";

  std::string out = line(rows.front()) + rule;
  for (size_t i = 1; i + 1 < rows.size(); ++i)
    out += line(rows[i]);
  out += rule + line(rows.back());
  out +=
      fmt::format("target {} at {} MHz{}: {} cycles, {:.3f} us, MAC array "
                  "{}x{} utilisation {:.2f}%, {:.4f} uJ\n",
                  r.target, r.clockMhz, r.functional ? "" : " (timing only)",
                  r.totals.cycles(), r.latencyUs(r.totals), r.macRows,
                  r.macCols, 100.0 * r.macUtilisation(), r.totals.energyUj());
  return out;
}

static llvm::json::Object statsToJson(const Report &r, const LayerStats &s) {
  const Events &e = s.events;
  const Energy &en = s.energyPj;
  llvm::json::Object o{
      {"instructions", int64_t(s.instructions)},
      {"macs", int64_t(s.macs)},
      {"start_cycle", int64_t(s.startCycle)},
      {"end_cycle", int64_t(s.endCycle)},
      {"cycles", int64_t(s.cycles())},
      {"busy_cycles",
       llvm::json::Object{{"load", int64_t(s.busy[size_t(Unit::LoadDma)])},
                          {"mac", int64_t(s.busy[size_t(Unit::MacArray)])},
                          {"vector", int64_t(s.busy[size_t(Unit::Vector)])},
                          {"store", int64_t(s.busy[size_t(Unit::StoreDma)])},
                          {"host", int64_t(s.busy[size_t(Unit::Host)])}}},
      {"latency_us", r.latencyUs(s)},
      {"achieved_tops", r.achievedTops(s)},
      {"dram_bytes", int64_t(s.dramBytes())},
      {"dram_read_bytes", int64_t(e.dramReadBytes)},
      {"dram_write_bytes", int64_t(e.dramWriteBytes)},
      {"dram_burst_bytes", int64_t(e.dramBurstBytes)},
      {"sram_bytes", int64_t(s.sramBytes())},
      {"sram_read_bytes", int64_t(e.sramReadBytes)},
      {"sram_write_bytes", int64_t(e.sramWriteBytes)},
      {"vector_ops", int64_t(e.vectorOps)},
      {"host_flops", int64_t(e.hostFlops)},
      {"host_bytes", int64_t(e.hostBytes)},
      {"host_us", e.hostUs},
      {"energy_uj", s.energyUj()},
      {"energy_breakdown_uj",
       llvm::json::Object{{"mac", en.mac * 1e-6},
                          {"vector", en.vector * 1e-6},
                          {"sram", en.sram * 1e-6},
                          {"dram", en.dram * 1e-6},
                          {"leakage", en.leakage * 1e-6},
                          {"host", en.host * 1e-6}}},
  };
  return o;
}

llvm::json::Value sim::reportToJson(const Report &r) {
  llvm::json::Array layers;
  for (const LayerStats &l : r.layers) {
    llvm::json::Object o = statsToJson(r, l);
    o["id"] = l.id;
    o["name"] = l.name;
    o["op"] = l.op;
    o["device"] = l.device;
    o["macs_table"] = int64_t(l.tableMacs);
    o["macs_match"] = l.macsMatch();
    layers.push_back(std::move(o));
  }
  llvm::json::Object totals = statsToJson(r, r.totals);
  totals["macs_table"] = int64_t(r.totals.tableMacs);
  totals["mac_utilisation"] = r.macUtilisation();
  return llvm::json::Object{
      {"schema", "tessera-sim-report/1"},
      {"target", r.target},
      {"clock_mhz", r.clockMhz},
      {"functional", r.functional},
      {"mac_array", llvm::json::Object{{"rows", int64_t(r.macRows)},
                                       {"cols", int64_t(r.macCols)}}},
      {"layers", std::move(layers)},
      {"unattributed", statsToJson(r, r.unattributed)},
      {"totals", std::move(totals)},
  };
}

llvm::Error sim::writeReportJson(const Report &r, llvm::StringRef path) {
  llvm::json::Value v = reportToJson(r);
  // core/io: a temporary file renamed into place, or written through to a
  // device or FIFO.
  return io::writeFile(path, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", v) << "\n";
    return llvm::Error::success();
  });
}
