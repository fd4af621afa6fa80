// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s | tessera-run - --print | FileCheck %s --check-prefix=VALUES

// A miniature of YOLOv5's quantized detect head (the onnxruntime twin):
// reshape to rank 5, transpose, sigmoid, slice, mul by a constant, add a
// broadcast grid, reshape to rank 3. Every op folds to integer TOSA on
// rank-5 tensors; the values are followed by hand:
//   input (scale 1/16, zp 0)      q = 0, 16, -16, 127  (x = 0, 1, -1, 7.94)
//   reshape 1x2x1x1x2, transpose [0, 3, 2, 1, 4] -> 1x1x1x2x2: same order
//   sigmoid (table, scale 1/256, zp -128): 0, 59, -59, 127 (see table.mlir)
//   slice [.., 0:1] of the last axis -> 0, -59  (real 128/256, 69/256)
//   mul by 2.0 (q 64, scale 1/32), out scale 1/128, zp -128:
//     (q + 128) * 64 = 8192, 4416; m = 2^-8 * 2^-5 / 2^-7 = 2^-6:
//     128, 69; - 128 = 0, -59          (real 1.0, 0.539)
//   add grid [0, 0.5] (q 0, 64, scale 1/128, zp 0) over axis 1, out scale
//     1/128, zp -128: every input is scaled by (1/128) / (2/128) * 2^20 =
//     2^19 and the sum by 2^-19, i.e. exactly (m + 128) + g:
//     [128, 69] + 0, [128, 69] + 64 = 128, 69, 192, 133; - 128 =
//     0, -59, 64, 5                    (real 1.0, 0.539, 1.5, 1.039)
//   reshape 1x4x1.

