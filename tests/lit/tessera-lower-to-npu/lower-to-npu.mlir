// RUN: tessera-opt --split-input-file --tessera-lower-to-npu %s | FileCheck %s

// conv2d + rescale + clamp (a Conv followed by a Relu) becomes one
// npu.conv2d; the NCHW<->NHWC transposes at the boundary are absorbed into
// the signature.
// CHECK: module attributes {npu.layers = [{name = "conv1", op_type = "Conv+Relu"}]}
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[IN:.*]]: tensor<1x4x4x3xi8> {npu.layout = "nhwc", onnx.name = "input"})
// CHECK-SAME: -> (tensor<1x4x4x2xi8> {npu.layout = "nhwc", onnx.name = "output"})
// CHECK-NOT: tosa.transpose
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<2x3x3x3xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[10, -10]> : tensor<2xi32>}>
// CHECK: %[[C:.*]] = npu.conv2d %[[IN]], %[[W]], %[[B]]
// CHECK-SAME: clamp_max = 127 : i64, clamp_min = 5 : i64
// CHECK-SAME: dilation = array<i64: 1, 1>, double_round = true, groups = 1 : i64,
// CHECK-SAME: input_zp = -3 : i64, layer = 0 : i64,
// CHECK-SAME: multiplier = array<i32: 1073741824, 1610612736>, output_zp = 5 : i64,
// CHECK-SAME: pad = array<i64: 1, 1, 1, 1>, shift = array<i32: 38, 37>, stride = array<i64: 1, 1>, weight_zp = 0 : i64
// CHECK-SAME: (tensor<1x4x4x3xi8>, tensor<2x3x3x3xi8>, tensor<2xi32>) -> tensor<1x4x4x2xi8>
// CHECK: return %[[C]]
module {
func.func @conv_relu(%arg0: tensor<1x3x4x4xi8> {onnx.name = "input"})
    -> (tensor<1x2x4x4xi8> {onnx.name = "output"}) {
  %t = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x4x4xi8>) -> tensor<1x4x4x3xi8>
  %w = "tosa.const"() {values = dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]], [[[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]], [[2, 2, 2], [2, 2, 2], [2, 2, 2]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]]]> : tensor<2x3x3x3xi8>} : () -> tensor<2x3x3x3xi8>
  %b = "tosa.const"() {values = dense<[10, -10]> : tensor<2xi32>} : () -> tensor<2xi32>
  %izp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.conv2d %t, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xi8>, tensor<2x3x3x3xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32> loc(fused["conv1", "relu1"])
  %m = "tosa.const"() {values = dense<[1073741824, 1610612736]> : tensor<2xi32>} : () -> tensor<2xi32>
  %s = "tosa.const"() {values = dense<[38, 37]> : tensor<2xi8>} : () -> tensor<2xi8>
  %rizp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %rozp = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %c, %m, %s, %rizp, %rozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x2xi8> loc("conv1")
  %cl = tosa.clamp %r {min_val = 5 : i8, max_val = 127 : i8} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> loc("relu1")
  %o = tosa.transpose %cl {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x2xi8>) -> tensor<1x2x4x4xi8>
  return %o : tensor<1x2x4x4xi8>
}
}
// -----

// Depthwise [KH, KW, C, M] = [1, 2, 2, 2] weights become OHWI
// [C*M, KH, KW, 1]: output channel c*M + m takes w[.., .., c, m]; the
// one-element bias is broadcast; groups = C.
// CHECK: module attributes {npu.layers = [{name = "dw", op_type = "Conv"}]}
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1], [5]]], {{\[\[\[}}2], [6]]], {{\[\[\[}}3], [7]]], {{\[\[\[}}4], [8]]]]> : tensor<4x1x2x1xi8>}>
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<7> : tensor<4xi32>}>
// CHECK: npu.conv2d %arg0, %[[W]], %[[B]]
// CHECK-SAME: double_round = false, groups = 2 : i64
// CHECK-SAME: multiplier = array<i32: 1073741824>, output_zp = -1 : i64
// CHECK-SAME: -> tensor<1x5x4x4xi8>
module {
func.func @depthwise(%x: tensor<1x5x5x2xi8>) -> tensor<1x5x4x4xi8> {
  %w = "tosa.const"() {values = dense<[[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]> : tensor<1x2x2x2xi8>} : () -> tensor<1x2x2x2xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<1xi32>} : () -> tensor<1xi32>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x5x5x2xi8>, tensor<1x2x2x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x5x4x4xi32> loc("dw")
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<33> : tensor<1xi8>} : () -> tensor<1xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<-1> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %c, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x5x4x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x5x4x4xi8> loc("dw")
  return %r : tensor<1x5x4x4xi8>
}
}

// -----

