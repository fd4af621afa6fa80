//===- FunctionalTest.cpp - Bit-exact execution, I/O and error cases ------===//
//
// The oracle for the arithmetic is core/kernels run directly on the whole
// tensor; the simulator must reproduce it from tiles with their own pads,
// whatever the timing parameters.
//
//===----------------------------------------------------------------------===//
#include "SimTestUtil.h"

#include "core/kernels/Conv.h"
#include "core/tensor/Limits.h"
#include "core/kernels/Rescale.h"
#include "core/quant/Quant.h"

#include <random>

using namespace tessera;
using namespace tessera::sim;
using namespace tessera::sim::test;

namespace {

/// A 3x3, pad 1 convolution of a [H=6, W=5, C=4] int8 NHWC input to 6
/// output channels, per-channel requantisation, bias, fused ReLU, computed
/// as two bands of three output rows. Band 0 reads input rows 0..3 with
/// pad_t = 1, band 1 rows 2..5 with pad_b = 1.
///
/// DRAM: weights [6,3,3,4] at 0x0, bias at 0x100, (mult, shift) pairs at
/// 0x140, input at 0x180 (120 B), output at 0x200 (180 B).
/// SRAM: weights 0x0, bias 0x100, params 0x140, input bands 0x200 and 0x280
/// (80 B each, double-buffered), output band 0x300 (90 B, single: conv 1
/// waits until band 0 is stored, a store -> compute token). A 256-byte
/// load that nobody reads sits before the second band, so whether that
/// band's load issues before or after the first store depends on the
/// machine: the schedule differs between models, the result must not.
struct ConvCase {
  static constexpr int H = 6, W = 5, C = 4, OC = 6, K = 3;
  static constexpr int32_t inZp = 3, outZp = -2;
  std::vector<int8_t> input;   // NHWC
  std::vector<int8_t> weights; // OHWI
  std::vector<int32_t> bias, mult, shift, pairs;
  std::string text;

  ConvCase() {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> i8(-128, 127);
    std::uniform_int_distribution<int> b(-2000, 2000);
    for (int i = 0; i < H * W * C; ++i)
      input.push_back(static_cast<int8_t>(i8(rng)));
    for (int i = 0; i < OC * K * K * C; ++i)
      weights.push_back(static_cast<int8_t>(i8(rng)));
    for (int o = 0; o < OC; ++o) {
      bias.push_back(b(rng));
      auto m = quant::quantizeMultiplier(0.0011 * (o + 1));
      mult.push_back(m->multiplier);
      shift.push_back(m->shift);
      pairs.push_back(m->multiplier);
      pairs.push_back(m->shift);
    }
    std::vector<uint8_t> image(0x180, 0);
    auto put = [&](size_t at, const std::vector<uint8_t> &b) {
      std::copy(b.begin(), b.end(), image.begin() + at);
    };
    put(0x0, bytesOf(weights));
    put(0x100, bytesOf(bias));
    put(0x140, bytesOf(pairs));
    std::string conv = "w=0x0 bias=0x100 params=0x140 out=0x300 "
                       "ih=4 iw=5 ic=4 oc=6 kh=3 kw=3 pad_l=1 pad_r=1 "
                       "bias_en=1 per_channel=1 in_zp=3 out_zp=-2 "
                       "clamp_min=-2 clamp_max=127";
    text = R"(
.target hand
.sram_bytes 0x1000
.dram_bytes 0x300
.layer 0 name="conv" op="Conv" macs=6480 shape=[1,6,6,5]
.input name="x" dtype=int8 shape=[1,4,6,5] scale=0.5 zp=3 offset=0x180 layout=nhwc
.output name="y" dtype=int8 shape=[1,6,6,5] scale=0.25 zp=-2 offset=0x200 layout=nhwc
)" + dataLines(0, image) +
           R"(
load load layer=0 kind=weight dram=0x0 sram=0x0 inner=216 elem=1
load load layer=0 kind=param dram=0x100 sram=0x100 inner=24 elem=4
load load layer=0 kind=param dram=0x140 sram=0x140 inner=48 elem=4
load load layer=0 deps=push_next dram=0x180 sram=0x200 inner=80
load load layer=0 dram=0x0 sram=0x800 inner=256
load load layer=0 deps=push_next dram=0x1a8 sram=0x280 inner=80
compute conv layer=0 deps=pop_prev,push_next pad_t=1 in=0x200 )" +
           conv + R"(
compute conv layer=0 deps=pop_prev,pop_next,push_next pad_b=1 in=0x280 )" +
           conv + R"(
