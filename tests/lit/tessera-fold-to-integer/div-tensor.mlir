// RUN: tessera-opt --tessera-quantize --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-quantize --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// RUN: tessera-opt --tessera-quantize --tessera-fold-to-integer %s -o %t.mlir
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([100, -128, 127], np.int8).reshape(1, 1, 1, 3)); np.save('%t.d.npy', np.array([42, 127, 0], np.int8).reshape(1, 1, 1, 3))"
// RUN: tessera-run %t.mlir --input arg0=%t.x.npy --input arg1=%t.d.npy --print | FileCheck %s --check-prefix=EXEC

// ONNX Div of two activations, calibrated (x in [-2, 2], d in [1, 2]), int8
// asymmetric: --tessera-quantize makes it x * reciprocal(d)
// (DivByReciprocal.cpp), folding makes the reciprocal a table and the
// product an integer mul (docs/quantization-passes.md, "Division by an
// activation"). By hand:
//   x: [-2, 2] -> s_x = 4/255, z 0;  d: [0, 2] -> s_d = 2/255, z -128;
//   1/d: [0.5, 1] -> [0, 1]: s_r = 1/255, z -128;  out: s 4/255, z 0.
//   table[q + 128] = round_half_even(255 / d) - 128, d = (q + 128) * 2/255:
//   q < 0 (d < 1) saturates to 127; q = 0: d = 256/255, 254.0039 -> 126;
//   q = 1: 252.03 -> 124; ...; q = 42: d = 4/3, 191.25 -> 63; q = 126:
//   255 * 255 / 508 = 128.0 -> 0; q = 127: d = 2, 127.5 -> 128 -> 0.
//   mul: (x - 0) * (r + 128) rescaled by s_x s_r / s_out = 1/255
//   = 1077952576 * 2^-38.
// CHECK-LABEL: func.func @div_tensor
// CHECK-DAG: "tosa.const"() <{values = dense<38> : tensor<1xi8>}>
// CHECK-DAG: "tosa.const"() <{values = dense<1077952576> : tensor<1xi32>}>
// CHECK-DAG: %[[T:.*]] = "tosa.const"() <{values = dense<"0x{{(7F){128}()}}7E7C7A78{{([0-9A-F]{2}){120}()}}01010000"> : tensor<256xi8>}>
// CHECK: %[[R:.*]] = tosa.table %arg1, %[[T]] {onnx.node = "div0"}
// CHECK: tosa.mul {{.*}} {onnx.node = "div0"}
// CHECK-NOT: arith.divf
// CHECK-NOT: f32
// x = 100, d = 42 (4/3, r = 63): 100 * 191 / 255 = 74.9 -> 75 (real
//   1.569 / (4/3) = 1.176 = 75.0 steps);
// x = -128, d = 127 (2, r = 0): -128 * 128 / 255 = -64.25 -> -64;
// x = 127, d = 0 (256/255, r = 126): 127 * 254 / 255 = 126.502 -> 127.
// EXEC: output0: 1x1x1x3xi8 = [75, -64, 127]
func.func @div_tensor(%x: tensor<1x1x1x3xf32> {tessera.range = array<f64: -2.0, 2.0>}, %d: tensor<1x1x1x3xf32> {tessera.range = array<f64: 1.0, 2.0>}) -> tensor<1x1x1x3xf32> {
  %0 = arith.divf %x, %d {onnx.node = "div0", tessera.range = array<f64: -2.0, 2.0>} : tensor<1x1x1x3xf32>
  return %0 : tensor<1x1x1x3xf32>
}
