//===- TimingTest.cpp - Cycle and energy model against hand computation ---===//
//
// Every expected number below is worked out in the comment above it from the
// formulas of docs/simulator.md and the parameters of handModel():
//   clock 1000 MHz, MAC array R x C = 8 x 4, int16 2x slower, epilogue 4,
//   vector 16 lanes + 4, SRAM 8 banks x 16 B = 128 B/cycle, DRAM 16 B/cycle,
//   latency 100, DMA 32 B/cycle, setup 8, burst 64 B; energy: int8 MAC
//   0.25 pJ, int16 1 pJ, vector op 0.5 pJ, SRAM read 2 / write 3 pJ/B, DRAM
//   100 pJ/B, static 1000 mW (= 1000 pJ per 1 ns cycle).
//
//===----------------------------------------------------------------------===//
#include "SimTestUtil.h"

#include "simulator/Timing.h"

using namespace tessera;
using namespace tessera::sim;
using namespace tessera::sim::test;

namespace {

const char *kHeader = R"(
.target hand
.sram_bytes 0x10000
.dram_bytes 0x1000
.layer 0 name="l0" op="Conv" macs=9216 shape=[1,8,4,4]
.layer 1 name="l1" op="MaxPool" macs=0 shape=[1,16,2,2]
)";

SimOptions timingOnly() {
  SimOptions o;
  o.functional = false;
  return o;
}

/// Runs `body` (instruction lines) timing-only under `m`.
SimRun runTiming(const std::string &body, MachineModel m = handModel()) {
  return runOk(assembleOk(std::string(kHeader) + body), std::move(m),
               timingOnly());
}

uint64_t duration(const InstrRecord &r) { return r.end - r.start; }

// The 3x3 CONV tile used below: ih = iw = 6, ic = oc = 8, no padding, so
// OH = OW = 4, P = 16 pixels, K = 3*3*8 = 72, MACs = 16 * 8 * 72 = 9216.
std::string conv(const std::string &prefix = "layer=0",
                 const std::string &extra = "") {
  return "compute conv " + prefix +
         " in=0x0 w=0x200 bias=0x500 params=0x600 out=0x700 ih=6 iw=6 ic=8 "
         "oc=8 kh=3 kw=3 bias_en=1 " +
         extra + "\n";
}
const std::string kConv = conv();

} // namespace

// 1024 contiguous, burst-aligned bytes:
// 8 (setup) + 100 (latency) + 1024 / min(16, 32) = 172 cycles.
TEST(DmaTiming, SingleTransferMatchesFormula) {
  SimRun r = runTiming("load load layer=0 dram=0x0 sram=0x0 inner=1024\n");
  ASSERT_EQ(r.sim->timeline().size(), 1u);
  EXPECT_EQ(r.sim->timeline()[0].start, 0u);
  EXPECT_EQ(r.sim->timeline()[0].end, 172u);
  EXPECT_EQ(r.report.totals.cycles(), 172u);
  EXPECT_EQ(r.report.layers[0].busy[size_t(Unit::LoadDma)], 172u);
  EXPECT_EQ(r.report.layers[0].events.dramReadBytes, 1024u);
  EXPECT_EQ(r.report.layers[0].events.sramWriteBytes, 1024u);
  EXPECT_EQ(r.report.layers[0].events.dramBurstBytes, 1024u);
}

// 8 runs of 16 bytes, 64 apart: each run costs a whole 64-byte burst, so
// 512 bus bytes: 8 + 100 + 512 / 16 = 140 cycles for 128 useful bytes.
TEST(DmaTiming, ShortRunsCostWholeBursts) {
  SimRun r = runTiming("load load layer=0 dram=0x0 sram=0x0 inner=16 count1=8 "
                       "stride1=64\n");
  EXPECT_EQ(duration(r.sim->timeline()[0]), 140u);
  EXPECT_EQ(r.report.layers[0].events.dramReadBytes, 128u);
  EXPECT_EQ(r.report.layers[0].events.dramBurstBytes, 512u);
}

// 64 bytes starting mid-burst (0x20) touch two bursts: 8 + 100 + 128 / 16.
TEST(DmaTiming, UnalignedRunTouchesTwoBursts) {
  SimRun r = runTiming("load load layer=0 dram=0x20 sram=0x0 inner=64\n");
  EXPECT_EQ(duration(r.sim->timeline()[0]), 116u);
}

