//===- CodegenTest.cpp - DRAM layout, fields and tokens checked by hand ---===//
//
// A 1x4x4x2 input, a 3x3 conv with pad 1 and 2 output channels: every
// address below follows from the 64-byte alignment of constants and arena
// buffers (core/isa kDramAlign) and of SRAM regions (TilePlan kSramAlign).
//
//===----------------------------------------------------------------------===//
#include "CodegenTestUtil.h"

#include "compiler/lowering/TilePlan.h"
#include "core/isa/Program.h"

#include "llvm/ADT/StringExtras.h"

using namespace tessera;
using namespace tessera::isa;
using tessera::codegen::test::makeContext;
using tessera::codegen::test::parse;

namespace {

/// Weights 0..35 as OHWI [2][3][3][2] (36 bytes), bias [100, -200].
std::string smallConv(int tileRows, bool doubleBuffer) {
  // Weights i - 18 for i in [0, 36), as raw little-endian hex.
  std::string w = "0x";
  for (int i = 0; i < 36; ++i)
    w += llvm::utohexstr(static_cast<uint8_t>(i - 18), false, 2);
  return R"(
module attributes {npu.layers = [{name = "conv0", op_type = "Conv"}]} {
func.func @main(%in: tensor<1x4x4x2xi8> {onnx.name = "x", tessera.scale = 0.5 : f64, tessera.zero_point = -1 : i64})
    -> (tensor<1x4x4x2xi8> {onnx.name = "y", tessera.scale = 0.25 : f64, tessera.zero_point = 3 : i64}) {
  %w4 = "tosa.const"() {values = dense<")" +
         w + R"("> : tensor<2x3x3x2xi8>} : () -> tensor<2x3x3x2xi8>
  %b = "tosa.const"() {values = dense<[100, -200]> : tensor<2xi32>} : () -> tensor<2xi32>
  %0 = npu.conv2d %in, %w4, %b {stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 1,
      input_zp = -1, weight_zp = 0, output_zp = 3,
      multiplier = array<i32: 1073741824, 1342177280>, shift = array<i32: 36, 37>,
      double_round = false, clamp_min = -128, clamp_max = 127, layer = 0,
      tile_rows = )" +
         std::to_string(tileRows) +
         ", double_buffer = " + (doubleBuffer ? "true" : "false") + R"(}
      : (tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8>, tensor<2xi32>) -> tensor<1x4x4x2xi8>
  return %0 : tensor<1x4x4x2xi8>
}
}
)";
}

Program compile(const std::string &text, uint64_t sram = 65536) {
  auto ctx = makeContext();
  auto m = parse(*ctx, text);
  EXPECT_TRUE(m);
  codegen::CodegenOptions o;
  o.target = "test";
  o.sramBytes = sram;
  auto p = codegen::generateProgram(*m, o);
  if (!p) {
    ADD_FAILURE() << llvm::toString(p.takeError());
    return {};
  }
  return std::move(*p);
}

const std::vector<Instr> &q(const Program &p, Queue which) {
  return p.queue(which);
}

} // namespace