// Pools, a stand-alone rescale + clamp, a concat and flattening reshapes;
// the rescale carries the concat's node name and shares its row (whose op
// type is the concat's).
// CHECK: module attributes {npu.layers = [{name = "pool1", op_type = "MaxPool"}, {name = "gap", op_type = "GlobalAveragePool"}, {name = "cat", op_type = "Concat"}, {name = "flatten", op_type = "Reshape"}, {name = "gflat", op_type = "Reshape"}]}
// CHECK-LABEL: func.func @pool_concat
// CHECK: %[[MP:.*]] = npu.pool %arg0 {input_zp = 0 : i64, kernel = array<i64: 2, 2>, kind = "max", layer = 0 : i64, output_zp = 0 : i64, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>}
// CHECK: %[[AP:.*]] = npu.pool %arg0 {input_zp = -2 : i64, kernel = array<i64: 4, 4>, kind = "avg", layer = 1 : i64, output_zp = 3 : i64
// CHECK: %[[RQ:.*]] = npu.rescale %[[MP]] {clamp_max = 100 : i64, clamp_min = -100 : i64, double_round = true, input_zp = -2 : i64, layer = 2 : i64, multiplier = array<i32: 1073741824, 1300000000>, output_zp = 4 : i64, shift = array<i32: 30, 31>}
// CHECK: %[[CAT:.*]] = npu.concat %[[RQ]], %arg0 {axis = 3 : i64, layer = 2 : i64}
// CHECK: %[[F:.*]] = npu.reshape %[[CAT]] {layer = 3 : i64} : (tensor<1x4x4x4xi8>) -> tensor<1x64xi8>
// CHECK: %[[G:.*]] = npu.reshape %[[AP]] {layer = 4 : i64}
// CHECK: return %[[F]], %[[G]]
module {
func.func @pool_concat(%x: tensor<1x4x4x2xi8>) -> (tensor<1x64xi8>, tensor<1x2xi8>) {
  %mp = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> loc("pool1")
  %zi = "tosa.const"() {values = dense<-2> : tensor<1xi8>} : () -> tensor<1xi8>
  %zo = "tosa.const"() {values = dense<3> : tensor<1xi8>} : () -> tensor<1xi8>
  %ap = tosa.avg_pool2d %x, %zi, %zo {acc_type = i32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x2xi8> loc("gap")
  %m = "tosa.const"() {values = dense<[1073741824, 1300000000]> : tensor<2xi32>} : () -> tensor<2xi32>
  %s = "tosa.const"() {values = dense<[30, 31]> : tensor<2xi8>} : () -> tensor<2xi8>
  %izp = "tosa.const"() {values = dense<-2> : tensor<1xi8>} : () -> tensor<1xi8>
  %ozp = "tosa.const"() {values = dense<4> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %mp, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4x2xi8>, tensor<2xi32>, tensor<2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi8> loc("cat")
  %cl = tosa.clamp %r {min_val = -100 : i8, max_val = 100 : i8} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> loc("cat")
  %cat = tosa.concat %cl, %x {axis = 3 : i32} : (tensor<1x4x4x2xi8>, tensor<1x4x4x2xi8>) -> tensor<1x4x4x4xi8> loc("cat")
  %shape = tosa.const_shape {values = dense<[1, 64]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %flat = tosa.reshape %cat, %shape : (tensor<1x4x4x4xi8>, !tosa.shape<2>) -> tensor<1x64xi8> loc("flatten")
  %shape2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %gflat = tosa.reshape %ap, %shape2 : (tensor<1x1x1x2xi8>, !tosa.shape<2>) -> tensor<1x2xi8> loc("gflat")


  return %flat, %gflat : tensor<1x64xi8>, tensor<1x2xi8>
}
}

// -----

// The integer residual add: i8 -> i32 rescales (left shift in the
// multipliers), i32 add, i32 -> i8 rescale and a ReLU clamp (min = the
// output zero point) become one npu.add named after the add.
// CHECK: module attributes {npu.layers = [{name = "add1", op_type = "Add+Relu"}]}
// CHECK-LABEL: func.func @residual_add
// CHECK: %[[S:.*]] = npu.add %arg0, %arg1 {a_multiplier = 1610612736 : i32, a_shift = 11 : i32, a_zp = 6 : i64, b_multiplier = 1073741824 : i32, b_shift = 11 : i32, b_zp = -4 : i64, clamp_max = 127 : i64, clamp_min = -5 : i64, double_round = false, layer = 0 : i64, multiplier = 1288490189 : i32, output_zp = -5 : i64, shift = 51 : i32}
// CHECK-NOT: tosa.
// CHECK: return %[[S]]
module {
func.func @residual_add(%a: tensor<1x2x2x8xi8>, %b: tensor<1x2x2x8xi8>) -> tensor<1x2x2x8xi8> {
  %ma = "tosa.const"() {values = dense<1610612736> : tensor<1xi32>} : () -> tensor<1xi32>
  %mb = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s11 = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %za = "tosa.const"() {values = dense<6> : tensor<1xi8>} : () -> tensor<1xi8>
  %zb = "tosa.const"() {values = dense<-4> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ra = tosa.rescale %a, %ma, %s11, %za, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x8xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x8xi32> loc("add1")
  %rb = tosa.rescale %b, %mb, %s11, %zb, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x8xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x8xi32> loc("add1")
  %sum = tosa.add %ra, %rb : (tensor<1x2x2x8xi32>, tensor<1x2x2x8xi32>) -> tensor<1x2x2x8xi32> loc("add1")
  %mo = "tosa.const"() {values = dense<1288490189> : tensor<1xi32>} : () -> tensor<1xi32>
  %so = "tosa.const"() {values = dense<51> : tensor<1xi8>} : () -> tensor<1xi8>
  %zo = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %ro = tosa.rescale %sum, %mo, %so, %z32, %zo {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x8xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x8xi8> loc("add1")
  %cl = tosa.clamp %ro {min_val = -5 : i8, max_val = 127 : i8} : (tensor<1x2x2x8xi8>) -> tensor<1x2x2x8xi8> loc("relu2")
  return %cl : tensor<1x2x2x8xi8>
}
}

// -----

// A matmul with a constant right operand is a 1x1 conv over M rows of K
// channels: b [1, K, N] becomes OHWI [N, 1, 1, K], the bias is zero, and the
// activation is viewed as [1, M, 1, K] and back. All three ops share the
// node's row.
// CHECK: module attributes {npu.layers = [{name = "fc", op_type = "MatMul"}]}
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4, 1, 4]]], {{\[\[\[}}-2, 0, -2]]]]> : tensor<2x1x1x3xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<0> : tensor<2xi32>}>
// CHECK: %[[IN:.*]] = npu.reshape %arg0 {layer = 0 : i64} : (tensor<1x2x3xi8>) -> tensor<1x2x1x3xi8>
// CHECK: %[[C:.*]] = npu.conv2d %[[IN]], %[[W]], %[[B]]
// CHECK-SAME: input_zp = 1 : i64, layer = 0 : i64, multiplier = array<i32: 1073741824, 1073741824>, output_zp = 2 : i64
// CHECK-SAME: shift = array<i32: 33, 32>
// CHECK-SAME: -> tensor<1x2x1x2xi8>
// CHECK: %[[OUT:.*]] = npu.reshape %[[C]] {layer = 0 : i64} : (tensor<1x2x1x2xi8>) -> tensor<1x2x2xi8>
// CHECK: return %[[OUT]]
module {
func.func @matmul(%arg0: tensor<1x2x3xi8>) -> tensor<1x2x2xi8> {
  %0 = "tosa.const"() <{values = dense<2> : tensor<1xi8>}> : () -> tensor<1xi8>
  %1 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %2 = "tosa.const"() <{values = dense<[33, 32]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %3 = "tosa.const"() <{values = dense<1073741824> : tensor<2xi32>}> : () -> tensor<2xi32>
  %4 = "tosa.const"() <{values = dense<[[[4, -2], [1, 0], [4, -2]]]> : tensor<1x3x2xi8>}> : () -> tensor<1x3x2xi8>
  %5 = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %6 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %7 = tosa.matmul %arg0, %4, %5, %6 : (tensor<1x2x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32> loc("fc")
  %8 = tosa.rescale %7, %3, %2, %1, %0 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2xi8> loc("fc")
  return %8 : tensor<1x2x2xi8>
}
}

// -----

// A stand-alone ReLU (after a max pool that shares its quantization) is a
// rescale by exactly 1 with the clamp's bounds; a transpose that moves only
// unit dimensions (NHWC -> NCHW of a 1x1 plane) is a reshape.
// CHECK: module attributes {npu.layers = [{name = "pool", op_type = "MaxPool"}, {name = "relu", op_type = "Clip"}, {name = "flatten", op_type = "Reshape"}]}
// CHECK-LABEL: func.func @relu_flatten
// CHECK: %[[P:.*]] = npu.pool
// CHECK: %[[R:.*]] = npu.rescale %[[P]] {clamp_max = 127 : i64, clamp_min = -3 : i64, double_round = false, input_zp = 0 : i64, layer = 1 : i64, multiplier = array<i32: 1073741824>, output_zp = 0 : i64, shift = array<i32: 30>}
// CHECK: %[[T:.*]] = npu.reshape %[[R]] {layer = 2 : i64} : (tensor<1x1x1x8xi8>) -> tensor<1x8x1x1xi8>
// CHECK: %[[F:.*]] = npu.reshape %[[T]] {layer = 2 : i64} : (tensor<1x8x1x1xi8>) -> tensor<1x8xi8>
// CHECK: return %[[F]]
module {
func.func @relu_flatten(%x: tensor<1x2x2x8xi8>) -> tensor<1x8xi8> {
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x8xi8>) -> tensor<1x1x1x8xi8> loc("pool")
  %r = tosa.clamp %p {min_val = -3 : i8, max_val = 127 : i8} : (tensor<1x1x1x8xi8>) -> tensor<1x1x1x8xi8> loc("relu")
  %t = tosa.transpose %r {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x1x1x8xi8>) -> tensor<1x8x1x1xi8> loc("flatten")
  %s = tosa.const_shape {values = dense<[1, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %f = tosa.reshape %t, %s : (tensor<1x8x1x1xi8>, !tosa.shape<2>) -> tensor<1x8xi8> loc("flatten")
  return %f : tensor<1x8xi8>
}
}
