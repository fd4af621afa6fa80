// RUN: tessera-opt --tessera-lower-to-npu %s | FileCheck %s

// An i8 reduce_min runs as ReduceMax does (LowerPool.cpp): the input viewed
// as [1, outer, R, inner] = [1, 2, 3, 1] and a 1 x R = 1 x 3 POOL min
// (docs/isa.md POOL mode min; its arithmetic is checked by hand in
// tests/unit/sim/CompareTest.cpp, MinPool).
// CHECK: module attributes {npu.layers = [{name = "rmin", op_type = "ReduceMin"}]}
// CHECK-LABEL: func.func @reduce_min
// CHECK: npu.reshape %arg0 {{.*}} : (tensor<2x3xi8>) -> tensor<1x2x3x1xi8>
// CHECK: npu.pool %{{.*}} {input_zp = 0 : i64, kernel = array<i64: 1, 3>, kind = "min", layer = 0 : i64, output_zp = 0 : i64, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x3x1xi8>) -> tensor<1x2x1x1xi8>
// CHECK: npu.reshape %{{.*}} : (tensor<1x2x1x1xi8>) -> tensor<2x1xi8>
func.func @reduce_min(%x: tensor<2x3xi8>) -> tensor<2x1xi8> {
  %m = tosa.reduce_min %x {axis = 1 : i32, onnx.node = "rmin"} : (tensor<2x3xi8>) -> tensor<2x1xi8>
  return %m : tensor<2x1xi8>
}
