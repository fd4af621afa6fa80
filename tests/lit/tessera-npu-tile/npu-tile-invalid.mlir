// RUN: tessera-opt --split-input-file --verify-diagnostics --tessera-npu-tile="sram-bytes=512" %s

// One output channel needs its 3x3x16 weights (144 -> 192 bytes), bias (64),
// one pair (64), a 3-row input band (3 x 4 x 16 = 192) and an output row
// (4 -> 64): 576 bytes.
module attributes {npu.layers = [{name = "conv_b", op_type = "Conv"}]} {
func.func @too_big(%in: tensor<1x4x4x16xi8>, %w: tensor<32x3x3x16xi8>, %b: tensor<32xi32>)
    -> tensor<1x4x4x32xi8> {
  // expected-error @+1 {{layer 0 ('conv_b') does not fit SRAM: needs 576 bytes of SRAM for one output row of 1 channel(s) (weights 320, input band 192, output band 64) but sram-bytes is 512}}
  %0 = npu.conv2d %in, %w, %b {stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, groups = 1,
      input_zp = 0, weight_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824>, shift = array<i32: 38>,
      double_round = false, clamp_min = -128, clamp_max = 127, layer = 0}
      : (tensor<1x4x4x16xi8>, tensor<32x3x3x16xi8>, tensor<32xi32>) -> tensor<1x4x4x32xi8>
  return %0 : tensor<1x4x4x32xi8>
}
}

// -----

// A row of 8192 int8 elements in and out needs 16384 bytes.
func.func @wide_rescale(%in: tensor<1x8192xi8>) -> tensor<1x8192xi8> {
  // expected-error @+1 {{layer 0 does not fit SRAM: needs 16384 bytes of SRAM for one row of 8192 elements but sram-bytes is 512}}
  %0 = npu.rescale %in {input_zp = 0, output_zp = 0,
      multiplier = array<i32: 1073741824>, shift = array<i32: 30>,
      double_round = true, clamp_min = -128, clamp_max = 127, layer = 0}
      : (tensor<1x8192xi8>) -> tensor<1x8192xi8>
  return %0 : tensor<1x8192xi8>
}
