//===- Report.cpp - Printed table, CSV and JSON form of a report ----------===//

#include "simulator/Report.h"
#include "core/support/Names.h"

#include "core/io/Output.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

using namespace tessera;
using namespace tessera::sim;
using llvm::json::Value;

namespace {

constexpr unsigned kAll = unsigned(ReportRow::Layer) |
                          unsigned(ReportRow::Unattributed) |
                          unsigned(ReportRow::Total);
constexpr unsigned kLayer = unsigned(ReportRow::Layer);
constexpr unsigned kTotal = unsigned(ReportRow::Total);
constexpr ColumnKind kText = ColumnKind::Text, kInt = ColumnKind::Integer,
                     kReal = ColumnKind::Real, kBool = ColumnKind::Boolean;

Value busy(const LayerStats &s, Unit u) { return int64_t(s.busy[size_t(u)]); }
Value count(const LayerStats &s, Unit u) {
  return int64_t(s.unitInstructions[size_t(u)]);
}

// The one column list. Table columns first, in the table's order; the
// printed table, the CSV and the JSON report are all generated from it, so
// a column added here appears in all three (and in docs/simulator.md, which
// DocTest compares with reportColumnsMarkdown()).
const ReportColumn kColumns[] = {
    // key, title, kind, left-aligned, decimals, rows, description, value
    {"id", "id", kInt, true, 0, kLayer, "layer-table index",
     [](const Report &, const LayerStats &s) -> Value { return s.id; }},
    {"name", "layer", kText, true, 0, kAll,
     "ONNX node name; `(no layer)` and `total` for the other two rows",
     [](const Report &, const LayerStats &s) -> Value { return s.name; }},
    {"op", "op", kText, true, 0, kLayer,
     "ONNX op type (`Host` for a host segment's row)",
     [](const Report &, const LayerStats &s) -> Value { return s.op; }},
    {"device", "device", kText, true, 0, kLayer,
     "`npu`, or `cpu` for a host segment's row",
     [](const Report &, const LayerStats &s) -> Value { return s.device; }},
    {"macs", "MACs", kInt, false, 0, kAll,
     "MACs counted from the CONV instructions' fields (`OH x OW x oc x kh x "
     "kw x ic/groups`)",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.macs);
     }},
    {"cycles", "cycles", kInt, false, 0, kAll,
     "span: `end_cycle - start_cycle` (totals: from 0 to the end of the last "
     "instruction)",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.cycles());
     }},
    {"latency_us", "latency_us", kReal, false, 3, kAll,
     "`cycles / clock_mhz`",
     [](const Report &r, const LayerStats &s) -> Value {
       return r.latencyUs(s);
     }},
    {"achieved_tops", "achieved_tops", kReal, false, 4, kAll,
     "`2 x macs / latency`, tera-operations per second",
     [](const Report &r, const LayerStats &s) -> Value {
       return r.achievedTops(s);
     }},
    {"dram_bytes", "dram_bytes", kInt, false, 0, kAll,
     "DRAM bytes read + written as requested",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.dramBytes());
     }},
    {"energy_uj", "energy_uj", kReal, false, 4, kAll,
     "energy, microjoules (the sum of `energy_breakdown_uj`)",
     [](const Report &, const LayerStats &s) -> Value {
       return s.energyUj();
     }},
    {"bound", "bound", kText, true, 0, kAll,
     "`compute`, `sram`, `dram` or `host`: the resource whose "
     "`bound_cycles` are closest to `cycles` (`none`: no timed work)",
     [](const Report &, const LayerStats &s) -> Value {
       return boundName(s.bound());
     }},
    {"util", "util", kReal, false, 4, kAll,
     "MAC utilisation `macs / (rows x cols x cycles)`: the fraction of the "
     "array's int8 peak used over the span",
     [](const Report &r, const LayerStats &s) -> Value {
       return r.macUtilisation(s);
     }},
    {"instructions", nullptr, kInt, false, 0, kAll,
     "instructions executed, NOP and FINISH included",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.instructions);
     }},
    {"macs_table", nullptr, kInt, false, 0, kLayer | kTotal,
     "the layer table's MACs for the whole node",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.tableMacs);
     }},
    {"macs_match", nullptr, kBool, false, 0, kLayer,
     "`macs == macs_table` (tessera-sim warns otherwise)",
     [](const Report &, const LayerStats &s) -> Value {
       return s.macsMatch();
     }},
    {"start_cycle", nullptr, kInt, false, 0, kAll,
     "start of the first instruction with cycles",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.startCycle);
     }},
    {"end_cycle", nullptr, kInt, false, 0, kAll,
     "end of the last instruction",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.endCycle);
     }},
    {"bound_cycles.compute", nullptr, kInt, false, 0, kAll,
     "MAC-array bounds of the CONVs + lane bounds `ceil(ops / lanes)` of "
     "POOL and ELTWISE",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.resources.compute);
     }},
    {"bound_cycles.sram", nullptr, kInt, false, 0, kAll,
     "SRAM-bandwidth bounds `sram_cycles` of CONV, POOL and ELTWISE",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.resources.sram);
     }},
    {"bound_cycles.dram", nullptr, kInt, false, 0, kAll,
     "DMA busy cycles: `max(busy load, busy store)` with two DMA engines, "
     "their sum with one",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.resources.dram);
     }},
    {"bound_cycles.host", nullptr, kInt, false, 0, kAll,
     "HOST instructions' cycles",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.resources.host);
     }},
    {"busy_cycles.load", nullptr, kInt, false, 0, kAll,
     "cycles the LOAD DMA spent on the row",
     [](const Report &, const LayerStats &s) -> Value {
       return busy(s, Unit::LoadDma);
     }},
    {"busy_cycles.mac", nullptr, kInt, false, 0, kAll,
     "cycles the MAC array spent (CONV)",
     [](const Report &, const LayerStats &s) -> Value {
       return busy(s, Unit::MacArray);
     }},
    {"busy_cycles.vector", nullptr, kInt, false, 0, kAll,
     "cycles the vector unit spent (POOL, ELTWISE)",
     [](const Report &, const LayerStats &s) -> Value {
       return busy(s, Unit::Vector);
     }},
    {"busy_cycles.store", nullptr, kInt, false, 0, kAll,
     "cycles the STORE DMA spent",
     [](const Report &, const LayerStats &s) -> Value {
       return busy(s, Unit::StoreDma);
     }},
    {"busy_cycles.host", nullptr, kInt, false, 0, kAll,
     "cycles the NPU waited for the host (HOST)",
     [](const Report &, const LayerStats &s) -> Value {
       return busy(s, Unit::Host);
     }},
    {"unit_instructions.load", nullptr, kInt, false, 0, kAll,
     "LOAD instructions",
     [](const Report &, const LayerStats &s) -> Value {
       return count(s, Unit::LoadDma);
     }},
    {"unit_instructions.mac", nullptr, kInt, false, 0, kAll,
     "CONV instructions",
     [](const Report &, const LayerStats &s) -> Value {
       return count(s, Unit::MacArray);
     }},
    {"unit_instructions.vector", nullptr, kInt, false, 0, kAll,
     "POOL and ELTWISE instructions",
     [](const Report &, const LayerStats &s) -> Value {
       return count(s, Unit::Vector);
     }},
    {"unit_instructions.store", nullptr, kInt, false, 0, kAll,
     "STORE instructions",
     [](const Report &, const LayerStats &s) -> Value {
       return count(s, Unit::StoreDma);
     }},
    {"unit_instructions.host", nullptr, kInt, false, 0, kAll,
     "HOST instructions",
     [](const Report &, const LayerStats &s) -> Value {
       return count(s, Unit::Host);
     }},
    {"dram_read_bytes", nullptr, kInt, false, 0, kAll,
     "DRAM bytes LOADs requested",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.dramReadBytes);
     }},
    {"dram_write_bytes", nullptr, kInt, false, 0, kAll,
     "DRAM bytes STOREs requested",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.dramWriteBytes);
     }},
    {"dram_burst_bytes", nullptr, kInt, false, 0, kAll,
     "DRAM bytes on the bus (whole bursts)",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.dramBurstBytes);
     }},
    {"sram_bytes", nullptr, kInt, false, 0, kAll,
     "SRAM bytes read + written by compute and DMA",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.sramBytes());
     }},
    {"sram_read_bytes", nullptr, kInt, false, 0, kAll, "SRAM bytes read",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.sramReadBytes);
     }},
    {"sram_write_bytes", nullptr, kInt, false, 0, kAll, "SRAM bytes written",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.sramWriteBytes);
     }},
    {"vector_ops", nullptr, kInt, false, 0, kAll,
     "vector-unit element operations",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.vectorOps);
     }},
    {"host_flops", nullptr, kInt, false, 0, kAll,
     "a host segment's FLOP estimate",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.hostFlops);
     }},
    {"host_bytes", nullptr, kInt, false, 0, kAll,
     "a host segment's bytes estimate",
     [](const Report &, const LayerStats &s) -> Value {
       return int64_t(s.events.hostBytes);
     }},
    {"host_us", nullptr, kReal, false, 0, kAll,
     "time the host CPU spent, microseconds",
     [](const Report &, const LayerStats &s) -> Value {
       return s.events.hostUs;
     }},
    {"energy_breakdown_uj.mac", nullptr, kReal, false, 0, kAll,
     "MAC energy, microjoules",
     [](const Report &, const LayerStats &s) -> Value {
       return s.energyPj.mac * 1e-6;
     }},
    {"energy_breakdown_uj.vector", nullptr, kReal, false, 0, kAll,
     "vector-unit energy",
     [](const Report &, const LayerStats &s) -> Value {
       return s.energyPj.vector * 1e-6;
     }},
    {"energy_breakdown_uj.sram", nullptr, kReal, false, 0, kAll,
     "SRAM energy",
     [](const Report &, const LayerStats &s) -> Value {
       return s.energyPj.sram * 1e-6;
     }},
    {"energy_breakdown_uj.dram", nullptr, kReal, false, 0, kAll,
     "DRAM energy",
     [](const Report &, const LayerStats &s) -> Value {
       return s.energyPj.dram * 1e-6;
     }},
    {"energy_breakdown_uj.leakage", nullptr, kReal, false, 0, kAll,
     "static power x time, attributed by the timeline sweep",
     [](const Report &, const LayerStats &s) -> Value {
       return s.energyPj.leakage * 1e-6;
     }},
    {"energy_breakdown_uj.host", nullptr, kReal, false, 0, kAll,
     "host time x host power",
     [](const Report &, const LayerStats &s) -> Value {
       return s.energyPj.host * 1e-6;
     }},
    {"mac_utilisation", nullptr, kReal, false, 0, kTotal,
     "the run's `util` (kept from the first schema)",
     [](const Report &r, const LayerStats &) -> Value {
       return r.macUtilisation();
     }},
};

