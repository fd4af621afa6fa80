//===- ApplyScaleTest.cpp - TOSA apply_scale_32/16 against the spec ------===//
//
// applyScale32/16 are checked against three independent evaluations of the
// TOSA pseudo-code (spec, pseudocode/library/scale_helpers.tosac):
//   - the formula in __int128, with floor division written as / and %,
//   - the formula in long double (64-bit mantissa: every intermediate, at
//     most 2^63 in magnitude, is exact),
//   - for single rounding, the meaning of the formula: the exact rational
//     value * multiplier / 2^shift rounded half up (ties toward +inf),
// plus hand-computed boundary cases (ties, shift 2 and 62, negative values,
// saturation outside the TOSA REQUIREs).
//
//===----------------------------------------------------------------------===//
#include "core/quant/Quant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

using namespace tessera::quant;

namespace {

using i128 = __int128;

i128 floorDiv(i128 num, i128 den) {
  i128 q = num / den, r = num % den;
  return (r != 0 && r < 0) ? q - 1 : q;
}

int64_t satInt32(i128 v) {
  if (v > INT32_MAX)
    return INT32_MAX;
  if (v < INT32_MIN)
    return INT32_MIN;
  return static_cast<int64_t>(v);
}

/// The spec's formula, unsaturated, in __int128.
i128 specFormula128(i128 value, i128 multiplier, int shift, bool doubleRound) {
  i128 round = i128(1) << (shift - 1);
  if (doubleRound && shift > 31)
    round += value >= 0 ? (i128(1) << 30) : -(i128(1) << 30);
  return floorDiv(value * multiplier + round, i128(1) << shift);
}

/// The spec's formula in long double.
long double specFormulaLD(int64_t value, int64_t multiplier, int shift,
                          bool doubleRound) {
  long double round = std::ldexp(1.0L, shift - 1);
  if (doubleRound && shift > 31)
    round += value >= 0 ? std::ldexp(1.0L, 30) : -std::ldexp(1.0L, 30);
  long double num = static_cast<long double>(value) *
                        static_cast<long double>(multiplier) +
                    round;
  return std::floor(std::ldexp(num, -shift));
}

/// Single rounding by meaning: value * multiplier / 2^shift, nearest
/// integer, ties toward +inf.
i128 roundHalfUpExact(i128 value, i128 multiplier, int shift) {
  i128 num = value * multiplier, den = i128(1) << shift;
  i128 q = floorDiv(num, den);
  i128 rem = num - q * den; // in [0, den)
  return 2 * rem >= den ? q + 1 : q;
}

int32_t randomValue(std::mt19937_64 &rng) {
  switch (rng() % 4) {
  case 0:
    return static_cast<int32_t>(static_cast<int64_t>(rng() % 2049) - 1024);
  case 1: {
    // Near the TOSA value bound for some shift.
    int k = static_cast<int>(rng() % 32);
    int64_t b = int64_t(1) << k;
    int64_t v = (rng() % 2 ? b : -b) + static_cast<int64_t>(rng() % 5) - 2;
    return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
  }
  default:
    return static_cast<int32_t>(static_cast<uint32_t>(rng()));
  }
}

int32_t randomMultiplier(std::mt19937_64 &rng) {
  switch (rng() % 4) {
  case 0: // any non-negative int32
    return static_cast<int32_t>(rng() % (uint64_t(1) << 31));
  case 1: // powers of two and neighbours: exact ties
    return static_cast<int32_t>(std::clamp<int64_t>(
        (int64_t(1) << (rng() % 31)) + static_cast<int64_t>(rng() % 3) - 1, 0,
        INT32_MAX));
  default: // normalised, as quantizeMultiplier produces
    return static_cast<int32_t>((uint64_t(1) << 30) +
                                rng() % (uint64_t(1) << 30));
  }
}

} // namespace

