//===- ConvTest.cpp - Integer conv/matmul kernels: hand values, tiling ----===//

#include "core/kernels/Conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

using namespace tessera::kernels;

namespace {

Conv2DParams conv3x3Same(int64_t h, int64_t w, int64_t ic, int64_t oc) {
  Conv2DParams p;
  p.inH = p.outH = h;
  p.inW = p.outW = w;
  p.inC = ic;
  p.outC = oc;
  p.kernelH = p.kernelW = 3;
  p.padTop = p.padBottom = p.padLeft = p.padRight = 1;
  return p;
}

template <typename T> std::vector<T> randomVector(size_t n, int seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(std::numeric_limits<T>::min(),
                                          std::numeric_limits<T>::max());
  std::vector<T> v(n);
  for (auto &x : v)
    x = static_cast<T>(dist(gen));
  return v;
}

/// The TOSA CONV2D pseudocode transcribed literally (padding read as the
/// zero point and multiplied), as an oracle for the kernel's loop nest.
std::vector<int32_t> tosaConv2D(const Conv2DParams &p,
                                const std::vector<int8_t> &in,
                                const std::vector<int8_t> &w,
                                const std::vector<int32_t> &bias) {
  std::vector<int32_t> out(p.batch * p.outH * p.outW * p.outC);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < p.outH; ++oy)
      for (int64_t ox = 0; ox < p.outW; ++ox)
        for (int64_t oc = 0; oc < p.outC; ++oc) {
          int64_t acc = 0;
          for (int64_t ky = 0; ky < p.kernelH; ++ky)
            for (int64_t kx = 0; kx < p.kernelW; ++kx)
              for (int64_t ic = 0; ic < p.inC; ++ic) {
                int64_t y = oy * p.strideH - p.padTop + ky * p.dilationH;
                int64_t x = ox * p.strideW - p.padLeft + kx * p.dilationW;
                int64_t v = p.inputZp; // tosa_extra_multiplies on padding
                if (y >= 0 && y < p.inH && x >= 0 && x < p.inW)
                  v = in[((n * p.inH + y) * p.inW + x) * p.inC + ic];
                int64_t wv =
                    w[((oc * p.kernelH + ky) * p.kernelW + kx) * p.inC + ic];
                acc += (v - p.inputZp) * (wv - p.weightZp);
              }
          out[((n * p.outH + oy) * p.outW + ox) * p.outC + oc] =
              static_cast<int32_t>(acc + bias[oc]);
        }
  return out;
}

} // namespace

// Input 1..9 (zp 1, so 0..8), weights [1 2 1; 0 1 0; -1 0 2], bias 5.
// Centre: 0+2+2+0+4+0-6+0+16 = 18 -> 23. Corner (0,0) sees input
// [0 1; 3 4] under weights [1 0; 0 2]: 8 -> 13. Edge (0,1): rows 0..1 under
// weight rows 1..2: (0*0+1*1+2*0) + (3*-1+4*0+5*2) = 8 -> 13.
TEST(Conv2D, HandComputed3x3WithPadding) {
  Conv2DParams p = conv3x3Same(3, 3, 1, 1);
  p.inputZp = 1;
  std::vector<int8_t> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<int8_t> w = {1, 2, 1, 0, 1, 0, -1, 0, 2};
  std::vector<int32_t> bias = {5};
  ASSERT_FALSE(checkConv2D(p).has_value());
  std::vector<int32_t> acc(9);
  conv2dAccumulate(p, in.data(), w.data(), bias.data(), acc.data());
  EXPECT_EQ(acc[4], 23);
  EXPECT_EQ(acc[0], 13);
  EXPECT_EQ(acc[1], 13);
}

// The same with weight zp 1: w - 1 = [0 1 0; -1 0 -1; -2 -1 1].
// Centre: 1 - 3 - 5 - 12 - 7 + 8 = -18 -> -13; corner: 0 - 1 - 3 + 4 = 0 -> 5.
TEST(Conv2D, WeightZeroPoint) {
  Conv2DParams p = conv3x3Same(3, 3, 1, 1);
  p.inputZp = 1;
  p.weightZp = 1;
  std::vector<int8_t> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<int8_t> w = {1, 2, 1, 0, 1, 0, -1, 0, 2};
  std::vector<int32_t> bias = {5};
  std::vector<int32_t> acc(9);
  conv2dAccumulate(p, in.data(), w.data(), bias.data(), acc.data());
  EXPECT_EQ(acc[4], -13);
  EXPECT_EQ(acc[0], 5);
}

