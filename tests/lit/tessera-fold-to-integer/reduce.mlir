// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function reduce_mean --print | FileCheck %s --check-prefix=MEAN
// RUN: tessera-run %t.mlir --function reduce_sum_2axes --print | FileCheck %s --check-prefix=SUM
// RUN: tessera-run %t.mlir --function reduce_max --print | FileCheck %s --check-prefix=MAX
// RUN: tessera-run %t.mlir --function reduce_min --print | FileCheck %s --check-prefix=MIN
// RUN: tessera-run %t.mlir --function reduce_min_requant --print | FileCheck %s --check-prefix=MINRQ
// RUN: tessera-opt --tessera-fold-to-integer --tessera-lower-to-npu %s | FileCheck %s --check-prefix=NPU

// ReduceMean (sum times 1/count) and ReduceSum fold to one exact i32 sum and
// one single-round rescale (FoldReduce.cpp); ReduceMax and ReduceMin stay
// reduce_max / reduce_min on i8 with their input's quantization
// (FoldSharedQParams.cpp). On the NPU each is a 1 x R POOL of the
// input viewed as [1, outer, R, inner], one layer-table row with its
// reshapes.

// q = 2, 4, 6, 9 at s_in = 0.5, z_in = 1: x = 0.5, 1.5, 2.5, 4, mean 2.125.
// Sum of q - z_in = 1 + 3 + 5 + 8 = 17; rescale by s_in * (1/4) / s_out =
// 0.5 * 0.25 / 0.25 = 0.5 (2^30, shift 31): 8.5 rounds half up to 9;
// + z_out (-3) = 6 (= 2.125 / 0.25 - 3 = 5.5 rounded up).
// CHECK-LABEL: func.func @reduce_mean
// CHECK: tosa.rescale %{{.*}} {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x4xi32>
// CHECK: tosa.reduce_sum %{{.*}} {axis = 1 : i32} : (tensor<1x4xi32>) -> tensor<1x1xi32>
// CHECK: tosa.rescale
// CHECK-NOT: tosa.mul
// MEAN: output0: 1x1xi8 = [6]
// NPU: module attributes {npu.layers = [{name = "mean0", op_type = "ReduceSum"},
// NPU-LABEL: func.func @reduce_mean
// NPU: npu.reshape %{{.*}} {layer = [[L:[0-9]+]] : i64} : (tensor<1x4xi8>) -> tensor<1x1x4x1xi8>
// NPU: npu.pool %{{.*}} {input_zp = 1 : i64, kernel = array<i64: 1, 4>, kind = "avg", layer = [[L]] : i64, multiplier = 1073741824 : i64, output_zp = -3 : i64, pad = array<i64: 0, 0, 0, 0>, shift = 31 : i64, stride = array<i64: 1, 1>} : (tensor<1x1x4x1xi8>) -> tensor<1x1x1x1xi8>
// NPU: npu.reshape %{{.*}} {layer = [[L]] : i64} : (tensor<1x1x1x1xi8>) -> tensor<1x1xi8>
func.func @reduce_mean() -> tensor<1x1xf32> {
  %c = "tosa.const"() {values = dense<[[2, 4, 6, 9]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5:1>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.5:1>> to tensor<1x4xf32>
  %s = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1x1xf32>
  %k = "tosa.const"() {values = dense<0.25> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %s, %k, %sh {onnx.node = "mean0"} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x1xf32>
  %yq = quant.qcast %m : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.25:-3>>
  %yd = quant.dcast %yq : tensor<1x1x!quant.uniform<i8:f32, 0.25:-3>> to tensor<1x1xf32>
  return %yd : tensor<1x1xf32>
}

// Sum over axes 1 and 2 of q = [[1, 2, 3], [4, 5, 6]] at s_in = 0.25
// (zp 0): 21 * 0.25 = 5.25; s_out = 0.5: 10.5 rounds half up to 11.
// CHECK-LABEL: func.func @reduce_sum_2axes
// CHECK: tosa.reduce_sum %{{.*}} {axis = 1 : i32}
// CHECK: tosa.reduce_sum %{{.*}} {axis = 2 : i32}
// SUM: output0: 1x1x1xi8 = [11]
// NPU-LABEL: func.func @reduce_sum_2axes
// NPU: npu.pool %{{.*}} {{.*}}kernel = array<i64: 1, 6>, kind = "avg"{{.*}}multiplier = 1073741824 : i64{{.*}}shift = 31 : i64
func.func @reduce_sum_2axes() -> tensor<1x1x1xf32> {
  %c = "tosa.const"() {values = dense<[[[1, 2, 3], [4, 5, 6]]]> : tensor<1x2x3xi8>} : () -> tensor<1x2x3xi8>
  %q = quant.scast %c : tensor<1x2x3xi8> to tensor<1x2x3x!quant.uniform<i8:f32, 0.25>>
  %x = quant.dcast %q : tensor<1x2x3x!quant.uniform<i8:f32, 0.25>> to tensor<1x2x3xf32>
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<1x2x3xf32>) -> tensor<1x1x3xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 2 : i32} : (tensor<1x1x3xf32>) -> tensor<1x1x1xf32>
  %yq = quant.qcast %s2 : tensor<1x1x1xf32> to tensor<1x1x1x!quant.uniform<i8:f32, 0.5>>
  %yd = quant.dcast %yq : tensor<1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1xf32>
  return %yd : tensor<1x1x1xf32>
}

// Max over axis 1, one shared quantization: [[1, 7, -3], [0, -5, -2]] ->
// [[7], [0]].
// CHECK-LABEL: func.func @reduce_max
// CHECK: tosa.reduce_max %{{.*}} {axis = 1 : i32} : (tensor<2x3xi8>) -> tensor<2x1xi8>
// MAX: output0: 2x1xi8 = [7, 0]
// NPU-LABEL: func.func @reduce_max
// NPU: npu.pool %{{.*}} {{.*}}kernel = array<i64: 1, 3>, kind = "max"{{.*}} : (tensor<1x2x3x1xi8>) -> tensor<1x2x1x1xi8>
func.func @reduce_max() -> tensor<2x1xf32> {
  %c = "tosa.const"() {values = dense<[[1, 7, -3], [0, -5, -2]]> : tensor<2x3xi8>} : () -> tensor<2x3xi8>
  %q = quant.scast %c : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32, 0.1:2>>
  %x = quant.dcast %q : tensor<2x3x!quant.uniform<i8:f32, 0.1:2>> to tensor<2x3xf32>
  %m = tosa.reduce_max %x {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %yq = quant.qcast %m : tensor<2x1xf32> to tensor<2x1x!quant.uniform<i8:f32, 0.1:2>>
  %yd = quant.dcast %yq : tensor<2x1x!quant.uniform<i8:f32, 0.1:2>> to tensor<2x1xf32>
  return %yd : tensor<2x1xf32>
}

// Min over axis 1, one shared quantization (scale 0.1, zp 2): the integer
// min of the codes, [[1, 7, -3], [0, -5, -2]] -> [[-3], [-5]] (reals
// [-0.5, -0.7], the minima of [-0.1, 0.5, -0.5] and [-0.2, -0.7, -0.4]).
// CHECK-LABEL: func.func @reduce_min
// CHECK: tosa.reduce_min %{{.*}} {axis = 1 : i32} : (tensor<2x3xi8>) -> tensor<2x1xi8>
// CHECK-NOT: quant.
// MIN: output0: 2x1xi8 = [-3, -5]
// NPU-LABEL: func.func @reduce_min
// NPU: npu.pool %{{.*}} {{.*}}kernel = array<i64: 1, 3>, kind = "min"{{.*}} : (tensor<1x2x3x1xi8>) -> tensor<1x2x1x1xi8>
func.func @reduce_min() -> tensor<2x1xf32> {
  %c = "tosa.const"() {values = dense<[[1, 7, -3], [0, -5, -2]]> : tensor<2x3xi8>} : () -> tensor<2x3xi8>
  %q = quant.scast %c : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32, 0.1:2>>
  %x = quant.dcast %q : tensor<2x3x!quant.uniform<i8:f32, 0.1:2>> to tensor<2x3xf32>
  %m = tosa.reduce_min %x {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %yq = quant.qcast %m : tensor<2x1xf32> to tensor<2x1x!quant.uniform<i8:f32, 0.1:2>>
  %yd = quant.dcast %yq : tensor<2x1x!quant.uniform<i8:f32, 0.1:2>> to tensor<2x1xf32>
  return %yd : tensor<2x1xf32>
}

// An input quantized differently from the result (an imported QDQ model) is
// requantized first, i8 -> i8 by s_in / s_out = 0.5 / 0.25 = 2 = 2^30 *
// 2^-29 (min is monotonic, so min after requantizing = requantizing the
// min). Codes
// [4, -2, 6] at scale 0.5 (zp 0) are reals [2, -1, 3], min -1; at scale
// 0.25, zp -10: 2 * q - 10 = [-2, -14, 2], min -14 = -1 / 0.25 - 10.
// CHECK-LABEL: func.func @reduce_min_requant
// CHECK-DAG: "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: "tosa.const"() <{values = dense<29> : tensor<1xi8>}>
// CHECK: %[[RQ:.*]] = tosa.rescale
// CHECK: tosa.reduce_min %[[RQ]] {axis = 1 : i32} : (tensor<1x3xi8>) -> tensor<1x1xi8>
// MINRQ: output0: 1x1xi8 = [-14]
func.func @reduce_min_requant() -> tensor<1x1xf32> {
  %c = "tosa.const"() {values = dense<[[4, -2, 6]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
  %q = quant.scast %c : tensor<1x3xi8> to tensor<1x3x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x3x!quant.uniform<i8:f32, 0.5>> to tensor<1x3xf32>
  %m = tosa.reduce_min %x {axis = 1 : i32} : (tensor<1x3xf32>) -> tensor<1x1xf32>
  %yq = quant.qcast %m : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.25:-10>>
  %yd = quant.dcast %yq : tensor<1x1x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x1xf32>
  return %yd : tensor<1x1xf32>
}
