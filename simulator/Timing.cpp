//===- Timing.cpp - Cycle and event cost of one NPU instruction -----------===//
//
// Every formula here is written out, with the source of each parameter, in
// docs/simulator.md; keep the two in step.
//
//===----------------------------------------------------------------------===//
#include "simulator/Timing.h"

#include <algorithm>
#include <cmath>

using namespace tessera;
using namespace tessera::sim;

const char *sim::unitName(Unit u) {
  switch (u) {
  case Unit::LoadDma:
    return "load";
  case Unit::MacArray:
    return "mac";
  case Unit::Vector:
    return "vector";
  case Unit::StoreDma:
    return "store";
  case Unit::Host:
    return "host";
  case Unit::None:
    return "none";
  }
  return "none";
}

Events &Events::operator+=(const Events &o) {
  macsInt8 += o.macsInt8;
  macsInt16 += o.macsInt16;
  vectorOps += o.vectorOps;
  sramReadBytes += o.sramReadBytes;
  sramWriteBytes += o.sramWriteBytes;
  dramReadBytes += o.dramReadBytes;
  dramWriteBytes += o.dramWriteBytes;
  dramBurstBytes += o.dramBurstBytes;
  hostFlops += o.hostFlops;
  hostBytes += o.hostBytes;
  hostUs += o.hostUs;
  return *this;
}

Energy &Energy::operator+=(const Energy &o) {
  mac += o.mac;
  vector += o.vector;
  sram += o.sram;
  dram += o.dram;
  leakage += o.leakage;
  host += o.host;
  return *this;
}

Energy sim::dynamicEnergy(const Events &e, const MachineModel &m) {
  Energy r;
  r.mac = double(e.macsInt8) * m.macInt8Pj + double(e.macsInt16) * m.macInt16Pj;
  r.vector = double(e.vectorOps) * m.vectorOpPj;
  r.sram = double(e.sramReadBytes) * m.sramReadPjPerByte +
           double(e.sramWriteBytes) * m.sramWritePjPerByte;
  r.dram = double(e.dramBurstBytes) * m.dramPjPerByte;
  r.host = e.hostUs * m.hostPowerW * 1e6; // W x us = uJ = 1e6 pJ
  return r;
}

namespace {

uint64_t ceilDiv(uint64_t a, uint64_t b) { return b ? (a + b - 1) / b : 0; }

/// ceil(a / b) for a rate b in bytes (or MACs) per cycle that need not be an
/// integer; a quotient within 1e-9 (relative) of an integer is that integer,
/// so rounding error in b cannot add a cycle.
uint64_t ceilDiv(double a, double b) {
  if (a <= 0 || b <= 0)
    return 0;
  double q = a / b;
  double nearest = std::round(q);
  if (std::fabs(q - nearest) <= 1e-9 * std::max(1.0, nearest))
    return static_cast<uint64_t>(nearest);
  return static_cast<uint64_t>(std::ceil(q));
}

} // namespace

uint64_t sim::burstsTouched(uint64_t addr, uint64_t bytes, uint64_t burst) {
  if (bytes == 0 || burst == 0)
    return 0;
  return (addr + bytes - 1) / burst - addr / burst + 1;
}

uint64_t sim::dmaBurstBytes(const isa::DmaFields &d, uint64_t burst) {
  // Runs that follow each other without a gap are one run for the DRAM
  // controller: merge rows (stride1 == inner) and planes (stride2 == plane).
  uint64_t inner = d.innerBytes, count1 = d.count1, count2 = d.count2;
  uint64_t stride1 = d.stride1, stride2 = d.stride2;
  if (count1 == 1 || stride1 == inner) {
    inner *= count1;
    count1 = 1;
    stride1 = inner;
    if (count2 == 1 || stride2 == inner) {
      inner *= count2;
      count2 = 1;
    }
  }
  uint64_t bursts = 0;
  if ((count1 == 1 || stride1 % burst == 0) &&
      (count2 == 1 || stride2 % burst == 0)) {
    // Every run starts at the same offset inside a burst.
    bursts = count1 * count2 * burstsTouched(d.dramAddr, inner, burst);
  } else {
    // At most one run per SRAM byte (verifyProgram bounds the transfer by
    // the SRAM size), so this loop is bounded.
    for (uint64_t i2 = 0; i2 < count2; ++i2)
      for (uint64_t i1 = 0; i1 < count1; ++i1)
        bursts += burstsTouched(d.dramAddr + i2 * stride2 + i1 * stride1, inner,
                                burst);
  }
  return bursts * burst;
}

