//===- LowerSlice.cpp - innermost tosa.slice -> npu.slice -----------------===//
//
// The detect head of YOLO splits its [.., 85] rows into xy, wh and scores
// with slices of the innermost dimension only. Such a slice is a strided
// view of its input (same row pitch, an element offset), so it costs no
// instruction: consumers' DMAs read the rows with the parent's pitch.
// A slice that cuts an outer dimension (the crop after a decomposed
// ConvTranspose's depth-to-space) is a box copy: npu.transpose with the
// identity permutation and the slice's start as offsets.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerSlice : public OpRewritePattern<tosa::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::SliceOp slice,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(slice.getInput1().getType());
    auto out = cast<RankedTensorType>(slice.getType());
    if (!isa<IntegerType>(out.getElementType()) || !in.hasStaticShape() ||
        !out.hasStaticShape() || in.getRank() < 1)
      return rewriter.notifyMatchFailure(slice, "expected static integer");
    llvm::SmallVector<int64_t> start;
    if (!slice.getStart().getDefiningOp() ||
        !tosa::getConstShapeValues(slice.getStart().getDefiningOp(), start) ||
        static_cast<int64_t>(start.size()) != in.getRank())
      return rewriter.notifyMatchFailure(slice, "expected a constant start");
    int64_t last = in.getRank() - 1;
    bool outer = false;
    for (int64_t d = 0; d < last; ++d)
      outer |= start[d] != 0 || in.getDimSize(d) != out.getDimSize(d);
    if (outer) {
      // A box of the input: copied by DMA as an npu.transpose with the
      // identity permutation and offsets.
      auto perms = llvm::to_vector(llvm::seq<int64_t>(0, in.getRank()));
      auto op = npu::TransposeOp::create(
          rewriter, slice.getLoc(), out, slice.getInput1(), perms,
          /*layer=*/0, rewriter.getDenseI64ArrayAttr(start));
      tagLayer(op, onnxNodeName(slice), "Slice");
      rewriter.replaceOp(slice, op.getResult());
      return success();
    }
    auto op = npu::SliceOp::create(rewriter, slice.getLoc(), out,
                                   slice.getInput1(), start[last],
                                   /*layer=*/0);
    tagLayer(op, onnxNodeName(slice), "Slice");
    rewriter.replaceOp(slice, op.getResult());
    return success();
  }
};

} // namespace

void populateLowerSlicePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSlice>(patterns.getContext());
}

} // namespace tessera::lowering
