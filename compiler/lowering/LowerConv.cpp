//===- LowerConv.cpp - conv2d/depthwise_conv2d + rescale (+ clamp) -> npu.conv2d
//===//
//
// The integer convolution of --tessera-fold-to-integer is three TOSA ops:
// an i8 x i8 -> i32 conv with its bias, a per-channel tosa.rescale i32 -> i8
// and, for a fused activation, a tosa.clamp. The NPU executes all three as
// one CONV with an NVDLA-SDP-like epilogue (docs/isa.md), so they become one
// npu.conv2d. Depthwise weights [KH, KW, C, M] are re-laid out to the OHWI
// [C*M, KH, KW, 1] of a grouped conv with groups = C: output channel c*M + m
// reads input channel c in both forms.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

/// The front end crops an input with `tosa.slice` where ONNX's floor
/// division of the output size leaves trailing rows or columns no window
/// reads (TOSA requires exact division; squeezenet's first conv reads 223 of
/// 224 rows). npu.conv2d uses the floor form, so the conv reads the uncropped
/// tensor directly when the slice starts at 0, only trims H and W, and the
/// output size is unchanged. Returns the value to read.
Value skipTrailingCrop(Value input, llvm::ArrayRef<int64_t> pad,
                       llvm::ArrayRef<int64_t> stride,
                       llvm::ArrayRef<int64_t> dil, int64_t kh, int64_t kw,
                       RankedTensorType outType) {
  auto slice = input.getDefiningOp<tosa::SliceOp>();
  if (!slice)
    return input;
  llvm::SmallVector<int64_t> start;
  if (!tosa::getConstShapeValues(slice.getStart().getDefiningOp(), start) ||
      llvm::any_of(start, [](int64_t v) { return v != 0; }))
    return input;
  auto full = cast<RankedTensorType>(slice.getInput1().getType());
  auto cropped = cast<RankedTensorType>(slice.getType());
  if (full.getRank() != 4 || full.getDimSize(0) != cropped.getDimSize(0) ||
      full.getDimSize(3) != cropped.getDimSize(3))
    return input;
  int64_t k[2] = {kh, kw};
  for (int d = 0; d < 2; ++d) {
    int64_t o = (full.getDimSize(1 + d) + pad[2 * d] + pad[2 * d + 1] -
                 dil[d] * (k[d] - 1) - 1) /
                    stride[d] +
                1;
    if (o != outType.getDimSize(1 + d))
      return input;
  }
  return slice.getInput1();
}

/// A tosa.pad of H and W only whose pad value is the conv's input zero point
/// (a decomposed ConvTranspose pads its input so; fold-to-integer pads with
/// the quantized 0.0) is what the conv's own padding does: TOSA and the
/// NPU's CONV pad with input_zp. Adds its padding to `pad` ([top, bottom,
/// left, right]) and returns the pad's input, else returns `input`. The
/// narrow-range clamp that symmetric schemes put after every op may sit
/// between pad and conv: clamp(pad(v, zp)) is pad(v, zp) when zp and v
/// (itself a clamp to bounds inside the outer ones) are within its bounds.
Value absorbZeroPointPad(Value input, int64_t inputZp,
                         llvm::SmallVectorImpl<int64_t> &pad) {
  Value padded = input;
  int64_t lo, hi, innerLo, innerHi;
  auto outer = input.getDefiningOp<tosa::ClampOp>();
  if (outer) {
    if (!outer->hasOneUse() || !readClamp(outer, lo, hi) || inputZp < lo ||
        inputZp > hi)
      return input;
    padded = outer.getInput();
  }
  auto p = padded.getDefiningOp<tosa::PadOp>();
  if (!p || !p->hasOneUse())
    return input;
  if (outer) {
    auto inner = p.getInput1().getDefiningOp<tosa::ClampOp>();
    if (!inner || !readClamp(inner, innerLo, innerHi) || innerLo < lo ||
        innerHi > hi)
      return input;
  }
  llvm::SmallVector<int64_t> padding;
  auto value = readScalarConstant(p.getPadConst());
  if (!value || *value != inputZp || !p.getPadding().getDefiningOp() ||
      !tosa::getConstShapeValues(p.getPadding().getDefiningOp(), padding) ||
      padding.size() != 8 || padding[0] || padding[1] || padding[6] ||
      padding[7] || llvm::any_of(padding, [](int64_t v) { return v < 0; }))
    return input;
  for (int i = 0; i < 4; ++i)
    pad[i] += padding[2 + i];
  return p.getInput1();
}

