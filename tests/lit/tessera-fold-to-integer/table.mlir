// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function sigmoid_i8 --print | FileCheck %s --check-prefix=SIG
// RUN: tessera-run %t.mlir --function sigmoid_tie --print | FileCheck %s --check-prefix=TIE
// RUN: tessera-run %t.mlir --function tanh_i8 --print | FileCheck %s --check-prefix=TANH
// RUN: tessera-run %t.mlir --function exp_i8 --print | FileCheck %s --check-prefix=EXP
// RUN: %python -c "import numpy as np; np.save('%t.u8.npy', (np.array([0, 112, 128, 144, 255]) - 128).astype(np.int8))"
// RUN: tessera-run %t.mlir --function sigmoid_u8 --input x=%t.u8.npy --print | FileCheck %s --check-prefix=U8
// RUN: tessera-run %t.mlir --function leaky_relu_chain --print | FileCheck %s --check-prefix=LEAKY
// RUN: tessera-run %t.mlir --function clamp_huge_scale --print | FileCheck %s --check-prefix=HUGE
// RUN: tessera-run %t.mlir --function reciprocal_chain --print | FileCheck %s --check-prefix=RECIP

// sigmoid / tanh / exp of a quantized i8 value become tosa.table with a
// 256-entry i8 table T[i] = quantize_out(f(dequantize_in(i - 128))) built by
// core/quant (round half to even, saturate). The folded functions are run by
// the integer reference executor; the inputs are constants so each value
// below is checked by hand.

// Input scale 1/16 (zp 0): q = -128, -16, 0, 16, 127 are x = -8, -1, 0, 1,
// 7.9375. Output scale 1/256, zp -128:
//   sigmoid(x) * 256 = 0.086, 68.85, 128, 187.15, 255.91
//   rounded 0, 69, 128, 187, 256; - 128 = -128, -59, 0, 59, 128 -> 127.
// T[0] = -128 (0x80), so the table constant starts with 0x80.
// CHECK-LABEL: func.func @sigmoid_i8
// CHECK-SAME: -> (tensor<5xi8> {tessera.dtype = "int8", tessera.scale = 3.906250e-03 : f64, tessera.zero_point = -128 : i64})
// CHECK: %[[X:.*]] = "tosa.const"() <{values = dense<[-128, -16, 0, 16, 127]> : tensor<5xi8>}>
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<"0x80{{[0-9A-F]*}}"> : tensor<256xi8>}>
// CHECK: %[[Y:.*]] = tosa.table %[[X]], %[[T]] : (tensor<5xi8>, tensor<256xi8>) -> tensor<5xi8>
// CHECK: return %[[Y]]
// SIG: output0: 5xi8 = [-128, -59, 0, 59, 127]
func.func @sigmoid_i8() -> tensor<5xf32> {
  %c = "tosa.const"() {values = dense<[-128, -16, 0, 16, 127]> : tensor<5xi8>} : () -> tensor<5xi8>
  %q = quant.scast %c : tensor<5xi8> to tensor<5x!quant.uniform<i8:f32, 0.0625>>
  %x = quant.dcast %q : tensor<5x!quant.uniform<i8:f32, 0.0625>> to tensor<5xf32>
  %y = tosa.sigmoid %x : (tensor<5xf32>) -> tensor<5xf32>
  %yq = quant.qcast %y : tensor<5xf32> to tensor<5x!quant.uniform<i8:f32, 0.00390625:-128>>
  %yd = quant.dcast %yq : tensor<5x!quant.uniform<i8:f32, 0.00390625:-128>> to tensor<5xf32>
  return %yd : tensor<5xf32>
}

// Round half to even: with output scale 1 (zp 0), sigmoid(0) = 0.5 is a tie
// and rounds to 0 (half away from zero would give 1); sigmoid(-1) = 0.27 ->
// 0, sigmoid(1) = 0.73 -> 1, sigmoid(2) = 0.88 -> 1.
// CHECK-LABEL: func.func @sigmoid_tie
// CHECK: tosa.table
// TIE: output0: 4xi8 = [0, 0, 1, 1]
func.func @sigmoid_tie() -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<[-1, 0, 1, 2]> : tensor<4xi8>} : () -> tensor<4xi8>
  %q = quant.scast %c : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %x = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  %y = tosa.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  %yq = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0>>
  %yd = quant.dcast %yq : tensor<4x!quant.uniform<i8:f32, 1.0>> to tensor<4xf32>
  return %yd : tensor<4xf32>
}

