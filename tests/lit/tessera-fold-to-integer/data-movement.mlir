// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s --check-prefix=NOQUANT
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | mlir-opt --split-input-file --tosa-attach-target="profiles=pro_int level=none" --tosa-validate="strict-op-spec-alignment" > /dev/null
// NOQUANT-NOT: quant.
// NOQUANT-NOT: f32

// level=none: MLIR 22's level check compares the length of tosa.pad's
// padding shape (2 x rank = 8) with MAX_RANK (6).
// Shared quantization in this file: !quant.uniform<i8:f32, 0.5:-3>.

// max_pool2d, reshape and transpose with shared quantization: the same ops
// on i8, no rescale.

// CHECK-LABEL: func.func @shared_qparams_chain
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<1x4x4x2xi8>
// CHECK-NOT: tosa.rescale
// CHECK: %[[P:.*]] = tosa.max_pool2d %[[ARG]] {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xi8>) -> tensor<1x2x2x2xi8>
// CHECK: %[[T:.*]] = tosa.transpose %[[P]] {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
// CHECK: %[[R:.*]] = tosa.reshape %[[T]], %{{.*}} : (tensor<1x2x2x2xi8>, !tosa.shape<2>) -> tensor<1x8xi8>
// CHECK: return %[[R]]
func.func @shared_qparams_chain(%arg0: tensor<1x4x4x2xf32>) -> tensor<1x8xf32> {
  %0 = quant.qcast %arg0 : tensor<1x4x4x2xf32> to tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x4x4x2xf32>
  %2 = tosa.max_pool2d %1 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  %3 = quant.qcast %2 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>>
  %4 = quant.dcast %3 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x2xf32>
  %5 = tosa.transpose %4 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %6 = quant.qcast %5 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>>
  %7 = quant.dcast %6 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x2xf32>
  %shape = tosa.const_shape {values = dense<[1, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %8 = tosa.reshape %7, %shape : (tensor<1x2x2x2xf32>, !tosa.shape<2>) -> tensor<1x8xf32>
  %9 = quant.qcast %8 : tensor<1x8xf32> to tensor<1x8x!quant.uniform<i8:f32, 0.5:-3>>
  %10 = quant.dcast %9 : tensor<1x8x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x8xf32>
  return %10 : tensor<1x8xf32>
}

// -----

// max_pool2d whose output is quantized differently (imported QDQ): the input
// is requantized first (max commutes with a positive rescale).
//   s 0.5 -> 0.25: m = 2 = 2^30 * 2^-29 -> (1073741824, 29); zp 0 -> 4.

// CHECK-LABEL: func.func @max_pool_requantized
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<29> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<4> : tensor<1xi8>}>
// CHECK: %[[R:.*]] = tosa.rescale %{{.*}}, %{{.*}}, %[[SHIFT]], %{{.*}}, %[[OZP]] {{.*}} -> tensor<1x2x2x1xi8>
// CHECK: tosa.max_pool2d %[[R]]
func.func @max_pool_requantized(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x2x1xf32>
  %2 = tosa.max_pool2d %1 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %3 = quant.qcast %2 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.25:4>>
  %4 = quant.dcast %3 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.25:4>> to tensor<1x1x1x1xf32>
  return %4 : tensor<1x1x1x1xf32>
}

// -----

// concat of two inputs sharing the output's quantization: i8 concat.

// CHECK-LABEL: func.func @concat_shared
// CHECK-SAME: (%[[A:[^:]*]]: tensor<1x2x2x1xi8> {{.*}}, %[[B:[^:]*]]: tensor<1x2x2x2xi8>
// CHECK-NOT: tosa.rescale
// CHECK: %[[C:.*]] = tosa.concat %[[A]], %[[B]] {axis = 3 : i32} : (tensor<1x2x2x1xi8>, tensor<1x2x2x2xi8>) -> tensor<1x2x2x3xi8>
// CHECK: return %[[C]]
func.func @concat_shared(%arg0: tensor<1x2x2x1xf32>, %arg1: tensor<1x2x2x2xf32>) -> tensor<1x2x2x3xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x1xf32>
  %2 = quant.qcast %arg1 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>>
  %3 = quant.dcast %2 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x2xf32>
  %4 = tosa.concat %1, %3 {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x3xf32>
  %5 = quant.qcast %4 : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5:-3>>
  %6 = quant.dcast %5 : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x3xf32>
  return %6 : tensor<1x2x2x3xf32>
}

// -----

// concat with one input quantized differently: only that one is rescaled.
//   s 1.0 -> 0.5: m = 2 -> (1073741824, 29); zp 0 -> -3.

// CHECK-LABEL: func.func @concat_mixed
// CHECK-SAME: (%[[A:[^:]*]]: tensor<1x2x2x1xi8> {{.*}}, %[[B:[^:]*]]: tensor<1x2x2x2xi8>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<29> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK: %[[RB:.*]] = tosa.rescale %[[B]], %{{.*}}, %[[SHIFT]], %{{.*}}, %[[OZP]]
// CHECK: tosa.concat %[[A]], %[[RB]]
func.func @concat_mixed(%arg0: tensor<1x2x2x1xf32>, %arg1: tensor<1x2x2x2xf32>) -> tensor<1x2x2x3xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x1xf32>
  %2 = quant.qcast %arg1 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>>
  %3 = quant.dcast %2 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.0>> to tensor<1x2x2x2xf32>
  %4 = tosa.concat %1, %3 {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x3xf32>
  %5 = quant.qcast %4 : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5:-3>>
  %6 = quant.dcast %5 : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x3xf32>
  return %6 : tensor<1x2x2x3xf32>
}

// -----

// constant concat inputs quantized at the concat's scale (the border of a
// constant Pad, --tessera-quantize): i8 constants, no rescale. At scale
// 0.5, zp -3: 0.0 -> -3, 0.5 -> 1 - 3 = -2, 2.0 -> 4 - 3 = 1.

// CHECK-LABEL: func.func @concat_constant_border
// CHECK-NOT: tosa.rescale
// CHECK-DAG: %[[Z:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1x2x1x2xi8>}>
// CHECK-DAG: %[[H:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}-2, 1]], {{\[\[}}1, -2]]]]> : tensor<1x2x1x2xi8>}>
// CHECK: tosa.concat %[[Z]], %{{.*}}, %[[H]] {axis = 2 : i32} : (tensor<1x2x1x2xi8>, tensor<1x2x2x2xi8>, tensor<1x2x1x2xi8>) -> tensor<1x2x4x2xi8>
func.func @concat_constant_border(%arg0: tensor<1x2x2x2xf32>) -> tensor<1x2x4x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x2xf32>
  %z = "tosa.const"() {values = dense<0.0> : tensor<1x2x1x2xf32>} : () -> tensor<1x2x1x2xf32>
  %zq = quant.qcast %z : tensor<1x2x1x2xf32> to tensor<1x2x1x2x!quant.uniform<i8:f32, 0.5:-3>>
  %zd = quant.dcast %zq : tensor<1x2x1x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x1x2xf32>
  %h = "tosa.const"() {values = dense<[[[[0.5, 2.0]], [[2.0, 0.5]]]]> : tensor<1x2x1x2xf32>} : () -> tensor<1x2x1x2xf32>
  %hq = quant.qcast %h : tensor<1x2x1x2xf32> to tensor<1x2x1x2x!quant.uniform<i8:f32, 0.5:-3>>
  %hd = quant.dcast %hq : tensor<1x2x1x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x1x2xf32>
  %2 = tosa.concat %zd, %1, %hd {axis = 2 : i32} : (tensor<1x2x1x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x1x2xf32>) -> tensor<1x2x4x2xf32>
  %3 = quant.qcast %2 : tensor<1x2x4x2xf32> to tensor<1x2x4x2x!quant.uniform<i8:f32, 0.5:-3>>
  %4 = quant.dcast %3 : tensor<1x2x4x2x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x4x2xf32>
  return %4 : tensor<1x2x4x2xf32>
}

