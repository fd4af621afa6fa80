// RUN: tessera-opt --tessera-quantize="activation-dtype=uint8" --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-quantize="activation-dtype=uint8" --tessera-fold-to-integer %s | FileCheck %s --check-prefix=NOQUANT
// RUN: tessera-opt --tessera-quantize="activation-dtype=uint8" --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// NOQUANT-NOT: quant.
// NOQUANT-NOT: f32

// Float TOSA with calibration ranges, shaped like the front end's output (NCHW
// at the boundary, NHWC inside) and a SqueezeNet Fire module: squeeze
// conv1x1 + ReLU, expand conv1x1 + ReLU and conv3x3 + ReLU, concat, max pool,
// global average pool. Both passes in a row give integer TOSA only.
//   input [0, 255], uint8: scale 1.0, zp 0 (i8 zp -128 inside);
//   output [0, 12.75], uint8: scale 0.05, zp 0.
//   concat: the expand ReLUs share the concat's range [0, 25.5] -> scale 0.1
//   (i8 zp -128), so concat and max_pool2d need no rescale.

// CHECK-LABEL: func.func @fire
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<1x2x4x4xi8> {tessera.dtype = "uint8", tessera.scale = 1.000000e+00 : f64, tessera.zero_point = 0 : i64})
// CHECK-SAME: -> (tensor<1x4x1x1xi8> {tessera.dtype = "uint8", tessera.scale = 5.000000e-02 : f64, tessera.zero_point = 0 : i64})
// CHECK: %[[NHWC:.*]] = tosa.transpose %[[ARG]] {{.*}} -> tensor<1x4x4x2xi8>
// CHECK: %[[SQ:.*]] = tosa.conv2d %[[NHWC]], {{.*}} -> tensor<1x4x4x2xi32>
// CHECK: tosa.rescale %[[SQ]]
// CHECK: %[[E1:.*]] = tosa.conv2d {{.*}} -> tensor<1x4x4x2xi32>
// CHECK: %[[E1R:.*]] = tosa.rescale %[[E1]]
// CHECK: %[[E3:.*]] = tosa.conv2d {{.*}}pad = array<i64: 1, 1, 1, 1>{{.*}} -> tensor<1x4x4x2xi32>
// CHECK: %[[E3R:.*]] = tosa.rescale %[[E3]]
// CHECK: %[[CAT:.*]] = tosa.concat %[[E1R]], %[[E3R]] {axis = 3 : i32}
// CHECK-NEXT: %[[MP:.*]] = tosa.max_pool2d %[[CAT]]
// The global average pool into its own scale: an exact i32 sum and one
// rescale (s 0.1 -> 0.05 over 4 elements: 0.1 / (4 * 0.05) = 0.5).
// CHECK-NEXT: %[[W:.*]] = tosa.rescale %[[MP]]{{.*}} -> tensor<1x2x2x4xi32>
// CHECK-NEXT: %[[S1:.*]] = tosa.reduce_sum %[[W]] {axis = 1 : i32}
// CHECK-NEXT: %[[S2:.*]] = tosa.reduce_sum %[[S1]] {axis = 2 : i32}
// CHECK-NEXT: %[[APR:.*]] = tosa.rescale %[[S2]]{{.*}} -> tensor<1x1x1x4xi8>
// CHECK-NEXT: %[[OUT:.*]] = tosa.transpose %[[APR]]
// CHECK-NEXT: return %[[OUT]]
func.func @fire(%arg0: tensor<1x2x4x4xf32> {tessera.range = array<f64: 0.0, 255.0>}) -> tensor<1x4x1x1xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>, tessera.range = array<f64: 0.0, 255.0>} : (tensor<1x2x4x4xf32>) -> tensor<1x4x4x2xf32>
  %ws = "tosa.const"() {values = dense<[[[[0.01, -0.02]]], [[[0.03, 0.01]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %bs = "tosa.const"() {values = dense<[0.1, -0.1]> : tensor<2xf32>} : () -> tensor<2xf32>
  %1 = tosa.conv2d %0, %ws, %bs, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: -5.1, 10.2>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, tessera.range = array<f64: 0.0, 10.2>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %we1 = "tosa.const"() {values = dense<[[[[0.5, -0.25]]], [[[0.125, 0.75]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %be1 = "tosa.const"() {values = dense<[0.0, 0.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %3 = tosa.conv2d %2, %we1, %be1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: -3.0, 9.0>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %4 = tosa.clamp %3 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, tessera.range = array<f64: 0.0, 9.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %we3 = "tosa.const"() {values = dense<0.05> : tensor<2x3x3x2xf32>} : () -> tensor<2x3x3x2xf32>
  %be3 = "tosa.const"() {values = dense<[0.25, -0.25]> : tensor<2xf32>} : () -> tensor<2xf32>
  %5 = tosa.conv2d %2, %we3, %be3, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, tessera.range = array<f64: -1.0, 25.5>} : (tensor<1x4x4x2xf32>, tensor<2x3x3x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %6 = tosa.clamp %5 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, tessera.range = array<f64: 0.0, 25.5>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %7 = tosa.concat %4, %6 {axis = 3 : i32, tessera.range = array<f64: 0.0, 25.5>} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32>
  %8 = tosa.max_pool2d %7 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, tessera.range = array<f64: 0.0, 25.5>} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
  %9 = tosa.avg_pool2d %8, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, tessera.range = array<f64: 0.0, 12.75>} : (tensor<1x2x2x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %10 = tosa.transpose %9 {perms = array<i32: 0, 3, 1, 2>, tessera.range = array<f64: 0.0, 12.75>} : (tensor<1x1x1x4xf32>) -> tensor<1x4x1x1xf32>
  return %10 : tensor<1x4x1x1xf32>
}