store store layer=0 deps=pop_prev,push_prev dram=0x200 sram=0x300 inner=90
store store layer=0 deps=pop_prev dram=0x25a sram=0x300 inner=90
)";
  }

  /// kernels::conv2d on the whole tensor: the oracle, NHWC.
  std::vector<int8_t> reference() const {
    kernels::Conv2DParams p;
    p.inH = H, p.inW = W, p.inC = C;
    p.outH = H, p.outW = W, p.outC = OC;
    p.kernelH = p.kernelW = K;
    p.padTop = p.padBottom = p.padLeft = p.padRight = 1;
    p.inputZp = inZp;
    kernels::Requantize rq;
    rq.multiplier = mult.data();
    rq.shift = shift.data();
    rq.numChannels = OC;
    rq.doubleRound = false;
    rq.outputZp = outZp;
    rq.clampMin = -2;
    rq.clampMax = 127;
    std::vector<int8_t> out(H * W * OC);
    kernels::conv2d<int8_t, int8_t, int8_t>(p, input.data(), weights.data(),
                                            bias.data(), rq, out.data());
    return out;
  }

  /// The input in ONNX (NCHW) order, as the API takes it.
  std::vector<int64_t> inputNchw() const {
    std::vector<int64_t> v(H * W * C);
    for (int c = 0; c < C; ++c)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          v[(c * H + y) * W + x] = input[(y * W + x) * C + c];
    return v;
  }
};

SimRun runConvCase(const ConvCase &cc, MachineModel m) {
  auto sim = Simulator::create(assembleOk(cc.text), std::move(m));
  if (!sim) {
    ADD_FAILURE() << llvm::toString(sim.takeError());
    return {};
  }
  if (auto err = (*sim)->setQuantizedInput("x", {1, 4, 6, 5}, cc.inputNchw()))
    ADD_FAILURE() << llvm::toString(std::move(err));
  SimRun r;
  r.sim = std::move(*sim);
  auto rep = r.sim->run();
  if (!rep)
    ADD_FAILURE() << llvm::toString(rep.takeError());
  else
    r.report = std::move(*rep);
  return r;
}

} // namespace

TEST(Functional, TiledConvEqualsKernelOnWholeTensor) {
  ConvCase cc;
  SimRun r = runConvCase(cc, handModel());
  ASSERT_TRUE(r.sim);
  std::vector<int8_t> ref = cc.reference();
  // The output region of DRAM holds the NHWC result byte for byte.
  const std::vector<uint8_t> &dram = r.sim->memories().dram;
  for (size_t i = 0; i < ref.size(); ++i)
    ASSERT_EQ(static_cast<int8_t>(dram[0x200 + i]), ref[i]) << "element " << i;
  // output() returns it in ONNX order, dequantised with scale 0.25, zp -2.
  auto y = r.sim->output("y");
  ASSERT_TRUE(bool(y)) << llvm::toString(y.takeError());
  for (int o = 0; o < ConvCase::OC; ++o)
    for (int yy = 0; yy < ConvCase::H; ++yy)
      for (int x = 0; x < ConvCase::W; ++x) {
        size_t onnx = (o * ConvCase::H + yy) * ConvCase::W + x;
        int8_t want = ref[(yy * ConvCase::W + x) * ConvCase::OC + o];
        ASSERT_EQ(y->values[onnx], want);
        ASSERT_FLOAT_EQ(y->dequantized[onnx], 0.25f * (want + 2));
      }
  // The fused ReLU is visible: nothing below the zero point.
  for (int64_t v : y->values)
    EXPECT_GE(v, -2);
  EXPECT_EQ(r.report.layers[0].macs, 6480u); // 6*5*6 outputs x 36
  EXPECT_TRUE(r.report.layers[0].macsMatch());
}