// tanh, input scale 1/16, output scale 1/128 (zp 0):
//   tanh(x) * 128 = -128.0 (-127.99997), -97.48, 0, 97.48, 127.99996
//   -> -128, -97, 0, 97, 128 saturated to 127.
// CHECK-LABEL: func.func @tanh_i8
// CHECK: tosa.table
// TANH: output0: 5xi8 = [-128, -97, 0, 97, 127]
func.func @tanh_i8() -> tensor<5xf32> {
  %c = "tosa.const"() {values = dense<[-128, -16, 0, 16, 127]> : tensor<5xi8>} : () -> tensor<5xi8>
  %q = quant.scast %c : tensor<5xi8> to tensor<5x!quant.uniform<i8:f32, 0.0625>>
  %x = quant.dcast %q : tensor<5x!quant.uniform<i8:f32, 0.0625>> to tensor<5xf32>
  %y = tosa.tanh %x : (tensor<5xf32>) -> tensor<5xf32>
  %yq = quant.qcast %y : tensor<5xf32> to tensor<5x!quant.uniform<i8:f32, 0.0078125>>
  %yd = quant.dcast %yq : tensor<5x!quant.uniform<i8:f32, 0.0078125>> to tensor<5xf32>
  return %yd : tensor<5xf32>
}

// exp, input scale 1/8, output scale 1/4 with zp -128 (range [0, 63.75]):
// q = -128, -8, 0, 8, 16, 127 are x = -16, -1, 0, 1, 2, 15.875;
//   exp(x) * 4 = 0.0000005, 1.47, 4, 10.87, 29.56, 3.1e7
//   -> 0, 1, 4, 11, 30, saturated; - 128 = -128, -127, -124, -117, -98, 127.
// CHECK-LABEL: func.func @exp_i8
// CHECK: tosa.table
// EXP: output0: 6xi8 = [-128, -127, -124, -117, -98, 127]
func.func @exp_i8() -> tensor<6xf32> {
  %c = "tosa.const"() {values = dense<[-128, -8, 0, 8, 16, 127]> : tensor<6xi8>} : () -> tensor<6xi8>
  %q = quant.scast %c : tensor<6xi8> to tensor<6x!quant.uniform<i8:f32, 0.125>>
  %x = quant.dcast %q : tensor<6x!quant.uniform<i8:f32, 0.125>> to tensor<6xf32>
  %y = tosa.exp %x : (tensor<6xf32>) -> tensor<6xf32>
  %yq = quant.qcast %y : tensor<6xf32> to tensor<6x!quant.uniform<i8:f32, 0.25:-128>>
  %yd = quant.dcast %yq : tensor<6x!quant.uniform<i8:f32, 0.25:-128>> to tensor<6xf32>
  return %yd : tensor<6xf32>
}

// uint8 in and out (onnxruntime's QDQ activations): the types are first
// rewritten to i8 storage (zp - 128), which makes this @sigmoid_i8 exactly:
// input u8 zp 128 -> i8 zp 0, output u8 zp 0 -> i8 zp -128. The argument
// takes the uint8 bytes XOR 0x80: u8 0, 112, 128, 144, 255 are fed as
// -128, -16, 0, 16, 127 and give @sigmoid_i8's results (u8 0, 69, 128, 187,
// 255 read back through the XOR).
// CHECK-LABEL: func.func @sigmoid_u8
// CHECK-SAME: (%[[A:.*]]: tensor<5xi8> {onnx.name = "x", tessera.dtype = "uint8", tessera.scale = 6.250000e-02 : f64, tessera.zero_point = 128 : i64})
// CHECK-SAME: -> (tensor<5xi8> {tessera.dtype = "uint8", tessera.scale = 3.906250e-03 : f64, tessera.zero_point = 0 : i64})
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<"0x80{{[0-9A-F]*}}"> : tensor<256xi8>}>
// CHECK: tosa.table %[[A]], %[[T]]
// U8: output0: 5xi8 = [-128, -59, 0, 59, 127]
func.func @sigmoid_u8(%arg0: tensor<5xf32> {onnx.name = "x"}) -> tensor<5xf32> {
  %q = quant.qcast %arg0 : tensor<5xf32> to tensor<5x!quant.uniform<u8:f32, 0.0625:128>>
  %x = quant.dcast %q : tensor<5x!quant.uniform<u8:f32, 0.0625:128>> to tensor<5xf32>
  %y = tosa.sigmoid %x : (tensor<5xf32>) -> tensor<5xf32>
  %yq = quant.qcast %y : tensor<5xf32> to tensor<5x!quant.uniform<u8:f32, 0.00390625>>
  %yd = quant.dcast %yq : tensor<5x!quant.uniform<u8:f32, 0.00390625>> to tensor<5xf32>
  return %yd : tensor<5xf32>
}

