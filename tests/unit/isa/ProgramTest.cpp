//===- ProgramTest.cpp - .npubin container, verification and fuzzing ------===//
#include "TestPrograms.h"

#include "core/isa/Program.h"

#include "llvm/Support/CRC.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <random>

using namespace tessera::isa;
using tessera::isa::testing::makeExampleProgram;

namespace {

std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string("<success>");
}
template <typename T> std::string errorText(llvm::Expected<T> v) {
  return v ? std::string("<success>") : llvm::toString(v.takeError());
}

std::vector<uint8_t> serialize(const Program &p) {
  llvm::Expected<std::vector<uint8_t>> bytes = serializeProgram(p);
  EXPECT_TRUE(bool(bytes)) << errorText(bytes.takeError());
  return bytes ? *bytes : std::vector<uint8_t>();
}

void fixCrc(std::vector<uint8_t> &b) {
  uint32_t crc = llvm::crc32(llvm::ArrayRef(b).drop_front(64));
  for (int i = 0; i < 4; ++i)
    b[npubin::kCrcOffset + i] = uint8_t(crc >> (8 * i));
}

TEST(Npubin, RoundTripsTheExample) {
  Program p = makeExampleProgram();
  ASSERT_EQ(errorText(verifyProgram(p)), "<success>");
  std::vector<uint8_t> bytes = serialize(p);
  // Header 64 + section table 8 x 24 = 256; then 4 LOAD words, 2 COMPUTE,
  // 1 STORE (64 B each), 192 B of constants, then the tables.
  ASSERT_GT(bytes.size(), 256u + 7 * 64 + 192);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "NPUB");
  EXPECT_EQ(bytes[4], 1);                       // version
  EXPECT_EQ(bytes[256], uint8_t(Opcode::Load)); // first LOAD word
  llvm::Expected<Program> back = readProgram(bytes);
  ASSERT_TRUE(bool(back)) << errorText(back.takeError());
  EXPECT_EQ(*back, p);
  // Serialisation is deterministic.
  EXPECT_EQ(serialize(*back), bytes);
}

TEST(Npubin, AddConstantAlignsTo64) {
  Program p;
  EXPECT_EQ(p.addConstant("a", {1, 2, 3}), 0u);
  EXPECT_EQ(p.addConstant("b", std::vector<uint8_t>(65, 7)), 64u);
  EXPECT_EQ(p.addConstant("c", {9}), 192u);
  EXPECT_EQ(p.constants.size(), 256u);
  EXPECT_EQ(p.constants[64 + 64], 7);
  EXPECT_EQ(p.constants[64 + 65], 0); // padding
  EXPECT_EQ(p.symbols[1].size, 65u);
}

TEST(Npubin, WritesAtomicallyAndReadsBack) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("npubin-test", dir));
  std::string path = (dir + "/model.npubin").str();
  Program p = makeExampleProgram();
  ASSERT_EQ(errorText(writeProgram(p, path)), "<success>");
  llvm::Expected<Program> back = readProgramFile(path);
  ASSERT_TRUE(bool(back)) << errorText(back.takeError());
  EXPECT_EQ(*back, p);
  // An invalid program fails before anything is written; nothing else is
  // left in the directory (no temporary file).
  Program bad = p;
  bad.sramBytes = 0x100;
  std::string badPath = (dir + "/bad.npubin").str();
  EXPECT_NE(errorText(writeProgram(bad, badPath)).find(badPath + ": "),
            std::string::npos);
  std::error_code ec;
  int files = 0;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    ++files;
  EXPECT_EQ(files, 1);
  EXPECT_EQ(errorText(readProgramFile(badPath)),
            badPath + ": cannot open: No such file or directory");
  // Only regular files are read (`tessera-sim /dev/zero` read until memory
  // ran out).
  EXPECT_EQ(errorText(readProgramFile("/dev/zero")),
            "/dev/zero: not a regular file");
  llvm::sys::fs::remove_directories(dir);
}

