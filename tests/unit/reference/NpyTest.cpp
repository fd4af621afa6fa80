//===- NpyTest.cpp - .npy reader/writer: format bytes and errors ----------===//

#include "core/tensor/Npy.h"
#include "core/tensor/Limits.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

using namespace tessera;

namespace {

std::string errorOf(llvm::Expected<Tensor> t) {
  if (t)
    return "";
  return llvm::toString(t.takeError());
}

/// A version 1.0 file with the given header dict and data.
std::string npyBytes(const std::string &dict, const std::string &data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

/// A version 1.0 float32 file claiming `shape` (a Python tuple) with `data`.
std::string npyF4(const std::string &shape, const std::string &data) {
  return npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': " +
                      shape + ", }",
                  data);
}

/// Restores the process-wide memory budget when a test changes it.
struct BudgetGuard {
  uint64_t saved = memoryBudget();
  ~BudgetGuard() { setMemoryBudget(saved); }
};

} // namespace

// The exact bytes numpy.save writes for np.array([[1, 2, 3]], np.int16):
// the header dict, spaces up to 64 - 10 - 1 bytes, '\n', then the data.
TEST(Npy, SerializesLikeNumpy) {
  Tensor t = Tensor::fromValues<int16_t>({1, 3}, {1, 2, 3});
  std::string bytes = serializeNpy(t);
  std::string dict = "{'descr': '<i2', 'fortran_order': False, "
                     "'shape': (1, 3), }";
  EXPECT_EQ(bytes, npyBytes(dict, std::string("\x01\x00\x02\x00\x03\x00", 6)));
  EXPECT_EQ(bytes.size(), 134u); // len(np.save(...)) for this array
  // Rank 1 keeps the trailing comma, rank 0 is "()".
  EXPECT_NE(serializeNpy(Tensor(ElementType::U8, {4})).find("(4,)"),
            std::string::npos);
  EXPECT_NE(serializeNpy(Tensor(ElementType::F32, {})).find("'shape': ()"),
            std::string::npos);
}

TEST(Npy, RoundTripsEveryType) {
  for (ElementType et : {ElementType::F32, ElementType::I8, ElementType::U8,
                         ElementType::I16, ElementType::U16, ElementType::I32,
                         ElementType::I64, ElementType::Bool}) {
    Tensor t(et, {2, 3});
    for (size_t i = 0; i < t.byteSize(); ++i)
      t.bytes()[i] =
          et == ElementType::Bool ? i % 2 : static_cast<uint8_t>(i * 37);
    auto back = parseNpy(serializeNpy(t), "mem");
    ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(*back, t) << elementTypeName(et);
  }
}

TEST(Npy, ReadsVersion2AndPython2Shapes) {
  std::string v1 = npyBytes("{'descr': '|u1', 'fortran_order': False, "
                            "'shape': (2L, 1L), }",
                            "\x07\x09");
  auto t = parseNpy(v1, "mem");
  ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->typeString(), "2x1xu8");
  EXPECT_EQ(t->getInt(1), 9);
  // Version 2.0: 4-byte header length.
  std::string header = v1.substr(10, v1.size() - 12);
  std::string v2("\x93NUMPY\x02\x00", 8);
  v2 += static_cast<char>(header.size());
  v2 += std::string(3, '\0');
  v2 += header + "\x07\x09";
  auto t2 = parseNpy(v2, "mem");
  ASSERT_TRUE(static_cast<bool>(t2)) << llvm::toString(t2.takeError());
  EXPECT_EQ(*t2, *t);
}

