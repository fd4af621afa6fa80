// RUN: tessera-opt --split-input-file --tessera-lower-to-npu %s | FileCheck %s

// A stand-alone integer pad (a rank-3 ONNX Pad, mode constant, value -5 as
// i8) is, per padded axis outermost first, a concat of splat constant
// blocks of the pad value and the tensor; codegen copies the blocks from
// the constant image. [1, 4, 3] padded by (1, 0) on axis 1 and (0, 2) on
// axis 2: a [1, 1, 3] block above ([1, 5, 3]), a [1, 5, 2] block to the
// right ([1, 5, 5]). Axis 1 has only unit dimensions before it and axis 2 is
// innermost: both concats are direct.

// CHECK: module attributes {npu.layers = [{name = "pad", op_type = "Concat"}]}
// CHECK-LABEL: func.func @pad_rank3
// CHECK-DAG: %[[RIGHT:.*]] = "tosa.const"() <{values = dense<-5> : tensor<1x5x2xi8>}>
// CHECK-DAG: %[[TOP:.*]] = "tosa.const"() <{values = dense<-5> : tensor<1x1x3xi8>}>
// CHECK: %[[H:.*]] = npu.concat %[[TOP]], %arg0 {axis = 1 : i64, layer = 0 : i64} : (tensor<1x1x3xi8>, tensor<1x4x3xi8>) -> tensor<1x5x3xi8>
// CHECK: %[[W:.*]] = npu.concat %[[H]], %[[RIGHT]] {axis = 2 : i64, layer = 0 : i64} : (tensor<1x5x3xi8>, tensor<1x5x2xi8>) -> tensor<1x5x5xi8>
// CHECK-NOT: tosa.pad
// CHECK: return %[[W]]
func.func @pad_rank3(%x: tensor<1x4x3xi8>) -> tensor<1x5x5xi8> {
  %p = tosa.const_shape {values = dense<[0, 0, 1, 0, 0, 2]> : tensor<6xindex>} : () -> !tosa.shape<6>
  %v = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.pad %x, %p, %v : (tensor<1x4x3xi8>, !tosa.shape<6>, tensor<1xi8>) -> tensor<1x5x5xi8> loc("pad")
  return %y : tensor<1x5x5xi8>
}

// -----

// A concat of a constant block and an activation along W of NHWC (outer
// dimensions N x H = 2 > 1, the W border of a rank-4 constant Pad): the
// row-major views [2, W * C] are concatenated along their innermost axis,
// the constant's view an npu.reshape of it.

// CHECK-LABEL: func.func @constant_block_outer_axis
// CHECK-DAG: %[[C:.*]] = "tosa.const"() <{values = dense<7> : tensor<1x2x1x3xi8>}>
// CHECK-DAG: %[[VC:.*]] = npu.reshape %[[C]] {layer = 0 : i64} : (tensor<1x2x1x3xi8>) -> tensor<2x3xi8>
// CHECK-DAG: %[[VX:.*]] = npu.reshape %arg0 {layer = 0 : i64} : (tensor<1x2x2x3xi8>) -> tensor<2x6xi8>
// CHECK: %[[CAT:.*]] = npu.concat %[[VX]], %[[VC]] {axis = 1 : i64, layer = 0 : i64} : (tensor<2x6xi8>, tensor<2x3xi8>) -> tensor<2x9xi8>
// CHECK: %[[Y:.*]] = npu.reshape %[[CAT]] {layer = 0 : i64} : (tensor<2x9xi8>) -> tensor<1x2x3x3xi8>
// CHECK: return %[[Y]]
func.func @constant_block_outer_axis(%x: tensor<1x2x2x3xi8>) -> tensor<1x2x3x3xi8> {
  %c = "tosa.const"() {values = dense<7> : tensor<1x2x1x3xi8>} : () -> tensor<1x2x1x3xi8>
  %y = tosa.concat %x, %c {axis = 2 : i32} : (tensor<1x2x2x3xi8>, tensor<1x2x1x3xi8>) -> tensor<1x2x3x3xi8> loc("cat")
  return %y : tensor<1x2x3x3xi8>
}

// -----

// A pad by the conv's input zero point before a conv is still absorbed
// into the conv's own padding (the pad pattern runs in the second phase).

// CHECK-LABEL: func.func @pad_into_conv
// CHECK-NOT: npu.concat
// CHECK: npu.conv2d %arg0
// CHECK-SAME: pad = array<i64: 1, 0, 0, 1>
func.func @pad_into_conv(%x: tensor<1x3x3x1xi8>) -> tensor<1x4x4x1xi8> {
  %p = tosa.const_shape {values = dense<[0, 0, 1, 0, 0, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %izp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %xp = tosa.pad %x, %p, %izp : (tensor<1x3x3x1xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x4x4x1xi8>
  %w = "tosa.const"() {values = dense<1> : tensor<1x1x1x1xi8>} : () -> tensor<1x1x1x1xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.conv2d %xp, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x1xi32> loc("conv")
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %c, %m, %s, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x1xi8> loc("conv")
  return %r : tensor<1x4x4x1xi8>
}
