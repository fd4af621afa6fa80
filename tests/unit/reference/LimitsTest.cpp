//===- LimitsTest.cpp - Overflow-checked sizes and the memory budget -----===//

#include "core/tensor/Limits.h"

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

TEST(Limits, BudgetIsCappedAt256TiB) {
  BudgetGuard guard;
  EXPECT_EQ(errorOf(parseByteSize("512T", "max-memory")),
            "--max-memory: '512T' is above the largest budget, 256 TiB");
  EXPECT_EQ(*parseByteSize("256T", "max-memory"), kMaxMemoryBudget);
  setMemoryBudget(UINT64_MAX);
  EXPECT_EQ(memoryBudget(), kMaxMemoryBudget);
}
