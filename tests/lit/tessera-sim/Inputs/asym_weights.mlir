// A 1x1 conv with float weights and calibration ranges, for
// asymmetric-weights.test: the weights span [-1, 2], the input [0, 255],
// the output [0, 300].
module attributes {onnx.graph = "g", onnx.opset = 17 : i64} {
func.func @main(%arg0: tensor<1x1x3x2xf32> {onnx.name = "x", tessera.range = array<f64: 0.0, 255.0>}) -> (tensor<1x1x3x2xf32> {onnx.name = "y"}) {
  %w = "tosa.const"() {values = dense<[[[[-1.0, 2.0]]], [[[0.4, 1.2]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<[1.0, -2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %0 = tosa.conv2d %arg0, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, tessera.range = array<f64: 0.0, 300.0>} : (tensor<1x1x3x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3x2xf32>
  return %0 : tensor<1x1x3x2xf32>
}
}
