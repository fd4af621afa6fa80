//===- GemmlowpOracleTest.cpp - applyScale32 against gemmlowp/TFLite ------===//
//
// gemmlowp (fixedpoint/fixedpoint.h) and TFLite requantize an int32
// accumulator x with a Q0.31 multiplier M >= 0 and a right shift e in
// [0, 31] as
//     G(x) = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, M), e)
// i.e. in two roundings:
//     h = SRDHM(x, M) = floor(x * M / 2^31 + 1/2)   (ties toward +inf;
//         saturates to INT32_MAX only for x == M == INT32_MIN)
//     G = RDBPOT(h, e) = h / 2^e rounded to nearest, ties away from zero.
// TOSA expresses the same scale as apply_scale_32(x, M, 31 + e, dr):
//     T = floor((x * M + 2^(30+e) [+ sign(x) * 2^30 if dr and e >= 1])
//               / 2^(31+e)).
//
// What this file establishes (and docs/quantization.md explains):
//  1. double_round = true reproduces gemmlowp bit for bit, for every int32 x,
//     every M in [0, 2^31) and every e in [0, 31]. (Proof sketch: with
//     v = x M / 2^31 and n = 2^e, both sides equal floor(v/n + 1/2 + 1/(2n))
//     for x >= 0 and floor(v/n + 1/2 - 1/(2n)) for x < 0.)
//  2. double_round = false (TOSA SINGLE_ROUND) rounds x M / 2^(31+e) once,
//     half up. It equals gemmlowp when e == 0, and for e >= 1 differs from
//     it exactly when the first rounding lands on a tie of the second:
//       h == n/2 (mod n), and either x >= 0 and h > v (SRDHM rounded up onto
//       the tie, RDBPOT rounds up again), or x < 0 and h <= v (SRDHM landed
//       on the tie from above or exactly; RDBPOT rounds away from zero, the
//       single half-up rounding toward +inf).
//     Equivalently, with r = x M mod 2^(31+e) in [0, 2^(31+e)):
//       x >= 0: 2^(30+e) - 2^30 <= r < 2^(30+e)    (G = T + 1)
//       x <  0: 2^(30+e) <= r < 2^(30+e) + 2^30    (G = T - 1)
//     So the difference is always exactly 1 LSB, gemmlowp being the one
//     further from zero, in a window of half a first-stage LSB next to the
//     exact half-way point.
//  3. Scales above 1 (TFLite's left shift l, TOSA shift 31 - l) agree:
//     SRDHM(x * 2^l, M) == apply_scale_32(x, M, 31 - l) whenever x * 2^l
//     fits int32.
//
//===----------------------------------------------------------------------===//
#include "core/quant/Quant.h"

#include <gemmlowp/fixedpoint/fixedpoint.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

using namespace tessera::quant;

namespace {

using i128 = __int128;

int32_t gemmlowpRequantize(int32_t x, int32_t multiplier, int exponent) {
  return gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(x, multiplier), exponent);
}

i128 floorDiv(i128 num, i128 den) {
  i128 q = num / den, r = num % den;
  return (r != 0 && r < 0) ? q - 1 : q;
}

/// Claim 2, as windows of the remainder of x * M modulo 2^(31+e).
bool predictedMismatchByWindow(int32_t x, int32_t m, int e) {
  if (e == 0)
    return false;
  i128 p = i128(x) * m, den = i128(1) << (31 + e);
  i128 r = p - floorDiv(p, den) * den;
  i128 half = i128(1) << (30 + e), w = i128(1) << 30;
  return x >= 0 ? (half - w <= r && r < half) : (half <= r && r < half + w);
}

/// Claim 2, as "the first rounding creates a tie for the second".
bool predictedMismatchByIntermediateTie(int32_t x, int32_t m, int e) {
  if (e == 0)
    return false;
  i128 p = i128(x) * m;
  i128 h = floorDiv(p + (i128(1) << 30), i128(1) << 31); // SRDHM, unsaturated
  i128 n = i128(1) << e;
  i128 hm = h - floorDiv(h, n) * n;
  bool tie = hm == n / 2;
  i128 hScaled = h * (i128(1) << 31); // h in units of x * M
  return tie && (x >= 0 ? hScaled > p : hScaled <= p);
}

struct Case {
  int32_t x, m;
  int e;
};