TEST(Npubin, HeaderErrors) {
  std::vector<uint8_t> good = serialize(makeExampleProgram());
  auto read = [](std::vector<uint8_t> b) {
    return errorText(readProgram(b, "m.npubin"));
  };
  std::vector<uint8_t> b = good;
  b[0] = 'X';
  EXPECT_EQ(read(b), "m.npubin: bad magic: not an .npubin file");
  b = good;
  b[4] = 2;
  EXPECT_EQ(read(b), "m.npubin: unsupported version 2 (this reader handles "
                     "version 1)");
  b = good;
  b.push_back(0);
  EXPECT_EQ(read(b), "m.npubin: header says " + std::to_string(good.size()) +
                         " bytes but the file has " +
                         std::to_string(good.size() + 1) +
                         " (truncated or padded)");
  b = good;
  b[300] ^= 0x10;
  EXPECT_EQ(read(b).rfind("m.npubin: checksum mismatch", 0), 0u);
  EXPECT_EQ(read({}), "m.npubin: file has 0 bytes, too small for the 64-byte "
                      "header");
  // A corrupted opcode behind a recomputed checksum is still caught.
  b = good;
  b[256 + 64] = 0x3f; // second LOAD word
  fixCrc(b);
  EXPECT_EQ(read(b), "m.npubin: load[1]: invalid opcode 0x3f");
  // So is a semantically wrong field: conv kh = 0.
  b = good;
  size_t conv = 256 + 4 * 64;
  b[conv + 40] = 0; // kh at bits 327:320 = byte 40
  fixCrc(b);
  EXPECT_EQ(read(b), "m.npubin: compute[0]: conv: field 'kh' must be >= 1, "
                     "got 0");
}

TEST(Npubin, TruncationAtEveryOffsetIsAnError) {
  std::vector<uint8_t> good = serialize(makeExampleProgram());
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> b(good.begin(), good.begin() + n);
    llvm::Expected<Program> p = readProgram(b);
    ASSERT_FALSE(bool(p)) << "truncated to " << n << " bytes was accepted";
    llvm::consumeError(p.takeError());
    // With a consistent size and checksum the section checks catch it.
    if (n >= 64) {
      for (int i = 0; i < 8; ++i)
        b[npubin::kSizeOffset + i] = uint8_t(uint64_t(n) >> (8 * i));
      fixCrc(b);
      llvm::Expected<Program> q = readProgram(b);
      ASSERT_FALSE(bool(q)) << "consistent truncation to " << n;
      llvm::consumeError(q.takeError());
    }
  }
}

TEST(Npubin, RandomCorruptionGivesAnErrorOrAValidProgram) {
  std::vector<uint8_t> good = serialize(makeExampleProgram());
  std::mt19937 rng(1234);
  int errors = 0, valid = 0, crcErrors = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<uint8_t> b = good;
    int flips = 1 + rng() % 4;
    for (int f = 0; f < flips; ++f)
      b[rng() % b.size()] ^= uint8_t(1 + rng() % 255);
    // Half the time bypass the checksum so that the structural checks, not
    // the CRC, have to catch the damage.
    bool bypass = iter % 2;
    if (bypass)
      fixCrc(b);
    llvm::Expected<Program> p = readProgram(b);
    if (!p) {
      std::string msg = llvm::toString(p.takeError());
      ++errors;
      crcErrors += msg.find("checksum mismatch") != std::string::npos;
      ASSERT_EQ(msg.find('\n'), std::string::npos) << "one-line errors";
      continue;
    }
    ++valid;
    // Whatever was accepted is a verified program that re-serialises.
    ASSERT_EQ(errorText(verifyProgram(*p)), "<success>");
    ASSERT_TRUE(bool(serializeProgram(*p)));
  }
  EXPECT_EQ(errors + valid, 20000);
  EXPECT_GT(crcErrors, 9000);          // non-bypassed flips are all CRC errors
  EXPECT_GT(errors - crcErrors, 1000); // structural checks did real work
}

