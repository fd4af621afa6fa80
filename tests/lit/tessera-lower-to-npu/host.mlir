// RUN: tessera-opt --tessera-lower-to-npu %S/Inputs/host_sigmoid.int.mlir | FileCheck %s
// RUN: tessera-opt --split-input-file --verify-diagnostics --tessera-lower-to-npu %s
// RUN: not tessera-opt --split-input-file --tessera-lower-to-npu %s 2>/dev/null | FileCheck --check-prefix=ORDER %s

// Host fallback (docs/lowering.md, "Host segments"): the run of
// tessera.device = "cpu" ops (scast, dcast, sigmoid, qcast, scast on
// 1x6x6x4 = 144 elements) between the two NPU convs is outlined into a
// private function and called. Work estimate by hand: FLOPs 0 + 144 + 144
// + 144 + 0 = 432; bytes (144+144) + (144+576) + (576+576) + (576+144) +
// (144+144) = 3168.
// CHECK: npu.layers = [{name = "conv1", {{.*}}}, {name = "sig1", op_type = "Host"}, {name = "conv2", {{.*}}}]
// CHECK: func.func @main
// CHECK: %[[C1:.*]] = npu.conv2d %arg0
// CHECK-NEXT: %[[H:.*]] = npu.host_call @host_segment_0(%[[C1]]) {bytes = 3168 : i64, flops = 432 : i64, layer = 1 : i64, nodes = ["sig1"]} : (tensor<1x6x6x4xi8>) -> tensor<1x6x6x4xi8>
// CHECK-NEXT: npu.conv2d %[[H]]
// CHECK-NOT: quant.
// CHECK: func.func private @host_segment_0(%[[A:.*]]: tensor<1x6x6x4xi8>) -> tensor<1x6x6x4xi8> attributes {tessera.host_segment}
// CHECK-NEXT: %[[S:.*]] = quant.scast %[[A]]
// CHECK-NEXT: %[[D:.*]] = quant.dcast %[[S]]
// CHECK-NEXT: %[[G:.*]] = tosa.sigmoid %[[D]]
// CHECK-NEXT: %[[Q:.*]] = quant.qcast %[[G]]
// CHECK-NEXT: %[[R:.*]] = quant.scast %[[Q]]
// CHECK-NEXT: return %[[R]]

// A host op whose result leaves the segment in float breaks the contract.
func.func @float_boundary(%x: tensor<4xi8>) -> tensor<4xf32> {
  %s = quant.scast %x {tessera.device = "cpu"} : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{host segment boundary value of type 'tensor<4xf32>' is not a static integer tensor}}
  %d = quant.dcast %s {tessera.device = "cpu"} : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Program order interleaves an independent NPU op (npu_b) between host
// ops a and c that connect in f32: the NPU op moves before the run and a, c
// share one segment (one crossing pair, not two).
// ORDER: npu.layers = [{name = "npu_b", op_type = "Clip"}, {name = "a,c", op_type = "Host"}]
// ORDER-NEXT: func.func @interleaved
// ORDER: %[[N:.*]] = npu.rescale %arg1
// ORDER-NEXT: %[[H:.*]] = npu.host_call @host_segment_{{[0-9]+}}(%arg0) {bytes = 88 : i64, flops = 12 : i64, {{.*}}nodes = ["a", "c"]}
// ORDER-NEXT: return %[[H]], %[[N]]
func.func @interleaved(%x: tensor<1x4xi8>, %y: tensor<1x4xi8>) -> (tensor<1x4xi8>, tensor<1x4xi8>) {
  %s = quant.scast %x {tessera.device = "cpu", onnx.node = "a"} : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  %d = quant.dcast %s {tessera.device = "cpu", onnx.node = "a"} : tensor<1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x4xf32>
  %n = tosa.clamp %y {min_val = -10 : i8, max_val = 10 : i8, onnx.node = "npu_b"} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  %e = tosa.exp %d {tessera.device = "cpu", onnx.node = "c"} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %q = quant.qcast %e {tessera.device = "cpu", onnx.node = "c"} : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.25>>
  %r = quant.scast %q {tessera.device = "cpu", onnx.node = "c"} : tensor<1x4x!quant.uniform<i8:f32, 0.25>> to tensor<1x4xi8>
  return %r, %n : tensor<1x4xi8>, tensor<1x4xi8>
}

// -----

// An NPU op that reads host op a's result, then host op c that reads both
// a (in f32) and the NPU op: no single call can hold a and c (the NPU op
// sits between them), and a's f32 value cannot cross the NPU.
func.func @not_convex(%x: tensor<1x4xi8>) -> tensor<1x4xf32> {
  %s = quant.scast %x {tessera.device = "cpu"} : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{host segment boundary value of type 'tensor<1x4xf32>' is not a static integer tensor}}
  %d = quant.dcast %s {tessera.device = "cpu"} : tensor<1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x4xf32>
  %q = quant.qcast %d {tessera.device = "cpu"} : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  %i = quant.scast %q {tessera.device = "cpu"} : tensor<1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x4xi8>
  %n = tosa.clamp %i {min_val = -10 : i8, max_val = 10 : i8} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  %s2 = quant.scast %n {tessera.device = "cpu"} : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 0.5>>
  %d2 = quant.dcast %s2 {tessera.device = "cpu"} : tensor<1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x4xf32>
  %m = tosa.add %d, %d2 {tessera.device = "cpu"} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %m : tensor<1x4xf32>
}
