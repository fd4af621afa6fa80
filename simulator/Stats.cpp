//===- Stats.cpp - Per-layer statistics of a simulated run ----------------===//

#include "simulator/Stats.h"

#include <algorithm>
#include <map>

using namespace tessera;
using namespace tessera::sim;

std::vector<const LayerStats *> Report::macMismatches() const {
  std::vector<const LayerStats *> r;
  for (const LayerStats &l : layers)
    if (!l.macsMatch())
      r.push_back(&l);
  return r;
}

const char *sim::boundName(Bound b) {
  switch (b) {
  case Bound::None:
    return "none";
  case Bound::Compute:
    return "compute";
  case Bound::Sram:
    return "sram";
  case Bound::Dram:
    return "dram";
  case Bound::Host:
    return "host";
  }
  return "none";
}

Bound sim::classifyBound(const ResourceCycles &t, uint64_t cycles) {
  const std::pair<Bound, uint64_t> candidates[] = {{Bound::Compute, t.compute},
                                                   {Bound::Sram, t.sram},
                                                   {Bound::Dram, t.dram},
                                                   {Bound::Host, t.host}};
  Bound best = Bound::None;
  uint64_t bestDistance = 0;
  for (auto [b, c] : candidates) {
    if (c == 0) // the resource did no work
      continue;
    uint64_t distance = c > cycles ? c - cycles : cycles - c;
    if (best == Bound::None || distance < bestDistance) {
      best = b;
      bestDistance = distance;
    }
  }
  return best;
}

Profiler::Profiler(const isa::Program &program, const MachineModel &model)
    : program_(program), model_(model) {}

void Profiler::record(const InstrRecord &r) { records_.push_back(r); }

namespace {

void add(LayerStats &s, const InstrRecord &r, const MachineModel &m) {
  // Zero-cycle instructions (NOP, FINISH) only move tokens: they count, but
  // do not stretch the span.
  if (r.end > r.start) {
    bool first = s.endCycle == 0 && s.startCycle == 0;
    if (first || r.start < s.startCycle)
      s.startCycle = r.start;
    if (first || r.end > s.endCycle)
      s.endCycle = r.end;
  }
  ++s.instructions;
  s.macs += r.cost.events.macs();
  if (r.cost.unit != Unit::None) {
    s.busy[static_cast<size_t>(r.cost.unit)] += r.end - r.start;
    ++s.unitInstructions[static_cast<size_t>(r.cost.unit)];
  }
  // The bound terms (Stats.h, ResourceCycles); dram is set by
  // setDramCycles once the layer's DMA busy time is known.
  s.resources.compute += r.cost.macArrayCycles + r.cost.vectorCycles;
  if (r.cost.unit == Unit::MacArray || r.cost.unit == Unit::Vector)
    s.resources.sram += r.cost.sramCycles;
  if (r.cost.unit == Unit::Host)
    s.resources.host += r.end - r.start;
  if (r.cost.unit == Unit::Host)
    s.device = "cpu";
  s.events += r.cost.events;
  s.energyPj += dynamicEnergy(r.cost.events, m);
}

/// The DRAM term of the bound: each DMA engine runs its instructions in
/// order, so its busy time is a lower bound of the span; with one engine
/// LOAD and STORE take turns on it.
void setDramCycles(LayerStats &s, const MachineModel &m) {
  uint64_t load = s.busy[size_t(Unit::LoadDma)];
  uint64_t store = s.busy[size_t(Unit::StoreDma)];
  s.resources.dram = m.dmaEngines == 1 ? load + store : std::max(load, store);
}

/// Leakage in picojoules of `cycles` cycles: mW x us = nJ = 1e3 pJ.
double leakagePj(double cycles, const MachineModel &m) {
  return m.staticPowerMw * (cycles / m.clockMhz) * 1e3;
}

} // namespace

Report Profiler::finish(bool functional) const {
  Report rep;
  rep.target = model_.target;
  rep.clockMhz = model_.clockMhz;
  rep.functional = functional;
  rep.macRows = model_.macRows;
  rep.macCols = model_.macCols;
  const size_t numLayers = program_.layers.size();
  rep.layers.resize(numLayers);
  for (size_t i = 0; i < numLayers; ++i) {
    LayerStats &l = rep.layers[i];
    l.id = static_cast<int64_t>(i);
    l.name = program_.layers[i].name;
    l.op = program_.layers[i].opType;
    l.tableMacs = program_.layers[i].macs;
  }
  rep.unattributed.name = "(no layer)";
  auto statsOf = [&](uint16_t layer) -> LayerStats & {
    return layer < numLayers ? rep.layers[layer] : rep.unattributed;
  };

  uint64_t end = 0;
  for (const InstrRecord &r : records_) {
    add(statsOf(r.layer), r, model_);
    end = std::max(end, r.end);
  }

  // Leakage: sweep the timeline [0, end). Between two consecutive instruction
  // boundaries the set of layers in flight is constant; the interval's
  // leakage is split equally among them, or goes to "idle" when empty.
  // Index numLayers stands for instructions without a layer.
  std::map<uint64_t, std::vector<std::pair<size_t, int>>> boundaries;
  for (const InstrRecord &r : records_) {
    if (r.end == r.start)
      continue;
    size_t who = r.layer < numLayers ? r.layer : numLayers;
    boundaries[r.start].push_back({who, +1});
    boundaries[r.end].push_back({who, -1});
  }
  std::vector<int64_t> inFlight(numLayers + 1, 0);
  size_t active = 0;
  uint64_t prev = 0;
  double idleCycles = 0;
  std::vector<double> share(numLayers + 1, 0.0);
  for (const auto &[t, changes] : boundaries) {
    if (t > prev) {
      double span = double(t - prev);
      if (active == 0) {
        idleCycles += span;
      } else {
        for (size_t i = 0; i <= numLayers; ++i)
          if (inFlight[i] > 0)
            share[i] += span / double(active);
      }
    }
    for (const auto &[who, delta] : changes) {
      bool was = inFlight[who] > 0;
      inFlight[who] += delta;
      bool is = inFlight[who] > 0;
      active += size_t(is) - size_t(was);
    }
    prev = t;
  }
  idleCycles += double(end - prev);
  for (size_t i = 0; i < numLayers; ++i)
    rep.layers[i].energyPj.leakage = leakagePj(share[i], model_);
  rep.unattributed.energyPj.leakage =
      leakagePj(share[numLayers] + idleCycles, model_);

  // Totals: sums of the layers and the unattributed bucket; the span is the
  // whole run, from cycle 0 to the end of the last instruction.
  LayerStats &tot = rep.totals;
  tot.name = "total";
  tot.device = "";
  auto accumulate = [&](const LayerStats &s) {
    tot.instructions += s.instructions;
    tot.macs += s.macs;
    tot.tableMacs += s.tableMacs;
    for (size_t u = 0; u < kNumUnits; ++u) {
      tot.busy[u] += s.busy[u];
      tot.unitInstructions[u] += s.unitInstructions[u];
    }
    tot.resources.compute += s.resources.compute;
    tot.resources.sram += s.resources.sram;
    tot.resources.host += s.resources.host;
    tot.events += s.events;
    tot.energyPj += s.energyPj;
  };
  accumulate(rep.unattributed);
  for (const LayerStats &s : rep.layers)
    accumulate(s);
  tot.startCycle = 0;
  tot.endCycle = end;
  for (LayerStats &s : rep.layers)
    setDramCycles(s, model_);
  setDramCycles(rep.unattributed, model_);
  setDramCycles(tot, model_);
  return rep;
}
