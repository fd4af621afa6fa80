//===- Names.cpp - Quoting names from models and files for messages -------===//

#include "core/support/Names.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"

namespace tessera {

namespace {

/// Appends the escaped form of name[i...] for one character (one byte, or one
/// well-formed UTF-8 sequence) and returns the number of input bytes used.
size_t escapeOne(llvm::StringRef name, size_t i, std::string &out) {
  auto hex = [&](unsigned char c) {
    out += "\\x";
    out += llvm::hexdigit(c >> 4, /*LowerCase=*/false);
    out += llvm::hexdigit(c & 15, /*LowerCase=*/false);
  };
  unsigned char c = name[i];
  switch (c) {
  case '\n':
    out += "\\n";
    return 1;
  case '\r':
    out += "\\r";
    return 1;
  case '\t':
    out += "\\t";
    return 1;
  case '\\':
  case '\'':
    out += '\\';
    out += char(c);
    return 1;
  default:
    break;
  }
  if (c >= 0x20 && c < 0x7f) {
    out += char(c);
    return 1;
  }
  if (c < 0x80) { // C0 controls and DEL
    hex(c);
    return 1;
  }
  // Multi-byte UTF-8: keep a well-formed sequence unless it encodes a C1
  // control (U+0080..U+009F), a line/paragraph separator (U+2028/2029) or a
  // bidirectional control (U+200E/200F, U+202A..U+202E, U+2066..U+2069),
  // which can reorder or break the printed line.
  unsigned len = llvm::getNumBytesForUTF8(c);
  const auto *p = reinterpret_cast<const llvm::UTF8 *>(name.data() + i);
  if (len > 1 && i + len <= name.size() &&
      llvm::isLegalUTF8Sequence(p, p + len)) {
    llvm::UTF32 cp = 0;
    const llvm::UTF8 *src = p;
    llvm::UTF32 *dst = &cp;
    llvm::ConvertUTF8toUTF32(&src, p + len, &dst, dst + 1,
                             llvm::strictConversion);
    bool unsafe = (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
                  cp == 0x2029 || cp == 0x200e || cp == 0x200f ||
                  (cp >= 0x202a && cp <= 0x202e) ||
                  (cp >= 0x2066 && cp <= 0x2069);
    for (unsigned k = 0; k < len; ++k) {
      if (unsafe)
        hex(static_cast<unsigned char>(name[i + k]));
      else
        out += name[i + k];
    }
    return len;
  }
  hex(c);
  return 1;
}

} // namespace

namespace {

/// The escaped form of `name`, cut after about maxShown/2 bytes (never inside
/// a UTF-8 sequence) when it is longer than maxShown; sets `cut` then.
std::string escapeUpTo(llvm::StringRef name, size_t maxShown, bool &cut) {
  std::string out;
  size_t shown = name.size() > maxShown ? maxShown / 2 : name.size();
  size_t i = 0;
  while (i < shown)
    i += escapeOne(name, i, out);
  cut = i < name.size();
  return out;
}

} // namespace

std::string escapeName(llvm::StringRef name, size_t maxShown) {
  bool cut = false;
  std::string out = escapeUpTo(name, maxShown, cut);
  if (cut)
    out += "... (" + std::to_string(name.size()) + " bytes)";
  return out;
}

std::string quoteName(llvm::StringRef name) {
  bool cut = false;
  std::string out = "'" + escapeUpTo(name, kMaxShownNameBytes, cut);
  out += cut ? "...' (" + std::to_string(name.size()) + " bytes)" : "'";
  return out;
}

} // namespace tessera