// Runs that follow each other (stride1 == inner) are one 128-byte run at
// 0x20: bursts [0, 64), [64, 128), [128, 192) -> 192 bus bytes,
// 8 + 100 + 12 = 120 (four separate 32-byte runs would cost 124).
TEST(DmaTiming, ContiguousRunsMerge) {
  SimRun r = runTiming("load load layer=0 dram=0x20 sram=0x0 inner=32 count1=4 "
                       "stride1=32\n");
  EXPECT_EQ(duration(r.sim->timeline()[0]), 120u);
}

// The DMA engine is the bottleneck when narrower than DRAM: with DMA at
// 8 B/cycle, 8 + 100 + 1024 / 8 = 236.
TEST(DmaTiming, NarrowDmaEngineLimits) {
  MachineModel m = handModel();
  m.dmaBytesPerCycle = 8;
  SimRun r = runTiming("load load layer=0 dram=0x0 sram=0x0 inner=1024\n", m);
  EXPECT_EQ(duration(r.sim->timeline()[0]), 236u);
}

// K = 72 over R = 8 rows: 9 blocks; oc = 8 over C = 4 columns: 2 blocks;
// passes = 18, each max(P = 16, R = 8) = 16 cycles.
// MAC array: R + passes * 16 + (R + C - 2) = 8 + 288 + 10 = 306.
// SRAM: input streamed once per column block 16 * 72 * 2 = 2304, weights
// 8 * 72 = 576, bias 32, params 8, output 16 * 8 = 128 -> 3048 B / 128 =
// 24 cycles. Instruction: max(306, 24) + epilogue 4 = 310.
TEST(ConvTiming, TileMatchesMacArrayFormula) {
  SimRun r = runTiming(kConv);
  EXPECT_EQ(duration(r.sim->timeline()[0]), 310u);
  const InstrCost &c = r.sim->timeline()[0].cost;
  EXPECT_EQ(c.macArrayCycles, 306u);
  EXPECT_EQ(c.sramCycles, 24u);
  EXPECT_EQ(c.events.macsInt8, 9216u);
  EXPECT_EQ(c.events.sramReadBytes, 2920u);
  EXPECT_EQ(c.events.sramWriteBytes, 128u);
  EXPECT_EQ(r.report.layers[0].macs, 9216u);
  EXPECT_TRUE(r.report.layers[0].macsMatch());
  EXPECT_EQ(r.report.layers[0].busy[size_t(Unit::MacArray)], 310u);
}

// With SRAM at 1 B/cycle the 3048 operand bytes dominate: 3048 + 4.
TEST(ConvTiming, SramBandwidthCapsCompute) {
  MachineModel m = handModel();
  m.sramBanks = 1;
  m.sramBankBytesPerCycle = 1;
  SimRun r = runTiming(kConv, m);
  EXPECT_EQ(duration(r.sim->timeline()[0]), 3052u);
}

// int16 input at half rate: each pass streams 16 * 2 = 32 cycles;
// 8 + 18 * 32 + 10 = 594; SRAM (2 B inputs) 4608 + 576 + 40 + 128 = 5352 B
// = 42 cycles; 594 + 4 = 598. The MACs count as int16.
TEST(ConvTiming, Int16RunsAtItsRate) {
  SimRun r = runTiming(conv("layer=0", "in_dtype=int16"));
  EXPECT_EQ(duration(r.sim->timeline()[0]), 598u);
  EXPECT_EQ(r.sim->timeline()[0].cost.events.macsInt16, 9216u);
}

// Depthwise 1x2, 8 channels: K = 2, one output channel per group, so
// min(8 groups, R / K = 4, C / 1 = 4) = 4 groups share a pass: 2 passes.
// ih = 4, iw = 5 -> OH = 4, OW = 4, P = 16: 8 + 2 * 16 + 10 = 50;
// SRAM 16 * 8 * 2 + 16 + 8 + 128 = 408 B = 4 cycles; 50 + 4 = 54.
TEST(ConvTiming, DepthwiseGroupsPackBlockDiagonally) {
  SimRun r = runTiming("compute conv layer=0 in=0x0 w=0x200 params=0x600 "
                       "out=0x700 ih=4 iw=5 ic=8 oc=8 kh=1 kw=2 groups=8\n");
  ConvMapping map =
      convMapping(r.sim->program().code[1][0].conv(), handModel());
  EXPECT_EQ(map.groupsPerPass, 4u);
  EXPECT_EQ(map.passes, 2u);
  EXPECT_EQ(duration(r.sim->timeline()[0]), 54u);
}

