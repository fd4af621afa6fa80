// RUN: tessera-opt --split-input-file --tessera-lower-to-npu %s | FileCheck %s

// The integer maximum / minimum of --tessera-fold-to-integer (ONNX Max/Min,
// PRelu, dilated MaxPool: both inputs rescaled to one i32 grid, the i32 op,
// one rescale to i8) is the add's form with another i32 op: npu.add with
// kind "max" / "min" (ISA ELTWISE max / min, the same rescales). The
// parameters are those of tessera-fold-to-integer/max-min.mlir: a
// (1073741824, 11, zp 0), b (1073741824, 12, zp 10), output (1073741824, 49,
// zp -1).
// CHECK: module attributes {npu.layers = [{name = "max1", op_type = "Max"}]}
// CHECK-LABEL: func.func @max_two
// CHECK: %[[Y:.*]] = npu.add %arg0, %arg1 {a_multiplier = 1073741824 : i32, a_shift = 11 : i32, a_zp = 0 : i64, b_multiplier = 1073741824 : i32, b_shift = 12 : i32, b_zp = 10 : i64, clamp_max = 127 : i64, clamp_min = -128 : i64, double_round = false, kind = "max", layer = 0 : i64, multiplier = 1073741824 : i32, output_zp = -1 : i64, shift = 49 : i32} : (tensor<1x2x2x4xi8>, tensor<1x2x2x4xi8>) -> tensor<1x2x2x4xi8>
// CHECK-NOT: tosa.
// CHECK: return %[[Y]]
module {
func.func @max_two(%a: tensor<1x2x2x4xi8>, %b: tensor<1x2x2x4xi8>) -> tensor<1x2x2x4xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s11 = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %s12 = "tosa.const"() {values = dense<12> : tensor<1xi8>} : () -> tensor<1xi8>
  %s49 = "tosa.const"() {values = dense<49> : tensor<1xi8>} : () -> tensor<1xi8>
  %z0 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z10 = "tosa.const"() {values = dense<10> : tensor<1xi8>} : () -> tensor<1xi8>
  %zo = "tosa.const"() {values = dense<-1> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ra = tosa.rescale %a, %m, %s11, %z0, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x4xi32>
  %rb = tosa.rescale %b, %m, %s12, %z10, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x4xi32>
  %x = tosa.maximum %ra, %rb {onnx.node = "max1"} : (tensor<1x2x2x4xi32>, tensor<1x2x2x4xi32>) -> tensor<1x2x2x4xi32>
  %ro = tosa.rescale %x, %m, %s49, %z32, %zo {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x4xi8>
  return %ro : tensor<1x2x2x4xi8>
}
}

// -----

// minimum commutes like add: the [1, 1, 1, C] operand, first in the IR,
// becomes b (read with bcast = channel) and its rescale parameters move
// with it; a ReLU clamp after the output rescale is absorbed.
// CHECK: module attributes {npu.layers = [{name = "min1", op_type = "Min+Relu"}]}
// CHECK-LABEL: func.func @min_channel_relu
// CHECK: %[[Y:.*]] = npu.add %arg0, %arg1 {a_multiplier = 1073741824 : i32, a_shift = 11 : i32, a_zp = 0 : i64, b_multiplier = 1073741824 : i32, b_shift = 12 : i32, b_zp = 10 : i64, clamp_max = 127 : i64, clamp_min = -1 : i64, double_round = false, kind = "min", layer = 0 : i64, multiplier = 1073741824 : i32, output_zp = -1 : i64, shift = 49 : i32} : (tensor<1x2x2x4xi8>, tensor<1x1x1x4xi8>) -> tensor<1x2x2x4xi8>
// CHECK: return %[[Y]]
module {
func.func @min_channel_relu(%a: tensor<1x2x2x4xi8>, %v: tensor<1x1x1x4xi8>) -> tensor<1x2x2x4xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s11 = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %s12 = "tosa.const"() {values = dense<12> : tensor<1xi8>} : () -> tensor<1xi8>
  %s49 = "tosa.const"() {values = dense<49> : tensor<1xi8>} : () -> tensor<1xi8>
  %z0 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z10 = "tosa.const"() {values = dense<10> : tensor<1xi8>} : () -> tensor<1xi8>
  %zo = "tosa.const"() {values = dense<-1> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %rv = tosa.rescale %v, %m, %s12, %z10, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x4xi32>
  %ra = tosa.rescale %a, %m, %s11, %z0, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x4xi32>
  %x = tosa.minimum %rv, %ra {onnx.node = "min1"} : (tensor<1x1x1x4xi32>, tensor<1x2x2x4xi32>) -> tensor<1x2x2x4xi32>
  %ro = tosa.rescale %x, %m, %s49, %z32, %zo {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x4xi8>
  %cl = tosa.clamp %ro {min_val = -1 : i8, max_val = 127 : i8} : (tensor<1x2x2x4xi8>) -> tensor<1x2x2x4xi8>
  return %cl : tensor<1x2x2x4xi8>
}
}
