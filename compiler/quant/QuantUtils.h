//===- QuantUtils.h - Helpers shared by the quantization rewrites -*- C++
//-*-===//
//
// Reading quantization parameters off `!quant.uniform` types, constant data
// off `tosa.const`, and building the integer TOSA pieces (constants, zero
// points, tosa.rescale, tosa.clamp) every fold rewrite needs. Arithmetic
// (rounding, multiplier/shift) is delegated to core/quant.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_QUANT_QUANTUTILS_H
#define TESSERA_COMPILER_QUANT_QUANTUTILS_H

#include "compiler/patterns/NodeName.h"
#include "core/quant/Quant.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace tessera::quant {

/// Attribute names shared by the passes and the compile driver.
inline constexpr llvm::StringLiteral kRangeAttr = "tessera.range";
inline constexpr llvm::StringLiteral kIoDtypeAttr = "tessera.io_dtype";
/// An argument of raw pixels (--embed-preprocessing; the name is repeated
/// from compiler/graph/Passes.h): quantized with scale 1, uint8 zero point 0.
inline constexpr llvm::StringLiteral kPixelsAttr = "tessera.pixels";
inline constexpr llvm::StringLiteral kScaleAttr = "tessera.scale";
inline constexpr llvm::StringLiteral kZeroPointAttr = "tessera.zero_point";
inline constexpr llvm::StringLiteral kDtypeAttr = "tessera.dtype";
/// `tessera.device = "cpu"`: the op runs in float on the target's host CPU
/// (host fallback, docs/quantization-passes.md).
inline constexpr llvm::StringLiteral kDeviceAttr = "tessera.device";
inline constexpr llvm::StringLiteral kHostDevice = "cpu";

/// True if `op` carries `tessera.device = "cpu"`.
bool isHostOp(mlir::Operation *op);

/// The ONNX node `op` was imported from (compiler/patterns/NodeName.h).
inline std::string nodeName(mlir::Operation *op) {
  return patterns::onnxNodeName(op);
}

/// The one rounding mode of every tosa.rescale Tessera emits; see
/// docs/quantization-passes.md ("Rescale rounding").
inline constexpr mlir::tosa::RoundingMode kRescaleRounding =
    mlir::tosa::RoundingMode::SINGLE_ROUND;

/// Left shift applied to both inputs of an integer add before they are
/// summed in i32 (TFLite's kInt8AddLeftShift / quantized add reference).
inline constexpr int kAddLeftShift = 20;
/// The left shift when an input is i16 (TFLite's int16 add: 15).
inline constexpr int kAddLeftShift16 = 15;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// The quantized element type of a shaped type, or null.
mlir::quant::QuantizedType getQuantElementType(mlir::Type type);

/// `q` if `floatValue` is `quant.dcast %q`, else null.
mlir::Value getDequantizedSource(mlir::Value floatValue);

/// True for a ranked tensor of a float element type.
bool isFloatTensor(mlir::Type type);

/// Quantization of a weight: one scale per index of `axis` (a single scale
/// and axis -1 for a per-tensor type) and the zero point all of them share.
struct WeightQParams {
  llvm::SmallVector<double> scales;
  int32_t axis = -1;
  int64_t zeroPoint = 0;
  /// The scale of index `i` along `axis` (the only scale when per tensor).
  double scaleAt(int64_t i) const { return axis < 0 ? scales[0] : scales[i]; }
};

/// Reads a per-tensor or per-axis i8-storage type; fails with a reason for
/// per-axis zero points that differ (TOSA has one weight_zp).
llvm::Expected<WeightQParams> getWeightQParams(mlir::Type quantTensorType);

/// Requires a per-tensor i8-storage type (what the integer level computes
/// on), or with `allowI16` i8 or i16 (int16 activations, for the folds that
/// have an int16 form; docs/quantization-passes.md "int16"); returns a
/// reason otherwise.
llvm::Expected<mlir::quant::UniformQuantizedType>
requireI8PerTensor(mlir::Type quantTensorType, llvm::StringRef what,
                   bool allowI16 = false);

/// The storage width of `type` (8 or 16).
unsigned storageWidth(mlir::quant::UniformQuantizedType type);

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// The values of a float `tosa.const` (dense or dense_resource f32), or none.
std::optional<llvm::SmallVector<double>> readFloatConstant(mlir::Value value);