TEST(QuantApplyScale32, RandomAgainstSpecFormula) {
  std::mt19937_64 rng(0x7054);
  int valid = 0, doubleRoundChanged = 0;
  for (int i = 0; i < 300000; ++i) {
    int32_t v = randomValue(rng);
    int32_t m = randomMultiplier(rng);
    int s = 2 + static_cast<int>(rng() % 61);
    bool dr = rng() % 2;
    int32_t got = applyScale32(v, m, s, dr);
    i128 exact = specFormula128(v, m, s, dr);
    ASSERT_EQ(got, satInt32(exact))
        << "v=" << v << " m=" << m << " s=" << s << " dr=" << dr;
    long double ld = specFormulaLD(v, m, s, dr);
    ASSERT_EQ(static_cast<long double>(got),
              std::clamp(ld, static_cast<long double>(INT32_MIN),
                         static_cast<long double>(INT32_MAX)));
    if (!dr) {
      ASSERT_EQ(static_cast<i128>(got),
                std::clamp<i128>(roundHalfUpExact(v, m, s), INT32_MIN,
                                 INT32_MAX));
    }
    // Inside the TOSA REQUIREs the result fits int32: no saturation.
    if (!checkApplyScale32(v, m, s)) {
      ++valid;
      ASSERT_EQ(static_cast<i128>(got), exact);
    }
    if (dr && s > 31 && got != applyScale32(v, m, s, false))
      ++doubleRoundChanged;
  }
  // The sample exercised both the REQUIRE domain and double rounding.
  EXPECT_GT(valid, 100000);
  EXPECT_GT(doubleRoundChanged, 100);
}

TEST(QuantApplyScale32, TiesRoundHalfUp) {
  const int32_t half = 1 << 30; // 0.5 in Q0.31
  // shift 31: value * 2^30 / 2^31 = value / 2.
  EXPECT_EQ(applyScale32(1, half, 31), 1);   // 0.5 -> 1
  EXPECT_EQ(applyScale32(-1, half, 31), 0);  // -0.5 -> 0
  EXPECT_EQ(applyScale32(3, half, 31), 2);   // 1.5 -> 2
  EXPECT_EQ(applyScale32(-3, half, 31), -1); // -1.5 -> -1
  EXPECT_EQ(applyScale32(5, half, 31), 3);   // 2.5 -> 3
  EXPECT_EQ(applyScale32(-5, half, 31), -2); // -2.5 -> -2
  // double_round only acts for shift > 31.
  EXPECT_EQ(applyScale32(-1, half, 31, true), 0);
  EXPECT_EQ(applyScale32(-3, half, 31, true), -1);
  // shift 32: value * 2^30 / 2^32 = value / 4.
  EXPECT_EQ(applyScale32(2, half, 32), 1);          // 0.5 -> 1
  EXPECT_EQ(applyScale32(-2, half, 32), 0);         // -0.5 -> 0
  EXPECT_EQ(applyScale32(2, half, 32, true), 1);    // (2^31+2^31+2^30)>>32
  EXPECT_EQ(applyScale32(-2, half, 32, true), -1);  // (-2^30)>>32
  EXPECT_EQ(applyScale32(1, half, 32), 0);          // 0.25 -> 0
  // The classic double-rounding artefact: 0.25 first rounds (at 2^-31) to
  // 0.5, which then rounds to 1: (2^30 + 2^31 + 2^30) >> 32 = 1.
  EXPECT_EQ(applyScale32(1, half, 32, true), 1);
  EXPECT_EQ(applyScale32(-1, half, 32, true), 0);   // (-2^30+2^31-2^30)>>32
}

TEST(QuantApplyScale32, DoubleRoundingMovesNearTies) {
  // 1 * (2^31 - 1) / 2^32 = 0.49999999977: single rounding 0; the double
  // round adds 2^30 first: (2^31 - 1 + 2^31 + 2^30) >> 32 = 1.
  EXPECT_EQ(applyScale32(1, INT32_MAX, 32), 0);
  EXPECT_EQ(applyScale32(1, INT32_MAX, 32, true), 1);
  // -0.49999999977: single 0; double (-(2^31 - 1) + 2^31 - 2^30) >> 32
  // = (1 - 2^30) >> 32 = -1.
  EXPECT_EQ(applyScale32(-1, INT32_MAX, 32), 0);
  EXPECT_EQ(applyScale32(-1, INT32_MAX, 32, true), -1);
}

