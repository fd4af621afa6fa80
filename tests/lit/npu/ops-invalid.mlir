// RUN: tessera-opt --split-input-file --verify-diagnostics %s

func.func @wrong_output_height(%in: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>,
                               %b: tensor<2xi32>) -> tensor<1x7x8x2xi8> {
  // (8 + 1 + 1 - 1 * (3 - 1) - 1) / 1 + 1 = 8 rows, not 7.
  // expected-error @+1 {{expected output dim 1 == 8 but got 7}}
  %0 = npu.conv2d %in, %w, %b {stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 1,
      input_zp = 0, weight_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824>, shift = array<i32: 31>,
      double_round = false, clamp_min = -128, clamp_max = 127, layer = 0}
      : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<2xi32>) -> tensor<1x7x8x2xi8>
  return %0 : tensor<1x7x8x2xi8>
}

// -----

func.func @bad_pool_kind(%in: tensor<1x4x4x4xi8>) -> tensor<1x2x2x4xi8> {
  // expected-error @+1 {{expected kind "max", "min" or "avg" but got "sum"}}
  %0 = npu.pool %in {kind = "sum", kernel = array<i64: 2, 2>,
      stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>,
      input_zp = 0, output_zp = 0, layer = 0}
      : (tensor<1x4x4x4xi8>) -> tensor<1x2x2x4xi8>
  return %0 : tensor<1x2x2x4xi8>
}

// -----

func.func @per_channel_count(%in: tensor<1x8x8x4xi8>, %w: tensor<2x1x1x4xi8>,
                             %b: tensor<2xi32>) -> tensor<1x8x8x2xi8> {
  // expected-error @+1 {{expected 1 or 2 multipliers and as many shifts but got 3 and 3}}
  %0 = npu.conv2d %in, %w, %b {stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, groups = 1,
      input_zp = 0, weight_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824, 1073741824, 1073741824>,
      shift = array<i32: 31, 31, 31>,
      double_round = false, clamp_min = -128, clamp_max = 127, layer = 0}
      : (tensor<1x8x8x4xi8>, tensor<2x1x1x4xi8>, tensor<2xi32>) -> tensor<1x8x8x2xi8>
  return %0 : tensor<1x8x8x2xi8>
}