/// The values of an integer `tosa.const`, or none.
std::optional<llvm::SmallVector<int64_t>> readIntConstant(mlir::Value value);

/// Real values of a constant, possibly quantized: a float `tosa.const`,
/// or `quant.dcast` of `quant.qcast(float const)` (the float data) or of
/// `quant.scast(int const)` (dequantized with core/quant).
std::optional<llvm::SmallVector<double>> readRealValues(mlir::Value value);

/// True if `quantValue` has an integer form: `quant.scast` of an integer
/// tensor, or `quant.qcast` of a float constant.
bool hasIntegerForm(mlir::Value quantValue);

/// The integer storage tensor of `quantValue` (requires hasIntegerForm): the
/// source of its `quant.scast`, or a new `tosa.const` holding the float
/// constant quantized with core/quant (round half to even, clamped to the
/// storage range).
mlir::Value materializeInteger(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value quantValue);

/// A ranked `tosa.const` of `elementType` (an integer type) with `values`.
mlir::Value createIntConst(mlir::OpBuilder &b, mlir::Location loc,
                           llvm::ArrayRef<int64_t> shape,
                           mlir::Type elementType,
                           llvm::ArrayRef<int64_t> values);

/// A zero-point operand: tensor<1 x elementType> holding `zeroPoint`.
mlir::Value createZeroPoint(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Type elementType, int64_t zeroPoint);

//===----------------------------------------------------------------------===//
// Rescale and clamp
//===----------------------------------------------------------------------===//

/// Multipliers and shifts of a tosa.rescale (one pair per channel, or one).
struct RescaleParams {
  llvm::SmallVector<int64_t> multipliers;
  llvm::SmallVector<int64_t> shifts;
  int64_t inputZp = 0;
  int64_t outputZp = 0;
};

/// Converts real multipliers with quant::quantizeMultiplier (scale32), or
/// with `scale16` quant::quantizeMultiplier16 (the rescale of an i48
/// accumulator, TOSA apply_scale_16). Equal multipliers collapse to one
/// (per_channel = false). Fails, naming the value, for a multiplier out of
/// range.
llvm::Expected<RescaleParams> computeRescale(llvm::ArrayRef<double> real,
                                             int64_t inputZp, int64_t outputZp,
                                             bool scale16 = false);

/// computeRescale inside a rewrite pattern: its error becomes the match
/// failure reason of `op`.
mlir::FailureOr<RescaleParams> matchRescale(mlir::PatternRewriter &rewriter,
                                            mlir::Operation *op,
                                            llvm::ArrayRef<double> real,
                                            int64_t inputZp, int64_t outputZp,
                                            bool scale16 = false);

/// tosa.rescale of `input` to `outElementType` (same shape) with `params`,
/// kRescaleRounding; scale32 unless `input` is i48 (then `params` must come
/// from computeRescale with scale16).
mlir::Value createRescale(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value input, mlir::Type outElementType,
                          const RescaleParams &params);

/// Parameters to move an i8 (or i16) value from quantization `from` to `to`,
/// or none when they are equal (no rescale needed; a change of storage
/// width always needs one).
llvm::Expected<std::optional<RescaleParams>>
computeRequantize(mlir::quant::UniformQuantizedType from,
                  mlir::quant::UniformQuantizedType to);

/// Applies computeRequantize's result (if any) to `input`, giving the
/// rescale `outElementType` (default: the input's).
mlir::Value applyRequantize(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value input,
                            const std::optional<RescaleParams> &params,
                            mlir::Type outElementType = nullptr);

/// Integer clamp bounds of a float clamp [minVal, maxVal] applied to values
/// quantized with `type`: the bounds quantized with core/quant, intersected
/// with the storage range. Pass no bounds for the storage range alone.
std::pair<int64_t, int64_t>
quantizedClampBounds(mlir::quant::UniformQuantizedType type,
                     std::optional<double> minVal,
                     std::optional<double> maxVal);

/// An inclusive range of integers a value is known to lie in.
using IntRange = std::pair<int64_t, int64_t>;

