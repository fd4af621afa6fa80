// RUN: tessera-opt --split-input-file --tessera-quantize --verify-diagnostics %s

func.func @range_one_value(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tosa.clamp' op expected 'tessera.range' to be array<f64: min, max> but got array<f64: 1.000000e+00>}}
  %0 = tosa.clamp %arg0 {min_val = 0.0 : f32, max_val = 6.0 : f32, tessera.range = array<f64: 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @range_min_above_max(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tosa.clamp' op expected 'tessera.range' to hold finite min <= max but got [3.000000e+00, 1.000000e+00]}}
  %0 = tosa.clamp %arg0 {min_val = 0.0 : f32, max_val = 6.0 : f32, tessera.range = array<f64: 3.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error@+1 {{'func.func' op argument #0: expected 'tessera.range' to be array<f64: min, max> but got 1.000000e+00 : f32}}
func.func @argument_range_not_array(%arg0: tensor<4xf32> {tessera.range = 1.0 : f32}) -> tensor<4xf32> {
  return %arg0 : tensor<4xf32>
}
