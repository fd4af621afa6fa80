//===- QuantizeWeights.cpp - Quantization of conv and matmul weights ------===//
//
// conv2d (OHWI), depthwise_conv2d ([KH, KW, C, M]) and matmul (b: [N, C, W])
// with a float `tosa.const` weight get quant.qcast/quant.dcast on it, with
// the parameters core/quant chooseQParams gives for the scheme's weight
// dtype (int8 or uint8) and symmetry:
//  - symmetric: restricted range ([-127, 127] for int8, so that -w is
//    representable and the products stay symmetric), scale = max|w| / 127,
//    zero point 0 (uint8: 128), per output channel or per tensor;
//  - asymmetric (RKNN's asymmetric_quantized-u8): the full range, scale =
//    (hi - lo) / 255 and zero point qmin - round(lo / scale) of the weight's
//    [lo, hi] (extended to contain 0), per tensor only: TOSA's conv2d,
//    depthwise_conv2d and matmul and the NPU's CONV take one weight zero
//    point (weight_zp, w_zp).
// Like activations, uint8 is stored as i8 with zero point z - 128: the same
// integers minus 128, so every w - z_w, and so every result, is unchanged.
// Nodes whose NodePrecision weight dtype is int16 get symmetric int16
// weights: [-32767, 32767] and max|w| / 32767.
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
  QuantizeWeight(MLIRContext *ctx, const WeightScheme &scheme,
                 const NodePrecision *precision)
      : OpRewritePattern<OpTy>(ctx), scheme(scheme), precision(precision) {}

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

    int32_t axis = scheme.perChannel ? outputChannelAxis(op, shape) : -1;
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
    // The scheme's dtype, or int16 on a node whose activations are int16
    // (NodePrecision); int16 weights are always symmetric.
    DType dtype = precision ? precision->weight(op) : scheme.dtype;
    bool symmetric = dtype == DType::Int16 || scheme.symmetric;
    // uint8 (s, z) is stored as i8 (s, z - 128), as activations are.
    int64_t shift = dtypeInfo(dtype).isSigned ? 0 : 128;
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    for (int64_t c = 0; c < channels; ++c) {
      QParams p = chooseQParams(lo[c], hi[c], dtype, symmetric);
      // Power-of-two scales are symmetric (checked by the pass): the zero
      // point stays.
      scales.push_back(scheme.powerOfTwo ? powerOfTwoScale(p.scale) : p.scale);
      zeroPoints.push_back(p.zeroPoint - shift);
    }

    MLIRContext *ctx = rewriter.getContext();
    unsigned flags = mq::QuantizationFlags::Signed;
    Type i8 = rewriter.getIntegerType(dtypeInfo(dtype).bits);
    Type f32 = Float32Type::get(ctx);
    int64_t qmin = quantMin(dtype, symmetric) - shift;
    int64_t qmax = quantMax(dtype, symmetric) - shift;
    Type qtype =
        axis < 0 ? Type(mq::UniformQuantizedType::get(
                       flags, i8, f32, scales[0], zeroPoints[0], qmin, qmax))
                 : Type(mq::UniformQuantizedPerAxisType::get(
                       flags, i8, f32, scales, zeroPoints, axis, qmin, qmax));

    rewriter.setInsertionPoint(op);
    Location loc = weight.getLoc();
    auto qcast = mq::QuantizeCastOp::create(
        rewriter, loc, withElementType(type, qtype), weight);
    auto dcast = mq::DequantizeCastOp::create(rewriter, loc, type, qcast);
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(1, dcast); });
    return success();
  }

  WeightScheme scheme;
  const NodePrecision *precision;
};

} // namespace

void populateQuantizeWeightsPatterns(RewritePatternSet &patterns,
                                     const WeightScheme &scheme,
                                     const NodePrecision *precision) {
  patterns.add<QuantizeWeight<tosa::Conv2DOp>,
               QuantizeWeight<tosa::DepthwiseConv2DOp>,
               QuantizeWeight<tosa::MatMulOp>>(patterns.getContext(), scheme,
                                               precision);
}

} // namespace tessera::quant
