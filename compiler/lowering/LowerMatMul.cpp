//===- LowerMatMul.cpp - matmul (constant b) + rescale (+ clamp) -> 1x1
// npu.conv2d ===//
//
// A [1, M, K] x [1, K, N] integer matmul with a constant right operand is a
// fully connected layer: the ISA runs it as a 1x1 CONV over an input of
// M rows of K channels (docs/isa.md: "A fully connected layer / MatMul is a
// 1x1 CONV with ih = rows, iw = 1"). The activation is viewed as
// [1, M, 1, K] (a reshape, no data movement), the weights are b transposed
// to OHWI [N, 1, 1, K], the bias is zero, and the result is viewed back as
// [1, M, N].
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerMatMul : public OpRewritePattern<tosa::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MatMulOp mm,
                                PatternRewriter &rewriter) const override {
    auto aType = cast<RankedTensorType>(mm.getA().getType());
    auto bType = cast<RankedTensorType>(mm.getB().getType());
    auto accType = cast<RankedTensorType>(mm.getType());
    if (!aType.getElementType().isInteger(8) ||
        !accType.getElementType().isInteger(32) || aType.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(mm, "expected i8 [1, M, K], i32 acc");
    auto rescale = soleUser<tosa::RescaleOp>(mm.getResult());
    if (!rescale)
      return rewriter.notifyMatchFailure(mm, "expected one rescale user");
    RescaleParams rq;
    std::string why;
    if (!readRescale(rescale, rq, why))
      return rewriter.notifyMatchFailure(rescale, why);
    auto b = readIntConstant(mm.getB());
    auto azp = readScalarConstant(mm.getAZp());
    auto bzp = readScalarConstant(mm.getBZp());
    if (!b || !azp || !bzp || rq.inputZp != 0)
      return rewriter.notifyMatchFailure(mm, "expected constant b and zps");
    int64_t m = aType.getDimSize(1), k = aType.getDimSize(2);
    int64_t n = bType.getDimSize(2);
    auto outType = cast<RankedTensorType>(rescale.getType());
    Type outElem = outType.getElementType();
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    Operation *last = rescale;
    if (Operation *clamp = absorbClamp(rescale.getResult(), lo, hi))
      last = clamp;

    // Weights OHWI [N, 1, 1, K]: w[o][0][0][c] = b[0][c][o].
    llvm::SmallVector<APInt> wBits;
    unsigned width = bType.getElementType().getIntOrFloatBitWidth();
    for (int64_t o = 0; o < n; ++o)
      for (int64_t c = 0; c < k; ++c)
        wBits.emplace_back(width, (*b)[c * n + o], /*isSigned=*/true);
    auto wType = RankedTensorType::get({n, 1, 1, k}, bType.getElementType());
    auto biasType = RankedTensorType::get({n}, rewriter.getI32Type());
    Location loc = mm.getLoc();
    Value w = tosa::ConstOp::create(rewriter, loc, wType,
                                    DenseElementsAttr::get(wType, wBits));
    Value bias = tosa::ConstOp::create(
        rewriter, loc, biasType,
        DenseElementsAttr::get(biasType, rewriter.getI32IntegerAttr(0)));
    std::string node = onnxNodeName(mm);
    auto in4 = RankedTensorType::get({1, m, 1, k}, aType.getElementType());
    auto view = npu::ReshapeOp::create(rewriter, loc, in4, mm.getA(), 0);
    tagLayer(view, node, "Reshape");
    auto out4 = RankedTensorType::get({1, m, 1, n}, outElem);
    auto conv = npu::Conv2DOp::create(
        rewriter, rewriter.getFusedLoc({loc, last->getLoc()}), out4, view, w,
        bias, llvm::ArrayRef<int64_t>{1, 1}, llvm::ArrayRef<int64_t>{1, 1},
        llvm::ArrayRef<int64_t>{0, 0, 0, 0}, /*groups=*/1, *azp, *bzp,
        rq.outputZp, rq.multiplier, rq.shift, rq.doubleRound, lo, hi,
        /*layer=*/0);
    std::string act = activationName(lo, hi, rq.outputZp, intTypeMin(outElem),
                                     intTypeMax(outElem));
    tagLayer(conv, node, act.empty() ? "MatMul" : "MatMul+" + act);
    auto back = npu::ReshapeOp::create(rewriter, loc, outType, conv, 0);
    tagLayer(back, node, "Reshape");
    replaceFused(rewriter, last, back.getResult(), {rescale, mm});
    return success();
  }
};

} // namespace

void populateLowerMatMulPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMatMul>(patterns.getContext());
}

} // namespace tessera::lowering
