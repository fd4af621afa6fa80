// RUN: tessera-opt --tessera-npu-tile="sram-bytes=1024" %s | FileCheck %s

// A global average pool whose whole plane does not fit is tiled by channels
// (pool channels are independent): 16 x 16 pixels x c channels of input
// plus the c output bytes (one 64-byte region). c = 4: 1024 + 64 > 1024;
// c = 3 (ceil(8 / 3)): 768 + 64 = 832 fits one slot (two would need 1664).
// CHECK-LABEL: func.func @global_pool
// CHECK: npu.pool {{.*}}double_buffer = false{{.*}}tile_channels = 3 : i64, tile_rows = 1 : i64

// A mul whose b is a [1, 1, 1, C] vector loads it once (C bytes, one 64-byte
// parameter region); each row of 8 elements needs only a and out (16
// bytes), so all 16 rows fit one tile (256 bytes + 64), which is not
// double buffered (no double_buffer attribute).
// CHECK: npu.mul
// CHECK-NOT: double_buffer
// CHECK-SAME: tile_rows = 16 : i64
module attributes {npu.layers = [{name = "gap", op_type = "GlobalAveragePool"}, {name = "se", op_type = "Mul"}]} {
func.func @global_pool(%in: tensor<1x16x16x8xi8>, %g: tensor<1x1x1x8xi8>, %x: tensor<1x4x4x8xi8>)
    -> (tensor<1x1x1x8xi8>, tensor<1x4x4x8xi8>) {
  %0 = npu.pool %in {kind = "avg", kernel = array<i64: 16, 16>,
      stride = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>,
      input_zp = 0, output_zp = 0, multiplier = 1073741824, shift = 38,
      layer = 0} : (tensor<1x16x16x8xi8>) -> tensor<1x1x1x8xi8>
  %1 = npu.mul %x, %g {a_zp = 0, b_zp = 0, output_zp = 0,
      multiplier = 1073741824 : i32, shift = 37 : i32, double_round = false,
      clamp_min = -128, clamp_max = 127, layer = 1}
      : (tensor<1x4x4x8xi8>, tensor<1x1x1x8xi8>) -> tensor<1x4x4x8xi8>
  return %0, %1 : tensor<1x1x1x8xi8>, tensor<1x4x4x8xi8>
}
}
