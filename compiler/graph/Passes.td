//===- Passes.td - Tessera graph clean-up pass declarations -*- tablegen -*-===//
//
// Rewrites on float TOSA that run right after import (docs/graph-passes.md).
// Pass names, flags and options live only here.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_GRAPH_PASSES
#define TESSERA_COMPILER_GRAPH_PASSES

include "mlir/Pass/PassBase.td"

def FoldConstantsPass : Pass<"tessera-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluate ops whose operands are all constants";
  let description = [{
    Replaces every op whose operands are all `tosa.const`, `tosa.const_shape`
    or `arith.constant` by a `tosa.const` holding its result, computed by the
    reference executors' per-op evaluator (compiler/reference evalOp), the
    one definition of the ops' semantics in Tessera. The constant keeps the
    op's location and its `onnx.*` attributes (node, output name, layout), so
    it still maps back to the ONNX graph. Ops the evaluator does not know,
    ops with a quantized result type and results larger than `max-elements`
    are left alone; operand constants left without users are erased.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"1 << 22",
           "Largest result (in elements) that is folded; bigger results "
           "stay computed at run time">,
  ];
  let dependentDialects = ["mlir::tosa::TosaDialect"];
}

def DecomposeTransposeConvPass
    : Pass<"tessera-decompose-transpose-conv", "mlir::func::FuncOp"> {
  let summary = "Rewrite float transpose_conv2d as conv2d + depth-to-space";
  let description = [{
    Applies upstream MLIR's populateTosaDecomposeTransposeConv to every
    float `tosa.transpose_conv2d`: stride 1 becomes a `tosa.pad` and a
    `tosa.conv2d` with the reversed weight; stride s becomes one stride-1
    `tosa.conv2d` with s*s*OC output channels (the sub-pixel phases, zero
    bias), a rank-6 `tosa.reshape` / `tosa.transpose` / `tosa.reshape`
    depth-to-space interleave, a `tosa.slice` (or `tosa.pad`) for out_pad and
    a `tosa.add` of the bias. Weight-side ops are on constants and are folded
    by --tessera-fold-constants. New ops get the transpose_conv2d's
    `onnx.node`; the op that replaces it takes over all of its discardable
    attributes (`onnx.output`, `onnx.layout`, `onnx.fused`).
  }];
  let dependentDialects = ["mlir::tosa::TosaDialect"];
}

def FoldBatchNormPass : Pass<"tessera-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold per-channel constant mul/add into the conv before them";
  let description = [{
    A float `tosa.conv2d`, `tosa.depthwise_conv2d` or `tosa.transpose_conv2d`
    (weight [OC, KH, KW, IC] like conv2d) whose only user is a
    `tosa.mul` by a per-output-channel constant (shape [1, 1, 1, OC] or a
    scalar) absorbs it into its weight (W'[o] = W[o] * s[o]) and bias
    (b'[o] = b[o] * s[o]); one whose only user is a `tosa.add` of such a
    constant absorbs it into its bias (b'[o] = b[o] + t[o]). This is how an
    ONNX BatchNormalization (imported as x * s + t, s = gamma / sqrt(var +
    eps), t = beta - mean * s) disappears into the convolution before it. The
    new weight and bias are evaluated by --tessera-fold-constants' evaluator.
    The conv takes over the absorbed op's `onnx.output` and `onnx.layout`,
    lists its node in `onnx.fused` and fuses its location.
  }];
  let dependentDialects = ["mlir::tosa::TosaDialect"];
}

def FuseActivationsPass
    : Pass<"tessera-fuse-activations", "mlir::func::FuncOp"> {
  let summary = "Mark conv/depthwise/matmul followed by an activation";
  let description = [{
    Recognition only (the IR is not changed otherwise): a `tosa.conv2d`,
    `tosa.depthwise_conv2d` or `tosa.matmul` whose result feeds only an
    activation gets `tessera.activation` = "relu" (clamp [0, FLT_MAX or
    +inf]), "relu6" (clamp [0, 6]), "clamp" (any other clamp), "silu"
    (x * sigmoid(x)) or "hardswish" (x * clamp(x + 3, 0, 6) / 6, or
    x * HardSigmoid(x) = x * clamp(x / 6 + 0.5, 0, 1)). The activation's ops
    are those on the path from the producer to the function's use of it.
  }];
  let dependentDialects = ["mlir::tosa::TosaDialect"];
}

def DeadCodeEliminationPass : Pass<"tessera-dce", "mlir::func::FuncOp"> {
  let summary = "Erase side-effect-free ops whose results are unused";
  let description = [{
    Erases, from the last op to the first, every op without memory effects
    whose results have no users, dead constants included, so chains of dead
    ops go in one sweep. Function arguments and results are never changed.
  }];
}

#endif // TESSERA_COMPILER_GRAPH_PASSES
