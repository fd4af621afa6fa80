// RUN: tessera-opt --tessera-fold-to-integer=fallback=host %s 2>/dev/null | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer=fallback=host %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTE
// RUN: tessera-opt --tessera-fold-to-integer=fallback=host %s -o %t.mlir 2>/dev/null
// RUN: tessera-run %t.mlir --function div_host --print | FileCheck %s --check-prefix=EXEC1
// RUN: tessera-run %t.mlir --function two_host_ops --print | FileCheck %s --check-prefix=EXEC2

// Host fallback: a division by a per-channel constant with a negative
// element has no integer lowering (FoldDiv.cpp folds only divisors > 0: a
// rescale multiplier is >= 0), so it stays a float op on the host
// (tessera.device = "cpu"). Its integer input is read through quant.scast +
// quant.dcast, its result is quantized with the calibrated type (quant.qcast)
// and handed to the NPU as i8 (quant.scast); all four boundary ops are host
// ops too. The clamp after it folds to integer from that i8 value: one
// unsupported op costs one host op.
//
// Input scale 0.5 (zp 0), rows [4, -2, 6, 8] and [3, 5, 7, 10] are
// [2, -1, 3, 4] and [1.5, 2.5, 3.5, 5]; divided by [0.5, -2, 1.5, 4]:
// [4, 0.5, 2, 1] and [3, -1.25, 2.333.., 1.25]. Quantized to scale 0.25,
// zp -10 (q = x / 0.25 - 10, no ties): [6, -8, -2, -6] and
// [2, -15, -1 (9.33 rounds to 9), -5]. The ReLU (clamp at 0.0 = code -10)
// folds to an i8 clamp [-10, 127]: -15 becomes -10.
// CHECK-LABEL: func.func @div_host
// CHECK-SAME: -> (tensor<1x1x2x4xi8> {tessera.dtype = "int8", tessera.scale = 2.500000e-01 : f64, tessera.zero_point = -10 : i64})
// CHECK-DAG: %[[DIV:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}5.000000e-01, -2.000000e+00, 1.500000e+00, 4.000000e+00], [5.000000e-01, -2.000000e+00, 1.500000e+00, 4.000000e+00]]]]> : tensor<1x1x2x4xf32>}>
// CHECK-DAG: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}4, -2, 6, 8], [3, 5, 7, 10]]]]> : tensor<1x1x2x4xi8>}>
// CHECK: %[[S:.*]] = quant.scast %[[C]] {tessera.device = "cpu"} : tensor<1x1x2x4xi8> to tensor<1x1x2x4x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[D:.*]] = quant.dcast %[[S]] {tessera.device = "cpu"} : tensor<1x1x2x4x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<1x1x2x4xf32>
// CHECK: %[[R:.*]] = arith.divf %[[D]], %[[DIV]] {tessera.device = "cpu"} : tensor<1x1x2x4xf32>
// CHECK: %[[Q:.*]] = quant.qcast %[[R]] {tessera.device = "cpu"} : tensor<1x1x2x4xf32> to tensor<1x1x2x4x!quant.uniform<i8:f32, 2.500000e-01:-10>>
// CHECK: %[[I:.*]] = quant.scast %[[Q]] {tessera.device = "cpu"} : tensor<1x1x2x4x!quant.uniform<i8:f32, 2.500000e-01:-10>> to tensor<1x1x2x4xi8>
// CHECK: %[[Y:.*]] = tosa.clamp %[[I]] {max_val = 127 : i8, min_val = -10 : i8} : (tensor<1x1x2x4xi8>) -> tensor<1x1x2x4xi8>
// CHECK-NOT: quant.
// CHECK: return %[[Y]] : tensor<1x1x2x4xi8>
// NOTE: remark: {{.*}}node 'div' (arith.divf) runs on the host: a divisor <= 0 or not finite (rescale multipliers are >= 0)
// EXEC1: output0: 1x1x2x4xi8 = [6, -8, -2, -6, 2, -10, -1, -5]
func.func @div_host() -> tensor<1x1x2x4xf32> {
  %c = "tosa.const"() {values = dense<[[[[4, -2, 6, 8], [3, 5, 7, 10]]]]> : tensor<1x1x2x4xi8>} : () -> tensor<1x1x2x4xi8>
  %q = quant.scast %c : tensor<1x1x2x4xi8> to tensor<1x1x2x4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x1x2x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x2x4xf32>
  %d = "tosa.const"() {values = dense<[[[[0.5, -2.0, 1.5, 4.0], [0.5, -2.0, 1.5, 4.0]]]]> : tensor<1x1x2x4xf32>} : () -> tensor<1x1x2x4xf32>
  %m = arith.divf %x, %d : tensor<1x1x2x4xf32> loc("div")
  %mq = quant.qcast %m : tensor<1x1x2x4xf32> to tensor<1x1x2x4x!quant.uniform<i8:f32, 0.25:-10>>
  %md = quant.dcast %mq : tensor<1x1x2x4x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x1x2x4xf32>
  %r = tosa.clamp %md {min_val = 0.0 : f32, max_val = 3.4028235e+38 : f32} : (tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32> loc("relu")
  %rq = quant.qcast %r : tensor<1x1x2x4xf32> to tensor<1x1x2x4x!quant.uniform<i8:f32, 0.25:-10>>
  %rd = quant.dcast %rq : tensor<1x1x2x4x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x1x2x4xf32>
  return %rd : tensor<1x1x2x4xf32>
}

// Two host ops in a row connect in f32: the quantization the calibration
// put between them (scale 2) is dropped, so the second division reads the
// first's float result. Reals [1, 2.5, 3.5, 4.5] (codes [2, 5, 7, 9] at
// input scale 0.5) divided by [0.5, -2, 1.5, 4]: [2, -1.25, 2.333.., 1.125];
// then by [1, -1, 2, 0.5]: [2, 1.25, 1.1666.., 2.25]; quantized to scale
// 0.25: codes [8, 5, 5 (4.67 rounds up), 9]. Through the scale-2 grid the
// first result would be [2, -2, 2, 2] and the codes [8, 8, 4, 16]. The
// result is a function result: returned as the i8 of the last qcast.
// CHECK-LABEL: func.func @two_host_ops
// CHECK: %[[D2:.*]] = quant.dcast %{{.*}} {tessera.device = "cpu"}
// CHECK: %[[A:.*]] = arith.divf %[[D2]], %{{.*}} {tessera.device = "cpu"}
// CHECK-NEXT: %[[B:.*]] = arith.divf %[[A]], %{{.*}} {tessera.device = "cpu"}
// CHECK-NEXT: %[[BQ:.*]] = quant.qcast %[[B]] {tessera.device = "cpu"} : tensor<1x1x1x4xf32> to tensor<1x1x1x4x!quant.uniform<i8:f32, 2.500000e-01>>
// CHECK-NEXT: %[[BI:.*]] = quant.scast %[[BQ]] {tessera.device = "cpu"} : tensor<1x1x1x4x!quant.uniform<i8:f32, 2.500000e-01>> to tensor<1x1x1x4xi8>
// CHECK-NEXT: return %[[BI]] : tensor<1x1x1x4xi8>
// NOTE: remark: {{.*}}node 'first' (arith.divf) runs on the host: a divisor <= 0 or not finite (rescale multipliers are >= 0)
// NOTE: remark: {{.*}}node 'second' (arith.divf) runs on the host: a divisor <= 0 or not finite (rescale multipliers are >= 0)
// EXEC2: output0: 1x1x1x4xi8 = [8, 5, 5, 9]
func.func @two_host_ops() -> tensor<1x1x1x4xf32> {
  %c = "tosa.const"() {values = dense<[[[[2, 5, 7, 9]]]]> : tensor<1x1x1x4xi8>} : () -> tensor<1x1x1x4xi8>
  %q = quant.scast %c : tensor<1x1x1x4xi8> to tensor<1x1x1x4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x1x1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x4xf32>
  %d1 = "tosa.const"() {values = dense<[[[[0.5, -2.0, 1.5, 4.0]]]]> : tensor<1x1x1x4xf32>} : () -> tensor<1x1x1x4xf32>
  %a = arith.divf %x, %d1 : tensor<1x1x1x4xf32> loc("first")
  %aq = quant.qcast %a : tensor<1x1x1x4xf32> to tensor<1x1x1x4x!quant.uniform<i8:f32, 2.0>>
  %ad = quant.dcast %aq : tensor<1x1x1x4x!quant.uniform<i8:f32, 2.0>> to tensor<1x1x1x4xf32>
  %d2 = "tosa.const"() {values = dense<[[[[1.0, -1.0, 2.0, 0.5]]]]> : tensor<1x1x1x4xf32>} : () -> tensor<1x1x1x4xf32>
  %b = arith.divf %ad, %d2 : tensor<1x1x1x4xf32> loc("second")
  %bq = quant.qcast %b : tensor<1x1x1x4xf32> to tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25>>
  %bd = quant.dcast %bq : tensor<1x1x1x4x!quant.uniform<i8:f32, 0.25>> to tensor<1x1x1x4xf32>
  return %bd : tensor<1x1x1x4xf32>
}