/// Every row of the report with its kind: the layers, "(no layer)", totals.
std::vector<std::pair<const LayerStats *, ReportRow>> rowsOf(const Report &r) {
  std::vector<std::pair<const LayerStats *, ReportRow>> rows;
  for (const LayerStats &l : r.layers)
    rows.push_back({&l, ReportRow::Layer});
  rows.push_back({&r.unattributed, ReportRow::Unattributed});
  rows.push_back({&r.totals, ReportRow::Total});
  return rows;
}

/// A cell as printed: in the table reals have the column's decimals and
/// text is escaped and shortened (names come from the model: a newline
/// must not break the table, a long name must not flood it); in the CSV
/// reals are exact and text is raw.
std::string cellText(const ReportColumn &c, const std::optional<Value> &v,
                     bool table) {
  if (!v)
    return "";
  switch (c.kind) {
  case ColumnKind::Text: {
    std::string s(v->getAsString().value_or(""));
    return table ? escapeName(s, kMaxShownNameBytes) : s;
  }
  case ColumnKind::Integer:
    return std::to_string(v->getAsInteger().value_or(0));
  case ColumnKind::Real: {
    double d = v->getAsNumber().value_or(0);
    // fmt's default form is the shortest text that reads back exactly.
    return table ? fmt::format("{:.{}f}", d, c.decimals) : fmt::format("{}", d);
  }
  case ColumnKind::Boolean:
    return v->getAsBoolean().value_or(false) ? "true" : "false";
  }
  return "";
}

