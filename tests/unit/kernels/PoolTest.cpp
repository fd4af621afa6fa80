//===- PoolTest.cpp - TOSA MAX/AVG_POOL2D kernels: hand-computed values ---===//

#include "core/kernels/Pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

using namespace tessera::kernels;

namespace {
Pool2DParams pool(int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow,
                  int64_t k, int64_t s, int64_t pad) {
  Pool2DParams p;
  p.inH = h, p.inW = w, p.channels = c, p.outH = oh, p.outW = ow;
  p.kernelH = p.kernelW = k;
  p.strideH = p.strideW = s;
  p.padTop = p.padBottom = p.padLeft = p.padRight = pad;
  return p;
}
} // namespace

// Padding is ignored by max pool: an all-negative input keeps its maximum.
TEST(MaxPool2D, PaddingNeverWins) {
  Pool2DParams p = pool(2, 2, 1, 2, 2, 2, 1, 0);
  p.padBottom = p.padRight = 1;
  std::vector<int8_t> in = {-9, -5, -7, -100};
  std::vector<int8_t> out(4);
  ASSERT_FALSE(checkPool2D(p).has_value());
  maxPool2d(p, in.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{-5, -5, -7, -100}));
}

TEST(MaxPool2D, Stride2PerChannel) {
  Pool2DParams p = pool(2, 4, 2, 1, 2, 2, 2, 0);
  // channel 0: [1 2 3 4; 5 6 7 8], channel 1: negated
  std::vector<int16_t> in16;
  for (int v = 1; v <= 8; ++v) {
    in16.push_back(v);
    in16.push_back(-v);
  }
  std::vector<int16_t> out(4);
  maxPool2d(p, in16.data(), out.data());
  EXPECT_EQ(out, (std::vector<int16_t>{6, -1, 8, -3}));
}

// 2x2 windows over [1 2; 3 4] (sum 10, count 4): 2.5 rounds up to 3;
// with zp: (x - 1) sums to 6 -> 1.5 -> 2, + output zp 10 -> 12.
TEST(AvgPool2D, RoundsLikeApplyScale32) {
  Pool2DParams p = pool(2, 2, 1, 1, 1, 2, 1, 0);
  std::vector<int8_t> in = {1, 2, 3, 4}, out(1);
  avgPool2d(p, in.data(), out.data());
  EXPECT_EQ(out[0], 3);
  p.inputZp = 1;
  p.outputZp = 10;
  avgPool2d(p, in.data(), out.data());
  EXPECT_EQ(out[0], 12);
  // -10/4: the reciprocal's multiplier (2^30 + 1) / 2^32 is a hair above
  // 1/4, so -2.5 becomes -2.5000000023, + 0.5, floor -> -3 (not -2).
  in = {-1, -2, -3, -4};
  p.inputZp = p.outputZp = 0;
  avgPool2d(p, in.data(), out.data());
  EXPECT_EQ(out[0], -3);
}

// 3x3 window, pad 1 on a 3x3 input: the corner averages 4 values, the edge
// 6, the centre 9 (padding not counted).
TEST(AvgPool2D, PaddingNotCounted) {
  Pool2DParams p = pool(3, 3, 1, 3, 3, 3, 1, 1);
  std::vector<int8_t> in = {10, 20, 30, 40, 50, 60, 70, 80, 90}, out(9);
  ASSERT_FALSE(checkPool2D(p).has_value());
  avgPool2d(p, in.data(), out.data());
  // corner (0,0): (10+20+40+50)/4 = 30; edge (0,1): (10+..+60)/6 = 35;
  // centre: 450/9 = 50; corner (2,2): (50+60+80+90)/4 = 70.
  EXPECT_EQ(out[0], 30);
  EXPECT_EQ(out[1], 35);
  EXPECT_EQ(out[4], 50);
  EXPECT_EQ(out[8], 70);
}

// Output saturates to the type after + output zp.
TEST(AvgPool2D, Saturates) {
  Pool2DParams p = pool(1, 2, 1, 1, 1, 1, 1, 0);
  p.kernelW = 2;
  p.outputZp = 100;
  std::vector<int8_t> in = {100, 120}, out(1);
  avgPool2d(p, in.data(), out.data());
  EXPECT_EQ(out[0], 127);
}

TEST(Pool2D, CheckRejectsPadNotSmallerThanKernel) {
  Pool2DParams p = pool(3, 3, 1, 3, 3, 2, 1, 2);
  EXPECT_TRUE(checkPool2D(p).has_value());
  p = pool(3, 3, 1, 4, 3, 3, 1, 1); // 4 rows need 6 > 5
  EXPECT_TRUE(checkPool2D(p).has_value());
}

// Bands of output rows with per-band pads (only image edges are padding)
// reproduce the whole-tensor result, counts included.
TEST(AvgPool2D, RowBandsWithPerTilePadsEqualWholeTensor) {
  Pool2DParams p = pool(7, 5, 3, 4, 3, 3, 2, 1);
  p.inputZp = -4;
  p.outputZp = 9;
  ASSERT_FALSE(checkPool2D(p).has_value());
  std::vector<int8_t> in(7 * 5 * 3);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = static_cast<int8_t>((i * 73) % 256 - 128);
  std::vector<int8_t> full(4 * 3 * 3), tiled(full.size()), maxFull(full.size()),
      maxTiled(full.size());
  avgPool2d(p, in.data(), full.data());
  maxPool2d(p, in.data(), maxFull.data());
  const int64_t rowElems = p.outW * p.channels;
  for (auto [r0, r1] : {std::pair<int64_t, int64_t>{0, 1}, {1, 3}, {3, 4}}) {
    int64_t first = r0 * p.strideH - p.padTop;
    int64_t last = (r1 - 1) * p.strideH - p.padTop + p.kernelH - 1;
    Pool2DParams t = p;
    t.outH = r1 - r0;
    t.padTop = std::max<int64_t>(0, -first);
    t.padBottom = std::max<int64_t>(0, last - (p.inH - 1));
    int64_t inFirst = std::max<int64_t>(0, first);
    t.inH = std::min<int64_t>(p.inH - 1, last) - inFirst + 1;
    ASSERT_FALSE(checkPool2D(t).has_value());
    const int8_t *src = in.data() + inFirst * p.inW * p.channels;
    avgPool2d(t, src, tiled.data() + r0 * rowElems);
    maxPool2d(t, src, maxTiled.data() + r0 * rowElems);
  }
  EXPECT_EQ(tiled, full);
  EXPECT_EQ(maxTiled, maxFull);
}
