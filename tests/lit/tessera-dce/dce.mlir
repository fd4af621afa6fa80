// RUN: tessera-opt --split-input-file --tessera-dce %s | FileCheck %s

// A chain of dead ops (transpose -> clamp, and the constants only they read)
// goes in one sweep; live ops and the arguments stay, even when unused.

// CHECK-LABEL: func.func @dead_chain
// CHECK-SAME: (%[[X:.*]]: tensor<1x2xf32>, %{{.*}}: tensor<3xf32>)
// CHECK-NEXT: %[[C:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x2xf32>}>
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[X]], %[[C]]
// CHECK-NEXT: return %[[A]]
func.func @dead_chain(%x: tensor<1x2xf32>, %unused: tensor<3xf32>) -> tensor<1x2xf32> {
  %dead = "tosa.const"() {values = dense<7.0> : tensor<2x1xf32>} : () -> tensor<2x1xf32>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x2xf32>} : () -> tensor<1x2xf32>
  %t = tosa.transpose %x {perms = array<i32: 1, 0>} : (tensor<1x2xf32>) -> tensor<2x1xf32>
  %s = tosa.add %t, %dead : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x1xf32>
  %c = tosa.clamp %s {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %a = tosa.add %x, %one : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %a : tensor<1x2xf32>
}

// -----

// Nothing to do: every op is used.

// CHECK-LABEL: func.func @all_live
// CHECK-NEXT: tosa.const_shape
// CHECK-NEXT: tosa.reshape
// CHECK-NEXT: return
func.func @all_live(%x: tensor<1x4xf32>) -> tensor<2x2xf32> {
  %s = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %x, %s : (tensor<1x4xf32>, !tosa.shape<2>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
