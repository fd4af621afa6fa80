// RUN: tessera-opt --split-input-file --tessera-decompose-transpose-conv --tessera-fold-constants --tessera-dce %s | FileCheck %s

// Stride 2, kernel 2x2, one channel: x = [[1, 2], [3, 4]],
// W = [[1, 10], [100, 1000]], bias 0.5. Each input pixel v writes the block
// v * W (ONNX/TOSA scatter), so the output phase (sy, sx) of pixel (y, x) is
// x[y, x] * W[sy, sx]: one 1x1 stride-1 conv2d with 4 = 2 * 2 * 1 output
// channels whose weights are W in (sy, sx) order, zero bias; depth-to-space
// as reshape [1, 2, 2, 2, 2, 1], transpose (0, 1, 3, 2, 4, 5), reshape
// [1, 4, 4, 1]; the bias as an add of [1, 1, 1, 1]. The add takes over the
// transpose_conv2d's onnx.output/onnx.layout; every op keeps onnx.node.
// CHECK-LABEL: func.func @stride2
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}1.000000e+01]]], {{\[\[\[}}1.000000e+02]]], {{\[\[\[}}1.000000e+03]]]]> : tensor<4x1x1x1xf32>}>
// CHECK-DAG: %[[B0:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<4xf32>}>
// CHECK: %[[C:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B0]], {{.*}} {acc_type = f32, dilation = array<i64: 1, 1>, onnx.node = "ct0", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : ({{.*}}) -> tensor<1x2x2x4xf32>
// CHECK: %[[R:.*]] = tosa.reshape %[[C]], {{.*}} -> tensor<1x2x2x2x2x1xf32>
// CHECK: %[[T:.*]] = tosa.transpose %[[R]] {onnx.node = "ct0", perms = array<i32: 0, 1, 3, 2, 4, 5>} : (tensor<1x2x2x2x2x1xf32>) -> tensor<1x2x2x2x2x1xf32>
// CHECK: %[[R2:.*]] = tosa.reshape %[[T]], {{.*}} -> tensor<1x4x4x1xf32>
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1x1x1xf32>}>
// CHECK: %[[A:.*]] = tosa.add %[[R2]], %[[B]] {onnx.layout = "NHWC", onnx.node = "ct0", onnx.output = "y"} : (tensor<1x4x4x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x4x1xf32>
// CHECK: return %[[A]]
// CHECK-NOT: tosa.transpose_conv2d
func.func @stride2(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [10.0]], [[100.0], [1000.0]]]]> : tensor<1x2x2x1xf32>, onnx.node = "ct0"} : () -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() {values = dense<0.5> : tensor<1xf32>, onnx.node = "ct0"} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, onnx.node = "ct0", onnx.output = "y", onnx.layout = "NHWC"} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

// Stride 1 is a plain convolution with the kernel reversed in both spatial
// dims (scatter = correlation with the flipped kernel) and pad K - 1 +
// out_pad on each side: W = [[1, 2], [3, 4]] -> [[4, 3], [2, 1]]; out_pad
// [-1, 0, 0, -1] -> pad [0, 1, 1, 0]; the bias stays in the conv.
// CHECK-LABEL: func.func @stride1
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4.000000e+00], [3.000000e+00]], {{\[\[}}2.000000e+00], [1.000000e+00]]]]> : tensor<1x2x2x1xf32>}>
// CHECK: %[[C:.*]] = tosa.conv2d %arg0, %[[W]], {{.*}} {acc_type = f32, dilation = array<i64: 1, 1>, onnx.layout = "NHWC", onnx.node = "ct1", onnx.output = "y", pad = array<i64: 0, 1, 1, 0>, stride = array<i64: 1, 1>} : ({{.*}}) -> tensor<1x3x3x1xf32>
// CHECK: return %[[C]]
func.func @stride1(%x: tensor<1x3x3x1xf32>) -> tensor<1x3x3x1xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [2.0]], [[3.0], [4.0]]]]> : tensor<1x2x2x1xf32>} : () -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: -1, 0, 0, -1>, stride = array<i64: 1, 1>, onnx.node = "ct1", onnx.output = "y", onnx.layout = "NHWC"} : (tensor<1x3x3x1xf32>, tensor<1x2x2x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x1xf32>
  return %y : tensor<1x3x3x1xf32>
}
