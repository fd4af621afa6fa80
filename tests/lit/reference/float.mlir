// Float reference executor on hand-computed cases.
// RUN: tessera-run %s --function conv --print | FileCheck %s --check-prefix=CONV
// RUN: tessera-run %s --function conv --num-threads 1 --print | FileCheck %s --check-prefix=CONV
// RUN: tessera-run %s --function activations --print | FileCheck %s --check-prefix=ACT

// [1 2; 3 4] under a 2x2 kernel of ones, bias 0.5: 10.5; with pad 1 and
// stride 2 the corners see one input each: 1.5, 2.5, 3.5, 4.5.
// CONV: output0: 1x1x1x1xf32 = [10.5]
// CONV: output1: 1x2x2x1xf32 = [1.5, 2.5, 3.5, 4.5]
func.func @conv() -> (tensor<1x1x1x1xf32>, tensor<1x2x2x1xf32>) {
  %x = "tosa.const"() {values = dense<[[[[1.0], [2.0]], [[3.0], [4.0]]]]>
      : tensor<1x2x2x1xf32>} : () -> tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x2x2x1xf32>} : () -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() {values = dense<0.5> : tensor<1xf32>} : () -> tensor<1xf32>
  %z = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %a = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32,
      pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>,
      tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32,
      pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>,
      dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>,
      tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %a, %c : tensor<1x1x1x1xf32>, tensor<1x2x2x1xf32>
}

// sigmoid(0) = 0.5, sigmoid(1) = 0.73105858, sigmoid(-1) = 0.26894142;
// ReLU6 as clamp [0, 6]; x * sigmoid(x) (SiLU). sigmoid(1) is allowed one
// ulp either side of the correctly rounded 0.7310586 (exp is glibc's vector
// expf, see FloatMathTest.cpp): 0.7310585 is the float below.
// ACT: output0: 3xf32 = [0.5, {{0.731058[56]}}, 0.2689414]
// ACT: output1: 3xf32 = [0, 1, 0]
// ACT: output2: 3xf32 = [0, {{0.731058[56]}}, -0.2689414]
func.func @activations() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = "tosa.const"() {values = dense<[0.0, 1.0, -1.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %s = tosa.sigmoid %x : (tensor<3xf32>) -> tensor<3xf32>
  %r = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<3xf32>) -> tensor<3xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %x, %s, %sh : (tensor<3xf32>, tensor<3xf32>, tensor<1xi8>) -> tensor<3xf32>
  return %s, %r, %m : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}