TEST(Codegen, SmallConvDramLayoutAndFields) {
  Program p = compile(smallConv(/*tileRows=*/4, /*doubleBuffer=*/false));
  ASSERT_FALSE(llvm::errorToBool(verifyProgram(p)));
  ASSERT_FALSE(llvm::errorToBool(codegen::checkRaceFree(p)));
  // Constants: weights (36 B) at 0, bias (8 B) at 64, pairs (16 B) at 128.
  ASSERT_EQ(p.symbols.size(), 3u);
  EXPECT_EQ(p.symbols[0].name, "conv0.weights");
  EXPECT_EQ(p.symbols[0].offset, 0u);
  EXPECT_EQ(p.symbols[0].size, 36u);
  EXPECT_EQ(p.symbols[1].offset, 64u);
  EXPECT_EQ(p.symbols[1].size, 8u);
  EXPECT_EQ(p.symbols[2].offset, 128u);
  EXPECT_EQ(p.symbols[2].size, 16u);
  ASSERT_EQ(p.constants.size(), 192u);
  EXPECT_EQ(p.constants[0], 0xEE); // -18
  EXPECT_EQ(p.constants[35], 17);
  EXPECT_EQ(p.constants[36], 0);    // alignment padding
  EXPECT_EQ(p.constants[64], 100);  // bias[0] = 100, little-endian
  EXPECT_EQ(p.constants[68], 0x38); // -200 = 0xFFFFFF38
  EXPECT_EQ(p.constants[71], 0xFF);
  EXPECT_EQ(p.constants[128 + 0], 0x00); // multiplier[0] = 0x40000000
  EXPECT_EQ(p.constants[128 + 3], 0x40);
  EXPECT_EQ(p.constants[128 + 4], 36);       // shift[0]
  EXPECT_EQ(p.constants[128 + 8 + 3], 0x50); // multiplier[1] = 0x50000000
  EXPECT_EQ(p.constants[128 + 12], 37);
  // Arena after the constants: x (32 B -> 64) at 192, y (live at the same
  // time as x) at 256; 320 bytes of DRAM in all.
  ASSERT_EQ(p.inputs.size(), 1u);
  ASSERT_EQ(p.outputs.size(), 1u);
  EXPECT_EQ(p.inputs[0].name, "x");
  EXPECT_EQ(p.inputs[0].dramOffset, 192u);
  EXPECT_EQ(p.inputs[0].scale, 0.5);
  EXPECT_EQ(p.inputs[0].zeroPoint, -1);
  EXPECT_EQ(p.inputs[0].layout, Layout::RowMajor);
  EXPECT_EQ(p.inputs[0].shape, (std::vector<int64_t>{1, 4, 4, 2}));
  EXPECT_EQ(p.outputs[0].name, "y");
  EXPECT_EQ(p.outputs[0].dramOffset, 256u);
  EXPECT_EQ(p.outputs[0].zeroPoint, 3);
  EXPECT_EQ(p.dramBytes, 320u);
  // Layer table: 4*4*2 outputs x 3*3*2 products = 576 MACs; ONNX (NCHW)
  // output shape.
  ASSERT_EQ(p.layers.size(), 1u);
  EXPECT_EQ(p.layers[0].name, "conv0");
  EXPECT_EQ(p.layers[0].opType, "Conv");
  EXPECT_EQ(p.layers[0].macs, 576u);
  EXPECT_EQ(p.layers[0].outputShape, (std::vector<int64_t>{1, 2, 4, 4}));

  // LOAD: weights, bias, pairs, the whole input, FINISH.
  const auto &ld = q(p, Queue::Load);
  ASSERT_EQ(ld.size(), 5u);
  EXPECT_EQ(ld[0].dma().kind, DmaKind::Weight);
  EXPECT_EQ(ld[0].dma().dramAddr, 0u);
  EXPECT_EQ(ld[0].dma().sramAddr, 0u);
  EXPECT_EQ(ld[0].dma().innerBytes, 36u);
  EXPECT_EQ(ld[1].dma().kind, DmaKind::Param);
  EXPECT_EQ(ld[1].dma().elemBytes, 4);
  EXPECT_EQ(ld[1].dma().dramAddr, 64u);
  EXPECT_EQ(ld[1].dma().sramAddr, 64u);
  EXPECT_EQ(ld[1].dma().innerBytes, 8u);
  EXPECT_EQ(ld[2].dma().dramAddr, 128u);
  EXPECT_EQ(ld[2].dma().sramAddr, 128u);
  EXPECT_EQ(ld[2].dma().innerBytes, 16u);
  EXPECT_EQ(ld[3].dma().kind, DmaKind::Act);
  EXPECT_EQ(ld[3].dma().dramAddr, 192u);
  EXPECT_EQ(ld[3].dma().sramAddr, 192u);
  EXPECT_EQ(ld[3].dma().innerBytes, 32u); // 16 pixels x 2 channels, merged
  EXPECT_EQ(ld[3].dma().count1, 1u);
  EXPECT_TRUE(ld[3].deps.pushNext); // the CONV waits for it
  EXPECT_FALSE(ld[0].deps.pushNext || ld[1].deps.pushNext ||
               ld[2].deps.pushNext); // covered: the queue is in order
  EXPECT_EQ(ld[4].op, Opcode::Finish);

  const auto &cp = q(p, Queue::Compute);
  ASSERT_EQ(cp.size(), 2u);
  ASSERT_EQ(cp[0].op, Opcode::Conv);
  const ConvFields &c = cp[0].conv();
  EXPECT_EQ(cp[0].layer, 0);
  EXPECT_TRUE(cp[0].deps.popPrev);
  EXPECT_TRUE(cp[0].deps.pushNext);
  EXPECT_FALSE(cp[0].deps.popNext || cp[0].deps.pushPrev);
  EXPECT_EQ(c.sramIn, 192u);
  EXPECT_EQ(c.sramW, 0u);
  EXPECT_EQ(c.sramBias, 64u);
  EXPECT_EQ(c.sramParams, 128u);
  EXPECT_EQ(c.sramOut, 256u);
  EXPECT_EQ(c.ih, 4);
  EXPECT_EQ(c.iw, 4);
  EXPECT_EQ(c.ic, 2);
  EXPECT_EQ(c.oc, 2);
  EXPECT_EQ(c.kh, 3);
  EXPECT_EQ(c.kw, 3);
  EXPECT_EQ(c.padT, 1);
  EXPECT_EQ(c.padB, 1);
  EXPECT_EQ(c.padL, 1);
  EXPECT_EQ(c.padR, 1);
  EXPECT_EQ(c.groups, 1);
  EXPECT_EQ(c.inZp, -1);
  EXPECT_EQ(c.wZp, 0);
  EXPECT_EQ(c.outZp, 3);
  EXPECT_EQ(c.clampMin, -128);
  EXPECT_EQ(c.clampMax, 127);
  EXPECT_TRUE(c.hasBias);
  EXPECT_TRUE(c.perChannel);
  EXPECT_FALSE(c.doubleRound);
  EXPECT_FALSE(c.raw);
  EXPECT_EQ(convOutH(c), 4u);

  const auto &st = q(p, Queue::Store);
  ASSERT_EQ(st.size(), 2u);
  EXPECT_TRUE(st[0].deps.popPrev);
  EXPECT_EQ(st[0].dma().dramAddr, 256u);
  EXPECT_EQ(st[0].dma().sramAddr, 256u);
  EXPECT_EQ(st[0].dma().innerBytes, 32u);
  EXPECT_EQ(st[1].op, Opcode::Finish);
}

