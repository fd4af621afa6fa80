// RUN: tessera-opt --split-input-file --tessera-fold-to-integer --verify-diagnostics %s

// The conv result reaches the return without a quant.qcast: no output
// quantization parameters.
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @conv_without_output_qparams(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %0 = quant.qcast %arg0 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %wq = quant.qcast %w : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %wd = quant.dcast %wq : tensor<1x1x1x1x!quant.uniform<i8<-127:127>:f32, 0.25>> to tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op cannot be folded to integer: result has no quantization parameters: expected only quant.qcast users but got 'func.return'}}
  %2 = tosa.conv2d %1, %wd, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %2 : tensor<1x1x1x1xf32>
}

// -----

// The input of the max_pool2d is a float argument without quant.qcast.
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @max_pool_without_input_qparams(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error@+1 {{'tosa.max_pool2d' op cannot be folded to integer: operand #0 has no quantization parameters (not a quant.dcast)}}
  %0 = tosa.max_pool2d %arg0 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %1 = quant.qcast %0 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %2 = quant.dcast %1 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  return %2 : tensor<1x1x1x1xf32>
}

// -----

// An op with no integer lowering: pow of two differently quantized
// values (one input each would make it a table, see table.mlir).
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @pow_unsupported(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %a = quant.qcast %arg1 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.25>>
  %b = quant.dcast %a : tensor<4x!quant.uniform<i8:f32, 0.25>> to tensor<4xf32>
  // expected-error@+1 {{'tosa.pow' op cannot be folded to integer: no integer lowering for this op}}
  %2 = tosa.pow %1, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// Per-axis weight zero points that differ: TOSA has a single weight_zp.
// The return only fails because its value comes from the op above: counted.
// expected-error@+1 {{1 later op was not folded because an input comes from an op above}}
func.func @conv_per_axis_weight_zero_points(%arg0: tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  %wi = "tosa.const"() {values = dense<1> : tensor<2x1x1x1xi8>} : () -> tensor<2x1x1x1xi8>
  %wq = quant.scast %wi : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.25:0, 0.125:3}>>
  %wd = quant.dcast %wq : tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.25:0, 0.125:3}>> to tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op cannot be folded to integer: expected one zero point for all channels of the weight (TOSA has a single weight_zp)}}
  %2 = tosa.conv2d %1, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %3 = quant.qcast %2 : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8:f32, 1.0>>
  %4 = quant.dcast %3 : tensor<1x1x1x2x!quant.uniform<i8:f32, 1.0>> to tensor<1x1x1x2xf32>
  return %4 : tensor<1x1x1x2xf32>
}
