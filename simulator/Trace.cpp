//===- Trace.cpp - Chrome trace-event timeline of a simulated run ---------===//

#include "simulator/Trace.h"

#include "core/io/Output.h"
#include "core/isa/Isa.h"
#include "simulator/Simulator.h"

#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace tessera;
using namespace tessera::sim;

namespace {

/// Thread ids and names of the unit tracks (Unit order).
constexpr const char *kTrackNames[kNumUnits] = {
    "LOAD DMA", "MAC array (COMPUTE queue)", "vector unit (COMPUTE queue)",
    "STORE DMA", "HOST (CPU, on the STORE queue)"};
/// Process ids are core + 1: Perfetto reserves pid 0 (and tid 0) for the
/// idle "swapper" process. Thread ids are 10 x pid + unit + 1, apart from
/// the pid itself, which a viewer takes for the process's main thread.
int64_t pidOf(unsigned core) { return int64_t(core) + 1; }
int64_t tidOf(unsigned core, Unit u) {
  return 10 * pidOf(core) + int64_t(u) + 1;
}

/// The instruction a record describes.
const isa::Instr &instrOf(const isa::Program &p, const InstrRecord &r) {
  return p.code[size_t(r.queue)][r.index];
}

/// One SRAM value: bytes [key, end) written at `alloc`, last read at
/// `lastUse`.
struct Segment {
  uint64_t end;
  uint64_t alloc;
  uint64_t lastUse;
};

} // namespace

uint64_t sim::dramWindowCycles(uint64_t endCycle) {
  return std::max<uint64_t>(1, (endCycle + 999) / 1000);
}

std::vector<uint64_t>
sim::dramBytesPerWindow(llvm::ArrayRef<InstrRecord> timeline,
                        uint64_t window) {
  uint64_t end = 0;
  for (const InstrRecord &r : timeline)
    end = std::max(end, r.end);
  std::vector<uint64_t> bytes((end + window - 1) / window, 0);
  for (const InstrRecord &r : timeline) {
    const uint64_t bus = r.cost.events.dramBurstBytes;
    const uint64_t ch = r.cost.dramChannelCycles;
    if (bus == 0 || ch == 0)
      continue;
    const uint64_t s = r.end - r.cost.dmaTransferCycles, e = s + ch;
    // Bytes moved by cycle t; exact in 64 bits (bytes x cycles of one DMA).
    auto moved = [&](uint64_t t) { return bus * (t - s) / ch; };
    for (uint64_t w = s / window; w * window < e; ++w) {
      if (w >= bytes.size())
        bytes.resize(w + 1, 0);
      bytes[w] += moved(std::min(e, (w + 1) * window)) -
                  moved(std::max(s, w * window));
    }
  }
  return bytes;
}