TEST(Codegen, TwoBandsDoubleBuffered) {
  Program p = compile(smallConv(/*tileRows=*/2, /*doubleBuffer=*/true));
  ASSERT_FALSE(llvm::errorToBool(verifyProgram(p)));
  ASSERT_FALSE(llvm::errorToBool(codegen::checkRaceFree(p)));
  // SRAM: weights 0, bias 64, pairs 128, input slots 192 and 256 (4 rows of
  // the 3x3 window's band fit 64 B), output slots 320 and 384.
  const auto &ld = q(p, Queue::Load);
  ASSERT_EQ(ld.size(), 6u);
  // Band 0: output rows [0, 2) read input rows [0, 3) with one pad row on
  // top; band 1: rows [2, 4) read [1, 4) with one pad row below.
  EXPECT_EQ(ld[3].dma().dramAddr, 192u);
  EXPECT_EQ(ld[3].dma().sramAddr, 192u);
  EXPECT_EQ(ld[3].dma().innerBytes, 24u);
  EXPECT_EQ(ld[4].dma().dramAddr, 192u + 8u); // row 1 = 4 pixels x 2
  EXPECT_EQ(ld[4].dma().sramAddr, 256u);
  EXPECT_EQ(ld[4].dma().innerBytes, 24u);
  const auto &cp = q(p, Queue::Compute);
  ASSERT_EQ(cp.size(), 3u);
  EXPECT_EQ(cp[0].conv().ih, 3);
  EXPECT_EQ(cp[0].conv().padT, 1);
  EXPECT_EQ(cp[0].conv().padB, 0);
  EXPECT_EQ(cp[0].conv().sramIn, 192u);
  EXPECT_EQ(cp[0].conv().sramOut, 320u);
  EXPECT_EQ(cp[1].conv().ih, 3);
  EXPECT_EQ(cp[1].conv().padT, 0);
  EXPECT_EQ(cp[1].conv().padB, 1);
  EXPECT_EQ(cp[1].conv().sramIn, 256u);
  EXPECT_EQ(cp[1].conv().sramOut, 384u);
  EXPECT_EQ(convOutH(cp[1].conv()), 2u);
  const auto &st = q(p, Queue::Store);
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0].dma().dramAddr, 256u);
  EXPECT_EQ(st[0].dma().sramAddr, 320u);
  EXPECT_EQ(st[0].dma().innerBytes, 16u);
  EXPECT_EQ(st[1].dma().dramAddr, 256u + 16u);
  EXPECT_EQ(st[1].dma().sramAddr, 384u);
  // Double buffering: no slot is reused, so LOAD never waits for COMPUTE
  // and COMPUTE never waits for STORE; each CONV waits for its band.
  for (const Instr &in : ld)
    EXPECT_FALSE(in.deps.popNext);
  EXPECT_FALSE(cp[0].deps.popNext || cp[1].deps.popNext);
  EXPECT_TRUE(ld[3].deps.pushNext && ld[4].deps.pushNext);
  EXPECT_TRUE(cp[0].deps.popPrev && cp[1].deps.popPrev);
}