// A fully connected tile (1 pixel) is weight-load bound on a
// weight-stationary array: ic = 64, oc = 8 -> 8 * 2 = 16 passes of
// max(1, R = 8) cycles: 8 + 128 + 10 = 146, + 4 = 150.
TEST(ConvTiming, FullyConnectedIsWeightLoadBound) {
  SimRun r = runTiming("compute conv layer=0 in=0x0 w=0x200 params=0x600 "
                       "out=0x700 ih=1 iw=1 ic=64 oc=8\n");
  EXPECT_EQ(duration(r.sim->timeline()[0]), 150u);
}

// Max pool 2x2/2 over 4x4x16: 64 outputs x 4 window positions = 256 ops /
// 16 lanes = 16; SRAM 256 + 64 = 320 B = 3 cycles; 16 + 4 = 20.
TEST(VectorTiming, PoolAtLanesPerCycle) {
  SimRun r = runTiming("compute pool layer=1 in=0x0 out=0x400 ih=4 iw=4 c=16 "
                       "kh=2 kw=2 stride_h=2 stride_w=2\n");
  EXPECT_EQ(duration(r.sim->timeline()[0]), 20u);
  EXPECT_EQ(r.report.layers[1].busy[size_t(Unit::Vector)], 20u);
}

// Add of 10 x 16 int8 elements: 160 / 16 = 10; SRAM 160 * 3 = 480 B = 4
// cycles; 10 + 4 = 14.
TEST(VectorTiming, EltwiseAtLanesPerCycle) {
  SimRun r =
      runTiming("compute eltwise layer=1 func=add a=0x0 b=0x100 out=0x200 "
                "rows=10 channels=16 a_shift=2 b_shift=2 out_shift=2\n");
  EXPECT_EQ(duration(r.sim->timeline()[0]), 14u);
}

// Two 1024-byte loads feed two CONV tiles. Double-buffered (the second load
// needs no token): L0 [0, 172); C0 starts at L0's token, [172, 482); L1 is
// issued at 172 and its data phase waits for nothing: [172, 344) overlaps
// C0; C1 starts at max(482, 344): [482, 792). 792 < 2 * 172 + 2 * 310 = 964.
TEST(Overlap, LoadOfNextTileOverlapsCompute) {
  SimRun r = runTiming(R"(
load load layer=0 deps=push_next dram=0x0 sram=0x0 inner=1024
load load layer=1 deps=push_next dram=0x400 sram=0x800 inner=1024
)" + conv("layer=0 deps=pop_prev") +
                       conv("layer=1 deps=pop_prev"));
  const auto &t = r.sim->timeline();
  ASSERT_EQ(t.size(), 4u);
  uint64_t sum = 0;
  for (const InstrRecord &x : t)
    sum += duration(x);
  EXPECT_EQ(sum, 964u);
  EXPECT_EQ(r.report.totals.cycles(), 792u);
  // Records are in issue order: L0, L1, C0, C1 (L1 and C0 both start at
  // 172; ties issue in queue order LOAD, COMPUTE, STORE).
  EXPECT_EQ(t[1].queue, isa::Queue::Load);
  EXPECT_EQ(t[1].start, 172u);
  EXPECT_EQ(t[1].end, 344u);
  EXPECT_EQ(t[2].queue, isa::Queue::Compute);
  EXPECT_EQ(t[2].start, 172u);
  EXPECT_EQ(t[2].end, 482u);
  EXPECT_EQ(t[3].start, 482u);
  // Leakage split: [0,172) layer 0; [172,344) both (86 each); [344,482)
  // layer 0; [482,792) layer 1 -> 396 cycles x 1000 pJ each.
  EXPECT_DOUBLE_EQ(r.report.layers[0].energyPj.leakage, 396000.0);
  EXPECT_DOUBLE_EQ(r.report.layers[1].energyPj.leakage, 396000.0);
}

// Single-buffered: L1 must wait until C0 has read the buffer (C0 pushes a
// token back to LOAD). L1 [482, 654), C1 [654, 964): the sum, no overlap.
TEST(Overlap, TokensSerialiseWhenTheyShould) {
  std::string c0 = conv("layer=0 deps=pop_prev,push_prev");
  std::string c1 = conv("layer=1 deps=pop_prev");
  SimRun r = runTiming(R"(
load load layer=0 deps=push_next dram=0x0 sram=0x0 inner=1024
load load layer=1 deps=pop_next,push_next dram=0x400 sram=0x0 inner=1024
)" + c0 + c1);
  const auto &t = r.sim->timeline();
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[1].queue, isa::Queue::Compute);
  EXPECT_EQ(t[2].queue, isa::Queue::Load);
  EXPECT_EQ(t[2].start, t[1].end); // waits for C0's token
  EXPECT_EQ(t[2].start, 482u);
  EXPECT_EQ(r.report.totals.cycles(), 964u);
}