std::vector<std::pair<uint64_t, uint64_t>>
sim::sramLiveBytes(const isa::Program &program,
                   llvm::ArrayRef<InstrRecord> timeline) {
  std::map<uint64_t, Segment> live; // by first byte, disjoint
  std::map<uint64_t, int64_t> delta; // cycle -> change of live bytes
  auto retire = [&](uint64_t bytes, const Segment &s) {
    uint64_t freed = std::max(s.lastUse, s.alloc);
    if (bytes == 0 || freed == s.alloc)
      return;
    delta[s.alloc] += int64_t(bytes);
    delta[freed] -= int64_t(bytes);
  };
  // The segments overlapping [b, e): the first whose range reaches past b.
  auto first = [&](uint64_t b) {
    auto it = live.upper_bound(b);
    if (it != live.begin() && std::prev(it)->second.end > b)
      --it;
    return it;
  };
  for (const InstrRecord &r : timeline) {
    std::vector<isa::MemRange> ranges = isa::memRanges(instrOf(program, r));
    // Writes first: an instruction that overwrites what it reads (in-place
    // ELTWISE) reuses the bytes, so the old value ends where the new begins.
    for (const isa::MemRange &m : ranges) {
      if (m.mem != isa::Mem::Sram || !m.write || m.begin >= m.end)
        continue;
      for (auto it = first(m.begin); it != live.end() && it->first < m.end;) {
        uint64_t sb = it->first;
        Segment seg = it->second;
        it = live.erase(it);
        uint64_t ob = std::max(sb, m.begin), oe = std::min(seg.end, m.end);
        retire(oe - ob, seg);
        if (sb < ob)
          live[sb] = {ob, seg.alloc, seg.lastUse};
        if (oe < seg.end)
          it = live.insert({oe, {seg.end, seg.alloc, seg.lastUse}}).first;
      }
      live[m.begin] = {m.end, r.start, r.end};
    }
    for (const isa::MemRange &m : ranges) {
      if (m.mem != isa::Mem::Sram || m.write || m.begin >= m.end)
        continue;
      for (auto it = first(m.begin); it != live.end() && it->first < m.end;
           ++it)
        it->second.lastUse = std::max(it->second.lastUse, r.end);
    }
  }
  for (const auto &[b, seg] : live)
    retire(seg.end - b, seg);

  std::vector<std::pair<uint64_t, uint64_t>> steps;
  int64_t bytes = 0;
  for (const auto &[t, d] : delta) {
    bytes += d;
    if (d != 0)
      steps.push_back({t, uint64_t(bytes)});
  }
  return steps;
}