TEST(Codegen, SingleBufferedSlotReuseWaits) {
  Program p = compile(smallConv(/*tileRows=*/1, /*doubleBuffer=*/false));
  ASSERT_FALSE(llvm::errorToBool(verifyProgram(p)));
  ASSERT_FALSE(llvm::errorToBool(codegen::checkRaceFree(p)));
  // Four bands through one input and one output slot: LOAD of band i > 0
  // waits for CONV i-1 (compute -> load token), CONV i > 0 waits for STORE
  // i-1 (store -> compute token).
  const auto &ld = q(p, Queue::Load);
  const auto &cp = q(p, Queue::Compute);
  ASSERT_EQ(ld.size(), 3u + 4u + 1u);
  ASSERT_EQ(cp.size(), 4u + 1u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(ld[3 + i].deps.popNext, i > 0) << i;
    EXPECT_EQ(cp[i].deps.popNext, i > 0) << i;
    EXPECT_EQ(cp[i].deps.pushPrev, i < 3) << i;
  }
}

TEST(Codegen, RaceCheckCatchesAMissingToken) {
  Program p = compile(smallConv(4, false));
  p.queue(Queue::Compute)[0].deps.popPrev = false;
  p.queue(Queue::Load)[3].deps.pushNext = false;
  ASSERT_FALSE(llvm::errorToBool(checkTokens(p))); // no deadlock ...
  llvm::Error err = codegen::checkRaceFree(p);     // ... but a race
  ASSERT_TRUE(bool(err));
  std::string msg = llvm::toString(std::move(err));
  // The CONV is no longer ordered after any LOAD; the first race found is
  // with the weights.
  EXPECT_NE(msg.find("unordered conflicting accesses: load[0] load field "
                     "'sram' and compute[0] conv field 'w' touch SRAM "
                     "[0x0, 0x24)"),
            std::string::npos)
      << msg;
}

TEST(Codegen, UntiledLayerIsAnError) {
  auto ctx = makeContext();
  auto m = parse(*ctx, smallConv(0, false));
  ASSERT_TRUE(m);
  codegen::CodegenOptions o;
  o.sramBytes = 65536;
  auto p = codegen::generateProgram(*m, o);
  ASSERT_FALSE(p);
  std::string msg = llvm::toString(p.takeError());
  EXPECT_NE(msg.find("not tiled (run --tessera-npu-tile first)"),
            std::string::npos)
      << msg;
}

TEST(Codegen, TileNeedingMoreSramThanTheTargetIsAnError) {
  auto ctx = makeContext();
  auto m = parse(*ctx, smallConv(4, true));
  ASSERT_TRUE(m);
  codegen::CodegenOptions o;
  o.sramBytes = 256; // the layout needs 448 bytes
  auto p = codegen::generateProgram(*m, o);
  ASSERT_FALSE(p);
  std::string msg = llvm::toString(p.takeError());
  EXPECT_NE(msg.find("need 448 bytes of SRAM but the target has 256"),
            std::string::npos)
      << msg;
}

