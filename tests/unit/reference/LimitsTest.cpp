//===- LimitsTest.cpp - Overflow-checked sizes, memory budget, .npy bounds ===//

#include "core/tensor/Limits.h"
#include "core/tensor/Npy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using namespace tessera;

namespace {

std::string errorOf(llvm::Error e) { return llvm::toString(std::move(e)); }

template <typename T> std::string errorOf(llvm::Expected<T> v) {
  if (v)
    return "";
  return llvm::toString(v.takeError());
}

/// Restores the process-wide budget when a test changes it.
struct BudgetGuard {
  uint64_t saved = memoryBudget();
  ~BudgetGuard() { setMemoryBudget(saved); }
};

/// A version 1.0 .npy with the given shape text and data.
std::string npyWithShape(const std::string &shape, const std::string &data) {
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

} // namespace

TEST(Limits, CheckedArithmeticAtTheInt64Edge) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(checkedAdd(kMax - 1, 1), kMax);
  EXPECT_EQ(checkedAdd(kMax, 1), std::nullopt);
  EXPECT_EQ(checkedAdd(-1, 1), std::nullopt);
  // 2^31 * 2^32 = 2^63 is one past int64's maximum.
  EXPECT_EQ(checkedMul(int64_t(1) << 31, int64_t(1) << 31), int64_t(1) << 62);
  EXPECT_EQ(checkedMul(int64_t(1) << 31, int64_t(1) << 32), std::nullopt);
  EXPECT_EQ(checkedMul(3, -2), std::nullopt);
}

TEST(Limits, ElementCountsOverflowInsteadOfWrapping) {
  EXPECT_EQ(checkedNumElements({}), 1);
  EXPECT_EQ(checkedNumElements({1, 3, 224, 224}), 150528);
  // The initializer [2^62, 1, 1, 8]: 2^65 elements wrapped to 0 and
  // passed the "no data" check.
  EXPECT_EQ(checkedNumElements({int64_t(1) << 62, 1, 1, 8}), std::nullopt);
  // 100000^4 = 10^20 > 2^63 ~ 9.22e18.
  EXPECT_EQ(checkedNumElements({100000, 100000, 100000, 100000}),
            std::nullopt);
  // A zero dimension makes the count 0 whatever the others are.
  EXPECT_EQ(checkedNumElements({int64_t(1) << 62, 0, int64_t(1) << 62}), 0);
  EXPECT_EQ(checkedNumElements({2, -1}), std::nullopt);
  // 2^52 x 3 x 224 x 224 elements: 6.8e20, over 2^63.
  EXPECT_EQ(checkedNumElements({int64_t(1) << 52, 3, 224, 224}),
            std::nullopt);
  // 2^61 elements fit; 2^61 x 4 bytes do not.
  EXPECT_EQ(checkedByteSize({int64_t(1) << 61}, 2), int64_t(1) << 62);
  EXPECT_EQ(checkedByteSize({int64_t(1) << 61}, 4), std::nullopt);
}

TEST(Limits, ParsesByteSizes) {
  EXPECT_EQ(*parseByteSize("1048576", "max-memory"), 1048576u);
  EXPECT_EQ(*parseByteSize("512K", "max-memory"), 512u << 10);
  EXPECT_EQ(*parseByteSize("512M", "max-memory"), 512u << 20);
  EXPECT_EQ(*parseByteSize("4G", "max-memory"), uint64_t(4) << 30);
  EXPECT_EQ(*parseByteSize("4GiB", "max-memory"), uint64_t(4) << 30);
  EXPECT_EQ(*parseByteSize("4gb", "max-memory"), uint64_t(4) << 30);
  EXPECT_EQ(*parseByteSize("1T", "max-memory"), uint64_t(1) << 40);
  EXPECT_EQ(errorOf(parseByteSize("lots", "max-memory")),
            "--max-memory: expected a byte count such as 4G, 512M or "
            "1048576, got 'lots'");
  EXPECT_EQ(errorOf(parseByteSize("0", "max-memory")),
            "--max-memory: must be above 0");
  // 2^64 bytes do not fit in 64 bits.
  EXPECT_NE(errorOf(parseByteSize("16777216T", "max-memory")), "");
}

