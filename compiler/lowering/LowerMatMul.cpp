//===- LowerMatMul.cpp - matmul + rescale (+ clamp) -> 1x1 npu.conv2d -----===//
//
// A [1, M, K] x [1, K, N] integer matmul with a constant right operand is a
// fully connected layer: the ISA runs it as a 1x1 CONV over an input of
// M rows of K channels (docs/isa.md: "A fully connected layer / MatMul is a
// 1x1 CONV with ih = rows, iw = 1"). The activation is viewed as
// [1, M, 1, K] (a reshape, no data movement), the weights are b transposed
// to OHWI [N, 1, 1, K], the bias is zero, and the result is viewed back as
// [1, M, N].
//
// A batch [B, M, K] x [B, K, N] is one grouped 1x1 CONV with groups = B:
// input [1, M, 1, B*K] (a, rows moved to [M, B, K]), weights
// [B*N, 1, 1, K] (b^T: [B, N, K]), output [1, M, 1, B*N] moved back to
// [B, M, N]; output channel b*N + n reads input group b, so every batch
// index is its own product (B = 1: the fully connected layer above). A
// constant b (behind the importer's reshapes) is transposed here into the
// constant. An activation b (attention's Q x K^T, P x V) stays a tensor: the
// CONV reads its weights from DRAM (docs/lowering.md, "MatMul of two
// activations") with b's zero point as w_zp. The moves are tosa.transposes
// that the transpose patterns lower (whole rows of K or N elements for a and
// the output, single elements for b^T unless b is itself a transpose, which
// then cancels).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

using namespace mlir;

