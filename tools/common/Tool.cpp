//===- Tool.cpp - What every Tessera command-line tool shares -------------===//
#include "tools/common/Tool.h"

#include "core/io/Output.h"
#include "core/support/Diagnostics.h"
#include "core/tensor/Limits.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using llvm::StringRef;

namespace tessera::tools {
namespace {

/// --max-memory, shared by every tool: the memory budget of
/// core/tensor/Limits.h. Registered here so each tool has it once.
llvm::cl::opt<std::string> maxMemory(
    "max-memory",
    llvm::cl::desc("largest tensor, file or buffer a tool allocates for data "
                   "read from a file (e.g. 512M, 8G; default 4G; at most "
                   "256T)"),
    llvm::cl::value_desc("size"));

/// The real stderr while parseCommandLine captures llvm::cl's messages, -1
/// otherwise. --help and --version call exit() in the middle of parsing.
int savedStderr = -1;

void restoreStderr() {
  if (savedStderr < 0)
    return;
  llvm::errs().flush();
  ::dup2(savedStderr, STDERR_FILENO);
  ::close(savedStderr);
  savedStderr = -1;
}

/// Runs at exit, before the destructors of llvm::outs() and llvm::errs()
/// (installStdoutCheck constructs them first). Without it a failed write to
/// stdout only shows up in raw_fd_ostream's destructor, which aborts with
/// "LLVM ERROR: IO failure on output stream".
void checkStdoutAtExit() {
  restoreStderr();
  if (llvm::Error err = io::flushStdout()) {
    reportError(std::move(err));
    llvm::errs().clear_error();
    // exit() is already under way; _Exit is the only way to change its
    // status now.
    std::_Exit(kExitFailure);
  }
  // A failed write to stderr cannot be reported anywhere; do not let it
  // turn into an abort either.
  llvm::errs().clear_error();
}

/// Reads what was written to `file` since it was opened.
std::string readAll(std::FILE *file) {
  std::string text;
  std::rewind(file);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, file)) > 0)
    text.append(buf, n);
  return text;
}

void installStdoutCheck() {
  static bool installed = false;
  if (installed)
    return;
  installed = true;
  // Functions registered with atexit after a static object is constructed
  // run before its destructor.
  (void)llvm::outs();
  (void)llvm::errs();
  std::atexit(checkStdoutAtExit);
}

/// Rewrites llvm::cl's error text as lines "error: ...".
std::string formatCommandLineErrors(StringRef text, StringRef programName) {
  std::string out;
  llvm::SmallVector<StringRef> lines;
  text.split(lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    line = line.trim();
    if (!programName.empty() && line.starts_with(programName) &&
        line.drop_front(programName.size()).starts_with(": "))
      line = line.drop_front(programName.size() + 2).ltrim();
    if (line.starts_with("error: "))
      line = line.drop_front(7);
    if (line.empty())
      continue;
    std::string msg = line.str();
    // "Unknown command line argument" -> "unknown ...", as our own
    // messages are written; "-o" or "PATH" stay as they are.
    if (msg.size() > 1 && llvm::isUpper(msg[0]) && llvm::isLower(msg[1]))
      msg[0] = llvm::toLower(msg[0]);
    out += "error: " + msg + "\n";
  }
  if (out.empty())
    out = "error: invalid command line\n";
  return out;
}

} // namespace

void parseCommandLine(int argc, char **argv, StringRef overview) {
  installStdoutCheck();
  // Tools hide the options outside their own category; this one is theirs.
  maxMemory.setHiddenFlag(llvm::cl::NotHidden);
  // llvm::cl writes some messages to the stream it is given and others
  // (Option::error: a missing or invalid value, a missing required option)
  // straight to llvm::errs(). Point stderr at a temporary file while it
  // parses, so every message comes back here, in order, to be reformatted.
  std::FILE *capture = std::tmpfile();
  savedStderr = capture ? ::dup(STDERR_FILENO) : -1;
  if (savedStderr >= 0 && ::dup2(::fileno(capture), STDERR_FILENO) < 0) {
    ::close(savedStderr);
    savedStderr = -1;
  }
  bool captured = savedStderr >= 0;
  bool ok = llvm::cl::ParseCommandLineOptions(argc, argv, overview,
                                              &llvm::errs());
  restoreStderr();
  std::string messages = captured ? readAll(capture) : std::string();
  if (capture)
    std::fclose(capture);
  if (ok) {
    llvm::errs() << messages; // warnings, if llvm::cl ever prints any
    if (!maxMemory.empty()) {
      auto bytes = parseByteSize(maxMemory, "max-memory");
      if (!bytes)
        std::exit(reportError(bytes.takeError()));
      setMemoryBudget(*bytes);
    }
    return;
  }
  StringRef program = argc > 0 ? llvm::sys::path::filename(argv[0]) : "";
  llvm::errs() << formatCommandLineErrors(messages, program);
  std::exit(kExitFailure);
}

namespace {
void printLine(llvm::StringRef kind, std::string msg) {
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  llvm::errs() << kind << ": " << msg << "\n";
}
} // namespace

int reportError(const llvm::Twine &message) {
  printLine("error", message.str());
  return kExitFailure;
}

int reportError(llvm::Error err) {
  llvm::handleAllErrors(
      std::move(err),
      [&](const DiagnosticListError &d) {
        printLine("error", d.first());
        for (const std::string &note : d.rest())
          printLine("note", note);
      },
      [&](const llvm::ErrorInfoBase &e) { printLine("error", e.message()); });
  return kExitFailure;
}

} // namespace tessera::tools