// The ISA's contract: with every conflicting access ordered by tokens, the
// result does not depend on timing. Two machines that differ in every
// parameter (array 8x4 vs 3x5, DRAM 16 vs 0.3 B/cycle, ...) give different
// schedules and the same bits.
TEST(Functional, ResultsIndependentOfTiming) {
  ConvCase cc;
  SimRun fast = runConvCase(cc, handModel());
  SimRun slow = runConvCase(cc, slowModel());
  ASSERT_TRUE(fast.sim && slow.sim);
  EXPECT_NE(fast.report.totals.cycles(), slow.report.totals.cycles());
  // The issue order differs too: compare the queue sequences.
  std::vector<isa::Queue> orderFast, orderSlow;
  for (const InstrRecord &x : fast.sim->timeline())
    orderFast.push_back(x.queue);
  for (const InstrRecord &x : slow.sim->timeline())
    orderSlow.push_back(x.queue);
  EXPECT_NE(orderFast, orderSlow);
  EXPECT_EQ(fast.sim->memories().dram, slow.sim->memories().dram);
  EXPECT_EQ(fast.sim->output("y")->values, slow.sim->output("y")->values);
}

// Timing-only runs count the same events and cycles without arithmetic.
TEST(Functional, TimingOnlyHasSameReport) {
  ConvCase cc;
  SimRun full = runConvCase(cc, handModel());
  SimOptions o;
  o.functional = false;
  SimRun timing = runOk(assembleOk(cc.text), handModel(), o);
  EXPECT_FALSE(timing.report.functional);
  EXPECT_EQ(full.report.totals.cycles(), timing.report.totals.cycles());
  EXPECT_EQ(full.report.totals.macs, timing.report.totals.macs);
  EXPECT_DOUBLE_EQ(full.report.totals.energyPj.total(),
                   timing.report.totals.energyPj.total());
}

namespace {
/// Copies input x (int8 [1,3,2,2], nhwc) through SRAM to output y (int8
/// [12], row_major), exposing the NHWC storage order.
const char *kCopy = R"(
.target hand
.sram_bytes 0x100
.dram_bytes 0x80
.layer 0 name="copy" op="Identity" macs=0 shape=[12]
.input name="x" dtype=int8 shape=[1,3,2,2] scale=0.5 zp=1 offset=0x0 layout=nhwc
.output name="y" dtype=int8 shape=[12] scale=0.5 zp=1 offset=0x40 layout=row_major
load load layer=0 deps=push_next dram=0x0 sram=0x0 inner=12
compute nop deps=pop_prev,push_next
store store layer=0 deps=pop_prev dram=0x40 sram=0x0 inner=12
)";
} // namespace

