// RUN: tessera-opt --split-input-file %s | tessera-opt | FileCheck %s

// A 3x3 same-padded conv: 8x8x4 -> 8x8x2 with per-channel requantization.
// CHECK-LABEL: func.func @conv_per_channel
// CHECK: npu.conv2d %arg0, %arg1, %arg2
// CHECK-SAME: multiplier = array<i32: 1073741824, 1610612736>
func.func @conv_per_channel(%in: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>,
                            %b: tensor<2xi32>) -> tensor<1x8x8x2xi8> {
  %0 = npu.conv2d %in, %w, %b {stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 1,
      input_zp = -3, weight_zp = 0, output_zp = 5,
      multiplier = array<i32: 1073741824, 1610612736>,
      shift = array<i32: 38, 38>, double_round = false,
      clamp_min = -128, clamp_max = 127, layer = 0}
      : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<2xi32>) -> tensor<1x8x8x2xi8>
  return %0 : tensor<1x8x8x2xi8>
}

// -----

// Depthwise 3x3 stride 2 (groups == channels) followed by a max pool and a
// concat with itself; the reshape flattens the result.
// CHECK-LABEL: func.func @depthwise_pool_concat
// CHECK: npu.conv2d
// CHECK-SAME: groups = 4
// CHECK: npu.pool
// CHECK-SAME: kind = "max"
// CHECK: npu.concat
// CHECK: npu.reshape
func.func @depthwise_pool_concat(%in: tensor<1x9x9x4xi8>, %w: tensor<4x3x3x1xi8>,
                                 %b: tensor<4xi32>) -> tensor<1x32xi8> {
  %0 = npu.conv2d %in, %w, %b {stride = array<i64: 2, 2>,
      dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, groups = 4,
      input_zp = 0, weight_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824>, shift = array<i32: 31>,
      double_round = true, clamp_min = 0, clamp_max = 127, layer = 1}
      : (tensor<1x9x9x4xi8>, tensor<4x3x3x1xi8>, tensor<4xi32>) -> tensor<1x4x4x4xi8>
  %1 = npu.pool %0 {kind = "max", kernel = array<i64: 2, 2>,
      stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>,
      input_zp = 0, output_zp = 0, layer = 2}
      : (tensor<1x4x4x4xi8>) -> tensor<1x2x2x4xi8>
  %2 = npu.concat %1, %1 {axis = 3, layer = 3}
      : (tensor<1x2x2x4xi8>, tensor<1x2x2x4xi8>) -> tensor<1x2x2x8xi8>
  %3 = npu.reshape %2 {layer = 4} : (tensor<1x2x2x8xi8>) -> tensor<1x32xi8>
  return %3 : tensor<1x32xi8>
}
