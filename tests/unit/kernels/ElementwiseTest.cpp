//===- ElementwiseTest.cpp - Integer elementwise kernels: hand values -----===//

#include "core/kernels/Elementwise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace tessera::kernels;

TEST(Clamp, Int8Relu6Range) {
  std::vector<int8_t> in = {-128, -3, 0, 5, 60, 127}, out(6);
  clamp<int8_t>(in.data(), out.data(), 6, -3, 57);
  EXPECT_EQ(out, (std::vector<int8_t>{-3, -3, 0, 5, 57, 57}));
}

TEST(Add, BroadcastsAndSaturates) {
  BroadcastShapes s{{2, 3}, {2, 3}, {1, 3}};
  ASSERT_FALSE(checkBroadcast(s).has_value());
  std::vector<int32_t> a = {1, 2, 3, INT32_MAX, 0, INT32_MIN};
  std::vector<int32_t> b = {10, 20, -1};
  std::vector<int32_t> out(6);
  add(s, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{11, 22, 2, INT32_MAX, 20, INT32_MIN}));
  sub(s, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{-9, -18, 4, INT32_MAX - 10, -20,
                                       INT32_MIN + 1}));
}

TEST(MaxMin, Broadcasts) {
  BroadcastShapes s{{2, 3}, {2, 3}, {1, 3}};
  std::vector<int32_t> a = {1, 25, -3, INT32_MAX, 0, INT32_MIN};
  std::vector<int32_t> b = {10, 20, -1};
  std::vector<int32_t> out(6);
  maximum(s, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{10, 25, -1, INT32_MAX, 20, -1}));
  minimum(s, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{1, 20, -3, 10, 0, INT32_MIN}));
}

TEST(Broadcast, BothOperandsBroadcast) {
  BroadcastShapes s{{2, 1, 3}, {2, 1, 1}, {1, 1, 3}};
  std::vector<int32_t> a = {100, 200}, b = {1, 2, 3}, out(6);
  add(s, a.data(), b.data(), out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{101, 102, 103, 201, 202, 203}));
  BroadcastShapes bad{{2, 3}, {2, 2}, {2, 3}};
  EXPECT_TRUE(checkBroadcast(bad).has_value());
  BroadcastShapes scalar{{}, {}, {}};
  int32_t x = 4, y = 5, z = 0;
  add(scalar, &x, &y, &z);
  EXPECT_EQ(z, 9);
}

// MUL with shift: (a*b + 2^(shift-1)) >> shift. 3*5 = 15 -> 7.5 -> 8;
// -3*5 -> -7.5 -> -7 (floor after adding the half).
TEST(Mul, ShiftRoundsHalfUp) {
  EXPECT_EQ(mulShift32(3, 5, 1), 8);
  EXPECT_EQ(mulShift32(-3, 5, 1), -7);
  EXPECT_EQ(mulShift32(1 << 20, 1 << 20, 10), 1 << 30);
  EXPECT_EQ(mulShift32(INT32_MAX, INT32_MAX, 1), INT32_MAX); // saturates
  // shift 0: low 32 bits of the product (TOSA).
  EXPECT_EQ(mulShift32(65536, 65536, 0), 0);
  BroadcastShapes s{{3}, {3}, {1}};
  std::vector<int8_t> a = {-128, 2, 127}, b = {-128};
  std::vector<int32_t> out(3);
  mul<int8_t>(s, a.data(), b.data(), 0, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{16384, -256, -16256}));
}

TEST(Table, Int8IndexesWithOffset128) {
  std::vector<int8_t> tbl(256);
  for (int i = 0; i < 256; ++i)
    tbl[i] = static_cast<int8_t>(127 - i / 2);
  std::vector<int8_t> in = {-128, -1, 0, 127}, out(4);
  table(in.data(), out.data(), 4, tbl.data());
  // indices 0, 127, 128, 255
  EXPECT_EQ(out, (std::vector<int8_t>{127, 64, 63, 0}));
}

// int16 TABLE: index = (v + 32768) >> 7, fraction = v & 127,
// out = (table[i] << 7) + (table[i+1] - table[i]) * fraction.
TEST(Table, Int16Interpolates) {
  std::vector<int16_t> tbl(513);
  for (int i = 0; i < 513; ++i)
    tbl[i] = static_cast<int16_t>(i * 10);
  std::vector<int16_t> in = {0, 64, -32768, 32767};
  std::vector<int32_t> out(4);
  table(in.data(), out.data(), 4, tbl.data());
  EXPECT_EQ(out[0], 2560 * 128);           // index 256
  EXPECT_EQ(out[1], 2560 * 128 + 10 * 64); // half way to 2570
  EXPECT_EQ(out[2], 0);
  EXPECT_EQ(out[3], 5110 * 128 + 10 * 127); // index 511, fraction 127
}

TEST(Cast, IntegerTruncatesFloatRoundsHalfEvenAndClips) {
  std::vector<int32_t> i32 = {300, -129, 127};
  std::vector<int8_t> i8(3);
  cast(i32.data(), i8.data(), 3);
  EXPECT_EQ(i8, (std::vector<int8_t>{44, 127, 127})); // wrap, not saturate
  std::vector<float> f = {2.5f, 3.5f, -2.5f, 1e10f, -1e10f, NAN};
  std::vector<int8_t> q(f.size());
  cast(f.data(), q.data(), f.size());
  EXPECT_EQ(q, (std::vector<int8_t>{2, 4, -2, 127, -128, 0}));
  std::vector<uint8_t> u = {255, 0};
  std::vector<int32_t> w(2);
  cast(u.data(), w.data(), 2);
  EXPECT_EQ(w, (std::vector<int32_t>{255, 0})); // zero-extended
  std::vector<int8_t> s = {-1, 0};
  bool b[2];
  cast(s.data(), b, 2);
  EXPECT_TRUE(b[0]);
  EXPECT_FALSE(b[1]);
  std::vector<float> back(3);
  cast(i32.data(), back.data(), 3);
  EXPECT_EQ(back, (std::vector<float>{300.f, -129.f, 127.f}));
}

TEST(Concat, InterleavesAlongAxis) {
  // [2, 1, 2] ++ [2, 2, 2] along axis 1 -> [2, 3, 2]; outer 2, inner 2.
  std::vector<int8_t> a = {1, 2, 3, 4};
  std::vector<int8_t> b = {10, 11, 12, 13, 20, 21, 22, 23};
  std::vector<int8_t> out(12);
  const void *ins[2] = {a.data(), b.data()};
  int64_t sizes[2] = {1, 2};
  concat(ins, sizes, 2, 2, 2, 1, out.data());
  EXPECT_EQ(out,
            (std::vector<int8_t>{1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23}));
}

TEST(ReduceSum, MiddleAxisInOrderAndSaturating) {
  // [2, 3, 2] summed over axis 1: [[1+3+5, 2+4+6], [7+9+11, 8+10+12]].
  std::vector<int32_t> in = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<int32_t> out(4);
  reduceSum(in.data(), 2, 3, 2, out.data());
  EXPECT_EQ(out, (std::vector<int32_t>{9, 12, 27, 30}));
  // apply_add_s at every step: INT32_MAX + 1 stays INT32_MAX, then - 5.
  std::vector<int32_t> big = {INT32_MAX, 1, -5};
  int32_t sum = 0;
  reduceSum(big.data(), 1, 3, 1, &sum);
  EXPECT_EQ(sum, INT32_MAX - 5);
}
