//===- Tool.h - What every Tessera command-line tool shares -----*- C++ -*-===//
//
// Command-line parsing and error reporting for tools/*: every user error is
// one or more lines starting with "error: " on stderr and exit status 1
// (kExitFailure), whether llvm::cl, a library or a failed write to stdout
// found it (docs/tools.md, "Errors, exit codes and outputs").
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_TOOLS_COMMON_TOOL_H
#define TESSERA_TOOLS_COMMON_TOOL_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace tessera::tools {

/// The exit status of every failure: a bad command line, a bad input, a
/// failed write (including standard output). 0 is success.
constexpr int kExitFailure = 1;

/// llvm::cl::ParseCommandLineOptions, with each of llvm::cl's messages
/// printed as "error: ..." (its "<tool>: " prefix dropped) and exit status
/// kExitFailure on a command-line error. Also makes sure a failed write to
/// standard output is reported as an error even on paths that call exit()
/// (--help, --version) instead of crashing in LLVM's stream destructor.
void parseCommandLine(int argc, char **argv, llvm::StringRef overview);

/// Prints "error: <message>" as one line (newlines become spaces) and
/// returns kExitFailure. A DiagnosticListError (core/support/Diagnostics.h)
/// prints its first diagnostic as the error line and every other one as a
/// "note: " line below it.
int reportError(llvm::Error err);
int reportError(const llvm::Twine &message);

} // namespace tessera::tools

#endif // TESSERA_TOOLS_COMMON_TOOL_H
