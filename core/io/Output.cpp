//===- Output.cpp - Safe output files and bounded input files -------------===//
#include "core/io/Output.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

using llvm::Error;
using llvm::StringRef;
using llvm::Twine;
namespace fs = llvm::sys::fs;

namespace tessera::io {
namespace {

Error makeError(const Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

Error writeError(StringRef path, std::error_code ec) {
  return makeError(path + ": cannot write: " + ec.message());
}

std::error_code lastError() { return {errno, std::generic_category()}; }

/// Runs `write` on `os` (which owns its descriptor), closes it and checks
/// every step. raw_fd_ostream records a failed write or close in its error
/// flag; it is read and cleared here so the stream's destructor never aborts
/// with "IO failure on output stream".
Error writeAndClose(StringRef path, llvm::raw_fd_ostream &os,
                    llvm::function_ref<Error(llvm::raw_ostream &)> write) {
  Error userError = write(os);
  os.close();
  std::error_code ec = os.error();
  os.clear_error();
  if (userError)
    return userError;
  if (ec)
    return writeError(path, ec);
  return Error::success();
}

/// Devices, FIFOs, sockets and the /dev and /proc names of open descriptors
/// (/dev/stdout, /proc/self/fd/N): opened and written in place. O_TRUNC is
/// what a shell's `>` does; Linux ignores it for FIFOs and devices.
Error writeThrough(StringRef path,
                   llvm::function_ref<Error(llvm::raw_ostream &)> write) {
  int fd = ::open(path.str().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return writeError(path, lastError());
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  return writeAndClose(path, os, write);
}

/// A regular file: write `target`.tmp-XXXXXX beside it, close it, then
/// rename it over `target`. The temporary file is removed on any failure
/// and on a fatal signal. `mode` keeps an existing file's permissions.
Error writeAtomically(StringRef path, StringRef target,
                      std::optional<fs::perms> mode,
                      llvm::function_ref<Error(llvm::raw_ostream &)> write) {
  int fd = -1;
  llvm::SmallString<256> tmp;
  if (std::error_code ec = fs::createUniqueFile(target + ".tmp-%%%%%%", fd,
                                                tmp, fs::OF_None))
    return writeError(path, ec);
  llvm::sys::RemoveFileOnSignal(tmp);
  auto discard = [&](Error err) {
    fs::remove(tmp);
    llvm::sys::DontRemoveFileOnSignal(tmp);
    return err;
  };
  if (mode)
    if (std::error_code ec = fs::setPermissions(fd, *mode)) {
      ::close(fd);
      return discard(writeError(path, ec));
    }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (Error err = writeAndClose(path, os, write))
      return discard(std::move(err));
  }
  if (std::error_code ec = fs::rename(tmp, target))
    return discard(writeError(path, ec));
  llvm::sys::DontRemoveFileOnSignal(tmp);
  return Error::success();
}

/// /dev/stdout, /dev/fd/N and /proc/self/fd/N name an open descriptor;
/// replacing what they resolve to would bypass the descriptor (a shell's
/// `>>`, a pipe into tee).
bool isDescriptorAlias(StringRef path) {
  return path.starts_with("/dev/") || path.starts_with("/proc/");
}

} // namespace

Error writeFile(StringRef path,
                llvm::function_ref<Error(llvm::raw_ostream &)> write) {
  if (path == "-") {
    Error err = write(llvm::outs());
    Error flushed = flushStdout();
    if (err) {
      llvm::consumeError(std::move(flushed));
      return err;
    }
    return flushed;
  }
  if (path.empty())
    return makeError("cannot write: empty output path");

  fs::file_status st;
  std::error_code ec = fs::status(path, st, /*Follow=*/true);
  if (ec == std::errc::no_such_file_or_directory) {
    // A dangling symbolic link: creating its target through a temporary
    // file would replace the link, so refuse it.
    fs::file_status link;
    if (!fs::status(path, link, /*Follow=*/false) &&
        link.type() == fs::file_type::symlink_file)
      return makeError(path + ": cannot write: symbolic link to a missing "
                              "file");
    return writeAtomically(path, path, std::nullopt, write);
  }
  if (ec)
    return writeError(path, ec);
  switch (st.type()) {
  case fs::file_type::directory_file:
    return writeError(path, std::make_error_code(std::errc::is_a_directory));
  case fs::file_type::regular_file:
    break;
  default: // character/block devices, FIFOs, sockets
    return writeThrough(path, write);
  }
  if (isDescriptorAlias(path))
    return writeThrough(path, write);
  // A symbolic link (or a chain) is replaced at its final target, so the
  // link keeps pointing at the new contents.
  llvm::SmallString<256> target;
  if (std::error_code rec = fs::real_path(path, target))
    return writeError(path, rec);
  return writeAtomically(path, target, st.permissions(), write);
}

Error writeFile(StringRef path, StringRef bytes) {
  return writeFile(path, [&](llvm::raw_ostream &os) {
    os << bytes;
    return Error::success();
  });
}

Error flushStdout() {
  llvm::raw_fd_ostream &os = llvm::outs();
  os.flush();
  if (!os.has_error())
    return Error::success();
  std::error_code ec = os.error();
  os.clear_error();
  return makeError("cannot write to standard output: " + ec.message());
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readRegularFile(StringRef path, uint64_t maxBytes, StringRef limitText) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer; it has no effect on the regular files read here.
  int fd = ::open(path.str().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return makeError(path + ": cannot open: " + lastError().message());
  auto result = [&]() -> llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> {
    fs::file_status st;
    if (std::error_code ec = fs::status(fd, st))
      return makeError(path + ": cannot open: " + ec.message());
    if (st.type() != fs::file_type::regular_file)
      return makeError(path + ": not a regular file");
    if (st.getSize() > maxBytes)
      return makeError(path + ": " + Twine(st.getSize()) + " bytes, over " +
                       limitText);
    auto buf = llvm::MemoryBuffer::getOpenFile(
        fs::convertFDToNativeFile(fd), path, st.getSize(),
        /*RequiresNullTerminator=*/false);
    if (!buf)
      return makeError(path + ": cannot read: " + buf.getError().message());
    return std::move(*buf);
  }();
  ::close(fd);
  return result;
}

} // namespace tessera::io
