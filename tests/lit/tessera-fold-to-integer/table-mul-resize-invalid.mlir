// RUN: tessera-opt --split-input-file --tessera-fold-to-integer --verify-diagnostics %s

// Errors of the sigmoid/tanh/exp (tosa.table) and mul folds: each
// names the op and the reason; the function result then cannot be folded
// either.

// A table needs the output quantization: sigmoid feeding the return.
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @sigmoid_without_output_qparams(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  // expected-error@+1 {{'tosa.sigmoid' op cannot be folded to integer: result has no quantization parameters: expected only quant.qcast users but got 'func.return'}}
  %2 = tosa.sigmoid %1 : (tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// A 16-bit input would need TOSA's 513-entry interpolated table (not done).
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @tanh_int16() -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<[-1000, 0, 1000, 2000]> : tensor<4xi16>} : () -> tensor<4xi16>
  %0 = quant.scast %c : tensor<4xi16> to tensor<4x!quant.uniform<i16:f32, 0.001>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i16:f32, 0.001>> to tensor<4xf32>
  // expected-error@+1 {{'tosa.tanh' op cannot be folded to integer: expected input with i8 storage but got}}
  %2 = tosa.tanh %1 : (tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.0078125>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 0.0078125>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// s_a * s_b / s_out = 2^40 cannot be a 32-bit multiplier with shift >= 2.
// (Two inputs: a mul of one input by itself would be a 256-entry table.)
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @mul_multiplier_out_of_range(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1048576.0>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 1048576.0>> to tensor<4xf32>
  %a = quant.qcast %arg1 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1048576.0:3>>
  %b = quant.dcast %a : tensor<4x!quant.uniform<i8:f32, 1048576.0:3>> to tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.mul' op cannot be folded to integer: requantization multiplier}}
  %2 = tosa.mul %1, %b, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// One operand of the mul is a float value without quantization.
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @mul_float_operand(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error@+1 {{'tosa.mul' op cannot be folded to integer: operand #1 has no quantization parameters (not a quant.dcast)}}
  %2 = tosa.mul %1, %arg1, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}
