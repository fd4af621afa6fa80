// RUN: tessera-opt --tessera-fold-to-integer=fallback=error --verify-diagnostics %s -o /dev/null
// RUN: not tessera-opt "--tessera-fold-to-integer=float-nodes=div0,nothing*" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: not tessera-opt "--tessera-fold-to-integer=float-nodes=div0 fallback=error" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONTRA
// RUN: not tessera-opt "--tessera-fold-to-integer=fallback=maybe" %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=MODE

// fallback=error (tessera-compile --no-fallback): every node that would run
// on the host is an error, with its op and reason (the node name from the
// onnx.node attribute here, else the location); the clamp after the
// first division is not one of them (it folds from the quantized result,
// as it would with host fallback). Neither division folds (FoldDiv.cpp):
// div0's per-channel divisor has a negative element, div1's divisor is not
// per-channel (it varies along the outer dimension).
// NOMATCH: error: float-nodes pattern 'nothing*' matches no ONNX node
// CONTRA: error: float-nodes pins nodes to the host, which fallback=error forbids
// MODE: error: unknown fallback 'maybe' (expected none, host or error)
func.func @two_nodes(%arg0: tensor<1x2x4xf32>) -> (tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  %q = quant.qcast %arg0 : tensor<1x2x4xf32> to tensor<1x2x4x!quant.uniform<i8:f32, 0.5>>
  %x = quant.dcast %q : tensor<1x2x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x4xf32>
  %c0 = "tosa.const"() {values = dense<[[[0.5, -2.0, 1.5, 4.0], [0.5, -2.0, 1.5, 4.0]]]> : tensor<1x2x4xf32>} : () -> tensor<1x2x4xf32>
  // expected-error@+1 {{node 'div0' (arith.divf) cannot be folded to integer and host fallback is disabled: a divisor <= 0 or not finite (rescale multipliers are >= 0)}}
  %m = arith.divf %x, %c0 {onnx.node = "div0"} : tensor<1x2x4xf32>
  %mq = quant.qcast %m : tensor<1x2x4xf32> to tensor<1x2x4x!quant.uniform<i8:f32, 0.25:-10>>
  %md = quant.dcast %mq : tensor<1x2x4x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x2x4xf32>
  %r = tosa.clamp %md {min_val = 0.0 : f32, max_val = 3.4028235e+38 : f32} : (tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %rq = quant.qcast %r : tensor<1x2x4xf32> to tensor<1x2x4x!quant.uniform<i8:f32, 0.25:-10>>
  %rd = quant.dcast %rq : tensor<1x2x4x!quant.uniform<i8:f32, 0.25:-10>> to tensor<1x2x4xf32>
  %c1 = "tosa.const"() {values = dense<[[[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]]]> : tensor<1x2x4xf32>} : () -> tensor<1x2x4xf32>
  // expected-error@+1 {{node 'div1' (arith.divf) cannot be folded to integer and host fallback is disabled: divisor varies along an outer dimension (only per-channel divisors of the innermost dimension fold)}}
  %n = arith.divf %x, %c1 {onnx.node = "div1"} : tensor<1x2x4xf32>
  %nq = quant.qcast %n : tensor<1x2x4xf32> to tensor<1x2x4x!quant.uniform<i8:f32, 0.5>>
  %nd = quant.dcast %nq : tensor<1x2x4x!quant.uniform<i8:f32, 0.5>> to tensor<1x2x4xf32>
  return %rd, %nd : tensor<1x2x4xf32>, tensor<1x2x4xf32>
}
