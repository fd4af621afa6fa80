//===- TableTest.cpp - 8-bit tables of sigmoid / tanh / exp ---------------===//
//
// Entries are hand computations (written next to them) or long double
// arithmetic with an explicit round-half-to-even, an oracle independent of
// core/quant's quantizeRange.
//
//===----------------------------------------------------------------------===//
#include "core/quant/Table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace tessera::quant;

namespace {

const TableQuant kIn16{{0.0625, 0}, -128, 127}; // x = q / 16

TEST(Table, SigmoidHandValues) {
  // Output scale 1/256, zp -128: entry = round(256 sigmoid(x)) - 128.
  TableQuant out{{1.0 / 256, -128}, -128, 127};
  std::array<int64_t, 256> t = buildTable8(TableFunction::Sigmoid, kIn16, out);
  EXPECT_EQ(t[0], -128);       // x = -8: 256 * 0.000335 = 0.086 -> 0
  EXPECT_EQ(t[128 - 16], -59); // x = -1: 256 * 0.268941 = 68.85 -> 69
  EXPECT_EQ(t[128], 0);        // x = 0: 128 exactly
  EXPECT_EQ(t[128 + 16], 59);  // x = 1: 256 * 0.731059 = 187.15 -> 187
  EXPECT_EQ(t[255], 127);      // x = 7.9375: 255.91 -> 256, saturated
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end())); // sigmoid is monotonic
}

TEST(Table, RoundsHalfToEven) {
  // Output scale 1: sigmoid(0) = 0.5 is a tie -> 0 (half away gives 1).
  TableQuant in{{1.0, 0}, -128, 127}, out{{1.0, 0}, -128, 127};
  EXPECT_EQ(buildTable8(TableFunction::Sigmoid, in, out)[128], 0);
  // exp(0) = 1 over scale 0.4 is 2.5 (exactly, in double) -> 2.
  TableQuant out2{{0.4, 0}, -128, 127};
  ASSERT_EQ(1.0 / 0.4, 2.5);
  EXPECT_EQ(buildTable8(TableFunction::Exp, in, out2)[128], 2);
}

TEST(Table, TanhAndExpHandValues) {
  TableQuant out{{1.0 / 128, 0}, -128, 127};
  std::array<int64_t, 256> t = buildTable8(TableFunction::Tanh, kIn16, out);
  EXPECT_EQ(t[0], -128);       // 128 tanh(-8) = -127.99997 -> -128
  EXPECT_EQ(t[128 - 16], -97); // 128 tanh(-1) = -97.48
  EXPECT_EQ(t[128], 0);
  EXPECT_EQ(t[128 + 16], 97);
  EXPECT_EQ(t[255], 127); // 127.99996 -> 128, saturated

  // exp, input scale 1/8, output scale 1/4, zp -128 (range [0, 63.75]).
  TableQuant in8{{0.125, 0}, -128, 127}, outE{{0.25, -128}, -128, 127};
  std::array<int64_t, 256> e = buildTable8(TableFunction::Exp, in8, outE);
  EXPECT_EQ(e[0], -128);       // exp(-16) * 4 = 4.5e-7 -> 0
  EXPECT_EQ(e[128 - 8], -127); // exp(-1) * 4 = 1.47 -> 1
  EXPECT_EQ(e[128], -124);     // 4
  EXPECT_EQ(e[128 + 8], -117); // 10.87 -> 11
  EXPECT_EQ(e[128 + 16], -98); // 29.56 -> 30
  EXPECT_EQ(e[255], 127);      // exp(15.875) saturates
}

TEST(Table, UnsignedInputAndRestrictedOutput) {
  // uint8 input (qmin 0, zp 128) is the int8 table of zp 0: entry i holds
  // input value i in both, and dequantize(i, {s, 128}) ==
  // dequantize(i - 128, {s, 0}).
  TableQuant inU8{{0.0625, 128}, 0, 255};
  TableQuant out{{1.0 / 128, 0}, -127, 127}; // restricted output range
  std::array<int64_t, 256> u = buildTable8(TableFunction::Tanh, inU8, out);
  std::array<int64_t, 256> s = buildTable8(TableFunction::Tanh, kIn16, out);
  EXPECT_EQ(u, s);
  EXPECT_EQ(u[0], -127); // -128 saturated to the restricted range
  EXPECT_EQ(u[255], 127);
}

TEST(Table, MatchesLongDoubleOracle) {
  // Asymmetric parameters as onnxruntime chooses them (uint8 activations
  // seen as int8 with zp - 128).
  TableQuant in{{0.0766, -10}, -128, 127}, out{{0.0039215, -128}, -128, 127};
  for (TableFunction f :
       {TableFunction::Sigmoid, TableFunction::Tanh, TableFunction::Exp}) {
    std::array<int64_t, 256> t = buildTable8(f, in, out);
    for (int i = 0; i < 256; ++i) {
      long double x = 0.0766L * static_cast<long double>(i - 128 + 10);
      long double y = f == TableFunction::Sigmoid ? 1.0L / (1.0L + expl(-x))
                      : f == TableFunction::Tanh  ? tanhl(x)
                                                  : expl(x);
      long double v = y / 0.0039215L;
      long double r = nearbyintl(v); // default mode: ties to even
      int64_t expect = std::clamp<int64_t>(
          static_cast<int64_t>(std::min(r, 1e6L)) - 128, -128, 127);
      EXPECT_EQ(t[i], expect) << tableFunctionName(f) << " entry " << i;
    }
  }
}

TEST(Table, Names) {
  EXPECT_EQ(parseTableFunction("sigmoid"), TableFunction::Sigmoid);
  EXPECT_EQ(parseTableFunction("tanh"), TableFunction::Tanh);
  EXPECT_EQ(parseTableFunction("exp"), TableFunction::Exp);
  EXPECT_FALSE(parseTableFunction("relu").has_value());
  EXPECT_STREQ(tableFunctionName(TableFunction::Exp), "exp");
}

} // namespace
