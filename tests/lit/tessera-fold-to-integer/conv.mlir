// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s --check-prefix=NOQUANT
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | mlir-opt --split-input-file --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// NOQUANT-NOT: quant.
// NOQUANT-NOT: f32

// Hand-checked numbers (TOSA multiplier convention m = multiplier * 2^-shift,
// multiplier in [2^30, 2^31)):
//   s_in = 0.5, z_in = 3; s_w = {0.25, 0.125} (axis 0 = output channel);
//   s_out = 1.0, z_out = -5.
//   weights: 1.0 / 0.25 = 4, -0.375 / 0.125 = -3.
//   bias:    1.0 / (0.5 * 0.25) = 8, -0.5 / (0.5 * 0.125) = -8.
//   m[0] = 0.5 * 0.25 / 1.0 = 0.125  = 2^30 * 2^-33 -> (1073741824, 33)
//   m[1] = 0.5 * 0.125 / 1.0 = 0.0625 = 2^30 * 2^-34 -> (1073741824, 34)
//   ReLU [0, FLT_MAX] -> [z_out, 127] = [-5, 127].
// The integer conv and clamp keep the front end's `onnx.node` attribute.

// CHECK-LABEL: func.func @conv2d_per_channel_relu
// CHECK-SAME: (%[[ARG:.*]]: tensor<1x2x2x1xi8> {tessera.dtype = "int8", tessera.scale = 5.000000e-01 : f64, tessera.zero_point = 3 : i64})
// CHECK-SAME: -> (tensor<1x2x2x2xi8> {tessera.dtype = "int8", tessera.scale = 1.000000e+00 : f64, tessera.zero_point = -5 : i64})
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4]]], {{\[\[\[}}-3]]]]> : tensor<2x1x1x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[8, -8]> : tensor<2xi32>}>
// CHECK-DAG: %[[IZP:.*]] = "tosa.const"() <{values = dense<3> : tensor<1xi8>}>
// CHECK-DAG: %[[WZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-DAG: %[[MUL:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<2xi32>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<[33, 34]> : tensor<2xi8>}>
// CHECK-DAG: %[[ACCZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi32>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<-5> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %[[ARG]], %[[W]], %[[B]], %[[IZP]], %[[WZP]] {acc_type = i32, dilation = array<i64: 1, 1>, onnx.node = "conv_1", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : {{.*}} -> tensor<1x2x2x2xi32>
// CHECK: %[[R:.*]] = tosa.rescale %[[ACC]], %[[MUL]], %[[SHIFT]], %[[ACCZP]], %[[OZP]] {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : {{.*}} -> tensor<1x2x2x2xi8>
// CHECK: %[[C:.*]] = tosa.clamp %[[R]] {max_val = 127 : i8, min_val = -5 : i8, onnx.node = "relu_2"}
// CHECK: return %[[C]]
func.func @conv2d_per_channel_relu(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:3>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:3>> to tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[-0.375]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = quant.qcast %w : tensor<2x1x1x1xf32> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>
  %wd = quant.dcast %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>> to tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[1.0, -0.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.conv2d %1, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, onnx.node = "conv_1"} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %3 = tosa.clamp %2 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, onnx.node = "relu_2"} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %4 = quant.qcast %3 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>>
  %5 = quant.dcast %4 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0:-5>> to tensor<1x2x2x2xf32>
  return %5 : tensor<1x2x2x2xf32>
}

// -----

// Per-tensor weight, no activation: one multiplier (per_channel = false) and
// no clamp. Weights are quantized here, round half to even:
//   0.25 / 0.5 = 0.5 -> 0, 0.75 / 0.5 = 1.5 -> 2, -0.75 / 0.5 -> -2,
//   100 / 0.5 = 200 -> 127 (storage range [-127, 127]).
//   s_in = 0.25, s_out = 0.5: m = 0.25 * 0.5 / 0.5 = 0.25 -> (1073741824, 32).
//   bias 0.375 / (0.25 * 0.5) = 3.

