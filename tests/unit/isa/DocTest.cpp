//===- DocTest.cpp - docs/isa.md matches the code byte for byte -----------===//
//
// The encoding table in docs/isa.md is generated from the field tables and
// the worked example is disassembler output; this test fails if either
// drifts from the code.
//
//===----------------------------------------------------------------------===//
#include "TestPrograms.h"

#include "core/isa/Asm.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace tessera::isa;
using tessera::isa::testing::makeExampleProgram;

namespace {

std::string readDoc() {
  std::string path = tessera::isa::testing::sourceDir() + "/docs/isa.md";
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return "";
  return (*buf)->getBuffer().str();
}

/// Text between the line "<!-- BEGIN name..." and the line "<!-- END name",
/// without a surrounding ``` fence.
std::string block(const std::string &doc, const std::string &name) {
  size_t begin = doc.find("<!-- BEGIN " + name);
  size_t end = doc.find("<!-- END " + name);
  if (begin == std::string::npos || end == std::string::npos || end < begin)
    return "<missing block " + name + ">";
  begin = doc.find('\n', begin) + 1;
  std::string s = doc.substr(begin, end - begin);
  if (s.rfind("```text\n", 0) == 0) {
    s = s.substr(8);
    size_t fence = s.rfind("```\n");
    s = s.substr(0, fence);
  }
  return s;
}

TEST(IsaDoc, EncodingTableIsGeneratedFromTheFieldTables) {
  std::string doc = readDoc();
  ASSERT_FALSE(doc.empty()) << "docs/isa.md not found";
  EXPECT_EQ(block(doc, "encoding-table"), encodingTableMarkdown());
}

TEST(IsaDoc, WorkedExampleAssemblesToTheExampleProgram) {
  std::string doc = readDoc();
  ASSERT_FALSE(doc.empty());
  std::string text = block(doc, "example-asm");
  llvm::Expected<Program> p = assemble(text);
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  EXPECT_EQ(*p, makeExampleProgram());
  EXPECT_EQ(disassemble(*p), text);
}

TEST(IsaDoc, WorkedExampleConvWordsMatchByteForByte) {
  std::string doc = readDoc();
  ASSERT_FALSE(doc.empty());
  Program p = makeExampleProgram();
  const Instr &conv = p.queue(Queue::Compute)[0];
  ASSERT_EQ(conv.op, Opcode::Conv);
  llvm::Expected<InstrWord> w = encode(conv);
  ASSERT_TRUE(bool(w));
  std::string expect;
  char line[64];
  for (unsigned i = 0; i < kInstrWords; ++i) {
    std::snprintf(line, sizeof line, "w%u 0x%016llx\n", i,
                  static_cast<unsigned long long>((*w)[i]));
    expect += line;
  }
  uint8_t bytes[kInstrBytes];
  wordToBytes(*w, bytes);
  for (unsigned i = 0; i < kInstrBytes; ++i) {
    std::snprintf(line, sizeof line, "%02x%s", bytes[i],
                  i % 16 == 15 ? "\n" : " ");
    expect += line;
  }
  EXPECT_EQ(block(doc, "example-conv-words"), expect);
  // The doc says the CONV sits at file offset 0x200.
  llvm::Expected<std::vector<uint8_t>> file = serializeProgram(p);
  ASSERT_TRUE(bool(file));
  EXPECT_TRUE(std::equal(bytes, bytes + kInstrBytes, file->begin() + 0x200));
  // Hand decode from the doc's table.
  EXPECT_EQ((*w)[0] & 0xff, 3u);                     // op = conv
  EXPECT_EQ(((*w)[0] >> 8) & 0xf, 0x9u);             // pop_prev | push_next
  EXPECT_EQ(((*w)[0] >> 44) & 0xf, 0xcu);            // bias_en | per_channel
  EXPECT_EQ(int16_t((*w)[7] & 0xffff), -128);        // out_zp
  EXPECT_EQ(int16_t(((*w)[7] >> 32) & 0xffff), 127); // clamp_max
}

} // namespace
