// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function greater_const --print | FileCheck %s --check-prefix=GT
// RUN: tessera-run %t.mlir --function greater_equal_const --print | FileCheck %s --check-prefix=GE
// RUN: tessera-run %t.mlir --function less_const --print | FileCheck %s --check-prefix=LT
// RUN: tessera-run %t.mlir --function less_tensors --print | FileCheck %s --check-prefix=LTT
// RUN: tessera-run %t.mlir --function equal_tensors --print | FileCheck %s --check-prefix=EQ
// RUN: tessera-run %t.mlir --function equal_off_grid --print | FileCheck %s --check-prefix=EQOFF
// RUN: tessera-opt --tessera-fold-to-integer --tessera-lower-to-npu %s | FileCheck %s --check-prefix=NPU

// Comparisons and Where (FoldCompare.cpp, docs/quantization-passes.md
// "Comparisons and select"). x: q = [0, 2, 3, 5] at (0.5, 1) is
// x = [-0.5, 0.5, 1, 2]. Each Where picks x or y = 0.25 (stored at 0.125:
// q = 2) into (0.25, -1): x becomes 2 (q - 1) - 1 = [-3, 1, 3, 7] (rescale
// by 2 = 2^30 * 2^-29), y becomes 0.125 / 0.25 * 2 - 1 = 0 (2^30 * 2^-31).