// NCHW element (c, y, x) = 4c + 2y + x is stored at NHWC index
// (2y + x) * 3 + c, so the row-major copy reads 0,4,8, 1,5,9, 2,6,10, 3,7,11.
TEST(InputOutput, NhwcLayoutConversion) {
  auto sim = Simulator::create(assembleOk(kCopy), handModel());
  ASSERT_TRUE(bool(sim)) << llvm::toString(sim.takeError());
  std::vector<int64_t> v(12);
  for (int i = 0; i < 12; ++i)
    v[i] = i;
  ASSERT_FALSE(bool((*sim)->setQuantizedInput("x", {1, 3, 2, 2}, v)));
  ASSERT_TRUE(bool((*sim)->run()));
  auto y = (*sim)->output("y");
  ASSERT_TRUE(bool(y));
  EXPECT_EQ(y->values,
            (std::vector<int64_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
}

// Float inputs are quantised with the descriptor's scale 0.5 and zero point
// 1, half to even, saturating: 0.25 -> round(0.5) + 1 = 1, 0.75 ->
// round(1.5) + 1 = 3, -0.25 -> round(-0.5) + 1 = 1, 1.25 -> round(2.5) + 1
// = 3, 100 -> 127, -100 -> -128; unset inputs hold the zero point.
TEST(InputOutput, FloatInputsQuantiseHalfEven) {
  auto sim = Simulator::create(assembleOk(kCopy), handModel());
  ASSERT_TRUE(bool(sim));
  EXPECT_EQ((*sim)->unsetInputs(), std::vector<std::string>{"x"});
  // NCHW order; c = 0 holds the first four values.
  std::vector<float> v = {0.25f, 0.75f, -0.25f, 1.25f, 100.f, -100.f,
                          0,     0,     0,      0,     0,     0};
  ASSERT_FALSE(bool((*sim)->setInput("x", {1, 3, 2, 2}, v)));
  EXPECT_TRUE((*sim)->unsetInputs().empty());
  ASSERT_TRUE(bool((*sim)->run()));
  auto y = (*sim)->output("y");
  ASSERT_TRUE(bool(y));
  // Row-major copy of NHWC: index (2y + x) * 3 + c.
  EXPECT_EQ(y->values[0], 1);   // c0 (0,0): 0.25
  EXPECT_EQ(y->values[3], 3);   // c0 (0,1): 0.75
  EXPECT_EQ(y->values[6], 1);   // c0 (1,0): -0.25
  EXPECT_EQ(y->values[9], 3);   // c0 (1,1): 1.25
  EXPECT_EQ(y->values[1], 127); // c1 (0,0): 100
  EXPECT_EQ(y->values[4], -128);
  EXPECT_EQ(y->values[2], 1);                 // c2: 0.0 -> zero point
  EXPECT_FLOAT_EQ(y->dequantized[1], 63.0f);  // 0.5 * (127 - 1)
  EXPECT_FLOAT_EQ(y->dequantized[4], -64.5f); // 0.5 * (-128 - 1)
}

TEST(InputOutput, UnsetInputsHoldTheirZeroPoint) {
  SimRun r = runOk(assembleOk(kCopy), handModel());
  auto y = r.sim->output("y");
  ASSERT_TRUE(bool(y));
  for (int64_t v : y->values)
    EXPECT_EQ(v, 1);
}

static std::string errorOf(llvm::Error e) {
  return e ? llvm::toString(std::move(e)) : std::string();
}

TEST(Errors, InputsAreChecked) {
  auto sim = Simulator::create(assembleOk(kCopy), handModel());
  ASSERT_TRUE(bool(sim));
  std::vector<int64_t> v(12, 0);
  EXPECT_EQ(errorOf((*sim)->setQuantizedInput("nope", {1, 3, 2, 2}, v)),
            "unknown input 'nope'");
  EXPECT_EQ(errorOf((*sim)->setQuantizedInput("x", {1, 2, 2, 3}, v)),
            "input 'x': expected shape [1,3,2,2] but got [1,2,2,3]");
  v[5] = 128;
  EXPECT_EQ(errorOf((*sim)->setQuantizedInput("x", {1, 3, 2, 2}, v)),
            "input 'x': value 128 at index 5 does not fit int8");
  EXPECT_EQ(errorOf((*sim)->setInput("x", {1, 3, 2, 2}, {1.0f})),
            "input 'x': expected 12 values but got 1");
}

TEST(Errors, SramTooSmall) {
  MachineModel m = handModel();
  m.sramBytes = 0x80; // the program declares 0x100
  auto sim = Simulator::create(assembleOk(kCopy), m);
  ASSERT_FALSE(bool(sim));
  EXPECT_EQ(llvm::toString(sim.takeError()),
            "program needs 256 bytes of SRAM but target 'hand' has 128");
}

// The program's DRAM (0x80 = 128 bytes here; a hostile header may claim up
// to 2^40) is allocated only within the process-wide memory budget.
TEST(Errors, DramOverTheMemoryBudget) {
  uint64_t saved = memoryBudget();
  setMemoryBudget(100);
  auto sim = Simulator::create(assembleOk(kCopy), handModel());
  setMemoryBudget(saved);
  ASSERT_FALSE(bool(sim));
  EXPECT_EQ(llvm::toString(sim.takeError()),
            "program DRAM: needs 128 bytes (128 bytes), over the memory "
            "budget of 100 bytes (--max-memory)");
  setMemoryBudget(128);
  auto ok = Simulator::create(assembleOk(kCopy), handModel());
  setMemoryBudget(saved);
  EXPECT_TRUE(bool(ok)) << llvm::toString(ok.takeError());
}

TEST(Errors, RunsOnceAndUnknownOutput) {
  SimRun r = runOk(assembleOk(kCopy), handModel());
  EXPECT_EQ(llvm::toString(r.sim->run().takeError()),
            "the simulator has already run this program");
  EXPECT_EQ(llvm::toString(r.sim->output("z").takeError()),
            "unknown output 'z'");
}

TEST(Errors, BadModel) {
  MachineModel m = handModel();
  m.macRows = 0;
  auto sim = Simulator::create(assembleOk(kCopy), m);
  EXPECT_EQ(llvm::toString(sim.takeError()),
            "machine model 'hand': mac_rows must be >= 1");
}

// A (multiplier, shift) pair read from SRAM is data, not a field: a shift
// outside TOSA's [2, 62] is an error naming the instruction, not UB.
TEST(Errors, BadParamsInSram) {
  std::string text = R"(
.target hand
.sram_bytes 0x1000
.dram_bytes 0x40
.layer 0 name="c" op="Conv" macs=1 shape=[1,1,1,1]
compute conv layer=0 in=0x0 w=0x10 params=0x20 out=0x30
)";
  SimRun r;
  auto sim = Simulator::create(assembleOk(text), handModel());
  ASSERT_TRUE(bool(sim));
  auto rep = (*sim)->run();
  ASSERT_FALSE(bool(rep));
  EXPECT_EQ(llvm::toString(rep.takeError()),
            "compute[0] conv: field 'params': pair 0: shift must be in [2, "
            "62] (TOSA REQUIRE), got 0");
}

// ELTWISE add with a per-channel B through the decode switch:
// a = [10, 20 | 30, 40] (2 rows x 2 channels), b = [1, 2] per channel, all
// scales 1.0 (multiplier 2^30, shift 30), out_zp 5: a + b + 5.
TEST(Functional, EltwiseChannelBroadcast) {
  std::vector<int8_t> a = {10, 20, 30, 40}, b = {1, 2};
  std::vector<uint8_t> image(64, 0);
  std::copy(a.begin(), a.end(), image.begin());
  std::copy(b.begin(), b.end(), image.begin() + 16);
  std::string text = R"(
.target hand
.sram_bytes 0x100
.dram_bytes 0x80
.layer 0 name="add" op="Add" macs=0 shape=[1,2,1,2]
.output name="y" dtype=int8 shape=[4] scale=1 zp=5 offset=0x40 layout=row_major
)" + dataLines(0, image) +
                     R"(
load load layer=0 deps=push_next dram=0x0 sram=0x0 inner=32
compute eltwise layer=0 deps=pop_prev,push_next func=add bcast=channel a=0x0 b=0x10 out=0x20 rows=2 channels=2 a_mult=1073741824 a_shift=30 b_mult=1073741824 b_shift=30 out_mult=1073741824 out_shift=30 out_zp=5
store store layer=0 deps=pop_prev dram=0x40 sram=0x20 inner=4
)";
  SimRun r = runOk(assembleOk(text), handModel());
  ASSERT_TRUE(r.sim);
  EXPECT_EQ(r.sim->output("y")->values, (std::vector<int64_t>{16, 27, 36, 47}));
}

