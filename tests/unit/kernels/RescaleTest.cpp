//===- RescaleTest.cpp - TOSA RESCALE kernel against hand-computed values -===//

#include "core/kernels/Rescale.h"

#include <gtest/gtest.h>

#include <vector>

using namespace tessera::kernels;

namespace {

constexpr int32_t kHalf = 1 << 30; // multiplier 2^30 with shift 31 = 0.5

RescaleParams perTensor(const int32_t *m, const int32_t *s) {
  RescaleParams p;
  p.multiplier = m;
  p.shift = s;
  return p;
}

} // namespace

// 0.5 * x, ties toward +inf (apply_scale_32 adds 2^(shift-1) and floors).
TEST(Rescale, HalvesWithRoundHalfUp) {
  int32_t m = kHalf, s = 31;
  RescaleParams p = perTensor(&m, &s);
  std::vector<int32_t> in = {100, 101, -101, 3, -3, 0};
  std::vector<int32_t> out(in.size());
  rescale(p, in.data(), out.data(), in.size());
  EXPECT_EQ(out, (std::vector<int32_t>{50, 51, -50, 2, -1, 0}));
}

// multiplier 2^30, shift 32 = 0.25: 6 -> 1.5 and -6 -> -1.5. Single round
// gives 2 and -1; double round (TFLite's two-step rounding) gives 2 and -2:
// (-6 * 2^30 + 2^31 - 2^30) >> 32 = floor(-5/4) = -2.
TEST(Rescale, DoubleRoundDiffersOnNegativeTies) {
  int32_t m = kHalf, s = 32;
  RescaleParams p = perTensor(&m, &s);
  std::vector<int32_t> in = {6, -6, 10, -10};
  std::vector<int32_t> single(4), dbl(4);
  rescale(p, in.data(), single.data(), 4);
  p.doubleRound = true;
  rescale(p, in.data(), dbl.data(), 4);
  EXPECT_EQ(single, (std::vector<int32_t>{2, -1, 3, -2}));
  EXPECT_EQ(dbl, (std::vector<int32_t>{2, -2, 3, -3}));
}

// Zero points and saturation: uint8 input with zp 128 to int8 with zp -5.
TEST(Rescale, Uint8ToInt8WithZeroPointsSaturates) {
  int32_t m = kHalf, s = 30; // 1.0
  RescaleParams p = perTensor(&m, &s);
  p.inputZp = 128;
  p.outputZp = -5;
  std::vector<uint8_t> in = {128, 200, 0, 255, 10};
  std::vector<int8_t> out(in.size());
  rescale(p, in.data(), out.data(), in.size());
  // 0-5, 72-5, -128-5 -> -128, 127-5, -118-5
  EXPECT_EQ(out, (std::vector<int8_t>{-5, 67, -128, 122, -123}));
}

TEST(Rescale, Int8ToUint8) {
  int32_t m = kHalf, s = 30;
  RescaleParams p = perTensor(&m, &s);
  p.inputZp = -128;
  p.outputZp = 0;
  std::vector<int8_t> in = {-128, 0, 127};
  std::vector<uint8_t> out(3);
  rescale(p, in.data(), out.data(), 3);
  EXPECT_EQ(out, (std::vector<uint8_t>{0, 128, 255}));
}

// Per-channel: innermost dim of 2 channels with scales 0.5 and 0.25.
TEST(Rescale, PerChannelUsesInnermostIndex) {
  int32_t m[2] = {kHalf, kHalf};
  int32_t s[2] = {31, 32};
  RescaleParams p = perTensor(m, s);
  p.numChannels = 2;
  std::vector<int32_t> in = {8, 8, 100, 100, -9, -9};
  std::vector<int16_t> out(in.size());
  rescale(p, in.data(), out.data(), in.size());
  // -9*0.5 = -4.5 -> -4 (half up); -9*0.25 = -2.25 -> -2
  EXPECT_EQ(out, (std::vector<int16_t>{4, 2, 50, 25, -4, -2}));
}

// scale32 = false uses apply_scale_16 with a 16-bit multiplier (i48 input).
TEST(Rescale, Scale16OnInt48) {
  int32_t m = 1 << 14, s = 15; // 0.5
  RescaleParams p = perTensor(&m, &s);
  p.scale32 = false;
  std::vector<int64_t> in = {int64_t(1) << 40, 7, -7};
  std::vector<int32_t> out(3);
  rescale(p, in.data(), out.data(), 3);
  // 2^39 saturates to int32 max; 3.5 -> 4; -3.5 -> -3.
  EXPECT_EQ(out, (std::vector<int32_t>{INT32_MAX, 4, -3}));
}

TEST(Rescale, CheckRejectsBadShiftAndDoubleRoundWithScale16) {
  int32_t m = kHalf, s = 1;
  RescaleParams p = perTensor(&m, &s);
  ASSERT_TRUE(checkRescale(p).has_value());
  s = 31;
  EXPECT_FALSE(checkRescale(p).has_value());
  p.scale32 = false;
  p.doubleRound = true;
  EXPECT_TRUE(checkRescale(p).has_value());
}

// Requantize epilogue = RESCALE(input_zp 0) then CLAMP.
TEST(Requantize, RescalesAddsZeroPointAndClamps) {
  int32_t m[2] = {kHalf, kHalf};
  int32_t s[2] = {31, 30};
  Requantize rq;
  rq.multiplier = m;
  rq.shift = s;
  rq.numChannels = 2;
  rq.outputZp = 10;
  rq.clampMin = 10; // a ReLU in the quantized domain
  rq.clampMax = 127;
  EXPECT_EQ(requantizeScalar<int8_t>(41, 0, rq), 31);  // 20.5 -> 21, +10
  EXPECT_EQ(requantizeScalar<int8_t>(41, 1, rq), 51);  // 41 + 10
  EXPECT_EQ(requantizeScalar<int8_t>(-50, 1, rq), 10); // clamped by ReLU
  EXPECT_EQ(requantizeScalar<int8_t>(500, 1, rq), 127);
  EXPECT_EQ(requantizeScalar<uint8_t>(500, 1, rq), 127); // clampMax
}
