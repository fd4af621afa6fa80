//===- HostTest.cpp - HOST instruction and the host-segment section -------===//
//
// The HOST opcode's encoding (docs/isa.md table, checked bit by bit), its
// memory ranges, the host-segment section's round trip through .npubin and
// text assembly, and the reader's checks of that section.
//
//===----------------------------------------------------------------------===//
#include "TestPrograms.h"

#include "core/isa/Asm.h"

#include "gtest/gtest.h"
#include "llvm/Support/CRC.h"

using namespace tessera::isa;

namespace {

std::string errorText(llvm::Error e) {
  return e ? llvm::toString(std::move(e)) : "<success>";
}

/// The worked example plus one host segment that reads `y` (0x100, 32 B)
/// and writes a new output `z` at 0x140 (32 B), run by a HOST on the STORE
/// queue after the example's STORE.
Program withHostSegment() {
  Program p = tessera::isa::testing::makeExampleProgram();
  p.dramBytes = 0x180;
  p.layers.push_back({"sig1", "Host", 0, {1, 4, 4, 2}});
  HostSegment seg;
  seg.name = "host_segment_0";
  seg.nodes = {"sig1", "mul1"};
  seg.inputs.push_back(
      {"in0", DType::Int8, {1, 4, 4, 2}, 0.25, -128, 0x100, Layout::RowMajor});
  seg.outputs.push_back(
      {"out0", DType::Int8, {1, 4, 4, 2}, 1.0 / 127, 0, 0x140,
       Layout::RowMajor});
  seg.flops = 96;
  seg.bytes = 704;
  seg.program = {'M', 'L', 0xef, 'R', 1, 2, 3}; // opaque to core/isa
  p.hostSegments.push_back(seg);
  p.outputs.push_back(
      {"z", DType::Int8, {1, 4, 4, 2}, 1.0 / 127, 0, 0x140, Layout::RowMajor});
  Instr host(Opcode::Host, 1);
  HostFields &h = host.host();
  h.segment = 0;
  h.dramIn = 0x100;
  h.inBytes = 32;
  h.dramOut = 0x140;
  h.outBytes = 32;
  // Before the example's STORE queue FINISH-less end: append after STORE.
  p.queue(Queue::Store).push_back(host);
  return p;
}

} // namespace

TEST(HostInstr, EncodesAtTheDocumentedBits) {
  Instr in(Opcode::Host, 3);
  in.deps.popPrev = true;
  HostFields &h = in.host();
  h.segment = 0x1234;
  h.dramIn = 0xab'cdef'0123;
  h.inBytes = 0x40;
  h.dramOut = 0x12'3456'7890;
  h.outBytes = 0x80;
  llvm::Expected<InstrWord> w = encode(in);
  ASSERT_TRUE(bool(w)) << llvm::toString(w.takeError());
  // w0: opcode 8, pop_prev (bit 8), layer 3 at [31:16], segment at [47:32].
  EXPECT_EQ((*w)[0], 0x1234'0003'0108ull);
  EXPECT_EQ((*w)[1], 0xab'cdef'0123ull); // in, u40
  EXPECT_EQ((*w)[2], 0x40ull);           // in_bytes
  EXPECT_EQ((*w)[3], 0x12'3456'7890ull); // out
  EXPECT_EQ((*w)[4], 0x80ull);           // out_bytes
  for (unsigned i = 5; i < kInstrWords; ++i)
    EXPECT_EQ((*w)[i], 0u);
  llvm::Expected<Instr> d = decode(*w);
  ASSERT_TRUE(bool(d)) << llvm::toString(d.takeError());
  EXPECT_EQ(*d, in);
  // A reserved bit (w1 bit 40, above the 40-bit `in`) is rejected.
  InstrWord bad = *w;
  bad[1] |= uint64_t(1) << 40;
  EXPECT_FALSE(bool(decode(bad)));
  llvm::consumeError(decode(bad).takeError());
}

TEST(HostInstr, TextRoundTripAndRules) {
  Instr in(Opcode::Host, 0);
  in.host().dramOut = 0x200;
  in.host().outBytes = 64;
  std::string text = formatInstr(in);
  EXPECT_EQ(text, "host layer=0 deps=- segment=0 in=0x0 in_bytes=0 out=0x200 "
                  "out_bytes=64");
  llvm::Expected<Instr> back = parseInstr(text);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(*back, in);
  EXPECT_TRUE(queueAllows(Queue::Store, Opcode::Host));
  EXPECT_FALSE(queueAllows(Queue::Compute, Opcode::Host));
  EXPECT_FALSE(queueAllows(Queue::Load, Opcode::Host));
  in.host().outBytes = 0;
  EXPECT_NE(errorText(verify(in)).find("out_bytes"), std::string::npos);
}

