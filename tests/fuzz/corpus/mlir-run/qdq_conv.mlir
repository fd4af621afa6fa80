module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x2x3x3xf32> {onnx.name = "x"}) -> (tensor<1x2x3x3xf32> {onnx.name = "y"}) {
    %0 = quant.qcast %arg0 {onnx.node = "q"} : tensor<1x2x3x3xf32> to tensor<1x2x3x3x!quant.uniform<u8:f32, 0.05000000074505806:128>>
    %1 = quant.dcast %0 {onnx.node = "q"} : tensor<1x2x3x3x!quant.uniform<u8:f32, 0.05000000074505806:128>> to tensor<1x2x3x3xf32>
    %2 = tosa.transpose %1 {onnx.node = "q", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x3x3xf32>) -> tensor<1x3x3x2xf32>
    %3 = quant.qcast %2 {onnx.layout = "NHWC", onnx.node = "q", onnx.output = "xq"} : tensor<1x3x3x2xf32> to tensor<1x3x3x2x!quant.uniform<u8:f32, 0.05000000074505806:128>>
    %4 = quant.dcast %3 {onnx.layout = "NHWC", onnx.node = "dq", onnx.output = "xd"} : tensor<1x3x3x2x!quant.uniform<u8:f32, 0.05000000074505806:128>> to tensor<1x3x3x2xf32>
    %5 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<2xf32>}> {onnx.node = "conv"} : () -> tensor<2xf32>
    %6 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> {onnx.node = "conv"} : () -> tensor<1xf32>
    %7 = "tosa.const"() <{values = dense<[[[[12, 10]]], [[[2, -13]]]]> : tensor<2x1x1x2xi8>}> {onnx.node = "conv"} : () -> tensor<2x1x1x2xi8>
    %8 = quant.scast %7 {onnx.node = "conv"} : tensor<2x1x1x2xi8> to tensor<2x1x1x2x!quant.uniform<i8:f32, 0.0099999997764825821>>
    %9 = quant.dcast %8 {onnx.node = "conv"} : tensor<2x1x1x2x!quant.uniform<i8:f32, 0.0099999997764825821>> to tensor<2x1x1x2xf32>
    %10 = tosa.conv2d %4, %9, %5, %6, %6 {acc_type = f32, dilation = array<i64: 1, 1>, onnx.layout = "NHWC", onnx.node = "conv", onnx.output = "c", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x2xf32>
    %11 = quant.qcast %10 {onnx.layout = "NHWC", onnx.node = "qy", onnx.output = "yq"} : tensor<1x3x3x2xf32> to tensor<1x3x3x2x!quant.uniform<u8:f32, 0.019999999552965164:128>>
    %12 = quant.dcast %11 {onnx.layout = "NHWC", onnx.node = "dqy", onnx.output = "y"} : tensor<1x3x3x2x!quant.uniform<u8:f32, 0.019999999552965164:128>> to tensor<1x3x3x2xf32>
    %13 = tosa.transpose %12 {onnx.node = "dqy", perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
    %14 = quant.qcast %13 {onnx.node = "dqy"} : tensor<1x2x3x3xf32> to tensor<1x2x3x3x!quant.uniform<u8:f32, 0.019999999552965164:128>>
    %15 = quant.dcast %14 {onnx.node = "dqy"} : tensor<1x2x3x3x!quant.uniform<u8:f32, 0.019999999552965164:128>> to tensor<1x2x3x3xf32>
    return %15 : tensor<1x2x3x3xf32>
  }
}