TEST(Limits, FormatsBytes) {
  EXPECT_EQ(formatBytes(1), "1 byte");
  EXPECT_EQ(formatBytes(1000), "1000 bytes");
  EXPECT_EQ(formatBytes(uint64_t(4) << 30), "4 GiB");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatDims({}), "scalar");
  EXPECT_EQ(formatDims({1, 3, 224, 224}), "1x3x224x224");
}

TEST(Limits, TensorSizeAgainstTheBudget) {
  BudgetGuard guard;
  setMemoryBudget(1 << 20); // 1 MiB
  // 1x3x224x224 f32 = 602,112 bytes: fits.
  EXPECT_FALSE(checkTensorSize("x", {1, 3, 224, 224}, 4, "f32"));
  // 1x3x512x512 f32 = 3,145,728 bytes = 3 MiB: over.
  EXPECT_EQ(errorOf(checkTensorSize("input 'x'", {1, 3, 512, 512}, 4, "f32")),
            "input 'x': 1x3x512x512xf32: needs 3145728 bytes (3 MiB), over "
            "the memory budget of 1 MiB (--max-memory)");
  EXPECT_EQ(errorOf(checkTensorSize("w", {int64_t(1) << 62, 1, 1, 8}, 4,
                                    "f32")),
            "w: shape 4611686018427387904x1x1x8xf32 has more bytes than fit "
            "in 64 bits");
  EXPECT_EQ(errorOf(checkTensorSize("w", {3, -2}, 4, "f32")),
            "w: dimension 1 is negative (-2)");
}

TEST(Npy, HeaderClaimsAreCheckedBeforeAllocating) {
  // 100000^4 elements: overflows; before the fix std::length_error aborted
  // tessera-sim and tessera-run.
  EXPECT_EQ(errorOf(parseNpy(npyWithShape("(100000, 100000, 100000, 100000)",
                                          ""),
                             "x.npy")),
            "x.npy: shape 100000x100000x100000x100000 of f32 has more bytes "
            "than fit in 64 bits");
  // 2^52 x 3 x 224 x 224: also overflows (the issue's .npz entry).
  EXPECT_NE(errorOf(parseNpy(npyWithShape("(4503599627370496, 3, 224, 224)",
                                          ""),
                             "x.npy"))
                .find("more bytes than fit in 64 bits"),
            std::string::npos);
  // A claim that fits in 64 bits but not in the file: 1000x1000 f32 needs
  // 4,000,000 bytes, 8 are present. Rejected by the size comparison, before
  // any 4 MB allocation.
  EXPECT_EQ(errorOf(parseNpy(npyWithShape("(1000, 1000)", std::string(8, 0)),
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
  EXPECT_NE(errorOf(parseNpy(npyWithShape(shape, std::string(4, 0)), "x.npy"))
                .find("more than 64 dimensions"),
            std::string::npos);
}

TEST(Npy, TensorsOverTheBudgetAreRefused) {
  BudgetGuard guard;
  setMemoryBudget(1024);
  // 300 f32 = 1200 bytes, present in full, but over a 1 KiB budget.
  EXPECT_EQ(errorOf(parseNpy(npyWithShape("(300,)", std::string(1200, 0)),
                             "x.npy")),
            "x.npy: 300xf32: needs 1200 bytes (1.2 KiB), over the memory "
            "budget of 1 KiB (--max-memory)");
  auto t = parseNpy(npyWithShape("(256,)", std::string(1024, 0)), "x.npy");
  ASSERT_TRUE(!!t) << llvm::toString(t.takeError());
  EXPECT_EQ(t->numElements(), 256);
}

TEST(Limits, BudgetIsCappedAt256TiB) {
  BudgetGuard guard;
  EXPECT_EQ(errorOf(parseByteSize("512T", "max-memory")),
            "--max-memory: '512T' is above the largest budget, 256 TiB");
  EXPECT_EQ(*parseByteSize("256T", "max-memory"), kMaxMemoryBudget);
  setMemoryBudget(UINT64_MAX);
  EXPECT_EQ(memoryBudget(), kMaxMemoryBudget);
}