TEST(HostInstr, MemRangesAreTheBoundingRanges) {
  Instr in(Opcode::Host, 0);
  in.host().dramIn = 0x100;
  in.host().inBytes = 32;
  in.host().dramOut = 0x140;
  in.host().outBytes = 48;
  std::vector<MemRange> r = memRanges(in);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].mem, Mem::Dram);
  EXPECT_FALSE(r[0].write);
  EXPECT_EQ(r[0].begin, 0x100u);
  EXPECT_EQ(r[0].end, 0x120u);
  EXPECT_TRUE(r[1].write);
  EXPECT_EQ(r[1].begin, 0x140u);
  EXPECT_EQ(r[1].end, 0x170u);
  in.host().inBytes = 0; // no inputs: only the write
  EXPECT_EQ(memRanges(in).size(), 1u);
}

TEST(HostSection, RoundTripsThroughNpubinAndText) {
  Program p = withHostSegment();
  ASSERT_EQ(errorText(verifyProgram(p)), "<success>");
  llvm::Expected<std::vector<uint8_t>> bytes = serializeProgram(p);
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  // Nine sections; entry 8 (the ninth) is id 9.
  EXPECT_EQ((*bytes)[56], 9);
  size_t entry = npubin::kHeaderBytes + 8 * npubin::kSectionEntryBytes;
  EXPECT_EQ((*bytes)[entry], 9);     // id
  EXPECT_EQ((*bytes)[entry + 4], 1); // count: one segment
  llvm::Expected<Program> q = readProgram(*bytes);
  ASSERT_TRUE(bool(q)) << llvm::toString(q.takeError());
  EXPECT_EQ(*q, p);
  llvm::Expected<Program> r = assemble(disassemble(p));
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(*r, p);
  // A program without segments keeps the 8-section layout.
  Program plain = tessera::isa::testing::makeExampleProgram();
  llvm::Expected<std::vector<uint8_t>> pb = serializeProgram(plain);
  ASSERT_TRUE(bool(pb));
  EXPECT_EQ((*pb)[56], 8);
}

TEST(HostSection, ProgramLevelChecks) {
  Program p = withHostSegment();
  p.queue(Queue::Store).back().host().segment = 1;
  EXPECT_NE(errorText(verifyProgram(p)).find(
                "field 'segment': 1 is not in the host-segment table"),
            std::string::npos);
  p = withHostSegment();
  p.queue(Queue::Store).back().host().inBytes = 16; // in0 is 32 bytes
  EXPECT_NE(errorText(verifyProgram(p)).find("lies outside [in, in + in_bytes)"),
            std::string::npos);
  p = withHostSegment();
  p.hostSegments[0].outputs[0].dramOffset = 0x40; // in the constant image
  EXPECT_NE(errorText(verifyProgram(p)).find("constant image"),
            std::string::npos);
  p = withHostSegment();
  p.hostSegments[0].program.clear();
  EXPECT_NE(errorText(verifyProgram(p)).find("float program size 0"),
            std::string::npos);
}

TEST(HostSection, TruncationAndBadVersionAreErrors) {
  Program p = withHostSegment();
  llvm::Expected<std::vector<uint8_t>> bytes = serializeProgram(p);
  ASSERT_TRUE(bool(bytes));
  // Every prefix is an error, never a crash.
  for (size_t n = 0; n < bytes->size(); n += 7) {
    llvm::Expected<Program> q =
        readProgram(llvm::ArrayRef(*bytes).take_front(n));
    EXPECT_FALSE(bool(q)) << n;
    llvm::consumeError(q.takeError());
  }
  // Section version 2 (first u32 of the section) is refused by name.
  std::vector<uint8_t> b = *bytes;
  size_t entry = npubin::kHeaderBytes + 8 * npubin::kSectionEntryBytes;
  uint64_t offset = 0;
  for (int i = 0; i < 8; ++i)
    offset |= uint64_t(b[entry + 8 + i]) << (8 * i);
  b[offset] = 2;
  uint32_t crc = llvm::crc32(llvm::ArrayRef(b).drop_front(npubin::kHeaderBytes));
  for (int i = 0; i < 4; ++i)
    b[npubin::kCrcOffset + i] = uint8_t(crc >> (8 * i));
  llvm::Expected<Program> q = readProgram(b);
  EXPECT_EQ(errorText(q.takeError()),
            "<memory>: section host segments: unsupported version 2 (this "
            "reader handles 1)");
}
