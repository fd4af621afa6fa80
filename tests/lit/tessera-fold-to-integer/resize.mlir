// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s
// RUN: tessera-opt --tessera-fold-to-integer %s | mlir-opt --tosa-attach-target="profiles=pro_int" --tosa-validate="strict-op-spec-alignment" > /dev/null
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.mlir
// RUN: tessera-run %t.mlir --function nearest_shared --print | FileCheck %s --check-prefix=SHARED
// RUN: tessera-run %t.mlir --function nearest_requantized --print | FileCheck %s --check-prefix=REQUANT
// RUN: tessera-run %t.mlir --function bilinear --print | FileCheck %s --check-prefix=BILINEAR

// tosa.resize on quantized data. NEAREST_NEIGHBOR only selects elements, so
// it is the same op on i8 (after an i8 -> i8 requantization when the output
// is quantized differently). BILINEAR on i8 accumulates weights summing to
// n = scale_y_n * scale_x_n in i32; the zero point is removed by subtracting
// n * z_in and the result rescaled by s_in / (n * s_out).
// scale [2, 1, 2, 1], offset [-1, -1], border [0, 0] is the front end's
// ONNX Resize nearest x2 (asymmetric, floor): output (oy, ox) reads input
// (floor(oy / 2), floor(ox / 2)).

// Same quantization in and out: an i8 resize, no rescale.
// CHECK-LABEL: func.func @nearest_shared
// CHECK-NOT: tosa.rescale
// CHECK: %[[R:.*]] = tosa.resize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {mode = NEAREST_NEIGHBOR} : (tensor<1x2x2x1xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x4x4x1xi8>
// CHECK: return %[[R]]
// SHARED: output0: 1x4x4x1xi8 = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]
func.func @nearest_shared() -> tensor<1x4x4x1xf32> {
  %c = "tosa.const"() {values = dense<[[[[1], [2]], [[3], [4]]]]> : tensor<1x2x2x1xi8>} : () -> tensor<1x2x2x1xi8>
  %q = quant.scast %c : tensor<1x2x2x1xi8> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:3>>
  %x = quant.dcast %q : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.5:3>> to tensor<1x2x2x1xf32>
  %scale = tosa.const_shape {values = dense<[2, 1, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %offset = tosa.const_shape {values = dense<-1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %border = tosa.const_shape {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.resize %x, %scale, %offset, %border {mode = NEAREST_NEIGHBOR} : (tensor<1x2x2x1xf32>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x4x4x1xf32>
  %yq = quant.qcast %y : tensor<1x4x4x1xf32> to tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:3>>
  %yd = quant.dcast %yq : tensor<1x4x4x1x!quant.uniform<i8:f32, 0.5:3>> to tensor<1x4x4x1xf32>
  return %yd : tensor<1x4x4x1xf32>
}

// Input scale 0.5 (zp 0), output scale 0.25 (zp 4): requantize first,
// m = 2 = 2^30 * 2^-29: q = 1, -2, 10, 100 -> 2q + 4 = 6, 0, 24, 204
// saturated to 127; then each input column is read twice.
// CHECK-LABEL: func.func @nearest_requantized
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<29> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<4> : tensor<1xi8>}>
// CHECK: %[[Q:.*]] = tosa.rescale %{{.*}}, %{{.*}}, %[[SHIFT]], %{{.*}}, %[[OZP]] {{.*}} -> tensor<1x1x4x1xi8>
// CHECK: %[[R:.*]] = tosa.resize %[[Q]], {{.*}} -> tensor<1x2x8x1xi8>
// CHECK: return %[[R]]
// REQUANT: output0: 1x2x8x1xi8 = [6, 6, 0, 0, 24, 24, 127, 127, 6, 6, 0, 0, 24, 24, 127, 127]
func.func @nearest_requantized() -> tensor<1x2x8x1xf32> {
  %c = "tosa.const"() {values = dense<[[[[1], [-2], [10], [100]]]]> : tensor<1x1x4x1xi8>} : () -> tensor<1x1x4x1xi8>
  %q = quant.scast %c : tensor<1x1x4x1xi8> to tensor<1x1x4x1x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x1x4x1x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x4x1xf32>
  %scale = tosa.const_shape {values = dense<[2, 1, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %offset = tosa.const_shape {values = dense<-1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %border = tosa.const_shape {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.resize %x, %scale, %offset, %border {mode = NEAREST_NEIGHBOR} : (tensor<1x1x4x1xf32>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x2x8x1xf32>
  %yq = quant.qcast %y : tensor<1x2x8x1xf32> to tensor<1x2x8x1x!quant.uniform<i8:f32, 0.25:4>>
  %yd = quant.dcast %yq : tensor<1x2x8x1x!quant.uniform<i8:f32, 0.25:4>> to tensor<1x2x8x1xf32>
  return %yd : tensor<1x2x8x1xf32>
}

// Bilinear x2 along W (scale [1, 1, 2, 1], offset 0, border 0; 1x1x2 ->
// 1x1x3): the weights along x sum to n_x = 2 and along y to n_y = 1, so
// n = 2 and the i8 resize gives 2 v0, v0 + v1, 2 v1.
// Input q = 10, 15 with scale 0.5, zp 4 (real 3, 5.5): acc = 20, 25, 30;
// minus n * z_in = 8: 12, 17, 22; m = 0.5 / (2 * 0.25) = 1 = 2^30 * 2^-30;
// + z_out -1 = 11, 16, 21 (real 3, 4.25, 5.5 at scale 0.25).
// CHECK-LABEL: func.func @bilinear
// CHECK-DAG: %[[N:.*]] = "tosa.const"() <{values = dense<8> : tensor<1x1x1x1xi32>}>
// CHECK-DAG: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<30> : tensor<1xi8>}>
// CHECK: %[[R:.*]] = tosa.resize %{{.*}} {mode = BILINEAR} : (tensor<1x1x2x1xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x1x3x1xi32>
// CHECK: %[[C:.*]] = tosa.sub %[[R]], %[[N]] : (tensor<1x1x3x1xi32>, tensor<1x1x1x1xi32>) -> tensor<1x1x3x1xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[C]], %{{.*}}, %[[SHIFT]], {{.*}} -> tensor<1x1x3x1xi8>
// CHECK: return %[[Y]]
// BILINEAR: output0: 1x1x3x1xi8 = [11, 16, 21]
func.func @bilinear() -> tensor<1x1x3x1xf32> {
  %c = "tosa.const"() {values = dense<[[[[10], [15]]]]> : tensor<1x1x2x1xi8>} : () -> tensor<1x1x2x1xi8>
  %q = quant.scast %c : tensor<1x1x2x1xi8> to tensor<1x1x2x1x!quant.uniform<i8:f32, 0.5:4>>
  %x = quant.dcast %q : tensor<1x1x2x1x!quant.uniform<i8:f32, 0.5:4>> to tensor<1x1x2x1xf32>
  %scale = tosa.const_shape {values = dense<[1, 1, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %offset = tosa.const_shape {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
  %border = tosa.const_shape {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.resize %x, %scale, %offset, %border {mode = BILINEAR} : (tensor<1x1x2x1xf32>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x1x3x1xf32>
  %yq = quant.qcast %y : tensor<1x1x3x1xf32> to tensor<1x1x3x1x!quant.uniform<i8:f32, 0.25:-1>>
  %yd = quant.dcast %yq : tensor<1x1x3x1x!quant.uniform<i8:f32, 0.25:-1>> to tensor<1x1x3x1xf32>
  return %yd : tensor<1x1x3x1xf32>
}
