// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s --check-prefix=NOQUANT
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | tessera-opt --split-input-file --tessera-lower-to-npu | FileCheck %s --check-prefix=NPU
// NOQUANT-NOT: quant.
// NOQUANT-NOT: f32

// Lowered, each int16 conv is one npu.conv2d on the i16 input with the i48
// bias and the 16-bit multipliers (the CONV's applyScale16 epilogue,
// docs/isa.md "CONV with int16 operands"); the add is one npu.add whose
// multipliers carry the left shift 15.
// NPU-LABEL: func.func @conv2d_i16_i8
// NPU: npu.conv2d %arg0, %{{.*}}, %{{.*}} {clamp_max = 32767 : i64, clamp_min = 0 : i64, {{.*}}multiplier = array<i32: 16384, 16384>, {{.*}}shift = array<i32: 17, 18>{{.*}} : (tensor<1x2x2x1xi16>, tensor<2x1x1x1xi8>, tensor<2xi48>) -> tensor<1x2x2x2xi16>
// NPU-LABEL: func.func @conv2d_i16_i16
// NPU: npu.conv2d %arg0, %{{.*}}, %{{.*}} {clamp_max = 32767 : i64, clamp_min = -32767 : i64, {{.*}}shift = array<i32: 25, 26>{{.*}} : (tensor<1x2x2x1xi16>, tensor<2x1x1x1xi16>, tensor<2xi48>) -> tensor<1x2x2x2xi16>
// NPU-LABEL: func.func @add_i16
// NPU: npu.add %arg0, %arg1 {a_multiplier = 1073741824 : i32, a_shift = 16 : i32, {{.*}}b_shift = 17 : i32, {{.*}}shift = 45 : i32} : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>

// int16 activations (docs/quantization.md "int16 activations"): TOSA's
// conv2d i16 x i8 -> i48 with an i48 bias, and the rescale of the i48
// accumulator with 16-bit multipliers (scale32 = false, apply_scale_16:
// multiplier in [2^14, 2^15)). Hand-checked numbers:
//   s_in = 0.5 (i16, zero point 0); s_w = {0.25, 0.125}; s_out = 1.0 (i16).
//   weights: 1.0 / 0.25 = 4, -0.375 / 0.125 = -3.
//   bias:    1.0 / (0.5 * 0.25) = 8, -0.5 / (0.5 * 0.125) = -8 (i48).
//   m[0] = 0.5 * 0.25 / 1.0 = 0.125  = 2^14 * 2^-17 -> (16384, 17)
//   m[1] = 0.5 * 0.125 / 1.0 = 0.0625 = 2^14 * 2^-18 -> (16384, 18)
//   ReLU [0, FLT_MAX] -> [0, 32767]. The input and output zero points are
//   one i16 constant 0.

// CHECK-LABEL: func.func @conv2d_i16_i8
// CHECK-SAME: (%[[ARG:.*]]: tensor<1x2x2x1xi16> {tessera.dtype = "int16", tessera.scale = 5.000000e-01 : f64, tessera.zero_point = 0 : i64})
// CHECK-SAME: -> (tensor<1x2x2x2xi16> {tessera.dtype = "int16", tessera.scale = 1.000000e+00 : f64, tessera.zero_point = 0 : i64})
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4]]], {{\[\[\[}}-3]]]]> : tensor<2x1x1x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[8, -8]> : tensor<2xi48>}>
// CHECK-DAG: %[[IZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi16>}>
// CHECK-DAG: %[[WZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-DAG: %[[MUL:.*]] = "tosa.const"() <{values = dense<16384> : tensor<2xi16>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<[17, 18]> : tensor<2xi8>}>
// CHECK-DAG: %[[ACCZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi48>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %[[ARG]], %[[W]], %[[B]], %[[IZP]], %[[WZP]] {acc_type = i48, {{.*}}} : {{.*}} -> tensor<1x2x2x2xi48>
// CHECK: %[[R:.*]] = tosa.rescale %[[ACC]], %[[MUL]], %[[SHIFT]], %[[ACCZP]], %[[IZP]] {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = false} : {{.*}} -> tensor<1x2x2x2xi16>
// CHECK: %[[C:.*]] = tosa.clamp %[[R]] {max_val = 32767 : i16, min_val = 0 : i16, onnx.node = "relu_2"}
// CHECK: return %[[C]]
func.func @conv2d_i16_i8(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i16<-32767:32767>:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i16<-32767:32767>:f32, 0.5>> to tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[-0.375]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = quant.qcast %w : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>
  %wd = quant.dcast %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>> to tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[1.0, -0.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.conv2d %1, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, onnx.node = "conv_1"} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %3 = tosa.clamp %2 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, onnx.node = "relu_2"} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %4 = quant.qcast %3 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i16<-32767:32767>:f32, 1.0>>
  %5 = quant.dcast %4 : tensor<1x2x2x2x!quant.uniform<i16<-32767:32767>:f32, 1.0>> to tensor<1x2x2x2xf32>
  return %5 : tensor<1x2x2x2xf32>
}

