// RUN: tessera-opt --split-input-file --tessera-quantize %s | FileCheck %s

// Not node chains, quantized op by op as before: SiLU (two ONNX nodes,
// sigmoid and mul), a chain with two non-constant inputs (x - max(x), as in
// Softmax), and a node whose internal value is also used outside it.

// CHECK-LABEL: func.func @silu_two_nodes
// CHECK: tosa.sigmoid
// CHECK-NEXT: quant.qcast
// CHECK: tosa.mul
// CHECK-NEXT: quant.qcast
func.func @silu_two_nodes(%arg0: tensor<1x4x4x2xf32> {tessera.range = array<f64: -4.0, 4.0>}) -> tensor<1x4x4x2xf32> {
  %s = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.sigmoid %arg0 {onnx.node = "sig0", tessera.range = array<f64: 0.018, 0.982>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.mul %arg0, %0, %s {onnx.node = "mul0", tessera.range = array<f64: -0.07, 3.93>} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @two_inputs
// CHECK: tosa.sub
// CHECK-NEXT: quant.qcast
// CHECK: tosa.exp
// CHECK-NEXT: quant.qcast
func.func @two_inputs(%arg0: tensor<1x4x4x2xf32> {tessera.range = array<f64: -4.0, 4.0>}) -> tensor<1x4x4x2xf32> {
  %m = tosa.reduce_max %arg0 {axis = 3 : i32, onnx.node = "sm0", tessera.range = array<f64: -4.0, 4.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x1xf32>
  %0 = tosa.sub %arg0, %m {onnx.node = "sm0", tessera.range = array<f64: -8.0, 0.0>} : (tensor<1x4x4x2xf32>, tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.exp %0 {onnx.node = "sm0", tessera.range = array<f64: 0.0, 1.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @interior_used_outside
// CHECK: tosa.abs
// CHECK-NEXT: quant.qcast
// CHECK: tosa.exp
// CHECK-NEXT: quant.qcast
func.func @interior_used_outside(%arg0: tensor<1x4x4x2xf32> {tessera.range = array<f64: -4.0, 4.0>}) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %0 = tosa.abs %arg0 {onnx.node = "n0", tessera.range = array<f64: 0.0, 4.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.exp %0 {onnx.node = "n0", tessera.range = array<f64: 1.0, 54.6>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %0, %1 : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}