TEST(Npy, RejectsWhatItCannotRepresent) {
  auto with = [](const std::string &descr, const std::string &fortran,
                 const std::string &data) {
    return npyBytes("{'descr': '" + descr + "', 'fortran_order': " + fortran +
                        ", 'shape': (2,), }",
                    data);
  };
  EXPECT_NE(errorOf(parseNpy("hello", "a.npy")).find("a.npy: not a .npy"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(with(">f4", "False", std::string(8, '\0')), "b"))
                .find("unsupported dtype '>f4'"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(with("<f8", "False", std::string(16, '\0')), "b"))
                .find("unsupported dtype '<f8'"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(with("<f4", "True", std::string(8, '\0')), "b"))
                .find("Fortran-order"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(with("<f4", "False", std::string(7, '\0')), "b"))
                .find("expected 8 data bytes for 2xf32, got 7"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(with("|b1", "False", "\x01\x02"), "b"))
                .find("neither 0 nor 1"),
            std::string::npos);
  EXPECT_NE(errorOf(readNpy("/nonexistent/x.npy")).find("/nonexistent/x.npy: cannot open"),
            std::string::npos);
}

TEST(Npy, WritesAtomicallyAndReadsBack) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("npytest", dir));
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, "t.npy");
  Tensor t = Tensor::fromValues<float>({2}, {1.5f, -2.0f});
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, t)));
  auto back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(*back, t);
  // Writing into a missing directory fails and leaves nothing behind.
  llvm::SmallString<128> bad(dir);
  llvm::sys::path::append(bad, "missing", "t.npy");
  llvm::Error err = writeNpy(bad, t);
  EXPECT_TRUE(static_cast<bool>(err));
  llvm::consumeError(std::move(err));
  llvm::sys::fs::remove_directories(dir);
}

TEST(Npy, HeaderClaimsAreCheckedBeforeAllocating) {
  // 100000^4 elements: overflows; before the fix std::length_error aborted
  // tessera-sim and tessera-run.
  EXPECT_EQ(errorOf(parseNpy(npyF4("(100000, 100000, 100000, 100000)",
                                          ""),
                             "x.npy")),
            "x.npy: shape 100000x100000x100000x100000 of f32 has more bytes "
            "than fit in 64 bits");
  // 2^52 x 3 x 224 x 224: also overflows (the issue's .npz entry).
  EXPECT_NE(errorOf(parseNpy(npyF4("(4503599627370496, 3, 224, 224)",
                                          ""),
                             "x.npy"))
                .find("more bytes than fit in 64 bits"),
            std::string::npos);
  // A claim that fits in 64 bits but not in the file: 1000x1000 f32 needs
  // 4,000,000 bytes, 8 are present. Rejected by the size comparison, before
  // any 4 MB allocation.
  EXPECT_EQ(errorOf(parseNpy(npyF4("(1000, 1000)", std::string(8, 0)),
                             "x.npy")),
            "x.npy: expected 4000000 data bytes for 1000x1000xf32, got 8");
  // A header longer than 64 KiB (version 2.0 length field) is refused.
  std::string v2("\x93NUMPY\x02\x00\x00\x00\x10\x00", 12); // 1 MiB header
  EXPECT_NE(errorOf(parseNpy(v2, "x.npy")).find("longer than the limit"),
            std::string::npos);
  // 65 dimensions.
  std::string shape = "(";
  for (int i = 0; i < 65; ++i)
    shape += "1, ";
  shape += ")";
  EXPECT_NE(errorOf(parseNpy(npyF4(shape, std::string(4, 0)), "x.npy"))
                .find("more than 64 dimensions"),
            std::string::npos);
}

TEST(Npy, TensorsOverTheBudgetAreRefused) {
  BudgetGuard guard;
  setMemoryBudget(1024);
  // 300 f32 = 1200 bytes, present in full, but over a 1 KiB budget.
  EXPECT_EQ(errorOf(parseNpy(npyF4("(300,)", std::string(1200, 0)),
                             "x.npy")),
            "x.npy: 300xf32: needs 1200 bytes (1.2 KiB), over the memory "
            "budget of 1 KiB (--max-memory)");
  auto t = parseNpy(npyF4("(256,)", std::string(1024, 0)), "x.npy");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(t->numElements(), 256);
}