// -----

// int16 weights (orin's int16_symmetric): i16 x i16 -> i48.
//   s_w = {2^-10, 2^-11}: weights 1.0 * 2^10 = 1024, -0.375 * 2^11 = -768.
//   bias 1.0 / (0.5 * 2^-10) = 2048, -0.5 / (0.5 * 2^-11) = -2048.
//   m[0] = 0.5 * 2^-10 = 2^-11 = 2^14 * 2^-25 -> (16384, 25); m[1] -> (16384, 26).
//   No activation: the clamp is the restricted storage range [-32767, 32767]
//   (the rescale saturates to [-32768, 32767]).

// CHECK-LABEL: func.func @conv2d_i16_i16
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1024]]], {{\[\[\[}}-768]]]]> : tensor<2x1x1x1xi16>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2048, -2048]> : tensor<2xi48>}>
// CHECK-DAG: %[[WZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi16>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<[25, 26]> : tensor<2xi8>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]], %{{.*}}, %[[WZP]] {acc_type = i48, {{.*}}} : {{.*}} -> tensor<1x2x2x2xi48>
// CHECK: %[[R:.*]] = tosa.rescale %[[ACC]], {{.*}} scale32 = false} : {{.*}} -> tensor<1x2x2x2xi16>
// CHECK: %[[C:.*]] = tosa.clamp %[[R]] {max_val = 32767 : i16, min_val = -32767 : i16}
// CHECK: return %[[C]]
func.func @conv2d_i16_i16(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i16<-32767:32767>:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i16<-32767:32767>:f32, 0.5>> to tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[-0.375]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = quant.qcast %w : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i16<-32767:32767>:f32:0, {0.0009765625, 0.00048828125}>>
  %wd = quant.dcast %wq : tensor<2x1x1x1x!quant.uniform<i16<-32767:32767>:f32:0, {0.0009765625, 0.00048828125}>> to tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[1.0, -0.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.conv2d %1, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %4 = quant.qcast %2 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i16<-32767:32767>:f32, 1.0>>
  %5 = quant.dcast %4 : tensor<1x2x2x2x!quant.uniform<i16<-32767:32767>:f32, 1.0>> to tensor<1x2x2x2xf32>
  return %5 : tensor<1x2x2x2xf32>
}

// -----

// add at int16: TFLite's int16 left shift 15 instead of 20.
//   s_1 = 0.5, s_2 = 0.25, s_out = 1.0; twice_max = 1.0.
//   input multipliers 0.5 * 2^15 = 2^14 = 2^30 * 2^-16 -> (1073741824, 16),
//                     0.25 * 2^15 = 2^13           -> (1073741824, 17);
//   output 1.0 / (2^15 * 1.0) = 2^-15 = 2^30 * 2^-45 -> (1073741824, 45).

// CHECK-LABEL: func.func @add_i16
// CHECK-DAG: %[[S1:.*]] = "tosa.const"() <{values = dense<16> : tensor<1xi8>}>
// CHECK-DAG: %[[S2:.*]] = "tosa.const"() <{values = dense<17> : tensor<1xi8>}>
// CHECK-DAG: %[[SO:.*]] = "tosa.const"() <{values = dense<45> : tensor<1xi8>}>
// CHECK: tosa.rescale %arg0, %{{.*}}, %[[S1]], {{.*}} -> tensor<4xi32>
// CHECK: tosa.rescale %arg1, %{{.*}}, %[[S2]], {{.*}} -> tensor<4xi32>
// CHECK: tosa.add {{.*}} -> tensor<4xi32>
// CHECK: tosa.rescale %{{.*}}, %{{.*}}, %[[SO]], {{.*}} scale32 = true} : {{.*}} -> tensor<4xi16>
func.func @add_i16(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i16<-32767:32767>:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i16<-32767:32767>:f32, 0.5>> to tensor<4xf32>
  %2 = quant.qcast %arg1 : tensor<4xf32> to tensor<4x!quant.uniform<i16<-32767:32767>:f32, 0.25>>
  %3 = quant.dcast %2 : tensor<4x!quant.uniform<i16<-32767:32767>:f32, 0.25>> to tensor<4xf32>
  %4 = tosa.add %1, %3 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %5 = quant.qcast %4 : tensor<4xf32> to tensor<4x!quant.uniform<i16<-32767:32767>:f32, 1.0>>
  %6 = quant.dcast %5 : tensor<4x!quant.uniform<i16<-32767:32767>:f32, 1.0>> to tensor<4xf32>
  return %6 : tensor<4xf32>
}