// -----

// avg_pool2d with the same scale in and out: the zero points go straight
// into the op (input_zp -3, output_zp 7), no rescale.

// CHECK-LABEL: func.func @avg_pool_same_scale
// CHECK-DAG: %[[IZP:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<7> : tensor<1xi8>}>
// CHECK: %[[P:.*]] = tosa.avg_pool2d %{{.*}}, %[[IZP]], %[[OZP]] {acc_type = i32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
// CHECK-NOT: tosa.rescale
// CHECK: return %[[P]]
func.func @avg_pool_same_scale(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.avg_pool2d %1, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %3 = quant.qcast %2 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5:7>>
  %4 = quant.dcast %3 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5:7>> to tensor<1x1x1x1xf32>
  return %4 : tensor<1x1x1x1xf32>
}

// -----

// avg_pool2d with its own output scale, global (the 2x2 window is the whole
// unpadded plane): one exact i32 sum and one rescale, as ONNX rounds once.
// Widening x - (-3): m = 1 = 2^30 * 2^-30 -> (1073741824, 30), zero points
// -3 -> 0; the sum over H then W; then s 0.5 -> 1.0 over 4 elements:
// 0.5 / (4 * 1.0) = 0.125 = 2^30 * 2^-33 -> (1073741824, 33), zero points
// 0 -> 7.