TEST(TilePlan, RowBandsAndChannelTiles) {
  lowering::WindowGeometry g;
  g.h = 9;
  g.w = 7;
  g.c = 3;
  g.oh = 5;
  g.ow = 4;
  g.oc = 4;
  g.kh = g.kw = 3;
  g.strideH = g.strideW = 2;
  g.padT = 1;
  g.padB = 1;
  // Output rows [0, 2) read rows 2*0-1 .. 2*1-1+2 = [-1, 4): one pad row.
  lowering::RowBand b = lowering::rowBand(g, 0, 2);
  EXPECT_EQ(b.in0, 0);
  EXPECT_EQ(b.in1, 4);
  EXPECT_EQ(b.padT, 1);
  EXPECT_EQ(b.padB, 0);
  // Output row 4 reads [7, 10): the last row is padding.
  b = lowering::rowBand(g, 4, 5);
  EXPECT_EQ(b.in0, 7);
  EXPECT_EQ(b.in1, 9);
  EXPECT_EQ(b.padB, 1);
  EXPECT_EQ(lowering::inputBandRows(g, 2), 5);
  // Depthwise-like grouping: 4 groups of 2 output channels, 1 input each.
  g.c = 4;
  g.oc = 8;
  g.groups = 4;
  lowering::ChannelTile t = lowering::channelTile(g, 4, 4);
  EXPECT_EQ(t.ic0, 2);
  EXPECT_EQ(t.icCount, 2);
  EXPECT_EQ(t.groups, 2);
}

namespace {
/// The small conv reading the result of a host segment (an identity float
/// program, enough for codegen) that reads the input.
std::string hostThenConv() {
  std::string text = smallConv(4, false);
  text.replace(text.find("npu.layers = [{name = \"conv0\", op_type = \"Conv\"}]"),
               std::string("npu.layers = [{name = \"conv0\", op_type = "
                           "\"Conv\"}]")
                   .size(),
               "npu.layers = [{name = \"conv0\", op_type = \"Conv\"}, "
               "{name = \"sig1\", op_type = \"Host\"}]");
  text.replace(text.find("  %0 = npu.conv2d %in,"),
               std::string("  %0 = npu.conv2d %in,").size(),
               "  %h = npu.host_call @host_segment_0(%in) {flops = 32, "
               "bytes = 64, nodes = [\"sig1\"], layer = 1} : "
               "(tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8>\n"
               "  %0 = npu.conv2d %h,");
  size_t end = text.rfind("}");
  text.insert(end, "func.func private @host_segment_0(%a: tensor<1x4x4x2xi8>)"
                   " -> tensor<1x4x4x2xi8> attributes {tessera.host_segment}"
                   " {\n  return %a : tensor<1x4x4x2xi8>\n}\n");
  return text;
}
} // namespace

