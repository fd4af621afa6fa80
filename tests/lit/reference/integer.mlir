// Integer reference executor on hand-computed cases (core/kernels).
// RUN: tessera-run %s --function conv_rescale --print | FileCheck %s --check-prefix=CONV
// RUN: tessera-run %s --function rounding --print | FileCheck %s --check-prefix=ROUND
// RUN: tessera-run %s --function avg_pool --print | FileCheck %s --check-prefix=AVG
// RUN: tessera-run %s --function table_clamp --print | FileCheck %s --check-prefix=TABLE
// RUN: tessera-run %s --function quant_types --print | FileCheck %s --check-prefix=QUANT
// RUN: tessera-run %s --function global_sum --print | FileCheck %s --check-prefix=GSUM

// Input 1..9 with zero point 1 (so 0..8), weights [1 2 1; 0 1 0; -1 0 2],
// bias 5, pad 1. E.g. the centre: 0+2+2+0+4+0-6+0+16 = 18, + 5 = 23; the
// corner (0,0) sees [0 1; 3 4] under [1 0; 0 2]: 8 + 5 = 13. Then RESCALE by
// 0.5 (2^30 >> 31, ties up) with output zero point -1: 13 -> 7 - 1 = 6,
// 3 -> 2 - 1 = 1, 23 -> 12 - 1 = 11.
// CONV: output0: 1x3x3x1xi32 = [13, 13, 3, 23, 23, 8, 21, 28, 27]
// CONV: output1: 1x3x3x1xi8 = [6, 6, 1, 11, 11, 3, 10, 13, 13]
func.func @conv_rescale() -> (tensor<1x3x3x1xi32>, tensor<1x3x3x1xi8>) {
  %x = "tosa.const"() {values = dense<[[[[1], [2], [3]], [[4], [5], [6]],
      [[7], [8], [9]]]]> : tensor<1x3x3x1xi8>} : () -> tensor<1x3x3x1xi8>
  %w = "tosa.const"() {values = dense<[[[[1], [2], [1]], [[0], [1], [0]],
      [[-1], [0], [2]]]]> : tensor<1x3x3x1xi8>} : () -> tensor<1x3x3x1xi8>
  %b = "tosa.const"() {values = dense<5> : tensor<1xi32>} : () -> tensor<1xi32>
  %izp = "tosa.const"() {values = dense<1> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32,
      pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<1x3x3x1xi8>,
      tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x1xi32>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<31> : tensor<1xi8>} : () -> tensor<1xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<-1> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.rescale %acc, %m, %s, %z, %ozp {scale32 = true,
      rounding_mode = SINGLE_ROUND, per_channel = false,
      input_unsigned = false, output_unsigned = false}
      : (tensor<1x3x3x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>,
         tensor<1xi8>) -> tensor<1x3x3x1xi8>
  return %acc, %y : tensor<1x3x3x1xi32>, tensor<1x3x3x1xi8>
}

// Scale 0.25 (2^30 >> 32): 6 -> 1.5, -6 -> -1.5, 10 -> 2.5, -10 -> -2.5.
// SINGLE_ROUND rounds ties up; DOUBLE_ROUND rounds negative ties down.
// ROUND: output0: 4xi32 = [2, -1, 3, -2]
// ROUND: output1: 4xi32 = [2, -2, 3, -3]
func.func @rounding() -> (tensor<4xi32>, tensor<4xi32>) {
  %x = "tosa.const"() {values = dense<[6, -6, 10, -10]> : tensor<4xi32>} : () -> tensor<4xi32>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<32> : tensor<1xi8>} : () -> tensor<1xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %a = tosa.rescale %x, %m, %s, %z, %z {scale32 = true,
      rounding_mode = SINGLE_ROUND, per_channel = false,
      input_unsigned = false, output_unsigned = false}
      : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>,
         tensor<1xi32>) -> tensor<4xi32>
  %b = tosa.rescale %x, %m, %s, %z, %z {scale32 = true,
      rounding_mode = DOUBLE_ROUND, per_channel = false,
      input_unsigned = false, output_unsigned = false}
      : (tensor<4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>,
         tensor<1xi32>) -> tensor<4xi32>
  return %a, %b : tensor<4xi32>, tensor<4xi32>
}

