// RUN: tessera-opt --split-input-file --verify-diagnostics --tessera-lower-to-npu %s

// Bilinear resizes the NPU form (docs/lowering.md) cannot take: one error
// naming the op, its ONNX node and why.

// Scale 3/2 (ONNX linear x1.5 half_pixel): the sample map is not periodic
// in an integer factor.
func.func @non_integer_factor(%x: tensor<1x4x4x1xi8>) -> tensor<1x6x6x1xi8> {
  %sc = tosa.const_shape {values = dense<[6, 4, 6, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %of = tosa.const_shape {values = dense<-1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %bo = tosa.const_shape {values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
  // expected-error @+1 {{unsupported for now: 'tosa.resize' (ONNX node 'up'): expected a BILINEAR resize of a rank-4 i8 tensor by integer factors (scale_n a multiple of scale_d) whose interpolation weights fit int8, its i32 result rescaled to i8 (here: y scale 6/4 is not an integer factor)}}
  %r = tosa.resize %x, %sc, %of, %bo {mode = BILINEAR, onnx.node = "up"} : (tensor<1x4x4x1xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x6x6x1xi32>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<35> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %oz = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{unsupported for now: 'tosa.rescale'}}
  %o = tosa.rescale %r, %m, %s, %z32, %oz {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x6x6x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x6x6x1xi8>
  return %o : tensor<1x6x6x1xi8>
}

// -----

// x8 half_pixel on both axes (scale 16/2, offset -7): the fractions are
// the odd numbers 1..15 (of 16), so taps reach 15 * 15 = 225, which does
// not fit the CONV's int8 weights.
func.func @weights_too_large(%x: tensor<1x2x2x1xi8>) -> tensor<1x16x16x1xi8> {
  %sc = tosa.const_shape {values = dense<[16, 2, 16, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %of = tosa.const_shape {values = dense<-7> : tensor<2xindex>} : () -> !tosa.shape<2>
  %bo = tosa.const_shape {values = dense<7> : tensor<2xindex>} : () -> !tosa.shape<2>
  // expected-error @+1 {{(here: interpolation weights up to 225 do not fit the CONV's int8 weights)}}
  %r = tosa.resize %x, %sc, %of, %bo {mode = BILINEAR, onnx.node = "up8"} : (tensor<1x2x2x1xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x16x16x1xi32>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<38> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %oz = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{unsupported for now: 'tosa.rescale'}}
  %o = tosa.rescale %r, %m, %s, %z32, %oz {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x16x16x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x16x16x1xi8>
  return %o : tensor<1x16x16x1xi8>
}
