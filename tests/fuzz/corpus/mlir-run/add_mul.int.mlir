module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x2x3x4xi8> {onnx.name = "x", tessera.dtype = "uint8", tessera.scale = 0.015198364912294874 : f64, tessera.zero_point = 166 : i64}) -> (tensor<1x2x3x4xi8> {onnx.name = "y", tessera.dtype = "uint8", tessera.scale = 0.020148929617568558 : f64, tessera.zero_point = 3 : i64}) {
    %0 = "tosa.const"() <{values = dense<-125> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<37> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<1575620400> : tensor<1xi32>}> : () -> tensor<1xi32>
    %3 = "tosa.const"() <{values = dense<30> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = "tosa.const"() <{values = dense<5> : tensor<1xi8>}> : () -> tensor<1xi8>
    %5 = "tosa.const"() <{values = dense<49> : tensor<1xi8>}> : () -> tensor<1xi8>
    %6 = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
    %7 = "tosa.const"() <{values = dense<14> : tensor<1xi8>}> : () -> tensor<1xi8>
    %8 = "tosa.const"() <{values = dense<1108211910> : tensor<1xi32>}> : () -> tensor<1xi32>
    %9 = "tosa.const"() <{values = dense<127> : tensor<1x1x1x4xi8>}> : () -> tensor<1x1x1x4xi8>
    %10 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> {onnx.node = "mul"} : () -> tensor<1xi8>
    %11 = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
    %12 = "tosa.const"() <{values = dense<11> : tensor<1xi8>}> : () -> tensor<1xi8>
    %13 = "tosa.const"() <{values = dense<38> : tensor<1xi8>}> : () -> tensor<1xi8>
    %14 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %15 = tosa.rescale %arg0, %11, %12, %13, %14 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
    %16 = tosa.rescale %9, %8, %7, %6, %14 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x1x1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x4xi32>
    %17 = tosa.add %15, %16 {onnx.node = "add", onnx.output = "a"} : (tensor<1x2x3x4xi32>, tensor<1x1x1x4xi32>) -> tensor<1x2x3x4xi32>
    %18 = tosa.rescale %17, %11, %5, %14, %4 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
    %19 = tosa.rescale %18, %11, %3, %4, %14 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
    %20 = tosa.rescale %arg0, %11, %3, %13, %14 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
    %21 = tosa.mul %19, %20, %10 {onnx.node = "mul", onnx.output = "y"} : (tensor<1x2x3x4xi32>, tensor<1x2x3x4xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi32>
    %22 = tosa.rescale %21, %2, %1, %14, %0 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
    return %22 : tensor<1x2x3x4xi8>
  }
}