/// RFC 4180: a field with a comma, a quote or a line break is quoted, its
/// quotes doubled.
std::string csvField(const std::string &s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos)
    return s;
  std::string q = "\"";
  for (char ch : s)
    q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

} // namespace

llvm::ArrayRef<ReportColumn> sim::reportColumns() { return kColumns; }

std::optional<Value> sim::reportCell(const ReportColumn &c, const Report &r,
                                     const LayerStats &s, ReportRow row) {
  if (!(c.rows & unsigned(row)))
    return std::nullopt;
  return c.value(r, s);
}

std::string sim::formatReportTable(const Report &r) {
  std::vector<const ReportColumn *> cols;
  for (const ReportColumn &c : kColumns)
    if (c.title)
      cols.push_back(&c);
  using Row = std::vector<std::string>;
  std::vector<Row> rows;
  Row header;
  for (const ReportColumn *c : cols)
    header.push_back(c->title);
  rows.push_back(header);
  for (auto [s, kind] : rowsOf(r)) {
    // Instructions without a layer and idle leakage, when there are any.
    if (kind == ReportRow::Unattributed && !r.unattributed.cycles() &&
        !(r.unattributed.energyPj.total() > 0))
      continue;
    Row row;
    for (const ReportColumn *c : cols) {
      std::string text = cellText(*c, reportCell(*c, r, *s, kind), true);
      // An unnamed layer shows its id.
      if (kind == ReportRow::Layer && llvm::StringRef(c->key) == "name" &&
          s->name.empty())
        text = "#" + std::to_string(s->id);
      row.push_back(std::move(text));
    }
    rows.push_back(std::move(row));
  }

  std::vector<size_t> width(cols.size(), 0);
  for (const Row &row : rows)
    for (size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  auto line = [&](const Row &row) {
    std::string s;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c)
        s += "  ";
      s += cols[c]->leftAligned ? fmt::format("{:<{}}", row[c], width[c])
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

static llvm::json::Object rowToJson(const Report &r, const LayerStats &s,
                                    ReportRow kind) {
  llvm::json::Object o;
  for (const ReportColumn &c : kColumns) {
    std::optional<Value> v = reportCell(c, r, s, kind);
    if (!v)
      continue;
    auto [parent, key] = llvm::StringRef(c.key).split('.');
    if (key.empty()) {
      o[parent] = std::move(*v);
      continue;
    }
    Value &sub = o.try_emplace(parent, llvm::json::Object()).first->second;
    (*sub.getAsObject())[key] = std::move(*v);
  }
  return o;
}

llvm::json::Value sim::reportToJson(const Report &r) {
  llvm::json::Array layers;
  for (const LayerStats &l : r.layers)
    layers.push_back(rowToJson(r, l, ReportRow::Layer));
  return llvm::json::Object{
      {"schema", "tessera-sim-report/1"},
      {"target", r.target},
      {"clock_mhz", r.clockMhz},
      {"functional", r.functional},
      {"mac_array", llvm::json::Object{{"rows", int64_t(r.macRows)},
                                       {"cols", int64_t(r.macCols)}}},
      {"layers", std::move(layers)},
      {"unattributed",
       rowToJson(r, r.unattributed, ReportRow::Unattributed)},
      {"totals", rowToJson(r, r.totals, ReportRow::Total)},
  };
}

std::string sim::reportToCsv(const Report &r) {
  std::string out;
  for (const ReportColumn &c : kColumns)
    out += (out.empty() ? "" : ",") + csvField(c.key);
  out += "\n";
  for (auto [s, kind] : rowsOf(r)) {
    std::string line;
    bool first = true;
    for (const ReportColumn &c : kColumns) {
      if (!first)
        line += ",";
      first = false;
      line += csvField(cellText(c, reportCell(c, r, *s, kind), false));
    }
    out += line + "\n";
  }
  return out;
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

llvm::Error sim::writeReportCsv(const Report &r, llvm::StringRef path) {
  return io::writeFile(path, reportToCsv(r));
}

llvm::Error sim::writeReport(const Report &r, llvm::StringRef path) {
  if (path.size() >= 4 && path.take_back(4).equals_insensitive(".csv"))
    return writeReportCsv(r, path);
  return writeReportJson(r, path);
}

std::string sim::reportColumnsMarkdown() {
  std::string out = "| column | table | rows | meaning |\n|---|---|---|---|\n";
  for (const ReportColumn &c : kColumns) {
    const char *rows = c.rows == kAll     ? "all"
                       : c.rows == kLayer ? "layers"
                       : c.rows == kTotal ? "totals"
                                          : "layers, totals";
    out += fmt::format("| `{}` | {} | {} | {} |\n", c.key,
                       c.title ? fmt::format("`{}`", c.title) : "", rows,
                       c.description);
  }
  return out;
}