// A LOAD and a STORE at the same time share the DRAM channel: the store's
// data phase starts when the load's 64 channel cycles end.
// LOAD: [0, 172), channel [108, 172). STORE (no tokens): fixed part ends at
// 108, data waits for the channel until 172, then 1024 / 16: ends at 236.
TEST(Overlap, LoadAndStoreShareDram) {
  SimRun r = runTiming(R"(
load load layer=0 dram=0x0 sram=0x0 inner=1024
store store layer=0 dram=0x800 sram=0x400 inner=1024
)");
  const auto &t = r.sim->timeline();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1].queue, isa::Queue::Store);
  EXPECT_EQ(t[1].start, 0u);
  EXPECT_EQ(t[1].end, 236u);
}

// Energy is the hand sum of the events:
// layer 0, LOAD 1024 B [0, 172): DRAM 1024 x 100 = 102400, SRAM write
//   1024 x 3 = 3072, leakage 172 x 1000 = 172000 -> 277472 pJ.
// layer 1, POOL [172, 192): 256 ops x 0.5 = 128, SRAM read 256 x 2 = 512,
//   write 64 x 3 = 192, leakage 20 x 1000 = 20000 -> 20832 pJ.
// Total 298304 pJ = 0.298304 uJ; leakage total = 192 cycles x 1000.
TEST(Energy, EqualsHandSumOfEvents) {
  SimRun r = runTiming(R"(
load load layer=0 deps=push_next dram=0x0 sram=0x0 inner=1024
compute pool layer=1 deps=pop_prev in=0x0 out=0x400 ih=4 iw=4 c=16 kh=2 kw=2 stride_h=2 stride_w=2
)");
  const Report &rep = r.report;
  EXPECT_DOUBLE_EQ(rep.layers[0].energyPj.dram, 102400.0);
  EXPECT_DOUBLE_EQ(rep.layers[0].energyPj.sram, 3072.0);
  EXPECT_DOUBLE_EQ(rep.layers[0].energyPj.leakage, 172000.0);
  EXPECT_DOUBLE_EQ(rep.layers[0].energyPj.total(), 277472.0);
  EXPECT_DOUBLE_EQ(rep.layers[1].energyPj.vector, 128.0);
  EXPECT_DOUBLE_EQ(rep.layers[1].energyPj.sram, 704.0);
  EXPECT_DOUBLE_EQ(rep.layers[1].energyPj.total(), 20832.0);
  EXPECT_DOUBLE_EQ(rep.totals.energyPj.total(), 298304.0);
  EXPECT_DOUBLE_EQ(rep.totals.energyPj.leakage, 192000.0);
  EXPECT_NEAR(rep.totals.energyUj(), 0.298304, 1e-12);
}

// CONV energy: 9216 MACs x 0.25 = 2304; SRAM 2920 x 2 + 128 x 3 = 6224;
// leakage 310 x 1000 -> 318528 pJ. Latency 0.31 us; achieved
// 2 x 9216 / 0.31 us = 0.05945... TOPS; utilisation 9216 / (32 x 310).
TEST(Energy, ConvLayerReport) {
  SimRun r = runTiming(kConv);
  const LayerStats &l = r.report.layers[0];
  EXPECT_DOUBLE_EQ(l.energyPj.total(), 318528.0);
  EXPECT_DOUBLE_EQ(r.report.latencyUs(l), 0.31);
  EXPECT_NEAR(r.report.achievedTops(l), 2.0 * 9216 / 0.31e-6 * 1e-12, 1e-12);
  EXPECT_NEAR(r.report.macUtilisation(), 9216.0 / (32.0 * 310.0), 1e-12);
}

// The layer table's MAC count is cross-checked against the instructions.
TEST(Stats, MacMismatchIsReported) {
  std::string text = kHeader;
  text.replace(text.find("macs=9216"), 9, "macs=9000");
  auto rep = runOk(assembleOk(text + kConv), handModel(), timingOnly()).report;
  ASSERT_EQ(rep.macMismatches().size(), 1u);
  EXPECT_EQ(rep.macMismatches()[0]->id, 0);
  EXPECT_EQ(rep.layers[0].tableMacs, 9000u);
  EXPECT_EQ(rep.layers[0].macs, 9216u);
}

