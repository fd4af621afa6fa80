module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x1x2x2xi8> {onnx.name = "x", tessera.dtype = "uint8", tessera.scale = 0.0091445558211382706 : f64, tessera.zero_point = 108 : i64}) -> (tensor<1x2x4x4xi8> {onnx.name = "y", tessera.dtype = "uint8", tessera.scale = 0.0091445558211382706 : f64, tessera.zero_point = 108 : i64}) {
    %0 = tosa.const_shape  {onnx.node = "resize", values = dense<[8, 4, 8, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %1 = tosa.const_shape  {onnx.node = "resize", values = dense<-3> : tensor<2xindex>} : () -> !tosa.shape<2>
    %2 = tosa.const_shape  {onnx.node = "resize", values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
    %3 = tosa.concat %arg0, %arg0 {axis = 1 : i32, onnx.node = "concat", onnx.output = "c"} : (tensor<1x1x2x2xi8>, tensor<1x1x2x2xi8>) -> tensor<1x2x2x2xi8>
    %4 = tosa.transpose %3 {onnx.node = "resize", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
    %5 = tosa.resize %4, %0, %1, %2 {mode = NEAREST_NEIGHBOR, onnx.layout = "NHWC", onnx.node = "resize", onnx.output = "y"} : (tensor<1x2x2x2xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x4x4x2xi8>
    %6 = tosa.transpose %5 {onnx.node = "resize", perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x2xi8>) -> tensor<1x2x4x4xi8>
    return %6 : tensor<1x2x4x4xi8>
  }
}