// CHECK-LABEL: func.func @avg_pool_own_scale
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[S30:.*]] = "tosa.const"() <{values = dense<30> : tensor<1xi8>}>
// CHECK-DAG: %[[S33:.*]] = "tosa.const"() <{values = dense<33> : tensor<1xi8>}>
// CHECK-DAG: %[[Z:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<7> : tensor<1xi8>}>
// CHECK-DAG: %[[Z32:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi32>}>
// CHECK-NOT: tosa.avg_pool2d
// CHECK: %[[W:.*]] = tosa.rescale %{{.*}}, %[[M]], %[[S30]], %[[Z]], %[[Z32]] {{.*}} -> tensor<1x2x2x1xi32>
// CHECK: %[[R1:.*]] = tosa.reduce_sum %[[W]] {axis = 1 : i32} : (tensor<1x2x2x1xi32>) -> tensor<1x1x2x1xi32>
// CHECK: %[[R2:.*]] = tosa.reduce_sum %[[R1]] {axis = 2 : i32} : (tensor<1x1x2x1xi32>) -> tensor<1x1x1x1xi32>
// CHECK: %[[R:.*]] = tosa.rescale %[[R2]], %[[M]], %[[S33]], %[[Z32]], %[[OZP]] {{.*}} -> tensor<1x1x1x1xi8>
// CHECK: return %[[R]]
func.func @avg_pool_own_scale(%arg0: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.avg_pool2d %1, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %3 = quant.qcast %2 : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 1.0:7>>
  %4 = quant.dcast %3 : tensor<1x1x1x1x!quant.uniform<i8:f32, 1.0:7>> to tensor<1x1x1x1xf32>
  return %4 : tensor<1x1x1x1xf32>
}

// -----

// avg_pool2d with its own output scale, not global (2x2 windows of a 4x2
// plane): exact i32 window sums (depthwise conv, weights 1, input_zp -3),
// then one rounding: s 0.5 -> 1.0, m = 0.5 = 2^30 * 2^-31 -> (1073741824,
// 31), over 4 values each: perCountMultiplier = 2^30 / 4 = 268435456; then
// a rescale by 1 (2^30, 30) to the zero point 7.

// CHECK-LABEL: func.func @avg_pool_own_scale_windows
// CHECK-DAG: %[[ONES:.*]] = "tosa.const"() <{values = dense<1> : tensor<2x2x1x1xi8>}>
// CHECK-DAG: %[[Z:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<268435456> : tensor<1x2x1x1xi32>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<31> : tensor<1xi8>}>
// CHECK-DAG: %[[ID:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[S30:.*]] = "tosa.const"() <{values = dense<30> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<7> : tensor<1xi8>}>
// CHECK-NOT: tosa.avg_pool2d
// CHECK: %[[SUM:.*]] = tosa.depthwise_conv2d %{{.*}}, %[[ONES]], %{{.*}}, %[[Z]], %{{.*}} {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} {{.*}} -> tensor<1x2x1x1xi32>
// CHECK: %[[SC:.*]] = tosa.mul %[[SUM]], %[[M]], %[[SHIFT]]
// CHECK: %[[R:.*]] = tosa.rescale %[[SC]], %[[ID]], %[[S30]], %{{.*}}, %[[OZP]]
// CHECK: return %[[R]]
func.func @avg_pool_own_scale_windows(%arg0: tensor<1x4x2x1xf32>) -> tensor<1x2x1x1xf32> {
  %0 = quant.qcast %arg0 : tensor<1x4x2x1xf32> to tensor<1x4x2x1x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x4x2x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x4x2x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.avg_pool2d %1, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x1x1xf32>
  %3 = quant.qcast %2 : tensor<1x2x1x1xf32> to tensor<1x2x1x1x!quant.uniform<i8:f32, 1.0:7>>
  %4 = quant.dcast %3 : tensor<1x2x1x1x!quant.uniform<i8:f32, 1.0:7>> to tensor<1x2x1x1xf32>
  return %4 : tensor<1x2x1x1xf32>
}

// -----

// A padded 3x3 window (pad 1) on a 3x3 plane: the in-bounds count is 4 at
// the corners, 6 on the edges, 9 in the centre. s 0.75 -> 0.5: m = 1.5 =
// 3 * 2^29 * 2^-30 -> (1610612736, 30); per count round(m / n):
// n = 4: 402653184, n = 6: 268435456, n = 9: 178956971 (178956970.67).

