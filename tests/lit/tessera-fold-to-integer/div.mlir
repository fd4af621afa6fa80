// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function div_per_channel --print | FileCheck %s --check-prefix=EXEC

// Division by a positive per-channel constant (innermost dimension) is a
// per-channel i8 -> i8 rescale by m[k] = s_x / (c[k] s_out), one rounding
// of the exact quotient (FoldDiv.cpp).
// x: scale 0.5, zp 2; q = [[10, 10, 10, 10], [-7, 3, 127, -128]]
//   -> x - z_x = [[8, 8, 8, 8], [-9, 1, 125, -130]].
// c = [1, 2, 4, 0.5], s_out = 0.25, z_out = -1: m = [2, 1, 0.5, 4]
//   = 2^30 * 2^-29, 2^30 * 2^-30, 2^30 * 2^-31, 2^30 * 2^-28.
// (x - z_x) * m = [[16, 8, 4, 32], [-18, 1, 62.5, -520]]; SINGLE_ROUND ties
// up: 62.5 -> 63; + z_out: [[15, 7, 3, 31], [-19, 0, 62, -521]], the last
// saturated to -128 (the real quotient -130 is below the output range).
// CHECK-LABEL: func.func @div_per_channel
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<4xi32>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<[29, 30, 31, 28]> : tensor<4xi8>}>
// CHECK: %[[Y:.*]] = tosa.rescale %{{.*}}, %[[M]], %[[S]], %{{.*}}, %{{.*}} {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<2x4xi8>, tensor<4xi32>, tensor<4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x4xi8>
// CHECK-NOT: arith.divf
// CHECK: return %[[Y]]
// EXEC: output0: 2x4xi8 = [15, 7, 3, 31, -19, 0, 62, -128]
func.func @div_per_channel() -> tensor<2x4xf32> {
  %cx = "tosa.const"() {values = dense<[[10, 10, 10, 10], [-7, 3, 127, -128]]> : tensor<2x4xi8>} : () -> tensor<2x4xi8>
  %qx = quant.scast %cx : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.5:2>>
  %x = quant.dcast %qx : tensor<2x4x!quant.uniform<i8:f32, 0.5:2>> to tensor<2x4xf32>
  %c = "tosa.const"() {values = dense<[[1.0, 2.0, 4.0, 0.5], [1.0, 2.0, 4.0, 0.5]]> : tensor<2x4xf32>} : () -> tensor<2x4xf32>
  %y = arith.divf %x, %c : tensor<2x4xf32>
  %yq = quant.qcast %y : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32, 0.25:-1>>
  %yd = quant.dcast %yq : tensor<2x4x!quant.uniform<i8:f32, 0.25:-1>> to tensor<2x4xf32>
  return %yd : tensor<2x4xf32>
}