void sim::writeTraceJson(llvm::raw_ostream &os, const isa::Program &program,
                         const MachineModel &model,
                         llvm::ArrayRef<InstrRecord> timeline) {
  const double mhz = model.clockMhz;
  // Trace-event timestamps are microseconds; viewers keep integer
  // nanoseconds (Perfetto rounds ts x 1000 and dur x 1000 separately). Every
  // boundary is therefore rounded to a nanosecond once, here, and a slice's
  // dur is end - start in those nanoseconds: a slice that starts where the
  // previous one on its track ends never overlaps it after the viewer's
  // conversion (which separately rounded values could, by 1 ns).
  auto ns = [&](uint64_t cycles) {
    return std::llround(double(cycles) * 1e3 / mhz);
  };
  auto us = [&](uint64_t cycles) { return double(ns(cycles)) / 1e3; };
  uint64_t end = 0;
  for (const InstrRecord &r : timeline)
    end = std::max(end, r.end);
  const uint64_t window = dramWindowCycles(end);
  const unsigned core = 0; // a program runs on one core
  const int64_t pid = pidOf(core);

  llvm::json::OStream j(os);
  auto metadata = [&](const char *name, int64_t tid, llvm::StringRef key,
                      llvm::json::Value value) {
    j.object([&] {
      j.attribute("ph", "M");
      j.attribute("name", name);
      j.attribute("pid", pid);
      if (tid >= 0)
        j.attribute("tid", tid);
      j.attributeObject("args", [&] { j.attribute(key, std::move(value)); });
    });
  };
  auto counter = [&](const char *name, uint64_t cycle,
                     llvm::function_ref<void()> args) {
    j.object([&] {
      j.attribute("ph", "C");
      j.attribute("name", name);
      j.attribute("pid", pid);
      j.attribute("ts", us(cycle));
      j.attributeObject("args", args);
    });
  };

  // No "displayTimeUnit": it is only a display hint in the format, but some
  // Perfetto releases took "ns" for the unit of ts (google/perfetto#274).
  j.object([&] {
    j.attributeObject("otherData", [&] {
      j.attribute("generator", "tessera-sim");
      j.attribute("target", model.target);
      j.attribute("clock_mhz", mhz);
      j.attribute("cycles", int64_t(end));
      j.attribute("sram_bytes", int64_t(model.sramBytes));
      j.attribute("dram_window_cycles", int64_t(window));
      j.attribute("dram_bytes_per_cycle", model.dramBytesPerCycle);
    });
    j.attributeArray("traceEvents", [&] {
      metadata("process_name", -1, "name",
               "NPU core " + std::to_string(core) + " (" + model.target +
                   ")");
      for (unsigned u = 0; u < kNumUnits; ++u) {
        metadata("thread_name", tidOf(core, Unit(u)), "name", kTrackNames[u]);
        metadata("thread_sort_index", tidOf(core, Unit(u)), "sort_index",
                 int64_t(u));
      }

      // One slice per instruction that occupies a unit (NOP and FINISH
      // only move tokens). A unit runs one instruction at a time, so the
      // slices of a track never overlap.
      for (const InstrRecord &r : timeline) {
        if (r.cost.unit == Unit::None)
          continue;
        const isa::Instr &in = instrOf(program, r);
        const bool hasLayer = r.layer < program.layers.size();
        const Events &e = r.cost.events;
        j.object([&] {
          j.attribute("ph", "X");
          j.attribute("name", hasLayer ? program.layers[r.layer].name
                                       : std::string("(no layer)"));
          j.attribute("cat", isa::opcodeName(in.op));
          j.attribute("pid", pid);
          j.attribute("tid", tidOf(core, r.cost.unit));
          j.attribute("ts", us(r.start));
          j.attribute("dur", double(ns(r.end) - ns(r.start)) / 1e3);
          j.attributeObject("args", [&] {
            j.attribute("layer", hasLayer ? program.layers[r.layer].name
                                          : std::string("(no layer)"));
            j.attribute("layer_id", hasLayer ? int64_t(r.layer) : -1);
            j.attribute("op", hasLayer ? program.layers[r.layer].opType
                                       : std::string());
            j.attribute("opcode", isa::opcodeName(in.op));
            j.attribute("queue", isa::queueName(r.queue));
            j.attribute("index", int64_t(r.index));
            j.attribute("start_cycle", int64_t(r.start));
            j.attribute("cycles", int64_t(r.end - r.start));
            j.attribute("dram_bytes",
                        int64_t(e.dramReadBytes + e.dramWriteBytes));
            j.attribute("dram_burst_bytes", int64_t(e.dramBurstBytes));
            j.attribute("sram_bytes",
                        int64_t(e.sramReadBytes + e.sramWriteBytes));
            j.attribute("macs", int64_t(e.macs()));
            if (e.vectorOps)
              j.attribute("vector_ops", int64_t(e.vectorOps));
            if (r.cost.unit == Unit::Host)
              j.attribute("host_us", e.hostUs);
          });
        });
      }

      std::vector<std::pair<uint64_t, uint64_t>> sram =
          sramLiveBytes(program, timeline);
      if (sram.empty() || sram.front().first > 0)
        counter("SRAM live", 0, [&] { j.attribute("bytes", 0); });
      for (auto [cycle, bytes] : sram)
        counter("SRAM live", cycle,
                [&] { j.attribute("bytes", int64_t(bytes)); });

      std::vector<uint64_t> dram = dramBytesPerWindow(timeline, window);
      // GB/s = bytes / (window / (MHz x 1e6) s) / 1e9.
      const double gbps = mhz / (double(window) * 1e3);
      for (size_t w = 0; w < dram.size(); ++w)
        counter("DRAM bus", w * window, [&] {
          j.attribute("bytes per window", int64_t(dram[w]));
          j.attribute("GB/s", double(dram[w]) * gbps);
        });
      counter("DRAM bus", end, [&] {
        j.attribute("bytes per window", 0);
        j.attribute("GB/s", 0.0);
      });
    });
  });
}

llvm::Error sim::writeTrace(const Simulator &sim, llvm::StringRef path) {
  return io::writeFile(path, [&](llvm::raw_ostream &os) {
    writeTraceJson(os, sim.program(), sim.model(), sim.timeline());
    return llvm::Error::success();
  });
}
