// RUN: tessera-opt --tessera-lower-to-npu %S/Inputs/host_sigmoid.int.mlir | FileCheck %s
// RUN: tessera-opt --split-input-file --verify-diagnostics --tessera-lower-to-npu %s

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
