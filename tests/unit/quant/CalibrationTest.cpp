//===- CalibrationTest.cpp - Observers and calibration methods ------------===//
#include "core/quant/Calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace tessera::quant;

namespace {

Observer observe(CalibrationMethod m, const std::vector<float> &v,
                 double percentile = 99.99) {
  CalibrationOptions o;
  o.method = m;
  o.percentile = percentile;
  Observer obs(o);
  obs.add(v.data(), v.size());
  return obs;
}

std::vector<float> iota(int from, int to) { // [from, to]
  std::vector<float> v;
  for (int i = from; i <= to; ++i)
    v.push_back(static_cast<float>(i));
  return v;
}

} // namespace

TEST(CalibrationMethod, ParseAndName) {
  for (const char *n : {"minmax", "moving_average", "percentile", "kl",
                        "mse"}) {
    auto m = parseCalibrationMethod(n);
    ASSERT_TRUE(m.has_value()) << n;
    EXPECT_STREQ(calibrationMethodName(*m), n);
  }
  // onnxruntime's / TensorRT's name for kl.
  EXPECT_EQ(parseCalibrationMethod("entropy"), CalibrationMethod::Entropy);
  EXPECT_FALSE(parseCalibrationMethod("KL").has_value());
  EXPECT_FALSE(parseCalibrationMethod("").has_value());
}

// Doubling the range merges edge-aligned bin pairs, so a value lands in the
// bin that contains it whatever the order of the samples.
TEST(Histogram, GrowthIsExact) {
  Histogram h;
  float a[] = {0.5f, -0.5f};
  h.add(a, 2);
  EXPECT_EQ(h.range(), 0.5);
  EXPECT_EQ(h.bins()[0], 1u);    // -0.5 = -range: the first bin
  EXPECT_EQ(h.bins()[4095], 1u); // 0.5 = range: the last bin
  float b[] = {3.0f};
  h.add(b, 1);
  EXPECT_EQ(h.range(), 4.0); // 0.5 -> 1 -> 2 -> 4
  // -0.5: floor((-0.5 + 4) / 4 * 2048) = 1792; 0.5 was in the last bin of
  // [-0.5, 0.5], i.e. [0.5 - w, 0.5): bin 2303 of [-4, 4]; 3.0: 3584.
  EXPECT_EQ(h.bins()[1792], 1u);
  EXPECT_EQ(h.bins()[2303], 1u);
  EXPECT_EQ(h.bins()[3584], 1u);
  EXPECT_EQ(h.count(), 3u);
  uint64_t total = 0;
  for (uint64_t c : h.bins())
    total += c;
  EXPECT_EQ(total, 3u);
}

TEST(Histogram, ZerosBeforeAnyNonzero) {
  Histogram h;
  std::vector<float> z(10, 0.0f);
  h.add(z.data(), z.size());
  EXPECT_EQ(h.range(), 0.0);
  float one = 1.0f;
  h.add(&one, 1);
  EXPECT_EQ(h.range(), 1.0);
  EXPECT_EQ(h.bins()[2048], 10u); // [0, w)
  EXPECT_EQ(h.bins()[4095], 1u);
  EXPECT_EQ(h.absBins()[0], 10u);
}

// The observed range as it is: a tensor that never reaches 0 (a divisor)
// says so; the quantizer puts 0 on the grid.
TEST(Observer, MinMaxIsTheObservedRange) {
  Range r = observe(CalibrationMethod::MinMax, {2.0f, 5.0f}).range({8, false});
  EXPECT_EQ(r.min, 2.0);
  EXPECT_EQ(r.max, 5.0);
}

// m += 0.01 (x - m) from the first sample's: two samples with max 10 and
// 110 give 10 + 0.01 x 100 = 11.
TEST(Observer, MovingAverage) {
  CalibrationOptions o;
  o.method = CalibrationMethod::MovingAverage;
  Observer obs(o);
  std::vector<float> s1 = {-4.0f, 10.0f}, s2 = {-104.0f, 110.0f};
  obs.add(s1.data(), s1.size());
  obs.add(s2.data(), s2.size());
  Range r = obs.range({8, false});
  EXPECT_DOUBLE_EQ(r.max, 11.0);
  EXPECT_DOUBLE_EQ(r.min, -5.0);
  EXPECT_EQ(obs.observedMax(), 110.0);
}

