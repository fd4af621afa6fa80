module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x3x8x8xi8> {onnx.name = "x", tessera.dtype = "uint8", tessera.scale = 0.021604583777633368 : f64, tessera.zero_point = 150 : i64}) -> (tensor<1x4x4x4xi8> {onnx.name = "y", tessera.dtype = "uint8", tessera.scale = 0.068484040802600343 : f64, tessera.zero_point = 0 : i64}) {
    %0 = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %2 = "tosa.const"() <{values = dense<38> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = "tosa.const"() <{values = dense<1539396148> : tensor<1xi32>}> : () -> tensor<1xi32>
    %4 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %5 = "tosa.const"() <{values = dense<22> : tensor<1xi8>}> : () -> tensor<1xi8>
    %6 = "tosa.const"() <{values = dense<[-65, -678, 1404, 5414]> : tensor<4xi32>}> : () -> tensor<4xi32>
    %7 = "tosa.const"() <{values = dense<"0x0038FD3BFF232A1C252994ED5B08E4BCCDFADD64DEB632DFFA35F0D70B232BE2EAA605932E67ECDD171FE1E0EBB43619F8F937F221E145CDFD5BA9263DCE4542150D3E1B237FA9C20A96BE00EE0D22F5252942F021E7852CF3DC2E0F0A9D2AD8D7AFEE1A38F8220403ABD539"> : tensor<4x3x3x3xi8>}> : () -> tensor<4x3x3x3xi8>
    %8 = tosa.transpose %arg0 {onnx.node = "conv", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x8x8xi8>) -> tensor<1x8x8x3xi8>
    %9 = tosa.conv2d %8, %7, %6, %5, %4 {acc_type = i32, dilation = array<i64: 1, 1>, onnx.layout = "NHWC", onnx.node = "conv", onnx.output = "c", pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, tessera.activation = "relu"} : (tensor<1x8x8x3xi8>, tensor<4x3x3x3xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x4xi32>
    %10 = tosa.rescale %9, %3, %2, %1, %0 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x4x4x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x4xi8>
    %11 = tosa.transpose %10 {onnx.node = "relu", perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x4xi8>) -> tensor<1x4x4x4xi8>
    return %11 : tensor<1x4x4x4xi8>
  }
}
