// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function softmax_axis0 --print | FileCheck %s --check-prefix=AX0
// RUN: not tessera-opt --tessera-fold-to-integer --tessera-lower-to-npu %s 2>&1 | FileCheck %s --check-prefix=ERR

// ERR: error: unsupported for now: 'tosa.custom'{{.*}}: expected a tessera softmax / log_softmax on i8 whose normalised axis is the innermost non-unit dimension

// Normalising the outer axis of a 2x2 tensor: columns [0, -1] and [5, 5]
// (input zp 5: x = -5 ln2, -6 ln2 and 0, 0). Column 0 is softmax [2/3, 1/3]
// -> 256 * 2/3 = 170.67 -> 171 - 128 = 43, 85.33 -> 85 - 128 = -43;
// column 1 is [1/2, 1/2] -> 128 - 128 = 0. The vector unit normalises rows
// only, so this one runs at the integer level and --tessera-lower-to-npu
// reports it.
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
