// RUN: tessera-opt --split-input-file --tessera-quantize %s | FileCheck %s

// Hand-checked quantization parameters (core/quant chooseQParams):
//   int8 asymmetric [-64, 63.5]: scale = 127.5 / 255 = 0.5,
//     zp = -128 - round(-64 / 0.5) = 0.
//   int8 asymmetric [0, 127.5] (a ReLU output): scale 0.5, zp = -128 - 0.
//   weights, symmetric [-127, 127]: scale = max|w| / 127 per output channel:
//     channel 0 max|w| = 127 -> 1.0, channel 1 max|w| = 63.5 -> 0.5.

// conv2d + ReLU: no quant.qcast/quant.dcast between them (the clamp is
// fused), the clamp's result is quantized, the conv's own range is unused.

// CHECK-LABEL: func.func @conv_relu_fused
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<1x2x2x1xf32>)
// CHECK-NOT: tessera.range
// CHECK: %[[Q:.*]] = quant.qcast %[[ARG]] : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[X:.*]] = quant.dcast %[[Q]]
// CHECK: %[[WQ:.*]] = quant.qcast %{{.*}} : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e+00,5.000000e-01}>>
// CHECK: %[[W:.*]] = quant.dcast %[[WQ]]
// CHECK: %[[CONV:.*]] = tosa.conv2d %[[X]], %[[W]]
// CHECK-NEXT: %[[RELU:.*]] = tosa.clamp %[[CONV]]
// CHECK-NEXT: %[[OQ:.*]] = quant.qcast %[[RELU]] : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-128>>
// CHECK-NEXT: %[[O:.*]] = quant.dcast %[[OQ]]
// CHECK-NEXT: return %[[O]]
func.func @conv_relu_fused(%arg0: tensor<1x2x2x1xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[127.0]]], [[[-63.5]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: -300.0, 127.5>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, tessera.range = array<f64: 0.0, 127.5>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// A conv whose result is also read by another op is quantized itself; the
// ReLU after it is then stand-alone and shares the conv's quantization
// ([-64, 63.5] -> scale 0.5, zp 0), so the clamp needs no rescale.

// CHECK-LABEL: func.func @conv_two_users_not_fused
// CHECK: %[[CONV:.*]] = tosa.conv2d
// CHECK-NEXT: %[[CQ:.*]] = quant.qcast %[[CONV]] : {{.*}} to tensor<1x2x2x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK-NEXT: %[[C:.*]] = quant.dcast %[[CQ]]
// CHECK: %[[RELU:.*]] = tosa.clamp %[[C]]
// CHECK-NEXT: quant.qcast %[[RELU]] : {{.*}} to tensor<1x2x2x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: tosa.add %[[C]], %{{.*}}
func.func @conv_two_users_not_fused(%arg0: tensor<1x2x2x1xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) {
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: -64.0, 63.5>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 6.0 : f32, tessera.range = array<f64: 0.0, 6.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %2 = tosa.add %0, %arg0 {tessera.range = array<f64: -128.0, 127.0>} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %1, %2 : tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>
}

// -----

// add + ReLU6 is fused like conv + ReLU6: the add's result is not quantized.

// CHECK-LABEL: func.func @add_relu6_fused
// CHECK: %[[ADD:.*]] = tosa.add
// CHECK-NEXT: %[[RELU:.*]] = tosa.clamp %[[ADD]]
// CHECK-NEXT: quant.qcast %[[RELU]]
func.func @add_relu6_fused(%arg0: tensor<4xf32> {tessera.range = array<f64: -64.0, 63.5>}, %arg1: tensor<4xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> tensor<4xf32> {
  %0 = tosa.add %arg0, %arg1 {tessera.range = array<f64: -128.0, 127.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 6.0 : f32, tessera.range = array<f64: 0.0, 6.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// depthwise_conv2d weights [KH, KW, C, M]: per-channel along C (axis 2) for
// M = 1; along M (axis 3) when C = 1 and M > 1.

// CHECK-LABEL: func.func @depthwise_weight_axes
// CHECK: quant.qcast %{{.*}} : tensor<1x1x2x1xf32> to tensor<1x1x2x1x!quant.uniform<i8<-127:127>:f32:2, {1.000000e+00,5.000000e-01}>>
// CHECK: quant.qcast %{{.*}} : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8<-127:127>:f32:3, {5.000000e-01,1.000000e+00}>>
func.func @depthwise_weight_axes(%arg0: tensor<1x2x2x2xf32> {tessera.range = array<f64: -64.0, 63.5>}, %arg1: tensor<1x2x2x1xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w0 = "tosa.const"() {values = dense<[[[[127.0], [-63.5]]]]> : tensor<1x1x2x1xf32>} : () -> tensor<1x1x2x1xf32>
  %w1 = "tosa.const"() {values = dense<[[[[-63.5, 127.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.depthwise_conv2d %arg0, %w0, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: -1.0, 1.0>} : (tensor<1x2x2x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %1 = tosa.depthwise_conv2d %arg1, %w1, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: -1.0, 1.0>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %0, %1 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Ops without a range (constants, shape ops) are left alone; the bias and
// the zero-point operands of the conv stay float constants.

// CHECK-LABEL: func.func @bias_and_zero_points_untouched
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<2.500000e-01> : tensor<1xf32>}>
// CHECK: %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK: tosa.conv2d %{{.*}}, %{{.*}}, %[[B]], %[[ZP]], %[[ZP]]
func.func @bias_and_zero_points_untouched(%arg0: tensor<1x1x1x1xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.25> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: -64.0, 63.5>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}
