// An int-level module in the host-fallback form (docs/lowering.md, "Host
// segments"): `tessera-compile --emit=int --target j5` of Conv 3x3 ->
// Sigmoid -> Conv 1x1 (x [1, 3, 6, 6]) with the Sigmoid's tosa.table
// replaced by a float tosa.sigmoid on the host, between quant.scast/dcast
// (input scale 1/16) and quant.qcast/scast (output scale 1/127, zero point 0).
module attributes {onnx.graph = "g", onnx.opset = 17 : i64} {
  func.func @main(%arg0: tensor<1x3x6x6xi8> {onnx.name = "x", tessera.dtype = "int8", tessera.scale = 0.007793974219344732 : f64, tessera.zero_point = 0 : i64}) -> (tensor<1x4x6x6xi8> {onnx.name = "y", tessera.dtype = "int8", tessera.scale = 0.0065333674273152986 : f64, tessera.zero_point = 0 : i64}) {
    %0 = "tosa.const"() <{values = dense<[38, 40, 39, 39]> : tensor<4xi8>}> : () -> tensor<4xi8>
    %1 = "tosa.const"() <{values = dense<[1577146695, 2126196201, 1991961335, 2000080514]> : tensor<4xi32>}> : () -> tensor<4xi32>
    %2 = "tosa.const"() <{values = dense<[[[[-127, 22, -33, 6]]], [[[-13, 34, 116, -127]]], [[[127, 65, 75, 104]]], [[[70, 75, 7, -127]]]]> : tensor<4x1x1x4xi8>}> : () -> tensor<4x1x1x4xi8>
    %4 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %5 = "tosa.const"() <{values = dense<[39, 39, 39, 40]> : tensor<4xi8>}> : () -> tensor<4xi8>
    %6 = "tosa.const"() <{values = dense<[1390105122, 1172012485, 1317449351, 2019789940]> : tensor<4xi32>}> : () -> tensor<4xi32>
    %7 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %8 = "tosa.const"() <{values = dense<0> : tensor<4xi32>}> : () -> tensor<4xi32>
    %9 = "tosa.const"() <{values = dense<"0x07BB16F9DE392302F906814BE3F4DC14BC1347D83134E205DAEFD7C4D6ECE2F85E0E337FBF6175F2AE55F662172357B20E330017112BB6E33A1713DC19F169285BB4BC4CDADA2536E78103BD037364270BD0EA97E47626AEDF4AA0C9F42F13AF2C4E42610CA0C7D4CA7F9B2F"> : tensor<4x3x3x3xi8>}> : () -> tensor<4x3x3x3xi8>
    %10 = tosa.transpose %arg0 {onnx.node = "conv1", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x6x6xi8>) -> tensor<1x6x6x3xi8>
    %11 = tosa.conv2d %10, %9, %8, %7, %7 {acc_type = i32, dilation = array<i64: 1, 1>, onnx.layout = "NHWC", onnx.node = "conv1", onnx.output = "c1", pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x3xi8>, tensor<4x3x3x3xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x4xi32>
    %12 = tosa.rescale %11, %6, %5, %4, %7 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x6x6x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x6x6x4xi8>
    %13 = tosa.clamp %12 {max_val = 127 : i8, min_val = -127 : i8} : (tensor<1x6x6x4xi8>) -> tensor<1x6x6x4xi8>
    %h0 = quant.scast %13 {tessera.device = "cpu", onnx.node = "sig1"} : tensor<1x6x6x4xi8> to tensor<1x6x6x4x!quant.uniform<i8:f32, 0.0625>>
    %h1 = quant.dcast %h0 {tessera.device = "cpu", onnx.node = "sig1"} : tensor<1x6x6x4x!quant.uniform<i8:f32, 0.0625>> to tensor<1x6x6x4xf32>
    %h2 = tosa.sigmoid %h1 {tessera.device = "cpu", onnx.node = "sig1", onnx.output = "s1"} : (tensor<1x6x6x4xf32>) -> tensor<1x6x6x4xf32>
    %h3 = quant.qcast %h2 {tessera.device = "cpu", onnx.node = "sig1"} : tensor<1x6x6x4xf32> to tensor<1x6x6x4x!quant.uniform<i8:f32, 0.007874015748031496>>
    %14 = quant.scast %h3 {tessera.device = "cpu", onnx.node = "sig1"} : tensor<1x6x6x4x!quant.uniform<i8:f32, 0.007874015748031496>> to tensor<1x6x6x4xi8>
    %15 = tosa.conv2d %14, %2, %8, %7, %7 {acc_type = i32, dilation = array<i64: 1, 1>, onnx.layout = "NHWC", onnx.node = "conv2", onnx.output = "y", pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x6x4xi8>, tensor<4x1x1x4xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x4xi32>
    %16 = tosa.rescale %15, %1, %0, %4, %7 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x6x6x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x6x6x4xi8>
    %17 = tosa.clamp %16 {max_val = 127 : i8, min_val = -127 : i8} : (tensor<1x6x6x4xi8>) -> tensor<1x6x6x4xi8>
    %18 = tosa.transpose %17 {onnx.node = "conv2", perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xi8>) -> tensor<1x4x6x6xi8>
    return %18 : tensor<1x4x6x6xi8>
  }
}
