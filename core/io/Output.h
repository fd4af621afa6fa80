//===- Output.h - Safe output files and bounded input files ----*- C++ -*-===//
//
// Every file Tessera writes goes through writeFile, and every input whose
// size must be bounded (target profiles, ONNX models) through
// readRegularFile, so the rules below hold everywhere (docs/tools.md,
// "Errors, exit codes and outputs"):
//
//  - A regular file, or a path that does not exist yet, is written to a
//    temporary file in the same directory and renamed into place: a failed
//    or interrupted write never leaves a half-written file, and the old
//    contents survive a failure.
//  - A symbolic link is resolved and its target written the same way; the
//    link itself survives.
//  - Anything else (a character device such as /dev/null or /dev/full, a
//    FIFO, a socket, /dev/stdout) is opened and written through, never
//    replaced by a regular file.
//  - Every write, flush and close is checked; a failure is an llvm::Error
//    naming the path and the operating system's reason, and no temporary
//    file is left behind.
//
// Plain LLVM Support; no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_IO_OUTPUT_H
#define TESSERA_CORE_IO_OUTPUT_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <memory>

namespace tessera::io {

/// Writes `path` with what `write` prints, by the rules above. "-" is
/// standard output (checked with flushStdout). An error returned by `write`
/// is returned unchanged (and the temporary file removed); an I/O failure
/// is "<path>: cannot write: <reason>".
llvm::Error
writeFile(llvm::StringRef path,
          llvm::function_ref<llvm::Error(llvm::raw_ostream &)> write);

/// writeFile with fixed contents.
llvm::Error writeFile(llvm::StringRef path, llvm::StringRef bytes);

/// Flushes llvm::outs(). If any write to standard output failed (stdout
/// redirected to /dev/full, a closed pipe with SIGPIPE ignored), returns
/// "cannot write to standard output: <reason>" and clears the stream's
/// error, so LLVM does not abort with "IO failure on output stream" at exit.
llvm::Error flushStdout();

/// Reads `path` whole, only if it is a regular file of at most `maxBytes`
/// bytes (a target profile, an ONNX model). Refusing devices and FIFOs
/// keeps `--target /dev/zero` from reading forever; the size limit keeps a
/// huge file from being loaded before anyone looks at it. The file is
/// opened without blocking, so a FIFO is refused rather than waited on.
/// Errors: "<path>: cannot open: <reason>", "<path>: not a regular file",
/// "<path>: N bytes, over <limit>" where <limit> is `limitText` (e.g. "the
/// 1 MiB limit for a target profile").
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readRegularFile(llvm::StringRef path, uint64_t maxBytes,
                llvm::StringRef limitText);

} // namespace tessera::io

#endif // TESSERA_CORE_IO_OUTPUT_H
