//===- VectorUnitTest.cpp - core/kernels/VectorUnit: hand values, TOSA ----===//
//
// The vector-unit kernels compose core/quant and the TOSA kernels; these
// tests pin hand-computed values and check that the special cases reduce to
// the TOSA kernels exactly (avg pool without count_include_pad, int8 table).
//
//===----------------------------------------------------------------------===//
#include "core/kernels/VectorUnit.h"
#include "core/quant/Table.h"
#include "core/kernels/Elementwise.h"
#include "core/kernels/Pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace tessera;
using namespace tessera::kernels;

namespace {
Pool2DParams pool(int64_t h, int64_t w, int64_t c, int64_t k, int64_t s,
                  int64_t pad) {
  Pool2DParams p;
  p.inH = h, p.inW = w, p.channels = c;
  p.kernelH = p.kernelW = k;
  p.strideH = p.strideW = s;
  p.padTop = p.padBottom = p.padLeft = p.padRight = pad;
  p.outH = (h + 2 * pad - k) / s + 1;
  p.outW = (w + 2 * pad - k) / s + 1;
  return p;
}
} // namespace

// The ISA's output stage saturate(clamp(v)): a clamp range outside int8
// still saturates: clamp(300, 200, 400) = 300 -> 127; clamp(-300, -400,
// -200) = -300 -> -128.
TEST(VectorUnit, ClampThenSaturate) {
  EXPECT_EQ(clampSaturate(300, 200, 400, quant::DType::Int8), 127);
  EXPECT_EQ(clampSaturate(-300, -400, -200, quant::DType::Int8), -128);
  EXPECT_EQ(clampSaturate(50, 0, 6, quant::DType::UInt8), 6);
  EXPECT_EQ(saturateInt32(int64_t(1) << 40), INT32_MAX);
}

// Max pool 2x2 of [1 5; 7 20] with in_zp 10, out_zp -5: 20 - 10 - 5 = 5.
TEST(VectorUnit, MaxPoolChangesZeroPoint) {
  std::vector<int8_t> in = {1, 5, 7, 20};
  int8_t out = 0;
  PoolQuant q;
  q.inputZp = 10;
  q.outputZp = -5;
  maxPool2dQuant<int8_t, int8_t>(pool(2, 2, 1, 2, 2, 0), q, in.data(), &out);
  EXPECT_EQ(out, 5);
}

// Global average of [1, 2, 3, 4] with the folded 1/4: quantizeMultiplier
// (0.25) = (2^30, 32); applyScale32(10, 2^30, 32) = (10 * 2^30 + 2^31) >> 32
// = 3 (2.5 rounds up); + out_zp 1 = 4.
TEST(VectorUnit, AvgPoolCountIncludePad) {
  std::vector<uint8_t> in = {1, 2, 3, 4};
  uint8_t out = 0;
  PoolQuant q;
  q.countIncludePad = true;
  auto m = quant::quantizeMultiplier(0.25);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->multiplier, 1 << 30);
  EXPECT_EQ(m->shift, 32);
  q.multiplier = m->multiplier;
  q.shift = m->shift;
  q.outputZp = 1;
  avgPool2dQuant<uint8_t, uint8_t>(pool(2, 2, 1, 2, 2, 0), q, in.data(), &out);
  EXPECT_EQ(out, 4);
}

// Padding counts with count_include_pad: a 3x3 window at the corner of a
// 2x2 input of 9s (pad 1) sums 4 x 9 = 36; x 1/9 -> 4; TOSA semantics
// (count 4) would give 9.
TEST(VectorUnit, AvgPoolPaddingCounted) {
  std::vector<int8_t> in = {9, 9, 9, 9};
  Pool2DParams p = pool(2, 2, 1, 3, 1, 1); // 2x2 output
  std::vector<int8_t> out(4), tosa(4);
  PoolQuant q;
  q.countIncludePad = true;
  auto m = quant::quantizeMultiplier(1.0 / 9.0);
  q.multiplier = m->multiplier;
  q.shift = m->shift;
  avgPool2dQuant<int8_t, int8_t>(p, q, in.data(), out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{4, 4, 4, 4}));
  avgPool2dQuant<int8_t, int8_t>(p, PoolQuant{}, in.data(), tosa.data());
  EXPECT_EQ(tosa, (std::vector<int8_t>{9, 9, 9, 9}));
}