// x > 0.5: t = 0.5 / 0.5 = 1 lies on the grid, so q - 1 > floor(1) = 1:
// [F, F, T, T] (0.5 > 0.5 is false, as in float). The threshold is an i32
// constant, x is widened by the identity (2^30, 30) with input_zp 1.
// CHECK-LABEL: func.func @greater_const
// CHECK-DAG: %[[T:.*]] = "tosa.const"() <{values = dense<1> : tensor<1x1xi32>}>
// CHECK-DAG: %[[W:.*]] = tosa.rescale %{{.*}} : (tensor<1x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x4xi32>
// CHECK: %[[G:.*]] = tosa.greater %[[W]], %[[T]] {onnx.node = "gt0"} : (tensor<1x4xi32>, tensor<1x1xi32>) -> tensor<1x4xi1>
// CHECK: tosa.select %[[G]], %{{.*}}, %{{.*}} {onnx.node = "where0"} : (tensor<1x4xi1>, tensor<1x4xi8>, tensor<1x1xi8>) -> tensor<1x4xi8>
// GT: output0: 1x4xi8 = [0, 0, 3, 7]
// NPU-LABEL: func.func @greater_const
// NPU: %[[C:.*]] = npu.compare %{{.*}}, %{{.*}} {a_multiplier = 1073741824 : i32, a_shift = 30 : i32, a_zp = 1 : i64, b_multiplier = 1073741824 : i32, b_shift = 30 : i32, b_zp = 0 : i64, double_round = false, kind = "gt", layer = {{[0-9]+}} : i64} : (tensor<1x4xi8>, tensor<1x1xi32>) -> tensor<1x4xi8>
// NPU: npu.select %[[C]], %{{.*}}, %{{.*}} {a_multiplier = 1073741824 : i32, a_shift = 29 : i32, a_zp = 1 : i64, b_multiplier = 1073741824 : i32, b_shift = 31 : i32, b_zp = 0 : i64, clamp_max = 127 : i64, clamp_min = -128 : i64, double_round = false, layer = {{[0-9]+}} : i64, output_zp = -1 : i64} : (tensor<1x4xi8>, tensor<1x4xi8>, tensor<1x1xi8>) -> tensor<1x4xi8>
func.func @greater_const() -> tensor<1x4xf32> {
  %c = "tosa.const"() {values = dense<[[0, 2, 3, 5]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5:1>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.5:1>> to tensor<1x4xf32>
  %t = "tosa.const"() {values = dense<0.5> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %g = tosa.greater %x, %t {onnx.node = "gt0"} : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xi1>
  %yc = "tosa.const"() {values = dense<0.25> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %yq = quant.qcast %yc : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.125>>
  %y = quant.dcast %yq : tensor<1x1x!quant.uniform<i8:f32, 0.125>> to tensor<1x1xf32>
  %w = tosa.select %g, %x, %y {onnx.node = "where0"} : (tensor<1x4xi1>, tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %wq = quant.qcast %w : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.25:-1>>
  %wd = quant.dcast %wq : tensor<1x4x!quant.uniform<i8:f32, 0.25:-1>> to tensor<1x4xf32>
  return %wd : tensor<1x4xf32>
}

// x >= 0.3: t = 0.6, q - 1 >= ceil(0.6) = 1: [F, T, T, T].
// CHECK-LABEL: func.func @greater_equal_const
// CHECK: "tosa.const"() <{values = dense<1> : tensor<1x1xi32>}>
// CHECK: tosa.greater_equal
// GE: output0: 1x4xi8 = [0, 1, 3, 7]
func.func @greater_equal_const() -> tensor<1x4xf32> {
  %c = "tosa.const"() {values = dense<[[0, 2, 3, 5]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5:1>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.5:1>> to tensor<1x4xf32>
  %t = "tosa.const"() {values = dense<0.3> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %g = tosa.greater_equal %x, %t : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xi1>
  %yc = "tosa.const"() {values = dense<0.25> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %yq = quant.qcast %yc : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.125>>
  %y = quant.dcast %yq : tensor<1x1x!quant.uniform<i8:f32, 0.125>> to tensor<1x1xf32>
  %w = tosa.select %g, %x, %y : (tensor<1x4xi1>, tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %wq = quant.qcast %w : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.25:-1>>
  %wd = quant.dcast %wq : tensor<1x4x!quant.uniform<i8:f32, 0.25:-1>> to tensor<1x4xf32>
  return %wd : tensor<1x4xf32>
}

// Less(x, 1.0) imports as greater(1.0, x): t = 2, ceil(2) = 2 > q - 1:
// [T, T, F, F] (1 < 1 is false).
// CHECK-LABEL: func.func @less_const
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<2> : tensor<1x1xi32>}>
// CHECK: tosa.greater %[[T]], %{{.*}} : (tensor<1x1xi32>, tensor<1x4xi32>) -> tensor<1x4xi1>
// LT: output0: 1x4xi8 = [-3, 1, 0, 0]
// NPU-LABEL: func.func @less_const
// NPU: npu.compare {{.*}}kind = "gt"{{.*}} : (tensor<1x4xi32>, tensor<1x4xi8>) -> tensor<1x4xi8>
func.func @less_const() -> tensor<1x4xf32> {
  %c = "tosa.const"() {values = dense<[[0, 2, 3, 5]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5:1>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.5:1>> to tensor<1x4xf32>
  %t = "tosa.const"() {values = dense<1.0> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %g = tosa.greater %t, %x : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xi1>
  %yc = "tosa.const"() {values = dense<0.25> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %yq = quant.qcast %yc : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.125>>
  %y = quant.dcast %yq : tensor<1x1x!quant.uniform<i8:f32, 0.125>> to tensor<1x1xf32>
  %w = tosa.select %g, %x, %y : (tensor<1x4xi1>, tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %wq = quant.qcast %w : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.25:-1>>
  %wd = quant.dcast %wq : tensor<1x4x!quant.uniform<i8:f32, 0.25:-1>> to tensor<1x4xf32>
  return %wd : tensor<1x4xf32>
}

// Less(a, b) of two tensors on the add's common scale: a = [0.5, 1, 1.5] at
// 0.5, b = [0.5, 1.25, 1.25] at 0.25; twice_max = 1, a' = q_a * 2^19
// (2^30, shift 11), b' = q_b * 2^18 (2^30, shift 12); b' > a' = [F, T, F]
// (the tie 0.5 < 0.5 is false). Where(l, a, b) into b's (0.25, 0): a
// rescaled by 2, b as it is: [2, 4, 5].
// CHECK-LABEL: func.func @less_tensors
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[S11:.*]] = "tosa.const"() <{values = dense<11> : tensor<1xi8>}>
// CHECK-DAG: %[[S12:.*]] = "tosa.const"() <{values = dense<12> : tensor<1xi8>}>
// CHECK-DAG: %[[RB:.*]] = tosa.rescale %{{.*}}, %[[M]], %[[S12]]
// CHECK-DAG: %[[RA:.*]] = tosa.rescale %{{.*}}, %[[M]], %[[S11]]
// CHECK: tosa.greater %[[RB]], %[[RA]] : (tensor<1x3xi32>, tensor<1x3xi32>) -> tensor<1x3xi1>
// LTT: output0: 1x3xi8 = [2, 4, 5]
// NPU-LABEL: func.func @less_tensors
// NPU: npu.compare {{.*}}a_shift = 12 : i32{{.*}}b_shift = 11 : i32{{.*}}kind = "gt"
// NPU: npu.select
func.func @less_tensors() -> tensor<1x3xf32> {
  %ca = "tosa.const"() {values = dense<[[1, 2, 3]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
  %qa = quant.scast %ca : tensor<1x3xi8> to tensor<1x3x!quant.uniform<i8:f32, 0.5>>
  %a = quant.dcast %qa : tensor<1x3x!quant.uniform<i8:f32, 0.5>> to tensor<1x3xf32>
  %cb = "tosa.const"() {values = dense<[[2, 5, 5]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
  %qb = quant.scast %cb : tensor<1x3xi8> to tensor<1x3x!quant.uniform<i8:f32, 0.25>>
  %b = quant.dcast %qb : tensor<1x3x!quant.uniform<i8:f32, 0.25>> to tensor<1x3xf32>
  %l = tosa.greater %b, %a : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xi1>
  %w = tosa.select %l, %a, %b : (tensor<1x3xi1>, tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %wq = quant.qcast %w : tensor<1x3xf32> to tensor<1x3x!quant.uniform<i8:f32, 0.25>>
  %wd = quant.dcast %wq : tensor<1x3x!quant.uniform<i8:f32, 0.25>> to tensor<1x3xf32>
  return %wd : tensor<1x3xf32>
}

// Equal of two tensors sharing one quantization (Equal(Relu(x), x)): the
// same multiplier on both sides, exact: [1, 2, 3] == [1, 0, 3] = [T, F, T];
// Where(e, x, -0.5) with -0.5 stored at 0.1 (q = -5), the output x's own:
// [1, -5, 3].
// CHECK-LABEL: func.func @equal_tensors
// CHECK: tosa.equal %{{.*}}, %{{.*}} : (tensor<1x3xi32>, tensor<1x3xi32>) -> tensor<1x3xi1>
// EQ: output0: 1x3xi8 = [1, -5, 3]
// NPU-LABEL: func.func @equal_tensors
// NPU: npu.compare {{.*}}kind = "eq"
func.func @equal_tensors() -> tensor<1x3xf32> {
  %cx = "tosa.const"() {values = dense<[[1, 2, 3]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
  %qx = quant.scast %cx : tensor<1x3xi8> to tensor<1x3x!quant.uniform<i8:f32, 0.1>>
  %x = quant.dcast %qx : tensor<1x3x!quant.uniform<i8:f32, 0.1>> to tensor<1x3xf32>
  %cy = "tosa.const"() {values = dense<[[1, 0, 3]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
  %qy = quant.scast %cy : tensor<1x3xi8> to tensor<1x3x!quant.uniform<i8:f32, 0.1>>
  %y = quant.dcast %qy : tensor<1x3x!quant.uniform<i8:f32, 0.1>> to tensor<1x3xf32>
  %e = tosa.equal %x, %y : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xi1>
  %zc = "tosa.const"() {values = dense<-0.5> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %zq = quant.qcast %zc : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.1>>
  %z = quant.dcast %zq : tensor<1x1x!quant.uniform<i8:f32, 0.1>> to tensor<1x1xf32>
  %w = tosa.select %e, %x, %z : (tensor<1x3xi1>, tensor<1x3xf32>, tensor<1x1xf32>) -> tensor<1x3xf32>
  %wq = quant.qcast %w : tensor<1x3xf32> to tensor<1x3x!quant.uniform<i8:f32, 0.1>>
  %wd = quant.dcast %wq : tensor<1x3x!quant.uniform<i8:f32, 0.1>> to tensor<1x3xf32>
  return %wd : tensor<1x3xf32>
}

// x == 0.25 on a grid of step 0.1: t = 2.5 is not an integer, so no
// dequantized value equals it: the threshold 2^24 is never reached and the
// Where always picks -0.5.
// CHECK-LABEL: func.func @equal_off_grid
// CHECK: "tosa.const"() <{values = dense<16777216> : tensor<1x1xi32>}>
// EQOFF: output0: 1x3xi8 = [-5, -5, -5]
func.func @equal_off_grid() -> tensor<1x3xf32> {
  %cx = "tosa.const"() {values = dense<[[1, 2, 3]]> : tensor<1x3xi8>} : () -> tensor<1x3xi8>
  %qx = quant.scast %cx : tensor<1x3xi8> to tensor<1x3x!quant.uniform<i8:f32, 0.1>>
  %x = quant.dcast %qx : tensor<1x3x!quant.uniform<i8:f32, 0.1>> to tensor<1x3xf32>
  %t = "tosa.const"() {values = dense<0.25> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %e = tosa.equal %x, %t : (tensor<1x3xf32>, tensor<1x1xf32>) -> tensor<1x3xi1>
  %zc = "tosa.const"() {values = dense<-0.5> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %zq = quant.qcast %zc : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.1>>
  %z = quant.dcast %zq : tensor<1x1x!quant.uniform<i8:f32, 0.1>> to tensor<1x1xf32>
  %w = tosa.select %e, %x, %z : (tensor<1x3xi1>, tensor<1x3xf32>, tensor<1x1xf32>) -> tensor<1x3xf32>
  %wq = quant.qcast %w : tensor<1x3xf32> to tensor<1x3x!quant.uniform<i8:f32, 0.1>>
  %wd = quant.dcast %wq : tensor<1x3x!quant.uniform<i8:f32, 0.1>> to tensor<1x3xf32>
  return %wd : tensor<1x3xf32>
}
