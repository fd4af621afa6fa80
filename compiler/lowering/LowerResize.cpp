//===- LowerResize.cpp - nearest integer upscale -> npu.resize ------------===//
//
// YOLO's FPN upsamples with ONNX Resize (nearest, x2), imported as a TOSA
// NEAREST_NEIGHBOR resize whose scale/offset make out[oy] = in[oy / 2]
// (docs/quantization-passes.md). Rather than re-deriving TOSA's index
// arithmetic, the rewrite runs core/kernels resizeNearest (the integer
// reference's kernel) on an image of its own indices and accepts the resize
// only if the map is exactly oy / fy, ox / fx for integer factors: then it is
// pure data movement (npu.resize, strided DMA). Anything else is reported.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

#include "core/kernels/Resize.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"

#include <vector>

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerResize : public OpRewritePattern<tosa::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ResizeOp resize,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(resize.getInput().getType());
    auto out = cast<RankedTensorType>(resize.getType());
    if (resize.getMode() != tosa::ResizeMode::NEAREST_NEIGHBOR)
      return rewriter.notifyMatchFailure(resize, "expected NEAREST_NEIGHBOR");
    if (!isa<IntegerType>(in.getElementType()) ||
        in.getElementType() != out.getElementType() || !in.hasStaticShape() ||
        !out.hasStaticShape() || in.getRank() != 4)
      return rewriter.notifyMatchFailure(resize, "expected static integer");
    llvm::SmallVector<int64_t> scale, offset;
    if (!tosa::getConstShapeValues(resize.getScale().getDefiningOp(), scale) ||
        !tosa::getConstShapeValues(resize.getOffset().getDefiningOp(),
                                   offset) ||
        scale.size() != 4 || offset.size() != 2)
      return rewriter.notifyMatchFailure(resize, "expected constant params");
    kernels::ResizeParams p;
    p.batch = 1;
    p.inH = in.getDimSize(1);
    p.inW = in.getDimSize(2);
    p.channels = 1;
    p.outH = out.getDimSize(1);
    p.outW = out.getDimSize(2);
    p.scaleYN = scale[0];
    p.scaleYD = scale[1];
    p.scaleXN = scale[2];
    p.scaleXD = scale[3];
    p.offsetY = offset[0];
    p.offsetX = offset[1];
    if (kernels::checkResize(p) || p.outH % p.inH || p.outW % p.inW)
      return rewriter.notifyMatchFailure(resize, "not an integer upscale");
    int64_t fy = p.outH / p.inH, fx = p.outW / p.inW;
    // Each input pixel holds its own index; the output shows the map.
    std::vector<int32_t> index(p.inH * p.inW), map(p.outH * p.outW);
    for (size_t i = 0; i < index.size(); ++i)
      index[i] = static_cast<int32_t>(i);
    kernels::resizeNearest(p, index.data(), map.data(), sizeof(int32_t));
    for (int64_t oy = 0; oy < p.outH; ++oy)
      for (int64_t ox = 0; ox < p.outW; ++ox)
        if (map[oy * p.outW + ox] != (oy / fy) * p.inW + ox / fx)
          return rewriter.notifyMatchFailure(
              resize, "index map is not (oy / fy, ox / fx)");
    auto op = npu::ResizeOp::create(rewriter, resize.getLoc(), out,
                                    resize.getInput(), fy, fx, /*layer=*/0);
    tagLayer(op, onnxNodeName(resize), "Resize");
    rewriter.replaceOp(resize, op.getResult());
    return success();
  }
};

} // namespace

void populateLowerResizePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerResize>(patterns.getContext());
}

} // namespace tessera::lowering
