// RUN: tessera-opt --tessera-quantize %s | FileCheck %s --check-prefix=I8
// RUN: tessera-opt --tessera-quantize="activation-dtype=uint8" %s | FileCheck %s --check-prefix=U8
// RUN: tessera-opt --tessera-quantize="symmetric-activations=true" %s | FileCheck %s --check-prefix=SYM

// Softmax and a sum over two axes times 1/count (ReduceMean) are quantized
// as units: only their input and result get a qcast/dcast pair, whatever
// ranges calibration attached to the interior ops. Softmax's result is not
// calibrated: [0, 1] at scale 1/256 with the lowest code as zero point
// (int8: -128; uint8: 0, stored as i8 -128), or 1/128 with zero point 0 for
// symmetric activations. The input range [-8, 7.9375] is scale 1/16, zp 0.

// I8-LABEL: func.func @softmax
// I8: quant.qcast %arg0 : tensor<1x10xf32> to tensor<1x10x!quant.uniform<i8:f32, 6.250000e-02>>
// I8-NEXT: %[[X:.*]] = quant.dcast
// I8-NOT: quant.qcast
// I8: tosa.reduce_max %[[X]]
// I8-NEXT: tosa.sub %[[X]]
// I8-NEXT: tosa.exp
// I8-NEXT: tosa.reduce_sum
// I8-NEXT: tosa.reciprocal
// I8-NEXT: %[[Y:.*]] = tosa.mul
// I8-NEXT: quant.qcast %[[Y]] : tensor<1x10xf32> to tensor<1x10x!quant.uniform<i8:f32, 3.906250e-03:-128>>
// U8-LABEL: func.func @softmax
// U8: quant.qcast %{{.*}} : tensor<1x10xf32> to tensor<1x10x!quant.uniform<i8:f32, 3.906250e-03:-128>>
// SYM-LABEL: func.func @softmax
// SYM: quant.qcast %{{.*}} : tensor<1x10xf32> to tensor<1x10x!quant.uniform<i8<-127:127>:f32, 7.812500e-03>>
func.func @softmax(%x: tensor<1x10xf32> {tessera.range = array<f64: -8.0, 7.9375>}) -> tensor<1x10xf32> {
  %m = tosa.reduce_max %x {axis = 1 : i32, tessera.range = array<f64: 1.0, 7.0>} : (tensor<1x10xf32>) -> tensor<1x1xf32>
  %s = tosa.sub %x, %m {tessera.range = array<f64: -9.0, 0.0>} : (tensor<1x10xf32>, tensor<1x1xf32>) -> tensor<1x10xf32>
  %e = tosa.exp %s {tessera.range = array<f64: 0.0, 1.0>} : (tensor<1x10xf32>) -> tensor<1x10xf32>
  %sum = tosa.reduce_sum %e {axis = 1 : i32, tessera.range = array<f64: 1.0, 3.0>} : (tensor<1x10xf32>) -> tensor<1x1xf32>
  %r = tosa.reciprocal %sum {tessera.range = array<f64: 0.3, 1.0>} : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %e, %r, %sh {tessera.range = array<f64: 0.0, 0.8>} : (tensor<1x10xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// I8-LABEL: func.func @reduce_mean
// I8: %[[X:.*]] = quant.dcast
// I8-NOT: quant.qcast
// I8: %[[S1:.*]] = tosa.reduce_sum %[[X]] {axis = 1 : i32}
// I8-NEXT: %[[S2:.*]] = tosa.reduce_sum %[[S1]] {axis = 2 : i32}
// I8-NEXT: %[[M:.*]] = tosa.mul %[[S2]]
// I8-NEXT: quant.qcast %[[M]]
func.func @reduce_mean(%x: tensor<1x2x3x4xf32> {tessera.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x1x4xf32> {
  %s1 = tosa.reduce_sum %x {axis = 1 : i32, tessera.range = array<f64: -2.0, 2.0>} : (tensor<1x2x3x4xf32>) -> tensor<1x1x3x4xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 2 : i32, tessera.range = array<f64: -6.0, 6.0>} : (tensor<1x1x3x4xf32>) -> tensor<1x1x1x4xf32>
  %k = "tosa.const"() {values = dense<0.1666666> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %s2, %k, %sh {tessera.range = array<f64: -1.0, 1.0>} : (tensor<1x1x1x4xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x1x4xf32>
  return %y : tensor<1x1x1x4xf32>
}
