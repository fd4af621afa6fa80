// RUN: tessera-opt --tessera-npu-tile="sram-bytes=65536" %s | FileCheck %s --check-prefix=BIG
// RUN: tessera-opt --tessera-npu-tile="sram-bytes=1024" %s | FileCheck %s --check-prefix=SMALL
// RUN: tessera-opt --tessera-npu-tile="sram-bytes=1024 max-tile-rows=3" %s | FileCheck %s --check-prefix=ROWS
// RUN: tessera-opt --tessera-npu-tile="sram-bytes=1024 max-tile-rows=3 double-buffer=false" %s | FileCheck %s --check-prefix=SINGLE

// Sizes by hand (every SRAM region is rounded up to 64 bytes):
// conv_a: weights 2x3x3x4 = 72 -> 128, bias 8 -> 64, pairs 16 -> 64: 256;
//   a band of R output rows reads min(R + 2, 8) rows of 8x4 bytes and
//   writes R x 8 x 2 bytes. R = 8 with two slots: 256 + 2 * (256 + 128) =
//   1024, so even 1024 bytes hold the whole layer in one tile, which then
//   needs no second slot.
// conv_b: 32x3x3x16 = 4608 bytes of weights do not fit 1024: channel tiles
//   of 4 (576 + 64 + 64 = 704) with the 4-row input (256) and output (64)
//   fit single-buffered (1024); two slots of even one row (192 + 64) do not.
// pool: R output rows read 2R rows of 8x4 and write R x 4 x 4.
// rescale: 64 rows of 4 bytes in, 4 out, 32 bytes of pairs (-> 64).

// BIG-LABEL: func.func @tiles
// BIG: npu.conv2d
// BIG-NOT: double_buffer = true
// BIG-SAME: layer = 0
// BIG-SAME: tile_rows = 8
// BIG: npu.conv2d
// BIG-NOT: tile_channels
// BIG-SAME: tile_rows = 4
// BIG: npu.pool
// BIG-SAME: tile_rows = 4
// BIG: npu.rescale
// BIG-SAME: tile_rows = 64

// SMALL-LABEL: func.func @tiles
// SMALL: npu.conv2d
// SMALL-SAME: layer = 0
// SMALL-SAME: tile_rows = 8
// SMALL: npu.conv2d
// SMALL-NOT: double_buffer = true
// SMALL-SAME: tile_channels = 4 : i64, tile_rows = 4
// SMALL: npu.pool
// SMALL-SAME: tile_rows = 4
// 64 rows: 48 rows in two slots: 64 + 2 * (192 + 192) = 832; 49 would need
// 64 + 2 * (256 + 256).
// SMALL: npu.rescale
// SMALL-SAME: double_buffer = true
// SMALL-SAME: tile_rows = 48

// ROWS-LABEL: func.func @tiles
// ROWS: npu.conv2d
// ROWS-SAME: double_buffer = true
// ROWS-SAME: tile_rows = 3
// ROWS: npu.conv2d
// ROWS-NOT: double_buffer = true
// ROWS-SAME: tile_channels = 4 : i64, tile_rows = 3
// ROWS: npu.pool
// ROWS-SAME: double_buffer = true
// ROWS-SAME: tile_rows = 3
// ROWS: npu.rescale
// ROWS-SAME: double_buffer = true
// ROWS-SAME: tile_rows = 3

// SINGLE-NOT: double_buffer = true
module attributes {npu.layers = [{name = "conv_a", op_type = "Conv"}, {name = "conv_b", op_type = "Conv"}, {name = "pool", op_type = "MaxPool"}, {name = "rq", op_type = "Rescale"}]} {
func.func @tiles(%in: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>, %b: tensor<2xi32>,
                 %in2: tensor<1x4x4x16xi8>, %w2: tensor<32x3x3x16xi8>, %b2: tensor<32xi32>)
    -> (tensor<1x8x8x2xi8>, tensor<1x4x4x32xi8>, tensor<1x4x4x4xi8>, tensor<1x8x8x4xi8>) {
  %0 = npu.conv2d %in, %w, %b {stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 1,
      input_zp = 0, weight_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824, 1610612736>, shift = array<i32: 38, 38>,
      double_round = false, clamp_min = -128, clamp_max = 127, layer = 0}
      : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<2xi32>) -> tensor<1x8x8x2xi8>
  %1 = npu.conv2d %in2, %w2, %b2 {stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 1,
      input_zp = 0, weight_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824>, shift = array<i32: 38>,
      double_round = false, clamp_min = -128, clamp_max = 127, layer = 1}
      : (tensor<1x4x4x16xi8>, tensor<32x3x3x16xi8>, tensor<32xi32>) -> tensor<1x4x4x32xi8>
  %2 = npu.pool %in {kind = "max", kernel = array<i64: 2, 2>,
      stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>,
      input_zp = 0, output_zp = 0, layer = 2}
      : (tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8>
  %3 = npu.rescale %in {input_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824, 1073741824, 1073741824, 1073741824>,
      shift = array<i32: 30, 30, 30, 30>, double_round = true,
      clamp_min = -128, clamp_max = 127, layer = 3}
      : (tensor<1x8x8x4xi8>) -> tensor<1x8x8x4xi8>
  return %0, %1, %2, %3 : tensor<1x8x8x2xi8>, tensor<1x4x4x32xi8>, tensor<1x4x4x4xi8>, tensor<1x8x8x4xi8>
}
}