namespace {
/// x (32 int8 at 0x0) -> HOST segment 0 -> z (32 int8 at 0x40): nothing
/// on the NPU but the hand-off.
isa::Program hostOnly() {
  isa::Program p;
  p.target = "hand";
  p.sramBytes = 1024;
  p.dramBytes = 128;
  p.layers.push_back({"sig1", "Host", 0, {1, 32}});
  isa::TensorDesc x{"x", isa::DType::Int8, {1, 32}, 1.0, 0, 0x0,
                    isa::Layout::RowMajor};
  isa::TensorDesc z{"z", isa::DType::Int8, {1, 32}, 1.0, 0, 0x40,
                    isa::Layout::RowMajor};
  p.inputs.push_back(x);
  p.outputs.push_back(z);
  isa::HostSegment seg;
  seg.name = "host_segment_0";
  seg.inputs = {x};
  seg.outputs = {z};
  seg.inputs[0].name = "in0";
  seg.outputs[0].name = "out0";
  seg.flops = 1000; // 1000 / (2 GFLOP/s x 1e3) = 0.5 us
  seg.bytes = 64;
  seg.program = {0x4d};
  p.hostSegments.push_back(seg);
  isa::Instr h(isa::Opcode::Host, 0);
  h.host().dramIn = 0;
  h.host().inBytes = 32;
  h.host().dramOut = 0x40;
  h.host().outBytes = 32;
  p.queue(isa::Queue::Store).push_back(h);
  return p;
}
MachineModel hostModel() {
  MachineModel m = handModel(); // 1000 MHz
  m.hostCores = 1;
  m.hostGflops = 2.0;
  m.hostGbps = 1.0;      // 64 B -> 0.064 us
  m.hostCrossingUs = 1.25;
  m.hostPowerW = 2.0;
  return m;
}
} // namespace

