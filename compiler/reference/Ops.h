//===- Ops.h - Per-op evaluators of the reference executors (internal) -*- C++
//-*-===//
//
// evalOp dispatches one op to its evaluator: data movement (DataOps.cpp,
// type-agnostic), float arithmetic (FloatOps.cpp) or integer arithmetic
// (IntegerOps.cpp, which only calls core/kernels). Each evaluator receives
// the op and its operand tensors in operand order and returns the result.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_REFERENCE_OPS_H
#define TESSERA_COMPILER_REFERENCE_OPS_H

#include "compiler/reference/ElementTypes.h"

#include "core/kernels/Conv.h"
#include "core/kernels/Pool.h"
#include "core/kernels/Resize.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace tessera::reference::detail {

using Operands = llvm::ArrayRef<const Tensor *>;

/// "'tosa.conv2d' at loc(\"conv1\")".
std::string describe(mlir::Operation *op);
/// An error "'<op>' at <loc>: <msg>".
llvm::Error opError(mlir::Operation *op, const llvm::Twine &msg);
/// Element type and static shape of an op's (single) result.
struct Result {
  ElementType type;
  std::vector<int64_t> shape;
};
/// The Result of result `i`, or an error naming the op.
llvm::Expected<Result> resultType(mlir::Operation *op, unsigned i = 0);
/// The single value of a one-element tensor (zero point, shift, pad const),
/// as a signed value, or zero-extended when `asUnsigned`.
int64_t scalarOf(const Tensor &t, bool asUnsigned = false);

/// The integer values of a shape operand (tosa.const_shape result).
std::vector<int64_t> valuesOf(const Tensor &t);

/// Geometry of a conv2d / depthwise_conv2d from its NHWC input, kernel size,
/// result shape and attributes; checks TOSA's output-size formula
/// OH = (IH - 1 + pad_top + pad_bottom - (KH - 1) * dilation_y) / stride_y + 1
/// (same for W). Channels: inC from the input, outC from the result.
llvm::Expected<kernels::Conv2DParams>
convParams(mlir::Operation *op, const Tensor &input, int64_t kernelH,
           int64_t kernelW, llvm::ArrayRef<int64_t> outShape,
           llvm::ArrayRef<int64_t> pad, llvm::ArrayRef<int64_t> stride,
           llvm::ArrayRef<int64_t> dilation);
/// Geometry of a max/avg pool; checks OH = (IH + pads - KH) / stride + 1.
llvm::Expected<kernels::Pool2DParams>
poolParams(mlir::Operation *op, const Tensor &input,
           llvm::ArrayRef<int64_t> outShape, llvm::ArrayRef<int64_t> kernel,
           llvm::ArrayRef<int64_t> stride, llvm::ArrayRef<int64_t> pad);
/// Geometry of a resize from its scale/offset/border operands; checks
/// OH = ((IH - 1) * scale_y_n - offset_y + border_y) / scale_y_d + 1.
llvm::Expected<kernels::ResizeParams>
resizeParams(mlir::tosa::ResizeOp op, Operands args,
             llvm::ArrayRef<int64_t> outShape);

/// An activation that a float conv2d / depthwise_conv2d applies to each
/// block of its output right after computing it, in place of the op(s) that
/// follow it in the IR (planEpilogues). It runs the same kernels those ops
/// would, element by element, so the result is bit-identical; only the
/// extra passes over memory go away.
struct Epilogue {
  enum class Kind {
    Clamp, ///< tosa.clamp(conv): lo, hi, ignoreNan as the clamp's
    SiLU,  ///< tosa.mul(conv, tosa.sigmoid(conv)), either operand order
  };
  Kind kind = Kind::Clamp;
  float lo = 0, hi = 0;
  bool ignoreNan = false;
};

/// Which ops of a block the float executor fuses: each producer (f32
/// conv2d / depthwise_conv2d) with its epilogue, and each absorbed op
/// (the clamp; the sigmoid and the mul) with the producer whose result
/// it takes. Only when nothing observes intermediate values, or (`observed`
/// given) where the fusion hides none of the observed ops' results.
struct EpiloguePlan {
  llvm::DenseMap<mlir::Operation *, Epilogue> producers;
  llvm::DenseMap<mlir::Operation *, mlir::Operation *> absorbed;
};
EpiloguePlan
planEpilogues(mlir::Block &body,
              const llvm::DenseSet<mlir::Operation *> *observed = nullptr);

/// Evaluates one op (not func.return); the result type is checked by the
/// caller. `epilogue` (conv2d / depthwise_conv2d on f32 only) is applied to
/// the result.
llvm::Expected<Tensor> evalOp(mlir::Operation *op, Operands args,
                              const Epilogue *epilogue = nullptr);
/// Whether evalOp knows the op at all (element types are checked later).
bool isKnownOp(mlir::Operation *op);

namespace data {
llvm::Expected<Tensor> constant(mlir::Operation *op, const Result &rt);
llvm::Expected<Tensor> reshape(mlir::Operation *op, Operands args,
                               const Result &rt);
llvm::Expected<Tensor> transpose(mlir::tosa::TransposeOp op, Operands args,
                                 const Result &rt);
llvm::Expected<Tensor> slice(mlir::tosa::SliceOp op, Operands args,
                             const Result &rt);
llvm::Expected<Tensor> reverse(mlir::tosa::ReverseOp op, Operands args,
                               const Result &rt);
llvm::Expected<Tensor> pad(mlir::tosa::PadOp op, Operands args,
                           const Result &rt);
llvm::Expected<Tensor> concat(mlir::tosa::ConcatOp op, Operands args,
                              const Result &rt);
llvm::Expected<Tensor> tile(mlir::tosa::TileOp op, Operands args,
                            const Result &rt);
llvm::Expected<Tensor> cast(mlir::tosa::CastOp op, Operands args,
                            const Result &rt);
llvm::Expected<Tensor> resizeNearest(mlir::tosa::ResizeOp op, Operands args,
                                     const Result &rt);
llvm::Expected<Tensor> gather(mlir::tosa::GatherOp op, Operands args,
                              const Result &rt);
/// tosa.select: a bool condition picks the element of operand 1 or 2 (any
/// one element type); the three broadcast as TOSA's equal-rank rule.
llvm::Expected<Tensor> select(mlir::tosa::SelectOp op, Operands args,
                              const Result &rt);
} // namespace data

