// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function mul_zero_points --print | FileCheck %s --check-prefix=ZP
// RUN: tessera-run %t.mlir --function mul_broadcast_const_relu --print | FileCheck %s --check-prefix=BCAST
// RUN: tessera-run %t.mlir --function mul_square --print | FileCheck %s --check-prefix=SQUARE

// A quantized mul becomes, as in TOSA's legalization of TFLite's MUL:
//   a' = rescale_i8->i32(a, 1.0, input_zp z_a), b' likewise  (a - z_a exact)
//   p  = mul_i32(a', b', shift 0)
//   out = rescale_i32->i8(p, s_a * s_b / s_out, output_zp z_out)
// 1.0 = 2^30 * 2^-30: multiplier 1073741824, shift 30. The inputs are
// constants, so the integer reference executor's results are checked too.

// a: scale 0.5, zp -2; q = -128, 0, 10, 127 -> a - z_a = -126, 2, 12, 129.
// b: scale 0.25, zp 4;  q = 3, -5, 4, 0      -> b - z_b = -1, -9, 0, -4.
// p = 126, -18, 0, -516. m = 0.5 * 0.25 / 0.5 = 0.25 = 2^30 * 2^-32.
// SINGLE_ROUND (ties up): 31.5 -> 32, -4.5 -> -4, 0, -129; + z_out 1 =
// 33, -3, 1, -128 (the real products 15.75, -2.25, 0, -64.5 over s_out 0.5).
// CHECK-LABEL: func.func @mul_zero_points
// CHECK-DAG: %[[A:.*]] = "tosa.const"() <{values = dense<[-128, 0, 10, 127]> : tensor<4xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[3, -5, 4, 0]> : tensor<4xi8>}>
// CHECK-DAG: %[[ONE:.*]] = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}>
// CHECK-DAG: %[[S30:.*]] = "tosa.const"() <{values = dense<30> : tensor<1xi8>}>
// CHECK-DAG: %[[ZA:.*]] = "tosa.const"() <{values = dense<-2> : tensor<1xi8>}>
// CHECK-DAG: %[[ZB:.*]] = "tosa.const"() <{values = dense<4> : tensor<1xi8>}>
// CHECK-DAG: %[[S32:.*]] = "tosa.const"() <{values = dense<32> : tensor<1xi8>}>
// CHECK-DAG: %[[ZOUT:.*]] = "tosa.const"() <{values = dense<1> : tensor<1xi8>}>
// CHECK-DAG: %[[WA:.*]] = tosa.rescale %[[A]], %[[ONE]], %[[S30]], %[[ZA]], %{{.*}} {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<4xi32>
// CHECK-DAG: %[[WB:.*]] = tosa.rescale %[[B]], %{{.*}}, %{{.*}}, %[[ZB]], %{{.*}} -> tensor<4xi32>
// CHECK: %[[P:.*]] = tosa.mul %[[WA]], %[[WB]], %{{.*}} : (tensor<4xi32>, tensor<4xi32>, tensor<1xi8>) -> tensor<4xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[P]], %[[ONE]], %[[S32]], %{{.*}}, %[[ZOUT]] {{.*}} -> tensor<4xi8>
// CHECK: return %[[Y]]
// ZP: output0: 4xi8 = [33, -3, 1, -128]
func.func @mul_zero_points() -> tensor<4xf32> {
  %ca = "tosa.const"() {values = dense<[-128, 0, 10, 127]> : tensor<4xi8>} : () -> tensor<4xi8>
  %qa = quant.scast %ca : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5:-2>>
  %a = quant.dcast %qa : tensor<4x!quant.uniform<i8:f32, 0.5:-2>> to tensor<4xf32>
  %cb = "tosa.const"() {values = dense<[3, -5, 4, 0]> : tensor<4xi8>} : () -> tensor<4xi8>
  %qb = quant.scast %cb : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.25:4>>
  %b = quant.dcast %qb : tensor<4x!quant.uniform<i8:f32, 0.25:4>> to tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %a, %b, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %yq = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  %yd = quant.dcast %yq : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4xf32>
  return %yd : tensor<4xf32>
}

