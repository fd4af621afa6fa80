//===- AsmTest.cpp - Assembler / disassembler round trip and errors -------===//
#include "TestPrograms.h"

#include "core/isa/Asm.h"

#include <gtest/gtest.h>

using namespace tessera::isa;
using tessera::isa::testing::makeExampleProgram;

namespace {

std::string errorText(llvm::Expected<Program> v) {
  return v ? std::string("<success>") : llvm::toString(v.takeError());
}

void expectRoundTrip(const Program &p) {
  std::string text = disassemble(p);
  llvm::Expected<Program> back = assemble(text);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError()) << "\n" << text;
  EXPECT_EQ(*back, p) << text;
  EXPECT_EQ(disassemble(*back), text);
}

/// A program that uses every opcode with unusual but valid values.
Program makeEveryOpcodeProgram() {
  Program p = makeExampleProgram();
  p.layers.push_back({"", "Add", 0, {}}); // unnamed ONNX node, scalar shape
  p.layers.push_back(
      {"we\"ird\\name\twith\x01 bytes \xc3\xa9", "Sigmoid", 7, {1}});
  p.inputs[0].scale = 1.0 / 3.0;
  p.outputs[0].scale = 1e-30;
  p.inputs.push_back(
      {"second input", DType::Int16, {3, 5}, 0.1, -7, 0x140, Layout::RowMajor});
  p.dramBytes = 0x180;

  Instr pool(Opcode::Pool, 1);
  PoolFields &pf = pool.pool();
  pf.mode = PoolMode::Avg;
  pf.countIncludePad = true;
  pf.multiplier = 1431655765;
  pf.shift = 32;
  pf.ih = pf.iw = 4;
  pf.c = 2;
  pf.kh = pf.kw = 4;
  pf.inZp = -128;
  pf.outZp = 127;
  pf.sramOut = 0x200;
  Instr elt(Opcode::Eltwise, 2);
  EltwiseFields &e = elt.eltwise();
  e.func = EltFunc::Add;
  e.bcast = Bcast::Channel;
  e.rows = 16;
  e.channels = 2;
  e.leftShift = 20;
  e.aMult = e.bMult = e.outMult = INT32_MAX;
  e.aShift = e.bShift = 62;
  e.outShift = 2;
  e.aZp = -32768;
  e.clampMin = INT32_MIN;
  e.clampMax = -1;
  e.sramOut = 0x300;
  Instr nop(Opcode::Nop, kNoLayer);
  auto &compute = p.queue(Queue::Compute);
  compute.insert(compute.begin() + 1, {pool, elt, nop});
  return p;
}

TEST(Asm, RoundTripsTheExampleExactly) {
  expectRoundTrip(makeExampleProgram());
}

TEST(Asm, RoundTripsEveryOpcodeStringsAndScales) {
  Program p = makeEveryOpcodeProgram();
  ASSERT_FALSE(bool(verifyProgram(p)));
  expectRoundTrip(p);
  std::string text = disassemble(p);
  EXPECT_NE(text.find("name=\"we\\22ird\\\\name\\09with\\01 bytes \\C3\\A9\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("scale=0.33333333333333331"), std::string::npos);
  EXPECT_NE(text.find("shape=[]"), std::string::npos);
}

TEST(Asm, WithoutDataIsShorterAndSaysSo) {
  std::string text = disassemble(makeExampleProgram(), {/*data=*/false});
  EXPECT_EQ(text.find("\n.data"), std::string::npos);
  EXPECT_NE(text.find("\n; .data omitted: 192 bytes\n"), std::string::npos);
  EXPECT_FALSE(bool(assemble(text))); // symbols point past the empty image
}

TEST(Asm, HandWrittenTextUsesDefaults) {
  const char *text = R"(
    ; a tiny program written by hand
    .target j5
    .sram_bytes 0x1000
    .dram_bytes 256
    .layer 0 name="relu" op="Relu" macs=0 shape=[1,64]
    load  load layer=0 deps=push_next kind=act dram=0x0 sram=0x0 inner=64
    compute eltwise layer=0 deps=pop_prev,push_next func=clamp clamp_min=0 out=0x40 channels=64
    store store layer=0 deps=pop_prev dram=0x40 sram=0x40 inner=64   ; result
  )";
  llvm::Expected<Program> p = assemble(text);
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  EXPECT_EQ(p->target, "j5");
  EXPECT_EQ(p->dramBytes, 256u);
  ASSERT_EQ(p->code[1].size(), 1u);
  const EltwiseFields &e = p->code[1][0].eltwise();
  EXPECT_EQ(e.func, EltFunc::Clamp);
  EXPECT_EQ(e.clampMin, 0);
  EXPECT_EQ(e.clampMax, INT32_MAX); // default
  EXPECT_EQ(e.rows, 1u);            // default
  EXPECT_EQ(p->code[0][0].dma().count1, 1u);
}

TEST(Asm, ErrorsNameTheLineAndField) {
  const std::string head = ".target rv1126\n.sram_bytes 0x40000\n"
                           ".dram_bytes 0x1000\n";
  auto err = [&](const std::string &body) {
    return errorText(assemble(head + body));
  };
  EXPECT_EQ(err("compute conv kh=300\n"),
            "line 4: conv: field 'kh': value 300 does not fit 8 bits (0..255)");
  EXPECT_EQ(err("compute conv kh=3 bogus=1\n"),
            "line 4: conv: unknown field 'bogus'");
  EXPECT_EQ(err("\n\nload conv\n"),
            "line 6: conv is not allowed in the load queue");
  EXPECT_EQ(err("compute conv groups=0\n"),
            "line 4: conv: field 'groups' must be >= 1, got 0");
  EXPECT_EQ(err("dsp conv\n"),
            "line 4: unknown directive or queue 'dsp' (expected load, "
            "compute, store or .directive)");
  EXPECT_EQ(err(".target j5\n"), "line 4: .target: repeated directive");
  EXPECT_EQ(err(".layer 1 name=\"a\" op=\"Conv\" macs=0 shape=[]\n"),
            "line 4: .layer: expected index 0 (layers are numbered in order)");
  EXPECT_EQ(err(".layer 0 name=\"a\" op=\"Conv\" shape=[]\n"),
            "line 4: .layer: missing field 'macs'");
  EXPECT_EQ(err(".layer 0 name=\"a op=Conv macs=0 shape=[]\n"),
            "line 4: unterminated string starting at column 15");
  EXPECT_EQ(err(".input name=\"x\" dtype=int4 shape=[1] scale=1 zp=0 "
                "offset=0x0 layout=row_major\n"),
            "line 4: .input: field 'dtype': unknown dtype 'int4' (int8, "
            "uint8, int16, int32)");
  EXPECT_EQ(err(".data 0x0 00ff\n.data 0x4 00\n"),
            "line 5: .data: offset 0x4 does not continue the image (next is "
            "0x2)");
  EXPECT_EQ(err(".data 0x0 0g\n"),
            "line 4: .data: '0g' is not an even number of hex digits");
  EXPECT_EQ(errorText(assemble(".target x\n")),
            "missing directive .sram_bytes");
  // Program-level errors carry the instruction's line too.
  EXPECT_EQ(err("\nstore store deps=pop_prev dram=0x0 sram=0x0 inner=4\n"),
            "dependency tokens deadlock: store[0] (line 5) store waits for "
            "pop_prev");
  EXPECT_EQ(err("load load dram=0xff0 sram=0x0 inner=32\n"),
            "load[0] (line 4): load: field 'dram': DRAM range [0xff0, 0x1010) "
            "exceeds dram_bytes 0x1000");
}

} // namespace