ConvMapping sim::convMapping(const isa::ConvFields &c, const MachineModel &m) {
  ConvMapping r;
  const uint64_t R = m.macRows, C = m.macCols;
  const uint64_t groups = std::max<uint64_t>(c.groups, 1);
  r.pixels = uint64_t(isa::convOutH(c)) * isa::convOutW(c);
  r.reduction = uint64_t(c.kh) * c.kw * (c.ic / groups);
  r.groupOc = c.oc / groups;
  // Small groups (depthwise) are packed block-diagonally: a pass holds as
  // many whole groups as fit both the rows and the columns.
  r.groupsPerPass = 1;
  if (r.reduction <= R && r.groupOc <= C && r.reduction && r.groupOc)
    r.groupsPerPass = std::min({groups, R / r.reduction, C / r.groupOc});
  r.passes = ceilDiv(groups, r.groupsPerPass) * ceilDiv(r.reduction, R) *
             ceilDiv(r.groupOc, C);
  bool int16 = c.inDtype == isa::DType::Int16 || c.wDtype == isa::DType::Int16;
  uint64_t stream =
      ceilDiv(double(r.pixels) * (int16 ? m.int16Slowdown : 1.0), 1.0);
  // The next pass's R x C weights are loaded row by row (R cycles) into
  // shadow registers while the current pass streams; a pass shorter than
  // that waits for its weights.
  r.cyclesPerPass = std::max<uint64_t>(stream, R);
  return r;
}

static InstrCost dmaCost(const isa::Instr &in, const MachineModel &m) {
  const isa::DmaFields &d = in.dma();
  InstrCost r;
  const bool load = in.op == isa::Opcode::Load;
  r.unit = load ? Unit::LoadDma : Unit::StoreDma;
  uint64_t bytes = isa::dmaBytes(d);
  uint64_t busBytes = dmaBurstBytes(d, m.burstBytes);
  double rate = std::min(m.dramBytesPerCycle, m.dmaBytesPerCycle);
  r.dmaFixedCycles = uint64_t(m.dmaSetupCycles) + m.dramLatencyCycles;
  r.dmaTransferCycles = ceilDiv(double(busBytes), rate);
  r.dramChannelCycles = ceilDiv(double(busBytes), m.dramBytesPerCycle);
  r.cycles = r.dmaFixedCycles + r.dmaTransferCycles;
  r.events.dramBurstBytes = busBytes;
  if (load) {
    r.events.dramReadBytes = bytes;
    r.events.sramWriteBytes = bytes;
  } else {
    r.events.dramWriteBytes = bytes;
    r.events.sramReadBytes = bytes;
  }
  return r;
}

static InstrCost convCost(const isa::ConvFields &c, const MachineModel &m) {
  InstrCost r;
  r.unit = Unit::MacArray;
  ConvMapping map = convMapping(c, m);
  const uint64_t R = m.macRows, C = m.macCols;
  // SCALE-Sim's weight-stationary fold is 2R + C + T - 2 cycles (weight
  // fill R, stream T, skew R + C - 2); with double-buffered weights only the
  // first fill and the last skew are exposed.
  r.macArrayCycles = R + map.passes * map.cyclesPerPass + (R + C - 2);

  const uint64_t groups = std::max<uint64_t>(c.groups, 1);
  const uint64_t ocBlocks = (map.groupOc + C - 1) / C;
  const uint64_t outElems = map.pixels * c.oc;
  // Each pass streams P input vectors: every im2col element of a group is
  // read once per block of output columns.
  uint64_t inRead = map.pixels * groups * map.reduction * ocBlocks *
                    isa::dtypeBytes(c.inDtype);
  uint64_t wRead = uint64_t(c.oc) * map.reduction * isa::dtypeBytes(c.wDtype);
  uint64_t epiRead = 0;
  if (!c.raw) {
    epiRead += (c.perChannel ? uint64_t(c.oc) : 1) * 8; // (mult, shift)
    if (c.hasBias)
      epiRead += uint64_t(c.oc) * 4;
  }
  uint64_t psumRead = c.accumulate ? outElems * 4 : 0;
  r.events.sramReadBytes = inRead + wRead + epiRead + psumRead;
  r.events.sramWriteBytes = outElems * isa::dtypeBytes(c.outDtype);
  r.sramCycles = ceilDiv(r.events.sramReadBytes + r.events.sramWriteBytes,
                         m.sramBytesPerCycle());
  r.cycles = std::max(r.macArrayCycles, r.sramCycles) + m.epilogueLatency;

  uint64_t macs = isa::convMacs(c);
  if (c.inDtype == isa::DType::Int16 || c.wDtype == isa::DType::Int16)
    r.events.macsInt16 = macs;
  else
    r.events.macsInt8 = macs;
  return r;
}

/// A vector-unit instruction: `ops` element operations at the lanes of its
/// widest operand per cycle, capped by SRAM bandwidth, plus the pipeline
/// depth.
static InstrCost vectorCost(uint64_t ops, uint64_t reads, uint64_t writes,
                            bool wide, const MachineModel &m) {
  InstrCost r;
  r.unit = Unit::Vector;
  r.events.vectorOps = ops;
  r.events.sramReadBytes = reads;
  r.events.sramWriteBytes = writes;
  r.sramCycles = ceilDiv(reads + writes, m.sramBytesPerCycle());
  uint64_t lanes = wide ? m.vectorLanesInt16 : m.vectorLanes;
  r.vectorCycles = ceilDiv(ops, lanes);
  r.cycles = std::max(r.vectorCycles, r.sramCycles) + m.vectorLatency;
  return r;
}

