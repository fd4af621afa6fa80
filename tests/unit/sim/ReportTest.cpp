//===- ReportTest.cpp - bound, util, the report views and the trace -------===//
//
// The bound classification and MAC utilisation on hand-made statistics, the
// three views of the one column list (table, CSV, JSON) agreeing cell by
// cell, docs/simulator.md's column table matching the code, and the trace's
// two counters (DRAM bytes per window, live SRAM bytes) on hand-made
// timelines, each value worked out in the comments.
//
//===----------------------------------------------------------------------===//
#include "simulator/Report.h"
#include "simulator/Stats.h"
#include "simulator/Trace.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace tessera;
using namespace tessera::sim;

namespace {

ResourceCycles rc(uint64_t compute, uint64_t sram, uint64_t dram,
                  uint64_t host = 0) {
  ResourceCycles t;
  t.compute = compute;
  t.sram = sram;
  t.dram = dram;
  t.host = host;
  return t;
}

TEST(Bound, TheResourceClosestToTheSpan) {
  // A conv whose array needs 100 of its 120 cycles, loads 80: compute.
  EXPECT_EQ(classifyBound(rc(100, 20, 80), 120), Bound::Compute);
  // Loads take 115 of 120: dram.
  EXPECT_EQ(classifyBound(rc(100, 20, 115), 120), Bound::Dram);
  // A wide eltwise limited by SRAM bandwidth: 95 against 90 of compute.
  EXPECT_EQ(classifyBound(rc(90, 95, 30), 100), Bound::Sram);
  // A host segment.
  EXPECT_EQ(classifyBound(rc(0, 0, 40, 900), 1000), Bound::Host);
}

TEST(Bound, TiesGoToComputeSramDramHostInThatOrder) {
  EXPECT_EQ(classifyBound(rc(50, 0, 50), 60), Bound::Compute);
  EXPECT_EQ(classifyBound(rc(10, 50, 50), 60), Bound::Sram);
  EXPECT_EQ(classifyBound(rc(0, 0, 50, 50), 60), Bound::Dram);
}

TEST(Bound, NoTimedWorkIsNone) {
  EXPECT_EQ(classifyBound(rc(0, 0, 0), 0), Bound::None);
  EXPECT_EQ(classifyBound(rc(0, 0, 0), 7), Bound::None);
  EXPECT_STREQ(boundName(Bound::None), "none");
  EXPECT_STREQ(boundName(Bound::Sram), "sram");
}

TEST(Bound, ClosestNotLargest) {
  // The simulator's terms never exceed the span, where closest is largest;
  // the rule itself is "closest": 130 is 30 away from 100, 80 only 20.
  EXPECT_EQ(classifyBound(rc(130, 0, 80), 100), Bound::Dram);
}

/// A two-layer report with round numbers on an 8 x 4 array at 1000 MHz.
Report handReport() {
  Report r;
  r.target = "hand";
  r.clockMhz = 1000;
  r.macRows = 8;
  r.macCols = 4;
  LayerStats a;
  a.id = 0;
  a.name = "conv, \"a\"\nb"; // needs CSV quoting and table escaping
  a.op = "Conv";
  a.macs = 512;
  a.tableMacs = 512;
  a.startCycle = 0;
  a.endCycle = 64;
  a.resources = rc(48, 8, 30);
  a.busy[size_t(Unit::MacArray)] = 52;
  a.unitInstructions[size_t(Unit::MacArray)] = 2;
  a.energyPj.mac = 1.5e6;
  LayerStats b;
  b.id = 1;
  b.name = "pool";
  b.op = "MaxPool";
  b.startCycle = 64;
  b.endCycle = 164;
  b.resources = rc(10, 5, 90);
  r.layers = {a, b};
  r.unattributed.name = "(no layer)";
  r.totals.name = "total";
  r.totals.device = "";
  r.totals.macs = 512;
  r.totals.tableMacs = 512;
  r.totals.endCycle = 164;
  r.totals.resources = rc(58, 13, 90);
  return r;
}

TEST(Report, UtilisationIsMacsOverPeakTimesSpan) {
  Report r = handReport();
  // 512 / (8 x 4 x 64) = 0.25; the run: 512 / (32 x 164).
  EXPECT_DOUBLE_EQ(r.macUtilisation(r.layers[0]), 0.25);
  EXPECT_DOUBLE_EQ(r.macUtilisation(r.layers[1]), 0.0);
  EXPECT_DOUBLE_EQ(r.macUtilisation(), 512.0 / (32 * 164));
  LayerStats empty;
  EXPECT_DOUBLE_EQ(r.macUtilisation(empty), 0.0);
}

/// The last two space-separated fields of a table line.
std::string lastTwo(llvm::StringRef line) {
  llvm::SmallVector<llvm::StringRef> f;
  line.split(f, ' ', -1, /*KeepEmpty=*/false);
  return f.size() < 2 ? "" : (f[f.size() - 2] + " " + f.back()).str();
}

TEST(Report, TableShowsBoundAndUtil) {
  std::string t = formatReportTable(handReport());
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(t).split(lines, '\n');
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lastTwo(lines[0]), "bound util");
  // conv: compute 48 is closest to 64, 512 / (32 x 64) = 0.25; pool: dram
  // 90 of 100; the run: dram 90 of 164, 512 / (32 x 164) = 0.0976.
  EXPECT_EQ(lastTwo(lines[2]), "compute 0.2500");
  EXPECT_TRUE(lines[2].contains("conv, \"a\"\\nb")) << lines[2].str();
  EXPECT_EQ(lastTwo(lines[3]), "dram 0.0000");
  EXPECT_EQ(lastTwo(lines[5]), "dram 0.0976");
}

