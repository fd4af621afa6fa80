// An int-level batched MatMul of two activations (docs/lowering.md, "MatMul
// of two activations"): y[b] = rescale((a[b] - 1) x (w[b] + 2)) with
// multiplier 2^30, shift 31 (x 0.5, round half up) and output zero point 3.
// Nonzero zero points on both operands, as rv1126's asymmetric uint8 gives.
module attributes {onnx.graph = "g", onnx.opset = 17 : i64} {
  func.func @main(%arg0: tensor<2x2x3xi8> {onnx.name = "a", tessera.dtype = "int8", tessera.scale = 0.0625 : f64, tessera.zero_point = 1 : i64}, %arg1: tensor<2x3x2xi8> {onnx.name = "w", tessera.dtype = "int8", tessera.scale = 0.0625 : f64, tessera.zero_point = -2 : i64}) -> (tensor<2x2x2xi8> {onnx.name = "y", tessera.dtype = "int8", tessera.scale = 0.0078125 : f64, tessera.zero_point = 3 : i64}) {
    %azp = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
    %bzp = "tosa.const"() <{values = dense<-2> : tensor<1xi8>}> : () -> tensor<1xi8>
    %mult = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
    %shift = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
    %izp = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %ozp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
    %acc = tosa.matmul %arg0, %arg1, %azp, %bzp {onnx.node = "mm"} : (tensor<2x2x3xi8>, tensor<2x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x2x2xi32>
    %y = tosa.rescale %acc, %mult, %shift, %izp, %ozp {onnx.node = "mm", input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<2x2x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x2x2xi8>
    return %y : tensor<2x2x2xi8>
  }
}
