//===- FloatMathTest.cpp - libmvec-based exp/tanh/sigmoid against double --===//
//
// The oracle is the C library's double-precision exp/tanh, rounded to float:
// every f32 result must lie within a few units in the last place of it,
// on a dense sweep over the range where the functions are not saturated,
// plus the special values. Also: an element's result does not depend on
// where it sits in the array (the tail goes through the same vector code).
// Each test runs for the SSE and the AVX2 variant (setMathIsaForTesting).
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/FloatKernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <vector>

using namespace tessera::reference::detail::fp;

namespace {

// Measured with libmvec on x86-64 and allowed: exp 2 ulp with the AVX2
// variant, 3 with the SSE one (both near the bottom of the normal range,
// x = -87.0 and -82.1; 1 elsewhere), tanh 1 ulp, sigmoid 3 ulp. Sigmoid's 3
// is the formula's own: 1 / (1 + exp(-x)) in float with a correctly
// rounded exp is also 3 ulp off at x = -74.88 (numpy float32), from the
// rounding of 1 + e and of the division.
constexpr int64_t kExpUlp = 3, kTanhUlp = 1, kSigmoidUlp = 3;

/// Distance in representable floats between a and b (same sign assumed
/// near zero is handled by the ordered-integer mapping).
int64_t ulpDistance(float a, float b) {
  auto ordered = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
  };
  return std::llabs(ordered(a) - ordered(b));
}

std::vector<float> sweep(float lo, float hi, int n) {
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i)
    x[i] = lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(n - 1);
  return x;
}

template <typename Kernel, typename Oracle>
int64_t worstUlp(Kernel kernel, Oracle oracle, const std::vector<float> &x) {
  std::vector<float> y(x.size());
  kernel(x.data(), y.data(), static_cast<int64_t>(x.size()));
  int64_t worst = 0;
  float at = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float want = static_cast<float>(oracle(static_cast<double>(x[i])));
    if (ulpDistance(y[i], want) > worst) {
      worst = ulpDistance(y[i], want);
      at = x[i];
    }
  }
  std::cout << "worst: " << worst << " ulp at x = " << at << "\n";
  return worst;
}

/// Runs the test body once per libmvec variant this CPU can run (SSE
/// always, AVX2 where present), then goes back to the CPU's choice.
class FloatMath : public ::testing::TestWithParam<MathIsa> {
protected:
  void SetUp() override {
    if (!setMathIsaForTesting(GetParam()))
      GTEST_SKIP() << "this CPU or build cannot run that variant";
  }
  void TearDown() override { setMathIsaForTesting(MathIsa::Auto); }
};

INSTANTIATE_TEST_SUITE_P(Isa, FloatMath,
                         ::testing::Values(MathIsa::Sse, MathIsa::Avx2),
                         [](const auto &info) {
                           return info.param == MathIsa::Sse ? "SSE" : "AVX2";
                         });

TEST_P(FloatMath, ExpWithinThreeUlpOfDouble) {
  // exp overflows float above ~88.7 and goes subnormal below ~-87.3.
  auto x = sweep(-87.0f, 88.0f, 200003);
  EXPECT_LE(worstUlp(expArray, [](double v) { return std::exp(v); }, x),
            kExpUlp);
}

TEST_P(FloatMath, TanhWithinOneUlpOfDouble) {
  auto x = sweep(-10.0f, 10.0f, 200003);
  EXPECT_LE(worstUlp(tanhArray, [](double v) { return std::tanh(v); }, x),
            kTanhUlp);
}

TEST_P(FloatMath, SigmoidWithinThreeUlpOfDouble) {
  auto x = sweep(-80.0f, 20.0f, 200003);
  EXPECT_LE(worstUlp(sigmoidArray,
                     [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, x),
            kSigmoidUlp);
}

TEST_P(FloatMath, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {0.0f, -0.0f, inf, -inf, nan, 100.0f, -100.0f};
  std::vector<float> e(x.size()), s(x.size()), t(x.size());
  expArray(x.data(), e.data(), 7);
  sigmoidArray(x.data(), s.data(), 7);
  tanhArray(x.data(), t.data(), 7);
  EXPECT_EQ(e[0], 1.0f);
  EXPECT_EQ(e[2], inf);
  EXPECT_EQ(e[3], 0.0f);
  EXPECT_TRUE(std::isnan(e[4]));
  EXPECT_EQ(e[5], inf); // exp(100) overflows float
  EXPECT_EQ(s[0], 0.5f);
  EXPECT_EQ(s[2], 1.0f);
  EXPECT_EQ(s[3], 0.0f); // 1 / (1 + inf)
  EXPECT_TRUE(std::isnan(s[4]));
  EXPECT_EQ(s[5], 1.0f);
  EXPECT_EQ(s[6], 0.0f);
  EXPECT_EQ(t[2], 1.0f);
  EXPECT_EQ(t[3], -1.0f);
  EXPECT_TRUE(std::isnan(t[4]));
}

TEST_P(FloatMath, ResultDoesNotDependOnPosition) {
  // Every length from 1 to 40 and every offset: same value as the whole
  // array's call at that element.
  auto x = sweep(-6.0f, 6.0f, 47);
  std::vector<float> whole(x.size());
  sigmoidArray(x.data(), whole.data(), static_cast<int64_t>(x.size()));
  for (size_t off = 0; off < 7; ++off)
    for (size_t len = 1; off + len <= 40; ++len) {
      std::vector<float> part(len);
      sigmoidArray(x.data() + off, part.data(), static_cast<int64_t>(len));
      for (size_t i = 0; i < len; ++i)
        ASSERT_EQ(part[i], whole[off + i]) << "offset " << off << " length "
                                           << len << " element " << i;
    }
}

} // namespace
