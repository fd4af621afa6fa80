//===- LowerRowTranspose.cpp - transposes that move whole rows ------------===//
//
// A transpose that keeps the innermost dimension innermost moves whole rows,
// which a strided DMA does at full burst efficiency: it becomes
// npu.transpose. YOLO's detect head writes the other kind,
//   transpose NHWC -> NCHW, reshape [1, A*K, H, W] -> [1, A, K, H, W],
//   transpose (0, 1, 3, 4, 2) -> [1, A, H, W, K],
// whose composition only splits the channels and moves anchors out:
// reshape [1, H, W, A*K] -> [1, H, W, A, K] and transpose (0, 3, 1, 2, 4).
// The second pattern rewrites transpose(reshape(transpose(x))) into that
// when the reshape only splits dimensions and the composition keeps the
// innermost dimension.
// Any other transpose (NHWC -> NCHW before a Flatten of a spatial map, a
// 1-D model's NCW <-> NWC, a MatMul's B^T) moves single elements: it is a
// row transpose of the view with a trailing unit dimension,
//   npu.reshape [.., C] -> [.., C, 1], npu.transpose (perms, r), npu.reshape,
// whose rows are one element each (DMA runs of one element: correct, but each
// costs a whole burst). It runs as a second phase, after every other
// rewrite, so that the transpose-reshape-transpose fold sees its chains first.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

bool staticInt(RankedTensorType t) {
  return isa<IntegerType>(t.getElementType()) && t.hasStaticShape();
}

struct LowerRowTranspose : public OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp t,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(t.getInput1().getType());
    if (!staticInt(in) || in.getRank() < 1)
      return rewriter.notifyMatchFailure(t, "expected static integer");
    llvm::SmallVector<int64_t> perms(t.getPerms().begin(), t.getPerms().end());
    if (perms.back() != in.getRank() - 1)
      return rewriter.notifyMatchFailure(t, "moves the innermost dimension");
    int64_t last = -1;
    bool unitOnly = true;
    for (int64_t p : perms) {
      if (in.getDimSize(p) == 1)
        continue;
      unitOnly &= p > last;
      last = p;
    }
    if (unitOnly)
      return rewriter.notifyMatchFailure(t, "a reshape (LowerTranspose)");
    auto op = npu::TransposeOp::create(rewriter, t.getLoc(), t.getType(),
                                       t.getInput1(), perms, /*layer=*/0,
                                       /*offsets=*/nullptr);
    tagLayer(op, onnxNodeName(t), "Transpose");
    rewriter.replaceOp(t, op.getResult());
    return success();
  }
};

