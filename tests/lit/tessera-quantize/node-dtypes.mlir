// RUN: tessera-opt --tessera-quantize="symmetric-activations=true node-dtypes=sig_2=int16" %s | FileCheck %s
// RUN: tessera-opt --tessera-quantize="symmetric-activations=true node-dtypes=sig_*=int16,sig_1=int8" %s | FileCheck %s
// RUN: tessera-opt --tessera-quantize="activation-dtype=int16 symmetric-activations=true" %s | FileCheck %s --check-prefix=ALL16

// Per-node precision (docs/quantization.md "Per-node precision"): only
// sig_2's output is int16, symmetric, scale max|x| / 32767 = 1 / 32767; the
// argument and sig_1 stay int8 (2 / 127, 1 / 127). The second RUN gives
// every sig_* int16 and then sig_1 back int8 (the last match wins).
// CHECK-LABEL: func.func @f
// CHECK: quant.qcast %arg0 {{.*}} to tensor<4x!quant.uniform<i8<-127:127>:f32, 0.015748031496062992>>
// CHECK: tosa.sigmoid {{.*}}onnx.node = "sig_1"
// CHECK: quant.qcast {{.*}} to tensor<4x!quant.uniform<i8<-127:127>:f32, 0.0078740157480314959>>
// CHECK: tosa.sigmoid {{.*}}onnx.node = "sig_2"
// CHECK: quant.qcast {{.*}} to tensor<4x!quant.uniform<i16<-32767:32767>:f32, 3.0518509475997192E-5>>

// ALL16: quant.qcast %arg0 {{.*}} to tensor<4x!quant.uniform<i16<-32767:32767>:f32, 6.1037018951994385E-5>>
// ALL16: quant.qcast {{.*}} to tensor<4x!quant.uniform<i16<-32767:32767>:f32, 3.0518509475997192E-5>>
// ALL16: quant.qcast {{.*}} to tensor<4x!quant.uniform<i16<-32767:32767>:f32, 3.0518509475997192E-5>>
func.func @f(%arg0: tensor<4xf32> {tessera.range = array<f64: -2.0, 2.0>}) -> tensor<4xf32> {
  %0 = tosa.sigmoid %arg0 {onnx.node = "sig_1", tessera.range = array<f64: 0.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = tosa.sigmoid %0 {onnx.node = "sig_2", tessera.range = array<f64: 0.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
