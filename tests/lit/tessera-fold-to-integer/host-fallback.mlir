// RUN: tessera-opt --tessera-fold-to-integer=fallback=host %s 2>/dev/null | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer=fallback=host %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTE
// RUN: tessera-opt --tessera-fold-to-integer=fallback=host %s -o %t.mlir 2>/dev/null
// RUN: tessera-run %t.mlir --function reduce_min_host --print | FileCheck %s --check-prefix=EXEC1
// RUN: tessera-run %t.mlir --function two_host_ops --print | FileCheck %s --check-prefix=EXEC2

// Host fallback: tosa.reduce_min has no integer lowering, so it stays a
// float op on the host (tessera.device = "cpu"). Its integer input is read
// through quant.scast + quant.dcast, its result is quantized with the
// calibrated type (quant.qcast) and handed to the NPU as i8 (quant.scast);
// all four boundary ops are host ops too. The clamp after it folds to
// integer from that i8 value: one unsupported op costs one host op.
//
// Input scale 0.5 (zp 0), rows [4, -2, 6, 8] and [3, 5, 7, 9] are
// [2, -1, 3, 4] and [1.5, 2.5, 3.5, 4.5]: minima -1 and 1.5. Quantized to
// scale 0.25, zp -10: -1 / 0.25 - 10 = -14 and 1.5 / 0.25 - 10 = -4. The
// ReLU (clamp at 0.0 = code -10) folds to an i8 clamp [-10, 127]: -10, -4.
// CHECK-LABEL: func.func @reduce_min_host
// CHECK-SAME: -> (tensor<1x1x2x1xi8> {tessera.dtype = "int8", tessera.scale = 2.500000e-01 : f64, tessera.zero_point = -10 : i64})
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4, -2, 6, 8], [3, 5, 7, 9]]]]> : tensor<1x1x2x4xi8>}>
// CHECK: %[[S:.*]] = quant.scast %[[C]] {tessera.device = "cpu"} : tensor<1x1x2x4xi8> to tensor<1x1x2x4x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[D:.*]] = quant.dcast %[[S]] {tessera.device = "cpu"} : tensor<1x1x2x4x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<1x1x2x4xf32>
// CHECK: %[[R:.*]] = tosa.reduce_min %[[D]] {axis = 3 : i32, tessera.device = "cpu"} : (tensor<1x1x2x4xf32>) -> tensor<1x1x2x1xf32>
// CHECK: %[[Q:.*]] = quant.qcast %[[R]] {tessera.device = "cpu"} : tensor<1x1x2x1xf32> to tensor<1x1x2x1x!quant.uniform<i8:f32, 2.500000e-01:-10>>
// CHECK: %[[I:.*]] = quant.scast %[[Q]] {tessera.device = "cpu"} : tensor<1x1x2x1x!quant.uniform<i8:f32, 2.500000e-01:-10>> to tensor<1x1x2x1xi8>
// CHECK: %[[Y:.*]] = tosa.clamp %[[I]] {max_val = 127 : i8, min_val = -10 : i8} : (tensor<1x1x2x1xi8>) -> tensor<1x1x2x1xi8>
// CHECK-NOT: quant.
// CHECK: return %[[Y]] : tensor<1x1x2x1xi8>
// NOTE: remark: {{.*}}node 'rmin' (tosa.reduce_min) runs on the host: no integer lowering for this op
// EXEC1: output0: 1x1x2x1xi8 = [-10, -4]
func.func @reduce_min_host() -> tensor<1x1x2x1xf32> {
  %c = "tosa.const"() {values = dense<[[[[4, -2, 6, 8], [3, 5, 7, 9]]]]> : tensor<1x1x2x4xi8>} : () -> tensor<1x1x2x4xi8>
  %q = quant.scast %c : tensor<1x1x2x4xi8> to tensor<1x1x2x4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x1x2x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x2x4xf32>
  %m = tosa.reduce_min %x {axis = 3 : i32} : (tensor<1x1x2x4xf32>) -> tensor<1x1x2x1xf32> loc("rmin")
  %mq = quant.qcast %m : tensor<1x1x2x1xf32> to tensor<1x1x2x1x!quant.uniform<i8:f32, 0.25:-10>>
  %md = quant.dcast %mq : tensor<1x1x2x1x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x1x2x1xf32>
  %r = tosa.clamp %md {min_val = 0.0 : f32, max_val = 3.4028235e+38 : f32} : (tensor<1x1x2x1xf32>) -> tensor<1x1x2x1xf32> loc("relu")
  %rq = quant.qcast %r : tensor<1x1x2x1xf32> to tensor<1x1x2x1x!quant.uniform<i8:f32, 0.25:-10>>
  %rd = quant.dcast %rq : tensor<1x1x2x1x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x1x2x1xf32>
  return %rd : tensor<1x1x2x1xf32>
}

// Two host ops in a row connect in f32: the quantization the calibration
// put between them (scale 2, which would round 1.5 to 2) is dropped, so the
// second reduce_min reads the first's float result. Reals [1.5, 2.5, 3.5,
// 4.5] (input scale 0.5): min over the row 1.5, then over the one-element
// axis 1.5 again; quantized to scale 0.5: code 3 (through the scale-2 grid
// it would be 2 / 0.5 = 4). The result is a function result: returned as
// the i8 of the last qcast.
// CHECK-LABEL: func.func @two_host_ops
// CHECK: %[[D2:.*]] = quant.dcast %{{.*}} {tessera.device = "cpu"}
// CHECK: %[[A:.*]] = tosa.reduce_min %[[D2]] {axis = 3 : i32, tessera.device = "cpu"}
// CHECK-NEXT: %[[B:.*]] = tosa.reduce_min %[[A]] {axis = 2 : i32, tessera.device = "cpu"}
// CHECK-NEXT: %[[BQ:.*]] = quant.qcast %[[B]] {tessera.device = "cpu"} : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK-NEXT: %[[BI:.*]] = quant.scast %[[BQ]] {tessera.device = "cpu"} : tensor<1x1x1x1x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<1x1x1x1xi8>
// CHECK-NEXT: return %[[BI]] : tensor<1x1x1x1xi8>
// NOTE: remark: {{.*}}node 'first' (tosa.reduce_min) runs on the host: no integer lowering for this op
// NOTE: remark: {{.*}}node 'second' (tosa.reduce_min) runs on the host: no integer lowering for this op
// EXEC2: output0: 1x1x1x1xi8 = [3]
func.func @two_host_ops() -> tensor<1x1x1x1xf32> {
  %c = "tosa.const"() {values = dense<[[[[3, 5, 7, 9]]]]> : tensor<1x1x1x4xi8>} : () -> tensor<1x1x1x4xi8>
  %q = quant.scast %c : tensor<1x1x1x4xi8> to tensor<1x1x1x4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x1x1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x4xf32>
  %a = tosa.reduce_min %x {axis = 3 : i32} : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x1xf32> loc("first")
  %aq = quant.qcast %a : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 2.0>>
  %ad = quant.dcast %aq : tensor<1x1x1x1x!quant.uniform<i8:f32, 2.0>> to tensor<1x1x1x1xf32>
  %b = tosa.reduce_min %ad {axis = 2 : i32} : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> loc("second")
  %bq = quant.qcast %b : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %bd = quant.dcast %bq : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x1xf32>
  return %bd : tensor<1x1x1x1xf32>
}
