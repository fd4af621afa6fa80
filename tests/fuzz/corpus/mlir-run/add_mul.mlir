module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x2x3x4xf32> {onnx.name = "x"}) -> (tensor<1x2x3x4xf32> {onnx.name = "y"}) {
    %0 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1x1x4xf32>}> {onnx.node = "add"} : () -> tensor<1x1x1x4xf32>
    %1 = tosa.add %arg0, %0 {onnx.node = "add", onnx.output = "a"} : (tensor<1x2x3x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x3x4xf32>
    %2 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> {onnx.node = "mul"} : () -> tensor<1xi8>
    %3 = tosa.mul %1, %arg0, %2 {onnx.node = "mul", onnx.output = "y"} : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1xi8>) -> tensor<1x2x3x4xf32>
    return %3 : tensor<1x2x3x4xf32>
  }
}