// Any chain of elementwise ops between one dcast and the qcast, with splat
// constants, is also one table (FoldElementwiseChain: the chain run by the
// float reference executor on the 256 input values).

// LeakyRelu as imported, max(x, 0.25 x); input and output scale 0.5, zp 0:
// q = -128, -6, -2, -1, 0, 5, 127 -> x = -64, -3, -1, -0.5, 0, 2.5, 63.5 ->
// y = -16, -0.75, -0.25, -0.125, 0, 2.5, 63.5 -> y / 0.5 = -32, -1.5,
// -0.5, -0.25, 0, 5, 127 -> half to even: -32, -2, 0, 0, 0, 5, 127.
// CHECK-LABEL: func.func @leaky_relu_chain
// CHECK-NOT: tosa.mul
// CHECK-NOT: tosa.maximum
// CHECK: tosa.table
// CHECK-NOT: tosa.maximum
// CHECK: return
// LEAKY: output0: 7xi8 = [-32, -2, 0, 0, 0, 5, 127]
func.func @leaky_relu_chain() -> tensor<7xf32> {
  %c = "tosa.const"() {values = dense<[-128, -6, -2, -1, 0, 5, 127]> : tensor<7xi8>} : () -> tensor<7xi8>
  %q = quant.scast %c : tensor<7xi8> to tensor<7x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<7x!quant.uniform<i8:f32, 0.5>> to tensor<7xf32>
  %alpha = "tosa.const"() {values = dense<0.25> : tensor<1xf32>} : () -> tensor<1xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %x, %alpha, %sh : (tensor<7xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<7xf32>
  %y = tosa.maximum %x, %m : (tensor<7xf32>, tensor<7xf32>) -> tensor<7xf32>
  %yq = quant.qcast %y : tensor<7xf32> to tensor<7x!quant.uniform<i8:f32, 0.5>>
  %yd = quant.dcast %yq : tensor<7x!quant.uniform<i8:f32, 0.5>> to tensor<7xf32>
  return %yd : tensor<7xf32>
}

// A clamp whose rescale would need a multiplier of 2^40 (input scale 2^40,
// output 1.0) is still a table: x = q * 2^40 clamped to [0, 6] is 0 for
// q <= 0 and 6 for q >= 1.
// CHECK-LABEL: func.func @clamp_huge_scale
// CHECK: tosa.table
// HUGE: output0: 5xi8 = [0, 0, 0, 6, 6]
func.func @clamp_huge_scale() -> tensor<5xf32> {
  %c = "tosa.const"() {values = dense<[-128, -1, 0, 1, 127]> : tensor<5xi8>} : () -> tensor<5xi8>
  %q = quant.scast %c : tensor<5xi8> to tensor<5x!quant.uniform<i8:f32, 1099511627776.0>>
  %x = quant.dcast %q : tensor<5x!quant.uniform<i8:f32, 1099511627776.0>> to tensor<5xf32>
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<5xf32>) -> tensor<5xf32>
  %yq = quant.qcast %y : tensor<5xf32> to tensor<5x!quant.uniform<i8:f32, 1.0>>
  %yd = quant.dcast %yq : tensor<5x!quant.uniform<i8:f32, 1.0>> to tensor<5xf32>
  return %yd : tensor<5xf32>
}

// reciprocal, input scale 0.5, output scale 1/128 with zp -128: q = 1, 2,
// 4, 8 -> x = 0.5, 1, 2, 4 -> 1/x = 2, 1, 0.5, 0.25 -> * 128 = 256, 128,
// 64, 32 -> - 128 = 128 (saturates to 127), 0, -64, -96.
// CHECK-LABEL: func.func @reciprocal_chain
// CHECK: tosa.table
// RECIP: output0: 4xi8 = [127, 0, -64, -96]
func.func @reciprocal_chain() -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<[1, 2, 4, 8]> : tensor<4xi8>} : () -> tensor<4xi8>
  %q = quant.scast %c : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  %y = tosa.reciprocal %x : (tensor<4xf32>) -> tensor<4xf32>
  %yq = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.0078125:-128>>
  %yd = quant.dcast %yq : tensor<4x!quant.uniform<i8:f32, 0.0078125:-128>> to tensor<4xf32>
  return %yd : tensor<4xf32>
}