std::vector<Case> makeCases() {
  std::vector<Case> cases;
  std::mt19937_64 rng(0x6e3a);
  auto randomX = [&]() -> int32_t {
    switch (rng() % 3) {
    case 0:
      return static_cast<int32_t>(static_cast<int64_t>(rng() % 4097) - 2048);
    default:
      return static_cast<int32_t>(static_cast<uint32_t>(rng()));
    }
  };
  auto randomM = [&]() -> int32_t {
    if (rng() % 4 == 0)
      return static_cast<int32_t>(rng() % (uint64_t(1) << 31));
    return static_cast<int32_t>((uint64_t(1) << 30) +
                                rng() % (uint64_t(1) << 30));
  };
  for (int i = 0; i < 300000; ++i) {
    // Small exponents make the mismatch window (probability 2^-(e+1))
    // frequent; the rest cover the whole range.
    int e = i % 2 ? static_cast<int>(rng() % 32)
                  : 1 + static_cast<int>(rng() % 4);
    cases.push_back({randomX(), randomM(), e});
  }
  // Boundary grid.
  const int32_t xs[] = {INT32_MIN,      INT32_MIN + 1, -(1 << 30) - 1,
                        -(1 << 30),     -65536,        -3,
                        -2,             -1,            0,
                        1,              2,             3,
                        65535,          (1 << 30) - 1, 1 << 30,
                        INT32_MAX - 1,  INT32_MAX};
  const int32_t ms[] = {0,         1,         2,          3,
                        1 << 29,   1 << 30,   (1 << 30) + 1, 1610612736,
                        INT32_MAX - 1, INT32_MAX};
  for (int32_t x : xs)
    for (int32_t m : ms)
      for (int e = 0; e <= 31; ++e)
        cases.push_back({x, m, e});
  // Constructed intermediate ties for every e (M = 2^30, v = x / 2):
  // x = 2h - 1 > 0 (SRDHM rounds up onto h) and x = 2h < 0 (exact), for
  // h = +-n/2 and +-3n/2 when they fit.
  for (int e = 1; e <= 31; ++e) {
    int64_t n = int64_t(1) << e;
    for (int64_t h : {n / 2, 3 * n / 2, -n / 2, -3 * n / 2}) {
      for (int64_t x : {2 * h - 1, 2 * h, 2 * h + 1, 2 * h - 2}) {
        if (x < INT32_MIN || x > INT32_MAX)
          continue;
        cases.push_back({static_cast<int32_t>(x), 1 << 30, e});
      }
    }
  }
  return cases;
}

} // namespace

// Claim 1: TOSA DOUBLE_ROUND == gemmlowp, bit for bit.
TEST(QuantGemmlowpOracle, DoubleRoundEqualsGemmlowp) {
  for (const Case &c : makeCases()) {
    ASSERT_EQ(applyScale32(c.x, c.m, 31 + c.e, /*doubleRound=*/true),
              gemmlowpRequantize(c.x, c.m, c.e))
        << "x=" << c.x << " M=" << c.m << " e=" << c.e;
  }
}

// Claim 2: SINGLE_ROUND differs from gemmlowp exactly on the predicted set,
// by exactly one LSB away from zero on gemmlowp's side.
TEST(QuantGemmlowpOracle, SingleRoundDiffersOnlyAtIntermediateTies) {
  std::vector<int> mismatchesPerE(32, 0);
  int predicted = 0;
  for (const Case &c : makeCases()) {
    int32_t g = gemmlowpRequantize(c.x, c.m, c.e);
    int32_t t = applyScale32(c.x, c.m, 31 + c.e, /*doubleRound=*/false);
    bool byWindow = predictedMismatchByWindow(c.x, c.m, c.e);
    ASSERT_EQ(byWindow, predictedMismatchByIntermediateTie(c.x, c.m, c.e))
        << "x=" << c.x << " M=" << c.m << " e=" << c.e;
    ASSERT_EQ(g != t, byWindow)
        << "x=" << c.x << " M=" << c.m << " e=" << c.e << " gemmlowp=" << g
        << " tosa=" << t;
    if (g != t) {
      ASSERT_EQ(int64_t(g) - t, c.x >= 0 ? 1 : -1)
          << "x=" << c.x << " M=" << c.m << " e=" << c.e;
      ++mismatchesPerE[c.e];
    }
    predicted += byWindow;
  }
  // No difference without a second rounding (e == 0, TOSA shift 31).
  EXPECT_EQ(mismatchesPerE[0], 0);
  // ... and the constructed ties make every e >= 1 differ somewhere.
  for (int e = 1; e <= 31; ++e)
    EXPECT_GT(mismatchesPerE[e], 0) << "e=" << e;
  EXPECT_GT(predicted, 1000);
}

