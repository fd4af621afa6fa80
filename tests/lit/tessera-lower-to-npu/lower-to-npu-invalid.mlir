// RUN: tessera-opt --split-input-file --verify-diagnostics --tessera-lower-to-npu %s

// Ops name their ONNX node with `onnx.node` here (not a NameLoc) so that
// the diagnostics keep their file locations.

// A conv whose i32 accumulator is not requantized cannot be an NPU CONV.
func.func @conv_without_rescale(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x1xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<1x1x1x2xi8>} : () -> tensor<1x1x1x2xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{unsupported for now: 'tosa.conv2d' (ONNX node 'conv7'): expected i8 operands with constant weights, bias and zero points, an i32 result used only by a tosa.rescale (scale32, input_zp 0) and optionally a tosa.clamp}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, onnx.node = "conv7"} : (tensor<1x4x4x2xi8>, tensor<1x1x1x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x1xi32>
  return %c : tensor<1x4x4x1xi32>
}

// -----

func.func @no_lowering(%x: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %s = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{unsupported for now: 'tosa.mul' (ONNX node 'mul3'): expected an i32 mul (shift 0) of two i8 tensors, each rescaled to i32 by exactly 1 (zero-point removal) or multiplied directly, used only by a per-tensor tosa.rescale, one operand of the result's shape or a constant}}
  %m = tosa.mul %x, %x, %s {onnx.node = "mul3"} : (tensor<1x4xi8>, tensor<1x4xi8>, tensor<1xi8>) -> tensor<1x4xi8>
  return %m : tensor<1x4xi8>
}

// -----

// 16-bit multipliers (scale32 = false) are not an NPU rescale.
func.func @scale16(%x: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %m = "tosa.const"() {values = dense<16384> : tensor<1xi16>} : () -> tensor<1xi16>
  %s = "tosa.const"() {values = dense<14> : tensor<1xi8>} : () -> tensor<1xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{unsupported for now: 'tosa.rescale' (ONNX node 'q'): expected an i8/i16 -> i8/i16 rescale with scale32, signed types and constant parameters, or one around a conv or an add}}
  %r = tosa.rescale %x, %m, %s, %z, %z {scale32 = false, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false, onnx.node = "q"} : (tensor<1x4xi8>, tensor<1xi16>, tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4xi8>
  return %r : tensor<1x4xi8>
}

// -----

// A sub lowers only as the folded quantized SUB (rescales around it).
func.func @no_lowering_sub(%x: tensor<1x4xi32>) -> tensor<1x4xi32> {
  // expected-error @+1 {{unsupported for now: 'tosa.sub' (ONNX node 'sub3'): expected an i32 add (sub, maximum, minimum) of two tosa.rescale results}}
  %m = tosa.sub %x, %x {onnx.node = "sub3"} : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
  return %m : tensor<1x4xi32>
}

// -----

// A maximum lowers only as the folded form (the add's rescales around it).
func.func @no_lowering_max(%x: tensor<1x4xi32>) -> tensor<1x4xi32> {
  // expected-error @+1 {{unsupported for now: 'tosa.maximum' (ONNX node 'max3'): expected an i32 add (sub, maximum, minimum) of two tosa.rescale results}}
  %m = tosa.maximum %x, %x {onnx.node = "max3"} : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
  return %m : tensor<1x4xi32>
}

// -----

// A mul whose inputs are rescaled by something other than 1 is not the
// ELTWISE mul (no input scaling): the mul and its rescales are reported.
func.func @scaled_mul(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %m = "tosa.const"() {values = dense<1610612736> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  // expected-error @+1 {{unsupported for now: 'tosa.rescale'}}
  %r = tosa.rescale %a, %m, %s, %z8, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x4xi32>
  // expected-error @+1 {{unsupported for now: 'tosa.mul' (ONNX node 'mul4')}}
  %p = tosa.mul %r, %r, %z8 {onnx.node = "mul4"} : (tensor<1x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<1x4xi32>
  // expected-error @+1 {{unsupported for now: 'tosa.rescale'}}
  %o = tosa.rescale %p, %m, %s, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4xi8>
  return %o : tensor<1x4xi8>
}

// -----

// A nearest resize whose index map is not (oy / 2, ox / 2): with offset 0
// and border 1 TOSA rounds half up, so output rows 0..3 read rows 0, 1, 1, 1.
func.func @shifted_resize(%x: tensor<1x2x2x1xi8>) -> tensor<1x4x4x1xi8> {
  %sc = tosa.const_shape {values = dense<[2, 1, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %of = tosa.const_shape {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
  %bo = tosa.const_shape {values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
  // expected-error @+1 {{unsupported for now: 'tosa.resize' (ONNX node 'up2'): expected a NEAREST_NEIGHBOR resize of a rank-4 integer tensor by integer factors (out[oy][ox] = in[oy / fy][ox / fx])}}
  %u = tosa.resize %x, %sc, %of, %bo {mode = NEAREST_NEIGHBOR, onnx.node = "up2"} : (tensor<1x2x2x1xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x4x4x1xi8>
  return %u : tensor<1x4x4x1xi8>
}

// -----

// A sum over H and W whose widening is not exactly x - zp (multiplier 2^30,
// shift 31: x / 2) is not a global average pool.
func.func @sum_not_widened_exactly(%x: tensor<1x2x3x4xi8>) -> tensor<1x1x1x4xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s31 = "tosa.const"() {values = dense<31> : tensor<1xi8>} : () -> tensor<1xi8>
  %s33 = "tosa.const"() {values = dense<33> : tensor<1xi8>} : () -> tensor<1xi8>
  %z = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %oz = "tosa.const"() {values = dense<7> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  // expected-error @+1 {{unsupported for now: 'tosa.rescale' (ONNX node 'widen'): expected an i8/i16 -> i8/i16 rescale}}
  %w = tosa.rescale %x, %m, %s31, %z, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false, onnx.node = "widen"} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  // expected-error @+1 {{unsupported for now: 'tosa.reduce_sum' (ONNX node 'sum1'): reduce_sum lowers only as a quantized sum}}
  %r1 = tosa.reduce_sum %w {axis = 1 : i32, onnx.node = "sum1"} : (tensor<1x2x3x4xi32>) -> tensor<1x1x3x4xi32>
  // expected-error @+1 {{unsupported for now: 'tosa.reduce_sum' (ONNX node 'sum2'): reduce_sum lowers only as a quantized sum}}
  %r2 = tosa.reduce_sum %r1 {axis = 2 : i32, onnx.node = "sum2"} : (tensor<1x1x3x4xi32>) -> tensor<1x1x1x4xi32>
  // expected-error @+1 {{unsupported for now: 'tosa.rescale' (ONNX node 'out'): expected an i8/i16 -> i8/i16 rescale}}
  %o = tosa.rescale %r2, %m, %s33, %z32, %oz {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false, onnx.node = "out"} : (tensor<1x1x1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x4xi8>
  return %o : tensor<1x1x1x4xi8>
}

// -----

// A Where whose condition is a function argument (no comparison to build
// an npu.compare from; the NPU has no bool tensors): one error naming it.
func.func @select_of_an_argument(%c: tensor<1x4xi1>, %x: tensor<1x4xi8>, %y: tensor<1x4xi8>) -> tensor<1x4xi8> {
  // expected-error @+1 {{unsupported for now: 'tosa.select' (ONNX node 'where3'): expected an i8/i16 select whose condition is a greater, greater_equal or equal of the result's shape, its first value of the result's shape or a constant}}
  %w = tosa.select %c, %x, %y {onnx.node = "where3"} : (tensor<1x4xi1>, tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x4xi8>
  return %w : tensor<1x4xi8>
}