// CHECK-LABEL: func.func @detect_head
// CHECK: tosa.reshape {{.*}} -> tensor<1x2x1x1x2xi8>
// CHECK: tosa.transpose {{.*}} -> tensor<1x1x1x2x2xi8>
// CHECK: tosa.table {{.*}} -> tensor<1x1x1x2x2xi8>
// CHECK: tosa.slice {{.*}} -> tensor<1x1x1x2x1xi8>
// CHECK: tosa.mul {{.*}} : (tensor<1x1x1x2x1xi32>, tensor<1x1x1x1x1xi32>, tensor<1xi8>) -> tensor<1x1x1x2x1xi32>
// CHECK: tosa.add {{.*}} : (tensor<1x1x1x2x1xi32>, tensor<1x2x1x1x1xi32>) -> tensor<1x2x1x2x1xi32>
// CHECK: tosa.reshape {{.*}} -> tensor<1x4x1xi8>
// VALUES: output0: 1x4x1xi8 = [0, -59, 64, 5]
func.func @detect_head() -> tensor<1x4x1xf32> {
  %c = "tosa.const"() {values = dense<[[0, 16, -16, 127]]> : tensor<1x4xi8>} : () -> tensor<1x4xi8>
  %q = quant.scast %c : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.0625>>
  %x = quant.dcast %q : tensor<1x4x!quant.uniform<i8:f32, 0.0625>> to tensor<1x4xf32>

  %s5 = tosa.const_shape {values = dense<[1, 2, 1, 1, 2]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %r = tosa.reshape %x, %s5 : (tensor<1x4xf32>, !tosa.shape<5>) -> tensor<1x2x1x1x2xf32>
  %rq = quant.qcast %r : tensor<1x2x1x1x2xf32> to tensor<1x2x1x1x2x!quant.uniform<i8:f32, 0.0625>>
  %rd = quant.dcast %rq : tensor<1x2x1x1x2x!quant.uniform<i8:f32, 0.0625>> to tensor<1x2x1x1x2xf32>

  %t = tosa.transpose %rd {perms = array<i32: 0, 3, 2, 1, 4>} : (tensor<1x2x1x1x2xf32>) -> tensor<1x1x1x2x2xf32>
  %tq = quant.qcast %t : tensor<1x1x1x2x2xf32> to tensor<1x1x1x2x2x!quant.uniform<i8:f32, 0.0625>>
  %td = quant.dcast %tq : tensor<1x1x1x2x2x!quant.uniform<i8:f32, 0.0625>> to tensor<1x1x1x2x2xf32>

  %sg = tosa.sigmoid %td : (tensor<1x1x1x2x2xf32>) -> tensor<1x1x1x2x2xf32>
  %sgq = quant.qcast %sg : tensor<1x1x1x2x2xf32> to tensor<1x1x1x2x2x!quant.uniform<i8:f32, 0.00390625:-128>>
  %sgd = quant.dcast %sgq : tensor<1x1x1x2x2x!quant.uniform<i8:f32, 0.00390625:-128>> to tensor<1x1x1x2x2xf32>

  %start = tosa.const_shape {values = dense<0> : tensor<5xindex>} : () -> !tosa.shape<5>
  %size = tosa.const_shape {values = dense<[1, 1, 1, 2, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
  %sl = tosa.slice %sgd, %start, %size : (tensor<1x1x1x2x2xf32>, !tosa.shape<5>, !tosa.shape<5>) -> tensor<1x1x1x2x1xf32>
  %slq = quant.qcast %sl : tensor<1x1x1x2x1xf32> to tensor<1x1x1x2x1x!quant.uniform<i8:f32, 0.00390625:-128>>
  %sld = quant.dcast %slq : tensor<1x1x1x2x1x!quant.uniform<i8:f32, 0.00390625:-128>> to tensor<1x1x1x2x1xf32>

  %two = "tosa.const"() {values = dense<64> : tensor<1x1x1x1x1xi8>} : () -> tensor<1x1x1x1x1xi8>
  %twoq = quant.scast %two : tensor<1x1x1x1x1xi8> to tensor<1x1x1x1x1x!quant.uniform<i8:f32, 0.03125>>
  %twod = quant.dcast %twoq : tensor<1x1x1x1x1x!quant.uniform<i8:f32, 0.03125>> to tensor<1x1x1x1x1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %sld, %twod, %shift : (tensor<1x1x1x2x1xf32>, tensor<1x1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x1x2x1xf32>
  %mq = quant.qcast %m : tensor<1x1x1x2x1xf32> to tensor<1x1x1x2x1x!quant.uniform<i8:f32, 0.0078125:-128>>
  %md = quant.dcast %mq : tensor<1x1x1x2x1x!quant.uniform<i8:f32, 0.0078125:-128>> to tensor<1x1x1x2x1xf32>

  %grid = "tosa.const"() {values = dense<[[[[[0]]], [[[64]]]]]> : tensor<1x2x1x1x1xi8>} : () -> tensor<1x2x1x1x1xi8>
  %gridq = quant.scast %grid : tensor<1x2x1x1x1xi8> to tensor<1x2x1x1x1x!quant.uniform<i8:f32, 0.0078125>>
  %gridd = quant.dcast %gridq : tensor<1x2x1x1x1x!quant.uniform<i8:f32, 0.0078125>> to tensor<1x2x1x1x1xf32>
  %a = tosa.add %md, %gridd : (tensor<1x1x1x2x1xf32>, tensor<1x2x1x1x1xf32>) -> tensor<1x2x1x2x1xf32>
  %aq = quant.qcast %a : tensor<1x2x1x2x1xf32> to tensor<1x2x1x2x1x!quant.uniform<i8:f32, 0.0078125:-128>>
  %ad = quant.dcast %aq : tensor<1x2x1x2x1x!quant.uniform<i8:f32, 0.0078125:-128>> to tensor<1x2x1x2x1xf32>

  %s3 = tosa.const_shape {values = dense<[1, 4, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %o = tosa.reshape %ad, %s3 : (tensor<1x2x1x2x1xf32>, !tosa.shape<3>) -> tensor<1x4x1xf32>
  %oq = quant.qcast %o : tensor<1x4x1xf32> to tensor<1x4x1x!quant.uniform<i8:f32, 0.0078125:-128>>
  %od = quant.dcast %oq : tensor<1x4x1x!quant.uniform<i8:f32, 0.0078125:-128>> to tensor<1x4x1xf32>
  return %od : tensor<1x4x1xf32>
}
