// RUN: tessera-opt "--tessera-fold-to-integer=float-nodes=pconv*" %s 2>/dev/null | FileCheck %s
// RUN: tessera-opt "--tessera-fold-to-integer=float-nodes=pconv*" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTE
// RUN: tessera-opt "--tessera-fold-to-integer=float-nodes=pconv*" %s -o %t.mlir 2>/dev/null
// RUN: tessera-run %t.mlir --function pinned_conv --print | FileCheck %s --check-prefix=EXEC1
// RUN: tessera-opt --tessera-fold-to-integer %s | FileCheck %s --check-prefix=NPU
// RUN: tessera-opt --tessera-fold-to-integer %s -o %t.npu.mlir
// RUN: tessera-run %t.npu.mlir --function pinned_conv --print | FileCheck %s --check-prefix=NPUEXEC

// --float-nodes (the pass option float-nodes, llvm::GlobPattern on the ONNX
// node name of each op's location): the pinned conv runs in float on the
// host with its float weights (the qcast/dcast of the weight constant is
// dropped: a constant only a host op reads stays a float tosa.const). The
// clamp after it is not pinned and folds from the conv's quantized result.
//
// Input codes [0, 100] at scale 0.5 are [0, 50]; weights [0.3, -0.01], bias
// 0.1: 50 * -0.01 + 0.1 = -0.4, at output scale 0.01 code -40. The clip to
// [-1, 1] is the i8 clamp [-100, 100]: -40. Folded to integer instead (NPU
// prefix), -0.01 would be the weight code round(-0.01 / (0.3 / 127)) = -4,
// i.e. -0.00945, and the output -0.3724 -> -37.
// CHECK-LABEL: func.func @pinned_conv
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}3.000000e-01, -0.00999999977]]]]> : tensor<1x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<1.000000e-01> : tensor<1xf32>}>
// CHECK: %[[S:.*]] = quant.scast %{{.*}} {tessera.device = "cpu"} : tensor<1x1x1x2xi8> to tensor<1x1x1x2x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[D:.*]] = quant.dcast %[[S]] {tessera.device = "cpu"}
// CHECK: %[[C:.*]] = tosa.conv2d %[[D]], %[[W]], %[[B]], %{{.*}}, %{{.*}} {acc_type = f32, {{.*}}tessera.device = "cpu"}
// CHECK: %[[Q:.*]] = quant.qcast %[[C]] {tessera.device = "cpu"} : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 1.000000e-02>>
// CHECK: %[[I:.*]] = quant.scast %[[Q]] {tessera.device = "cpu"} : {{.*}} to tensor<1x1x1x1xi8>
// CHECK: %[[Y:.*]] = tosa.clamp %[[I]] {max_val = 100 : i8, min_val = -100 : i8}
// CHECK: return %[[Y]]
// NOTE: remark: {{.*}}node 'pconv' (tosa.conv2d) runs on the host: pinned by --float-nodes pattern 'pconv*'
// EXEC1: output0: 1x1x1x1xi8 = [-40]
// NPU-LABEL: func.func @pinned_conv
// NPU-NOT: tessera.device
// NPU: tosa.conv2d %{{.*}} : (tensor<1x1x1x2xi8>, tensor<1x1x1x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x1xi32>
// NPUEXEC: output0: 1x1x1x1xi8 = [-37]
func.func @pinned_conv() -> tensor<1x1x1x1xf32> {
  %c = "tosa.const"() {values = dense<[[[[0, 100]]]]> : tensor<1x1x1x2xi8>} : () -> tensor<1x1x1x2xi8>
  %q = quant.scast %c : tensor<1x1x1x2xi8> to tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x2xf32>
  %w = "tosa.const"() {values = dense<[[[[0.3, -0.01]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %wq = quant.qcast %w : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8<-127:127>:f32, 0.0023622047244094488>>
  %wd = quant.dcast %wq : tensor<1x1x1x2x!quant.uniform<i8<-127:127>:f32, 0.0023622047244094488>> to tensor<1x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.1> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32> loc("pconv")
  %yq = quant.qcast %y : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.01>>
  %yd = quant.dcast %yq : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.01>> to tensor<1x1x1x1xf32>
  %r = tosa.clamp %yd {min_val = -1.0 : f32, max_val = 1.0 : f32} : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> loc("clip")
  %rq = quant.qcast %r : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.01>>
  %rd = quant.dcast %rq : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.01>> to tensor<1x1x1x1xf32>
  return %rd : tensor<1x1x1x1xf32>
}

// A pinned conv whose activation the quantizer fused (no quantization of
// the conv's own result): the ReLU reads the conv's float result, cannot
// fold, and runs on the host too, reading it in f32; its quantized result
// is the function's i8 result.
// CHECK-LABEL: func.func @pinned_conv_fused_relu
// CHECK: %[[C2:.*]] = tosa.conv2d {{.*}}tessera.device = "cpu"
// CHECK-NEXT: %[[R2:.*]] = tosa.clamp %[[C2]] {{{.*}}tessera.device = "cpu"}
// CHECK-NEXT: %[[Q2:.*]] = quant.qcast %[[R2]] {tessera.device = "cpu"}
// CHECK-NEXT: %[[I2:.*]] = quant.scast %[[Q2]] {tessera.device = "cpu"}
// CHECK-NEXT: return %[[I2]] : tensor<1x1x1x1xi8>
// NOTE: remark: {{.*}}node 'pconv2' (tosa.conv2d) runs on the host: pinned by --float-nodes pattern 'pconv*'
// NOTE: remark: {{.*}}node 'relu2' (tosa.clamp) runs on the host: an input is the unquantized float result of host node 'pconv2'
func.func @pinned_conv_fused_relu() -> tensor<1x1x1x1xf32> {
  %c = "tosa.const"() {values = dense<[[[[0, 100]]]]> : tensor<1x1x1x2xi8>} : () -> tensor<1x1x1x2xi8>
  %q = quant.scast %c : tensor<1x1x1x2xi8> to tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x1x1x2x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x1x2xf32>
  %w = "tosa.const"() {values = dense<[[[[0.3, -0.01]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %wq = quant.qcast %w : tensor<1x1x1x2xf32> to tensor<1x1x1x2x!quant.uniform<i8<-127:127>:f32, 0.0023622047244094488>>
  %wd = quant.dcast %wq : tensor<1x1x1x2x!quant.uniform<i8<-127:127>:f32, 0.0023622047244094488>> to tensor<1x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.1> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %wd, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32> loc("pconv2")
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 3.4028235e+38 : f32} : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> loc("relu2")
  %rq = quant.qcast %r : tensor<1x1x1x1xf32> to tensor<1x1x1x1x!quant.uniform<i8:f32, 0.01:-128>>
  %rd = quant.dcast %rq : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.01:-128>> to tensor<1x1x1x1xf32>
  return %rd : tensor<1x1x1x1xf32>
}