// CHECK-LABEL: func.func @avg_pool_padded_border_counts
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}[402653184], [268435456], [402653184]], {{\[}}[268435456], [178956971], [268435456]], {{\[}}[402653184], [268435456], [402653184]]]]> : tensor<1x3x3x1xi32>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<30> : tensor<1xi8>}>
// CHECK: %[[SUM:.*]] = tosa.depthwise_conv2d {{.*}}pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} {{.*}} -> tensor<1x3x3x1xi32>
// CHECK: tosa.mul %[[SUM]], %[[M]], %[[SHIFT]]
func.func @avg_pool_padded_border_counts(%arg0: tensor<1x3x3x1xf32>) -> tensor<1x3x3x1xf32> {
  %0 = quant.qcast %arg0 : tensor<1x3x3x1xf32> to tensor<1x3x3x1x!quant.uniform<i8:f32, 0.75>>
  %1 = quant.dcast %0 : tensor<1x3x3x1x!quant.uniform<i8:f32, 0.75>> to tensor<1x3x3x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.avg_pool2d %1, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x1xf32>
  %3 = quant.qcast %2 : tensor<1x3x3x1xf32> to tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>>
  %4 = quant.dcast %3 : tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x3x3x1xf32>
  return %4 : tensor<1x3x3x1xf32>
}

// -----

// slice shares the quantization; pad fills with the pad value quantized by
// the output parameters: 0.0 -> zero point -3, 1.0 -> -3 + 1.0 / 0.5 = -1.

