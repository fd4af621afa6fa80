// A returned constant and a rescale of a constant (data input of an ELTWISE):
// both read from the constant image; tests/lit/tessera-sim/constant-pad.test.
module {
func.func @main(%x: tensor<1x4xi8> {onnx.name = "x"}) -> (tensor<1x4xi8> {onnx.name = "y"}, tensor<1x4xi8> {onnx.name = "z"}) {
  %c = "tosa.const"() {values = dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<31> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %c, %m, %s, %z8, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4xi8> loc("r")
  return %c, %r : tensor<1x4xi8>, tensor<1x4xi8>
}
}