// 3x3 window, pad 1: padding is not counted (corner / 4, edge / 6, centre /
// 9). A -2.5 average becomes -3: reciprocal_scale(4) = (2^30 + 1) / 2^32 is
// a hair above 1/4.
// AVG: output0: 1x3x3x1xi8 = [30, 35, 40, 45, 50, 55, 60, 65, 70]
// AVG: output1: 1x1x1x1xi8 = [-3]
func.func @avg_pool() -> (tensor<1x3x3x1xi8>, tensor<1x1x1x1xi8>) {
  %x = "tosa.const"() {values = dense<[[[[10], [20], [30]], [[40], [50], [60]],
      [[70], [80], [90]]]]> : tensor<1x3x3x1xi8>} : () -> tensor<1x3x3x1xi8>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %a = tosa.avg_pool2d %x, %zp, %zp {acc_type = i32,
      kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>,
      pad = array<i64: 1, 1, 1, 1>}
      : (tensor<1x3x3x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x1xi8>
  %n = "tosa.const"() {values = dense<[[[[-1], [-2]], [[-3], [-4]]]]>
      : tensor<1x2x2x1xi8>} : () -> tensor<1x2x2x1xi8>
  %b = tosa.avg_pool2d %n, %zp, %zp {acc_type = i32,
      kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>,
      pad = array<i64: 0, 0, 0, 0>}
      : (tensor<1x2x2x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
  return %a, %b : tensor<1x3x3x1xi8>, tensor<1x1x1x1xi8>
}

// TABLE indexes with value + 128; CLAMP bounds the result.
// TABLE: output0: 4xi8 = [5, 5, 7, 9]
func.func @table_clamp() -> tensor<4xi8> {
  %x = "tosa.const"() {values = dense<[-128, -127, 0, 127]> : tensor<4xi8>} : () -> tensor<4xi8>
  // table[i] = i for i < 128 (inputs -128..-1), 7 after, 127 last.
  %tbl = "tosa.const"() {values = dense<"0x000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707077F"> : tensor<256xi8>} : () -> tensor<256xi8>
  %y = tosa.table %x, %tbl : (tensor<4xi8>, tensor<256xi8>) -> tensor<4xi8>
  %c = tosa.clamp %y {min_val = 5 : i8, max_val = 9 : i8} : (tensor<4xi8>) -> tensor<4xi8>
  return %c : tensor<4xi8>
}

// !quant.uniform tensors run on their storage type (here i8); scales in the
// type are not used, only the RESCALE operands: (x - 1) * 0.5 - 3.
// QUANT: output0: 4xi8 = [-3, -2, -2, -1]
func.func @quant_types() -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>> {
  %x = "tosa.const"() {values = dense<[1, 2, 3, 4]> : tensor<4xi8>}
      : () -> tensor<4x!quant.uniform<i8:f32, 0.25:1>>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<31> : tensor<1xi8>} : () -> tensor<1xi8>
  %iz = "tosa.const"() {values = dense<1> : tensor<1xi8>} : () -> tensor<1xi8>
  %oz = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.rescale %x, %m, %s, %iz, %oz {scale32 = true,
      rounding_mode = SINGLE_ROUND, per_channel = false,
      input_unsigned = false, output_unsigned = false}
      : (tensor<4x!quant.uniform<i8:f32, 0.25:1>>, tensor<1xi32>,
         tensor<1xi8>, tensor<1xi8>, tensor<1xi8>)
      -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  return %y : tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
}

// The global average pool form of --tessera-fold-to-integer: x - (-3)
// widened exactly (2^30 >> 30), summed over H and W, one rescale by 0.125
// (2^30 >> 33, ties up) to output zero point 7. Channel 0: x = 1, 2, 3, 4
// -> 4 + 5 + 6 + 7 = 22 -> 2.75 -> 3 + 7 = 10; channel 1: x = -3 four times
// -> 0 -> 7; the sums themselves: 22 and 0.
// GSUM: output0: 1x1x1x2xi8 = [10, 7]
// GSUM: output1: 1x1x1x2xi32 = [22, 0]
func.func @global_sum() -> (tensor<1x1x1x2xi8>, tensor<1x1x1x2xi32>) {
  %x = "tosa.const"() {values = dense<[[[[1, -3], [2, -3]], [[3, -3], [4, -3]]]]> : tensor<1x2x2x2xi8>} : () -> tensor<1x2x2x2xi8>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s30 = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %s33 = "tosa.const"() {values = dense<33> : tensor<1xi8>} : () -> tensor<1xi8>
  %z = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %oz = "tosa.const"() {values = dense<7> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %w = tosa.rescale %x, %m, %s30, %z, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x2xi32>
  %r1 = tosa.reduce_sum %w {axis = 1 : i32} : (tensor<1x2x2x2xi32>) -> tensor<1x1x2x2xi32>
  %r2 = tosa.reduce_sum %r1 {axis = 2 : i32} : (tensor<1x1x2x2xi32>) -> tensor<1x1x1x2xi32>
  %o = tosa.rescale %r2, %m, %s33, %z32, %oz {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x2xi8>
  return %o, %r2 : tensor<1x1x1x2xi8>, tensor<1x1x1x2xi32>
}
