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

// -----

// SiLU as --tessera-fold-to-integer leaves it: sigmoid is an i8 tosa.table,
// x * sigmoid(x) removes both zero points with rescales by exactly 1
// (2^30, shift 30), multiplies in i32 with shift 0 and requantizes. The
// table becomes npu.table (the constant stays its operand) and the other
// four ops one npu.mul with the zero points of the i8 inputs.
// CHECK: module attributes {npu.layers = [{name = "sig1", op_type = "Table"}, {name = "mul1", op_type = "Mul"}]}
// CHECK-LABEL: func.func @silu
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<"0x80838689
// CHECK: %[[S:.*]] = npu.table %arg0, %[[T]] {layer = 0 : i64} : (tensor<1x2x3x4xi8>, tensor<256xi8>) -> tensor<1x2x3x4xi8>
// CHECK: %[[M:.*]] = npu.mul %arg0, %[[S]] {a_zp = -3 : i64, b_zp = -128 : i64, clamp_max = 127 : i64, clamp_min = -128 : i64, double_round = false, layer = 1 : i64, multiplier = 2073404162 : i32, output_zp = -121 : i64, shift = 38 : i32}
// CHECK-NOT: tosa.rescale
// CHECK-NOT: tosa.mul
// CHECK: return %[[M]]
module {
func.func @silu(%x: tensor<1x2x3x4xi8>) -> tensor<1x2x3x4xi8> {
  %t = "tosa.const"() {values = dense<[-128,-125,-122,-119,-116,-113,-110,-107,-104,-101,-98,-95,-92,-89,-86,-83,-80,-77,-74,-71,-68,-65,-62,-59,-56,-53,-50,-47,-44,-41,-38,-35,-32,-29,-26,-23,-20,-17,-14,-11,-8,-5,-2,1,4,7,10,13,16,19,22,25,28,31,34,37,40,43,46,49,52,55,58,61,64,67,70,73,76,79,82,85,88,91,94,97,100,103,106,109,112,115,118,121,124,127,-126,-123,-120,-117,-114,-111,-108,-105,-102,-99,-96,-93,-90,-87,-84,-81,-78,-75,-72,-69,-66,-63,-60,-57,-54,-51,-48,-45,-42,-39,-36,-33,-30,-27,-24,-21,-18,-15,-12,-9,-6,-3,0,3,6,9,12,15,18,21,24,27,30,33,36,39,42,45,48,51,54,57,60,63,66,69,72,75,78,81,84,87,90,93,96,99,102,105,108,111,114,117,120,123,126,-127,-124,-121,-118,-115,-112,-109,-106,-103,-100,-97,-94,-91,-88,-85,-82,-79,-76,-73,-70,-67,-64,-61,-58,-55,-52,-49,-46,-43,-40,-37,-34,-31,-28,-25,-22,-19,-16,-13,-10,-7,-4,-1,2,5,8,11,14,17,20,23,26,29,32,35,38,41,44,47,50,53,56,59,62,65,68,71,74,77,80,83,86,89,92,95,98,101,104,107,110,113,116,119,122,125]> : tensor<256xi8>} : () -> tensor<256xi8>
  %one = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s30 = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %zx = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %zs = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %mo = "tosa.const"() {values = dense<2073404162> : tensor<1xi32>} : () -> tensor<1xi32>
  %so = "tosa.const"() {values = dense<38> : tensor<1xi8>} : () -> tensor<1xi8>
  %zo = "tosa.const"() {values = dense<-121> : tensor<1xi8>} : () -> tensor<1xi8>
  %sig = tosa.table %x, %t {onnx.node = "sig1"} : (tensor<1x2x3x4xi8>, tensor<256xi8>) -> tensor<1x2x3x4xi8>
  %ra = tosa.rescale %x, %one, %s30, %zx, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  %rb = tosa.rescale %sig, %one, %s30, %zs, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  %p = tosa.mul %ra, %rb, %sh {onnx.node = "mul1"} : (tensor<1x2x3x4xi32>, tensor<1x2x3x4xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi32>
  %ro = tosa.rescale %p, %mo, %so, %z32, %zo {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x4xi8>
  return %ro : tensor<1x2x3x4xi8>
}
}

// -----

// A square (ONNX Pow with exponent 2): both operands are the same rescale.
// CHECK-LABEL: func.func @square
// CHECK: %[[M:.*]] = npu.mul %arg0, %arg0 {a_zp = 5 : i64, b_zp = 5 : i64, clamp_max = 127 : i64, clamp_min = -128 : i64, double_round = true, layer = 0 : i64, multiplier = 1073741824 : i32, output_zp = 0 : i64, shift = 40 : i32}
// CHECK: return %[[M]]
func.func @square(%x: tensor<2x6xi8>) -> tensor<2x6xi8> {
  %one = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s30 = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %s40 = "tosa.const"() {values = dense<40> : tensor<1xi8>} : () -> tensor<1xi8>
  %zx = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %r = tosa.rescale %x, %one, %s30, %zx, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<2x6xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<2x6xi32>
  %p = tosa.mul %r, %r, %z8 {onnx.node = "pow1"} : (tensor<2x6xi32>, tensor<2x6xi32>, tensor<1xi8>) -> tensor<2x6xi32>
  %ro = tosa.rescale %p, %one, %s40, %z32, %z8 {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<2x6xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x6xi8>
  return %ro : tensor<2x6xi8>
}

// -----

// Both zero points 0 (symmetric activations): --tessera-fold-to-integer
// multiplies the i8 values directly (i8 x i8 -> i32, no widening rescales).
// Operand a is a constant anchor grid [1, 3, 1, 2] that broadcasts over W;
// it is materialized at the full shape as operand b (the full-shaped x is
// a), element (0, a, w, k) = grid[a][k]:
// rows [10, 13], [16, 30], [33, 23], each repeated for w = 0, 1.
// CHECK-LABEL: func.func @mul_i8_direct_broadcast_constant
// CHECK: %[[G:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}10, 13], [10, 13]], {{\[\[}}16, 30], [16, 30]], {{\[\[}}33, 23], [33, 23]]]]> : tensor<1x3x2x2xi8>}>
// CHECK: %[[M:.*]] = npu.mul %arg0, %[[G]] {a_zp = 0 : i64, b_zp = 0 : i64, clamp_max = 127 : i64, clamp_min = -127 : i64, double_round = false, layer = 0 : i64, multiplier = 1073741824 : i32, output_zp = 0 : i64, shift = 35 : i32}
// CHECK-NOT: tosa.mul
// CHECK: return %[[M]]
func.func @mul_i8_direct_broadcast_constant(%x: tensor<1x3x2x2xi8>) -> tensor<1x3x2x2xi8> {
  %g = "tosa.const"() {values = dense<[[[[10, 13]], [[16, 30]], [[33, 23]]]]> : tensor<1x3x1x2xi8>} : () -> tensor<1x3x1x2xi8>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %one = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s35 = "tosa.const"() {values = dense<35> : tensor<1xi8>} : () -> tensor<1xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %p = tosa.mul %g, %x, %sh {onnx.node = "anchors1"} : (tensor<1x3x1x2xi8>, tensor<1x3x2x2xi8>, tensor<1xi8>) -> tensor<1x3x2x2xi32>
  %ro = tosa.rescale %p, %one, %s35, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x3x2x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x3x2x2xi8>
  %c = tosa.clamp %ro {min_val = -127 : i8, max_val = 127 : i8} : (tensor<1x3x2x2xi8>) -> tensor<1x3x2x2xi8>
  return %c : tensor<1x3x2x2xi8>
}

// -----

// YOLO's detect head: NHWC -> NCHW, reshape [1, A*K, H, W] -> [1, A, K, H,
// W], transpose (0, 1, 3, 4, 2) is one reshape that splits the channels and
// one npu.transpose that moves whole rows of K; the slice of the innermost
// dimension is a view (npu.slice).
// CHECK: module attributes {npu.layers = [{name = "reshape1", op_type = "Reshape"}, {name = "transpose1", op_type = "Transpose"}, {name = "slice1", op_type = "Slice"}]}
// CHECK-LABEL: func.func @detect_head
// CHECK: %[[R:.*]] = npu.reshape %arg0 {layer = 0 : i64} : (tensor<1x3x2x12xi8>) -> tensor<1x3x2x2x6xi8>
// CHECK: %[[T:.*]] = npu.transpose %[[R]] {layer = 1 : i64, perms = array<i64: 0, 3, 1, 2, 4>} : (tensor<1x3x2x2x6xi8>) -> tensor<1x2x3x2x6xi8>
// CHECK: %[[S:.*]] = npu.slice %[[T]] {layer = 2 : i64, offset = 2 : i64} : (tensor<1x2x3x2x6xi8>) -> tensor<1x2x3x2x4xi8>
// CHECK-NOT: tosa.transpose
// CHECK: return %[[S]]
func.func @detect_head(%x: tensor<1x3x2x12xi8>) -> tensor<1x2x3x2x4xi8> {
  %t1 = tosa.transpose %x {perms = array<i32: 0, 3, 1, 2>, onnx.node = "reshape1"} : (tensor<1x3x2x12xi8>) -> tensor<1x12x3x2xi8>
  %s5 = tosa.const_shape {values = dense<[1, 2, 6, 3, 2]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %r = tosa.reshape %t1, %s5 {onnx.node = "reshape1"} : (tensor<1x12x3x2xi8>, !tosa.shape<5>) -> tensor<1x2x6x3x2xi8>
  %t2 = tosa.transpose %r {perms = array<i32: 0, 1, 3, 4, 2>, onnx.node = "transpose1"} : (tensor<1x2x6x3x2xi8>) -> tensor<1x2x3x2x6xi8>
  %st = tosa.const_shape {values = dense<[0, 0, 0, 0, 2]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %sz = tosa.const_shape {values = dense<[1, 2, 3, 2, 4]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %sl = tosa.slice %t2, %st, %sz {onnx.node = "slice1"} : (tensor<1x2x3x2x6xi8>, !tosa.shape<5>, !tosa.shape<5>) -> tensor<1x2x3x2x4xi8>
  return %sl : tensor<1x2x3x2x4xi8>
}

// -----

// A slice of outer dimensions (the crop after a decomposed ConvTranspose)
// is a box copy: npu.transpose with the identity permutation and the
// slice's start as offsets. [1, 4, 5, 2] from [0, 1, 2, 0] size [1, 2, 3, 2]:
// output[0, i, j, c] = input[0, 1 + i, 2 + j, c].
// CHECK-LABEL: func.func @outer_slice
// CHECK: %[[T:.*]] = npu.transpose %arg0 {layer = {{[0-9]+}} : i64, offsets = array<i64: 0, 1, 2, 0>, perms = array<i64: 0, 1, 2, 3>} : (tensor<1x4x5x2xi8>) -> tensor<1x2x3x2xi8>
// CHECK: return %[[T]]
func.func @outer_slice(%x: tensor<1x4x5x2xi8>) -> tensor<1x2x3x2xi8> {
  %st = tosa.const_shape {values = dense<[0, 1, 2, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %sz = tosa.const_shape {values = dense<[1, 2, 3, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s = tosa.slice %x, %st, %sz {onnx.node = "crop"} : (tensor<1x4x5x2xi8>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x2x3x2xi8>
  return %s : tensor<1x2x3x2xi8>
}

// -----

// A mul by a reshaped i8 scalar (the detect head's x2): the constant is
// materialized with b's shape (one element: ELTWISE bcast = scalar).
// CHECK-LABEL: func.func @scalar_mul
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<127> : tensor<1x1x1x1x1xi8>}>
// CHECK: %[[M:.*]] = npu.mul %arg0, %[[C]] {a_zp = -128 : i64, b_zp = -128 : i64, {{.*}}multiplier = 1431655765 : i32, output_zp = -128 : i64, shift = 32 : i32} : (tensor<1x2x3x2x2xi8>, tensor<1x1x1x1x1xi8>) -> tensor<1x2x3x2x2xi8>
// CHECK: return %[[M]]
func.func @scalar_mul(%x: tensor<1x2x3x2x2xi8>) -> tensor<1x2x3x2x2xi8> {
  %c = "tosa.const"() {values = dense<127> : tensor<i8>} : () -> tensor<i8>
  %s1 = tosa.const_shape {values = dense<1> : tensor<5xindex>} : () -> !tosa.shape<5>
  %c1 = tosa.reshape %c, %s1 : (tensor<i8>, !tosa.shape<5>) -> tensor<1x1x1x1x1xi8>
  %one = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s30 = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %zx = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %mo = "tosa.const"() {values = dense<1431655765> : tensor<1xi32>} : () -> tensor<1xi32>
  %so = "tosa.const"() {values = dense<32> : tensor<1xi8>} : () -> tensor<1xi8>
  %ra = tosa.rescale %x, %one, %s30, %zx, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x2x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x2x2xi32>
  %rb = tosa.rescale %c1, %one, %s30, %zx, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x1x1xi32>
  %p = tosa.mul %ra, %rb, %sh {onnx.node = "mul2"} : (tensor<1x2x3x2x2xi32>, tensor<1x1x1x1x1xi32>, tensor<1xi8>) -> tensor<1x2x3x2x2xi32>
  %ro = tosa.rescale %p, %mo, %so, %z32, %zx {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x2x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x3x2x2xi8>
  return %ro : tensor<1x2x3x2x2xi8>
}

// -----

// An add of a constant broadcast over the anchors (the detect head's grid):
// the constant is materialized at the full shape.
// CHECK-LABEL: func.func @grid_add
// CHECK: %[[G:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[\[}}1, 2], [3, 4]]], {{\[\[\[}}1, 2], [3, 4]]]]]> : tensor<1x2x1x2x2xi8>}>
// CHECK: %[[A:.*]] = npu.add %arg0, %[[G]] {{.*}}shift = 50 : i32} : (tensor<1x2x1x2x2xi8>, tensor<1x2x1x2x2xi8>) -> tensor<1x2x1x2x2xi8>
// CHECK: return %[[A]]
func.func @grid_add(%x: tensor<1x2x1x2x2xi8>) -> tensor<1x2x1x2x2xi8> {
  %g = "tosa.const"() {values = dense<[[[[[1, 2], [3, 4]]]]]> : tensor<1x1x1x2x2xi8>} : () -> tensor<1x1x1x2x2xi8>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<11> : tensor<1xi8>} : () -> tensor<1xi8>
  %z = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %so = "tosa.const"() {values = dense<50> : tensor<1xi8>} : () -> tensor<1xi8>
  %ra = tosa.rescale %x, %m, %s, %z, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x1x2x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x1x2x2xi32>
  %rb = tosa.rescale %g, %m, %s, %z, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x1x1x2x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x2x2xi32>
  %sum = tosa.add %ra, %rb {onnx.node = "add3"} : (tensor<1x2x1x2x2xi32>, tensor<1x1x1x2x2xi32>) -> tensor<1x2x1x2x2xi32>
  %ro = tosa.rescale %sum, %m, %so, %z32, %z {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x1x2x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x1x2x2xi8>
  return %ro : tensor<1x2x1x2x2xi8>
}

// -----

// ONNX nearest Resize x2 as imported (scale 2/1, offset -1): the index map
// core/kernels computes is (oy / 2, ox / 2), so it is npu.resize.
// CHECK-LABEL: func.func @upsample
// CHECK: %[[U:.*]] = npu.resize %arg0 {factor_x = 2 : i64, factor_y = 2 : i64, layer = 0 : i64} : (tensor<1x3x2x4xi8>) -> tensor<1x6x4x4xi8>
// CHECK: return %[[U]]
func.func @upsample(%x: tensor<1x3x2x4xi8>) -> tensor<1x6x4x4xi8> {
  %sc = tosa.const_shape {values = dense<[2, 1, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %of = tosa.const_shape {values = dense<-1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %bo = tosa.const_shape {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
  %u = tosa.resize %x, %sc, %of, %bo {mode = NEAREST_NEIGHBOR, onnx.node = "up1"} : (tensor<1x3x2x4xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x6x4x4xi8>
  return %u : tensor<1x6x4x4xi8>
}

// -----

// The global average pool into another scale that --tessera-fold-to-integer
// emits (x - zp widened exactly, summed over H and W, one rescale) is one
// npu.pool with the final multiplier: the ISA's POOL with cip = 1.
// CHECK-LABEL: func.func @global_sum_rescale
// CHECK: %[[P:.*]] = npu.pool %arg0 {input_zp = -3 : i64, kernel = array<i64: 2, 3>, kind = "avg", layer = 0 : i64, multiplier = 1073741824 : i64, output_zp = 7 : i64, pad = array<i64: 0, 0, 0, 0>, shift = 33 : i64, stride = array<i64: 1, 1>} : (tensor<1x2x3x4xi8>) -> tensor<1x1x1x4xi8>
// CHECK-NOT: tosa.
// CHECK: return %[[P]]
func.func @global_sum_rescale(%x: tensor<1x2x3x4xi8>) -> tensor<1x1x1x4xi8> {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %s30 = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %s33 = "tosa.const"() {values = dense<33> : tensor<1xi8>} : () -> tensor<1xi8>
  %z = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %oz = "tosa.const"() {values = dense<7> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %w = tosa.rescale %x, %m, %s30, %z, %z32 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x2x3x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x3x4xi32>
  %r1 = tosa.reduce_sum %w {axis = 1 : i32} : (tensor<1x2x3x4xi32>) -> tensor<1x1x3x4xi32>
  %r2 = tosa.reduce_sum %r1 {axis = 2 : i32} : (tensor<1x1x3x4xi32>) -> tensor<1x1x1x4xi32>
  %o = tosa.rescale %r2, %m, %s33, %z32, %oz {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false, onnx.node = "gap"} : (tensor<1x1x1x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x1x4xi8>
  return %o : tensor<1x1x1x4xi8>
}

// -----

// The windowed average pool into another scale of --tessera-fold-to-integer
// (3x3 window, pad 1, on a 3x3 plane; ratio 1.5 = (1610612736, 30)): the
// per-position multipliers are round(1610612736 / n) for the in-bounds
// counts n = 4 (corners), 6 (edges), 9 (centre), so the chain is one
// npu.pool with per_count, multiplier 1610612736 and shift 30.
// CHECK-LABEL: func.func @window_sum_rescale
// CHECK: %[[P:.*]] = npu.pool %arg0 {input_zp = -3 : i64, kernel = array<i64: 3, 3>, kind = "avg", layer = 0 : i64, multiplier = 1610612736 : i64, output_zp = 7 : i64, pad = array<i64: 1, 1, 1, 1>, per_count = true, shift = 30 : i64, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xi8>) -> tensor<1x3x3x2xi8>
// CHECK-NOT: tosa.
// CHECK: return %[[P]]
func.func @window_sum_rescale(%x: tensor<1x3x3x2xi8>) -> tensor<1x3x3x2xi8> {
  %id = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s30 = "tosa.const"() <{values = dense<30> : tensor<1xi8>}> : () -> tensor<1xi8>
  %m = "tosa.const"() <{values = dense<[[[[402653184], [268435456], [402653184]], [[268435456], [178956971], [268435456]], [[402653184], [268435456], [402653184]]]]> : tensor<1x3x3x1xi32>}> : () -> tensor<1x3x3x1xi32>
  %ones = "tosa.const"() <{values = dense<1> : tensor<3x3x2x1xi8>}> : () -> tensor<3x3x2x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %z32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %z = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %oz = "tosa.const"() <{values = dense<7> : tensor<1xi8>}> : () -> tensor<1xi8>
  %sum = tosa.depthwise_conv2d %x, %ones, %b, %z, %wz {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xi8>, tensor<3x3x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  %sc = tosa.mul %sum, %m, %s30 : (tensor<1x3x3x2xi32>, tensor<1x3x3x1xi32>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  %o = tosa.rescale %sc, %id, %s30, %z32, %oz {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true, onnx.node = "ap"} : (tensor<1x3x3x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x3x3x2xi8>
  return %o : tensor<1x3x3x2xi8>
}

// -----

// Redundant clamps: after a reshape of a value clamped to [-127, 127], a
// clamp to [-127, 127] (a symmetric scheme's) cannot change anything and is
// erased; a clamp to [0, 127] (a ReLU) can, and stays (identity rescale
// with those bounds).
// CHECK-LABEL: func.func @redundant_clamp
// CHECK: %[[C:.*]] = npu.rescale %arg0 {clamp_max = 127 : i64, clamp_min = -127 : i64
// CHECK-NEXT: %[[R:.*]] = npu.reshape %[[C]]
// CHECK-NEXT: %[[K:.*]] = npu.rescale %[[R]] {clamp_max = 127 : i64, clamp_min = 0 : i64
// CHECK-NEXT: return %[[R]], %[[K]]
func.func @redundant_clamp(%x: tensor<1x2x2x4xi8>) -> (tensor<1x4x4xi8>, tensor<1x4x4xi8>) {
  %c = tosa.clamp %x {max_val = 127 : i8, min_val = -127 : i8} : (tensor<1x2x2x4xi8>) -> tensor<1x2x2x4xi8>
  %s = tosa.const_shape {values = dense<[1, 4, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %r = tosa.reshape %c, %s : (tensor<1x2x2x4xi8>, !tosa.shape<3>) -> tensor<1x4x4xi8>
  %c2 = tosa.clamp %r {max_val = 127 : i8, min_val = -127 : i8} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  %c3 = tosa.clamp %r {max_val = 127 : i8, min_val = 0 : i8} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  return %c2, %c3 : tensor<1x4x4xi8>, tensor<1x4x4xi8>
}

// -----

// A pad by the conv's input zero point (-3) before a conv (a decomposed
// ConvTranspose's input padding) is the conv's own padding: pad [H 1, 2;
// W 0, 1] + conv pad [1, 0, 1, 1] -> npu.conv2d pad [2, 2, 1, 2] on the
// unpadded input (CONV pads with input_zp too); output 6x5 either way.
// CHECK-LABEL: func.func @pad_into_conv
// CHECK: npu.conv2d %arg0, {{.*}} pad = array<i64: 2, 2, 1, 2>
// CHECK-SAME: (tensor<1x3x3x1xi8>, tensor<1x2x2x1xi8>, tensor<1xi32>) -> tensor<1x6x5x1xi8>
// CHECK-NOT: tosa.pad
func.func @pad_into_conv(%x: tensor<1x3x3x1xi8>) -> tensor<1x6x5x1xi8> {
  %p = tosa.const_shape {values = dense<[0, 0, 1, 2, 0, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %izp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %xp = tosa.pad %x, %p, %izp : (tensor<1x3x3x1xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x6x4x1xi8>
  %w = "tosa.const"() {values = dense<[[[[1], [2]], [[3], [4]]]]> : tensor<1x2x2x1xi8>} : () -> tensor<1x2x2x1xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.conv2d %xp, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x4x1xi8>, tensor<1x2x2x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x5x1xi32>
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %sh = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %c, %m, %sh, %z32, %z8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x6x5x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x6x5x1xi8>
  return %r : tensor<1x6x5x1xi8>
}
