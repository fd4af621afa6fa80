//===- Passes.td - Tessera quantization pass declarations -*- tablegen -*-===//
//
// The two rewrites between the float, quant-annotated and integer TOSA levels
// (docs/quantization-passes.md). Pass names, flags and options live only here.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_QUANT_PASSES
#define TESSERA_COMPILER_QUANT_PASSES

include "mlir/Pass/PassBase.td"

def QuantizePass : Pass<"tessera-quantize", "mlir::func::FuncOp"> {
  let summary = "Float TOSA with calibration ranges to quant-annotated TOSA";
  let description = [{
    Reads the observed range `tessera.range = array<f64: min, max>` that
    calibration attached to every op with a float tensor result and to every
    function argument, and makes each activation that will be integer on the
    NPU pass through `quant.qcast` / `quant.dcast` with the chosen
    `!quant.uniform` type. Convolution and matmul weights (float `tosa.const`)
    get the weight quantization the options say: int8 or uint8, symmetric
    per axis or per tensor, or asymmetric (with a zero point) per tensor.
    The result of
    a conv/depthwise/matmul/add followed by a clamp (ReLU, ReLU6, Clip) is not
    quantized: the clamp is fused. Concat inputs and outputs, and the outputs
    of max_pool2d, reshape, transpose, slice, pad and a stand-alone clamp,
    share the quantization of their inputs. Activations are always stored as i8: uint8
    asymmetric (scale s, zero point z) becomes i8 with zero point z - 128, and
    function arguments and results record `tessera.io_dtype = "uint8"`.
  }];
  let options = [
    Option<"activationDtype", "activation-dtype", "std::string",
           /*default=*/"\"int8\"",
           "Activation storage type seen at the function boundary: int8, "
           "uint8 (uint8 asymmetric is RKNN's default) or int16 (symmetric)">,
    Option<"symmetricActivations", "symmetric-activations", "bool",
           /*default=*/"false",
           "Quantize activations symmetrically (restricted range, zero point "
           "0 for int8, 128 for uint8)">,
    Option<"weightPerChannel", "weight-per-channel", "bool",
           /*default=*/"true",
           "One weight scale per output channel instead of per tensor">,
    Option<"weightDtype", "weight-dtype", "std::string", /*default=*/"\"int8\"",
           "Weight storage type: int8 or uint8 (stored as i8 with zero point "
           "z - 128), or int16 (symmetric, restricted range)">,
    Option<"powerOfTwoScale", "power-of-two-scale", "bool",
           /*default=*/"false",
           "Round every activation and weight scale up to a power of two "
           "(dynamic fixed point, RKNN dynamic_fixed_point-i8): each "
           "requantisation multiplier becomes a pure shift. Needs "
           "symmetric activations and weights">,
    Option<"symmetricWeights", "symmetric-weights", "bool",
           /*default=*/"true",
           "Quantize weights symmetrically (restricted range, zero point 0 "
           "for int8, 128 for uint8); false: asymmetric with a zero point "
           "(RKNN's asymmetric_quantized-u8), per tensor only, as TOSA and "
           "the NPU's CONV have one weight zero point">,
    ListOption<"nodeDtypes", "node-dtypes", "std::string",
           "Per-node precision, PATTERN=ACT[:WEIGHT] (ONNX node name or "
           "llvm::GlobPattern; ACT int8 or int16, WEIGHT int8 or int16, "
           "default int8): the node's output activations (and its weights) "
           "use that dtype instead of activation-dtype; a pattern that "
           "matches no node is an error">,
  ];
  let dependentDialects = ["mlir::quant::QuantDialect",
                           "mlir::tosa::TosaDialect"];
}

def FoldToIntegerPass : Pass<"tessera-fold-to-integer", "mlir::func::FuncOp"> {
  let summary = "Quant-annotated TOSA to integer TOSA";
  let description = [{
    Rewrites every float TOSA op whose inputs are `quant.dcast` of quantized
    values and whose result feeds `quant.qcast` into integer TOSA:
    conv2d/depthwise_conv2d/matmul on i8 with i32 accumulation and bias
    followed by a per-channel `tosa.rescale` to i8 and a clamp for a fused
    activation; add through i32 with both inputs rescaled; mul through i32
    (inputs minus zero points) and a rescale; sigmoid, tanh and exp as a
    256-entry tosa.table; resize (nearest on i8, bilinear through i32);
    avg_pool2d, max_pool2d, concat, reshape, transpose, slice, pad and clamp
    on i8. Weight and bias
    constants are quantized at compile time with core/quant. Function
    arguments and results become i8 and carry `tessera.scale`,
    `tessera.zero_point` and `tessera.dtype`. Needs no calibration attribute:
    a pre-quantized QDQ model imports straight into its input. A float op that
    is left over (e.g. missing quantization parameters) is an error naming it.
    Do not canonicalize the input first: quant.dcast(quant.qcast(x)) folds to
    x and would erase the quantization parameters.

    Host fallback (docs/quantization-passes.md, "Host fallback"): an op of a
    node named by `float-nodes`, and with `fallback=host` every op that
    cannot be folded, stays a float TOSA op with `tessera.device = "cpu"`,
    reading its integer inputs through quant.scast + quant.dcast and giving
    its quantized result to folded consumers through quant.qcast +
    quant.scast; each such node is reported by a remark. With
    `fallback=error` each node that would fall back is an error instead.
  }];
  let options = [
    ListOption<"floatNodes", "float-nodes", "std::string",
               "ONNX node names or glob patterns (llvm::GlobPattern) whose "
               "ops run in float on the host; a pattern matching no node is "
               "an error">,
    Option<"fallback", "fallback", "std::string", /*default=*/"\"none\"",
           "What happens to an op that cannot be folded to integer: none "
           "(an error, with the ops downstream counted), host (it runs in "
           "float on the host CPU) or error (an error per node that would "
           "run on the host)">,
  ];
  let dependentDialects = ["mlir::quant::QuantDialect",
                           "mlir::tosa::TosaDialect"];
}

#endif // TESSERA_COMPILER_QUANT_PASSES
