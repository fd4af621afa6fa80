//===- FuzzCommon.h - Setup and checks shared by the fuzz targets -*- C++ -*-===//
//
// Every fuzz target (tests/fuzz/Fuzz*.cpp, one libFuzzer binary each) links
// FuzzInit.cpp, which sets the memory budget, and uses these helpers to turn a
// broken invariant into a crash libFuzzer records. Inputs that are merely
// invalid must come back as an llvm::Error: that is the property fuzzed.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_TESTS_FUZZ_FUZZCOMMON_H
#define TESSERA_TESTS_FUZZ_FUZZCOMMON_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>

namespace tessera::fuzz {

/// The memory budget of every fuzz target (core/tensor/Limits.h): small, so
/// that an input claiming a huge tensor is refused instead of allocated,
/// and far under libFuzzer's -rss_limit_mb=2048 (scripts/fuzz).
constexpr uint64_t kFuzzMemoryBudget = uint64_t(64) << 20;

/// A property that must hold for any input failed: print why and abort, so
/// libFuzzer saves the input as a crash.
[[noreturn]] inline void violated(const llvm::Twine &what) {
  llvm::errs() << "fuzz property violated: " << what << "\n";
  llvm::errs().flush();
  std::abort();
}

/// The input as text (libFuzzer's bytes are not NUL-terminated).
inline llvm::StringRef asText(const uint8_t *data, size_t size) {
  return llvm::StringRef(reinterpret_cast<const char *>(data), size);
}

} // namespace tessera::fuzz

#endif // TESSERA_TESTS_FUZZ_FUZZCOMMON_H