// CHECK-LABEL: func.func @conv2d_per_tensor_weight_rounding
// CHECK-DAG: "tosa.const"() <{values = dense<{{\[\[\[\[}}0, 2, -2, 127]]]]> : tensor<1x1x1x4xi8>}>
// CHECK-DAG: "tosa.const"() <{values = dense<3> : tensor<1xi32>}>
// CHECK-DAG: %[[MUL:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<32> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d
// CHECK: %[[R:.*]] = tosa.rescale %[[ACC]], %[[MUL]], %[[SHIFT]], {{.*}} per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true
// CHECK-NOT: tosa.clamp
// CHECK: return %[[R]]
func.func @conv2d_per_tensor_weight_rounding(%arg0: tensor<1x1x1x4xf32>) -> tensor<1x1x1x1xf32> {
  %0 = quant.qcast %arg0 : tensor<1x1x1x4xf32> to tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25>>
  %1 = quant.dcast %0 : tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25>> to tensor<1x1x1x4xf32>
  %w = "tosa.const"() {values = dense<[[[[0.25, 0.75, -0.75, 100.0]]]]> : tensor<1x1x1x4xf32>} : () -> tensor<1x1x1x4xf32>
  %wq = quant.qcast %w : tensor<1x1x1x4xf32> to tensor<1x1x1x4x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %wd = quant.dcast %wq : tensor<1x1x1x4x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<1x1x1x4xf32>
  %b = "tosa.const"() {values = dense<0.375> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.conv2d %1, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %3 = quant.qcast %2 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %4 = quant.dcast %3 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  return %4 : tensor<1x1x1x1xf32>
}

// -----

// Depthwise weight [KH, KW, C, M] = [1, 1, 2, 1], per-axis on C (axis 2).
//   s_in = 1.0, z_in = 0; s_w = {0.5, 0.25}; s_out = 0.1, z_out = -128.
//   weights: 1.0 / 0.5 = 2, 0.5 / 0.25 = 2.   bias: 0.
//   m[0] = 1.0 * 0.5 / 0.1 = 5   = 1.25 * 2^2 -> (1.25 * 2^30 = 1342177280, 28)
//   m[1] = 1.0 * 0.25 / 0.1 = 2.5 = 1.25 * 2^1 -> (1342177280, 29)
//   ReLU6 [0, 6] -> [-128, -128 + round(6 / 0.1)] = [-128, -68].

// CHECK-LABEL: func.func @depthwise_relu6
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<2> : tensor<1x1x2x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<0> : tensor<2xi32>}>
// CHECK-DAG: %[[MUL:.*]] = "tosa.const"() <{values = dense<1342177280> : tensor<2xi32>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<[28, 29]> : tensor<2xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.depthwise_conv2d %{{.*}}, %[[W]], %[[B]], {{.*}} {acc_type = i32, {{.*}}} : {{.*}} -> tensor<1x3x3x2xi32>
// CHECK: %[[R:.*]] = tosa.rescale %[[ACC]], %[[MUL]], %[[SHIFT]], %{{.*}}, %[[OZP]] {{.*}}per_channel = true
// CHECK: tosa.clamp %[[R]] {max_val = -68 : i8, min_val = -128 : i8}
func.func @depthwise_relu6(%arg0: tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x3x3x2xf32> to tensor<1x3x3x2x!quant.uniform<i8:f32, 1.0>>
  %1 = quant.dcast %0 : tensor<1x3x3x2x!quant.uniform<i8:f32, 1.0>> to tensor<1x3x3x2xf32>
  %w = "tosa.const"() {values = dense<[[[[1.0], [0.5]]]]> : tensor<1x1x2x1xf32>} : () -> tensor<1x1x2x1xf32>
  %wq = quant.qcast %w : tensor<1x1x2x1xf32> to tensor<1x1x2x1x!quant.uniform<i8<-127:127>:f32:2, {0.5, 0.25}>>
  %wd = quant.dcast %wq : tensor<1x1x2x1x!quant.uniform<i8<-127:127>:f32:2, {0.5, 0.25}>> to tensor<1x1x2x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.depthwise_conv2d %1, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x2xf32>
  %3 = tosa.clamp %2 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %4 = quant.qcast %3 : tensor<1x3x3x2xf32> to tensor<1x3x3x2x!quant.uniform<i8:f32, 0.1:-128>>
  %5 = quant.dcast %4 : tensor<1x3x3x2x!quant.uniform<i8:f32, 0.1:-128>> to tensor<1x3x3x2xf32>
  return %5 : tensor<1x3x3x2xf32>
}