// A host segment (docs/lowering.md): one HOST on the STORE queue; the CONV's
// input LOAD reads what the HOST wrote, so the HOST pushes a token to
// COMPUTE, a NOP relays it to LOAD, and the race checker accepts the
// program; without that token it reports the race.
TEST(Codegen, HostCallIsOrderedBeforeTheLoadOfItsResult) {
  Program p = compile(hostThenConv());
  ASSERT_FALSE(llvm::errorToBool(verifyProgram(p)));
  ASSERT_FALSE(llvm::errorToBool(codegen::checkRaceFree(p)));
  ASSERT_EQ(p.hostSegments.size(), 1u);
  const HostSegment &seg = p.hostSegments[0];
  EXPECT_EQ(seg.name, "host_segment_0");
  EXPECT_EQ(seg.nodes, std::vector<std::string>{"sig1"});
  EXPECT_EQ(seg.flops, 32u);
  EXPECT_EQ(seg.bytes, 64u);
  ASSERT_EQ(seg.inputs.size(), 1u);
  ASSERT_EQ(seg.outputs.size(), 1u);
  // The input is the program input x itself; 32 bytes each.
  EXPECT_EQ(seg.inputs[0].dramOffset, p.inputs[0].dramOffset);
  EXPECT_EQ(seg.outputs[0].byteSize(), 32u);
  EXPECT_FALSE(seg.program.empty());
  const auto &st = q(p, Queue::Store);
  ASSERT_GE(st.size(), 1u);
  ASSERT_EQ(st[0].op, Opcode::Host);
  EXPECT_EQ(st[0].layer, 1u);
  EXPECT_EQ(st[0].host().dramIn, seg.inputs[0].dramOffset);
  EXPECT_EQ(st[0].host().inBytes, 32u);
  EXPECT_EQ(st[0].host().dramOut, seg.outputs[0].dramOffset);
  EXPECT_EQ(st[0].host().outBytes, 32u);
  EXPECT_TRUE(st[0].deps.pushPrev);
  // Drop the token and its relay: no deadlock, but a race.
  p.queue(Queue::Store)[0].deps.pushPrev = false;
  for (Instr &in : p.queue(Queue::Compute))
    if (in.op == Opcode::Nop && in.deps.popNext) {
      in.deps.popNext = false;
      break;
    }
  ASSERT_FALSE(llvm::errorToBool(checkTokens(p)));
  llvm::Error err = codegen::checkRaceFree(p);
  ASSERT_TRUE(bool(err));
  std::string msg = llvm::toString(std::move(err));
  EXPECT_NE(msg.find("store[0] host field 'out'"), std::string::npos) << msg;
}

TEST(Codegen, ConstantConcatInputIsCopiedFromTheConstantImage) {
  // [c | x | c2] along the innermost axis: c and c2 are two constants with
  // the same values [[1, 2], [3, 4]] (a Pad's borders), x the argument.
  Program p = compile(R"(
module attributes {npu.layers = [{name = "pad", op_type = "Concat"}]} {
func.func @main(%x: tensor<2x3xi8> {onnx.name = "x"}) -> (tensor<2x7xi8> {onnx.name = "y"}) {
  %c = "tosa.const"() {values = dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %c2 = "tosa.const"() {values = dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %0 = npu.concat %c, %x, %c2 {axis = 1 : i64, layer = 0 : i64}
      : (tensor<2x2xi8>, tensor<2x3xi8>, tensor<2x2xi8>) -> tensor<2x7xi8>
  return %0 : tensor<2x7xi8>
}
}
)");
  ASSERT_FALSE(llvm::errorToBool(verifyProgram(p)));
  ASSERT_FALSE(llvm::errorToBool(codegen::checkRaceFree(p)));
  // One copy of the shared values at 0 (4 bytes); the arena starts at 64:
  // x (live from the start) at 64, y at 128.
  ASSERT_EQ(p.symbols.size(), 1u);
  EXPECT_EQ(p.symbols[0].name, "pad.data");
  EXPECT_EQ(p.symbols[0].offset, 0u);
  EXPECT_EQ(p.symbols[0].size, 4u);
  EXPECT_EQ(std::vector<uint8_t>(p.constants.begin(), p.constants.begin() + 4),
            (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_EQ(p.inputs[0].dramOffset, 64u);
  EXPECT_EQ(p.outputs[0].dramOffset, 128u);
  // Each input: one dense LOAD, one STORE of 2 rows 7 bytes apart into its
  // column slice (c at column 0, x at 2, c2 at 5); then each queue's
  // FINISH.
  const auto &ld = q(p, Queue::Load), &st = q(p, Queue::Store);
  ASSERT_EQ(ld.size(), 4u);
  ASSERT_EQ(st.size(), 4u);
  const uint64_t from[] = {0, 64, 0}, inner[] = {2, 3, 2}, to[] = {128, 130, 133};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ld[i].dma().kind, DmaKind::Act);
    EXPECT_EQ(ld[i].dma().dramAddr, from[i]);
    EXPECT_EQ(ld[i].dma().innerBytes, 2 * inner[i]);
    EXPECT_EQ(ld[i].dma().count1, 1u);
    EXPECT_EQ(st[i].dma().dramAddr, to[i]);
    EXPECT_EQ(st[i].dma().innerBytes, inner[i]);
    EXPECT_EQ(st[i].dma().count1, 2u);
    EXPECT_EQ(st[i].dma().stride1, 7u);
  }
}