namespace fp {
llvm::Expected<Tensor> conv2d(mlir::tosa::Conv2DOp op, Operands args,
                              const Result &rt,
                              const Epilogue *epilogue = nullptr);
llvm::Expected<Tensor> depthwiseConv2d(mlir::tosa::DepthwiseConv2DOp op,
                                       Operands args, const Result &rt,
                                       const Epilogue *epilogue = nullptr);
llvm::Expected<Tensor> matmul(mlir::tosa::MatMulOp op, Operands args,
                              const Result &rt);
llvm::Expected<Tensor> clamp(mlir::tosa::ClampOp op, Operands args,
                             const Result &rt);
llvm::Expected<Tensor> maxPool2d(mlir::tosa::MaxPool2dOp op, Operands args,
                                 const Result &rt);
llvm::Expected<Tensor> avgPool2d(mlir::tosa::AvgPool2dOp op, Operands args,
                                 const Result &rt);
/// add, sub, mul, maximum, minimum, pow; arith.divf (same shapes).
llvm::Expected<Tensor> binary(mlir::Operation *op, Operands args,
                              const Result &rt);
/// equal, greater, greater_equal of f32 operands (broadcasting) -> bool.
llvm::Expected<Tensor> compare(mlir::Operation *op, Operands args,
                               const Result &rt);
/// sigmoid, tanh, exp, log, reciprocal, rsqrt, abs, negate, floor, ceil,
/// erf; math.roundeven, math.trunc.
llvm::Expected<Tensor> unary(mlir::Operation *op, Operands args,
                             const Result &rt);
/// reduce_sum, reduce_max, reduce_min, reduce_product.
llvm::Expected<Tensor> reduce(mlir::Operation *op, Operands args,
                              const Result &rt);
llvm::Expected<Tensor> resizeBilinear(mlir::tosa::ResizeOp op, Operands args,
                                      const Result &rt);
/// TransposeConv.cpp.
llvm::Expected<Tensor> transposeConv2d(mlir::tosa::TransposeConv2DOp op,
                                       Operands args, const Result &rt);
} // namespace fp

namespace integer {
llvm::Expected<Tensor> conv2d(mlir::tosa::Conv2DOp op, Operands args,
                              const Result &rt);
llvm::Expected<Tensor> depthwiseConv2d(mlir::tosa::DepthwiseConv2DOp op,
                                       Operands args, const Result &rt);
llvm::Expected<Tensor> matmul(mlir::tosa::MatMulOp op, Operands args,
                              const Result &rt);
llvm::Expected<Tensor> rescale(mlir::tosa::RescaleOp op, Operands args,
                               const Result &rt);
llvm::Expected<Tensor> clamp(mlir::tosa::ClampOp op, Operands args,
                             const Result &rt);
llvm::Expected<Tensor> maxPool2d(mlir::tosa::MaxPool2dOp op, Operands args,
                                 const Result &rt);
llvm::Expected<Tensor> avgPool2d(mlir::tosa::AvgPool2dOp op, Operands args,
                                 const Result &rt);
/// add, sub, maximum, minimum (int32).
llvm::Expected<Tensor> binaryInt32(mlir::Operation *op, Operands args,
                              const Result &rt);
llvm::Expected<Tensor> reduceSum(mlir::tosa::ReduceSumOp op, Operands args,
                                 const Result &rt);
llvm::Expected<Tensor> mul(mlir::tosa::MulOp op, Operands args,
                           const Result &rt);
llvm::Expected<Tensor> table(mlir::tosa::TableOp op, Operands args,
                             const Result &rt);
llvm::Expected<Tensor> resizeBilinear(mlir::tosa::ResizeOp op, Operands args,
                                      const Result &rt);
/// tosa.equal / greater / greater_equal on integers (core/kernels compare).
llvm::Expected<Tensor> compare(mlir::Operation *op, Operands args,
                               const Result &rt);
/// reduce_max / reduce_min on i8, i16, i32 (TOSA INT profile).
llvm::Expected<Tensor> reduceMaxMin(mlir::Operation *op, Operands args,
                                    const Result &rt);
/// tosa.custom domain "tessera", operator "softmax" / "log_softmax":
/// core/kernels quantSoftmax; "layer_norm": core/kernels quantLayerNorm
/// (docs/quantization-passes.md, "Softmax", "Layer normalisation").
llvm::Expected<Tensor> custom(mlir::tosa::CustomOp op, Operands args,
                              const Result &rt);
} // namespace integer

/// The quant-annotated level (QuantOps.cpp): quant.qcast / quant.dcast with
/// core/quant's quantize / dequantize; quant.scast and tensor.bitcast
/// reinterpret the bits.
namespace quantized {
llvm::Expected<Tensor> qcast(mlir::Operation *op, Operands args,
                             const Result &rt);
llvm::Expected<Tensor> dcast(mlir::Operation *op, Operands args,
                             const Result &rt);
llvm::Expected<Tensor> bitcast(mlir::Operation *op, Operands args,
                               const Result &rt);
} // namespace quantized

} // namespace tessera::reference::detail

#endif // TESSERA_COMPILER_REFERENCE_OPS_H
