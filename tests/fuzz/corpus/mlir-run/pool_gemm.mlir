module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x3x4x4xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
    %0 = tosa.transpose %arg0 {onnx.node = "pool", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x4x4xf32>) -> tensor<1x4x4x3xf32>
    %1 = tosa.max_pool2d %0 {kernel = array<i64: 2, 2>, onnx.layout = "NHWC", onnx.node = "pool", onnx.output = "p", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x3xf32>) -> tensor<1x2x2x3xf32>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> {onnx.node = "gap"} : () -> tensor<1xf32>
    %3 = tosa.avg_pool2d %1, %2, %2 {acc_type = f32, kernel = array<i64: 2, 2>, onnx.layout = "NHWC", onnx.node = "gap", onnx.output = "g", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x3xf32>
    %4 = tosa.const_shape  {onnx.node = "flat", values = dense<[1, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %5 = tosa.reshape %3, %4 {onnx.node = "flat", onnx.output = "f"} : (tensor<1x1x1x3xf32>, !tosa.shape<2>) -> tensor<1x3xf32>
    %6 = tosa.const_shape  {onnx.node = "fc", values = dense<[1, 1, 1, 3]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %7 = tosa.reshape %5, %6 {onnx.node = "fc"} : (tensor<1x3xf32>, !tosa.shape<4>) -> tensor<1x1x1x3xf32>
    %8 = "tosa.const"() <{values = dense<[[[[-0.342747688, 0.512867272, -1.57730496]]], [[[1.34549391, 0.659383535, 1.33279967]]]]> : tensor<2x1x1x3xf32>}> {onnx.node = "fc"} : () -> tensor<2x1x1x3xf32>
    %9 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<2xf32>}> {onnx.node = "fc"} : () -> tensor<2xf32>
    %10 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> {onnx.node = "fc"} : () -> tensor<1xf32>
    %11 = tosa.conv2d %7, %8, %9, %10, %10 {acc_type = f32, dilation = array<i64: 1, 1>, onnx.node = "fc", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x3xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
    %12 = tosa.const_shape  {onnx.node = "fc", values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %13 = tosa.reshape %11, %12 {onnx.node = "fc", onnx.output = "y"} : (tensor<1x1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
    return %13 : tensor<1x2xf32>
  }
}

