//===- Passes.h - Tessera quantization passes and their rewrites -*- C++
//-*-===//
//
// --tessera-quantize (float TOSA + `tessera.range` -> quant-annotated TOSA)
// and --tessera-fold-to-integer (quant-annotated -> integer TOSA), the
// populate functions of their rewrites, and the pipeline the compile driver
// runs. See docs/quantization-passes.md.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_QUANT_PASSES_H
#define TESSERA_COMPILER_QUANT_PASSES_H

#include "core/quant/Quant.h"

#include "llvm/ADT/StringMap.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SetVector.h"

namespace tessera::quant {

#define GEN_PASS_DECL
#include "compiler/quant/Passes.h.inc"

/// Options of --tessera-quantize (fields and defaults are in Passes.td):
/// activationDtype ("int8" | "uint8"), symmetricActivations,
/// weightPerChannel, weightDtype ("int8" | "uint8"), symmetricWeights.
using QuantizeOptions = QuantizePassOptions;

//===----------------------------------------------------------------------===//
// --tessera-quantize rewrites
//===----------------------------------------------------------------------===//

/// How conv and matmul weights are quantized (--tessera-quantize's
/// weight-dtype, symmetric-weights, weight-per-channel, power-of-two-scale).
/// Asymmetric weights are per tensor (one weight_zp): QuantizePass checks.
struct WeightScheme {
  DType dtype = DType::Int8; // Int8, UInt8 or Int16 (int16: symmetric)
  bool symmetric = true;
  bool perChannel = true;
  bool powerOfTwo = false;
};

/// The storage dtypes of one function's activations and weights: the
/// options' activation-dtype and weight-dtype, overridden per ONNX node by
/// node-dtypes (docs/quantization.md "Per-node precision").
class NodePrecision {
public:
  /// The activation dtype of `op`'s result (its node's override, else the
  /// default).
  DType activation(mlir::Operation *op) const;
  /// The weight dtype of `op` (conv, depthwise, matmul).
  DType weight(mlir::Operation *op) const;
  DType defaultActivation = DType::Int8;
  DType defaultWeight = DType::Int8;
  struct Override {
    std::string pattern;
    DType activation, weight;
  };
  llvm::SmallVector<Override> overrides; ///< last match wins
  /// Node name -> index of the last override matching it, filled by
  /// parseNodePrecision (one glob match per node and pattern there; a
  /// lookup per op here).
  llvm::StringMap<unsigned> byNode;

private:
  const Override *find(mlir::Operation *op) const;
};

/// Parses options.activationDtype, weightDtype and nodeDtypes
/// ("PATTERN=ACT[:WEIGHT]"); errors (on `func`) for a bad dtype, a bad glob
/// or a pattern that matches no node of `func`.
mlir::FailureOr<NodePrecision>
parseNodePrecision(mlir::func::FuncOp func, const QuantizeOptions &options);

/// Inserts quant.qcast/quant.dcast after the float `tosa.const` weight of
/// every conv2d, depthwise_conv2d and matmul, quantized as `scheme` says
/// (symmetric: restricted range, e.g. [-127, 127]; asymmetric: full range
/// with a zero point), one scale per output channel or per tensor, stored
/// as i8 (uint8 with zero point z - 128). A node whose `precision` weight
/// dtype is int16 gets symmetric int16 weights ([-32767, 32767]).
void populateQuantizeWeightsPatterns(mlir::RewritePatternSet &patterns,
                                     const WeightScheme &scheme,
                                     const NodePrecision *precision = nullptr);

/// Rewrites arith.divf(x, d) of a non-constant divisor whose calibrated
/// range excludes 0 as mul(x, reciprocal(d)), the reciprocal calibrated to
/// 1 / that range (a table and an integer mul after folding); see
/// DivByReciprocal.cpp. Runs before quantizeActivations.
void rewriteTensorDivisions(mlir::func::FuncOp func);

/// The ops whose result quantizeActivations quantizes when every op carries
/// a `tessera.range`: what calibration must observe (a conv fused with its
/// clamp, the interior of a Softmax, LayerNorm or one node's elementwise
/// chain need no range). Constants and arguments are not included.
llvm::SetVector<mlir::Operation *> rangedOps(mlir::func::FuncOp func);

/// Chooses the activation quantization of `func` from its `tessera.range`
/// attributes and inserts quant.qcast/quant.dcast pairs; see
/// ActivationQParams.cpp. Emits an error naming the op on a bad range.
/// `precision` (optional) gives per-node dtypes: a class of values that
/// share one quantization (concat, max pool, reshape, ...) is int16 if any
/// member's node is.
mlir::LogicalResult quantizeActivations(mlir::func::FuncOp func,
                                        const QuantizeOptions &options,
                                        const NodePrecision *precision =
                                            nullptr);

//===----------------------------------------------------------------------===//
// --tessera-fold-to-integer rewrites
//===----------------------------------------------------------------------===//

/// conv2d / depthwise_conv2d (+ fused clamp) -> i8 conv, i32 acc, rescale.
void populateFoldConvPatterns(mlir::RewritePatternSet &patterns);
/// matmul (+ fused clamp) -> i8 matmul, i32 acc, rescale.
void populateFoldMatMulPatterns(mlir::RewritePatternSet &patterns);
/// add, sub, maximum, minimum (+ fused clamp) -> both inputs rescaled to
/// i32 << 20, the same op on i32, rescale.
void populateFoldAddPatterns(mlir::RewritePatternSet &patterns);
/// avg_pool2d -> i8 avg_pool2d with zero points (+ rescale to the output).
void populateFoldAvgPoolPatterns(mlir::RewritePatternSet &patterns);
/// max_pool2d, concat, reshape, transpose, slice -> the same op on i8.
void populateFoldSharedQParamsPatterns(mlir::RewritePatternSet &patterns);
/// pad -> i8 pad with the pad value quantized.
void populateFoldPadPatterns(mlir::RewritePatternSet &patterns);
/// stand-alone clamp -> i8 clamp with quantized bounds.
void populateFoldClampPatterns(mlir::RewritePatternSet &patterns);
/// sigmoid, tanh, exp -> tosa.table with a 256-entry i8 table.
void populateFoldTablePatterns(mlir::RewritePatternSet &patterns);
/// mul (+ fused clamp) -> inputs minus zero points in i32, mul, rescale.
void populateFoldMulPatterns(mlir::RewritePatternSet &patterns);
/// arith.divf by a positive per-channel constant: a per-channel i8 -> i8
/// rescale by s_x / (c[k] s_out) (FoldDiv.cpp).
void populateFoldDivPatterns(mlir::RewritePatternSet &patterns);
/// resize -> i8 nearest (+ requantize) or i8 bilinear, sub, rescale.
void populateFoldResizePatterns(mlir::RewritePatternSet &patterns);
/// Softmax / LogSoftmax -> tosa.custom (FoldSoftmax.cpp).
void populateFoldSoftmaxPatterns(mlir::RewritePatternSet &patterns);
/// A layer normalisation chain -> tosa.custom layer_norm (FoldLayerNorm.cpp).
void populateFoldLayerNormPatterns(mlir::RewritePatternSet &patterns);
/// ReduceSum / ReduceMean sums -> one exact i32 sum and one rescale.
void populateFoldReducePatterns(mlir::RewritePatternSet &patterns);
/// greater / greater_equal / equal -> the same on i32 (operands on a common
/// scale, or a constant as an integer threshold); select -> i8 select of
/// both operands requantized to the output (FoldCompare.cpp).
void populateFoldComparePatterns(mlir::RewritePatternSet &patterns);
/// All of the fold patterns above.
void populateFoldToIntegerPatterns(mlir::RewritePatternSet &patterns);

/// Rewrites quantized types with unsigned storage (u8) into the i8 storage
/// the integer level uses (zero point - 128, bit-identical arithmetic) and
/// records `tessera.io_dtype = "uint8"` where such a value crosses the
/// function boundary.
mlir::LogicalResult normalizeUnsignedStorage(mlir::func::FuncOp func);

/// Makes every float argument whose only users are quant.qcast an integer
/// argument (the storage type), with `tessera.scale`, `tessera.zero_point`
/// and `tessera.dtype` argument attributes.
mlir::LogicalResult convertFunctionArguments(mlir::func::FuncOp func);

/// Makes every result that is quant.dcast of a folded integer value an
/// integer result with the same attributes as arguments. Emits an error on
/// the return for a float result that cannot be converted.
mlir::LogicalResult convertFunctionResults(mlir::func::FuncOp func);

/// Records the reason each fold pattern gave for not matching, by location,
/// so that reportUnfoldedOps can say why an op was left float.
struct UnfoldedReasons : public mlir::RewriterBase::Listener {
  void notifyMatchFailure(
      mlir::Location loc,
      llvm::function_ref<void(mlir::Diagnostic &)> reasonCallback) override;
  /// Every distinct reason recorded at a location, in order (the ops one
  /// ONNX node imports into share its location).
  llvm::DenseMap<mlir::Location, llvm::SmallVector<std::string, 1>> reasons;
};

//===----------------------------------------------------------------------===//
// Host fallback (HostFallback.cpp)
//===----------------------------------------------------------------------===//

/// What --tessera-fold-to-integer does with an op it cannot fold.
enum class FallbackMode {
  None,  ///< an error (only --float-nodes pins ops to the host)
  Host,  ///< the op runs in float on the host CPU, with a remark
  Error, ///< an error for every node that would run on the host
};

/// Why each host op runs on the host ("pinned by ...", a fold reason).
using HostReasons = llvm::DenseMap<mlir::Operation *, std::string>;

/// Wraps every pattern of `patterns` so that it never rewrites an op marked
/// `tessera.device = "cpu"` nor one whose result a host op reads directly.
void skipHostOps(mlir::RewritePatternSet &patterns);

/// Op attribute (a string): the op runs on the host for this reason. Set by
/// a caller before --tessera-fold-to-integer (the driver does it for nodes
/// that fold but have no NPU lowering); pinFloatNodes consumes it.
inline constexpr llvm::StringLiteral kHostReasonAttr = "tessera.host_reason";

/// Marks the float ops carrying `tessera.host_reason`, and those of every
/// node whose name matches one of `globs` (llvm::GlobPattern), as host ops.
/// Errors for a bad pattern or one that matches no node.
mlir::LogicalResult pinFloatNodes(mlir::func::FuncOp func,
                                  llvm::ArrayRef<std::string> globs,
                                  HostReasons &hostReasons);

/// After a folding round: marks the ops that cannot be folded but can run on
/// the host (every float input an integer value through quant.dcast, a float
/// constant or another host op's result; no float result returned directly).
/// With `automatic` false only ops reading a host op's float result (a fused
/// activation of a pinned node) are taken. Gives every host op's quantized
/// result (quant.qcast) an integer form, quant.scast to the storage type and
/// back, so that its consumers fold in the next round. Returns how many ops
/// were newly marked.
unsigned fallBackToHost(mlir::func::FuncOp func, const UnfoldedReasons &reasons,
                        HostReasons &hostReasons, bool automatic);

/// The int-level form of the host ops once folding is done: integer inputs
/// through fresh `quant.scast` + `quant.dcast` marked as host ops, host ops
/// connected to each other in f32, constants read only by host ops float.
void finalizeHostBoundaries(mlir::func::FuncOp func);

/// One remark per host node ("node 'X' (tosa.foo) runs on the host:
/// <reason>"), or with `asErrors` one error per node. Fails if any error.
mlir::LogicalResult reportHostNodes(mlir::func::FuncOp func,
                                    const HostReasons &hostReasons,
                                    bool asErrors);

/// Erases dead ops, then emits one error per op of `func` that still computes
/// on float or quantized types ("'tosa.conv2d' op cannot be folded to
/// integer: <reason>"). Fails if there was any.
mlir::LogicalResult reportUnfoldedOps(mlir::func::FuncOp func,
                                      const UnfoldedReasons &reasons);

//===----------------------------------------------------------------------===//
// Pipeline
//===----------------------------------------------------------------------===//

/// Adds, nested on every func.func: --tessera-quantize with `options`, then
/// --tessera-fold-to-integer. The input is float TOSA with calibration
/// ranges; the output is integer TOSA.
void buildQuantizationPipeline(mlir::OpPassManager &pm,
                               const QuantizeOptions &options);

/// Options of --tessera-fold-to-integer (Passes.td): floatNodes (ONNX node
/// names or globs pinned to the host), fallback ("none" | "host" | "error").
using FoldToIntegerOptions = FoldToIntegerPassOptions;

/// Adds --tessera-fold-to-integer alone (with `options`), for models already
/// quant-annotated (pre-quantized ONNX QDQ) or after --tessera-quantize.
void buildFoldToIntegerPipeline(mlir::OpPassManager &pm,
                                const FoldToIntegerOptions &options = {});

/// Registers --tessera-quantize and --tessera-fold-to-integer (tessera-opt).
void registerQuantPasses();

} // namespace tessera::quant

#endif // TESSERA_COMPILER_QUANT_PASSES_H
