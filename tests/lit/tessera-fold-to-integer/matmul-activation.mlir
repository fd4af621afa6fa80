// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-to-integer %s | mlir-opt --split-input-file --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null

// A batched matmul of two activations (attention's Q x K^T) folds like a
// constant b: a [2, 2, 3] (s = 0.5, z = 1) x b [2, 3, 2] (s = 0.25,
// z = -3, an activation: both zero points nonzero, as rv1126's asymmetric
// uint8 gives) -> s_out = 0.5, z_out = 2:
//   m = 0.5 * 0.25 / 0.5 = 0.25 -> (1073741824, 32); a_zp = 1, b_zp = -3.

// CHECK-LABEL: func.func @matmul_activations
// CHECK-DAG: %[[AZP:.*]] = "tosa.const"() <{values = dense<1> : tensor<1xi8>}>
// CHECK-DAG: %[[BZP:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK-DAG: %[[MULT:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<{{[12]}}xi32>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<32> : tensor<{{[12]}}xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<2> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.matmul %{{.*}}, %{{.*}}, %[[AZP]], %[[BZP]] : (tensor<2x2x3xi8>, tensor<2x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x2x2xi32>
// CHECK: tosa.rescale %[[ACC]], %[[MULT]], %[[SHIFT]], %{{.*}}, %[[OZP]]
func.func @matmul_activations(%arg0: tensor<2x2x3xf32>, %arg1: tensor<2x3x2xf32>) -> tensor<2x2x2xf32> {
  %0 = quant.qcast %arg0 : tensor<2x2x3xf32> to tensor<2x2x3x!quant.uniform<i8:f32, 0.5:1>>
  %1 = quant.dcast %0 : tensor<2x2x3x!quant.uniform<i8:f32, 0.5:1>> to tensor<2x2x3xf32>
  %2 = quant.qcast %arg1 : tensor<2x3x2xf32> to tensor<2x3x2x!quant.uniform<i8:f32, 0.25:-3>>
  %3 = quant.dcast %2 : tensor<2x3x2x!quant.uniform<i8:f32, 0.25:-3>> to tensor<2x3x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %4 = tosa.matmul %1, %3, %zp, %zp : (tensor<2x2x3xf32>, tensor<2x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x2x2xf32>
  %5 = quant.qcast %4 : tensor<2x2x2xf32> to tensor<2x2x2x!quant.uniform<i8:f32, 0.5:2>>
  %6 = quant.dcast %5 : tensor<2x2x2x!quant.uniform<i8:f32, 0.5:2>> to tensor<2x2x2xf32>
  return %6 : tensor<2x2x2xf32>
}