// Per-count scaling (cip = 0, mult != 0): a 3x3 window with pad 1 on a 3x3
// input averages 4 values at the corners, 6 on the edges, 9 in the centre,
// and the ratio of scales 1.5 = (3 * 2^29, 30) is applied with one rounding:
// multipliers 402653184 (n = 4), 268435456 (n = 6), 178956971 (n = 9).
// Input [1 2 0; 0 0 0; 0 0 0], out_zp 3:
//   (0,0) sum 3, n 4: 1.125 -> 1;  (0,1) sum 3, n 6: 0.75 -> 1;
//   (0,2) sum 2, n 4: 0.75 -> 1;   (1,0) sum 3, n 6: 0.75 -> 1;
//   (1,1) sum 3, n 9: 0.5 (+ 2^-31) -> 1;  (1,2) sum 2, n 6: 0.5 -> 1;
//   row 2: 0.
// Two roundings (average to an integer, then times 1.5) would give 2 at
// (0,0), (0,1), (1,0) and 0 at (1,1).
TEST(VectorUnit, AvgPoolPerCountRoundsOnce) {
  std::vector<int8_t> in = {1, 2, 0, 0, 0, 0, 0, 0, 0}, out(9);
  PoolQuant q;
  auto m = quant::quantizeMultiplier(1.5);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->multiplier, 1610612736);
  EXPECT_EQ(m->shift, 30);
  q.multiplier = m->multiplier;
  q.shift = m->shift;
  q.outputZp = 3;
  avgPool2dQuant<int8_t, int8_t>(pool(3, 3, 1, 3, 1, 1), q, in.data(),
                                 out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{4, 4, 4, 4, 4, 4, 3, 3, 3}));
  // Ten times the input: (0,0) 30/4 * 1.5 = 11.25 -> 11 (twice: 8 * 1.5
  // = 12); (0,1) 30/6 * 1.5 = 7.5 -> 8; (0,2) 20/4 * 1.5 = 7.5 -> 8;
  // (1,0) 7.5 -> 8; (1,1) 30/9 * 1.5 = 5 -> 5; (1,2) 20/6 * 1.5 = 5 -> 5.
  in = {10, 20, 0, 0, 0, 0, 0, 0, 0};
  q.outputZp = 0;
  avgPool2dQuant<int8_t, int8_t>(pool(3, 3, 1, 3, 1, 1), q, in.data(),
                                 out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{11, 8, 8, 8, 5, 5, 0, 0, 0}));
}

// Without count_include_pad, with In == Out and no clamp, the kernel is
// TOSA AVG_POOL2D (avgPool2d) exactly, on random data with padding.
TEST(VectorUnit, AvgPoolWithoutCipIsTosa) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(-128, 127);
  Pool2DParams p = pool(7, 6, 3, 3, 2, 1);
  p.inputZp = -7;
  p.outputZp = 4;
  std::vector<int8_t> in(7 * 6 * 3);
  for (auto &v : in)
    v = static_cast<int8_t>(d(rng));
  size_t n = size_t(p.outH * p.outW * 3);
  std::vector<int8_t> ours(n), tosa(n);
  PoolQuant q;
  q.inputZp = -7;
  q.outputZp = 4;
  avgPool2dQuant<int8_t, int8_t>(p, q, in.data(), ours.data());
  avgPool2d<int8_t>(p, in.data(), tosa.data());
  EXPECT_EQ(ours, tosa);
}

// add: a' = applyScale32(10, 2^30, 31) = (10 * 2^30 + 2^30) >> 31 = 5,
// b' = applyScale32(20, 2^30, 30) = 20, out = applyScale32(25, 2^30, 30)
// + 3 = 28. left_shift 1 doubles both before scaling: a' = 10, b' = 40,
// and an output scale of 0.5 halves the sum: 25 + 3.
TEST(VectorUnit, QuantisedAdd) {
  QuantBinary q;
  q.aMult = 1 << 30, q.aShift = 31;
  q.bMult = 1 << 30, q.bShift = 30;
  q.outMult = 1 << 30, q.outShift = 30;
  q.outZp = 3;
  EXPECT_EQ(quantBinaryScalar(10, 20, q, quant::DType::Int8), 28);
  q.leftShift = 1;
  q.outShift = 31;
  EXPECT_EQ(quantBinaryScalar(10, 20, q, quant::DType::Int8), 28);
  // Zero points: (12 - 2) and (25 - 5) are the same reals.
  q.aZp = 2, q.bZp = 5;
  EXPECT_EQ(quantBinaryScalar(12, 25, q, quant::DType::Int8), 28);
}

