// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s --check-prefix=NOQUANT
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | mlir-opt --split-input-file --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// NOQUANT-NOT: quant.
// NOQUANT-NOT: f32

// TFLite-style add with a 2^20 left shift folded into the input multipliers:
//   s_1 = 0.5 (z 0), s_2 = 0.25 (z 10), s_out = 1.0 (z 0); twice_max = 1.0.
//   in 1: 0.5  / 1.0 * 2^20 = 2^19 = 2^30 * 2^-11 -> (1073741824, 11), zp 0
//   in 2: 0.25 / 1.0 * 2^20 = 2^18 -> (1073741824, 12), input_zp 10
//   out:  1.0 / (2^20 * 1.0) = 2^-20 -> (1073741824, 50), output_zp 0
//   fused ReLU: [z_out, 127] = [0, 127].

// CHECK-LABEL: func.func @add_relu
// CHECK-SAME: (%[[A:[^:]*]]: tensor<1x2x2x3xi8> {{.*}}, %[[B:[^:]*]]: tensor<1x2x2x3xi8>
// CHECK-DAG: %[[MUL:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[S11:.*]] = "tosa.const"() <{values = dense<11> : tensor<1xi8>}>
// CHECK-DAG: %[[S12:.*]] = "tosa.const"() <{values = dense<12> : tensor<1xi8>}>
// CHECK-DAG: %[[S50:.*]] = "tosa.const"() <{values = dense<50> : tensor<1xi8>}>
// CHECK-DAG: %[[Z0:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-DAG: %[[Z10:.*]] = "tosa.const"() <{values = dense<10> : tensor<1xi8>}>
// CHECK-DAG: %[[Z32:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi32>}>
// CHECK: %[[WA:.*]] = tosa.rescale %[[A]], %[[MUL]], %[[S11]], %[[Z0]], %[[Z32]] {{.*}}per_channel = false{{.*}} -> tensor<1x2x2x3xi32>
// CHECK: %[[WB:.*]] = tosa.rescale %[[B]], %[[MUL]], %[[S12]], %[[Z10]], %[[Z32]] {{.*}} -> tensor<1x2x2x3xi32>
// CHECK: %[[SUM:.*]] = tosa.add %[[WA]], %[[WB]] : {{.*}} -> tensor<1x2x2x3xi32>
// CHECK: %[[R:.*]] = tosa.rescale %[[SUM]], %[[MUL]], %[[S50]], %[[Z32]], %[[Z0]] {{.*}} -> tensor<1x2x2x3xi8>
// CHECK: %[[C:.*]] = tosa.clamp %[[R]] {max_val = 127 : i8, min_val = 0 : i8}
// CHECK: return %[[C]]
func.func @add_relu(%arg0: tensor<1x2x2x3xf32>, %arg1: tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x2x3xf32>
  %2 = quant.qcast %arg1 : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 0.25:10>>
  %3 = quant.dcast %2 : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.25:10>> to tensor<1x2x2x3xf32>
  %4 = tosa.add %1, %3 : (tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %5 = tosa.clamp %4 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %6 = quant.qcast %5 : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 1.0>>
  %7 = quant.dcast %6 : tensor<1x2x2x3x!quant.uniform<i8:f32, 1.0>> to tensor<1x2x2x3xf32>
  return %7 : tensor<1x2x2x3xf32>
}

// -----

// A broadcast constant operand is quantized at compile time: 1.5 / 0.5 = 3.
// Both inputs have s = 0.5: twice_max = 1.0, in: 2^19 -> shift 11.

// CHECK-LABEL: func.func @add_constant
// CHECK-DAG: %[[K:.*]] = "tosa.const"() <{values = dense<3> : tensor<1x1x1x3xi8>}>
// CHECK-DAG: %[[S11:.*]] = "tosa.const"() <{values = dense<11> : tensor<1xi8>}>
// CHECK: tosa.rescale %{{.*}}, %{{.*}}, %[[S11]]
// CHECK: %[[WK:.*]] = tosa.rescale %[[K]], %{{.*}}, %[[S11]], {{.*}} -> tensor<1x1x1x3xi32>
// CHECK: tosa.add %{{.*}}, %[[WK]] : (tensor<1x2x2x3xi32>, tensor<1x1x1x3xi32>) -> tensor<1x2x2x3xi32>
// CHECK-NOT: tosa.clamp
func.func @add_constant(%arg0: tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32> {
  %0 = quant.qcast %arg0 : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<1x2x2x3x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x2x3xf32>
  %k = "tosa.const"() {values = dense<1.5> : tensor<1x1x1x3xf32>} : () -> tensor<1x1x1x3xf32>
  %kq = quant.qcast %k : tensor<1x1x1x3xf32> to tensor<1x1x1x3x!quant.uniform<i8:f32, 0.5>>
  %kd = quant.dcast %kq : tensor<1x1x1x3x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x3xf32>
  %2 = tosa.add %1, %kd : (tensor<1x2x2x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x2x3xf32>
  %3 = quant.qcast %2 : tensor<1x2x2x3xf32> to tensor<1x2x2x3x!quant.uniform<i8:f32, 1.0>>
  %4 = quant.dcast %3 : tensor<1x2x2x3x!quant.uniform<i8:f32, 1.0>> to tensor<1x2x2x3xf32>
  return %4 : tensor<1x2x2x3xf32>
}

// -----

// Stand-alone clamp sharing its input's quantization (s 0.5, z -10):
// ReLU6 -> [-10, -10 + round(6 / 0.5)] = [-10, 2], no rescale.

// CHECK-LABEL: func.func @clamp_shared_qparams
// CHECK-SAME: (%[[ARG:[^:]*]]: tensor<4xi8>
// CHECK-NOT: tosa.rescale
// CHECK: %[[C:.*]] = tosa.clamp %[[ARG]] {max_val = 2 : i8, min_val = -10 : i8}
// CHECK: return %[[C]]
func.func @clamp_shared_qparams(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:-10>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 0.5:-10>> to tensor<4xf32>
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:-10>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 0.5:-10>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// Clamp whose output is quantized differently (imported QDQ): requantize
// first, s 0.5 -> 0.25: m = 2 = 2^30 * 2^-29 -> (1073741824, 29),
// zero points 0 -> 4; then [0, 6] -> [4, 4 + 24] = [4, 28].

// CHECK-LABEL: func.func @clamp_requantized
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<29> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<4> : tensor<1xi8>}>
// CHECK: %[[R:.*]] = tosa.rescale %{{.*}}, %{{.*}}, %[[SHIFT]], %{{.*}}, %[[OZP]] {{.*}} -> tensor<4xi8>
// CHECK: tosa.clamp %[[R]] {max_val = 28 : i8, min_val = 4 : i8}
func.func @clamp_requantized(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %0 = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.25:4>>
  %4 = quant.dcast %3 : tensor<4x!quant.uniform<i8:f32, 0.25:4>> to tensor<4xf32>
  return %4 : tensor<4xf32>
}
