//===- LowerConcat.cpp - concat -> npu.concat -----------------------------===//
//
// TOSA concat of integer tensors that share one quantization (the fold pass
// rescales any input that does not). Codegen realises it without copies
// where it can (producers store into channel slices of one buffer); a
// constant input (the border of a constant Pad, the zeros of a
// count_include_pad average pool) is copied from the constant image. A
// concat along an outer axis with outer dimensions > 1 is one along the
// innermost axis of the row-major views [outer, rest] of its inputs.
// A tosa.tile (ONNX Expand, Tile; also a broadcast activation operand of an
// add or mul, LoweringUtils.cpp) is, per axis with multiple m > 1 (innermost
// first), a concat of m copies of the row-major view [outer, inner] along
// its innermost axis: copies into slices of one buffer.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerConcat : public OpRewritePattern<tosa::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    auto out = cast<RankedTensorType>(concat.getType());
    if (!isa<IntegerType>(out.getElementType()))
      return rewriter.notifyMatchFailure(concat, "expected integer tensors");
    const int64_t axis = concat.getAxis();
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= out.getDimSize(d);
    std::string node = onnxNodeName(concat);
    if (outer == 1 || axis == out.getRank() - 1 || !out.hasStaticShape()) {
      auto op = npu::ConcatOp::create(rewriter, concat.getLoc(), out,
                                      concat.getInput1(), axis, /*layer=*/0);
      tagLayer(op, node, "Concat");
      rewriter.replaceOp(concat, op.getResult());
      return success();
    }
    // Along an outer axis with outer dimensions > 1 (e.g. the H axis of a
    // padding concat on NHWC): on the row-major views [outer, rest] of the
    // inputs it is a concat along the innermost axis, which codegen does.
    Location loc = concat.getLoc();
    Type elem = out.getElementType();
    SmallVector<Value> views;
    int64_t total = 0;
    for (Value v : concat.getInput1()) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t rest = t.getNumElements() / outer;
      total += rest;
      auto view = npu::ReshapeOp::create(
          rewriter, loc, RankedTensorType::get({outer, rest}, elem), v, 0);
      tagLayer(view, node, "Reshape");
      views.push_back(view.getResult());
    }
    auto cat = npu::ConcatOp::create(
        rewriter, loc, RankedTensorType::get({outer, total}, elem), views,
        /*axis=*/1, /*layer=*/0);
    tagLayer(cat, node, "Concat");
    auto back = npu::ReshapeOp::create(rewriter, loc, out, cat.getResult(), 0);
    tagLayer(back, node, "Reshape");
    rewriter.replaceOp(concat, back.getResult());
    return success();
  }
};

struct LowerTile : public OpRewritePattern<tosa::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TileOp tile,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(tile.getInput1().getType());
    if (!isa<IntegerType>(in.getElementType()) || !in.hasStaticShape())
      return rewriter.notifyMatchFailure(tile, "expected static integer");
    SmallVector<int64_t> multiples;
    if (failed(tile.getConstantMultiples(multiples)) ||
        static_cast<int64_t>(multiples.size()) != in.getRank() ||
        llvm::any_of(multiples, [](int64_t m) { return m < 1; }))
      return rewriter.notifyMatchFailure(tile, "expected constant multiples");
    std::string node = onnxNodeName(tile);
    Location loc = tile.getLoc();
    Type elem = in.getElementType();
    Value v = tile.getInput1();
    SmallVector<int64_t> shape(in.getShape());
    // Tiling axis d by m is, on the row-major view [outer, inner] (outer the
    // dims before d, inner the rest), m copies side by side along the
    // innermost axis: a concat codegen does at any outer extent.
    for (int64_t d = in.getRank() - 1; d >= 0; --d) {
      if (multiples[d] == 1)
        continue;
      int64_t outer = 1, inner = 1;
      for (int64_t k = 0; k < in.getRank(); ++k)
        (k < d ? outer : inner) *= shape[k];
      auto view = npu::ReshapeOp::create(
          rewriter, loc, RankedTensorType::get({outer, inner}, elem), v, 0);
      SmallVector<Value> copies(multiples[d], view.getResult());
      auto cat = npu::ConcatOp::create(
          rewriter, loc,
          RankedTensorType::get({outer, inner * multiples[d]}, elem), copies,
          /*axis=*/1, /*layer=*/0);
      shape[d] *= multiples[d];
      auto back = npu::ReshapeOp::create(
          rewriter, loc, RankedTensorType::get(shape, elem), cat.getResult(), 0);
      tagLayer(view, node, "Reshape");
      tagLayer(cat, node, "Concat");
      tagLayer(back, node, "Reshape");
      v = back.getResult();
    }
    if (v == tile.getInput1()) { // all multiples 1: the identity
      auto op = npu::ReshapeOp::create(rewriter, loc, tile.getType(), v, 0);
      tagLayer(op, node, "Reshape");
      v = op.getResult();
    }
    rewriter.replaceOp(tile, v);
    return success();
  }
};

} // namespace

void populateLowerConcatPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerConcat, LowerTile>(patterns.getContext());
}

} // namespace tessera::lowering