TEST(Conv2D, MatchesTosaPseudocodeWithStrideDilationAndZeroPoints) {
  Conv2DParams p;
  p.batch = 2;
  p.inH = 11, p.inW = 9, p.inC = 5;
  p.kernelH = 3, p.kernelW = 2;
  p.strideH = 2, p.strideW = 1;
  p.dilationH = 2, p.dilationW = 3;
  p.padTop = 2, p.padBottom = 1, p.padLeft = 0, p.padRight = 3;
  p.outC = 6;
  p.outH = (p.inH - 1 + p.padTop + p.padBottom - (p.kernelH - 1) * 2) / 2 + 1;
  p.outW = (p.inW - 1 + p.padLeft + p.padRight - (p.kernelW - 1) * 3) + 1;
  p.inputZp = -7;
  p.weightZp = 3;
  ASSERT_FALSE(checkConv2D(p).has_value());
  auto in = randomVector<int8_t>(p.batch * p.inH * p.inW * p.inC, 1);
  auto w = randomVector<int8_t>(p.outC * p.kernelH * p.kernelW * p.inC, 2);
  std::vector<int32_t> bias = {0, 1, -1, 1000, -1000, 123456};
  std::vector<int32_t> acc(p.batch * p.outH * p.outW * p.outC);
  conv2dAccumulate(p, in.data(), w.data(), bias.data(), acc.data());
  EXPECT_EQ(acc, tosaConv2D(p, in, w, bias));
}

// Running bands of output rows with per-band pads (what the simulator does)
// gives exactly the full-tensor result.
TEST(Conv2D, RowBandsWithPerTilePadsEqualWholeTensor) {
  Conv2DParams p;
  p.inH = 9, p.inW = 7, p.inC = 5;
  p.kernelH = p.kernelW = 3;
  p.strideH = p.strideW = 2;
  p.padTop = p.padBottom = p.padLeft = p.padRight = 1;
  p.outH = 5, p.outW = 4, p.outC = 4;
  p.inputZp = 3;
  ASSERT_FALSE(checkConv2D(p).has_value());
  auto in = randomVector<int8_t>(p.inH * p.inW * p.inC, 3);
  auto w = randomVector<int8_t>(p.outC * 9 * p.inC, 4);
  std::vector<int32_t> bias = {1, 2, 3, 4};
  std::vector<int32_t> full(p.outH * p.outW * p.outC);
  conv2dAccumulate(p, in.data(), w.data(), bias.data(), full.data());

  std::vector<int32_t> tiled(full.size(), 0);
  const int64_t rowElems = p.outW * p.outC;
  for (auto [r0, r1] : {std::pair<int64_t, int64_t>{0, 2}, {2, 3}, {3, 5}}) {
    int64_t first = r0 * p.strideH - p.padTop;
    int64_t last = (r1 - 1) * p.strideH - p.padTop + p.kernelH - 1;
    Conv2DParams t = p;
    t.outH = r1 - r0;
    t.padTop = std::max<int64_t>(0, -first);
    t.padBottom = std::max<int64_t>(0, last - (p.inH - 1));
    int64_t inFirst = std::max<int64_t>(0, first);
    t.inH = std::min<int64_t>(p.inH - 1, last) - inFirst + 1;
    ASSERT_FALSE(checkConv2D(t).has_value());
    conv2dAccumulate(t, in.data() + inFirst * p.inW * p.inC, w.data(),
                     bias.data(), tiled.data() + r0 * rowElems);
  }
  EXPECT_EQ(tiled, full);
}

// groups == channels with one filter per channel is a depthwise conv with
// multiplier 1; weights [C,kh,kw,1] and [kh,kw,C,1] hold the same numbers.
TEST(Conv2D, GroupedEqualsDepthwise) {
  Conv2DParams p = conv3x3Same(6, 5, 4, 4);
  p.groups = 4;
  p.inputZp = -2;
  auto in = randomVector<int8_t>(6 * 5 * 4, 5);
  auto wDw = randomVector<int8_t>(3 * 3 * 4, 6); // [kh, kw, C, 1]
  std::vector<int8_t> wGroup(wDw.size());        // [C, kh, kw, 1]
  for (int c = 0; c < 4; ++c)
    for (int k = 0; k < 9; ++k)
      wGroup[c * 9 + k] = wDw[k * 4 + c];
  std::vector<int32_t> bias = {7, -7, 70, -70};
  std::vector<int32_t> a(6 * 5 * 4), b(6 * 5 * 4);
  ASSERT_FALSE(checkConv2D(p).has_value());
  ASSERT_FALSE(checkDepthwiseConv2D(p).has_value());
  conv2dAccumulate(p, in.data(), wGroup.data(), bias.data(), a.data());
  depthwiseConv2dAccumulate(p, in.data(), wDw.data(), bias.data(), b.data());
  EXPECT_EQ(a, b);
}

// ch0 = [1 2; 3 4], ch1 = [10 20; 30 40], 2x2 kernel, no pad, M = 2:
// (c0,m0) all ones -> 10; (c0,m1) [1 0; 0 1] -> 5; (c1,m0) [1 -1; 1 -1]
// -> -20; (c1,m1) all twos -> 200; bias 0..3.
TEST(DepthwiseConv2D, HandComputedChannelMultiplier) {
  Conv2DParams p;
  p.inH = p.inW = 2;
  p.inC = 2;
  p.outH = p.outW = 1;
  p.outC = 4;
  p.kernelH = p.kernelW = 2;
  std::vector<int8_t> in = {1, 10, 2, 20, 3, 30, 4, 40}; // NHWC
  // [ky, kx, c, m]
  std::vector<int8_t> w = {1, 1, 1, 2, 1, 0, -1, 2, 1, 0, 1, 2, 1, 1, -1, 2};
  std::vector<int32_t> bias = {0, 1, 2, 3};
  std::vector<int32_t> acc(4);
  ASSERT_FALSE(checkDepthwiseConv2D(p).has_value());
  depthwiseConv2dAccumulate(p, in.data(), w.data(), bias.data(), acc.data());
  EXPECT_EQ(acc, (std::vector<int32_t>{10, 6, -18, 203}));
}

