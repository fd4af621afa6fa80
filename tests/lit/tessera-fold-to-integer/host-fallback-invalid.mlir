// RUN: tessera-opt --tessera-fold-to-integer=fallback=error --verify-diagnostics %s -o /dev/null
// RUN: not tessera-opt "--tessera-fold-to-integer=float-nodes=rmin,nothing*" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: not tessera-opt "--tessera-fold-to-integer=float-nodes=rmin fallback=error" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONTRA
// RUN: not tessera-opt "--tessera-fold-to-integer=fallback=maybe" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=MODE

// fallback=error (tessera-compile --no-fallback): every node that would run
// on the host is an error, with its op and reason (the node name from the
// onnx.node attribute here, else the location); the clamp after the
// first reduce_min is not one of them (it folds from the quantized result,
// as it would with host fallback).
// NOMATCH: error: float-nodes pattern 'nothing*' matches no ONNX node
// CONTRA: error: float-nodes pins nodes to the host, which fallback=error forbids
// MODE: error: unknown fallback 'maybe' (expected none, host or error)
func.func @two_nodes(%arg0: tensor<1x2x4xf32>) -> (tensor<1x2x1xf32>, tensor<1x1x4xf32>) {
  %q = quant.qcast %arg0 : tensor<1x2x4xf32> to tensor<1x2x4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x2x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x4xf32>
  // expected-error@+1 {{node 'rmin' (tosa.reduce_min) cannot be folded to integer and host fallback is disabled: no integer lowering for this op}}
  %m = tosa.reduce_min %x {axis = 2 : i32, onnx.node = "rmin"} : (tensor<1x2x4xf32>) -> tensor<1x2x1xf32>
  %mq = quant.qcast %m : tensor<1x2x1xf32> to tensor<1x2x1x!quant.uniform<i8:f32, 0.25:-10>>
  %md = quant.dcast %mq : tensor<1x2x1x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x2x1xf32>
  %r = tosa.clamp %md {min_val = 0.0 : f32, max_val = 3.4028235e+38 : f32} : (tensor<1x2x1xf32>) -> tensor<1x2x1xf32>
  %rq = quant.qcast %r : tensor<1x2x1xf32> to tensor<1x2x1x!quant.uniform<i8:f32, 0.25:-10>>
  %rd = quant.dcast %rq : tensor<1x2x1x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x2x1xf32>
  // expected-error@+1 {{node 'rmin2' (tosa.reduce_min) cannot be folded to integer and host fallback is disabled: no integer lowering for this op}}
  %n = tosa.reduce_min %x {axis = 1 : i32, onnx.node = "rmin2"} : (tensor<1x2x4xf32>) -> tensor<1x1x4xf32>
  %nq = quant.qcast %n : tensor<1x1x4xf32> to tensor<1x1x4x!quant.uniform<i8:f32, 0.5>>
  %nd = quant.dcast %nq : tensor<1x1x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x1x4xf32>
  return %rd, %nd : tensor<1x2x1xf32>, tensor<1x1x4xf32>
}