TEST(Verify, ProgramLevelErrors) {
  auto check = [](auto mutate) {
    Program p = makeExampleProgram();
    mutate(p);
    return errorText(verifyProgram(p));
  };
  EXPECT_EQ(check([](Program &p) { p.sramBytes = 0x110; }),
            "compute[0]: conv: field 'out': SRAM range [0x100, 0x120) exceeds "
            "sram_bytes 0x110");
  EXPECT_EQ(check([](Program &p) { p.code[2][0].dma().dramAddr = 0x80; }),
            "store[0]: store: field 'dram': writes DRAM [0x80, ...) inside "
            "the constant image (ends at 0xc0)");
  EXPECT_EQ(check([](Program &p) { p.code[0][0].dma().dramAddr = 0x130; }),
            "load[0]: load: field 'dram': DRAM range [0x130, 0x150) exceeds "
            "dram_bytes 0x140");
  EXPECT_EQ(check([](Program &p) { p.code[1][0].layer = 1; }),
            "compute[0]: conv: field 'layer': 1 is not in the layer table (1 "
            "layers)");
  EXPECT_EQ(check([](Program &p) { p.code[0][0].deps.popPrev = true; }),
            "load[0]: load: field 'deps': the load queue has no previous "
            "queue");
  EXPECT_EQ(check([](Program &p) { p.code[2][0].deps.pushNext = true; }),
            "store[0]: store: field 'deps': the store queue has no next "
            "queue");
  EXPECT_EQ(check([](Program &p) {
              p.code[1].insert(p.code[1].begin(), Instr(Opcode::Finish));
            }),
            "compute[0]: finish must be the last instruction of its queue");
  EXPECT_EQ(check([](Program &p) { p.code[0].push_back(Instr(Opcode::Conv)); }),
            "load[4]: conv is not allowed in the load queue");
  EXPECT_EQ(check([](Program &p) { p.inputs[0].dramOffset = 0x80; }),
            "input 0 'x': dram offset 0x80 lies in the constant image (ends "
            "at 0xc0)");
  EXPECT_EQ(check([](Program &p) { p.outputs[0].dramOffset = 0x104; }),
            "output 0 'y': dram offset 0x104 is not 64-byte aligned");
  EXPECT_EQ(check([](Program &p) { p.outputs[0].shape = {1, 2, 4}; }),
            "output 0 'y': layout nhwc needs rank 4, got rank 3");
  EXPECT_EQ(check([](Program &p) { p.inputs[0].zeroPoint = 128; }),
            "input 0 'x': zero point 128 outside int8");
  EXPECT_EQ(check([](Program &p) { p.target = "a b"; }),
            "target name 'a b' may only contain [A-Za-z0-9_.-]");
  EXPECT_EQ(check([](Program &p) { p.symbols[1].offset = 0x48; }),
            "symbol 'conv1.bias': offset 0x48 is not 64-byte aligned");
  EXPECT_EQ(check([](Program &p) { p.flags = 1; }),
            "flags 0x1 are not defined in version 1");
}

TEST(Verify, NamesLongerThanTheFormatHoldsAreErrors) {
  // The reader rejects strings over kMaxNpubinString bytes, so the writer
  // must not produce them (issue 12: a 70,000-byte output name compiled into
  // an .npubin that tessera-sim then rejected).
  auto check = [](auto mutate) {
    Program p = makeExampleProgram();
    mutate(p);
    return errorText(serializeProgram(p));
  };
  std::string longName(70000, 'y');
  EXPECT_EQ(check([&](Program &p) { p.outputs[0].name = longName; }),
            "output 0 '" + std::string(100, 'y') +
                "...' (70000 bytes): name longer than 65535 bytes");
  EXPECT_EQ(check([&](Program &p) { p.symbols[1].name = longName; }),
            "symbol 1 '" + std::string(100, 'y') +
                "...' (70000 bytes): name longer than 65535 bytes");
  EXPECT_EQ(check([&](Program &p) { p.layers[0].name = longName; }),
            "layer 0 '" + std::string(100, 'y') +
                "...' (70000 bytes): name or op type longer than 65535 bytes");
  // At the limit the name round-trips.
  Program p = makeExampleProgram();
  p.outputs[0].name = std::string(kMaxNpubinString, 'y');
  llvm::Expected<Program> back = readProgram(serialize(p));
  ASSERT_TRUE(bool(back)) << errorText(back.takeError());
  EXPECT_EQ(back->outputs[0].name.size(), kMaxNpubinString);
}

TEST(Verify, NamesInMessagesAreEscaped) {
  Program p = makeExampleProgram();
  p.outputs[0].name = "y\nerror: forged";
  p.outputs[0].dramOffset = 0x104;
  EXPECT_EQ(errorText(verifyProgram(p)),
            "output 0 'y\\nerror: forged': dram offset 0x104 is not 64-byte "
            "aligned");
}

TEST(Verify, TokenDeadlocks) {
  Program p = makeExampleProgram();
  // The store waits for a token the conv never pushes.
  p.code[1][0].deps.pushNext = false;
  EXPECT_EQ(errorText(checkTokens(p)),
            "dependency tokens deadlock: compute[1] finish waits for "
            "pop_next; store[0] store waits for pop_prev");
  // Without the pop, nothing waits: leftover tokens are allowed.
  p.code[2][0].deps.popPrev = false;
  EXPECT_EQ(errorText(checkTokens(p)), "<success>");
  // A cycle: load waits for compute, compute for load.
  Program c = makeExampleProgram();
  c.code[0][0].deps.popNext = true;
  EXPECT_EQ(errorText(checkTokens(c)),
            "dependency tokens deadlock: load[0] load waits for pop_next; "
            "compute[0] conv waits for pop_prev; store[0] store waits for "
            "pop_prev");
  // Double buffering: compute returns a token per buffer, load consumes it.
  Program d = makeExampleProgram();
  d.code[1][0].deps.pushPrev = true;
  Instr again = d.code[0][3];
  again.deps.popNext = true;
  again.deps.pushNext = false;
  d.code[0].push_back(again);
  EXPECT_EQ(errorText(checkTokens(d)), "<success>");
}

} // namespace