/// The integers an i8 value of quantization `from` can hold after
/// applyRequantize(`requant`): its own storage range when there is no
/// rescale (e.g. [-127, 127] for a restricted-range type), else the whole
/// range of the storage type, to which the rescale saturates.
IntRange requantizedRange(mlir::quant::UniformQuantizedType from,
                          const std::optional<RescaleParams> &requant);

/// The smallest range containing both.
IntRange hull(IntRange a, IntRange b);

/// tosa.clamp on the integer `input` to [lo, hi], or `input` itself when
/// [lo, hi] contains every value `input` can hold: the whole range of its
/// element type, or `inputRange` when the caller knows better (data movement
/// of values already inside a restricted storage range: clamping them again
/// to [-127, 127] would be a no-op op, and one that hides e.g. a conv's crop
/// slice from lowering).
mlir::Value createIntClamp(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, int64_t lo, int64_t hi,
                           std::optional<IntRange> inputRange = std::nullopt);

//===----------------------------------------------------------------------===//
// The quantized operands and result of a float op
//===----------------------------------------------------------------------===//

/// A float operand that is `quant.dcast` of a per-tensor i8 value which
/// already has an integer form.
struct QuantizedOperand {
  mlir::Value quant;
  mlir::quant::UniformQuantizedType type;
};

/// The end of the reason matchQuantizedOperand gives when the operand's
/// producer has not been folded (yet): not a reason of the op's own, which
/// reportUnfoldedOps tells apart by this text.
inline constexpr llvm::StringLiteral kProducerNotFolded =
    "is produced by an op that was not folded to integer";

/// Matches `operand` of `op` (called `name` in the reason reported through
/// `rewriter.notifyMatchFailure`).
/// `allowI16`: an i16 operand matches too (requireI8PerTensor).
mlir::FailureOr<QuantizedOperand>
matchQuantizedOperand(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                      mlir::Value operand, const llvm::Twine &name,
                      bool allowI16 = false);

/// Matches every value of `operands` (operands of `op`, numbered from 0 as
/// "operand #i") with matchQuantizedOperand.
mlir::FailureOr<llvm::SmallVector<QuantizedOperand, 2>>
matchQuantizedOperands(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                       mlir::ValueRange operands, bool allowI16 = false);

/// A float weight operand that is `quant.dcast` of a quantized value with an
/// integer form (per tensor or per axis).
struct QuantizedWeight {
  mlir::Value quant;
  WeightQParams params;
};

/// Matches the weight `operand` of `op`, like matchQuantizedOperand.
mlir::FailureOr<QuantizedWeight>
matchQuantizedWeight(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                     mlir::Value operand, const llvm::Twine &name);

/// How a float op's result reaches its quantization: optionally through a
/// fused `tosa.clamp`, then only `quant.qcast` users of one per-tensor type.
struct QuantizedResult {
  llvm::SmallVector<mlir::quant::QuantizeCastOp> qcasts;
  mlir::quant::UniformQuantizedType type;
  mlir::tosa::ClampOp clamp; // null when there is no fused activation
};

/// Matches the result of `op`; `allowFusedClamp` lets one clamp user sit
/// between `op` and the qcasts. Reports the reason through
/// `rewriter.notifyMatchFailure`.
mlir::FailureOr<QuantizedResult>
matchQuantizedResult(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                     bool allowFusedClamp, bool allowI16 = false);

/// Integer bounds of the result's clamp (fused activation and storage range).
std::pair<int64_t, int64_t> resultClampBounds(const QuantizedResult &result);

/// Replaces every qcast of `result` with `quant.scast %intValue` and erases
/// the fused clamp and `op`.
void replaceWithInteger(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                        const QuantizedResult &result, mlir::Value intValue);

/// Erases the ops of a folded chain's interior (`ops`, in any order) that
/// are unused, repeating until none is left to erase: each becomes unused
/// once its consumers are gone. An op with a user outside the chain stays.
void eraseUnusedInterior(mlir::PatternRewriter &rewriter,
                         llvm::ArrayRef<mlir::Operation *> ops);

/// The epilogue of an accumulating op: rescales the i32 `acc` to the i8
/// result with `params`, applies the result's clamp (at the location of the
/// fused clamp, the node it came from) and replaces `op`.
void replaceWithRescaled(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                         const QuantizedResult &result, mlir::Value acc,
                         const RescaleParams &params);

