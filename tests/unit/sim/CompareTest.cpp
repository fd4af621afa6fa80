//===- CompareTest.cpp - core/kernels/Compare: hand values ----------------===//
//
// The comparisons, select and POOL min of the vector unit against values
// computed by hand (the same cases as tests/lit/tessera-sim/select.test and
// tests/lit/tessera-fold-to-integer/compare.mlir), and the comparison's
// operand rescale against the quantized add's (quantBinaryScalar), which it
// must equal.
//
//===----------------------------------------------------------------------===//
#include "core/kernels/Compare.h"

#include <gtest/gtest.h>

#include <vector>

using namespace tessera;
using namespace tessera::kernels;

namespace {
constexpr int32_t kOne = 1 << 30; // multiplier of 1.0 with shift 30
} // namespace

TEST(Compare, Scalar) {
  EXPECT_TRUE(compareScalar(CompareFunc::Greater, 2, 1));
  EXPECT_FALSE(compareScalar(CompareFunc::Greater, 1, 1));
  EXPECT_TRUE(compareScalar(CompareFunc::GreaterEqual, 1, 1));
  EXPECT_FALSE(compareScalar(CompareFunc::GreaterEqual, 0, 1));
  EXPECT_TRUE(compareScalar(CompareFunc::Equal, -3, -3));
  EXPECT_FALSE(compareScalar(CompareFunc::Equal, -3, 3));
}

// TOSA GREATER with broadcasting: [[1, 5], [7, -2]] > [[3]] -> [[F, T], [T, F]].
TEST(Compare, BroadcastInt32) {
  std::vector<int32_t> a = {1, 5, 7, -2}, b = {3};
  BroadcastShapes s{{2, 2}, {2, 2}, {1, 1}};
  bool out[4];
  compare<int32_t>(CompareFunc::Greater, s, a.data(), b.data(), out);
  EXPECT_EQ(std::vector<bool>(out, out + 4),
            (std::vector<bool>{false, true, true, false}));
}

// x at scale 0.5, zp 1: q = [0, 2, 3, 5] is x = [-0.5, 0.5, 1, 2]; x > 0.5
// is q - 1 > floor(0.5 / 0.5) = 1 against the int32 threshold 1 read with
// the identity: [0, 0, 1, 1] (the tie is false).
TEST(Compare, AgainstInt32Threshold) {
  std::vector<int8_t> a = {0, 2, 3, 5}, c(4);
  std::vector<int32_t> t = {1};
  QuantCompare q;
  q.aZp = 1;
  q.aMult = q.bMult = kOne;
  q.aShift = q.bShift = 30;
  quantCompare<int8_t, int32_t>(q, a.data(), t.data(), c.data(), 1, 4,
                                BinaryBroadcast::Scalar);
  EXPECT_EQ(c, (std::vector<int8_t>{0, 0, 1, 1}));
}

// Two tensors on the add's common scale: a at 0.5 ([0.5, 1, 1.5]) and b at
// 0.25 ([0.5, 1.25, 1.25]); twice_max = 1, so a' = q * 2^19 (2^30, 11) and
// b' = q * 2^18 (2^30, 12): b > a = [F, T, F] (0.5 = 0.5 is a tie), b == a
// = [T, F, F], b >= a = [T, T, F].
TEST(Compare, TensorsOnTheAddScale) {
  std::vector<int8_t> b = {2, 5, 5}, a = {1, 2, 3}, c(3);
  QuantCompare q;
  q.aMult = q.bMult = kOne;
  q.aShift = 12; // b is operand A here: b > a
  q.bShift = 11;
  quantCompare<int8_t, int8_t>(q, b.data(), a.data(), c.data(), 1, 3,
                               BinaryBroadcast::None);
  EXPECT_EQ(c, (std::vector<int8_t>{0, 1, 0}));
  q.func = CompareFunc::Equal;
  quantCompare<int8_t, int8_t>(q, b.data(), a.data(), c.data(), 1, 3,
                               BinaryBroadcast::None);
  EXPECT_EQ(c, (std::vector<int8_t>{1, 0, 0}));
  q.func = CompareFunc::GreaterEqual;
  quantCompare<int8_t, int8_t>(q, b.data(), a.data(), c.data(), 1, 3,
                               BinaryBroadcast::None);
  EXPECT_EQ(c, (std::vector<int8_t>{1, 1, 0}));
}

