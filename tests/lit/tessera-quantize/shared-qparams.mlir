// RUN: tessera-opt --split-input-file --tessera-quantize %s | FileCheck %s

// concat inputs and output form one class whose range is the union of the
// members' ranges: [0, 63.5] u [-64, 0] u [-64, 63.5] = [-64, 63.5] ->
// scale 0.5, zp 0 for all three (alone, [0, 63.5] would be scale 0.249).
// max_pool2d, transpose and reshape share their input's quantization even
// though their own ranges are narrower; avg_pool2d gets its own:
// [0, 255] -> scale 1.0, zp -128.

// CHECK-LABEL: func.func @concat_pool_shape_ops
// CHECK: quant.qcast %arg0 : {{.*}} to tensor<1x2x2x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: quant.qcast %arg1 : {{.*}} to tensor<1x2x2x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[CAT:.*]] = tosa.concat
// CHECK-NEXT: quant.qcast %[[CAT]] : {{.*}} to tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[MP:.*]] = tosa.max_pool2d
// CHECK-NEXT: quant.qcast %[[MP]] : {{.*}} to tensor<1x1x1x2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[T:.*]] = tosa.transpose
// CHECK-NEXT: quant.qcast %[[T]] : {{.*}} to tensor<1x2x1x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[R:.*]] = tosa.reshape
// CHECK-NEXT: quant.qcast %[[R]] : {{.*}} to tensor<1x2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[AP:.*]] = tosa.avg_pool2d
// CHECK-NEXT: quant.qcast %[[AP]] : {{.*}} to tensor<1x1x1x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
func.func @concat_pool_shape_ops(%arg0: tensor<1x2x2x1xf32> {tessera.range = array<f64: 0.0, 63.5>}, %arg1: tensor<1x2x2x1xf32> {tessera.range = array<f64: -64.0, 0.0>}) -> (tensor<1x2xf32>, tensor<1x1x1x2xf32>) {
  %0 = tosa.concat %arg0, %arg1 {axis = 3 : i32, tessera.range = array<f64: -64.0, 63.5>} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = tosa.max_pool2d %0 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, tessera.range = array<f64: 0.0, 10.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  %2 = tosa.transpose %1 {perms = array<i32: 0, 3, 1, 2>, tessera.range = array<f64: 0.0, 10.0>} : (tensor<1x1x1x2xf32>) -> tensor<1x2x1x1xf32>
  %shape = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %3 = tosa.reshape %2, %shape {tessera.range = array<f64: 0.0, 10.0>} : (tensor<1x2x1x1xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %4 = tosa.avg_pool2d %0, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, tessera.range = array<f64: 0.0, 255.0>} : (tensor<1x2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  return %3, %4 : tensor<1x2xf32>, tensor<1x1x1x2xf32>
}

// -----

// A float constant read as data by an add is quantized over its own values
// [-64, 63.5] -> scale 0.5, zp 0; the avg_pool2d zero points are not.

// CHECK-LABEL: func.func @constant_data_operand
// CHECK: %[[K:.*]] = "tosa.const"() <{values = dense<[-6.400000e+01, 6.350000e+01]> : tensor<2xf32>}>
// CHECK-NEXT: %[[KQ:.*]] = quant.qcast %[[K]] : tensor<2xf32> to tensor<2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK-NEXT: %[[KD:.*]] = quant.dcast %[[KQ]]
// CHECK: tosa.add %{{.*}}, %[[KD]]
func.func @constant_data_operand(%arg0: tensor<2xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> tensor<2xf32> {
  %k = "tosa.const"() {values = dense<[-64.0, 63.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %0 = tosa.add %arg0, %k {tessera.range = array<f64: -128.0, 127.0>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// mul by a non-uniform float constant (YOLO's anchor grid) quantizes it over
// its own values, per tensor, like add's: [-64, 63.5] -> scale 0.5, zp 0.
// A uniform factor (2.0) stays float: the elementwise-chain fold makes the
// mul an exact table of the other operand.

// CHECK-LABEL: func.func @constant_mul_operand
// CHECK: %[[K:.*]] = "tosa.const"() <{values = dense<[-6.400000e+01, 6.350000e+01]> : tensor<2xf32>}>
// CHECK-NEXT: %[[KQ:.*]] = quant.qcast %[[K]] : tensor<2xf32> to tensor<2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK-NEXT: %[[KD:.*]] = quant.dcast %[[KQ]]
// CHECK: %[[TWO:.*]] = "tosa.const"() <{values = dense<2.000000e+00> : tensor<2xf32>}>
// CHECK-NOT: quant.qcast %[[TWO]]
// CHECK: tosa.mul %[[KD]], %{{.*}}, %{{.*}} :
// CHECK: tosa.mul %{{.*}}, %[[TWO]], %{{.*}} :
func.func @constant_mul_operand(%arg0: tensor<2xf32> {tessera.range = array<f64: -1.0, 1.0>}) -> tensor<2xf32> {
  %k = "tosa.const"() {values = dense<[-64.0, 63.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %two = "tosa.const"() {values = dense<2.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.mul %k, %arg0, %sh {tessera.range = array<f64: -64.0, 64.0>} : (tensor<2xf32>, tensor<2xf32>, tensor<1xi8>) -> tensor<2xf32>
  %1 = tosa.mul %0, %two, %sh {tessera.range = array<f64: -128.0, 128.0>} : (tensor<2xf32>, tensor<2xf32>, tensor<1xi8>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// x - c with a non-uniform float constant c becomes x + (-c), and -c is
// quantized over its own values [-63.5, 64] (asymmetric: scale 127.5 / 255
// = 0.5, zp -1); the range and ONNX node stay on the add. A uniform c stays a
// sub (the elementwise-chain fold makes it a table).

// CHECK-LABEL: func.func @constant_subtrahend
// CHECK: %[[ONE:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2xf32>}>
// CHECK: %[[N:.*]] = "tosa.const"() <{values = dense<[6.400000e+01, -6.350000e+01]> : tensor<2xf32>}>
// CHECK-NEXT: %[[NQ:.*]] = quant.qcast %[[N]] : tensor<2xf32> to tensor<2x!quant.uniform<i8:f32, 5.000000e-01:-1>>
// CHECK-NEXT: %[[ND:.*]] = quant.dcast %[[NQ]]
// CHECK: %[[A:.*]] = tosa.add %{{.*}}, %[[ND]] {onnx.node = "sub1"}
// CHECK-NOT: quant.qcast %[[ONE]]
// CHECK: tosa.sub %{{.*}}, %[[ONE]] :
func.func @constant_subtrahend(%arg0: tensor<2xf32> {tessera.range = array<f64: -1.0, 1.0>}) -> tensor<2xf32> {
  %c = "tosa.const"() {values = dense<[-64.0, 63.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %one = "tosa.const"() {values = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %0 = tosa.sub %arg0, %c {onnx.node = "sub1", tessera.range = array<f64: -64.5, 65.0>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = tosa.sub %0, %one {tessera.range = array<f64: -65.5, 64.0>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// A concat joins an input's class only if that widens the input's grid at
// most 16 times (4 bits). Output [0, 1020]: scale 1020 / 255 = 4, zp -128.
// %wide [0, 1020] and %mid [0, 64] (1020 / 64 = 15.9) share it; %narrow
// [0, 1] (1020 times) keeps its own: scale 1 / 255, zp -128 (folding
// rescales it into the concat's quantization).

// CHECK-LABEL: func.func @concat_narrow_input
// CHECK: quant.qcast %arg0 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 0.0039215686274509803:-128>>
// CHECK: quant.qcast %arg1 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 4.000000e+00:-128>>
// CHECK: quant.qcast %arg2 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 4.000000e+00:-128>>
// CHECK: %[[C:.*]] = tosa.concat
// CHECK-NEXT: quant.qcast %[[C]] : tensor<1x6xf32> to tensor<1x6x!quant.uniform<i8:f32, 4.000000e+00:-128>>
func.func @concat_narrow_input(%narrow: tensor<1x2xf32> {tessera.range = array<f64: 0.0, 1.0>},
                               %wide: tensor<1x2xf32> {tessera.range = array<f64: 0.0, 1020.0>},
                               %mid: tensor<1x2xf32> {tessera.range = array<f64: 0.0, 64.0>}) -> tensor<1x6xf32> {
  %0 = tosa.concat %narrow, %wide, %mid {axis = 1 : i32, tessera.range = array<f64: 0.0, 1020.0>} : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

// A constant input of a concat always joins its class, however narrow its
// own range: the zeros of a count_include_pad pool ([0, 0]) and the 0.5
// border of a constant Pad are quantized at the concat's scale, whose
// calibrated range holds them. Output [-1, 1.5] (asymmetric int8): scale
// 2.5 / 255 = 0.00980392..., zp round(-128 + 1 / scale) = -26; the zeros are
// zp and 0.5 is round(51) - 26 = 25 once folded. Alone, [0, 0] would have
// its own (degenerate) grid and need a rescale.

// CHECK-LABEL: func.func @concat_constant_inputs
// CHECK-DAG: quant.qcast %arg0 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 0.0098039215686274508:-26>>
// CHECK-DAG: %[[Z:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x1xf32>}>
// CHECK-DAG: quant.qcast %[[Z]] : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.0098039215686274508:-26>>
// CHECK-DAG: %[[H:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1xf32>}>
// CHECK-DAG: quant.qcast %[[H]] : tensor<1x1xf32> to tensor<1x1x!quant.uniform<i8:f32, 0.0098039215686274508:-26>>
// CHECK: %[[C:.*]] = tosa.concat
// CHECK-NEXT: quant.qcast %[[C]] : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.0098039215686274508:-26>>
func.func @concat_constant_inputs(%x: tensor<1x2xf32> {tessera.range = array<f64: -1.0, 1.5>}) -> tensor<1x4xf32> {
  %z = "tosa.const"() {values = dense<0.0> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %h = "tosa.const"() {values = dense<0.5> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %0 = tosa.concat %z, %x, %h {axis = 1 : i32, tessera.range = array<f64: -1.0, 1.5>} : (tensor<1x1xf32>, tensor<1x2xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// slice and pad share their input's quantization ([-64, 63.5]: scale 0.5,
// zp 0); the pad value stays a float constant (folding quantizes it).

// CHECK-LABEL: func.func @slice_pad
// CHECK: %[[S:.*]] = tosa.slice
// CHECK-NEXT: quant.qcast %[[S]] : {{.*}} to tensor<1x2x2x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[P:.*]] = tosa.pad %{{.*}}, %{{.*}}, %[[PC:[^ ]*]] :
// CHECK-NEXT: quant.qcast %[[P]] : {{.*}} to tensor<1x4x4x1x!quant.uniform<i8:f32, 5.000000e-01>>
func.func @slice_pad(%arg0: tensor<1x3x3x1xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> tensor<1x4x4x1xf32> {
  %start = tosa.const_shape {values = dense<[0, 1, 1, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %size = tosa.const_shape {values = dense<[1, 2, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %0 = tosa.slice %arg0, %start, %size {tessera.range = array<f64: 0.0, 1.0>} : (tensor<1x3x3x1xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x2x2x1xf32>
  %padding = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %zero = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %1 = tosa.pad %0, %padding, %zero {tessera.range = array<f64: 0.0, 1.0>} : (tensor<1x2x2x1xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  return %1 : tensor<1x4x4x1xf32>
}
