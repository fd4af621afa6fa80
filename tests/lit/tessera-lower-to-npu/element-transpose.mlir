// RUN: tessera-opt --split-input-file --tessera-lower-to-npu %s | FileCheck %s

// A transpose that moves the innermost dimension (here NHWC -> NCHW inside
// the body, before a Flatten) moves single elements: it becomes the row
// transpose of the view with a trailing unit dimension, each row one element
// (docs/lowering.md). The perms gain the new innermost dimension 4.
// CHECK-LABEL: func.func @inner_transpose
// CHECK: %[[P:.*]] = npu.pool
// CHECK: %[[V:.*]] = npu.reshape %[[P]] {layer = [[L:[0-9]+]] : i64} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2x1xi8>
// CHECK: %[[T:.*]] = npu.transpose %[[V]] {layer = [[L]] : i64, perms = array<i64: 0, 3, 2, 1, 4>} : (tensor<1x4x4x2x1xi8>) -> tensor<1x2x4x4x1xi8>
// CHECK: %[[R:.*]] = npu.reshape %[[T]] {layer = [[L]] : i64} : (tensor<1x2x4x4x1xi8>) -> tensor<1x2x4x4xi8>
// CHECK: return %[[R]]
func.func @inner_transpose(%x: tensor<1x4x4x2xi8>) -> tensor<1x2x4x4xi8> {
  %mp = tosa.max_pool2d %x {kernel = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, onnx.node = "p"} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8>
  %t = tosa.transpose %mp {perms = array<i32: 0, 3, 2, 1>, onnx.node = "t"} : (tensor<1x4x4x2xi8>) -> tensor<1x2x4x4xi8>
  return %t : tensor<1x2x4x4xi8>
}

// -----

// A rank-3 NCW argument (a 1-D model's input) to NWC: [1, C, W] -> [1, W, C].
// CHECK-LABEL: func.func @ncw_to_nwc
// CHECK: %[[V:.*]] = npu.reshape %{{.*}} : (tensor<1x3x5xi8>) -> tensor<1x3x5x1xi8>
// CHECK: npu.transpose %[[V]] {{{.*}}perms = array<i64: 0, 2, 1, 3>} : (tensor<1x3x5x1xi8>) -> tensor<1x5x3x1xi8>
func.func @ncw_to_nwc(%x: tensor<1x3x5xi8>) -> tensor<1x5x3xi8> {
  %t = tosa.transpose %x {perms = array<i32: 0, 2, 1>, onnx.node = "t"} : (tensor<1x3x5xi8>) -> tensor<1x5x3xi8>
  return %t : tensor<1x5x3xi8>
}

// -----

// YOLO's transpose-reshape-transpose chain still folds into one row
// transpose (the element form runs only after every other rewrite).
// CHECK-LABEL: func.func @yolo_chain
// CHECK: %[[V:.*]] = npu.reshape %{{.*}} : (tensor<1x2x2x6xi8>) -> tensor<1x2x2x2x3xi8>
// CHECK: npu.transpose %[[V]] {{{.*}}perms = array<i64: 0, 3, 1, 2, 4>} : (tensor<1x2x2x2x3xi8>) -> tensor<1x2x2x2x3xi8>
// CHECK-NOT: npu.transpose
func.func @yolo_chain(%x: tensor<1x2x2x6xi8>) -> tensor<1x2x2x2x3xi8> {
  %mp = tosa.max_pool2d %x {kernel = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, onnx.node = "p"} : (tensor<1x2x2x6xi8>) -> tensor<1x2x2x6xi8>
  %t1 = tosa.transpose %mp {perms = array<i32: 0, 3, 1, 2>, onnx.node = "t1"} : (tensor<1x2x2x6xi8>) -> tensor<1x6x2x2xi8>
  %s = tosa.const_shape {values = dense<[1, 2, 3, 2, 2]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %r = tosa.reshape %t1, %s {onnx.node = "r"} : (tensor<1x6x2x2xi8>, !tosa.shape<5>) -> tensor<1x2x3x2x2xi8>
  %t2 = tosa.transpose %r {perms = array<i32: 0, 1, 3, 4, 2>, onnx.node = "t2"} : (tensor<1x2x3x2x2xi8>) -> tensor<1x2x2x2x3xi8>
  return %t2 : tensor<1x2x2x2x3xi8>
}
