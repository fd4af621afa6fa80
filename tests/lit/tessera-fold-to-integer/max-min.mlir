// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | mlir-opt --split-input-file --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function max_two --print | FileCheck %s --check-prefix=MAX
// RUN: tessera-run %t.mlir --function min_two --print | FileCheck %s --check-prefix=MIN
// RUN: tessera-run %t.mlir --function prelu_channel --print | FileCheck %s --check-prefix=PRELU

// ONNX Max / Min of two activations (tosa.maximum / tosa.minimum) fold like
// the add (FoldAdd.cpp): both inputs are widened to one i32 grid, the real
// value times 2^20 / twice_max, the i32 maximum / minimum is taken there and
// rescaled to the output once. The inputs are constants, so the integer
// reference executor's results are checked too.
//   a: s 0.5, z 0;   q = 4, -6, 0, 127   -> real 2, -3, 0, 63.5
//   b: s 0.25, z 10; q = 2, 10, 30, -128 -> b - z = -8, 0, 20, -138
//                                         -> real -2, 0, 5, -34.5
//   twice_max = 1.0: a' = a * 2^19 (1073741824, 11), b' = (b - 10) * 2^18
//   (1073741824, 12, input_zp 10).
// max: out s 0.5, z -1: 2^-19 = (1073741824, 49);
//   max(a', b') = 2^21, 0, 5 * 2^20, 127 * 2^19 -> 4, 0, 10, 127 (the real
//   max 2, 0, 5, 63.5 over 0.5) + z -1 = 3, -1, 9, 126.
// CHECK-LABEL: func.func @max_two
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[S11:.*]] = "tosa.const"() <{values = dense<11> : tensor<1xi8>}>
// CHECK-DAG: %[[S12:.*]] = "tosa.const"() <{values = dense<12> : tensor<1xi8>}>
// CHECK-DAG: %[[S49:.*]] = "tosa.const"() <{values = dense<49> : tensor<1xi8>}>
// CHECK-DAG: %[[Z10:.*]] = "tosa.const"() <{values = dense<10> : tensor<1xi8>}>
// CHECK-DAG: %[[ZO:.*]] = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}>
// CHECK: %[[WA:.*]] = tosa.rescale %{{.*}}, %[[M]], %[[S11]], %{{.*}}, %{{.*}} {{.*}} -> tensor<4xi32>
// CHECK: %[[WB:.*]] = tosa.rescale %{{.*}}, %[[M]], %[[S12]], %[[Z10]], %{{.*}} {{.*}} -> tensor<4xi32>
// CHECK: %[[X:.*]] = tosa.maximum %[[WA]], %[[WB]] {{.*}}: (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[X]], %[[M]], %[[S49]], %{{.*}}, %[[ZO]] {{.*}} -> tensor<4xi8>
// CHECK-NOT: tosa.clamp
// CHECK: return %[[Y]]
// MAX: output0: 4xi8 = [3, -1, 9, 126]
func.func @max_two() -> tensor<4xf32> {
  %ca = "tosa.const"() {values = dense<[4, -6, 0, 127]> : tensor<4xi8>} : () -> tensor<4xi8>
  %qa = quant.scast %ca : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %a = quant.dcast %qa : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %cb = "tosa.const"() {values = dense<[2, 10, 30, -128]> : tensor<4xi8>} : () -> tensor<4xi8>
  %qb = quant.scast %cb : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.25:10>>
  %b = quant.dcast %qb : tensor<4x!quant.uniform<i8:f32, 0.25:10>> to tensor<4xf32>
  %y = tosa.maximum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %yq = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:-1>>
  %yd = quant.dcast %yq : tensor<4x!quant.uniform<i8:f32, 0.5:-1>> to tensor<4xf32>
  return %yd : tensor<4xf32>
}

// -----

