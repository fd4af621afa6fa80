// RUN: tessera-opt --split-input-file --tessera-quantize %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-quantize --tessera-fold-to-integer %s | FileCheck %s --check-prefix=INT

// One ONNX node's elementwise chain (findNodeChains, ElementwiseChain.cpp):
// only the node's input and output are quantized; the internal values and
// the splat constants stay float, and folding makes the node one table.
// Hand-checked qparams (int8 asymmetric, chooseQParams):
//   input [-64, 63.5]: scale 127.5 / 255 = 0.5, zp 0;
//   output [-6.4, 63.5]: scale 69.9 / 255 = 0.27411764705882352, zp
//   -128 - round(-6.4 / 0.274117...) = -128 + 23 = -105.
// LeakyRelu(0.1) on input code q: x = 0.5 q, y = max(x, 0.1 x); table entry
// for q = -128 (index 0): y = -6.4 -> round(-6.4 / 0.27411764) - 105 =
// -23 - 105 = -128 (0x80); q = 127 (index 255): y = 63.5 -> 232 - 105 =
// 127 (0x7F); q = -10, -9 (indices 118, 119): y = 0.05 q = -0.5, -0.45 ->
// -2 - 105 = -107 (0x95); q = -8..-3: -0.4..-0.15 -> -1 - 105 = -106 (0x96);
// q = -2..0 (indices 126..128): -0.1..0 -> -105 (0x97).

// CHECK-LABEL: func.func @leaky_relu
// CHECK:      %[[Q:.*]] = quant.qcast %arg0 : tensor<1x4x4x2xf32> to tensor<1x4x4x2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK-NEXT: %[[X:.*]] = quant.dcast %[[Q]]
// CHECK:      %[[M:.*]] = tosa.mul %[[X]], %[[ALPHA:[^,]*]], %{{.*}}
// CHECK-NEXT: %[[Y:.*]] = tosa.maximum %[[X]], %[[M]]
// CHECK-NEXT: %[[YQ:.*]] = quant.qcast %[[Y]] : tensor<1x4x4x2xf32> to tensor<1x4x4x2x!quant.uniform<i8:f32, {{0.274117647058823[0-9]*}}:-105>>
// CHECK-NEXT: %[[YD:.*]] = quant.dcast %[[YQ]]
// CHECK-NEXT: return %[[YD]]
// INT-LABEL: func.func @leaky_relu
// INT:      %[[T:.*]] = "tosa.const"() <{values = dense<"0x80{{([0-9A-F]{234})}}9595969696969696979797{{([0-9A-F]{252})}}7F"> : tensor<256xi8>}>
// INT-NEXT: %[[R:.*]] = tosa.table %arg0, %[[T]] {onnx.node = "lr0"}
// INT-NEXT: return %[[R]]
func.func @leaky_relu(%arg0: tensor<1x4x4x2xf32> {tessera.range = array<f64: -64.0, 63.5>}) -> tensor<1x4x4x2xf32> {
  %a = "tosa.const"() {values = dense<0.1> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %s = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %0 = tosa.mul %arg0, %a, %s {onnx.node = "lr0", tessera.range = array<f64: -6.4, 6.35>} : (tensor<1x4x4x2xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %1 = tosa.maximum %arg0, %0 {onnx.node = "lr0", tessera.range = array<f64: -6.4, 63.5>} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %1 : tensor<1x4x4x2xf32>
}

// -----

// Elu's add of a splat -1 (a data operand of add elsewhere): inside a node
// chain the constant is not quantized; the interior values get no casts.

// CHECK-LABEL: func.func @elu
// CHECK-COUNT-2: quant.qcast
// CHECK-NOT: quant.qcast
// CHECK: return
// INT-LABEL: func.func @elu
// INT-NOT: tosa.add
// INT: tosa.table %arg0
func.func @elu(%arg0: tensor<1x4x4x2xf32> {tessera.range = array<f64: -4.0, 4.0>}) -> tensor<1x4x4x2xf32> {
  %z = "tosa.const"() {values = dense<0.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %m1 = "tosa.const"() {values = dense<-1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %0 = tosa.minimum %arg0, %z {onnx.node = "elu0", tessera.range = array<f64: -4.0, 0.0>} : (tensor<1x4x4x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x4x2xf32>
  %1 = tosa.exp %0 {onnx.node = "elu0", tessera.range = array<f64: 0.018, 1.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %2 = tosa.add %1, %m1 {onnx.node = "elu0", tessera.range = array<f64: -0.98, 0.0>} : (tensor<1x4x4x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x4x2xf32>
  %3 = tosa.maximum %arg0, %z {onnx.node = "elu0", tessera.range = array<f64: 0.0, 4.0>} : (tensor<1x4x4x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x4x2xf32>
  %4 = tosa.add %3, %2 {onnx.node = "elu0", tessera.range = array<f64: -0.98, 4.0>} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %4 : tensor<1x4x4x2xf32>
}

