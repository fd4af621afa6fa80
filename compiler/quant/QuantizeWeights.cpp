//===- QuantizeWeights.cpp - Symmetric int8/int16 quantization of weights -===//
//
// conv2d (OHWI), depthwise_conv2d ([KH, KW, C, M]) and matmul (b: [N, C, W])
// with a float `tosa.const` weight get quant.qcast/quant.dcast on it:
// symmetric, restricted range [-127, 127] (so that -w is representable and
// the i8 x i8 products stay symmetric), scale = max|w| / 127 per output
// channel or per tensor, computed by core/quant chooseQParams. Nodes whose
// NodePrecision weight dtype is int16 get [-32767, 32767] and max|w| / 32767.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

/// The weight axis that indexes output channels.
///   conv2d OHWI: O (0).  matmul b [N, C, W]: W (2).
///   depthwise [KH, KW, C, M]: output channel c * M + m; C (2), except that
///   with C == 1 and M > 1 every output channel is an index of M (3). With
///   C > 1 and M > 1 the scale is per input channel c, shared by its M
///   outputs (one quant axis cannot express c * M + m).
int32_t outputChannelAxis(Operation *op, ArrayRef<int64_t> shape) {
  if (isa<tosa::Conv2DOp>(op))
    return 0;
  if (isa<tosa::MatMulOp>(op))
    return 2;
  return (shape[2] == 1 && shape[3] > 1) ? 3 : 2;
}

template <typename OpTy> struct QuantizeWeight : public OpRewritePattern<OpTy> {
  QuantizeWeight(MLIRContext *ctx, bool perChannel, bool powerOfTwo,
                 const NodePrecision *precision)
      : OpRewritePattern<OpTy>(ctx), perChannel(perChannel),
        powerOfTwo(powerOfTwo), precision(precision) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value weight = op->getOperand(1);
    if (getDequantizedSource(weight))
      return rewriter.notifyMatchFailure(op, "weight is already quantized");
    std::optional<SmallVector<double>> data = readFloatConstant(weight);
    if (!data || data->empty())
      return rewriter.notifyMatchFailure(op,
                                         "weight is not a float tosa.const");
    auto type = cast<RankedTensorType>(weight.getType());
    ArrayRef<int64_t> shape = type.getShape();

    int32_t axis = perChannel ? outputChannelAxis(op, shape) : -1;
    int64_t channels = axis < 0 ? 1 : shape[axis];
    int64_t inner = 1;
    for (size_t d = axis + 1; axis >= 0 && d < shape.size(); ++d)
      inner *= shape[d];
    SmallVector<double> lo(channels, 0.0), hi(channels, 0.0);
    for (auto [i, w] : llvm::enumerate(*data)) {
      int64_t c = axis < 0 ? 0 : (i / inner) % channels;
      lo[c] = std::min(lo[c], w);
      hi[c] = std::max(hi[c], w);
    }
    // int8, or int16 on a node whose activations are int16 (NodePrecision).
    DType dtype = precision ? precision->weight(op) : DType::Int8;
    SmallVector<double> scales;
    for (int64_t c = 0; c < channels; ++c) {
      double s = chooseQParams(lo[c], hi[c], dtype, /*symmetric=*/true).scale;
      scales.push_back(powerOfTwo ? powerOfTwoScale(s) : s);
    }

    MLIRContext *ctx = rewriter.getContext();
    unsigned flags = mq::QuantizationFlags::Signed;
    Type i8 = rewriter.getIntegerType(dtypeInfo(dtype).bits);
    Type f32 = Float32Type::get(ctx);
    int64_t qmin = quantMin(dtype, /*symmetric=*/true);
    int64_t qmax = quantMax(dtype, /*symmetric=*/true);
    Type qtype =
        axis < 0 ? Type(mq::UniformQuantizedType::get(flags, i8, f32, scales[0],
                                                      0, qmin, qmax))
                 : Type(mq::UniformQuantizedPerAxisType::get(
                       flags, i8, f32, scales,
                       SmallVector<int64_t>(channels, 0), axis, qmin, qmax));

    rewriter.setInsertionPoint(op);
    Location loc = weight.getLoc();
    auto qcast = mq::QuantizeCastOp::create(
        rewriter, loc, withElementType(type, qtype), weight);
    auto dcast = mq::DequantizeCastOp::create(rewriter, loc, type, qcast);
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(1, dcast); });
    return success();
  }

  bool perChannel;
  bool powerOfTwo;
  const NodePrecision *precision;
};

} // namespace

void populateQuantizeWeightsPatterns(RewritePatternSet &patterns,
                                     bool perChannel, bool powerOfTwo,
                                     const NodePrecision *precision) {
  patterns.add<QuantizeWeight<tosa::Conv2DOp>,
               QuantizeWeight<tosa::DepthwiseConv2DOp>,
               QuantizeWeight<tosa::MatMulOp>>(patterns.getContext(),
                                               perChannel, powerOfTwo,
                                               precision);
}

} // namespace tessera::quant