// The operand rescale is the quantized add's: max(a', b') through
// quantBinaryScalar with an identity output rescale equals the operand the
// comparison says is larger, on every int8 pair of two scales.
TEST(Compare, OperandRescaleIsTheAdds) {
  QuantBinary add;
  add.func = BinaryFunc::Max;
  add.aZp = 3;
  add.bZp = -7;
  add.aMult = 1518500250; // an arbitrary ratio of scales
  add.aShift = 20;
  add.bMult = kOne;
  add.bShift = 19;
  add.outMult = kOne;
  add.outShift = 30;
  QuantCompare q;
  q.func = CompareFunc::GreaterEqual;
  q.aZp = add.aZp, q.bZp = add.bZp;
  q.aMult = add.aMult, q.aShift = add.aShift;
  q.bMult = add.bMult, q.bShift = add.bShift;
  QuantBinary aOnly = add, bOnly = add;
  aOnly.func = bOnly.func = BinaryFunc::Add;
  aOnly.bMult = 0; // b' = 0: the sum is a'
  bOnly.aMult = 0;
  for (int a = -128; a < 128; a += 5)
    for (int b = -128; b < 128; b += 3) {
      int8_t x = static_cast<int8_t>(a), y = static_cast<int8_t>(b), c = 0;
      quantCompare<int8_t, int8_t>(q, &x, &y, &c, 1, 1,
                                   BinaryBroadcast::None);
      int64_t as = quantBinaryScalar(a, b, aOnly, quant::DType::Int32);
      int64_t bs = quantBinaryScalar(a, b, bOnly, quant::DType::Int32);
      ASSERT_EQ(c, as >= bs ? 1 : 0) << a << " vs " << b;
    }
}

// Where(c, x, 0.25): x at (0.5, 1) requantized to (0.25, -1) by 2 =
// (2^30, 29): 2 (q - 1) - 1; the constant 0.25 stored at 0.125 (q = 2) by
// 0.5 = (2^30, 31): (2 * 2^30 + 2^30) >> 31 = 1, - 1 = 0.
TEST(Compare, SelectRequantizesBothOperands) {
  std::vector<int8_t> cond = {0, 0, 1, 1}, x = {0, 2, 3, 5}, y = {2}, out(4);
  QuantSelect q;
  q.aZp = 1;
  q.aMult = kOne;
  q.aShift = 29;
  q.bMult = kOne;
  q.bShift = 31;
  q.outZp = -1;
  quantSelect<int8_t, int8_t, int8_t>(q, cond.data(), x.data(), y.data(),
                                      out.data(), 1, 4,
                                      BinaryBroadcast::Scalar);
  EXPECT_EQ(out, (std::vector<int8_t>{0, 0, 3, 7}));
  // The output stage clamps the picked value: [-127, 127] for a restricted
  // range, and 2 (100 - 1) - 1 = 197 saturates.
  q.clampMin = -127;
  q.clampMax = 127;
  std::vector<int8_t> big = {100, 100, 100, 100};
  quantSelect<int8_t, int8_t, int8_t>(q, cond.data(), big.data(), y.data(),
                                      out.data(), 1, 4,
                                      BinaryBroadcast::Scalar);
  EXPECT_EQ(out, (std::vector<int8_t>{0, 0, 127, 127}));
}

// POOL min over a 1 x 3 window of rows [1, 7, -3] and [0, -5, -2] with
// in_zp 2, out_zp -1: -3 - 2 - 1 = -6 and -5 - 2 - 1 = -8.
TEST(Compare, MinPool) {
  Pool2DParams p;
  p.inH = 2, p.inW = 3, p.channels = 1;
  p.kernelH = 1, p.kernelW = 3;
  p.outH = 2, p.outW = 1;
  std::vector<int8_t> in = {1, 7, -3, 0, -5, -2}, out(2);
  PoolQuant q;
  q.inputZp = 2;
  q.outputZp = -1;
  minPool2dQuant<int8_t, int8_t>(p, q, in.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{-6, -8}));
}
