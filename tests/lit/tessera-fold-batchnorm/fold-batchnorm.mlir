// RUN: tessera-opt --split-input-file --tessera-fold-batchnorm %s | FileCheck %s

// BatchNormalization as imported (x * s + t, per channel, NHWC) after a
// conv2d folds into the conv: W' = W * s per output channel, b' = b * s + t.
//   W = [2, 3], b = [1, -1], s = [0.5, 2], t = [10, 20]
//   W' = [1, 6], b' = [1 * 0.5 + 10, -1 * 2 + 20] = [10.5, 18].
// The conv takes over the add's onnx.output/onnx.layout and lists the BN.

// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}{{\[}}{{\[}}[1.000000e+00]]], {{\[}}{{\[}}[6.000000e+00]]]]> : tensor<2x1x1x1xf32>}> {onnx.node = "c0"}
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1.050000e+01, 1.800000e+01]> : tensor<2xf32>}> {onnx.node = "c0"}
// CHECK: %[[C:.*]] = tosa.conv2d %arg0, %[[W]], %[[B]], %{{.*}}, %{{.*}} {acc_type = f32, dilation = array<i64: 1, 1>, onnx.fused = ["bn0"], onnx.layout = "NHWC", onnx.node = "c0", onnx.output = "y", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
// CHECK-NEXT: return %[[C]]
// CHECK-NOT: tosa.mul
func.func @conv_bn(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, onnx.node = "c0", onnx.output = "c", onnx.layout = "NHWC"} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %s = "tosa.const"() {values = dense<[[[[0.5, 2.0]]]]> : tensor<1x1x1x2xf32>, onnx.node = "bn0"} : () -> tensor<1x1x1x2xf32>
  %t = "tosa.const"() {values = dense<[[[[10.0, 20.0]]]]> : tensor<1x1x1x2xf32>, onnx.node = "bn0"} : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>, onnx.node = "bn0"} : () -> tensor<1xi8>
  %m = tosa.mul %c, %s, %shift {onnx.node = "bn0"} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %y = tosa.add %m, %t {onnx.node = "bn0", onnx.output = "y", onnx.layout = "NHWC"} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Depthwise: output channel c * M + m; the weight is [KH, KW, C, M], so s is
// laid out as [1, 1, C, M]. W = all ones, s = [1, 2, 3, 4] (C = 2, M = 2)
//   W' = [[1, 2], [3, 4]], b' = [0, 0, 0, 0] * s = 0.
// The constant may come first.

// CHECK-LABEL: func.func @depthwise_scale_first
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}{{\[}}{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]]]> : tensor<1x1x2x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<4xf32>}>
// CHECK: %[[C:.*]] = tosa.depthwise_conv2d %arg0, %[[W]], %[[B]]
// CHECK-NEXT: return %[[C]]
func.func @depthwise_scale_first(%arg0: tensor<1x2x2x2xf32>) -> tensor<1x2x2x4xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x1x2x2xf32>} : () -> tensor<1x1x2x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.depthwise_conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32>
  %s = "tosa.const"() {values = dense<[[[[1.0, 2.0, 3.0, 4.0]]]]> : tensor<1x1x1x4xf32>} : () -> tensor<1x1x1x4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %s, %c, %shift : (tensor<1x1x1x4xf32>, tensor<1x2x2x4xf32>, tensor<1xi8>) -> tensor<1x2x2x4xf32>
  return %m : tensor<1x2x2x4xf32>
}

// -----

// A scalar ([1, 1, 1, 1]) multiplier scales every channel; an add alone goes
// into the bias. W = [2, 3] * 4 = [8, 12]; b = ([1, -1] * 4) + [0.5, 0.5].

// CHECK-LABEL: func.func @scalar_then_add
// CHECK-DAG: "tosa.const"() <{values = dense<{{\[}}{{\[}}{{\[}}[8.000000e+00]]], {{\[}}{{\[}}[1.200000e+01]]]]> : tensor<2x1x1x1xf32>}>
// CHECK-DAG: "tosa.const"() <{values = dense<[4.500000e+00, -3.500000e+00]> : tensor<2xf32>}>
// CHECK: tosa.conv2d
// CHECK-NEXT: return
func.func @scalar_then_add(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %s = "tosa.const"() {values = dense<4.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %c, %s, %shift : (tensor<1x2x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %t = "tosa.const"() {values = dense<0.5> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %y = tosa.add %t, %m : (tensor<1x1x1x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Not folded: the conv result has another user; the constant varies over
// H and W (not per channel); the constant broadcasts a one-channel conv to
// two channels.

// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-3: tosa.mul
func.func @not_folded(%arg0: tensor<1x2x2x1xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = "tosa.const"() {values = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = "tosa.const"() {values = dense<4.0> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %c0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %m0 = tosa.mul %c0, %s, %shift : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %c1 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %hw = "tosa.const"() {values = dense<[[[[1.0, 1.0], [2.0, 2.0]], [[3.0, 3.0], [4.0, 4.0]]]]> : tensor<1x2x2x2xf32>} : () -> tensor<1x2x2x2xf32>
  %m1 = tosa.mul %c1, %hw, %shift : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %w1 = "tosa.const"() {values = dense<2.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b1 = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c2 = tosa.conv2d %arg0, %w1, %b1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %m2 = tosa.mul %c2, %s, %shift : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  return %m0, %c0, %m1, %m2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// transpose_conv2d weights are [OC, KH, KW, IC] like conv2d: W = [1, 2] for
// OC 0, [3, 4] for OC 1 (1x2 kernel, one input channel), b = [1, -1],
// s = [0.5, 2], t = [10, 20] -> W' = [0.5, 1], [6, 8];
// b' = [1 * 0.5 + 10, -1 * 2 + 20] = [10.5, 18].
// CHECK-LABEL: func.func @transpose_conv_bn
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}5.000000e-01], [1.000000e+00]]], {{\[\[\[}}6.000000e+00], [8.000000e+00]]]]> : tensor<2x1x2x1xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1.050000e+01, 1.800000e+01]> : tensor<2xf32>}>
// CHECK: %[[C:.*]] = tosa.transpose_conv2d %arg0, %[[W]], %[[B]], {{.*}}onnx.fused = ["bn1"]
// CHECK-NEXT: return %[[C]]
func.func @transpose_conv_bn(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x3x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [2.0]]], [[[3.0], [4.0]]]]> : tensor<2x1x2x1xf32>} : () -> tensor<2x1x2x1xf32>
  %b = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.transpose_conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, onnx.node = "ct1", onnx.output = "c", onnx.layout = "NHWC"} : (tensor<1x2x2x1xf32>, tensor<2x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x4x2xf32>
  %s = "tosa.const"() {values = dense<[[[[0.5, 2.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %t = "tosa.const"() {values = dense<[[[[10.0, 20.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %c, %s, %shift {onnx.node = "bn1"} : (tensor<1x3x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x3x4x2xf32>
  %y = tosa.add %m, %t {onnx.node = "bn1", onnx.output = "y", onnx.layout = "NHWC"} : (tensor<1x3x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x3x4x2xf32>
  return %y : tensor<1x3x4x2xf32>
}