TEST(QuantGemmlowpOracle, HandCheckedBoundaries) {
  struct Row {
    int32_t x, m;
    int e;
    int32_t gemmlowp, single;
  } rows[] = {
      // 1 * (2^31 - 1) / 2^32 = 0.4999999998: SRDHM gives 1 (0.99999 -> 1),
      // then 1 / 2 = 0.5 -> 1 (away); single rounding gives 0.
      {1, INT32_MAX, 1, 1, 0},
      {-1, INT32_MAX, 1, -1, 0},
      // 0.25: SRDHM 0.5 -> 1, then 0.5 -> 1. Single: 0.
      {1, 1 << 30, 1, 1, 0},
      // -0.25: SRDHM -0.5 -> 0 (half up). Single: 0.
      {-1, 1 << 30, 1, 0, 0},
      // -0.5 exactly: SRDHM -1 exactly, then -0.5 -> -1 (away); single
      // half up -> 0.
      {-2, 1 << 30, 1, -1, 0},
      // +0.5 exactly: both 1.
      {2, 1 << 30, 1, 1, 1},
      // -0.75: both -1.
      {-3, 1 << 30, 1, -1, -1},
      // e == 0: one rounding only, identical.
      {-1, 1 << 30, 0, 0, 0},
      {1, 1 << 30, 0, 1, 1},
      // e == 31 (TOSA shift 62): INT32_MIN * 2^30 / 2^62 = -0.5.
      {INT32_MIN, 1 << 30, 31, -1, 0},
      {INT32_MAX, INT32_MAX, 31, 1, 1},
      {INT32_MIN, INT32_MAX, 31, -1, -1},
      // x = 2^e - 1 with M = 2^30: v = 2^(e-1) - 1/2 rounds up to the tie
      // 2^(e-1), then up to 1; exactly (2^e - 1) / 2^(e+1) < 1/2 gives 0.
      {INT32_MAX, 1 << 30, 31, 1, 0},
      {(1 << 20) - 1, 1 << 30, 20, 1, 0},
  };
  for (const Row &row : rows) {
    SCOPED_TRACE(testing::Message() << "x=" << row.x << " M=" << row.m
                                    << " e=" << row.e);
    EXPECT_EQ(gemmlowpRequantize(row.x, row.m, row.e), row.gemmlowp);
    EXPECT_EQ(applyScale32(row.x, row.m, 31 + row.e, true), row.gemmlowp);
    EXPECT_EQ(applyScale32(row.x, row.m, 31 + row.e, false), row.single);
  }
}

// SRDHM's only saturation, INT32_MIN * INT32_MIN (= 2^62, i.e. 2^31 after
// the doubling high half), needs M = INT32_MIN < 0, which TOSA forbids
// (REQUIRE multiplier >= 0; checkScale32 rejects it). Tessera's defined
// extension still agrees with gemmlowp there: the exact value 2^(31-e)
// saturates to INT32_MAX for e == 0 and is exact (no saturation) otherwise.
TEST(QuantGemmlowpOracle, DoublingHighMulSaturation) {
  EXPECT_EQ(gemmlowp::SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN),
            INT32_MAX);
  EXPECT_TRUE(checkScale32(INT32_MIN, 31));
  EXPECT_EQ(applyScale32(INT32_MIN, INT32_MIN, 31), INT32_MAX);
  EXPECT_EQ(applyScale32(INT32_MIN, INT32_MIN, 31, true), INT32_MAX);
  for (int e = 1; e <= 31; ++e) {
    int32_t g = gemmlowpRequantize(INT32_MIN, INT32_MIN, e);
    EXPECT_EQ(g, int32_t(1) << (31 - e)) << "e=" << e;
    EXPECT_EQ(applyScale32(INT32_MIN, INT32_MIN, 31 + e, true), g) << e;
    EXPECT_EQ(applyScale32(INT32_MIN, INT32_MIN, 31 + e, false), g) << e;
  }
  // Neighbours do not saturate and agree too.
  EXPECT_EQ(gemmlowp::SaturatingRoundingDoublingHighMul(INT32_MIN,
                                                        INT32_MIN + 1),
            applyScale32(INT32_MIN, INT32_MIN + 1, 31));
}

// Claim 3: scales >= 1. TFLite left-shifts x by l before SRDHM; TOSA uses
// shift 31 - l. Equal whenever x * 2^l fits int32 (TOSA's value REQUIRE,
// [-2^(30-l), 2^(30-l)), is half of that range).
TEST(QuantGemmlowpOracle, LeftShiftMatchesSmallerTosaShift) {
  std::mt19937_64 rng(99);
  for (int l = 1; l <= 29; ++l) {
    int64_t lim = int64_t(1) << (31 - l);
    std::uniform_int_distribution<int64_t> xd(-lim, lim - 1);
    std::uniform_int_distribution<int64_t> md(1 << 30, INT32_MAX);
    for (int i = 0; i < 2000; ++i) {
      int32_t x = static_cast<int32_t>(i < 4 ? (i % 2 ? -lim : lim - 1)
                                             : xd(rng));
      int32_t m = static_cast<int32_t>(md(rng));
      int32_t shifted = static_cast<int32_t>(int64_t(x) * (int64_t(1) << l));
      int32_t g = gemmlowp::SaturatingRoundingDoublingHighMul(shifted, m);
      ASSERT_EQ(applyScale32(x, m, 31 - l, false), g)
          << "x=" << x << " M=" << m << " l=" << l;
      ASSERT_EQ(applyScale32(x, m, 31 - l, true), g);
    }
  }
}
