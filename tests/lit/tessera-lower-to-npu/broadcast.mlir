// RUN: tessera-opt --split-input-file --tessera-lower-to-npu %s | FileCheck %s

// Broadcasting add/mul on the vector unit (ELTWISE bcast, docs/lowering.md).

// Squeeze-excitation as rv1126 (asymmetric) folds it: the [1, 1, 1, C] gate
// is the FIRST operand (torchvision: scale * input). The mul commutes, so
// the full-shaped x becomes a (zero point -3) and the gate b (zero point
// -128, bcast = channel). Output rescale 0.25 = 2^30 * 2^-32.
// CHECK-LABEL: func.func @se_mul
// CHECK: %[[M:.*]] = npu.mul %arg0, %arg1 {a_zp = -3 : i64, b_zp = -128 : i64, clamp_max = 127 : i64, clamp_min = -128 : i64, double_round = false, layer = 0 : i64, multiplier = 1073741824 : i32, output_zp = 7 : i64, shift = 32 : i32} : (tensor<1x2x3x4xi8>, tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8>
// CHECK-NOT: tosa.
// CHECK: return %[[M]]
func.func @se_mul(%x: tensor<1x2x3x4xi8>, %g: tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8> {
  %one = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s30 = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %s32 = "tosa.const"() {values = dense<32> : tensor<1xi8>} : () -> tensor<1xi8>
  %zx = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %zg = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %zo = "tosa.const"() {values = dense<7> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %rg = tosa.rescale %g, %one, %s30, %zg, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x4xi32>
  %rx = tosa.rescale %x, %one, %s30, %zx, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  %p = tosa.mul %rg, %rx, %sh {onnx.node = "se"} : (tensor<1x1x1x4xi32>, tensor<1x2x3x4xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi32>
  %ro = tosa.rescale %p, %one, %s32, %z32, %zo {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
  return %ro : tensor<1x2x3x4xi8>
}

// -----

// The symmetric schemes (j5, orin) multiply the i8 values directly (both
// zero points 0, no widening rescales): npu.mul with a_zp = b_zp = 0; the
// narrow-range clamp [-127, 127] is absorbed.
// CHECK-LABEL: func.func @direct_mul
// CHECK: %[[M:.*]] = npu.mul %arg0, %arg1 {a_zp = 0 : i64, b_zp = 0 : i64, clamp_max = 127 : i64, clamp_min = -127 : i64, double_round = false, layer = 0 : i64, multiplier = 1073741824 : i32, output_zp = 0 : i64, shift = 37 : i32} : (tensor<1x2x3x4xi8>, tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8>
// CHECK-NOT: tosa.
// CHECK: return %[[M]]
func.func @direct_mul(%x: tensor<1x2x3x4xi8>, %g: tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8> {
  %one = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s37 = "tosa.const"() {values = dense<37> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %p = tosa.mul %g, %x, %z8 {onnx.node = "se"} : (tensor<1x1x1x4xi8>, tensor<1x2x3x4xi8>, tensor<1xi8>) -> tensor<1x2x3x4xi32>
  %ro = tosa.rescale %p, %one, %s37, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
  %c = tosa.clamp %ro {min_val = -127 : i8, max_val = 127 : i8} : (tensor<1x2x3x4xi8>) -> tensor<1x2x3x4xi8>
  return %c : tensor<1x2x3x4xi8>
}

// -----

// An add of a [1, 1, 1, C] activation and a full one, the broadcast operand
// first: the operands AND their input rescales swap (a: x's multiplier
// 2^30 shift 11 and zero point 5; b: the vector's 1610612736 shift 12, zero
// point -2), b is read per channel.
// CHECK-LABEL: func.func @channel_add
// CHECK: %[[A:.*]] = npu.add %arg0, %arg1 {a_multiplier = 1073741824 : i32, a_shift = 11 : i32, a_zp = 5 : i64, b_multiplier = 1610612736 : i32, b_shift = 12 : i32, b_zp = -2 : i64, {{.*}}} : (tensor<1x2x3x4xi8>, tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8>
// CHECK: return %[[A]]
func.func @channel_add(%x: tensor<1x2x3x4xi8>, %v: tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8> {
  %mx = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %sx = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %zx = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %mv = "tosa.const"() {values = dense<1610612736> : tensor<1xi32>} : () -> tensor<1xi32>
  %sv = "tosa.const"() {values = dense<12> : tensor<1xi8>} : () -> tensor<1xi8>
  %zv = "tosa.const"() {values = dense<-2> : tensor<1xi8>} : () -> tensor<1xi8>
  %so = "tosa.const"() {values = dense<50> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %rv = tosa.rescale %v, %mv, %sv, %zv, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x4xi32>
  %rx = tosa.rescale %x, %mx, %sx, %zx, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  %s = tosa.add %rv, %rx {onnx.node = "add1"} : (tensor<1x1x1x4xi32>, tensor<1x2x3x4xi32>) -> tensor<1x2x3x4xi32>
  %ro = tosa.rescale %s, %mx, %so, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
  return %ro : tensor<1x2x3x4xi8>
}

// -----

// A per-channel constant (a stand-alone BatchNormalization's shift) stays a
// [1, 1, 1, C] constant read with bcast = channel: not materialized at the
// full shape.
// CHECK-LABEL: func.func @channel_const_add
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1, 2, 3, 4{{\]\]\]\]}}> : tensor<1x1x1x4xi8>}>
// CHECK: npu.add %arg0, %[[C]] {{.*}} : (tensor<1x2x3x4xi8>, tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8>
func.func @channel_const_add(%x: tensor<1x2x3x4xi8>) -> tensor<1x2x3x4xi8> {
  %v = "tosa.const"() {values = dense<[[[[1, 2, 3, 4]]]]> : tensor<1x1x1x4xi8>} : () -> tensor<1x1x1x4xi8>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %so = "tosa.const"() {values = dense<50> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %rx = tosa.rescale %x, %m, %s, %z8, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  %rv = tosa.rescale %v, %m, %s, %z8, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x4xi32>
  %a = tosa.add %rx, %rv {onnx.node = "bn"} : (tensor<1x2x3x4xi32>, tensor<1x1x1x4xi32>) -> tensor<1x2x3x4xi32>
  %ro = tosa.rescale %a, %m, %so, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
  return %ro : tensor<1x2x3x4xi8>
}

// -----

// A sub (TFLite's quantized SUB as folded: the add's rescales around an i32
// sub) is npu.add with kind = "sub" (ELTWISE sub); it does not commute,
// so the operands keep their order (x - the per-channel mean).
// CHECK: module attributes {npu.layers = [{name = "sub1", op_type = "Sub"}]}
// CHECK-LABEL: func.func @channel_sub
// CHECK: %[[A:.*]] = npu.add %arg0, %arg1 {a_multiplier = 1073741824 : i32, a_shift = 11 : i32, a_zp = 5 : i64, b_multiplier = 1610612736 : i32, b_shift = 12 : i32, b_zp = -2 : i64, {{.*}}kind = "sub"{{.*}}} : (tensor<1x2x3x4xi8>, tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8>
// CHECK: return %[[A]]
module {
func.func @channel_sub(%x: tensor<1x2x3x4xi8>, %v: tensor<1x1x1x4xi8>) -> tensor<1x2x3x4xi8> {
  %mx = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %sx = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %zx = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %mv = "tosa.const"() {values = dense<1610612736> : tensor<1xi32>} : () -> tensor<1xi32>
  %sv = "tosa.const"() {values = dense<12> : tensor<1xi8>} : () -> tensor<1xi8>
  %zv = "tosa.const"() {values = dense<-2> : tensor<1xi8>} : () -> tensor<1xi8>
  %so = "tosa.const"() {values = dense<50> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %rx = tosa.rescale %x, %mx, %sx, %zx, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  %rv = tosa.rescale %v, %mv, %sv, %zv, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x4xi32>
  %s = tosa.sub %rx, %rv {onnx.node = "sub1"} : (tensor<1x2x3x4xi32>, tensor<1x1x1x4xi32>) -> tensor<1x2x3x4xi32>
  %ro = tosa.rescale %s, %mx, %so, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
  return %ro : tensor<1x2x3x4xi8>
}
}

// -----

// A broadcasting add whose activation operand is neither one element nor a
// [1, ..., 1, C] vector ([1, 2, 1, 8] to [1, 2, 2, 8]): it is tiled to the
// full shape first, on its row-major view [2, 8] (the dims before W, the
// rest) as two copies side by side ([2, 16] = [1, 2, 2, 8]), one layer with
// the add.
// CHECK-LABEL: func.func @broadcast_add
// CHECK-SAME: (%[[A:.*]]: tensor<1x2x2x8xi8>, %[[B:.*]]: tensor<1x2x1x8xi8>)
// CHECK: %[[V:.*]] = npu.reshape %[[B]] {layer = [[L:[0-9]+]] : i64} : (tensor<1x2x1x8xi8>) -> tensor<2x8xi8>
// CHECK: %[[C:.*]] = npu.concat %[[V]], %[[V]] {axis = 1 : i64, layer = [[L]] : i64} : (tensor<2x8xi8>, tensor<2x8xi8>) -> tensor<2x16xi8>
// CHECK: %[[T:.*]] = npu.reshape %[[C]] {layer = [[L]] : i64} : (tensor<2x16xi8>) -> tensor<1x2x2x8xi8>
// CHECK: npu.add %[[A]], %[[T]] {{{.*}}layer = [[L]] : i64
func.func @broadcast_add(%a: tensor<1x2x2x8xi8>, %b: tensor<1x2x1x8xi8>) -> tensor<1x2x2x8xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ra = tosa.rescale %a, %m, %s, %z8, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false, onnx.node = "add2"} : (tensor<1x2x2x8xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x8xi32>
  %rb = tosa.rescale %b, %m, %s, %z8, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false, onnx.node = "add2"} : (tensor<1x2x1x8xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x1x8xi32>
  %sum = tosa.add %ra, %rb {onnx.node = "add2"} : (tensor<1x2x2x8xi32>, tensor<1x2x1x8xi32>) -> tensor<1x2x2x8xi32>
  %ro = tosa.rescale %sum, %m, %s, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false, onnx.node = "add2"} : (tensor<1x2x2x8xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x8xi8>
  return %ro : tensor<1x2x2x8xi8>
}

