module attributes {onnx.graph = "g", onnx.opset =  "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x2x3x3xi8> {onnx.name = "x", tesser.e = 0.05000000074505806 : f64, tessera.zero_point = 128 : i64}) -> (tensor<1x2x3x3xi8> {sera.zero_point = 128 : i64}) {
    %0 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %1 = "tosa.const"() <{values = dense<36> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<1717986944> : tensor<1xi32>}> : () -> tensor<1xi32>
    %3 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
    %5 = "tosa.const"() <{values = dense<[[[[12, 10]]], [[[2, -13]]]]> : tensor<2x1x1x2xi8>}> {onnx.node = "conv"} : () -> tensor<2x1x1x2xi8>
    %6 = tosa.transpose %arg0 {onnx.node = "q", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x3x3xi8>) -> tensor<1x3x3x2xi8>
    %7 = tosa.conv2d %6, %5, %4, %3, %3 {acc_type = i32, dilation = array<i64: 1, 1>, onnx.layout = "NHWC", onnx.node = "conv", onnx.output = "c", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
    %8 = tosa.rescale %7, %2, %1, %0, %3 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x3x3x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x2xi8>
    %9 = tosa.transpose %6 {onnx.node = "dqy", perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x3x2xi8>) -> tensor<1x2x3x3xi8>
    return %9 : tensor<1x2x3x3xi8>
  }
}