TEST(Conv2D, FusedEqualsAccumulateThenRequantize) {
  Conv2DParams p = conv3x3Same(5, 6, 8, 3);
  p.inputZp = 12;
  auto in = randomVector<int8_t>(5 * 6 * 8, 7);
  auto w = randomVector<int8_t>(3 * 9 * 8, 8);
  std::vector<int32_t> bias = {100, -2000, 30000};
  int32_t mult[3] = {1 << 30, 1500000000, 1100000000};
  int32_t shift[3] = {38, 39, 40};
  Requantize rq;
  rq.multiplier = mult;
  rq.shift = shift;
  rq.numChannels = 3;
  rq.outputZp = -3;
  rq.clampMin = -3;
  rq.clampMax = 100;
  std::vector<int32_t> acc(5 * 6 * 3);
  std::vector<int8_t> fused(acc.size());
  conv2dAccumulate(p, in.data(), w.data(), bias.data(), acc.data());
  conv2d(p, in.data(), w.data(), bias.data(), rq, fused.data());
  int distinct = 0;
  for (size_t i = 0; i < acc.size(); ++i) {
    EXPECT_EQ(fused[i], requantizeScalar<int8_t>(acc[i], i % 3, rq));
    distinct += fused[i] != -3 && fused[i] != 100;
  }
  EXPECT_GT(distinct, 10); // the scales leave most values unclamped
}

TEST(Conv2D, ChecksRejectOverflowAndBadGeometry) {
  Conv2DParams p = conv3x3Same(4, 4, 4096, 8);
  auto err = checkConv2D(p);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("36864"), std::string::npos) << *err;
  EXPECT_FALSE(checkConv2D(p, /*int32Accumulator=*/false).has_value());
  p = conv3x3Same(4, 4, 6, 8);
  p.groups = 4; // 6 % 4 != 0
  EXPECT_TRUE(checkConv2D(p).has_value());
  p = conv3x3Same(4, 4, 6, 8);
  p.outH = 5; // needs 4*1 + 3 = 7 rows > 1 + 4 + 1
  err = checkConv2D(p);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("7 > 6"), std::string::npos) << *err;
}

// i16 x i8 accumulates in 64 bits (TOSA i48): 32767 * 127 * 9 overflows
// nothing.
TEST(Conv2D, Int16InputAccumulatesIn64Bits) {
  Conv2DParams p = conv3x3Same(3, 3, 1, 1);
  std::vector<int16_t> in(9, 32767);
  std::vector<int8_t> w(9, 127);
  std::vector<int64_t> acc(9);
  conv2dAccumulate<int16_t, int8_t, int64_t>(p, in.data(), w.data(), nullptr,
                                             acc.data());
  EXPECT_EQ(acc[4], int64_t(32767) * 127 * 9);
  EXPECT_EQ(acc[0], int64_t(32767) * 127 * 4);
}

// a - 1 = [0 1 2; 3 4 5], b = [1 0; 0 1; 1 1] -> [2 3; 8 9].
TEST(MatMul, HandComputedWithZeroPoint) {
  MatMulParams p;
  p.m = 2, p.k = 3, p.n = 2;
  p.aZp = 1;
  std::vector<int8_t> a = {1, 2, 3, 4, 5, 6};
  std::vector<int8_t> b = {1, 0, 0, 1, 1, 1};
  std::vector<int32_t> acc(4);
  ASSERT_FALSE(checkMatMul(p).has_value());
  matMulAccumulate(p, a.data(), b.data(), acc.data());
  EXPECT_EQ(acc, (std::vector<int32_t>{2, 3, 8, 9}));
}

// in [1 2 3], w [[1 1 1], [1 -1 0]], bias [10 0] -> [16, -1].
TEST(FullyConnected, HandComputed) {
  FullyConnectedParams p;
  p.inC = 3, p.outC = 2;
  std::vector<uint8_t> in = {1, 2, 3};
  std::vector<int8_t> w = {1, 1, 1, 1, -1, 0};
  std::vector<int32_t> bias = {10, 0};
  std::vector<int32_t> acc(2);
  ASSERT_FALSE(checkFullyConnected(p).has_value());
  fullyConnectedAccumulate(p, in.data(), w.data(), bias.data(), acc.data());
  EXPECT_EQ(acc, (std::vector<int32_t>{16, -1}));
}

TEST(Conv2D, BiasAddSaturates) {
  EXPECT_EQ(addBias(INT32_MAX - 1, 5), INT32_MAX);
  EXPECT_EQ(addBias(-5, -INT32_MAX), INT32_MIN);
  EXPECT_EQ(addBias(-5, 7), 2);
}