// min of the same inputs into s 1.0, z 0: 2^-20 = (1073741824, 50);
//   min(a', b') = -2^21, -6 * 2^19, 0, -138 * 2^18 -> -2, -3, 0, -34.5,
//   SINGLE_ROUND (ties up) -34.5 -> -34: -2, -3, 0, -34.
// CHECK-LABEL: func.func @min_two
// CHECK-DAG: %[[S50:.*]] = "tosa.const"() <{values = dense<50> : tensor<1xi8>}>
// CHECK: %[[X:.*]] = tosa.minimum %{{.*}}, %{{.*}} {{.*}}: (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[X]], %{{.*}}, %[[S50]], {{.*}} -> tensor<4xi8>
// CHECK: return %[[Y]]
// MIN: output0: 4xi8 = [-2, -3, 0, -34]
func.func @min_two() -> tensor<4xf32> {
  %ca = "tosa.const"() {values = dense<[4, -6, 0, 127]> : tensor<4xi8>} : () -> tensor<4xi8>
  %qa = quant.scast %ca : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %a = quant.dcast %qa : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %cb = "tosa.const"() {values = dense<[2, 10, 30, -128]> : tensor<4xi8>} : () -> tensor<4xi8>
  %qb = quant.scast %cb : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.25:10>>
  %b = quant.dcast %qb : tensor<4x!quant.uniform<i8:f32, 0.25:10>> to tensor<4xf32>
  %y = tosa.minimum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %yq = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %yd = quant.dcast %yq : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %yd : tensor<4xf32>
}

// -----

// PRelu with a per-channel slope (all <= 1) imports as
// maximum(x, mul(x, slope)); the slope [1, 1, 1, C] is a quantized constant
// (--tessera-quantize), the mul folds as an integer mul and the maximum
// as above. x: s 0.5, z 0, q = [-4, 6]; slope s 1/128, q = [32, 64]
// (0.25, 0.5); both zero points 0, so the i8 values multiply directly;
// mul into s 0.25: (x * slope_q) * 0.5 / 128 / 0.25 = p / 64:
// -128 / 64 = -2, 384 / 64 = 6 (the reals -0.5, 1.5). max into s 0.5 with
// twice_max = 1.0: x' = x * 2^19, m' = m * 2^18: max(-4 * 2^19, -2 * 2^18)
// = -2^19 -> -1 (real -0.5); max(6 * 2^19, 6 * 2^18) -> 6 (real 3).
// CHECK-LABEL: func.func @prelu_channel
// CHECK: tosa.mul
// CHECK: tosa.maximum
// CHECK-NOT: f32
// PRELU: output0: 1x1x1x2xi8 = [-1, 6]
func.func @prelu_channel() -> tensor<1x1x1x2xf32> {
  %cx = "tosa.const"() {values = dense<[[[[-4, 6]]]]> : tensor<1x1x1x2xi8>} : () -> tensor<1x1x1x2xi8>
  %qx = quant.scast %cx : tensor<1x1x1x2xi8> to tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %qx : tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x2xf32>
  %cs = "tosa.const"() {values = dense<[[[[32, 64]]]]> : tensor<1x1x1x2xi8>} : () -> tensor<1x1x1x2xi8>
  %qs = quant.scast %cs : tensor<1x1x1x2xi8> to tensor<1x1x1x2x!quant.uniform<i8:f32, 0.0078125>>
  %s = quant.dcast %qs : tensor<1x1x1x2x!quant.uniform<i8:f32, 0.0078125>> to tensor<1x1x1x2xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %x, %s, %shift : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x1x1x2xf32>
  %mq = quant.qcast %m : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8:f32, 0.25>>
  %md = quant.dcast %mq : tensor<1x1x1x2x!quant.uniform<i8:f32, 0.25>> to tensor<1x1x1x2xf32>
  %y = tosa.maximum %x, %md : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %yq = quant.qcast %y : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>>
  %yd = quant.dcast %yq : tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x2xf32>
  return %yd : tensor<1x1x1x2xf32>
}