/// Splits RFC 4180 CSV text (quoted fields may hold commas, quotes, line
/// breaks) into rows of fields.
std::vector<std::vector<std::string>> parseCsv(const std::string &s) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"')
        rows.back().back() += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        rows.back().back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty())
    rows.pop_back();
  return rows;
}

/// The JSON value at a dotted column key, or nullptr.
const llvm::json::Value *lookup(const llvm::json::Object &o,
                                llvm::StringRef key) {
  auto [head, rest] = key.split('.');
  const llvm::json::Value *v = o.get(head);
  if (!v || rest.empty())
    return v;
  const llvm::json::Object *sub = v->getAsObject();
  return sub ? sub->get(rest) : nullptr;
}

TEST(Report, CsvAndJsonAreTheSameColumns) {
  Report r = handReport();
  std::vector<std::vector<std::string>> csv = parseCsv(reportToCsv(r));
  llvm::json::Value json = reportToJson(r);
  const llvm::json::Object &doc = *json.getAsObject();
  llvm::ArrayRef<ReportColumn> cols = reportColumns();
  ASSERT_EQ(csv.size(), 5u); // header, 2 layers, (no layer), total
  ASSERT_EQ(csv[0].size(), cols.size());
  EXPECT_EQ(csv[1][1], "conv, \"a\"\nb"); // the raw name, quoted
  std::vector<const llvm::json::Object *> rows = {
      doc.getArray("layers")->front().getAsObject(),
      (*doc.getArray("layers"))[1].getAsObject(), doc.getObject("unattributed"),
      doc.getObject("totals")};
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t c = 0; c < cols.size(); ++c) {
      SCOPED_TRACE(std::string(cols[c].key) + " row " + std::to_string(i));
      EXPECT_EQ(csv[0][c], cols[c].key);
      const llvm::json::Value *v = lookup(*rows[i], cols[c].key);
      const std::string &cell = csv[i + 1][c];
      if (!v) {
        EXPECT_EQ(cell, ""); // a column this row does not have
        continue;
      }
      switch (cols[c].kind) {
      case ColumnKind::Text:
        EXPECT_EQ(cell, v->getAsString()->str());
        break;
      case ColumnKind::Integer:
        EXPECT_EQ(cell, std::to_string(*v->getAsInteger()));
        break;
      case ColumnKind::Real: // exact: the same double
        EXPECT_EQ(std::strtod(cell.c_str(), nullptr), *v->getAsNumber());
        break;
      case ColumnKind::Boolean:
        EXPECT_EQ(cell, *v->getAsBoolean() ? "true" : "false");
        break;
      }
    }
  }
  // Spot values: the conv's bound terms, its util, the totals' bound.
  EXPECT_EQ(*lookup(*rows[0], "bound_cycles.compute")->getAsInteger(), 48);
  EXPECT_EQ(*lookup(*rows[0], "bound")->getAsString(), "compute");
  EXPECT_EQ(*lookup(*rows[0], "util")->getAsNumber(), 0.25);
  EXPECT_EQ(*lookup(*rows[3], "bound")->getAsString(), "dram");
  EXPECT_EQ(lookup(*rows[2], "id"), nullptr);
}

TEST(Report, DocsListTheColumns) {
  const char *env = std::getenv("TESSERA_SOURCE_DIR");
  std::string path =
      std::string(env ? env : TESSERA_TEST_SOURCE_DIR) + "/docs/simulator.md";
  auto buf = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buf)) << path;
  llvm::StringRef doc = (*buf)->getBuffer();
  size_t begin = doc.find("<!-- BEGIN report-columns");
  size_t end = doc.find("<!-- END report-columns");
  ASSERT_NE(begin, llvm::StringRef::npos);
  ASSERT_NE(end, llvm::StringRef::npos);
  begin = doc.find('\n', begin) + 1;
  EXPECT_EQ(doc.slice(begin, end).str(), reportColumnsMarkdown());
}