// 1..1000: the 99th percentile of |x| is 990 (to one bin, 1000/2048).
TEST(Percentile, SymmetricClipsBothEndsToThePercentileOfAbs) {
  Range r = observe(CalibrationMethod::Percentile, iota(1, 1000), 99.0)
                .range({8, true});
  EXPECT_NEAR(r.max, 990.0, 1000.0 / 2048 + 1e-9);
  EXPECT_EQ(r.min, 1.0); // the observed min: -990 clipped to the data
}

// -500..499, 98%: 1% tails on each side: about -490 and 489.
TEST(Percentile, AsymmetricClipsEachTail) {
  Range r = observe(CalibrationMethod::Percentile, iota(-500, 499), 98.0)
                .range({8, false});
  double w = 512.0 / 2048; // range 500 -> first histogram range 500
  EXPECT_NEAR(r.min, -490.0, 2 * w + 0.5);
  EXPECT_NEAR(r.max, 489.0, 2 * w + 0.5);
  // 100% keeps everything.
  Range all = observe(CalibrationMethod::Percentile, iota(-500, 499), 100.0)
                  .range({8, false});
  EXPECT_EQ(all.min, -500.0);
  EXPECT_EQ(all.max, 499.0);
}

// Uniform data: no clipping beats the full range (KL divergence is minimal
// when nothing is folded into the last bin).
TEST(Entropy, UniformKeepsTheFullRange) {
  std::vector<float> v;
  for (int i = 0; i < 100000; ++i)
    v.push_back(static_cast<float>(i % 10000) / 10000.0f);
  Range r = observe(CalibrationMethod::Entropy, v).range({8, true});
  EXPECT_GT(r.max, 0.99 * 0.9999);
}

// A Gaussian with one far outlier: MinMax spends the grid on the outlier
// (range 100); entropy clips near the Gaussian's bulk (TensorRT's
// motivating case), and never beyond what was observed.
TEST(Entropy, ClipsAFarOutlier) {
  std::mt19937 gen(1);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v;
  for (int i = 0; i < 200000; ++i)
    v.push_back(n(gen));
  v.push_back(100.0f);
  Range r = observe(CalibrationMethod::Entropy, v).range({8, true});
  EXPECT_GT(r.max, 2.5);
  EXPECT_LT(r.max, 12.0);
  EXPECT_LT(r.min, -2.5);
  EXPECT_EQ(observe(CalibrationMethod::MinMax, v).range({8, true}).max,
            100.0);
}

// MSE-optimal clipping of a Gaussian at 4 bits: Banner et al., ACIQ (NeurIPS
// 2019), alpha* = 2.55 sigma for 2^4 levels; Tessera's symmetric int4 grid
// has 15 levels ([-7, 7]), so slightly coarser steps and a slightly smaller
// optimum; and at 8 bits nearly the whole range of a uniform distribution.
TEST(Mse, GaussianFourBitsNearAciq) {
  std::mt19937 gen(2);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v;
  for (int i = 0; i < 400000; ++i)
    v.push_back(n(gen));
  Range r = observe(CalibrationMethod::Mse, v).range({4, true});
  EXPECT_GT(r.max, 2.55 * 0.85);
  EXPECT_LT(r.max, 2.55 * 1.05);
  EXPECT_NEAR(r.min, -r.max, 1e-12);
}

TEST(Mse, UniformEightBitsKeepsAlmostEverything) {
  std::vector<float> v;
  for (int i = -5000; i <= 5000; ++i)
    v.push_back(static_cast<float>(i) / 5000.0f);
  Range sym = observe(CalibrationMethod::Mse, v).range({8, true});
  EXPECT_GT(sym.max, 0.98);
  Range asym = observe(CalibrationMethod::Mse, v).range({8, false});
  EXPECT_GT(asym.max, 0.98);
  EXPECT_LT(asym.min, -0.98);
}

// Every method's range stays inside the observed range [3, 300] (each
// method clips the range extended to 0, then keeps what was observed).
TEST(Observer, RangeStaysInsideObserved) {
  std::vector<float> v = iota(3, 300);
  for (auto m : {CalibrationMethod::MinMax, CalibrationMethod::MovingAverage,
                 CalibrationMethod::Percentile, CalibrationMethod::Entropy,
                 CalibrationMethod::Mse})
    for (bool sym : {false, true}) {
      Range r = observe(m, v).range({8, sym});
      EXPECT_EQ(r.min, 3.0) << calibrationMethodName(m);
      EXPECT_GT(r.max, 3.0) << calibrationMethodName(m);
      EXPECT_LE(r.max, 300.0) << calibrationMethodName(m);
    }
}
