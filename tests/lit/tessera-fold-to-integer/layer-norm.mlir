// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function ln_div --print | FileCheck %s --check-prefix=DIV
// RUN: tessera-run %t.mlir --function ln_rsqrt --print | FileCheck %s --check-prefix=RSQ
// RUN: tessera-opt --tessera-fold-to-integer --tessera-lower-to-npu %s | FileCheck %s --check-prefix=NPU

// A layer normalisation between a dcast and a qcast folds to one tosa.custom
// "layer_norm" (core/kernels quantLayerNorm, ELTWISE layer_norm on the NPU)
// with 7 i32 parameters [multiplier, shift, eps_mantissa, eps_shift, z_out,
// lo, hi]; no op of the chain survives.
//
// ONNX's decomposed form (ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt
// = reciprocal(rsqrt), Div by the tiled square root). Row [1, 2, 3, 4] at
// scale 0.5: mean 1.25, deviations [-0.75, -0.25, 0.25, 0.75], variance
// 0.3125, + eps 0.25 = 0.5625 = 0.75^2, y = [-1, -1/3, 1/3, 1]. Output
// scale 1/64, zp 10: -64, -21.33, 21.33, 64 -> -54, -11, 31, 74.
// (multiplier, shift) = sqrt(4) / (1/64) * 2^-31 = 2^-24: (2^30, 54);
// eps n^3 / s_in^2 = 0.25 * 64 / 0.25 = 64 (mantissa 64, exponent 0).
// CHECK-LABEL: func.func @ln_div
// CHECK: %[[P:.*]] = "tosa.const"() <{values = dense<[1073741824, 54, 64, 0, 10, -128, 127]> : tensor<7xi32>}>
// CHECK: tosa.custom %{{.*}}, %[[P]] {domain_name = "tessera", implementation_attrs = "axis=1", operator_name = "layer_norm"} : (tensor<1x4xi8>, tensor<7xi32>) -> tensor<1x4xi8>
// CHECK-NOT: tosa.reduce_sum
// CHECK-NOT: tosa.rsqrt
// CHECK-NOT: arith.divf
// DIV: output0: 1x4xi8 = [-54, -11, 31, 74]
// NPU-LABEL: func.func @ln_div
// NPU: npu.layer_norm %{{.*}} {clamp_max = 127 : i64, clamp_min = -128 : i64, eps_mantissa = 64 : i32, eps_shift = 0 : i32, layer = 0 : i64, multiplier = 1073741824 : i32, output_zp = 10 : i64, shift = 54 : i32} : (tensor<1x4xi8>) -> tensor<1x4xi8>
func.func @ln_div() -> tensor<1x4xf32> {
  %c = "tosa.const"() {values = dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x4xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %inv = "tosa.const"() {values = dense<0.25> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %eps = "tosa.const"() {values = dense<0.25> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1x1xf32>
  %m = tosa.mul %s1, %inv, %sh : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x1xf32>
  %d = tosa.sub %x, %m : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %d2 = tosa.mul %d, %d, %sh : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  %s2 = tosa.reduce_sum %d2 {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1x1xf32>
  %v = tosa.mul %s2, %inv, %sh : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x1xf32>
  %ve = tosa.add %v, %eps : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %r = tosa.rsqrt %ve : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %sq = tosa.reciprocal %r : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %shape = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %t = tosa.tile %sq, %shape : (tensor<1x1xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
  %y = arith.divf %d, %t : tensor<1x4xf32>
  %yq = quant.qcast %y : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.015625:10>>
  %yd = quant.dcast %yq : tensor<1x4x!quant.uniform<i8:f32, 0.015625:10>> to tensor<1x4xf32>
  return %yd : tensor<1x4xf32>
}

// LayerNormalization's import (d * rsqrt(var + eps)) of two rows [1, 2, 3,
// 4] (input zp -5, so stored as [-4, -3, -2, -1]: the zero point cancels)
// and [7, 7, 7, 7], eps 0, output scale 1/64, zp 0: the first row is
// [-3, -1, 1, 3] / sqrt(5) * 64 = -85.87, -28.62, 28.62, 85.87 -> -86, -29,
// 29, 86; the second has no deviation -> the zero point.
// CHECK-LABEL: func.func @ln_rsqrt
// CHECK: "tosa.const"() <{values = dense<[1073741824, 54, 0, 0, 0, -128, 127]> : tensor<7xi32>}>
// CHECK: tosa.custom {{.*}}implementation_attrs = "axis=2", operator_name = "layer_norm"} : (tensor<1x2x4xi8>, tensor<7xi32>) -> tensor<1x2x4xi8>
// RSQ: output0: 1x2x4xi8 = [-86, -29, 29, 86, 0, 0, 0, 0]
func.func @ln_rsqrt() -> tensor<1x2x4xf32> {
  %c = "tosa.const"() {values = dense<[[[-4, -3, -2, -1], [12, 12, 12, 12]]]> : tensor<1x2x4xi8>} : () -> tensor<1x2x4xi8>
  %q = quant.scast %c : tensor<1x2x4xi8> to tensor<1x2x4x!quant.uniform<i8:f32, 0.5:-5>>
  %x = quant.dcast %q : tensor<1x2x4x!quant.uniform<i8:f32, 0.5:-5>> to tensor<1x2x4xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %inv = "tosa.const"() {values = dense<0.25> : tensor<1x1x1xf32>} : () -> tensor<1x1x1xf32>
  %eps = "tosa.const"() {values = dense<0.0> : tensor<1x1x1xf32>} : () -> tensor<1x1x1xf32>
  %s1 = tosa.reduce_sum %x {axis = 2 : i32} : (tensor<1x2x4xf32>) -> tensor<1x2x1xf32>
  %m = tosa.mul %s1, %inv, %sh : (tensor<1x2x1xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x2x1xf32>
  %d = tosa.sub %x, %m : (tensor<1x2x4xf32>, tensor<1x2x1xf32>) -> tensor<1x2x4xf32>
  %d2 = tosa.mul %d, %d, %sh : (tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1xi8>) -> tensor<1x2x4xf32>
  %s2 = tosa.reduce_sum %d2 {axis = 2 : i32} : (tensor<1x2x4xf32>) -> tensor<1x2x1xf32>
  %v = tosa.mul %s2, %inv, %sh : (tensor<1x2x1xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x2x1xf32>
  %ve = tosa.add %v, %eps : (tensor<1x2x1xf32>, tensor<1x1x1xf32>) -> tensor<1x2x1xf32>
  %r = tosa.rsqrt %ve : (tensor<1x2x1xf32>) -> tensor<1x2x1xf32>
  %y = tosa.mul %d, %r, %sh : (tensor<1x2x4xf32>, tensor<1x2x1xf32>, tensor<1xi8>) -> tensor<1x2x4xf32>
  %yq = quant.qcast %y : tensor<1x2x4xf32> to tensor<1x2x4x!quant.uniform<i8:f32, 0.015625>>
  %yd = quant.dcast %yq : tensor<1x2x4x!quant.uniform<i8:f32, 0.015625>> to tensor<1x2x4xf32>
  return %yd : tensor<1x2x4xf32>
}