// Broadcast multiplication by a quantized scalar constant (YOLO's detect
// head multiplies by 2 and by the stride), then a fused ReLU. Both zero
// points are 0, so the i8 values are multiplied directly (TOSA MUL
// i8 x i8 -> i32), with TOSA broadcasting of 1x1x1 over 1x2x2.
// a: scale 0.5, q = 1, -3, 50, 100; c: scale 1/32, q = 64 (2.0).
// p = 64, -192, 3200, 6400; m = 0.5 / 32 / 1.0 = 2^-6 = 2^30 * 2^-36:
// p / 64 = 1, -3, 50, 100; + z_out -10 = -9, -13, 40, 90; the ReLU clamps at
// quantize(0) = z_out = -10: -9, -10, 40, 90.
// CHECK-LABEL: func.func @mul_broadcast_const_relu
// CHECK-DAG: %[[A:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1, -3], [50, 100]]]> : tensor<1x2x2xi8>}>
// CHECK-DAG: %[[C:.*]] = "tosa.const"() <{values = dense<64> : tensor<1x1x1xi8>}>
// CHECK-DAG: %[[S36:.*]] = "tosa.const"() <{values = dense<36> : tensor<1xi8>}>
// CHECK-NOT: tosa.rescale
// CHECK: %[[P:.*]] = tosa.mul %[[A]], %[[C]], %{{.*}} : (tensor<1x2x2xi8>, tensor<1x1x1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
// CHECK: %[[R:.*]] = tosa.rescale %[[P]], %{{.*}}, %[[S36]], {{.*}} -> tensor<1x2x2xi8>
// CHECK: %[[Y:.*]] = tosa.clamp %[[R]] {max_val = 127 : i8, min_val = -10 : i8}
// CHECK: return %[[Y]]
// BCAST: output0: 1x2x2xi8 = [-9, -10, 40, 90]
func.func @mul_broadcast_const_relu() -> tensor<1x2x2xf32> {
  %ca = "tosa.const"() {values = dense<[[[1, -3], [50, 100]]]> : tensor<1x2x2xi8>} : () -> tensor<1x2x2xi8>
  %qa = quant.scast %ca : tensor<1x2x2xi8> to tensor<1x2x2x!quant.uniform<i8:f32, 0.5>>
  %a = quant.dcast %qa : tensor<1x2x2x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x2xf32>
  %cc = "tosa.const"() {values = dense<64> : tensor<1x1x1xi8>} : () -> tensor<1x1x1xi8>
  %qc = quant.scast %cc : tensor<1x1x1xi8> to tensor<1x1x1x!quant.uniform<i8:f32, 0.03125>>
  %c = quant.dcast %qc : tensor<1x1x1x!quant.uniform<i8:f32, 0.03125>> to tensor<1x1x1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %a, %c, %shift : (tensor<1x2x2xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x2x2xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %yq = quant.qcast %r : tensor<1x2x2xf32> to tensor<1x2x2x!quant.uniform<i8:f32, 1.0:-10>>
  %yd = quant.dcast %yq : tensor<1x2x2x!quant.uniform<i8:f32, 1.0:-10>> to tensor<1x2x2xf32>
  return %yd : tensor<1x2x2xf32>
}

// Pow(x, 2) imports as mul(x, x): one widening rescale feeds both operands.
// x: scale 0.25, zp 3; q = -5, 3, 7, 127 -> x - z = -8, 0, 4, 124
// (real -2, 0, 1, 31). p = 64, 0, 16, 15376; m = 0.0625 / 4 = 2^-6:
// 1, 0, 0.25 -> 0, 240.25 -> 240; + z_out -128 = -127, -128, -128, 112.
// CHECK-LABEL: func.func @mul_square
// CHECK: %[[W:.*]] = tosa.rescale
// CHECK-NOT: tosa.rescale
// CHECK: %[[P:.*]] = tosa.mul %[[W]], %[[W]], %{{.*}} : (tensor<4xi32>, tensor<4xi32>, tensor<1xi8>) -> tensor<4xi32>
// CHECK: tosa.rescale %[[P]]
// SQUARE: output0: 4xi8 = [-127, -128, -128, 112]
func.func @mul_square() -> tensor<4xf32> {
  %cx = "tosa.const"() {values = dense<[-5, 3, 7, 127]> : tensor<4xi8>} : () -> tensor<4xi8>
  %qx = quant.scast %cx : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.25:3>>
  %x = quant.dcast %qx : tensor<4x!quant.uniform<i8:f32, 0.25:3>> to tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.mul %x, %x, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %yq = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 4.0:-128>>
  %yd = quant.dcast %yq : tensor<4x!quant.uniform<i8:f32, 4.0:-128>> to tensor<4xf32>
  return %yd : tensor<4xf32>
}