/// Gives `to` the discardable attributes of `from` (e.g. the front end's
/// `onnx.node`), so that the integer op still names its ONNX node.
void copyDiscardableAttrs(mlir::Operation *from, mlir::Operation *to);

/// `shape` with the element type replaced.
mlir::RankedTensorType withElementType(mlir::Type shaped, mlir::Type element);

//===----------------------------------------------------------------------===//
// Elementwise chains (ElementwiseChain.cpp)
//===----------------------------------------------------------------------===//

/// An elementwise float op that FoldElementwiseChain can evaluate per
/// element (add, sub, mul, maximum, minimum, clamp, sigmoid, tanh, exp, log,
/// reciprocal, rsqrt, abs, negate, floor, ceil, erf, pow, arith.divf).
bool isChainOp(mlir::Operation *op);

/// A constant operand of a chain op: float splat (or one element), or an
/// integer operand such as mul's shift and negate's zero points.
bool isChainConstant(mlir::Value v);

/// One ONNX node's elementwise chain that the quantizer leaves unquantized
/// inside, so that FoldElementwiseChain makes the whole node one table: at
/// least two chain ops with the same `onnx.node`, connected by def-use
/// edges, that read one non-constant value (every other operand a chain
/// constant), all of that value's shape, and of which only `output`'s result
/// is used outside the group (the node's output tensor).
struct NodeChain {
  llvm::SmallVector<mlir::Operation *> ops; // program order, output last
  mlir::Operation *output = nullptr;
};
llvm::SmallVector<NodeChain> findNodeChains(mlir::func::FuncOp func);

//===----------------------------------------------------------------------===//
// Multi-op patterns quantized as one unit (--tessera-quantize gives their
// interior values no quantization; folding rewrites the whole chain).
//===----------------------------------------------------------------------===//

/// The float Softmax / LogSoftmax of the importer, ending at `last`:
///   softmax:    mul(e, reciprocal(reduce_sum(e, a))), e = exp(s)
///   logsoftmax: sub(s, log(reduce_sum(exp(s), a)))
///   with s = sub(x, reduce_max(x, a)), and no interior value used outside.
struct SoftmaxChain {
  mlir::Value input; ///< x
  int64_t axis = 0;
  bool log = false;
  llvm::SmallVector<mlir::Operation *> interior; ///< every op but `last`
};
std::optional<SoftmaxChain> matchSoftmaxChain(mlir::Operation *last);

/// A sum over one or more axes, optionally scaled by a splat constant
/// (ReduceSum, ReduceMean = sum * 1/count), ending at `last`:
///   reduce_sum(...reduce_sum(x, a0)..., ak)  [mul(., splat c)]
/// every inner value used only by the next op of the chain.
struct ReduceSumChain {
  mlir::Value input;
  llvm::SmallVector<int64_t> axes;
  double factor = 1.0; ///< c, or 1 without the mul
  llvm::SmallVector<mlir::Operation *> interior; ///< the sums but `last`
};
std::optional<ReduceSumChain> matchReduceSumChain(mlir::Operation *last);

/// A layer normalisation over `axes`, ending at `last` (the normalised
/// value, before any scale and bias):
///   mean = ReduceSumChain(x, axes) with factor 1/n,  d = sub(x, mean),
///   var  = ReduceSumChain(mul(d, d), axes) with factor 1/n,
///   v    = add(var, splat eps)  (or var itself: eps = 0),
///   last = mul(d, rsqrt(v)) | mul(rsqrt(v), d)       (LayerNormalization's
///          import, docs/frontend.md)
///        | arith.divf(d, [tile](reciprocal(rsqrt(v)))) (ONNX Div by Sqrt,
///          the decomposed form of exported transformers)
/// with n the number of reduced elements and no interior value used outside.
struct LayerNormChain {
  mlir::Value input; ///< x
  llvm::SmallVector<int64_t> axes; ///< sorted
  int64_t count = 0;               ///< n
  double epsilon = 0;
  llvm::SmallVector<mlir::Operation *> interior; ///< every op but `last`
};
std::optional<LayerNormChain> matchLayerNormChain(mlir::Operation *last);

} // namespace tessera::quant

#endif // TESSERA_COMPILER_QUANT_QUANTUTILS_H
