//===- Report.h - Table, CSV and JSON views of a report ---------*- C++ -*-===//
//
// Three views of a Report (Stats.h) built from one column list
// (reportColumns): a text table for people, a CSV file for spreadsheets and
// a JSON document for tools and golden-file tests. Field names, units and
// meanings are listed in docs/simulator.md ("Report"), which contains
// reportColumnsMarkdown() verbatim.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_REPORT_H
#define TESSERA_SIMULATOR_REPORT_H

#include "simulator/Stats.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace tessera::sim {

/// The rows of a report: one per layer, the "(no layer)" bucket
/// (Report::unattributed) and the totals.
enum class ReportRow : uint8_t { Layer = 1, Unattributed = 2, Total = 4 };

/// How a column's values are typed (JSON) and printed (table, CSV).
enum class ColumnKind : uint8_t { Text, Integer, Real, Boolean };

/// One column of the per-layer report.
struct ReportColumn {
  /// JSON key and CSV header. A '.' nests the value in the JSON:
  /// "busy_cycles.load" is {"busy_cycles": {"load": ...}}.
  const char *key;
  /// Header in the printed table; nullptr: not printed.
  const char *title;
  ColumnKind kind;
  /// Printed table: left-aligned (text) or right-aligned (numbers).
  bool leftAligned;
  /// Printed table: decimals of a real value.
  unsigned decimals;
  /// ReportRow bits: the rows that have this column. Elsewhere the JSON
  /// omits the key and the table and CSV leave the cell empty.
  unsigned rows;
  /// Meaning and unit (docs/simulator.md).
  const char *description;
  /// The value in one row: an integer, a real, a string or a boolean.
  llvm::json::Value (*value)(const Report &r, const LayerStats &s);
};

/// The column list, in CSV order: the printed table's columns first.
llvm::ArrayRef<ReportColumn> reportColumns();

/// The value of `c` in row `s` of kind `row`, or std::nullopt when that
/// kind of row does not have the column.
std::optional<llvm::json::Value>
reportCell(const ReportColumn &c, const Report &r, const LayerStats &s,
           ReportRow row);

/// The printed table: the columns with a title (id, layer, op, device,
/// MACs, cycles, latency_us, achieved_tops, dram_bytes, energy_uj, bound,
/// util); one row per layer, a "(no layer)" row when it has cycles or
/// energy, then a totals row and a line with the target, total latency and
/// MAC-array utilisation.
std::string formatReportTable(const Report &r);

/// {"schema": "tessera-sim-report/1", "target", "clock_mhz", "functional",
///  "mac_array": {"rows", "cols"}, "layers": [...], "unattributed": {...},
///  "totals": {...}}; each row object holds the columns that row has.
llvm::json::Value reportToJson(const Report &r);

/// CSV (RFC 4180 quoting, lines ending in \n): a header of every column
/// key, one row per layer, the "(no layer)" row, then the totals row (empty
/// id; name "(no layer)", "total"). Reals are printed exactly (the
/// shortest text that reads back as the same double); text with a comma,
/// quote or line break is quoted.
std::string reportToCsv(const Report &r);

/// Writes reportToJson(r), pretty-printed, to `path` atomically (a temporary
/// file in the same directory, then rename).
llvm::Error writeReportJson(const Report &r, llvm::StringRef path);
/// Writes reportToCsv(r) to `path` atomically.
llvm::Error writeReportCsv(const Report &r, llvm::StringRef path);
/// writeReportCsv when `path` ends in ".csv" (any case), else
/// writeReportJson (tessera-sim --report).
llvm::Error writeReport(const Report &r, llvm::StringRef path);

/// The column list as the Markdown table of docs/simulator.md.
std::string reportColumnsMarkdown();

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_REPORT_H