InstrRecord dma(uint64_t start, uint64_t end, uint64_t bus, uint64_t channel,
                uint64_t transfer) {
  InstrRecord r{isa::Queue::Load, 0, 0, start, end, {}};
  r.cost.unit = Unit::LoadDma;
  r.cost.events.dramBurstBytes = bus;
  r.cost.dramChannelCycles = channel;
  r.cost.dmaTransferCycles = transfer;
  return r;
}

TEST(Trace, DramBytesPerWindowSpreadEachTransferOverItsChannelTime) {
  // A: 100 bus bytes, data phase [10, 20) (end 20 - transfer 10), channel
  //    10 cycles: 10 bytes a cycle. Windows of 4: [8,12) 20, [12,16) 40,
  //    [16,20) 40.
  // B: 30 bytes, transfer 8 ending at 30 -> data from 22, channel 4 (the
  //    DMA datapath is slower than DRAM): [22,26) at 7.5 bytes a cycle,
  //    floor(30 * t / 4) moved after t cycles: [20,24) 15, [24,28) 15.
  std::vector<InstrRecord> t = {dma(0, 20, 100, 10, 10),
                                dma(20, 30, 30, 4, 8)};
  std::vector<uint64_t> w = dramBytesPerWindow(t, 4);
  std::vector<uint64_t> want = {0, 0, 20, 40, 40, 15, 15, 0};
  EXPECT_EQ(w, want);
  EXPECT_EQ(dramWindowCycles(642), 1u);
  EXPECT_EQ(dramWindowCycles(35081566), 35082u);
  EXPECT_EQ(dramWindowCycles(0), 1u);
}

isa::Instr loadTo(uint32_t sram, uint32_t bytes, bool store = false) {
  isa::Instr in(store ? isa::Opcode::Store : isa::Opcode::Load, 0);
  in.dma().sramAddr = sram;
  in.dma().innerBytes = bytes;
  return in;
}

TEST(Trace, SramLiveBytesFollowEachValueToItsLastRead) {
  isa::Program p;
  p.layers.resize(1);
  // LOAD  A [0, 64)    at [0, 10)
  // LOAD  B [32, 96)   at [25, 35): overwrites A's upper half
  // STORE reads [0, 64) at [10, 20): A's last read
  // STORE reads [32, 96) at [35, 45): B's last read
  // ELTWISE clamp [96, 112) in place at [50, 54): writes 16 B never read
  p.code[0] = {loadTo(0, 64), loadTo(32, 64)};
  p.code[2] = {loadTo(0, 64, true), loadTo(32, 64, true)};
  isa::Instr clamp(isa::Opcode::Eltwise, 0);
  clamp.eltwise().func = isa::EltFunc::Clamp;
  clamp.eltwise().sramA = 96;
  clamp.eltwise().sramOut = 96;
  clamp.eltwise().rows = 16;
  p.code[1] = {clamp};
  auto rec = [](isa::Queue q, uint32_t i, uint64_t s, uint64_t e) {
    return InstrRecord{q, i, 0, s, e, {}};
  };
  std::vector<InstrRecord> t = {rec(isa::Queue::Load, 0, 0, 10),
                                rec(isa::Queue::Store, 0, 10, 20),
                                rec(isa::Queue::Load, 1, 25, 35),
                                rec(isa::Queue::Store, 1, 35, 45),
                                rec(isa::Queue::Compute, 0, 50, 54)};
  // A: 64 B over [0, 20); B: 64 over [25, 45); the clamp's output 16 B
  // while it runs (its input was never written: nothing to end).
  std::vector<std::pair<uint64_t, uint64_t>> want = {
      {0, 64}, {20, 0}, {25, 64}, {45, 0}, {50, 16}, {54, 0}};
  EXPECT_EQ(sramLiveBytes(p, t), want);

  // In place: a clamp over A's bytes while A is live ends A where the new
  // value begins, so the bytes count once: A [0, 64) at [0, 10), clamp
  // [0, 16) -> [0, 16) at [10, 14), STORE of [0, 64) at [14, 24).
  isa::Program q;
  q.layers.resize(1);
  isa::Instr inPlace = clamp;
  inPlace.eltwise().sramA = 0;
  inPlace.eltwise().sramOut = 0;
  q.code[0] = {loadTo(0, 64)};
  q.code[1] = {inPlace};
  q.code[2] = {loadTo(0, 64, true)};
  std::vector<InstrRecord> u = {rec(isa::Queue::Load, 0, 0, 10),
                                rec(isa::Queue::Compute, 0, 10, 14),
                                rec(isa::Queue::Store, 0, 14, 24)};
  // A's [0, 16) ends at 10, where the clamp's value begins (it lives to
  // the STORE's end, 24); A's [16, 64) lives [0, 24). 64 bytes throughout.
  std::vector<std::pair<uint64_t, uint64_t>> wantInPlace = {{0, 64},
                                                            {24, 0}};
  EXPECT_EQ(sramLiveBytes(q, u), wantInPlace);
}

} // namespace