// sub/max/min share the rescale: a' = 5, b' = 20.
TEST(VectorUnit, QuantisedSubMaxMin) {
  QuantBinary q;
  q.aMult = 1 << 30, q.aShift = 31;
  q.bMult = 1 << 30, q.bShift = 30;
  q.outMult = 1 << 30, q.outShift = 30;
  q.func = BinaryFunc::Sub;
  EXPECT_EQ(quantBinaryScalar(10, 20, q, quant::DType::Int8), -15);
  q.func = BinaryFunc::Max;
  EXPECT_EQ(quantBinaryScalar(10, 20, q, quant::DType::Int8), 20);
  q.func = BinaryFunc::Min;
  EXPECT_EQ(quantBinaryScalar(10, 20, q, quant::DType::Int8), 5);
  // Saturation: 100 - (-100) = 200 -> 127 in int8, 200 in int16.
  q.aShift = q.bShift = 30;
  q.func = BinaryFunc::Sub;
  EXPECT_EQ(quantBinaryScalar(100, -100, q, quant::DType::Int8), 127);
  EXPECT_EQ(quantBinaryScalar(100, -100, q, quant::DType::Int16), 200);
}

// mul: (7 - 1) * (-3 - 0) = -18, x 0.5 (2^30, 31): -9, + out_zp 2 = -7;
// clamp [0, 100] (ReLU in the output domain) gives 0.
TEST(VectorUnit, QuantisedMul) {
  QuantBinary q;
  q.func = BinaryFunc::Mul;
  q.aZp = 1;
  q.outMult = 1 << 30, q.outShift = 31;
  q.outZp = 2;
  EXPECT_EQ(quantBinaryScalar(7, -3, q, quant::DType::Int8), -7);
  q.clampMin = 0, q.clampMax = 100;
  EXPECT_EQ(quantBinaryScalar(7, -3, q, quant::DType::Int8), 0);
}

TEST(VectorUnit, BroadcastIndexing) {
  QuantBinary q;
  q.aMult = q.bMult = q.outMult = 1 << 30;
  q.aShift = q.bShift = q.outShift = 30;
  std::vector<int8_t> a = {1, 2, 3, 4, 5, 6}, bc = {10, 20, 30}, bs = {100};
  std::vector<int16_t> out(6);
  quantBinary<int8_t, int8_t, int16_t>(q, a.data(), bc.data(), out.data(), 2, 3,
                                       BinaryBroadcast::Channel);
  EXPECT_EQ(out, (std::vector<int16_t>{11, 22, 33, 14, 25, 36}));
  quantBinary<int8_t, int8_t, int16_t>(q, a.data(), bs.data(), out.data(), 2, 3,
                                       BinaryBroadcast::Scalar);
  EXPECT_EQ(out, (std::vector<int16_t>{101, 102, 103, 104, 105, 106}));
}

// Per-channel rescale of int32 sums from interleaved pairs: channel 0 x 0.5
// (2^30, 31), channel 1 x 0.25 (2^30, 32); 100 -> 50 and 100 -> 25, + zp 1.
TEST(VectorUnit, PerChannelRescale) {
  std::vector<int32_t> a = {100, 100, -100, -100};
  std::vector<int32_t> pairs = {1 << 30, 31, 1 << 30, 32};
  std::vector<int8_t> out(4);
  QuantRescale q;
  q.pairs = pairs.data();
  q.outZp = 1;
  quantRescale<int32_t, int8_t>(q, a.data(), out.data(), 2, 2);
  // -100 x 0.5 = -50; -100 x 0.25 = -25 (exact, no rounding).
  EXPECT_EQ(out, (std::vector<int8_t>{51, 26, -49, -24}));
  // One pair for all channels and a uint8 output that saturates.
  q.pairs = nullptr;
  q.multiplier = 1 << 30, q.shift = 28; // x 4
  std::vector<uint8_t> u(4);
  quantRescale<int32_t, uint8_t>(q, a.data(), u.data(), 2, 2);
  EXPECT_EQ(u, (std::vector<uint8_t>{255, 255, 0, 0}));
}

