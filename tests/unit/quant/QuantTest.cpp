//===- QuantTest.cpp - Rounding, qparams, quantize, S n.m, multipliers ----===//
//
// Every expected value is either a worked example of the project's founding
// documents (cited), a hand computation written next to it, or an external
// oracle (std::round / std::floor / long double arithmetic).
//
//===----------------------------------------------------------------------===//
#include "core/quant/Quant.h"

#include <gtest/gtest.h>

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

using namespace tessera::quant;

namespace {

const DType kAllDTypes[] = {DType::UInt8,  DType::Int8, DType::UInt16,
                            DType::Int16,  DType::UInt4, DType::Int4,
                            DType::Int32};
const Rounding kAllRoundings[] = {Rounding::HalfEven, Rounding::HalfAway,
                                  Rounding::HalfUp, Rounding::Floor,
                                  Rounding::Trunc};

std::vector<int64_t> quantizeAll(const std::vector<double> &xs, QParams p,
                                 DType t,
                                 Rounding r = Rounding::HalfEven) {
  std::vector<int64_t> out;
  for (double x : xs)
    out.push_back(quantize(x, p, t, r));
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// Worked examples of the founding documents (seeds 000, 002, 003)
//===----------------------------------------------------------------------===//

// Seed 000: [-0.52, 0.3, 1.7] to int8 by the offset (zero point) method:
// Scale = (Rmax - Rmin) / (Qmax - Qmin) = 2.22 / 255 = 0.0087059,
// Z = Qmax - round(Rmax / Scale) = 127 - 195 = -68 (our formula
// qmin - round(min / scale) = -128 - (-60) gives the same), and
// [-60, 34, 195] - 68 = [-128, -34, 127].
TEST(QuantSeeds, Int8AsymmetricOffsetMethod) {
  QParams p = chooseQParams(-0.52, 1.7, DType::Int8, /*symmetric=*/false);
  EXPECT_DOUBLE_EQ(p.scale, (1.7 - -0.52) / 255.0);
  EXPECT_NEAR(p.scale, 0.0087059, 5e-8);
  EXPECT_EQ(p.zeroPoint, -68);
  std::vector<double> xs = {-0.52, 0.3, 1.7};
  EXPECT_EQ(quantizeAll(xs, p, DType::Int8),
            (std::vector<int64_t>{-128, -34, 127}));
  // Dequantized: -60 s, 34 s, 195 s = -0.52235, 0.29600, 1.69765.
  EXPECT_NEAR(dequantize(-128, p), -0.5224, 1e-4);
  EXPECT_NEAR(dequantize(-34, p), 0.2960, 1e-4);
  EXPECT_NEAR(dequantize(127, p), 1.6977, 1e-4);
  EXPECT_DOUBLE_EQ(dequantize(-128, p), -60 * p.scale);

  // The float-data overload finds the same range.
  const float data[] = {-0.52f, 0.3f, 1.7f};
  QParams pf = chooseQParams(data, 3, DType::Int8, false);
  EXPECT_EQ(pf.zeroPoint, -68);
  EXPECT_NEAR(pf.scale, p.scale, 1e-9);
}

// Seed 000, the clipping problem that motivates the zero point: with the
// same scale and no offset, [-0.52, 0.3, 1.7] -> [-60, 34, 195] -> clipped
// to [-60, 34, 127].
TEST(QuantSeeds, Int8WithoutZeroPointClips) {
  QParams p{(1.7 - -0.52) / 255.0, 0};
  EXPECT_EQ(quantizeAll({-0.52, 0.3, 1.7}, p, DType::Int8),
            (std::vector<int64_t>{-60, 34, 127}));
}

// Seed 000, max-abs symmetric method: Scale = 2 * 1.7 / 254 (the -128 is
// dropped, range +-127), giving [-39, 22, 127].
TEST(QuantSeeds, Int8SymmetricMaxAbs) {
  QParams p = chooseQParams(-0.52, 1.7, DType::Int8, /*symmetric=*/true);
  EXPECT_DOUBLE_EQ(p.scale, 1.7 / 127.0);
  EXPECT_EQ(p.zeroPoint, 0);
  EXPECT_EQ(quantizeAll({-0.52, 0.3, 1.7}, p, DType::Int8),
            (std::vector<int64_t>{-39, 22, 127}));
  EXPECT_EQ(quantMin(DType::Int8, true), -127);
  EXPECT_EQ(quantMax(DType::Int8, true), 127);
}

// Seed 000: 2.71875 as the max of a symmetric int8 range quantizes to 127
// and comes back as 2.71875.
TEST(QuantSeeds, Int8SymmetricMaxRoundTrips) {
  QParams p = chooseQParams(0.0, 2.71875, DType::Int8, true);
  EXPECT_NEAR(p.scale, 0.0214075, 1e-7);
  EXPECT_EQ(quantize(2.71875, p, DType::Int8), 127);
  EXPECT_DOUBLE_EQ(dequantize(127, p), 2.71875);
}

const std::vector<double> kSeedWeights = {0.1, 0.2, 1.2, 3, 2.1, -2.1, -3.5};

// Seed 003, int4 symmetric: max|w| = 3.5 over 2^3 - 1 = 7 gives scale 0.5
// (the seed writes its inverse, 2); w / 0.5 = [0.2, 0.4, 2.4, 6, 4.2, -4.2,
// -7] -> [0, 0, 2, 6, 4, -4, -7] -> dequantized [0, 0, 1, 3, 2, -2, -3.5].
TEST(QuantSeeds, Int4Symmetric) {
  const float data[] = {0.1f, 0.2f, 1.2f, 3.0f, 2.1f, -2.1f, -3.5f};
  QParams p = chooseQParams(data, 7, DType::Int4, /*symmetric=*/true);
  EXPECT_EQ(p.scale, 0.5);
  EXPECT_EQ(p.zeroPoint, 0);
  std::vector<int64_t> q = quantizeAll(kSeedWeights, p, DType::Int4);
  EXPECT_EQ(q, (std::vector<int64_t>{0, 0, 2, 6, 4, -4, -7}));
  std::vector<double> expected = {0, 0, 1, 3, 2, -2, -3.5};
  for (size_t i = 0; i < q.size(); ++i)
    EXPECT_EQ(dequantize(q[i], p), expected[i]) << "index " << i;
}

// Seed 003, 4-bit asymmetric over [0, 15]: range [-3.5, 3] in 15 steps,
// scale = 6.5 / 15 = 0.43333 (the seed's 2.3077 is 1 / scale), zero point
// 0 - round(-3.5 / scale) = -round(-8.077) = 8 (the seed writes it as
// -8 and subtracts it). By hand, w / scale = [0.23, 0.46, 2.77, 6.92, 4.85,
// -4.85, -8.08] -> round [0, 0, 3, 7, 5, -5, -8] + 8 = [8, 8, 11, 15, 13,
// 3, 0]. The standard convention reproduces the seed exactly.
TEST(QuantSeeds, UInt4Asymmetric) {
  QParams p = chooseQParams(-3.5, 3.0, DType::UInt4, /*symmetric=*/false);
  EXPECT_DOUBLE_EQ(p.scale, 6.5 / 15.0);
  EXPECT_EQ(p.zeroPoint, 8);
  std::vector<int64_t> q = quantizeAll(kSeedWeights, p, DType::UInt4);
  EXPECT_EQ(q, (std::vector<int64_t>{8, 8, 11, 15, 13, 3, 0}));
  // The seed's dequantized row: [0, 0, 1.3, 3.033, 2.167, -2.167, -3.467].
  std::vector<double> expected = {0, 0, 1.3, 3.033, 2.167, -2.167, -3.467};
  for (size_t i = 0; i < q.size(); ++i)
    EXPECT_NEAR(dequantize(q[i], p), expected[i], 5e-4) << "index " << i;
}

// Seed 002: numpy / torch / std::nearbyint round half to even, scale 1:
// [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5] -> [-2, -2, 0, 0, 2, 2], int8 and int16.
TEST(QuantSeeds, RoundHalfToEvenScaleOne) {
  std::vector<double> xs = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5};
  std::vector<int64_t> expected = {-2, -2, 0, 0, 2, 2};
  EXPECT_EQ(quantizeAll(xs, {1.0, 0}, DType::Int8), expected);
  EXPECT_EQ(quantizeAll(xs, {1.0, 0}, DType::Int16), expected);
  // The rule the seed replaced (floor(x + 0.5), "half up") differs on the
  // negative ties.
  EXPECT_EQ(quantizeAll(xs, {1.0, 0}, DType::Int8, Rounding::HalfUp),
            (std::vector<int64_t>{-2, -1, 0, 1, 2, 3}));
}

// Seed 000, signed fixed point S n.m (n + m + 1 bits).
TEST(QuantSeeds, FixedPointExamples) {
  // S10.5: 2.71875 / 2^-5 = 87 = 0b1010111; as 16 bits 0,0000000010,10111.
  int64_t a = toFixed(2.71875, 10, 5);
  EXPECT_EQ(a, 87);
  EXPECT_EQ(static_cast<uint16_t>(a), 0b0000000001010111);
  EXPECT_EQ(fromFixed(87, 10, 5), 2.71875);
  // S2.13: round(-0.499878 * 8192) = round(-4094.9997) = -4095, the 16-bit
  // two's complement 1,11,1000000000001; back: -4095 * 2^-13 = -0.4998779.
  a = toFixed(-0.499878, 2, 13);
  EXPECT_EQ(a, -4095);
  EXPECT_EQ(static_cast<uint16_t>(a), 0b1111000000000001);
  EXPECT_EQ(fromFixed(-4095, 2, 13), -4095.0 / 8192.0);
  EXPECT_NEAR(fromFixed(-4095, 2, 13), -0.4998779, 1e-7);
  // S7.0: 2 -> 2 exactly (0,0000010).
  EXPECT_EQ(toFixed(2.0, 7, 0), 2);
  EXPECT_EQ(fromFixed(2, 7, 0), 2.0);
  // S7.0 of 2.71875: the seed "drops the fraction" (2); that is truncation.
  // Rounding to nearest gives 3.
  EXPECT_EQ(toFixed(2.71875, 7, 0, Rounding::Trunc), 2);
  EXPECT_EQ(toFixed(2.71875, 7, 0), 3);
}

//===----------------------------------------------------------------------===//
// Names and dtype table
//===----------------------------------------------------------------------===//

TEST(QuantDType, TableAndNames) {
  struct Row {
    DType t;
    const char *name;
    int bits;
    bool isSigned;
    int64_t qmin, qmax;
  } rows[] = {{DType::UInt8, "uint8", 8, false, 0, 255},
              {DType::Int8, "int8", 8, true, -128, 127},
              {DType::UInt16, "uint16", 16, false, 0, 65535},
              {DType::Int16, "int16", 16, true, -32768, 32767},
              {DType::UInt4, "uint4", 4, false, 0, 15},
              {DType::Int4, "int4", 4, true, -8, 7},
              {DType::Int32, "int32", 32, true, INT32_MIN, INT32_MAX}};
  for (const Row &row : rows) {
    DTypeInfo info = dtypeInfo(row.t);
    EXPECT_EQ(info.bits, row.bits) << row.name;
    EXPECT_EQ(info.isSigned, row.isSigned) << row.name;
    EXPECT_EQ(info.qmin, row.qmin) << row.name;
    EXPECT_EQ(info.qmax, row.qmax) << row.name;
    EXPECT_STREQ(dtypeName(row.t), row.name);
    EXPECT_EQ(parseDType(row.name), row.t);
    // Restricted range only for symmetric signed types.
    EXPECT_EQ(quantMin(row.t, true), row.isSigned ? row.qmin + 1 : row.qmin);
    EXPECT_EQ(quantMin(row.t, false), row.qmin);
    EXPECT_EQ(quantMax(row.t, true), row.qmax);
  }
  EXPECT_FALSE(parseDType("int7"));
  EXPECT_FALSE(parseDType("INT8"));
  EXPECT_FALSE(parseDType(""));
}

TEST(QuantRounding, Names) {
  for (Rounding r : kAllRoundings)
    EXPECT_EQ(parseRounding(roundingName(r)), r);
  EXPECT_EQ(parseRounding("half_even"), Rounding::HalfEven);
  EXPECT_EQ(parseRounding("half_away"), Rounding::HalfAway);
  EXPECT_EQ(parseRounding("half_up"), Rounding::HalfUp);
  EXPECT_EQ(parseRounding("floor"), Rounding::Floor);
  EXPECT_EQ(parseRounding("trunc"), Rounding::Trunc);
  EXPECT_FALSE(parseRounding("nearest"));
  EXPECT_FALSE(parseRounding("ceil"));
}

//===----------------------------------------------------------------------===//
// roundWith
//===----------------------------------------------------------------------===//

TEST(QuantRounding, TiesNegativesAndHardCases) {
  const double p51 = 2251799813685248.0; // 2^51: ulp 0.5 just below 2^52
  const double belowHalf = 0.49999999999999994; // nextafter(0.5, 0)
  struct Row {
    double x;
    double even, away, up, floor, trunc;
  } rows[] = {
      {-2.5, -2, -3, -2, -3, -2},
      {-1.5, -2, -2, -1, -2, -1},
      {-0.5, 0, -1, 0, -1, 0},
      {0.5, 0, 1, 1, 0, 0},
      {1.5, 2, 2, 2, 1, 1},
      {2.5, 2, 3, 3, 2, 2},
      {3.5, 4, 4, 4, 3, 3},
      {-3.5, -4, -4, -3, -4, -3},
      {-2.4, -2, -2, -2, -3, -2},
      {-2.6, -3, -3, -3, -3, -2},
      {2.6, 3, 3, 3, 2, 2},
      {2.4, 2, 2, 2, 2, 2},
      {-3.0, -3, -3, -3, -3, -3},
      {0.0, 0, 0, 0, 0, 0},
      // floor(x + 0.5) evaluated in double gives 1 here (x + 0.5 rounds to
      // 1.0); the exact rule gives 0.
      {belowHalf, 0, 0, 0, 0, 0},
      {-belowHalf, 0, 0, 0, -1, 0},
      {p51 + 0.5, p51, p51 + 1, p51 + 1, p51, p51},
      {p51 + 1.5, p51 + 2, p51 + 2, p51 + 2, p51 + 1, p51 + 1},
      {-(p51 + 0.5), -p51, -p51 - 1, -p51, -p51 - 1, -p51},
      {1e300, 1e300, 1e300, 1e300, 1e300, 1e300},
  };
  for (const Row &row : rows) {
    EXPECT_EQ(roundWith(row.x, Rounding::HalfEven), row.even) << row.x;
    EXPECT_EQ(roundWith(row.x, Rounding::HalfAway), row.away) << row.x;
    EXPECT_EQ(roundWith(row.x, Rounding::HalfUp), row.up) << row.x;
    EXPECT_EQ(roundWith(row.x, Rounding::Floor), row.floor) << row.x;
    EXPECT_EQ(roundWith(row.x, Rounding::Trunc), row.trunc) << row.x;
  }
  for (Rounding r : kAllRoundings) {
    EXPECT_TRUE(std::isnan(roundWith(NAN, r)));
    EXPECT_EQ(roundWith(INFINITY, r), INFINITY);
    EXPECT_EQ(roundWith(-INFINITY, r), -INFINITY);
  }
}

// Oracles: std::nearbyint under FE_TONEAREST (half even), std::round (half
// away), std::floor, std::trunc, and floorl(x + 0.5L) (half up; exact in the
// 64-bit long double mantissa for |x| < 2^52).
TEST(QuantRounding, RandomAgainstLibm) {
  ASSERT_EQ(std::fegetround(), FE_TONEAREST);
  std::mt19937_64 rng(20240601);
  std::uniform_real_distribution<double> wide(-1e6, 1e6);
  std::uniform_int_distribution<int64_t> quarters(-4000000, 4000000);
  for (int i = 0; i < 200000; ++i) {
    // Half the samples are multiples of 1/4, so ties are common.
    double x = i % 2 ? wide(rng) : static_cast<double>(quarters(rng)) / 4;
    ASSERT_EQ(roundWith(x, Rounding::HalfEven), std::nearbyint(x)) << x;
    ASSERT_EQ(roundWith(x, Rounding::HalfAway), std::round(x)) << x;
    ASSERT_EQ(roundWith(x, Rounding::Floor), std::floor(x)) << x;
    ASSERT_EQ(roundWith(x, Rounding::Trunc), std::trunc(x)) << x;
    ASSERT_EQ(roundWith(x, Rounding::HalfUp),
              static_cast<double>(std::floor(static_cast<long double>(x) +
                                             0.5L)))
        << x;
  }
}

//===----------------------------------------------------------------------===//
// quantize / saturate
//===----------------------------------------------------------------------===//

TEST(QuantQuantize, SaturatesAtBothEndsForEveryDType) {
  for (DType t : kAllDTypes) {
    DTypeInfo info = dtypeInfo(t);
    QParams p{1.0, 0};
    double lo = static_cast<double>(info.qmin);
    double hi = static_cast<double>(info.qmax);
    EXPECT_EQ(quantize(hi, p, t), info.qmax) << dtypeName(t);
    EXPECT_EQ(quantize(hi + 1, p, t), info.qmax) << dtypeName(t);
    EXPECT_EQ(quantize(hi + 0.5, p, t, Rounding::Floor), info.qmax);
    EXPECT_EQ(quantize(1e30, p, t), info.qmax) << dtypeName(t);
    EXPECT_EQ(quantize(INFINITY, p, t), info.qmax) << dtypeName(t);
    EXPECT_EQ(quantize(lo, p, t), info.qmin) << dtypeName(t);
    EXPECT_EQ(quantize(lo - 1, p, t), info.qmin) << dtypeName(t);
    EXPECT_EQ(quantize(lo - 0.5, p, t, Rounding::Trunc), info.qmin);
    EXPECT_EQ(quantize(-1e30, p, t), info.qmin) << dtypeName(t);
    EXPECT_EQ(quantize(-INFINITY, p, t), info.qmin) << dtypeName(t);
    // One step inside each end is representable.
    EXPECT_EQ(quantize(hi - 1, p, t), info.qmax - 1) << dtypeName(t);
    EXPECT_EQ(quantize(lo + 1, p, t), info.qmin + 1) << dtypeName(t);

    EXPECT_EQ(saturate(info.qmax + 1, t), info.qmax);
    EXPECT_EQ(saturate(info.qmax, t), info.qmax);
    EXPECT_EQ(saturate(info.qmin - 1, t), info.qmin);
    EXPECT_EQ(saturate(info.qmin, t), info.qmin);
    EXPECT_EQ(saturate(INT64_MAX, t), info.qmax);
    EXPECT_EQ(saturate(INT64_MIN, t), info.qmin);
    EXPECT_EQ(saturate(0, t), 0);
  }
}

TEST(QuantQuantize, ZeroPointShiftsTheSaturationPoints) {
  // uint8 with zero point 128, scale 0.5: x in [-64, 63.5] is in range.
  QParams p{0.5, 128};
  EXPECT_EQ(quantize(63.5, p, DType::UInt8), 255);
  EXPECT_EQ(quantize(64.0, p, DType::UInt8), 255);
  EXPECT_EQ(quantize(-64.0, p, DType::UInt8), 0);
  EXPECT_EQ(quantize(-64.5, p, DType::UInt8), 0);
  EXPECT_EQ(quantize(0.0, p, DType::UInt8), 128);
  EXPECT_EQ(quantize(0.25, p, DType::UInt8), 128); // 0.5 -> 0 (even)
  EXPECT_EQ(quantize(0.75, p, DType::UInt8), 130); // 1.5 -> 2 (even)
  // NaN maps to the zero point (real 0).
  EXPECT_EQ(quantize(NAN, p, DType::UInt8), 128);
}

TEST(QuantQuantize, EveryRoundingModeThroughQuantize) {
  // x / scale = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5] with zero point 10.
  QParams p{0.25, 10};
  std::vector<double> xs = {-0.625, -0.375, -0.125, 0.125, 0.375, 0.625};
  EXPECT_EQ(quantizeAll(xs, p, DType::Int8, Rounding::HalfEven),
            (std::vector<int64_t>{8, 8, 10, 10, 12, 12}));
  EXPECT_EQ(quantizeAll(xs, p, DType::Int8, Rounding::HalfAway),
            (std::vector<int64_t>{7, 8, 9, 11, 12, 13}));
  EXPECT_EQ(quantizeAll(xs, p, DType::Int8, Rounding::HalfUp),
            (std::vector<int64_t>{8, 9, 10, 11, 12, 13}));
  EXPECT_EQ(quantizeAll(xs, p, DType::Int8, Rounding::Floor),
            (std::vector<int64_t>{7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(quantizeAll(xs, p, DType::Int8, Rounding::Trunc),
            (std::vector<int64_t>{8, 9, 10, 10, 11, 12}));
}

TEST(QuantQuantize, RangeVariantRestrictsToNarrowRange) {
  QParams p{1.0, 0};
  EXPECT_EQ(quantizeRange(-200, p, -127, 127), -127);
  EXPECT_EQ(quantize(-200, p, DType::Int8), -128);
  EXPECT_EQ(quantizeRange(-127.4, p, -127, 127), -127);
  EXPECT_EQ(quantizeRange(5.5, p, -127, 127, Rounding::HalfAway), 6);
  EXPECT_EQ(quantizeRange(-8.0, p, quantMin(DType::Int4, true),
                          quantMax(DType::Int4, true)),
            -7);
}

TEST(QuantQuantize, DequantizeIsScaleTimesOffset) {
  QParams p{0.1, -3};
  EXPECT_DOUBLE_EQ(dequantize(-3, p), 0.0);
  EXPECT_DOUBLE_EQ(dequantize(7, p), 1.0);
  EXPECT_DOUBLE_EQ(dequantize(-13, p), -1.0);
  // Extreme int32 operands do not overflow.
  QParams big{1.0, INT32_MIN};
  EXPECT_EQ(dequantize(INT32_MAX, big), 4294967295.0);
  // INT64_MAX - INT64_MIN overflows int64: computed in double (2^64).
  QParams huge{1.0, INT64_MIN};
  EXPECT_EQ(dequantize(INT64_MAX, huge), std::ldexp(1.0, 64));
}

//===----------------------------------------------------------------------===//
// chooseQParams
//===----------------------------------------------------------------------===//

TEST(QuantQParams, DegenerateAllZeros) {
  for (DType t : kAllDTypes) {
    DTypeInfo info = dtypeInfo(t);
    QParams a = chooseQParams(0.0, 0.0, t, false);
    EXPECT_EQ(a.scale, 1.0) << dtypeName(t);
    EXPECT_EQ(a.zeroPoint, info.qmin) << dtypeName(t);
    QParams s = chooseQParams(0.0, 0.0, t, true);
    EXPECT_EQ(s.scale, 1.0) << dtypeName(t);
    EXPECT_EQ(s.zeroPoint, info.isSigned ? 0 : (info.qmax + 1) / 2)
        << dtypeName(t);
    EXPECT_EQ(dequantize(quantize(0.0, a, t), a), 0.0);
    EXPECT_EQ(dequantize(quantize(0.0, s, t), s), 0.0);
  }
  // An empty array and an all-NaN array are the degenerate range.
  QParams e = chooseQParams(static_cast<const float *>(nullptr), 0,
                            DType::UInt8, false);
  EXPECT_EQ(e.scale, 1.0);
  EXPECT_EQ(e.zeroPoint, 0);
  const float nans[] = {NAN, INFINITY, -INFINITY};
  QParams n = chooseQParams(nans, 3, DType::Int8, true);
  EXPECT_EQ(n.scale, 1.0);
  EXPECT_EQ(n.zeroPoint, 0);
}

TEST(QuantQParams, MinEqualsMaxPositive) {
  // [2, 2] is extended to [0, 2]: scale 2 / 255, 0 -> qmin, 2 -> qmax.
  QParams p = chooseQParams(2.0, 2.0, DType::Int8, false);
  EXPECT_DOUBLE_EQ(p.scale, 2.0 / 255);
  EXPECT_EQ(p.zeroPoint, -128);
  EXPECT_EQ(quantize(2.0, p, DType::Int8), 127);
  EXPECT_EQ(quantize(0.0, p, DType::Int8), -128);
  // Symmetric: scale 2 / 127.
  QParams s = chooseQParams(2.0, 2.0, DType::Int8, true);
  EXPECT_DOUBLE_EQ(s.scale, 2.0 / 127);
  EXPECT_EQ(quantize(2.0, s, DType::Int8), 127);
  // The float-data overload with a constant array.
  const float data[] = {2.0f, 2.0f, 2.0f};
  EXPECT_EQ(chooseQParams(data, 3, DType::UInt8, false).zeroPoint, 0);
}

TEST(QuantQParams, AllNegative) {
  // [-3, -1] is extended to [-3, 0]: 0 is the top of the grid.
  QParams p = chooseQParams(-3.0, -1.0, DType::UInt8, false);
  EXPECT_DOUBLE_EQ(p.scale, 3.0 / 255);
  EXPECT_EQ(p.zeroPoint, 255);
  EXPECT_EQ(quantize(-3.0, p, DType::UInt8), 0);
  EXPECT_EQ(quantize(0.0, p, DType::UInt8), 255);
  EXPECT_EQ(quantize(-1.0, p, DType::UInt8), 170); // 255 - 85
  QParams s = chooseQParams(-3.0, -1.0, DType::Int8, true);
  EXPECT_DOUBLE_EQ(s.scale, 3.0 / 127);
  EXPECT_EQ(quantize(-3.0, s, DType::Int8), -127);
  QParams u = chooseQParams(-3.0, -1.0, DType::UInt8, true);
  EXPECT_EQ(u.zeroPoint, 128);
  EXPECT_EQ(quantize(-3.0, u, DType::UInt8), 1);
  EXPECT_EQ(quantize(3.0, u, DType::UInt8), 255);
}

// The zero point is rounded half to even (as ONNX DynamicQuantizeLinear
// does): [-7.5, 7.5] over uint4 has scale exactly 1 and min / scale = -7.5,
// so zeroPoint = 0 - round(-7.5) = 8 (half up would give 7).
TEST(QuantQParams, ZeroPointTieRoundsHalfEven) {
  QParams p = chooseQParams(-7.5, 7.5, DType::UInt4, false);
  EXPECT_EQ(p.scale, 1.0);
  EXPECT_EQ(p.zeroPoint, 8);
  QParams q = chooseQParams(-127.5, 127.5, DType::UInt8, false);
  EXPECT_EQ(q.scale, 1.0);
  EXPECT_EQ(q.zeroPoint, 128);
  QParams r = chooseQParams(-8.5, 6.5, DType::UInt4, false); // -8.5 -> -8
  EXPECT_EQ(r.scale, 1.0);
  EXPECT_EQ(r.zeroPoint, 8);
  QParams i = chooseQParams(-6.5, 8.5, DType::Int4, false); // -8 - (-6)
  EXPECT_EQ(i.zeroPoint, -2);
}

TEST(QuantQParams, SwappedAndNonFiniteBounds) {
  QParams a = chooseQParams(1.7, -0.52, DType::Int8, false);
  EXPECT_EQ(a.zeroPoint, -68);
  QParams b = chooseQParams(-INFINITY, 1.0, DType::Int8, true);
  EXPECT_DOUBLE_EQ(b.scale, 1.0 / 127);
  // Bounds whose difference overflows double still give a finite scale.
  QParams c = chooseQParams(-1e308, 1e308, DType::UInt8, false);
  EXPECT_TRUE(std::isfinite(c.scale));
  // -(-1e308 / (2e308 / 255)) = 127.5 up to the last ulp.
  EXPECT_GE(c.zeroPoint, 127);
  EXPECT_LE(c.zeroPoint, 128);
  EXPECT_EQ(quantize(0.0, c, DType::UInt8), c.zeroPoint);
}

TEST(QuantQParams, CheckMessages) {
  EXPECT_FALSE(checkRange(-1, 1));
  EXPECT_FALSE(checkRange(0, 0));
  ASSERT_TRUE(checkRange(NAN, 1));
  EXPECT_NE(checkRange(NAN, 1)->find("min"), std::string::npos);
  ASSERT_TRUE(checkRange(0, INFINITY));
  EXPECT_NE(checkRange(0, INFINITY)->find("max"), std::string::npos);
  EXPECT_TRUE(checkRange(2, 1));

  EXPECT_FALSE(checkQParams({0.5, -128}, DType::Int8));
  EXPECT_FALSE(checkQParams({0.5, 15}, DType::UInt4));
  ASSERT_TRUE(checkQParams({0.5, 16}, DType::UInt4));
  EXPECT_NE(checkQParams({0.5, 16}, DType::UInt4)->find("uint4"),
            std::string::npos);
  EXPECT_TRUE(checkQParams({0.0, 0}, DType::Int8));
  EXPECT_TRUE(checkQParams({-1.0, 0}, DType::Int8));
  EXPECT_TRUE(checkQParams({NAN, 0}, DType::Int8));
  EXPECT_TRUE(checkQParams({INFINITY, 0}, DType::Int8));
}

// For every dtype and both schemes, over random ranges (straddling 0,
// all-positive, all-negative, tiny, huge): the zero point is in range, real
// 0 is exactly representable, and every value of the (0-extended) range
// quantizes within half a step.
TEST(QuantQParams, ZeroExactlyRepresentableAndRangeCovered) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> decade(-30, 30);
  for (int i = 0; i < 3000; ++i) {
    double mag = std::pow(10.0, decade(rng));
    double a = unit(rng) * mag, b = unit(rng) * mag;
    if (i % 5 == 1)
      b = a; // min == max
    double min = std::min(a, b), max = std::max(a, b);
    for (DType t : kAllDTypes) {
      for (bool symmetric : {false, true}) {
        QParams p = chooseQParams(min, max, t, symmetric);
        SCOPED_TRACE(testing::Message()
                     << dtypeName(t) << (symmetric ? " sym" : " asym")
                     << " [" << min << ", " << max << "]");
        ASSERT_FALSE(checkQParams(p, t));
        ASSERT_EQ(quantize(0.0, p, t), p.zeroPoint);
        ASSERT_EQ(dequantize(p.zeroPoint, p), 0.0);
        if (symmetric && dtypeInfo(t).isSigned) {
          ASSERT_EQ(p.zeroPoint, 0);
        }
        double lo = std::min(min, 0.0), hi = std::max(max, 0.0);
        // Half a step, plus the double rounding of x / scale and of
        // scale * (q - zp) for up to 2^32 steps (int32): ~2^32 * 2^-53.
        double tol = p.scale * (0.5 + 1e-5);
        for (double v : {lo, hi, lo + (hi - lo) * 0.37, 0.0}) {
          int64_t q = quantizeRange(v, p, quantMin(t, symmetric),
                                    quantMax(t, symmetric));
          ASSERT_LE(std::fabs(dequantize(q, p) - v), tol) << v;
        }
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Fixed point S n.m
//===----------------------------------------------------------------------===//

TEST(QuantFixed, SaturatesAtBothEnds) {
  EXPECT_EQ(toFixed(200.0, 7, 0), 127);
  EXPECT_EQ(toFixed(-200.0, 7, 0), -128);
  EXPECT_EQ(toFixed(127.4, 7, 0), 127);
  EXPECT_EQ(toFixed(-128.4, 7, 0), -128);
  // S0.7 holds [-1, 127/128].
  EXPECT_EQ(toFixed(1.0, 0, 7), 127);
  EXPECT_EQ(toFixed(-1.0, 0, 7), -128);
  EXPECT_EQ(toFixed(0.9921875, 0, 7), 127);
  // S2.13: [-4, 4 - 2^-13].
  EXPECT_EQ(toFixed(4.0, 2, 13), 32767);
  EXPECT_EQ(toFixed(-4.0, 2, 13), -32768);
  EXPECT_EQ(toFixed(-4.1, 2, 13), -32768);
  // The widest format, 63 bits.
  const int64_t max62 = (int64_t(1) << 62) - 1;
  EXPECT_EQ(toFixed(1e300, 31, 31), max62);
  EXPECT_EQ(toFixed(-1e300, 31, 31), -max62 - 1);
  EXPECT_EQ(toFixed(INFINITY, 0, 62), max62);
  EXPECT_EQ(toFixed(-INFINITY, 62, 0), -max62 - 1);
  EXPECT_EQ(toFixed(4611686018427387904.0, 62, 0), max62); // 2^62
  EXPECT_EQ(toFixed(-4611686018427387904.0, 62, 0), -max62 - 1);
  EXPECT_EQ(toFixed(NAN, 7, 0), 0);
}

TEST(QuantFixed, RoundingModesAtTies) {
  // S0.1 of +-0.25: x * 2 = +-0.5.
  EXPECT_EQ(toFixed(0.25, 0, 1, Rounding::HalfEven), 0);
  EXPECT_EQ(toFixed(0.25, 0, 1, Rounding::HalfAway), 1);
  EXPECT_EQ(toFixed(0.25, 0, 1, Rounding::HalfUp), 1);
  EXPECT_EQ(toFixed(0.25, 0, 1, Rounding::Floor), 0);
  EXPECT_EQ(toFixed(0.25, 0, 1, Rounding::Trunc), 0);
  EXPECT_EQ(toFixed(-0.25, 0, 1, Rounding::HalfEven), 0);
  EXPECT_EQ(toFixed(-0.25, 0, 1, Rounding::HalfAway), -1);
  EXPECT_EQ(toFixed(-0.25, 0, 1, Rounding::HalfUp), 0);
  EXPECT_EQ(toFixed(-0.25, 0, 1, Rounding::Floor), -1);
  EXPECT_EQ(toFixed(-0.25, 0, 1, Rounding::Trunc), 0);
  // S3.4 of 1.09375 = 17.5 / 16.
  EXPECT_EQ(toFixed(1.09375, 3, 4), 18);
  EXPECT_EQ(toFixed(-1.09375, 3, 4), -18);
  EXPECT_EQ(toFixed(1.03125, 3, 4), 16); // 16.5 -> 16
}

TEST(QuantFixed, RoundTripAndFormats) {
  std::mt19937_64 rng(3);
  for (int n = 0; n <= 20; n += 5) {
    for (int m = 0; m <= 30; m += 3) {
      int64_t hi = (int64_t(1) << (n + m)) - 1;
      std::uniform_int_distribution<int64_t> dist(-hi - 1, hi);
      for (int i = 0; i < 200; ++i) {
        int64_t a = i == 0 ? hi : i == 1 ? -hi - 1 : dist(rng);
        ASSERT_EQ(toFixed(fromFixed(a, n, m), n, m), a)
            << "S" << n << "." << m << " a=" << a;
        ASSERT_EQ(fromFixed(a, n, m), std::ldexp(static_cast<double>(a), -m));
      }
    }
  }
  EXPECT_FALSE(checkFixedFormat(7, 0));
  EXPECT_FALSE(checkFixedFormat(0, 62));
  EXPECT_FALSE(checkFixedFormat(62, 0));
  EXPECT_FALSE(checkFixedFormat(31, 31));
  EXPECT_TRUE(checkFixedFormat(-1, 4));
  EXPECT_TRUE(checkFixedFormat(4, -1));
  ASSERT_TRUE(checkFixedFormat(31, 32));
  EXPECT_NE(checkFixedFormat(31, 32)->find("S31.32"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// quantizeMultiplier
//===----------------------------------------------------------------------===//

static void expectMultiplier(std::optional<ScaleMultiplier> got,
                             int64_t multiplier, int32_t shift,
                             const char *what) {
  ASSERT_TRUE(got.has_value()) << what;
  EXPECT_EQ(got->multiplier, multiplier) << what;
  EXPECT_EQ(got->shift, shift) << what;
}

TEST(QuantMultiplier, ExactValuesAndPowersOfTwo) {
  // TOSA spec (RESCALE): "The values to achieve a scaling of 1.0 are
  // shift=30, multiplier=1<<30 for apply_scale_32 and shift=14,
  // multiplier=1<<14 for apply_scale_16".
  expectMultiplier(quantizeMultiplier(1.0), 1 << 30, 30, "1.0");
  expectMultiplier(quantizeMultiplier16(1.0), 1 << 14, 14, "1.0 (16)");
  expectMultiplier(quantizeMultiplier(0.5), 1 << 30, 31, "0.5");
  expectMultiplier(quantizeMultiplier(0.75), 3 << 29, 31, "0.75");
  expectMultiplier(quantizeMultiplier(3.0), 3 << 29, 29, "3.0");
  for (int k = -32; k <= 28; ++k) {
    expectMultiplier(quantizeMultiplier(std::ldexp(1.0, k)), 1 << 30, 30 - k,
                     "2^k");
  }
  for (int k = -48; k <= 12; ++k) {
    expectMultiplier(quantizeMultiplier16(std::ldexp(1.0, k)), 1 << 14,
                     14 - k, "2^k (16)");
  }
  // 1/3 = 0.101010...b: f = 2/3, 2/3 * 2^31 = 1431655765.33 -> 1431655765.
  expectMultiplier(quantizeMultiplier(1.0 / 3), 1431655765, 32, "1/3");
}

TEST(QuantMultiplier, MantissaTieRoundsHalfAway) {
  // 1 + 2^-31: f = 1/2 + 2^-32, f * 2^31 = 2^30 + 1/2 exactly. Rounded half
  // away from zero (std::round, as TFLite's QuantizeMultiplier and MLIR's
  // computeMultiplierAndShiftTosaScale32): 2^30 + 1 (half even: 2^30).
  expectMultiplier(quantizeMultiplier(1.0 + std::ldexp(1.0, -31)),
                   (1 << 30) + 1, 30, "1 + 2^-31");
  expectMultiplier(quantizeMultiplier(1.0 + std::ldexp(3.0, -31)),
                   (1 << 30) + 2, 30, "1 + 3 * 2^-31");
  expectMultiplier(quantizeMultiplier16(1.0 + std::ldexp(1.0, -15)),
                   (1 << 14) + 1, 14, "1 + 2^-15 (16)");
}

TEST(QuantMultiplier, MantissaRoundingCarryRenormalises) {
  // 1 - 2^-32: f * 2^31 = 2^31 - 0.5, rounded half away to 2^31 -> {2^30, 30}.
  expectMultiplier(quantizeMultiplier(1.0 - std::ldexp(1.0, -32)), 1 << 30,
                   30, "1 - 2^-32");
  expectMultiplier(quantizeMultiplier(1.0 - std::ldexp(1.0, -40)), 1 << 30,
                   30, "1 - 2^-40");
  // 1 - 2^-31 is exactly representable: {2^31 - 1, 31}.
  expectMultiplier(quantizeMultiplier(1.0 - std::ldexp(1.0, -31)), INT32_MAX,
                   31, "1 - 2^-31");
  // Just below the 16-bit carry: 1 - 2^-15 -> {2^15 - 1, 15}; 1 - 2^-16
  // -> 2^15 - 0.5 -> carry -> {2^14, 14}.
  expectMultiplier(quantizeMultiplier16(1.0 - std::ldexp(1.0, -15)), 32767, 15,
                   "1 - 2^-15 (16)");
  expectMultiplier(quantizeMultiplier16(1.0 - std::ldexp(1.0, -16)), 1 << 14,
                   14, "1 - 2^-16 (16)");
}

TEST(QuantMultiplier, TooLargeIsRejected) {
  // shift >= 2 and multiplier < 2^31 bound m below 2^29.
  expectMultiplier(quantizeMultiplier(std::ldexp(1.0, 28)), 1 << 30, 2,
                   "2^28");
  expectMultiplier(quantizeMultiplier(std::ldexp(1.0 - std::ldexp(1.0, -30),
                                                 29)),
                   INT32_MAX - 1, 2, "2^29 (1 - 2^-30)");
  EXPECT_FALSE(quantizeMultiplier(std::ldexp(1.0, 29)));
  // Rounds up to 2^29 (carry, shift 1): rejected.
  EXPECT_FALSE(
      quantizeMultiplier(std::ldexp(1.0 - std::ldexp(1.0, -40), 29)));
  EXPECT_FALSE(quantizeMultiplier(1e12));
  EXPECT_FALSE(quantizeMultiplier16(std::ldexp(1.0, 13)));
  expectMultiplier(quantizeMultiplier16(std::ldexp(1.0, 12)), 1 << 14, 2,
                   "2^12 (16)");
  // Negative and non-finite multipliers are rejected.
  EXPECT_FALSE(quantizeMultiplier(-0.5));
  EXPECT_FALSE(quantizeMultiplier(NAN));
  EXPECT_FALSE(quantizeMultiplier(INFINITY));
  EXPECT_FALSE(quantizeMultiplier16(-1e-9));
}

TEST(QuantMultiplier, TinyIsFlushedToZero) {
  expectMultiplier(quantizeMultiplier(0.0), 0, 2, "0");
  expectMultiplier(quantizeMultiplier(-0.0), 0, 2, "-0");
  // 2^-32 is the smallest normalised value: {2^30, 62}.
  expectMultiplier(quantizeMultiplier(std::ldexp(1.0, -32)), 1 << 30, 62,
                   "2^-32");
  // Just below, the mantissa rounds back up to 2^-32: not flushed.
  expectMultiplier(
      quantizeMultiplier(std::ldexp(1.0 - std::ldexp(1.0, -40), -32)),
      1 << 30, 62, "2^-32 (1 - 2^-40)");
  // (1 - 2^-31) 2^-32 needs shift 63: flushed. Lossless for int32 inputs:
  // |value * m| < 2^31 * 2^-32 = 1/2 rounds to 0 anyway.
  expectMultiplier(
      quantizeMultiplier(std::ldexp(1.0 - std::ldexp(1.0, -31), -32)), 0, 2,
      "below 2^-32");
  expectMultiplier(quantizeMultiplier(std::ldexp(1.0, -33)), 0, 2, "2^-33");
  expectMultiplier(quantizeMultiplier(1e-300), 0, 2, "1e-300");
  expectMultiplier(
      quantizeMultiplier(std::numeric_limits<double>::denorm_min()), 0, 2,
      "denorm_min");
  expectMultiplier(quantizeMultiplier16(std::ldexp(1.0, -49)), 0, 2,
                   "2^-49 (16)");
  expectMultiplier(quantizeMultiplier16(std::ldexp(1.0, -48)), 1 << 14, 62,
                   "2^-48 (16)");
  // A flushed multiplier gives 0 for every value.
  EXPECT_EQ(applyScale32(INT32_MIN, 0, 2), 0);
  EXPECT_EQ(applyScale32(INT32_MAX, 0, 2, true), 0);
}

// Over log-uniform m in [2^-32, 2^29): the multiplier is normalised, the
// shift legal, and multiplier * 2^-shift is m correctly rounded to 31 bits
// (error <= half a unit of the multiplier).
TEST(QuantMultiplier, RandomIsCorrectlyRounded) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> logm(-32.0, 29.0);
  for (int i = 0; i < 100000; ++i) {
    double m = std::exp2(logm(rng));
    auto got = quantizeMultiplier(m);
    if (!got) {
      ASSERT_GE(m, std::ldexp(1.0 - std::ldexp(1.0, -32), 29)) << m;
      continue;
    }
    ASSERT_GE(got->multiplier, 1 << 30) << m;
    ASSERT_GE(got->shift, 2) << m;
    ASSERT_LE(got->shift, 62) << m;
    // Both terms are within a factor 2 of each other: the difference is
    // exact (Sterbenz).
    double approx = std::ldexp(static_cast<double>(got->multiplier),
                               -got->shift);
    ASSERT_LE(std::fabs(approx - m), std::ldexp(0.5, -got->shift)) << m;

    auto got16 = quantizeMultiplier16(m);
    if (!got16) {
      ASSERT_GE(m, std::ldexp(1.0 - std::ldexp(1.0, -16), 13)) << m;
      continue;
    }
    if (got16->multiplier == 0) {
      ASSERT_LT(m, std::ldexp(1.0, -48));
      continue;
    }
    ASSERT_GE(got16->multiplier, 1 << 14);
    ASSERT_LT(got16->multiplier, 1 << 15);
    double approx16 =
        std::ldexp(static_cast<double>(got16->multiplier), -got16->shift);
    ASSERT_LE(std::fabs(approx16 - m), std::ldexp(0.5, -got16->shift)) << m;
  }
}

// reciprocal_scale per the TOSA spec: k = ceil(log2(value)),
// multiplier = floor(((2^30 + 1) << k) / value), shift = 30 + k.
TEST(ReciprocalScale, MatchesSpecFormula) {
  EXPECT_EQ(reciprocalScale(1).multiplier, (1 << 30) + 1);
  EXPECT_EQ(reciprocalScale(1).shift, 30);
  EXPECT_EQ(reciprocalScale(4).multiplier, (1 << 30) + 1); // (2^32+4)/4
  EXPECT_EQ(reciprocalScale(4).shift, 32);
  EXPECT_EQ(reciprocalScale(3).multiplier, 1431655766); // 4294967300/3
  EXPECT_EQ(reciprocalScale(3).shift, 32);
  EXPECT_EQ(reciprocalScale(9).multiplier, 1908874355); // 17179869200/9
  EXPECT_EQ(reciprocalScale(9).shift, 34);
  EXPECT_EQ(reciprocalScale(49).shift, 36);
}

// perCountMultiplier(m, n) = round(m / n), halves up: 1.5 = (3 * 2^29, 30)
// averaged over 4, 6 and 9 values; 5/2 = 2.5 -> 3, 7/2 -> 4, 7/3 -> 2,
// 8/3 -> 3.
TEST(PerCountMultiplier, RoundsTheQuotientHalfUp) {
  const int32_t m = 1610612736; // 3 * 2^29
  EXPECT_EQ(perCountMultiplier(m, 1), m);
  EXPECT_EQ(perCountMultiplier(m, 4), 402653184); // exact: 0.375 * 2^30
  EXPECT_EQ(perCountMultiplier(m, 6), 268435456); // exact: 0.25 * 2^30
  EXPECT_EQ(perCountMultiplier(m, 9), 178956971); // 178956970.67
  EXPECT_EQ(perCountMultiplier(5, 2), 3);
  EXPECT_EQ(perCountMultiplier(7, 2), 4);
  EXPECT_EQ(perCountMultiplier(7, 3), 2);
  EXPECT_EQ(perCountMultiplier(8, 3), 3);
  EXPECT_EQ(perCountMultiplier(INT32_MAX, 1), INT32_MAX);
}

// Dynamic fixed point (the seeds' S n.m formats, RKNN dynamic_fixed_point):
// the scale is the smallest power of two >= the min/max scale.
TEST(PowerOfTwoScale, RoundsUpToAPowerOfTwo) {
  EXPECT_EQ(powerOfTwoScale(0.1), 0.125);        // 2^-3
  EXPECT_EQ(powerOfTwoScale(0.125), 0.125);      // already 2^-3
  EXPECT_EQ(powerOfTwoScale(0.12500001), 0.25);  // just above: 2^-2
  EXPECT_EQ(powerOfTwoScale(3.0), 4.0);
  EXPECT_EQ(powerOfTwoScale(1.0), 1.0);
  EXPECT_EQ(powerOfTwoScale(6.0 / 127), 0.0625); // max|x| 6 in int8: S3.4... 2^-4
}
