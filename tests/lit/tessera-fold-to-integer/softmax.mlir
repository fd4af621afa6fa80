// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function softmax_row --print | FileCheck %s --check-prefix=SM
// RUN: tessera-run %t.mlir --function log_softmax_row --print | FileCheck %s --check-prefix=LSM
// RUN: tessera-opt --tessera-fold-to-integer --tessera-lower-to-npu %s | FileCheck %s --check-prefix=NPU

// The importer's Softmax (reduce_max, sub, exp, reduce_sum, reciprocal, mul)
// and LogSoftmax (.., log, sub) between a dcast and a qcast fold to one
// tosa.custom "softmax" / "log_softmax" with a 256-entry i32 exp table and
// 7 i32 parameters, run by core/kernels quantSoftmax in the integer
// reference executor and on the vector unit (npu.softmax).
//
// Input scale ln 2 (zp 0), so table[d] = round(2^-d * 2^15) = 2^(15-d) for
// d <= 15 and 0 beyond (2^-1 = 0.5 rounds half to even to 0):
// 32768 = 0x8000, 16384 = 0x4000, 8192 = 0x2000, 4096 = 0x1000.
// Row q = [0, -1, -2, -3] (x = 0, -ln2, -2 ln2, -3 ln2): m = 0, d = 0..3,
// e = 32768, 16384, 8192, 4096, sum = 61440 = 15 * 2^12:
// softmax = 8/15, 4/15, 2/15, 1/15. Output scale 1/256, zp -128:
// 256 * 8/15 = 136.53 -> 137 - 128 = 9; 68.27 -> 68 -> -60;
// 34.13 -> 34 -> -94; 17.07 -> 17 -> -111.
// (multiplier, shift) of 2^-31 / (1/256) = 2^-23: 2^30, shift 53.
// CHECK-LABEL: func.func @softmax_row
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<"0x0080000000400000002000000010000000080000{{[0-9A-F]*}}"> : tensor<256xi32>}>
// CHECK: %[[P:.*]] = "tosa.const"() <{values = dense<[1073741824, 53, 0, 0, -128, -128, 127]> : tensor<7xi32>}>
// CHECK: tosa.custom %{{.*}}, %[[T]], %[[P]] {domain_name = "tessera", implementation_attrs = "axis=1", operator_name = "softmax"} : (tensor<1x4xi8>, tensor<256xi32>, tensor<7xi32>) -> tensor<1x4xi8>
// CHECK-NOT: tosa.reduce_max
// CHECK-NOT: tosa.exp
// SM: output0: 1x4xi8 = [9, -60, -94, -111]
// NPU-LABEL: func.func @softmax_row
// NPU: npu.softmax %{{.*}}, %{{.*}} {clamp_max = 127 : i64, clamp_min = -128 : i64, in_multiplier = 0 : i32, layer = 0 : i64, log = false, log_multiplier = 0 : i32, multiplier = 1073741824 : i32, output_zp = -128 : i64, shift = 53 : i32} : (tensor<1x4xi8>, tensor<256xi32>) -> tensor<1x4xi8>
func.func @softmax_row() -> tensor<1x4xf32> {
  %c = "tosa.const"() {values = dense<[[0, -1, -2, -3]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.69314718055994529>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.69314718055994529>> to tensor<1x4xf32>
  %m = tosa.reduce_max %x {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1x1xf32>
  %s = tosa.sub %x, %m : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %e = tosa.exp %s : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %sum = tosa.reduce_sum %e {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1x1xf32>
  %r = tosa.reciprocal %sum : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %e, %r, %sh : (tensor<1x4xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  %yq = quant.qcast %y : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.00390625:-128>>
  %yd = quant.dcast %yq : tensor<1x4x!quant.uniform<i8:f32, 0.00390625:-128>> to tensor<1x4xf32>
  return %yd : tensor<1x4xf32>
}

// LogSoftmax of the same row, output scale 1/16, zp 127:
// log(8/15) = -0.6286 and each step of d subtracts ln 2 = 0.6931:
// x / (1/16) = -10.06, -21.15, -32.24, -43.33 -> -10, -21, -32, -43
// + 127 = 117, 106, 95, 84.
// in_multiplier = log_multiplier = round(ln2 * 16 * 2^16) = 726817 (the
// unused softmax shift keeps its valid default, 2).
// CHECK-LABEL: func.func @log_softmax_row
// CHECK: "tosa.const"() <{values = dense<[0, 2, 726817, 726817, 127, -128, 127]> : tensor<7xi32>}>
// CHECK: tosa.custom {{.*}}operator_name = "log_softmax"
// LSM: output0: 1x4xi8 = [117, 106, 95, 84]
// NPU-LABEL: func.func @log_softmax_row
// NPU: npu.softmax {{.*}}in_multiplier = 726817 : i32, {{.*}}log = true, log_multiplier = 726817 : i32
func.func @log_softmax_row() -> tensor<1x4xf32> {
  %c = "tosa.const"() {values = dense<[[0, -1, -2, -3]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.69314718055994529>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.69314718055994529>> to tensor<1x4xf32>
  %m = tosa.reduce_max %x {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1x1xf32>
  %s = tosa.sub %x, %m : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %e = tosa.exp %s : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %sum = tosa.reduce_sum %e {axis = 1 : i32} : (tensor<1x4xf32>) -> tensor<1x1xf32>
  %l = tosa.log %sum : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %y = tosa.sub %s, %l : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %yq = quant.qcast %y : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.0625:127>>
  %yd = quant.dcast %yq : tensor<1x4x!quant.uniform<i8:f32, 0.0625:127>> to tensor<1x4xf32>
  return %yd : tensor<1x4xf32>
}
