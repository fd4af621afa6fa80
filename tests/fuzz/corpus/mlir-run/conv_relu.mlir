module attributes {onnx.graph = "g", onnx.opset = 13 : i64, onnx.producer = "tessera-fuzz-seed"} {
  func.func @main(%arg0: tensor<1x3x8x8xf32> {onnx.name = "x"}) -> (tensor<1x4x4x4xf32> {onnx.name = "y"}) {
    %0 = tosa.transpose %arg0 {onnx.node = "conv", perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x8x8x3xf32>
    %1 = "tosa.const"() <{values = dense<"0x2EB3DFBBFAAE7F3F53F96CBD06E8853F0ECCB3BC8BE41C3FBDD83D3FFEE3FD3E7D6B283F3755393F1194F4BF8C55B0BE0F34CF3FFD97163E8CA7FEBEBB4F9ABF6F2D68BFFE0DEBBD278020BFF63FE33FE7FE1ABF7E0BA9BF8B08633FA12618BF59ADDCBD9108733F941691BE96793ABFFF0C443E04DD1C3F0F2E443F6FA508BFC439C8BE8F4CCCBF3D03C03DA913F7BFF8D4523FAAEBE83FA8FFB1BE202520BF6868D13E2F2C0D3FB9C20BBF5ADD12BFD59DC2BE8FE8ACBFFEFE733F96C0E03E35B413BE72E403BE28C37A3FFB9A7DBE2808183F044B0BBFEF9C9D3F7A7F68BFD08649BD4A97CF3F7FCEC6BF69DE2B3F2D1E8A3F46CB61BF704A9D3FE32D953FE3C0BE3E1D706C3ED3638C3F0C34F23EE8D81C3F5E4A104067A7C4BF922F8CBF52523E3E5715F1BF439196BF1C95083B65DDA1BE76E8713E3E651A3FE39140BE5C272A3F17EB393FE026963F9AF08CBEF0BD173F94AEE0BEC7E40BC09CBF483FC1006EBE54CA25BFE4504F3FF5318C3E86463A3E9C47E0BF18E83F3F558435BF4AF23BBF6170B7BF4DF1A7BEB30AE93EE96A7D3FE04816BE7EBF183F0A4C9E3D0B2B463D3E8CC1BF095445BF39A4823F"> : tensor<4x3x3x3xf32>}> {onnx.node = "conv"} : () -> tensor<4x3x3x3xf32>
    %2 = "tosa.const"() <{values = dense<[-0.0248957798, -0.259967923, 0.538645208, 2.076617]> : tensor<4xf32>}> {onnx.node = "conv"} : () -> tensor<4xf32>
    %3 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> {onnx.node = "conv"} : () -> tensor<1xf32>
    %4 = tosa.conv2d %0, %1, %2, %3, %3 {acc_type = f32, dilation = array<i64: 1, 1>, onnx.layout = "NHWC", onnx.node = "conv", onnx.output = "c", pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, tessera.activation = "relu"} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
    %5 = tosa.clamp %4 {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32, onnx.layout = "NHWC", onnx.node = "relu", onnx.output = "y"} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    %6 = tosa.transpose %5 {onnx.node = "relu", perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    return %6 : tensor<1x4x4x4xf32>
  }
}