TEST(QuantApplyScale32, ShiftLimits) {
  // shift 2 (TOSA value range [-2, 2)).
  EXPECT_EQ(applyScale32(1, 1, 2), 0);  // 0.25
  EXPECT_EQ(applyScale32(1, 2, 2), 1);  // 0.5 -> 1
  EXPECT_EQ(applyScale32(-1, 2, 2), 0); // -0.5 -> 0
  EXPECT_EQ(applyScale32(-2, 2, 2), -1);
  EXPECT_EQ(applyScale32(1, INT32_MAX, 2), 536870912); // (2^31 + 1) >> 2
  EXPECT_EQ(applyScale32(-2, INT32_MAX, 2), -1073741823);
  EXPECT_EQ(applyScale32(-2, INT32_MAX, 2, true), -1073741823);
  EXPECT_FALSE(checkApplyScale32(-2, INT32_MAX, 2));
  EXPECT_FALSE(checkApplyScale32(1, INT32_MAX, 2));
  EXPECT_TRUE(checkApplyScale32(2, INT32_MAX, 2));
  EXPECT_TRUE(checkApplyScale32(-3, INT32_MAX, 2));
  // shift 62: (INT32_MIN * INT32_MAX + 2^61) >> 62 = floor(-1 + 2^-31 + 1/2).
  EXPECT_EQ(applyScale32(INT32_MIN, INT32_MAX, 62), -1);
  EXPECT_EQ(applyScale32(INT32_MIN, INT32_MAX, 62, true), -1);
  EXPECT_EQ(applyScale32(INT32_MAX, INT32_MAX, 62), 1);
  EXPECT_EQ(applyScale32(INT32_MAX, INT32_MAX, 62, true), 1);
  // INT32_MIN * 2^30 / 2^62 = -0.5 exactly: half up 0, double round -1.
  EXPECT_EQ(applyScale32(INT32_MIN, 1 << 30, 62), 0);
  EXPECT_EQ(applyScale32(INT32_MIN, 1 << 30, 62, true), -1);
  EXPECT_FALSE(checkApplyScale32(INT32_MIN, INT32_MAX, 62));
  EXPECT_FALSE(checkApplyScale32(INT32_MAX, 0, 33));
}

TEST(QuantApplyScale32, ScaleOneIsIdentity) {
  // TOSA: scaling 1.0 is multiplier 1 << 30, shift 30.
  for (int32_t v : {INT32_MIN, INT32_MIN + 1, -(1 << 29) - 1, -(1 << 29), -1,
                    0, 1, (1 << 29) - 1, 1 << 29, INT32_MAX}) {
    EXPECT_EQ(applyScale32(v, 1 << 30, 30), v);
    EXPECT_EQ(applyScale32(v, 1 << 30, 30, true), v);
  }
  EXPECT_FALSE(checkApplyScale32((1 << 29) - 1, 1 << 30, 30));
  EXPECT_FALSE(checkApplyScale32(-(1 << 29), 1 << 30, 30));
  EXPECT_TRUE(checkApplyScale32(1 << 29, 1 << 30, 30));
}

// Outside the TOSA REQUIREs the spec is "unpredictable"; Tessera defines
// the result as the exact formula saturated to int32.
TEST(QuantApplyScale32, SaturationOutsideRequire) {
  EXPECT_EQ(applyScale32(INT32_MAX, INT32_MAX, 2), INT32_MAX);
  EXPECT_EQ(applyScale32(INT32_MIN, INT32_MAX, 2), INT32_MIN);
  EXPECT_EQ(applyScale32(INT32_MAX, 1 << 30, 29), INT32_MAX); // x 2
  EXPECT_EQ(applyScale32(INT32_MIN, 1 << 30, 29), INT32_MIN);
  EXPECT_EQ(applyScale32(1 << 30, 1 << 30, 29), INT32_MAX);   // 2^31
  EXPECT_EQ(applyScale32((1 << 30) - 1, 1 << 30, 29), INT32_MAX - 1);
  ASSERT_TRUE(checkApplyScale32(INT32_MAX, INT32_MAX, 2));
  EXPECT_NE(checkApplyScale32(INT32_MAX, INT32_MAX, 2)->find("value"),
            std::string::npos);
  // Negative multipliers violate REQUIRE(multiplier >= 0); the formula is
  // still evaluated exactly.
  EXPECT_EQ(applyScale32(5, -(1 << 30), 30), -5);
  EXPECT_EQ(applyScale32(INT32_MIN, INT32_MIN, 31), INT32_MAX); // 2^31
  ASSERT_TRUE(checkScale32(-1, 31));
  EXPECT_NE(checkScale32(-1, 31)->find("multiplier"), std::string::npos);
}