// CHECK-LABEL: func.func @slice_and_pad
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<1x3x3x1xi8>
// CHECK-DAG: %[[ZERO:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK-DAG: %[[ONE:.*]] = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}>
// CHECK: %[[S:.*]] = tosa.slice %[[ARG]], %{{.*}}, %{{.*}} : (tensor<1x3x3x1xi8>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x2x2x1xi8>
// CHECK: %[[P0:.*]] = tosa.pad %[[S]], %{{.*}}, %[[ZERO]] : (tensor<1x2x2x1xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x4x4x1xi8>
// CHECK: %[[P1:.*]] = tosa.pad %[[S]], %{{.*}}, %[[ONE]]
func.func @slice_and_pad(%arg0: tensor<1x3x3x1xf32>) -> (tensor<1x4x4x1xf32>, tensor<1x4x4x1xf32>) {
  %0 = quant.qcast %arg0 : tensor<1x3x3x1xf32> to tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = quant.dcast %0 : tensor<1x3x3x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x3x3x1xf32>
  %start = tosa.const_shape {values = dense<[0, 1, 1, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %size = tosa.const_shape {values = dense<[1, 2, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %2 = tosa.slice %1, %start, %size : (tensor<1x3x3x1xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x2x2x1xf32>
  %3 = quant.qcast %2 : tensor<1x2x2x1xf32> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>>
  %4 = quant.dcast %3 : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x2x2x1xf32>
  %padding = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %zero = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %5 = tosa.pad %4, %padding, %zero : (tensor<1x2x2x1xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  %6 = quant.qcast %5 : tensor<1x4x4x1xf32> to tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:-3>>
  %7 = quant.dcast %6 : tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x4x4x1xf32>
  %8 = tosa.pad %4, %padding, %one : (tensor<1x2x2x1xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  %9 = quant.qcast %8 : tensor<1x4x4x1xf32> to tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:-3>>
  %10 = quant.dcast %9 : tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:-3>> to tensor<1x4x4x1xf32>
  return %7, %10 : tensor<1x4x4x1xf32>, tensor<1x4x4x1xf32>
}

// -----

// Restricted range (symmetric int8 activations, i8<-127:127>): a stride-2
// conv's crop slice, a max pool and a pad of values already in [-127, 127]
// hold nothing outside it, so no clamp [-127, 127] is emitted (it would be a
// no-op op between the conv and its crop, which lowering cannot absorb).
// The pad value 0.0 quantizes to 0.

// CHECK-LABEL: func.func @restricted_range_moves_need_no_clamp
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<1x5x5x2xi8>
// CHECK-NOT: tosa.clamp
// CHECK-NOT: tosa.rescale
// CHECK: %[[S:.*]] = tosa.slice %[[ARG]]
// CHECK: %[[P:.*]] = tosa.max_pool2d %[[S]]
// CHECK: %[[D:.*]] = tosa.pad %[[P]]
// CHECK-NEXT: return %[[D]]
func.func @restricted_range_moves_need_no_clamp(%arg0: tensor<1x5x5x2xf32>) -> tensor<1x4x4x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x5x5x2xf32> to tensor<1x5x5x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x5x5x2x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<1x5x5x2xf32>
  %start = tosa.const_shape {values = dense<[0, 0, 0, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %size = tosa.const_shape {values = dense<[1, 4, 4, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %2 = tosa.slice %1, %start, %size : (tensor<1x5x5x2xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x4x4x2xf32>
  %3 = quant.qcast %2 : tensor<1x4x4x2xf32> to tensor<1x4x4x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %4 = quant.dcast %3 : tensor<1x4x4x2x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<1x4x4x2xf32>
  %5 = tosa.max_pool2d %4 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  %6 = quant.qcast %5 : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %7 = quant.dcast %6 : tensor<1x2x2x2x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<1x2x2x2xf32>
  %padding = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %8 = tosa.pad %7, %padding, %zero : (tensor<1x2x2x2xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %9 = quant.qcast %8 : tensor<1x4x4x2xf32> to tensor<1x4x4x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %10 = quant.dcast %9 : tensor<1x4x4x2x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<1x4x4x2xf32>
  return %10 : tensor<1x4x4x2xf32>
}

// -----

// A full-range input moved into a restricted-range output of the same scale
// is rescaled by 1 (2^30 * 2^-30), which saturates to [-128, 127]: the
// rescaled input is clamped to [-127, 127] (-128 would otherwise leave the
// output's range), before the slice.

// CHECK-LABEL: func.func @full_range_into_restricted_keeps_clamp
// CHECK: %[[R:.*]] = tosa.rescale
// CHECK: %[[C:.*]] = tosa.clamp %[[R]] {max_val = 127 : i8, min_val = -127 : i8}
// CHECK: %[[S:.*]] = tosa.slice %[[C]]
// CHECK-NOT: tosa.clamp
// CHECK: return %[[S]]
func.func @full_range_into_restricted_keeps_clamp(%arg0: tensor<1x5x5x2xf32>) -> tensor<1x4x4x2xf32> {
  %0 = quant.qcast %arg0 : tensor<1x5x5x2xf32> to tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x5x5x2x!quant.uniform<i8:f32, 0.5>> to tensor<1x5x5x2xf32>
  %start = tosa.const_shape {values = dense<[0, 0, 0, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %size = tosa.const_shape {values = dense<[1, 4, 4, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %2 = tosa.slice %1, %start, %size : (tensor<1x5x5x2xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x4x4x2xf32>
  %3 = quant.qcast %2 : tensor<1x4x4x2xf32> to tensor<1x4x4x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %4 = quant.dcast %3 : tensor<1x4x4x2x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<1x4x4x2xf32>
  return %4 : tensor<1x4x4x2xf32>
}

// -----

// Restricted range, a concat input quantized differently (--tessera-quantize
// keeps a much narrower input's own quantization): that input alone is
// rescaled (s 0.5 -> 2.0: m = 0.25 = 2^30 * 2^-32 -> (1073741824, 32)) and
// clamped to [-127, 127] (the rescale saturates to [-128, 127]); the other
// input shares the output's type, and the concat needs no clamp.

// CHECK-LABEL: func.func @restricted_concat_requantized_input
// CHECK-SAME: (%[[A:[^:]*]]: tensor<1x2xi8> {{.*}}, %[[B:[^:]*]]: tensor<1x2xi8>
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[SH:.*]] = "tosa.const"() <{values = dense<32> : tensor<1xi8>}>
// CHECK: %[[R:.*]] = tosa.rescale %[[A]], %[[M]], %[[SH]]
// CHECK: %[[C:.*]] = tosa.clamp %[[R]] {max_val = 127 : i8, min_val = -127 : i8}
// CHECK: %[[CAT:.*]] = tosa.concat %[[C]], %[[B]]
// CHECK-NOT: tosa.clamp
// CHECK: return %[[CAT]]
func.func @restricted_concat_requantized_input(%arg0: tensor<1x2xf32>, %arg1: tensor<1x2xf32>) -> tensor<1x4xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x2x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<1x2xf32>
  %2 = quant.qcast %arg1 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8<-127:127>:f32, 2.0>>
  %3 = quant.dcast %2 : tensor<1x2x!quant.uniform<i8<-127:127>:f32, 2.0>> to tensor<1x2xf32>
  %4 = tosa.concat %1, %3 {axis = 1 : i32} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  %5 = quant.qcast %4 : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8<-127:127>:f32, 2.0>>
  %6 = quant.dcast %5 : tensor<1x4x!quant.uniform<i8<-127:127>:f32, 2.0>> to tensor<1x4xf32>
  return %6 : tensor<1x4xf32>
}