namespace tessera::lowering {
namespace {

/// `v` viewed as `shape` (npu.reshape; a view of a view is one view).
Value viewAs(PatternRewriter &rewriter, Location loc, Value v,
             llvm::ArrayRef<int64_t> shape, llvm::StringRef node) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  if (auto inner = v.getDefiningOp<npu::ReshapeOp>()) // a view of a view
    return viewAs(rewriter, loc, inner.getInput(), shape, node);
  auto view = npu::ReshapeOp::create(
      rewriter, loc, RankedTensorType::get(shape, t.getElementType()), v,
      /*layer=*/0);
  tagLayer(view, node, "Reshape");
  return view;
}

/// The dims of `t` that are not 1, in order.
llvm::SmallVector<int64_t> nonUnitDims(RankedTensorType t) {
  llvm::SmallVector<int64_t> dims;
  for (int64_t d = 0; d < t.getRank(); ++d)
    if (t.getDimSize(d) != 1)
      dims.push_back(d);
  return dims;
}

Value permuted(PatternRewriter &rewriter, Location loc, Value v,
               llvm::ArrayRef<int32_t> perms, llvm::StringRef node);

/// `v` permuted by `perms` as one permutation of s when `v` is a transpose
/// T of s (perms q) behind views that only add or drop unit dims: Q of
/// attention, [1, n, h, d] -> [1, h, n, d] -> [h, n, d], moved to [n, h, d]
/// for the CONV, is s itself. Null otherwise.
Value composedWithTranspose(PatternRewriter &rewriter, Location loc, Value v,
                            llvm::ArrayRef<int32_t> perms,
                            llvm::ArrayRef<int64_t> shape,
                            llvm::StringRef node) {
  Value t = skipReshapes(v), s;
  llvm::SmallVector<int64_t> q;
  if (auto tt = t.getDefiningOp<tosa::TransposeOp>()) {
    q.assign(tt.getPerms().begin(), tt.getPerms().end());
    s = tt.getInput1();
  } else if (auto nt = t.getDefiningOp<npu::TransposeOp>();
             nt && !nt.getOffsets()) {
    q.assign(nt.getPerms().begin(), nt.getPerms().end());
    s = nt.getInput();
  }
  if (!s)
    return nullptr;
  auto vType = cast<RankedTensorType>(v.getType());
  auto tType = cast<RankedTensorType>(t.getType());
  auto sType = cast<RankedTensorType>(s.getType());
  llvm::SmallVector<int64_t> vn = nonUnitDims(vType), tn = nonUnitDims(tType);
  if (vn.size() != tn.size())
    return nullptr;
  for (size_t i = 0; i < vn.size(); ++i)
    if (vType.getDimSize(vn[i]) != tType.getDimSize(tn[i]))
      return nullptr;
  // s's unit dims first, then the dims of s the result's non-unit dims are.
  llvm::SmallVector<int32_t> order;
  for (int64_t d = 0; d < sType.getRank(); ++d)
    if (sType.getDimSize(d) == 1)
      order.push_back(static_cast<int32_t>(d));
  for (int32_t p : perms)
    if (vType.getDimSize(p) != 1)
      order.push_back(
          static_cast<int32_t>(q[tn[llvm::find(vn, p) - vn.begin()]]));
  return viewAs(rewriter, loc, permuted(rewriter, loc, s, order, node), shape,
                node);
}

/// `v` with its dims permuted (tosa.transpose semantics: result dim i is
/// input dim perms[i]). The identity is `v`, a permutation that only moves
/// unit dims a view (npu.reshape), a permutation of a transpose one
/// permutation (composedWithTranspose), anything else a tosa.transpose that
/// the transpose patterns lower (LowerRowTranspose.cpp).
Value permuted(PatternRewriter &rewriter, Location loc, Value v,
               llvm::ArrayRef<int32_t> perms, llvm::StringRef node) {
  auto t = cast<RankedTensorType>(v.getType());
  llvm::SmallVector<int64_t> shape;
  for (int32_t p : perms)
    shape.push_back(t.getDimSize(p));
  bool identity = true, unitOnly = true;
  int32_t last = -1;
  for (auto [i, p] : llvm::enumerate(perms)) {
    identity &= p == static_cast<int32_t>(i);
    if (t.getDimSize(p) == 1)
      continue;
    unitOnly &= p > last;
    last = p;
  }
  if (identity)
    return v;
  if (unitOnly)
    return viewAs(rewriter, loc, v, shape, node);
  if (Value c = composedWithTranspose(rewriter, loc, v, perms, shape, node))
    return c;
  auto type = RankedTensorType::get(shape, t.getElementType());
  auto t2 = tosa::TransposeOp::create(rewriter, loc, type, v, perms);
  if (!node.empty()) // its layer-table row is the MatMul's
    t2->setAttr("onnx.node", rewriter.getStringAttr(node));
  return t2;
}

/// `v` [.., R, C] with its last two dims swapped, [.., C, R]. When `v` is a
/// transpose T of s, possibly behind reshapes that keep the last two dims
/// (the importer flattens batch dims), it is T with its last two permutation
/// entries swapped, viewed as [.., C, R]: K^T of attention, or the sweep's
/// x x Transpose(x), cancels instead of moving single elements twice.
Value swapLastTwo(PatternRewriter &rewriter, Location loc, Value v,
                  llvm::StringRef node) {
  auto vt = cast<RankedTensorType>(v.getType());
  int64_t r = vt.getRank();
  llvm::SmallVector<int64_t> shape(vt.getShape());
  std::swap(shape[r - 1], shape[r - 2]);
  if (auto t = skipReshapes(v).getDefiningOp<tosa::TransposeOp>()) {
    auto tt = cast<RankedTensorType>(t.getType());
    int64_t tr = tt.getRank();
    // Equal trailing [R, C] blocks: a row-major reshape keeps each block.
    if (tr >= 2 && tt.getDimSize(tr - 1) == vt.getDimSize(r - 1) &&
        tt.getDimSize(tr - 2) == vt.getDimSize(r - 2)) {
      llvm::SmallVector<int32_t> q(t.getPerms());
      std::swap(q[tr - 1], q[tr - 2]);
      Value swapped = permuted(rewriter, loc, t.getInput1(), q, node);
      return viewAs(rewriter, loc, swapped, shape, node);
    }
  }
  llvm::SmallVector<int32_t> perms;
  for (int32_t i = 0; i < r; ++i)
    perms.push_back(i);
  std::swap(perms[r - 1], perms[r - 2]);
  return permuted(rewriter, loc, v, perms, node);
}

/// [B, M, K] x [B, K, N] -> one grouped 1x1 CONV, weights b^T from the
/// constant image or, for an activation b, from DRAM (see the file comment).
struct LowerMatMul : public OpRewritePattern<tosa::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MatMulOp mm,
                                PatternRewriter &rewriter) const override {
    auto aType = cast<RankedTensorType>(mm.getA().getType());
    auto bType = cast<RankedTensorType>(mm.getB().getType());
    auto accType = cast<RankedTensorType>(mm.getType());
    if (!aType.getElementType().isInteger(8) ||
        !bType.getElementType().isInteger(8) ||
        !accType.getElementType().isInteger(32) || !aType.hasStaticShape() ||
        !bType.hasStaticShape())
      return rewriter.notifyMatchFailure(mm, "expected i8 operands, i32 acc");
    auto rescale = soleUser<tosa::RescaleOp>(mm.getResult());
    if (!rescale)
      return rewriter.notifyMatchFailure(mm, "expected one rescale user");
    RescaleParams rq;
    std::string why;
    if (!readRescale(rescale, rq, why))
      return rewriter.notifyMatchFailure(rescale, why);
    auto azp = readScalarConstant(mm.getAZp());
    auto bzp = readScalarConstant(mm.getBZp());
    if (!azp || !bzp || rq.inputZp != 0)
      return rewriter.notifyMatchFailure(mm, "expected constant zero points");
    int64_t batch = aType.getDimSize(0), m = aType.getDimSize(1);
    int64_t k = aType.getDimSize(2), n = bType.getDimSize(2);
    // Per-column scales repeat for every batch index (output channel b*N+n).
    llvm::SmallVector<int32_t> mult, shift;
    size_t nq = rq.multiplier.size();
    if (nq != 1 && nq != static_cast<size_t>(n))
      return rewriter.notifyMatchFailure(rescale, "expected 1 or N scales");
    for (int64_t b = 0; b < (nq == 1 ? 1 : batch); ++b) {
      mult.append(rq.multiplier);
      shift.append(rq.shift);
    }
    auto outType = cast<RankedTensorType>(rescale.getType());
    Type outElem = outType.getElementType();
    int64_t lo = intTypeMin(outElem), hi = intTypeMax(outElem);
    Operation *last = rescale;
    if (Operation *clamp = absorbClamp(rescale.getResult(), lo, hi))
      last = clamp;

    Location loc = mm.getLoc();
    std::string node = onnxNodeName(mm);
    // Input [1, M, 1, B*K]: a's rows to [M, B, K].
    Value a = permuted(rewriter, loc, mm.getA(), {1, 0, 2}, node);
    Value in = viewAs(rewriter, loc, a, {1, m, 1, batch * k}, node);
    // Weights OHWI [B*N, 1, 1, K]: b^T [B, N, K]; a constant b (behind
    // the importer's reshapes) is transposed here, into the constant image.
    Value w;
    if (auto values = readIntConstant(skipReshapes(mm.getB()))) {
      auto wType = RankedTensorType::get({batch * n, 1, 1, k}, bType.getElementType());
      llvm::SmallVector<APInt> bits;
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t o = 0; o < n; ++o)
          for (int64_t c = 0; c < k; ++c)
            bits.emplace_back(8, (*values)[(b * k + c) * n + o],
                              /*isSigned=*/true);
      w = tosa::ConstOp::create(rewriter, loc, wType,
                                DenseElementsAttr::get(wType, bits));
    } else {
      Value bt = swapLastTwo(rewriter, loc, mm.getB(), node);
      w = viewAs(rewriter, loc, bt, {batch * n, 1, 1, k}, node);
    }
    auto biasType = RankedTensorType::get({batch * n}, rewriter.getI32Type());
    Value bias = tosa::ConstOp::create(
        rewriter, loc, biasType,
        DenseElementsAttr::get(biasType, rewriter.getI32IntegerAttr(0)));
    auto out4 = RankedTensorType::get({1, m, 1, batch * n}, outElem);
    auto conv = npu::Conv2DOp::create(
        rewriter, rewriter.getFusedLoc({loc, last->getLoc()}), out4, in, w,
        bias, llvm::ArrayRef<int64_t>{1, 1}, llvm::ArrayRef<int64_t>{1, 1},
        llvm::ArrayRef<int64_t>{0, 0, 0, 0}, /*groups=*/batch, *azp, *bzp,
        rq.outputZp, mult, shift, rq.doubleRound, lo, hi, /*layer=*/0);
    std::string act = activationName(lo, hi, rq.outputZp, intTypeMin(outElem),
                                     intTypeMax(outElem));
    tagLayer(conv, node, act.empty() ? "MatMul" : "MatMul+" + act);
    // Output [1, M, 1, B*N] -> [M, B, N] -> [B, M, N].
    Value back = viewAs(rewriter, loc, conv, {m, batch, n}, node);
    Value result = permuted(rewriter, loc, back, {1, 0, 2}, node);
    replaceFused(rewriter, last, result, {rescale, mm});
    return success();
  }
};

} // namespace

void populateLowerMatMulPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMatMul>(patterns.getContext());
}

} // namespace tessera::lowering