TEST(QuantApplyScale32, AttributeChecks) {
  EXPECT_FALSE(checkScale32(0, 2));
  EXPECT_FALSE(checkScale32(INT32_MAX, 62));
  EXPECT_TRUE(checkScale32(int64_t(INT32_MAX) + 1, 31));
  ASSERT_TRUE(checkScale32(1 << 30, 1));
  EXPECT_NE(checkScale32(1 << 30, 1)->find("shift"), std::string::npos);
  EXPECT_TRUE(checkScale32(1 << 30, 63));
  EXPECT_TRUE(checkScale32(1 << 30, -5));
  EXPECT_TRUE(checkApplyScale32(int64_t(INT32_MAX) + 1, 1 << 30, 40));
  EXPECT_FALSE(checkScale16(32767, 2));
  EXPECT_TRUE(checkScale16(32768, 30));
  EXPECT_TRUE(checkScale16(-1, 30));
  EXPECT_TRUE(checkScale16(1 << 14, 63));
}

// A multiplier from quantizeMultiplier applied with single rounding is the
// real product correctly rounded up to the multiplier's error: within
// 1/2 + |x| * 2^-shift / 2 of x * m.
TEST(QuantApplyScale32, WithQuantizedMultiplier) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> logm(-20.0, 0.0);
  for (int i = 0; i < 20000; ++i) {
    double m = std::exp2(logm(rng));
    ScaleMultiplier sm = *quantizeMultiplier(m);
    int32_t x = randomValue(rng);
    double exact = static_cast<double>(x) * m;
    double bound = 0.5 + std::fabs(static_cast<double>(x)) *
                             std::ldexp(0.5, -sm.shift) +
                   1e-6;
    ASSERT_LE(std::fabs(applyScale32(x, sm.multiplier, sm.shift) - exact),
              bound)
        << "x=" << x << " m=" << m;
  }
}

TEST(QuantApplyScale16, RandomAgainstSpecFormula) {
  std::mt19937_64 rng(16);
  const int64_t int48Max = (int64_t(1) << 47) - 1;
  int valid = 0;
  for (int i = 0; i < 200000; ++i) {
    int64_t v;
    switch (rng() % 3) {
    case 0:
      v = static_cast<int64_t>(rng() % 2049) - 1024;
      break;
    case 1:
      v = static_cast<int32_t>(static_cast<uint32_t>(rng()));
      break;
    default:
      v = static_cast<int64_t>(rng() % (uint64_t(1) << 48)) -
          (int64_t(1) << 47);
    }
    int16_t m = static_cast<int16_t>(rng() % 32768);
    int s = 2 + static_cast<int>(rng() % 61);
    int32_t got = applyScale16(v, m, s);
    i128 exact = specFormula128(v, m, s, false);
    ASSERT_EQ(got, satInt32(exact)) << "v=" << v << " m=" << m << " s=" << s;
    ASSERT_EQ(static_cast<i128>(got),
              std::clamp<i128>(roundHalfUpExact(v, m, s), INT32_MIN,
                               INT32_MAX));
    bool fits = exact >= INT32_MIN && exact <= INT32_MAX;
    EXPECT_EQ(!checkApplyScale16(v, m, s), fits);
    valid += fits;
  }
  EXPECT_GT(valid, 50000);
  // Scale 1.0 (TOSA): multiplier 1 << 14, shift 14.
  for (int64_t v : {int64_t(INT32_MIN), int64_t(-1), int64_t(0),
                    int64_t(INT32_MAX)})
    EXPECT_EQ(applyScale16(v, 1 << 14, 14), v);
  // int48 extremes.
  EXPECT_EQ(applyScale16(int48Max, 1 << 14, 14), INT32_MAX); // saturated
  EXPECT_TRUE(checkApplyScale16(int48Max, 1 << 14, 14));
  EXPECT_EQ(applyScale16(-int48Max - 1, 32767, 62), -1);
  EXPECT_FALSE(checkApplyScale16(-int48Max - 1, 32767, 62));
  EXPECT_TRUE(checkApplyScale16(int48Max + 1, 1, 30));
  // Ties round half up.
  EXPECT_EQ(applyScale16(1, 1 << 14, 15), 1);
  EXPECT_EQ(applyScale16(-1, 1 << 14, 15), 0);
  EXPECT_EQ(applyScale16(-3, 1 << 14, 15), -1);
}
