module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x1x2x2xf32> {onnx.name = "x"}) -> (tensor<1x2x4x4xf32> {onnx.name = "y"}) {
    %0 = tosa.concat %arg0, %arg0 {axis = 1 : i32, onnx.node = "concat", onnx.output = "c"} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32>
    %1 = tosa.transpose %0 {onnx.node = "resize", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
    %2 = tosa.const_shape  {onnx.node = "resize", values = dense<[8, 4, 8, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %3 = tosa.const_shape  {onnx.node = "resize", values = dense<-3> : tensor<2xindex>} : () -> !tosa.shape<2>
    %4 = tosa.const_shape  {onnx.node = "resize", values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
    %5 = tosa.resize %1, %2, %3, %4 {mode = NEAREST_NEIGHBOR, onnx.layout = "NHWC", onnx.node = "resize", onnx.output = "y"} : (tensor<1x2x2x2xf32>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x4x4x2xf32>
    %6 = tosa.transpose %5 {onnx.node = "resize", perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x4x4xf32>
    return %6 : tensor<1x2x4x4xf32>
  }
}

