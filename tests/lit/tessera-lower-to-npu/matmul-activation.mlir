// RUN: tessera-opt --split-input-file --tessera-lower-to-npu %s | FileCheck %s

// A batched matmul of two activations is one grouped 1x1 conv (groups = the
// batch): a [2, 2, 3] moves to [2, 2, 3] rows-of-K order [M, B, K] and is
// viewed as [1, 2, 1, 6]; b [2, 3, 4] transposed to b^T [2, 4, 3] is the
// weights [8, 1, 1, 3] (an activation, not a constant) with b's zero point
// as weight_zp; the [1, 2, 1, 8] result is viewed as [M, B, N] and moved
// back to [B, M, N]. Per-column scales repeat per batch index.
// CHECK: module attributes {npu.layers = [{name = "mm", op_type = "MatMul"}]}
// CHECK-LABEL: func.func @batched
// CHECK: %[[AT:.*]] = npu.transpose %arg0 {layer = 0 : i64, perms = array<i64: 1, 0, 2>} : (tensor<2x2x3xi8>) -> tensor<2x2x3xi8>
// CHECK: %[[IN:.*]] = npu.reshape %[[AT]] {layer = 0 : i64} : (tensor<2x2x3xi8>) -> tensor<1x2x1x6xi8>
// CHECK: %[[B1:.*]] = npu.reshape %arg1 {{.*}} -> tensor<2x3x4x1xi8>
// CHECK: %[[BT:.*]] = npu.transpose %[[B1]] {layer = 0 : i64, perms = array<i64: 0, 2, 1, 3>} : (tensor<2x3x4x1xi8>) -> tensor<2x4x3x1xi8>
// CHECK: %[[B2:.*]] = npu.reshape %[[BT]] {{.*}} -> tensor<2x4x3xi8>
// CHECK: %[[W:.*]] = npu.reshape %[[B2]] {{.*}} -> tensor<8x1x1x3xi8>
// CHECK: %[[C:.*]] = npu.conv2d %[[IN]], %[[W]], %{{.*}} {
// CHECK-SAME: groups = 2 : i64, input_zp = 5 : i64
// CHECK-SAME: multiplier = array<i32: 1073741824, 1200000000, 1300000000, 1400000000, 1073741824, 1200000000, 1300000000, 1400000000>, output_zp = -3 : i64
// CHECK-SAME: shift = array<i32: 30, 31, 32, 33, 30, 31, 32, 33>
// CHECK-SAME: weight_zp = -7 : i64
// CHECK-SAME: (tensor<1x2x1x6xi8>, tensor<8x1x1x3xi8>, tensor<8xi32>) -> tensor<1x2x1x8xi8>
// CHECK: %[[V:.*]] = npu.reshape %[[C]] {{.*}} -> tensor<2x2x4xi8>
// CHECK: %[[Y:.*]] = npu.transpose %[[V]] {layer = 0 : i64, perms = array<i64: 1, 0, 2>} : (tensor<2x2x4xi8>) -> tensor<2x2x4xi8>
// CHECK: return %[[Y]]
module {
func.func @batched(%a: tensor<2x2x3xi8>, %b: tensor<2x3x4xi8>) -> tensor<2x2x4xi8> {
  %azp = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bzp = "tosa.const"() <{values = dense<-7> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = "tosa.const"() <{values = dense<[1073741824, 1200000000, 1300000000, 1400000000]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %s = "tosa.const"() <{values = dense<[30, 31, 32, 33]> : tensor<4xi8>}> : () -> tensor<4xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %acc = tosa.matmul %a, %b, %azp, %bzp : (tensor<2x2x3xi8>, tensor<2x3x4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x2x4xi32> loc("mm")
  %y = tosa.rescale %acc, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<2x2x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x2x4xi8> loc("mm")
  return %y : tensor<2x2x4xi8>
}
}

// -----

// Q x K^T with K^T = Transpose(K) behind the importer's batch reshape: the
// weights b^T are K itself, viewed (no transpose of single elements).
// CHECK: module attributes {npu.layers = [{name = "qk", op_type = "MatMul"}]}
// CHECK-LABEL: func.func @qkt
// CHECK-NOT: perms = array<i64: 0, 1, 3, 2
// CHECK: %[[W:.*]] = npu.reshape %arg1 {layer = 0 : i64} : (tensor<1x2x4x3xi8>) -> tensor<8x1x1x3xi8>
// CHECK: npu.conv2d %{{.*}}, %[[W]], %{{.*}} {{{.*}}groups = 2 : i64
module {
func.func @qkt(%q: tensor<1x2x4x3xi8>, %k: tensor<1x2x4x3xi8>) -> tensor<2x4x4xi8> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %kt = tosa.transpose %k {perms = array<i32: 0, 1, 3, 2>} : (tensor<1x2x4x3xi8>) -> tensor<1x2x3x4xi8> loc("kt")
  %s3 = tosa.const_shape {values = dense<[2, 4, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %q3 = tosa.reshape %q, %s3 : (tensor<1x2x4x3xi8>, !tosa.shape<3>) -> tensor<2x4x3xi8> loc("qk")
  %s4 = tosa.const_shape {values = dense<[2, 3, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %k3 = tosa.reshape %kt, %s4 : (tensor<1x2x3x4xi8>, !tosa.shape<3>) -> tensor<2x3x4xi8> loc("qk")
  %acc = tosa.matmul %q3, %k3, %zp, %zp : (tensor<2x4x3xi8>, tensor<2x3x4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x4x4xi32> loc("qk")
  %y = tosa.rescale %acc, %m, %s, %izp, %zp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<2x4x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x4x4xi8> loc("qk")
  return %y : tensor<2x4x4xi8>
}
}

// -----

// A constant b with a batch (B > 1) is the same grouped conv, its b^T
// written into the constant: w[b*N + n][k] = b[b][k][n].
// CHECK: module attributes {npu.layers = [{name = "mmc", op_type = "MatMul"}]}
// CHECK-LABEL: func.func @batched_constant
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1, 3]]], {{\[\[\[}}2, 4]]], {{\[\[\[}}5, 7]]], {{\[\[\[}}6, 8]]]]> : tensor<4x1x1x2xi8>}>
// CHECK: npu.conv2d %{{.*}}, %[[W]], %{{.*}} {{{.*}}groups = 2 : i64
// CHECK-SAME: -> tensor<1x1x1x4xi8>
module {
func.func @batched_constant(%a: tensor<2x1x2xi8>) -> tensor<2x1x2xi8> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %b = "tosa.const"() <{values = dense<[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]> : tensor<2x2x2xi8>}> : () -> tensor<2x2x2xi8>
  %acc = tosa.matmul %a, %b, %zp, %zp : (tensor<2x1x2xi8>, tensor<2x2x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x1x2xi32> loc("mmc")
  %y = tosa.rescale %acc, %m, %s, %izp, %zp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<2x1x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x1x2xi8> loc("mmc")
  return %y : tensor<2x1x2xi8>
}
}

// -----

// Q of attention: x [1, n, h, d] -> Transpose [1, h, n, d] -> the importer's
// [h, n, d]. The CONV reads a as [n, h, d], which is x itself: the two
// permutations compose to the identity and the input is a view of x (only
// b's element transpose is left).
// CHECK-LABEL: func.func @q_heads
// CHECK: %[[IN:.*]] = npu.reshape %arg0 {layer = 0 : i64} : (tensor<1x4x2x3xi8>) -> tensor<1x4x1x6xi8>
// CHECK-NOT: perms = array<i64: 1, 0, 2>
// CHECK: npu.conv2d %[[IN]], %{{.*}}, %{{.*}} {{{.*}}groups = 2 : i64
module {
func.func @q_heads(%x: tensor<1x4x2x3xi8>, %k: tensor<2x3x4xi8>) -> tensor<2x4x4xi8> {
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %q = tosa.transpose %x {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x4x2x3xi8>) -> tensor<1x2x4x3xi8> loc("q")
  %s3 = tosa.const_shape {values = dense<[2, 4, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %q3 = tosa.reshape %q, %s3 : (tensor<1x2x4x3xi8>, !tosa.shape<3>) -> tensor<2x4x3xi8> loc("qk")
  %acc = tosa.matmul %q3, %k, %zp, %zp : (tensor<2x4x3xi8>, tensor<2x3x4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x4x4xi32> loc("qk")
  %y = tosa.rescale %acc, %m, %s, %izp, %zp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<2x4x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x4x4xi8> loc("qk")
  return %y : tensor<2x4x4xi8>
}
}
