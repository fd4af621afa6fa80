//===- ResizeTest.cpp - TOSA RESIZE kernels: hand-computed values ---------===//

#include "core/kernels/Resize.h"

#include <gtest/gtest.h>

#include <vector>

using namespace tessera::kernels;

namespace {
ResizeParams row(int64_t inW, int64_t outW, int64_t n, int64_t d,
                 int64_t offset) {
  ResizeParams p;
  p.inH = p.outH = 1;
  p.inW = inW, p.outW = outW, p.channels = 1;
  p.scaleXN = n, p.scaleXD = d, p.offsetX = offset;
  return p;
}
} // namespace

// 2x upsample of [a, b]: x = ox, ix = floor(x / 2), rx = x % 2; NEAREST
// takes ix + 1 when 2 * rx >= 2, i.e. rounds half up: sources [0, 1, 1, 1].
// With offset -1 the samples move half a pixel left: [0, 0, 1, 1], ONNX's
// asymmetric + floor.
TEST(Resize, NearestRoundsHalfUpAndOffsetShifts) {
  std::vector<int8_t> in = {10, 20}, out(4);
  ResizeParams p = row(2, 4, 2, 1, 0);
  ASSERT_FALSE(checkResize(p).has_value());
  resizeNearest(p, in.data(), out.data(), 1);
  EXPECT_EQ(out, (std::vector<int8_t>{10, 20, 20, 20}));
  p.offsetX = -1;
  resizeNearest(p, in.data(), out.data(), 1);
  EXPECT_EQ(out, (std::vector<int8_t>{10, 10, 20, 20}));
}

// Integer bilinear keeps the scale n_y * n_x = 1 * 2: [10, 20] -> 2 x
// [10, 15, 20].
TEST(Resize, IntegerBilinearIsScaledByNumerators) {
  std::vector<int8_t> in = {10, 20};
  std::vector<int32_t> out(3);
  ResizeParams p = row(2, 3, 2, 1, 0);
  resizeBilinear<int8_t, int32_t>(p, in.data(), out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{20, 30, 40}));
}

TEST(Resize, CheckRejectsSpecViolations) {
  EXPECT_TRUE(checkResize(row(2, 4, 0, 1, 0)).has_value());    // scale 0
  EXPECT_TRUE(checkResize(row(2, 4, 4096, 1, 0)).has_value()); // n > 2^11
  EXPECT_TRUE(checkResize(row(64, 2, 1, 16, 0)).has_value());  // 16x down
  EXPECT_TRUE(checkResize(row(2, 4, 2, 1, -3)).has_value());   // offset < -n
}

// The sample position both kernels use: ONNX half_pixel x2 is scale 4/2,
// offset -1, so output o samples (2 o - 1) / 4. o = 0: pos -1, index
// floor(-1/4) = -1 (clamped to i0 = 0, i1 = 0), fraction 3; o = 1: pos 1,
// index 0, fraction 1; o = 7 on 4 inputs: pos 13, index 3, i1 clamped to 3,
// fraction 1.
TEST(Resize, AxisKeepsTheUnclampedIndexAndTheFraction) {
  ResizeAxis a = resizeAxis(0, 4, 2, -1, 4);
  EXPECT_EQ(a.index, -1);
  EXPECT_EQ(a.i0, 0);
  EXPECT_EQ(a.i1, 0);
  EXPECT_EQ(a.r, 3);
  a = resizeAxis(1, 4, 2, -1, 4);
  EXPECT_EQ(a.index, 0);
  EXPECT_EQ(a.i0, 0);
  EXPECT_EQ(a.i1, 1);
  EXPECT_EQ(a.r, 1);
  a = resizeAxis(7, 4, 2, -1, 4);
  EXPECT_EQ(a.index, 3);
  EXPECT_EQ(a.i0, 3);
  EXPECT_EQ(a.i1, 3);
  EXPECT_EQ(a.r, 1);
}
