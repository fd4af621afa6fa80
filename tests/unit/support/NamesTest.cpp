//===- NamesTest.cpp - quoteName/escapeName on hostile names --------------===//

#include "core/support/Names.h"

#include <gtest/gtest.h>

using tessera::escapeName;
using tessera::quoteName;

TEST(QuoteName, PlainNamesAreOnlyQuoted) {
  EXPECT_EQ(quoteName("conv0"), "'conv0'");
  EXPECT_EQ(quoteName("/backbone/conv.1/Conv_output_0"),
            "'/backbone/conv.1/Conv_output_0'");
  EXPECT_EQ(quoteName(""), "''");
}

TEST(QuoteName, NewlinesCannotForgeAnErrorLine) {
  // "x\nerror: fake" would print a second line starting with "error:".
  std::string q = quoteName("x\nerror: fake");
  EXPECT_EQ(q, "'x\\nerror: fake'");
  EXPECT_EQ(q.find('\n'), std::string::npos);
}

TEST(QuoteName, ControlQuoteAndBackslash) {
  EXPECT_EQ(quoteName("a\tb\rc"), "'a\\tb\\rc'");
  EXPECT_EQ(quoteName("it's"), "'it\\'s'");
  EXPECT_EQ(quoteName("a\\b"), "'a\\\\b'");
  // ESC [ 2 J (clear screen), NUL and DEL are hex-escaped.
  EXPECT_EQ(quoteName(llvm::StringRef("\x1b[2J\0\x7f", 6)),
            "'\\x1B[2J\\x00\\x7F'");
}

TEST(QuoteName, Utf8KeptInvalidBytesEscaped) {
  EXPECT_EQ(quoteName("conv_\xC3\xA9t\xC3\xA9"), "'conv_\xC3\xA9t\xC3\xA9'");
  EXPECT_EQ(quoteName("\xE5\x8D\xB7\xE7\xA7\xAF"), "'\xE5\x8D\xB7\xE7\xA7\xAF'");
  // A lone continuation byte, a truncated sequence, an overlong encoding.
  EXPECT_EQ(quoteName("a\x80z"), "'a\\x80z'");
  EXPECT_EQ(quoteName("a\xE5\x8D"), "'a\\xE5\\x8D'");
  EXPECT_EQ(quoteName("\xC0\xAF"), "'\\xC0\\xAF'");
}

TEST(QuoteName, LineSeparatorsAndBidiOverridesEscaped) {
  EXPECT_EQ(quoteName("a\xE2\x80\xA8" "b"), "'a\\xE2\\x80\\xA8b'"); // U+2028
  EXPECT_EQ(quoteName("a\xE2\x80\xAE" "b"), "'a\\xE2\\x80\\xAEb'"); // U+202E
  EXPECT_EQ(quoteName("a\xC2\x85" "b"), "'a\\xC2\\x85b'");          // U+0085
}

TEST(QuoteName, LongNamesAreTruncatedWithTheirLength) {
  std::string name(70000, 'n');
  std::string q = quoteName(name);
  EXPECT_EQ(q, "'" + std::string(100, 'n') + "...' (70000 bytes)");
  // Exactly at the limit: shown in full.
  std::string atLimit(tessera::kMaxShownNameBytes, 'm');
  EXPECT_EQ(quoteName(atLimit), "'" + atLimit + "'");
}

TEST(QuoteName, TruncationDoesNotSplitAUtf8Sequence) {
  // 99 ASCII bytes, then 3-byte characters: the one starting at byte 99 is
  // kept whole.
  std::string name = std::string(99, 'a');
  for (int i = 0; i < 100; ++i)
    name += "\xE5\x8D\xB7";
  std::string q = quoteName(name);
  EXPECT_EQ(q, "'" + std::string(99, 'a') + "\xE5\x8D\xB7...' (399 bytes)");
}

TEST(EscapeName, NoQuotesNoTruncation) {
  EXPECT_EQ(escapeName("a\nb"), "a\\nb");
  EXPECT_EQ(escapeName(std::string(300, 'x')), std::string(300, 'x'));
}

TEST(EscapeName, TruncatesOnlyWhenAsked) {
  EXPECT_EQ(escapeName(std::string(300, 'x'), 40),
            std::string(20, 'x') + "... (300 bytes)");
  EXPECT_EQ(escapeName("a\nb", 40), "a\\nb");
}