// The int8 table lookup is TOSA TABLE (kernels::table): table[a + 128].
TEST(VectorUnit, LookupMatchesTosaTable) {
  std::vector<int8_t> table(256), in(256), ours(256), tosa(256);
  for (int i = 0; i < 256; ++i) {
    table[i] = static_cast<int8_t>((i * 37) & 0xff);
    in[i] = static_cast<int8_t>(i - 128);
  }
  lookup256<int8_t, int8_t>(in.data(), table.data(), ours.data(), 256,
                            INT32_MIN, INT32_MAX);
  kernels::table(in.data(), tosa.data(), 256, table.data());
  EXPECT_EQ(ours, tosa);
  // uint8 input indexes from 0: table[5] = 5 * 37 = 185 -> as int8 -71.
  std::vector<uint8_t> uin = {5};
  int8_t o = 0;
  lookup256<uint8_t, int8_t>(uin.data(), table.data(), &o, 1, INT32_MIN,
                             INT32_MAX);
  EXPECT_EQ(o, -71);
}

// log2Q16: exact at powers of two; otherwise at most a few 2^-16 below the
// real log2 (each of the 16 squarings truncates).
TEST(VectorUnit, Log2Q16) {
  EXPECT_EQ(log2Q16(1), 0);
  EXPECT_EQ(log2Q16(2), 65536);
  EXPECT_EQ(log2Q16(32768), 15 * 65536);
  EXPECT_EQ(log2Q16(0x80000000u), 31 * 65536);
  for (uint32_t v : {3u, 5u, 10u, 61440u, 1000000u, 2147483647u}) {
    double exact = std::log2(static_cast<double>(v)) * 65536.0;
    int64_t got = log2Q16(v);
    EXPECT_LE(got, static_cast<int64_t>(std::floor(exact))) << v;
    EXPECT_GE(got, static_cast<int64_t>(std::floor(exact)) - 4) << v;
  }
}

// The row of tests/lit/tessera-fold-to-integer/softmax.mlir by hand: input
// scale ln 2, so table[d] = 2^(15 - d); q = [0, -1, -2, -3] gives e =
// 32768, 16384, 8192, 4096, sum 61440 and softmax 8/15, 4/15, 2/15, 1/15:
// at scale 1/256, zp -128: 136.53, 68.27, 34.13, 17.07 -> 9, -60, -94, -111.
// LogSoftmax at scale 1/16, zp 127: -10.06, -21.15, -32.24, -43.33 ->
// 117, 106, 95, 84. Along the outer axis (inner = 2) each column is a row.
TEST(VectorUnit, SoftmaxHandValues) {
  std::vector<int32_t> table(256, 0);
  for (int d = 0; d <= 15; ++d)
    table[d] = 1 << (15 - d);
  QuantSoftmax q;
  q.expTable = table.data();
  q.multiplier = 1 << 30;
  q.shift = 53; // 2^-23 = 2^-31 / (1/256)
  q.outZp = -128;
  q.clampMin = -128;
  q.clampMax = 127;
  std::vector<int8_t> in = {0, -1, -2, -3}, out(4);
  quantSoftmax<int8_t, int8_t>(q, in.data(), out.data(), 1, 4, 1);
  EXPECT_EQ(out, (std::vector<int8_t>{9, -60, -94, -111}));

  QuantSoftmax l = q;
  l.log = true;
  l.inMult = l.logMult = 726817; // round(ln 2 * 16 * 2^16)
  l.outZp = 127;
  quantSoftmax<int8_t, int8_t>(l, in.data(), out.data(), 1, 4, 1);
  EXPECT_EQ(out, (std::vector<int8_t>{117, 106, 95, 84}));

  // [[0, 5], [-1, 5]] along axis 0 with zp irrelevant (d only): column 0 is
  // [2/3, 1/3] -> 170.67 -> 43, 85.33 -> -43; column 1 is [1/2, 1/2] -> 0.
  std::vector<int8_t> cols = {0, 5, -1, 5}, colOut(4);
  quantSoftmax<int8_t, int8_t>(q, cols.data(), colOut.data(), 1, 2, 2);
  EXPECT_EQ(colOut, (std::vector<int8_t>{43, 0, -43, 0}));

  // A row of one element is probability 1: 256 - 128 saturates to 127.
  int8_t one = 17, oneOut = 0;
  quantSoftmax<int8_t, int8_t>(q, &one, &oneOut, 1, 1, 1);
  EXPECT_EQ(oneOut, 127);
}

