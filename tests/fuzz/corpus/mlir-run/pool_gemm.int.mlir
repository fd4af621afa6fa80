module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x3x4x4xi8> {onnx.name = "x", tessera.dtype = "uint8", tessera.scale = 0.017714416279512292 : f64, tessera.zero_point = 142 : i64}) -> (tensor<1x2xi8> {onnx.name = "y", tessera.dtype = "uint8", tessera.scale = 0.017958897702834185 : f64, tessera.zero_point = 105 : i64}) {
    %0 = "tosa.const"() <{values = dense<-23> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<39> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<1920813847> : tensor<1xi32>}> : () -> tensor<1xi32>
    %3 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
    %5 = "tosa.const"() <{values = dense<[[[[-28, 41, -127]]], [[[108, 53, 107]]]]> : tensor<2x1x1x3xi8>}> : () -> tensor<2x1x1x3xi8>
    %6 = "tosa.const"() <{values = dense<-114> : tensor<1xi8>}> : () -> tensor<1xi8>
    %7 = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
    %8 = "tosa.const"() <{values = dense<1882407067> : tensor<1xi32>}> : () -> tensor<1xi32>
    %9 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %10 = "tosa.const"() <{values = dense<14> : tensor<1xi8>}> : () -> tensor<1xi8>
    %11 = "tosa.const"() <{values = dense<30> : tensor<1xi8>}> : () -> tensor<1xi8>
    %12 = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
    %13 = tosa.const_shape  {onnx.node = "flat", values = dense<[1, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %14 = tosa.const_shape  {onnx.node = "fc", values = dense<[1, 1, 1, 3]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %15 = tosa.const_shape  {onnx.node = "fc", values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %16 = tosa.transpose %arg0 {onnx.node = "pool", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x4x4xi8>) -> tensor<1x4x4x3xi8>
    %17 = tosa.max_pool2d %16 {kernel = array<i64: 2, 2>, onnx.layout = "NHWC", onnx.node = "pool", onnx.output = "p", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x3xi8>) -> tensor<1x2x2x3xi8>
    %18 = tosa.rescale %17, %12, %11, %10, %9 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x2x3xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x3xi32>
    %19 = tosa.reduce_sum %18 {axis = 1 : i32} : (tensor<1x2x2x3xi32>) -> tensor<1x1x2x3xi32>
    %20 = tosa.reduce_sum %19 {axis = 2 : i32} : (tensor<1x1x2x3xi32>) -> tensor<1x1x1x3xi32>
    %21 = tosa.rescale %20, %8, %7, %9, %6 {input_unsigned = false, onnx.layout = "NHWC", onnx.node = "gap", onnx.output = "g", output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x1x1x3xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x3xi8>
    %22 = tosa.reshape %21, %13 {onnx.node = "flat", onnx.output = "f"} : (tensor<1x1x1x3xi8>, !tosa.shape<2>) -> tensor<1x3xi8>
    %23 = tosa.reshape %22, %14 {onnx.node = "fc"} : (tensor<1x3xi8>, !tosa.shape<4>) -> tensor<1x1x1x3xi8>
    %24 = tosa.conv2d %23, %5, %4, %6, %3 {acc_type = i32, dilation = array<i64: 1, 1>, onnx.node = "fc", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x3xi8>, tensor<2x1x1x3xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x2xi32>
    %25 = tosa.rescale %24, %2, %1, %9, %0 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x1x1x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x2xi8>
    %26 = tosa.reshape %25, %15 {onnx.node = "fc", onnx.output = "y"} : (tensor<1x1x1x2xi8>, !tosa.shape<2>) -> tensor<1x2xi8>
    return %26 : tensor<1x2xi8>
  }
}
