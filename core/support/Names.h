//===- Names.h - Quoting names from models and files for messages -*- C++ -*-===//
//
// A tensor, node or file name comes from the user's model or file and may
// hold anything: newlines, terminal escapes, quotes, invalid UTF-8, 70,000
// bytes. Printed verbatim it could forge an `error:` line or flood the
// terminal, so every message and report that shows such a name quotes it
// with quoteName (docs/robustness.md, "Names").
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_SUPPORT_NAMES_H
#define TESSERA_CORE_SUPPORT_NAMES_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <string>

namespace tessera {

/// Longest tensor or node name the front end accepts, in bytes. The .npubin
/// format holds strings of up to 65535 bytes (core/isa/Program.h
/// kMaxNpubinString); 4096 leaves room for the suffixes the compiler appends
/// ("<node>.weights") and is far beyond any real model's names.
inline constexpr size_t kMaxNameBytes = 4096;

/// Names longer than this many bytes are shown truncated by quoteName.
inline constexpr size_t kMaxShownNameBytes = 200;

/// `name` in single quotes, safe to print on one line: printable ASCII and
/// well-formed UTF-8 are kept; a quote or backslash is escaped with '\'; \n,
/// \r and \t are written so; every other control byte, invalid UTF-8 byte,
/// C1 control, line separator and bidirectional override is written \xNN per
/// byte. A name longer than kMaxShownNameBytes shows its first bytes, then
/// "...' (N bytes)". An empty name is ''.
std::string quoteName(llvm::StringRef name);

/// The escaped text of quoteName without the quotes, for places that frame
/// the name themselves (a table cell). A name longer than `maxShown` bytes
/// shows its first maxShown/2 bytes, then "... (N bytes)".
std::string escapeName(llvm::StringRef name,
                       size_t maxShown = static_cast<size_t>(-1));

} // namespace tessera

#endif // TESSERA_CORE_SUPPORT_NAMES_H
