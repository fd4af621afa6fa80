// RUN: tessera-opt --split-input-file --tessera-quantize="activation-dtype=uint8" %s | FileCheck %s --check-prefix=UINT8
// RUN: tessera-opt --split-input-file --tessera-quantize="symmetric-activations=true" %s | FileCheck %s --check-prefix=SYM
// RUN: tessera-opt --split-input-file --tessera-quantize="weight-per-channel=false" %s | FileCheck %s --check-prefix=TENSOR
// RUN: tessera-opt --split-input-file --tessera-quantize="weight-dtype=uint8 symmetric-weights=false weight-per-channel=false" %s | FileCheck %s --check-prefix=ASYM
// RUN: tessera-opt --split-input-file --tessera-quantize="weight-dtype=int8 symmetric-weights=false weight-per-channel=false" %s | FileCheck %s --check-prefix=ASYM
// RUN: tessera-opt --split-input-file --tessera-quantize="weight-dtype=uint8" %s | FileCheck %s

// Range [0, 127.5]:
//   uint8 asymmetric: scale 0.5, zp 0 -> stored as i8 with zp 0 - 128.
//   int8 symmetric: scale = 127.5 / 127, zp 0, storage [-127, 127].
// Weights max|w| = {127, 63.5}; per tensor: 127 / 127 = 1.0.
// Asymmetric per tensor over [-63.5, 127]: scale 190.5 / 255, zero point
//   uint8: 0 - round(-63.5 * 255 / 190.5) = 85, stored as i8 with 85 - 128;
//   int8: -128 - round(-85) = -43: the same grid, the same i8 type.
// Symmetric uint8 (zero point 128): max|w| / 127 per channel as for int8,
//   stored as i8 with zero point 0 (the full i8 range: core/quant's
//   symmetric uint8 range is [0, 255]; no weight reaches its 0).

// UINT8-LABEL: func.func @options
// UINT8-SAME: (%arg0: tensor<1x1x1x1xf32> {tessera.io_dtype = "uint8"}) -> (tensor<1x1x1x2xf32> {tessera.io_dtype = "uint8"})
// UINT8: quant.qcast %arg0 : {{.*}} to tensor<1x1x1x1x!quant.uniform<i8:f32, 5.000000e-01:-128>>
// UINT8: quant.qcast %{{.*}} : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e+00,5.000000e-01}>>

// SYM-LABEL: func.func @options
// SYM: quant.qcast %arg0 : {{.*}} to tensor<1x1x1x1x!quant.uniform<i8<-127:127>:f32, 1.003937007874015{{[0-9]*}}>>

// TENSOR-LABEL: func.func @options
// TENSOR: quant.qcast %{{.*}} : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32, 1.000000e+00>>
// ASYM-LABEL: func.func @options
// ASYM: quant.qcast %{{.*}} : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i8:f32, 0.7470588235294{{[0-9]*}}:-43>>

// CHECK-LABEL: func.func @options
// CHECK: quant.qcast %{{.*}} : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {1.000000e+00,5.000000e-01}>>
func.func @options(%arg0: tensor<1x1x1x1xf32> {tessera.range = array<f64: 0.0, 127.5>}) -> tensor<1x1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[127.0]]], [[[-63.5]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: 0.0, 127.5>} : (tensor<1x1x1x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  return %0 : tensor<1x1x1x2xf32>
}
