// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s --check-prefix=NOQUANT
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | mlir-opt --split-input-file --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// NOQUANT-NOT: quant.
// NOQUANT-NOT: f32

// uint8 recorded by --tessera-quantize: the i8 zero point -128 is the uint8
// zero point 0 (+128); arguments and results say "uint8".

// CHECK-LABEL: func.func @uint8_io_dtype
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<4xi8> {tessera.dtype = "uint8", tessera.scale = 5.000000e-01 : f64, tessera.zero_point = 0 : i64})
// CHECK-SAME: -> (tensor<4xi8> {tessera.dtype = "uint8", tessera.scale = 5.000000e-01 : f64, tessera.zero_point = 0 : i64})
// CHECK-NOT: tessera.io_dtype
// CHECK: tosa.clamp %[[ARG]] {max_val = -116 : i8, min_val = -128 : i8}
func.func @uint8_io_dtype(%arg0: tensor<4xf32> {tessera.io_dtype = "uint8"}) -> (tensor<4xf32> {tessera.io_dtype = "uint8"}) {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:-128>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 0.5:-128>> to tensor<4xf32>
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:-128>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 0.5:-128>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// A pre-quantized ONNX QDQ model imports with u8 storage (QuantizeLinear to
// uint8, zero point 128): normalized to i8 with zero point 0 inside, uint8
// with zero point 128 at the boundary. ReLU6 at s 0.05: [0, 0 + 120].

// CHECK-LABEL: func.func @qdq_uint8_storage
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<4xi8> {tessera.dtype = "uint8", tessera.scale = 5.000000e-02 : f64, tessera.zero_point = 128 : i64})
// CHECK-SAME: -> (tensor<4xi8> {tessera.dtype = "uint8", tessera.scale = 5.000000e-02 : f64, tessera.zero_point = 128 : i64})
// CHECK: tosa.clamp %[[ARG]] {max_val = 120 : i8, min_val = 0 : i8}
func.func @qdq_uint8_storage(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.05:128>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<u8:f32, 0.05:128>> to tensor<4xf32>
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.05:128>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<u8:f32, 0.05:128>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// QDQ conv as a pre-quantized model imports it: integer weight and bias
// constants behind quant.scast (DequantizeLinear of int8 / int32
// initializers), no calibration attributes.
//   s_in = 0.5; s_w = {0.25, 0.125}; bias i32 [8, -8] at scale
//   s_in * s_w = {0.125, 0.0625}, i.e. 1.0 and -0.5, requantized to the same
//   [8, -8]; s_out = 1.0: shifts 33, 34 (see conv.mlir).

// CHECK-LABEL: func.func @qdq_conv_integer_constants
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4]]], {{\[\[\[}}-3]]]]> : tensor<2x1x1x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[8, -8]> : tensor<2xi32>}>
// CHECK-DAG: "tosa.const"() <{values = dense<[33, 34]> : tensor<2xi8>}>
// CHECK: tosa.conv2d %{{.*}}, %[[W]], %[[B]]
func.func @qdq_conv_integer_constants(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  %wi = "tosa.const"() {values = dense<[[[[4]]], [[[-3]]]]> : tensor<2x1x1x1xi8>} : () -> tensor<2x1x1x1xi8>
  %wq = quant.scast %wi : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>
  %wd = quant.dcast %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>> to tensor<2x1x1x1xf32>
  %bi = "tosa.const"() {values = dense<[8, -8]> : tensor<2xi32>} : () -> tensor<2xi32>
  %bq = quant.scast %bi : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>>
  %bd = quant.dcast %bq : tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>> to tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.conv2d %1, %wd, %bd, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %3 = quant.qcast %2 : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8:f32, 1.0>>
  %4 = quant.dcast %3 : tensor<1x1x1x2x!quant.uniform<i8:f32, 1.0>> to tensor<1x1x1x2xf32>
  return %4 : tensor<1x1x1x2xf32>
}

// -----

// A quantized value read by two ops and returned: every qcast user becomes
// the same integer value.

// CHECK-LABEL: func.func @two_results
// CHECK-SAME: -> (tensor<4xi8> {{.*}}, tensor<4xi8> {{.*}})
// CHECK: %[[C:.*]] = tosa.clamp
// CHECK: return %[[C]], %[[C]]
func.func @two_results(%arg0: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %5 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %4, %5 : tensor<4xf32>, tensor<4xf32>
}