// The simulator hands the segment's DRAM tensors to the host executor and
// writes back what it returns; the HOST occupies the STORE queue for
// ceil((max(0.5, 0.064) + 2 x 1.25) us x 1000 MHz) = 3000 cycles.
TEST(HostExecution, ExecutorSeesInputsAndWritesOutputs) {
  SimOptions opts;
  std::string seen;
  opts.hostExecutor = [&](const isa::HostSegment &seg,
                          std::vector<Tensor> in)
      -> llvm::Expected<std::vector<Tensor>> {
    seen = seg.name;
    EXPECT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].elementType(), ElementType::I8);
    std::vector<int8_t> out(32);
    for (int i = 0; i < 32; ++i)
      out[i] = static_cast<int8_t>(-in[0].data<int8_t>()[i]);
    return std::vector<Tensor>{Tensor::fromValues<int8_t>({1, 32}, out)};
  };
  auto sim = Simulator::create(hostOnly(), hostModel(), opts);
  ASSERT_TRUE(bool(sim)) << llvm::toString(sim.takeError());
  std::vector<int64_t> x(32);
  for (int i = 0; i < 32; ++i)
    x[i] = i - 16;
  ASSERT_FALSE(llvm::errorToBool((*sim)->setQuantizedInput("x", {1, 32}, x)));
  auto report = (*sim)->run();
  ASSERT_TRUE(bool(report)) << llvm::toString(report.takeError());
  EXPECT_EQ(seen, "host_segment_0");
  auto z = (*sim)->output("z");
  ASSERT_TRUE(bool(z));
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(z->values[i], 16 - i) << i;
  EXPECT_EQ(report->layers[0].device, "cpu");
  EXPECT_EQ(report->totals.cycles(), 3000u);
  EXPECT_DOUBLE_EQ(report->layers[0].events.hostUs, 3.0);
  EXPECT_NEAR(report->layers[0].energyPj.host, 3.0 * 2.0 * 1e6, 1e-6);
}

TEST(HostExecution, NoExecutorIsAnErrorUnlessTimingOnly) {
  auto sim = Simulator::create(hostOnly(), hostModel());
  ASSERT_TRUE(bool(sim));
  auto report = (*sim)->run();
  ASSERT_FALSE(bool(report));
  EXPECT_NE(llvm::toString(report.takeError())
                .find("store[0] host segment 'host_segment_0': no host "
                      "executor installed"),
            std::string::npos);
  SimOptions timing;
  timing.functional = false;
  auto t = Simulator::create(hostOnly(), hostModel(), timing);
  ASSERT_TRUE(bool(t));
  auto r = (*t)->run();
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->totals.cycles(), 3000u);
  // A model without a host block refuses the program.
  auto none = Simulator::create(hostOnly(), handModel());
  ASSERT_FALSE(bool(none));
  EXPECT_NE(llvm::toString(none.takeError()).find("has no host model"),
            std::string::npos);
}
