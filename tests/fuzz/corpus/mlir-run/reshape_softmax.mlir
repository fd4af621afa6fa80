module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x2x3xf32> {onnx.name = "x"}) -> (tensor<3x2xf32> {onnx.name = "y"}) {
    %0 = tosa.const_shape  {onnx.node = "reshape", values = dense<[2, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %1 = tosa.reshape %arg0, %0 {onnx.node = "reshape", onnx.output = "r"} : (tensor<1x2x3xf32>, !tosa.shape<2>) -> tensor<2x3xf32>
    %2 = tosa.transpose %1 {onnx.node = "transpose", onnx.output = "t", perms = array<i32: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %3 = tosa.reduce_max %2 {axis = 1 : i32, onnx.node = "softmax"} : (tensor<3x2xf32>) -> tensor<3x1xf32>
    %4 = tosa.sub %2, %3 {onnx.node = "softmax"} : (tensor<3x2xf32>, tensor<3x1xf32>) -> tensor<3x2xf32>
    %5 = tosa.exp %4 {onnx.node = "softmax"} : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %6 = tosa.reduce_sum %5 {axis = 1 : i32, onnx.node = "softmax"} : (tensor<3x2xf32>) -> tensor<3x1xf32>
    %7 = tosa.reciprocal %6 {onnx.node = "softmax"} : (tensor<3x1xf32>) -> tensor<3x1xf32>
    %8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> {onnx.node = "softmax"} : () -> tensor<1xi8>
    %9 = tosa.mul %5, %7, %8 {onnx.node = "softmax", onnx.output = "y"} : (tensor<3x2xf32>, tensor<3x1xf32>, tensor<1xi8>) -> tensor<3x2xf32>
    return %9 : tensor<3x2xf32>
  }
}