/// transpose(P2) of reshape (splitting dims only) of transpose(P1) of x ->
/// npu.reshape of x (split) + npu.transpose, if that keeps rows.
struct FoldTransposeReshapeTranspose
    : public OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp t2,
                                PatternRewriter &rewriter) const override {
    auto r = t2.getInput1().getDefiningOp<tosa::ReshapeOp>();
    auto t1 = r ? r.getInput1().getDefiningOp<tosa::TransposeOp>()
                : tosa::TransposeOp();
    if (!r || !t1 || !r->hasOneUse() || !t1->hasOneUse())
      return rewriter.notifyMatchFailure(t2, "not transpose-reshape-transpose");
    auto x = cast<RankedTensorType>(t1.getInput1().getType());
    auto mid = cast<RankedTensorType>(t1.getType());
    auto rs = cast<RankedTensorType>(r.getType());
    if (!staticInt(x) || !staticInt(rs))
      return rewriter.notifyMatchFailure(t2, "expected static integer");
    // Group the reshape's dims: group k multiplies to mid dim k.
    llvm::ArrayRef<int64_t> m = mid.getShape(), s = rs.getShape();
    llvm::SmallVector<llvm::SmallVector<int64_t>> groups(m.size());
    size_t i = 0;
    for (size_t k = 0; k < m.size(); ++k) {
      int64_t prod = 1;
      do {
        if (i == s.size())
          return rewriter.notifyMatchFailure(t2, "reshape merges dims");
        prod *= s[i];
        groups[k].push_back(static_cast<int64_t>(i++));
      } while (prod < m[k]);
      if (prod != m[k])
        return rewriter.notifyMatchFailure(t2, "reshape merges dims");
    }
    for (; i < s.size(); ++i) { // trailing unit dims
      if (s[i] != 1 || groups.empty())
        return rewriter.notifyMatchFailure(t2, "reshape merges dims");
      groups.back().push_back(static_cast<int64_t>(i));
    }
    // x dim j is mid dim k with P1[k] == j; split it like group k.
    llvm::ArrayRef<int32_t> p1 = t1.getPerms(), p2 = t2.getPerms();
    llvm::SmallVector<int64_t> split, where(s.size()); // where: r dim -> split
    for (int64_t j = 0; j < x.getRank(); ++j) {
      auto k = llvm::find(p1, j) - p1.begin();
      for (int64_t d : groups[k]) {
        where[d] = static_cast<int64_t>(split.size());
        split.push_back(s[d]);
      }
    }
    // Output dim a is r dim P2[a], which is split dim where[P2[a]].
    llvm::SmallVector<int64_t> q;
    for (int32_t p : p2)
      q.push_back(where[p]);
    if (q.back() != static_cast<int64_t>(split.size()) - 1)
      return rewriter.notifyMatchFailure(t2, "composition moves rows apart");
    auto splitType = RankedTensorType::get(split, x.getElementType());
    auto view = npu::ReshapeOp::create(rewriter, t1.getLoc(), splitType,
                                       t1.getInput1(), /*layer=*/0);
    auto op = npu::TransposeOp::create(rewriter, t2.getLoc(), t2.getType(),
                                       view.getResult(), q, /*layer=*/0,
                                       /*offsets=*/nullptr);
    tagLayer(view, onnxNodeName(t1), "Reshape");
    tagLayer(op, onnxNodeName(t2), "Transpose");
    rewriter.replaceOp(t2, op.getResult());
    rewriter.eraseOp(r);
    rewriter.eraseOp(t1);
    return success();
  }
};

/// Any other static integer transpose: the rows of its [.., 1] view.
struct LowerElementTranspose : public OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp t,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(t.getInput1().getType());
    auto out = cast<RankedTensorType>(t.getType());
    if (!staticInt(in) || in.getRank() < 1)
      return rewriter.notifyMatchFailure(t, "expected static integer");
    const int64_t r = in.getRank();
    llvm::SmallVector<int64_t> perms(t.getPerms().begin(), t.getPerms().end());
    perms.push_back(r);
    llvm::SmallVector<int64_t> inShape(in.getShape()), outShape(out.getShape());
    inShape.push_back(1);
    outShape.push_back(1);
    auto view = npu::ReshapeOp::create(
        rewriter, t.getLoc(),
        RankedTensorType::get(inShape, in.getElementType()), t.getInput1(),
        /*layer=*/0);
    auto op = npu::TransposeOp::create(
        rewriter, t.getLoc(),
        RankedTensorType::get(outShape, out.getElementType()), view.getResult(),
        perms, /*layer=*/0, /*offsets=*/nullptr);
    auto back = npu::ReshapeOp::create(rewriter, t.getLoc(), out,
                                       op.getResult(), /*layer=*/0);
    std::string node = onnxNodeName(t);
    tagLayer(view, node, "Reshape");
    tagLayer(op, node, "Transpose");
    tagLayer(back, node, "Reshape");
    rewriter.replaceOp(t, back.getResult());
    return success();
  }
};

} // namespace

void populateLowerElementTransposePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerElementTranspose>(patterns.getContext());
}

void populateLowerRowTransposePatterns(RewritePatternSet &patterns) {
  // The fold must win over lowering the first transpose alone.
  patterns.add<FoldTransposeReshapeTranspose>(patterns.getContext(),
                                              /*benefit=*/2);
  patterns.add<LowerRowTranspose>(patterns.getContext());
}

} // namespace tessera::lowering