// Layer normalisation by hand. Row [1, 2, 3, 4] (any scale, any zero point):
// mean 2.5, deviations [-1.5, -0.5, 0.5, 1.5], variance 1.25, so with eps = 0
// y = [-3, -1, 1, 3] / sqrt(5) = -1.3416, -0.4472, 0.4472, 1.3416; at output
// scale 1/64: -85.87, -28.62, 28.62, 85.87 -> -86, -29, 29, 86.
// With input scale 0.5 and eps 0.25: real deviations [-0.75, .., 0.75],
// variance 0.3125, + 0.25 = 0.5625 = 0.75^2, y = [-1, -1/3, 1/3, 1] ->
// -64, -21.33, 21.33, 64, plus zero point 10: -54, -11, 31, 74.
// (multiplier, shift) = sqrt(4) / (1/64) * 2^-31 = 2^-24 = (2^30, 54);
// eps n^3 / s_in^2 = 0.25 * 64 / 0.25 = 64.
TEST(VectorUnit, LayerNormHandValues) {
  std::optional<quant::LayerNormParams> p =
      quant::buildLayerNormParams(0.5, 1.0 / 64, 4, 0.0, nullptr);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->multiplier, 1 << 30);
  EXPECT_EQ(p->shift, 54);
  EXPECT_EQ(p->epsMant, 0);
  QuantLayerNorm q;
  q.multiplier = p->multiplier;
  q.shift = p->shift;
  q.clampMin = -128;
  q.clampMax = 127;
  std::vector<int8_t> in = {1, 2, 3, 4}, out(4);
  quantLayerNorm<int8_t, int8_t>(q, in.data(), out.data(), 1, 4, 1);
  EXPECT_EQ(out, (std::vector<int8_t>{-86, -29, 29, 86}));
  // Shifted by a constant (another zero point): the same output.
  std::vector<int8_t> shifted = {-101, -100, -99, -98};
  quantLayerNorm<int8_t, int8_t>(q, shifted.data(), out.data(), 1, 4, 1);
  EXPECT_EQ(out, (std::vector<int8_t>{-86, -29, 29, 86}));

  p = quant::buildLayerNormParams(0.5, 1.0 / 64, 4, 0.25, nullptr);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->epsMant, 64);
  EXPECT_EQ(p->epsShift, 0);
  q.epsMant = p->epsMant;
  q.epsShift = p->epsShift;
  q.outZp = 10;
  quantLayerNorm<int8_t, int8_t>(q, in.data(), out.data(), 1, 4, 1);
  EXPECT_EQ(out, (std::vector<int8_t>{-54, -11, 31, 74}));

  // Along the outer axis (inner = 2): column 0 is [1, 2, 3, 4] as above,
  // column 1 constant (all deviations 0): the zero point.
  QuantLayerNorm c;
  c.multiplier = 1 << 30;
  c.shift = 54;
  c.clampMin = -128;
  c.clampMax = 127;
  std::vector<int8_t> cols = {1, 7, 2, 7, 3, 7, 4, 7}, colOut(8);
  quantLayerNorm<int8_t, int8_t>(c, cols.data(), colOut.data(), 1, 4, 2);
  EXPECT_EQ(colOut, (std::vector<int8_t>{-86, 0, -29, 0, 29, 0, 86, 0}));

  // Output scale 1/128: 171.7 saturates to 127, -171.7 to -128.
  c.shift = 53;
  quantLayerNorm<int8_t, int8_t>(c, in.data(), out.data(), 1, 4, 1);
  EXPECT_EQ(out, (std::vector<int8_t>{-128, -57, 57, 127}));
}

TEST(VectorUnit, Isqrt64) {
  EXPECT_EQ(isqrt64(0), 0u);
  EXPECT_EQ(isqrt64(1), 1u);
  EXPECT_EQ(isqrt64(15), 3u);
  EXPECT_EQ(isqrt64(16), 4u);
  EXPECT_EQ(isqrt64((uint64_t(1) << 62) - 1), (uint64_t(1) << 31) - 1);
  EXPECT_EQ(isqrt64(uint64_t(1) << 62), uint64_t(1) << 31);
  EXPECT_EQ(isqrt64(~uint64_t(0)), 4294967295u);
}
