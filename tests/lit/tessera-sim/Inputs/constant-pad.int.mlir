// A rank-4 constant Pad (value 9; H: 1 before, W: 1 before and 2 after)
// and a concat of an activation with a constant block on the channels, at
// the integer level; tests/lit/tessera-sim/constant-pad.test.
module {
func.func @main(%x: tensor<1x2x2x2xi8> {onnx.name = "x"}) -> (tensor<1x3x5x2xi8> {onnx.name = "y"}, tensor<1x2x2x4xi8> {onnx.name = "z"}) {
  %p = tosa.const_shape {values = dense<[0, 0, 1, 0, 1, 2, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %v = "tosa.const"() {values = dense<9> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.pad %x, %p, %v : (tensor<1x2x2x2xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x3x5x2xi8> loc("pad")
  %c = "tosa.const"() {values = dense<[[[[10, 11], [12, 13]], [[14, 15], [16, 17]]]]> : tensor<1x2x2x2xi8>} : () -> tensor<1x2x2x2xi8>
  %z = tosa.concat %x, %c {axis = 3 : i32} : (tensor<1x2x2x2xi8>, tensor<1x2x2x2xi8>) -> tensor<1x2x2x4xi8> loc("cat")
  return %y, %z : tensor<1x3x5x2xi8>, tensor<1x2x2x4xi8>
}
}