static InstrCost poolCost(const isa::PoolFields &p, const MachineModel &m) {
  uint64_t outElems = uint64_t(isa::poolOutH(p)) * isa::poolOutW(p) * p.c;
  // Every window position is one operation (padding included: the unit
  // walks the whole window); a line buffer reads each input once.
  uint64_t ops = outElems * p.kh * p.kw;
  uint64_t reads = uint64_t(p.ih) * p.iw * p.c * isa::dtypeBytes(p.inDtype);
  uint64_t writes = outElems * isa::dtypeBytes(p.outDtype);
  bool wide = isa::dtypeBytes(p.inDtype) > 1 || isa::dtypeBytes(p.outDtype) > 1;
  return vectorCost(ops, reads, writes, wide, m);
}

static InstrCost eltwiseCost(const isa::EltwiseFields &e,
                             const MachineModel &m) {
  const uint64_t n = uint64_t(e.rows) * e.channels;
  uint64_t reads = n * isa::dtypeBytes(e.aDtype);
  bool wide = isa::dtypeBytes(e.aDtype) > 1 || isa::dtypeBytes(e.outDtype) > 1;
  switch (e.func) {
  case isa::EltFunc::Add:
  case isa::EltFunc::Sub:
  case isa::EltFunc::Mul:
  case isa::EltFunc::Max:
  case isa::EltFunc::Min:
  case isa::EltFunc::CmpGt:
  case isa::EltFunc::CmpGe:
  case isa::EltFunc::CmpEq:
  case isa::EltFunc::Select: {
    uint64_t bElems = e.bcast == isa::Bcast::None      ? n
                      : e.bcast == isa::Bcast::Channel ? e.channels
                                                       : 1;
    reads += bElems * isa::dtypeBytes(e.bDtype);
    if (e.func == isa::EltFunc::Select)
      reads += n; // the int8 condition
    wide = wide || isa::dtypeBytes(e.bDtype) > 1;
    break;
  }
  case isa::EltFunc::Rescale:
    if (e.perChannel)
      reads += uint64_t(e.channels) * 8;
    break;
  case isa::EltFunc::Lut:
    reads += 256 * isa::dtypeBytes(e.outDtype);
    break;
  case isa::EltFunc::Softmax:
  case isa::EltFunc::LogSoftmax:
    // Three passes over each row (max, exp-sum, normalise), 32-bit sums.
    reads += 256 * 4 + 2 * n * isa::dtypeBytes(e.aDtype);
    wide = true;
    break;
  case isa::EltFunc::LayerNorm:
    // Three passes over each row (sum, sum of squares, normalise), 64-bit.
    reads += 2 * n * isa::dtypeBytes(e.aDtype);
    wide = true;
    break;
  case isa::EltFunc::Clamp:
    break;
  }
  return vectorCost(n, reads, n * isa::dtypeBytes(e.outDtype), wide, m);
}

InstrCost sim::instrCost(const isa::Instr &in, const MachineModel &m) {
  switch (in.op) {
  case isa::Opcode::Load:
  case isa::Opcode::Store:
    return dmaCost(in, m);
  case isa::Opcode::Conv:
    return convCost(in.conv(), m);
  case isa::Opcode::Pool:
    return poolCost(in.pool(), m);
  case isa::Opcode::Eltwise:
    return eltwiseCost(in.eltwise(), m);
  case isa::Opcode::Host: { // hostCost knows the segment's work
    InstrCost r;
    r.unit = Unit::Host;
    return r;
  }
  case isa::Opcode::Nop:
  case isa::Opcode::Finish:
    break;
  }
  return InstrCost{}; // no unit, no cycles: only its tokens
}

double sim::hostSegmentUs(const isa::HostSegment &seg, const MachineModel &m) {
  // GFLOP/s is 1e3 FLOP per microsecond, GB/s 1e3 bytes per microsecond.
  double compute = m.hostGflops > 0 ? double(seg.flops) / (m.hostGflops * 1e3)
                                    : 0;
  double memory = m.hostGbps > 0 ? double(seg.bytes) / (m.hostGbps * 1e3) : 0;
  return std::max(compute, memory) + kHostCrossings * m.hostCrossingUs;
}

InstrCost sim::hostCost(const isa::HostSegment &seg, const MachineModel &m) {
  InstrCost r;
  r.unit = Unit::Host;
  r.events.hostFlops = seg.flops;
  r.events.hostBytes = seg.bytes;
  r.events.hostUs = hostSegmentUs(seg, m);
  r.cycles = ceilDiv(r.events.hostUs * m.clockMhz, 1.0);
  return r;
}