// instrCost is a pure function of the instruction and the model.
TEST(Timing, BurstsTouched) {
  EXPECT_EQ(burstsTouched(0, 64, 64), 1u);
  EXPECT_EQ(burstsTouched(0, 65, 64), 2u);
  EXPECT_EQ(burstsTouched(63, 2, 64), 2u);
  EXPECT_EQ(burstsTouched(64, 1, 64), 1u);
  EXPECT_EQ(burstsTouched(10, 0, 64), 0u);
}

// With one DMA engine a STORE waits for the LOAD: the store issues at 172,
// its data phase at 172 + 108 = 280, ends at 280 + 64 = 344.
TEST(Overlap, OneDmaEngineSerialisesLoadAndStore) {
  MachineModel m = handModel();
  m.dmaEngines = 1;
  SimRun r = runTiming(R"(
load load layer=0 dram=0x0 sram=0x0 inner=1024
store store layer=0 dram=0x800 sram=0x400 inner=1024
)",
                       m);
  const auto &t = r.sim->timeline();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1].start, 172u);
  EXPECT_EQ(t[1].end, 344u);
}

// An int16 operand runs at the int16 lanes (8): 160 / 8 = 20; SRAM
// 320 + 160 + 160 = 640 B = 5 cycles; 20 + 4 = 24.
TEST(VectorTiming, Int16OperandsUseInt16Lanes) {
  SimRun r = runTiming("compute eltwise layer=1 func=add a=0x0 b=0x200 "
                       "out=0x400 rows=10 channels=16 a_dtype=int16 a_shift=2 "
                       "b_shift=2 out_shift=2\n");
  EXPECT_EQ(duration(r.sim->timeline()[0]), 24u);
}

// Programs may only use what the target has.
TEST(Supported, VectorOpsAndInt16AreChecked) {
  MachineModel m = handModel();
  m.vectorOps = {"add"};
  auto sim = Simulator::create(
      assembleOk(std::string(kHeader) +
                 "compute pool layer=1 in=0x0 out=0x400 ih=4 iw=4 c=16 kh=2 "
                 "kw=2 stride_h=2 stride_w=2\n"),
      m);
  ASSERT_FALSE(bool(sim));
  EXPECT_EQ(llvm::toString(sim.takeError()),
            "compute[0] pool: target 'hand' has no vector operation "
            "'max_pool'");
  m = handModel();
  m.int16Slowdown = 0;
  sim = Simulator::create(
      assembleOk(std::string(kHeader) + conv("layer=0", "w_dtype=int16")), m);
  ASSERT_FALSE(bool(sim));
  EXPECT_EQ(llvm::toString(sim.takeError()),
            "compute[0] conv: target 'hand' has no int16 MACs");
}

// Host segments (docs/simulator.md "Host segments"): time = max(flops /
// GFLOP/s, bytes / GB/s) + 2 crossings; energy = time x host power.
TEST(HostTiming, SegmentTimeAndEnergyByHand) {
  MachineModel m = handModel(); // 1 GHz NPU clock
  m.hostCores = 4;
  m.hostGflops = 6.0;     // 6e3 FLOP per us
  m.hostGbps = 2.0;       // 2e3 bytes per us
  m.hostCrossingUs = 50.0;
  m.hostPowerW = 0.5;
  isa::HostSegment seg;
  seg.flops = 432;  // 0.072 us of compute
  seg.bytes = 3168; // 1.584 us of memory traffic: the bound
  EXPECT_DOUBLE_EQ(hostSegmentUs(seg, m), 1.584 + 2 * 50.0);
  InstrCost c = hostCost(seg, m);
  EXPECT_EQ(c.unit, Unit::Host);
  EXPECT_EQ(c.cycles, 101584u); // 101.584 us at 1000 MHz
  EXPECT_EQ(c.events.hostFlops, 432u);
  EXPECT_EQ(c.events.hostBytes, 3168u);
  // 101.584 us x 0.5 W = 50.792 uJ = 5.0792e7 pJ.
  EXPECT_NEAR(dynamicEnergy(c.events, m).host, 5.0792e7, 1e-3);
  // Compute-bound: 60000 FLOP = 10 us > 1.584 us.
  seg.flops = 60000;
  EXPECT_DOUBLE_EQ(hostSegmentUs(seg, m), 10.0 + 100.0);
}