template <typename ConvOp> struct LowerConv : public OpRewritePattern<ConvOp> {
  using OpRewritePattern<ConvOp>::OpRewritePattern;
  static constexpr bool kDepthwise =
      std::is_same_v<ConvOp, tosa::DepthwiseConv2DOp>;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(conv.getInput().getType());
    auto accType = cast<RankedTensorType>(conv.getType());
    // i8 x i8 -> i32, or int16: i16 x (i8 | i16) -> i48 with a scale16
    // rescale (the CONV of an int16 input, docs/isa.md).
    const bool wide = inType.getElementType().isInteger(16);
    if (!(inType.getElementType().isInteger(8) &&
          accType.getElementType().isInteger(32)) &&
        !(wide && accType.getElementType().isInteger(48)))
      return rewriter.notifyMatchFailure(
          conv, "expected i8 input with i32 acc or i16 input with i48 acc");
    auto rescale = soleUser<tosa::RescaleOp>(conv.getResult());
    if (!rescale)
      return rewriter.notifyMatchFailure(conv, "expected one rescale user");
    RescaleParams rq;
    std::string why;
    if (!readRescale(rescale, rq, why, /*allowScale16=*/wide))
      return rewriter.notifyMatchFailure(rescale, why);
    if (rq.scale32 == wide)
      return rewriter.notifyMatchFailure(
          rescale, wide ? "expected scale32 = false on an i48 accumulator"
                        : "expected scale32");
    if (rq.inputZp != 0)
      return rewriter.notifyMatchFailure(rescale, "expected input_zp 0");
    auto weights = readIntConstant(conv.getWeight());
    auto bias = readIntConstant(conv.getBias());
    auto izp = readScalarConstant(conv.getInputZp());
    auto wzp = readScalarConstant(conv.getWeightZp());
    if (!weights || !bias || !izp || !wzp)
      return rewriter.notifyMatchFailure(conv, "expected constant weights, "
                                               "bias and zero points");
    auto outType = cast<RankedTensorType>(rescale.getType());
    Type outElem = outType.getElementType();
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    Operation *last = rescale;
    if (Operation *clamp = absorbClamp(rescale.getResult(), lo, hi))
      last = clamp;

    // Weights as OHWI [OC, KH, KW, IC / groups].
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t oc = accType.getDimSize(3), groups = 1;
    llvm::SmallVector<int64_t> ohwi;
    llvm::SmallVector<int64_t> wShape;
    if constexpr (kDepthwise) {
      int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1),
              c = wType.getDimSize(2), m = wType.getDimSize(3);
      groups = c;
      wShape = {c * m, kh, kw, 1};
      ohwi.resize(weights->size());
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          for (int64_t ci = 0; ci < c; ++ci)
            for (int64_t mi = 0; mi < m; ++mi)
              ohwi[((ci * m + mi) * kh + y) * kw + x] =
                  (*weights)[((y * kw + x) * c + ci) * m + mi];
    } else {
      wShape.assign(wType.getShape().begin(), wType.getShape().end());
      ohwi = *weights;
      groups = inType.getDimSize(3) / wShape[3];
    }
    if (bias->size() == 1 && oc > 1) // TOSA allows a broadcast bias
      bias->assign(oc, (*bias)[0]);
    if (static_cast<int64_t>(bias->size()) != oc)
      return rewriter.notifyMatchFailure(conv, "bias size != channels");
    if (!wide && llvm::any_of(*bias, [](int64_t v) {
          return v < INT32_MIN || v > INT32_MAX;
        }))
      return rewriter.notifyMatchFailure(conv, "bias outside int32");
    if (rq.multiplier.size() != 1 &&
        static_cast<int64_t>(rq.multiplier.size()) != oc)
      return rewriter.notifyMatchFailure(rescale, "multiplier count");

    Location loc = rewriter.getFusedLoc({conv.getLoc(), last->getLoc()});
    auto wTensor = RankedTensorType::get(wShape, wType.getElementType());
    llvm::SmallVector<APInt> wBits, bBits;
    unsigned wWidth = wType.getElementType().getIntOrFloatBitWidth();
    for (int64_t v : ohwi)
      wBits.emplace_back(wWidth, v, /*isSigned=*/true);
    // int16: the i48 bias (the CONV reads it as 8 bytes per channel).
    unsigned bWidth = wide ? 48 : 32;
    for (int64_t v : *bias)
      bBits.emplace_back(bWidth, v, /*isSigned=*/true);
    auto bTensor =
        RankedTensorType::get({oc}, rewriter.getIntegerType(bWidth));
    Value w = tosa::ConstOp::create(rewriter, conv.getLoc(), wTensor,
                                    DenseElementsAttr::get(wTensor, wBits));
    Value b = tosa::ConstOp::create(rewriter, conv.getLoc(), bTensor,
                                    DenseElementsAttr::get(bTensor, bBits));

    llvm::ArrayRef<int64_t> stride = conv.getStride(),
                            dil = conv.getDilation();
    llvm::SmallVector<int64_t> padded(conv.getPad());
    Value convIn = absorbZeroPointPad(conv.getInput(), *izp, padded);
    llvm::ArrayRef<int64_t> pad = padded;
    Value input = skipTrailingCrop(convIn, pad, stride, dil, wShape[1],
                                   wShape[2], outType);
    auto op = npu::Conv2DOp::create(rewriter, loc, outType, input, w,
                                    b, stride, dil, pad, groups, *izp, *wzp,
                                    rq.outputZp, rq.multiplier, rq.shift,
                                    rq.doubleRound, lo, hi, /*layer=*/0);
    std::string act = activationName(lo, hi, rq.outputZp, intTypeMin(outElem),
                                     intTypeMax(outElem));
    tagLayer(op, onnxNodeName(conv), act.empty() ? "Conv" : "Conv+" + act);
    replaceFused(rewriter, last, op.getResult(), {rescale, conv});
    return success();
  }
};

} // namespace

void populateLowerConvPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerConv<tosa::Conv2DOp>, LowerConv<tosa::DepthwiseConv2DOp>>(
      patterns.getContext());
}

} // namespace tessera::lowering
