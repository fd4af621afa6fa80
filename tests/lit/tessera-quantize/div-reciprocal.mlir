// RUN: tessera-opt --split-input-file --tessera-quantize %s | FileCheck %s

// A division by an activation whose calibrated range excludes 0 becomes
// x * reciprocal(d) (DivByReciprocal.cpp), the reciprocal calibrated to
// 1 / d's range; folding then makes the reciprocal a table and the product
// an integer mul. int8 asymmetric (the default options).

// d in [1, 2]: 1 / d in [0.5, 1], extended to contain 0: [0, 1],
// scale 1/255 = 0.0039215..., zero point -128 - round(0 / s) = -128.
// d itself: [0, 2], scale 2/255 = 0.0078431..., zero point -128.
// CHECK-LABEL: func.func @div_positive
// CHECK: %[[D:.*]] = quant.dcast %{{.*}} : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.0078431{{[0-9]*}}:-128>>
// CHECK: %[[R:.*]] = tosa.reciprocal %[[D]] {onnx.node = "div0"}
// CHECK-NEXT: %[[RQ:.*]] = quant.qcast %[[R]] : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 0.0039215{{[0-9]*}}:-128>>
// CHECK-NEXT: %[[RD:.*]] = quant.dcast %[[RQ]]
// CHECK: %[[Y:.*]] = tosa.mul %{{.*}}, %[[RD]], %{{.*}} {onnx.node = "div0"}
// CHECK-NEXT: quant.qcast %[[Y]] : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 0.0156862{{[0-9]*(:-?[0-9]+)?}}>>
// CHECK-NOT: arith.divf
func.func @div_positive(%x: tensor<1x2x2x3xf32> {tessera.range = array<f64: -2.0, 2.0>}, %d: tensor<1x2x2x3xf32> {tessera.range = array<f64: 1.0, 2.0>}) -> tensor<1x2x2x3xf32> {
  %0 = arith.divf %x, %d {onnx.node = "div0", tessera.range = array<f64: -2.0, 2.0>} : tensor<1x2x2x3xf32>
  return %0 : tensor<1x2x2x3xf32>
}

// -----

// d in [-4, -2]: 1 / d in [-0.5, -0.25], extended to [-0.5, 0]:
// scale 0.5/255 = 0.0019607..., zero point -128 - round(-0.5 / s) = 127.
// CHECK-LABEL: func.func @div_negative
// CHECK: %[[R:.*]] = tosa.reciprocal
// CHECK-NEXT: quant.qcast %[[R]] : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.0019607{{[0-9]*}}:127>>
// CHECK: tosa.mul
// CHECK-NOT: arith.divf
func.func @div_negative(%x: tensor<4xf32> {tessera.range = array<f64: -2.0, 2.0>}, %d: tensor<4xf32> {tessera.range = array<f64: -4.0, -2.0>}) -> tensor<4xf32> {
  %0 = arith.divf %x, %d {onnx.node = "div1", tessera.range = array<f64: -1.0, 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A divisor range that contains 0 has no bounded reciprocal: the division
// stays (folding reports it, or host fallback runs it).
// CHECK-LABEL: func.func @div_straddles_zero
// CHECK-NOT: tosa.reciprocal
// CHECK: arith.divf
func.func @div_straddles_zero(%x: tensor<4xf32> {tessera.range = array<f64: -2.0, 2.0>}, %d: tensor<4xf32> {tessera.range = array<f64: -1.0, 2.0>}) -> tensor<4xf32> {
  %0 = arith.divf %x, %d {onnx.node = "div2", tessera.range = array<f64: -8.0, 8.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Softsign, x / (1 + |x|), is one node's elementwise chain: it stays whole
// (one table after folding), its divisor is not rewritten.
// CHECK-LABEL: func.func @softsign_chain
// CHECK-NOT: tosa.reciprocal
// CHECK: arith.divf
func.func @softsign_chain(%x: tensor<4xf32> {tessera.range = array<f64: -2.0, 2.0>}) -> tensor<4xf32> {
  %one = "tosa.const"() {values = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %a = tosa.abs %x {onnx.node = "ss", tessera.range = array<f64: 0.0, 2.0>} : (tensor<4xf32>) -> tensor<4xf32>
  %d = tosa.add %a, %one {onnx.node = "ss", tessera.range = array<f64: 1.0, 3.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %0 = arith.divf %x, %d {onnx.node = "ss", tessera.range = array<f64: -0.67, 0.67>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