// -----

// Depthwise with C = 1, M = 2: output channel oc = m, quantized along M
// (axis 3). s_in = 0.5, s_w = {0.5, 1.0}, s_out = 1.0:
//   m = {0.25, 0.5} -> (1073741824, 32), (1073741824, 31).

// CHECK-LABEL: func.func @depthwise_multiplier_axis
// CHECK-DAG: "tosa.const"() <{values = dense<[31, 32]> : tensor<2xi8>}>
// CHECK: tosa.depthwise_conv2d {{.*}} -> tensor<1x2x2x2xi32>
func.func @depthwise_multiplier_axis(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %wq = quant.qcast %w : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8<-127:127>:f32:3, {1.0, 0.5}>>
  %wd = quant.dcast %wq : tensor<1x1x1x2x!quant.uniform<i8<-127:127>:f32:3, {1.0, 0.5}>> to tensor<1x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.depthwise_conv2d %1, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %3 = quant.qcast %2 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>
  %4 = quant.dcast %3 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>> to tensor<1x2x2x2xf32>
  return %4 : tensor<1x2x2x2xf32>
}

// -----

// matmul a [1, 2, 3] (s = 0.5, z = 1) x b [1, 3, 2] per column (axis 2,
// s_b = {0.25, 0.5}) -> s_out = 1.0, z_out = 2:
//   b: 1.0 / 0.25 = 4, -1.0 / 0.5 = -2 (every row).
//   m = {0.125, 0.25} -> (1073741824, 33), (1073741824, 32).

// CHECK-LABEL: func.func @matmul_per_column
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}4, -2], [4, -2], [4, -2]]]> : tensor<1x3x2xi8>}>
// CHECK-DAG: %[[AZP:.*]] = "tosa.const"() <{values = dense<1> : tensor<1xi8>}>
// CHECK-DAG: %[[BZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<[33, 32]> : tensor<2xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<2> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.matmul %{{.*}}, %[[B]], %[[AZP]], %[[BZP]] : {{.*}} -> tensor<1x2x2xi32>
// CHECK: tosa.rescale %[[ACC]], %{{.*}}, %[[SHIFT]], %{{.*}}, %[[OZP]] {{.*}}per_channel = true
func.func @matmul_per_column(%arg0: tensor<1x2x3xf32>) -> tensor<1x2x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x3xf32> to tensor<1x2x3x!quant.uniform<i8:f32, 0.5:1>>
  %1 = quant.dcast %0 : tensor<1x2x3x!quant.uniform<i8:f32, 0.5:1>> to tensor<1x2x3xf32>
  %w = "tosa.const"() {values = dense<[[[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]]]> : tensor<1x3x2xf32>} : () -> tensor<1x3x2xf32>
  %wq = quant.qcast %w : tensor<1x3x2xf32> to tensor<1x3x2x!quant.uniform<i8<-127:127>:f32:2, {0.25, 0.5}>>
  %wd = quant.dcast %wq : tensor<1x3x2x!quant.uniform<i8<-127:127>:f32:2, {0.25, 0.5}>> to tensor<1x3x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.matmul %1, %wd, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  %3 = quant.qcast %2 : tensor<1x2x2xf32> to tensor<1x2x2x!quant.uniform<i8:f32, 1.0:2>>
  %4 = quant.dcast %3 : tensor<1x2x2x!quant.uniform<i8:f32, 1.0:2>> to tensor<1x2x2xf32>
  return %4 : tensor<1x2x2xf32>
}
