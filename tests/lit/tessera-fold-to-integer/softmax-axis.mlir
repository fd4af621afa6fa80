// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function softmax_axis0 --print | FileCheck %s --check-prefix=AX0
// RUN: tessera-opt --tessera-fold-to-integer --tessera-lower-to-npu %s | FileCheck %s --check-prefix=NPU

// The vector unit normalises rows: the outer axis is moved innermost by a
// transpose (one-element rows, docs/lowering.md), normalised, moved back.
// NPU: %[[V:.*]] = npu.reshape %{{.*}} : (tensor<2x2xi8>) -> tensor<2x2x1xi8>
// NPU: %[[T:.*]] = npu.transpose %[[V]] {{{.*}}perms = array<i64: 1, 0, 2>}
// NPU: %[[R:.*]] = npu.reshape %[[T]] {{.*}} -> tensor<2x2xi8>
// NPU: %[[S:.*]] = npu.softmax %[[R]]
// NPU: %[[V2:.*]] = npu.reshape %[[S]] {{.*}} -> tensor<2x2x1xi8>
// NPU: %[[T2:.*]] = npu.transpose %[[V2]] {{{.*}}perms = array<i64: 1, 0, 2>}
// NPU: %[[R2:.*]] = npu.reshape %[[T2]] {{.*}} -> tensor<2x2xi8>
// NPU: return %[[R2]]

// Normalising the outer axis of a 2x2 tensor: columns [0, -1] and [5, 5]
// (input zp 5: x = -5 ln2, -6 ln2 and 0, 0). Column 0 is softmax [2/3, 1/3]
// -> 256 * 2/3 = 170.67 -> 171 - 128 = 43, 85.33 -> 85 - 128 = -43;
// column 1 is [1/2, 1/2] -> 128 - 128 = 0. The vector unit normalises rows
// only, so on the NPU the columns are transposed into rows first.
// AX0: output0: 2x2xi8 = [43, 0, -43, 0]
func.func @softmax_axis0() -> tensor<2x2xf32> {
  %c = "tosa.const"() {values = dense<[[0, 5], [-1, 5]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %q = quant.scast %c : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8:f32, 0.69314718055994529:5>>
  %x = quant.dcast %q : tensor<2x2x!quant.uniform<i8:f32, 0.69314718055994529:5>> to tensor<2x2xf32>
  %m = tosa.reduce_max %x {axis = 0 : i32} : (tensor<2x2xf32>) -> tensor<1x2xf32>
  %s = tosa.sub %x, %m : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  %e = tosa.exp %s : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %sum = tosa.reduce_sum %e {axis = 0 : i32} : (tensor<2x2xf32>) -> tensor<1x2xf32>
  %r = tosa.reciprocal %sum : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %e, %r, %sh : (tensor<2x2xf32>, tensor<1x2xf32>, tensor<1xi8>) -> tensor<2x2xf32>
  %yq = quant.qcast %y : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32, 0.00390625:-128>>
  %yd = quant.dcast %yq : tensor<2x2x!quant.uniform<i8:f32, 0.00390625:-128>> to tensor<2x2xf32>
  return %yd : tensor<2x2xf32>
}
