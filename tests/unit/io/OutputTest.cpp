//===- OutputTest.cpp - core/io: safe output files, bounded reads ---------===//
#include "core/io/Output.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace tessera;
namespace fs = llvm::sys::fs;

namespace {

std::string errorOf(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string("success");
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh directory per test, removed afterwards.
class OutputTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(fs::createUniqueDirectory("tessera-io-test", dir));
  }
  void TearDown() override { fs::remove_directories(dir); }
  std::string path(llvm::StringRef name) const {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  /// The names in the directory, to show no temporary file was left.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      names.push_back(llvm::sys::path::filename(it->path()).str());
    std::sort(names.begin(), names.end());
    return names;
  }
  llvm::SmallString<128> dir;
};

TEST_F(OutputTest, WritesANewFile) {
  EXPECT_EQ(errorOf(io::writeFile(path("a.txt"), "hello\n")), "success");
  EXPECT_EQ(slurp(path("a.txt")), "hello\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"a.txt"});
}

TEST_F(OutputTest, ReplacesARegularFileKeepingItsPermissions) {
  { std::ofstream(path("a.txt")) << "old contents that are longer"; }
  ASSERT_EQ(::chmod(path("a.txt").c_str(), 0640), 0);
  EXPECT_EQ(errorOf(io::writeFile(path("a.txt"), "new")), "success");
  EXPECT_EQ(slurp(path("a.txt")), "new");
  struct stat st;
  ASSERT_EQ(::stat(path("a.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(entries(), std::vector<std::string>{"a.txt"});
}

TEST_F(OutputTest, AFailedWriteKeepsTheOldFileAndLeavesNoTemporary) {
  { std::ofstream(path("a.txt")) << "old"; }
  llvm::Error err = io::writeFile(path("a.txt"), [](llvm::raw_ostream &os) {
    os << "half of the new contents";
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "serializer failed");
  });
  EXPECT_EQ(errorOf(std::move(err)), "serializer failed");
  EXPECT_EQ(slurp(path("a.txt")), "old");
  EXPECT_EQ(entries(), std::vector<std::string>{"a.txt"});
}

TEST_F(OutputTest, WritesASymlinksTargetAndKeepsTheLink) {
  { std::ofstream(path("target.txt")) << "old"; }
  ASSERT_FALSE(fs::create_link("target.txt", path("link.txt")));
  EXPECT_EQ(errorOf(io::writeFile(path("link.txt"), "new")), "success");
  fs::file_status st;
  ASSERT_FALSE(fs::status(path("link.txt"), st, /*Follow=*/false));
  EXPECT_EQ(st.type(), fs::file_type::symlink_file);
  EXPECT_EQ(slurp(path("target.txt")), "new");
  EXPECT_EQ(entries(), (std::vector<std::string>{"link.txt", "target.txt"}));
}

TEST_F(OutputTest, RefusesADanglingSymlinkAndADirectory) {
  ASSERT_FALSE(fs::create_link("missing.txt", path("link.txt")));
  EXPECT_EQ(errorOf(io::writeFile(path("link.txt"), "x")),
            path("link.txt") +
                ": cannot write: symbolic link to a missing file");
  EXPECT_EQ(errorOf(io::writeFile(dir.str(), "x")),
            dir.str().str() + ": cannot write: Is a directory");
  EXPECT_EQ(entries(), std::vector<std::string>{"link.txt"});
}

TEST_F(OutputTest, ANewFileInAMissingDirectoryNamesThePath) {
  std::string p = path("no/such/dir/a.txt");
  EXPECT_EQ(errorOf(io::writeFile(p, "x")),
            p + ": cannot write: No such file or directory");
}

TEST(Output, DevFullFailsAndStaysADevice) {
  // The write-through path: ENOSPC surfaces when the buffer is flushed.
  EXPECT_EQ(errorOf(io::writeFile("/dev/full", "bytes")),
            "/dev/full: cannot write: No space left on device");
  fs::file_status st;
  ASSERT_FALSE(fs::status("/dev/full", st));
  EXPECT_EQ(st.type(), fs::file_type::character_file);
}

TEST(Output, DevNullIsWrittenThrough) {
  EXPECT_EQ(errorOf(io::writeFile("/dev/null", "bytes")), "success");
  fs::file_status st;
  ASSERT_FALSE(fs::status("/dev/null", st));
  EXPECT_EQ(st.type(), fs::file_type::character_file);
}

TEST_F(OutputTest, AFifoGetsTheBytes) {
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = slurp(path("pipe")); });
  llvm::Error err = io::writeFile(path("pipe"), "through the fifo\n");
  reader.join();
  EXPECT_EQ(errorOf(std::move(err)), "success");
  EXPECT_EQ(received, "through the fifo\n");
  fs::file_status st;
  ASSERT_FALSE(fs::status(path("pipe"), st));
  EXPECT_EQ(st.type(), fs::file_type::fifo_file);
  EXPECT_EQ(entries(), std::vector<std::string>{"pipe"});
}

TEST_F(OutputTest, ReadsOnlyBoundedRegularFiles) {
  { std::ofstream(path("a.txt")) << "0123456789"; }
  auto ok = io::readRegularFile(path("a.txt"), 10, "the limit");
  ASSERT_TRUE(bool(ok)) << llvm::toString(ok.takeError());
  EXPECT_EQ((*ok)->getBuffer(), "0123456789");

  EXPECT_EQ(errorOf(io::readRegularFile(path("a.txt"), 9, "the 9-byte limit")
                        .takeError()),
            path("a.txt") + ": 10 bytes, over the 9-byte limit");
  EXPECT_EQ(errorOf(io::readRegularFile("/dev/zero", 10, "x").takeError()),
            "/dev/zero: not a regular file");
  EXPECT_EQ(errorOf(io::readRegularFile(dir.str(), 10, "x").takeError()),
            dir.str().str() + ": not a regular file");
  EXPECT_EQ(errorOf(io::readRegularFile(path("none"), 10, "x").takeError()),
            path("none") + ": cannot open: No such file or directory");
  // A FIFO with no writer is refused at once rather than waited on.
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  EXPECT_EQ(errorOf(io::readRegularFile(path("pipe"), 10, "x").takeError()),
            path("pipe") + ": not a regular file");
}

} // namespace
