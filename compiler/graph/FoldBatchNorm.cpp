//===- FoldBatchNorm.cpp - Per-channel mul/add into the conv before them --===//
//
// BatchNormalization in inference is y = x * s + t per channel, s = gamma /
// sqrt(var + eps), t = beta - mean * s (ONNX operator doc); the importer
// emits it as that tosa.mul and tosa.add. After a convolution both fold away:
//   conv(x, W, b) * s      = conv(x, W * s, b * s)   (s per output channel)
//   conv(x, W, b) + t      = conv(x, W, b + t)
// The new weight and bias are computed by tosa.reshape/mul/add ops on the
// constants, evaluated at once by foldToConstant (the reference evaluator),
// so the arithmetic has one definition.
//
//===----------------------------------------------------------------------===//

#include "compiler/graph/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

using namespace mlir;

namespace tessera::graph {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "compiler/graph/Passes.h.inc"

namespace {

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

bool isF32Tensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && rt.hasStaticShape() && rt.getElementType().isF32();
}

/// The conv2d / depthwise_conv2d defining `v`, if float, with constant
/// weight and bias, and `v` used once.
Operation *matchConv(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op ||
      !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp>(
          op) ||
      !v.hasOneUse() || !isF32Tensor(v.getType()) ||
      !isF32Tensor(op->getOperand(1).getType()))
    return nullptr;
  if (!op->getOperand(1).getDefiningOp<tosa::ConstOp>() ||
      !op->getOperand(2).getDefiningOp<tosa::ConstOp>())
    return nullptr;
  return op;
}

/// Splits a binary op into (conv, constant operand) if one operand is a
/// foldable conv and the other a float constant broadcast per output
/// channel: all dimensions 1 except possibly the last, which is then OC.
LogicalResult matchConvAndChannelConst(PatternRewriter &rewriter, Operation *op,
                                       Operation *&conv,
                                       tosa::ConstOp &constant) {
  for (unsigned i = 0; i < 2; ++i) {
    conv = matchConv(op->getOperand(i));
    constant = op->getOperand(1 - i).getDefiningOp<tosa::ConstOp>();
    if (conv && constant)
      break;
  }
  if (!conv || !constant)
    return rewriter.notifyMatchFailure(
        op, "expected a single-use float conv2d/depthwise_conv2d with "
            "constant weight and bias, and a constant");
  if (op->getResult(0).getType() != conv->getResult(0).getType())
    return rewriter.notifyMatchFailure(op, "the constant broadcasts the conv "
                                           "result to a larger shape");
  auto type = cast<RankedTensorType>(constant.getType());
  int64_t oc =
      cast<RankedTensorType>(conv->getResult(0).getType()).getDimSize(3);
  if (!type.getElementType().isF32() || type.getRank() != 4 ||
      type.getDimSize(0) != 1 || type.getDimSize(1) != 1 ||
      type.getDimSize(2) != 1 ||
      (type.getDimSize(3) != 1 && type.getDimSize(3) != oc))
    return rewriter.notifyMatchFailure(
        op, "expected a float constant of shape [1, 1, 1, " + llvm::Twine(oc) +
                "] or [1, 1, 1, 1]");
  return success();
}

/// tosa.reshape of `v` to `shape`, folded to a constant.
Value reshapeConst(PatternRewriter &rewriter, Location loc, Value v,
                   llvm::ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(v.getType()).getElementType());
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(shape.size())},
                                         rewriter.getIndexType());
  Value shapeValue = tosa::ConstShapeOp::create(
      rewriter, loc,
      tosa::shapeType::get(rewriter.getContext(),
                           static_cast<int>(shape.size())),
      DenseIntElementsAttr::get(shapeType, shape));
  Operation *r = tosa::ReshapeOp::create(rewriter, loc, type, v, shapeValue);
  return foldToConstant(rewriter, r, kNoLimit).value_or(r->getResult(0));
}

/// `a` op `b` (tosa.mul or tosa.add, numpy broadcast), folded to a constant.
template <typename OpTy>
Value binaryConst(PatternRewriter &rewriter, Location loc, Value a, Value b) {
  auto ta = cast<RankedTensorType>(a.getType());
  auto tb = cast<RankedTensorType>(b.getType());
  llvm::SmallVector<int64_t> shape;
  for (int64_t d = 0; d < ta.getRank(); ++d)
    shape.push_back(std::max(ta.getDimSize(d), tb.getDimSize(d)));
  auto type = RankedTensorType::get(shape, ta.getElementType());
  Operation *r;
  if constexpr (std::is_same_v<OpTy, tosa::MulOp>) {
    auto shiftType = RankedTensorType::get({1}, rewriter.getI8Type());
    Value shift = tosa::ConstOp::create(
        rewriter, loc, shiftType,
        DenseElementsAttr::get(shiftType, rewriter.getI8IntegerAttr(0)));
    r = tosa::MulOp::create(rewriter, loc, type, a, b, shift);
  } else {
    r = OpTy::create(rewriter, loc, type, a, b);
  }
  return foldToConstant(rewriter, r, kNoLimit).value_or(r->getResult(0));
}

/// The per-channel constant shaped for the weight: [OC,1,1,1] for conv2d
/// and transpose_conv2d (OHWI), [1,1,C,M] for depthwise ([KH,KW,C,M]); all
/// ones for a scalar.
llvm::SmallVector<int64_t> weightBroadcastShape(Operation *conv,
                                                bool perChannel) {
  auto w = cast<RankedTensorType>(conv->getOperand(1).getType());
  if (!perChannel)
    return {1, 1, 1, 1};
  if (isa<tosa::Conv2DOp, tosa::TransposeConv2DOp>(conv))
    return {w.getDimSize(0), 1, 1, 1};
  return {1, 1, w.getDimSize(2), w.getDimSize(3)};
}

/// Gives `conv` a new weight and bias; the new constants are tagged with
/// the conv's ONNX node, the old ones erased once unused.
void replaceConvConstants(PatternRewriter &rewriter, Operation *conv,
                          Value weight, Value bias) {
  Operation *oldWeight = conv->getOperand(1).getDefiningOp();
  Operation *oldBias = conv->getOperand(2).getDefiningOp();
  rewriter.modifyOpInPlace(conv, [&] {
    conv->setOperand(1, weight);
    conv->setOperand(2, bias);
  });
  for (Value v : {weight, bias})
    if (Operation *def = v.getDefiningOp();
        def && !def->hasAttr("onnx.node") && conv->hasAttr("onnx.node"))
      def->setAttr("onnx.node", conv->getAttr("onnx.node"));
  for (Operation *old : {oldWeight, oldBias})
    if (old && old != weight.getDefiningOp() && old->use_empty())
      rewriter.eraseOp(old);
}

/// The conv (modified in place) takes over `absorbed`'s result: its ONNX
/// output name and layout, its node in `onnx.fused`, its location.
void absorb(PatternRewriter &rewriter, Operation *conv, Operation *absorbed) {
  static constexpr llvm::StringLiteral kNode = "onnx.node",
                                       kFused = "onnx.fused",
                                       kOutput = "onnx.output",
                                       kLayout = "onnx.layout";
  Attribute convNode = conv->getAttr(kNode);
  llvm::SmallVector<Attribute> fused;
  auto add = [&](Attribute a) {
    if (a && a != convNode && !llvm::is_contained(fused, a))
      fused.push_back(a);
  };
  if (auto f = conv->getAttrOfType<ArrayAttr>(kFused))
    llvm::for_each(f, add);
  add(absorbed->getAttr(kNode));
  if (auto f = absorbed->getAttrOfType<ArrayAttr>(kFused))
    llvm::for_each(f, add);
  rewriter.modifyOpInPlace(conv, [&] {
    if (!fused.empty())
      conv->setAttr(kFused, rewriter.getArrayAttr(fused));
    for (llvm::StringLiteral name : {kOutput, kLayout}) {
      if (Attribute a = absorbed->getAttr(name))
        conv->setAttr(name, a);
      else
        conv->removeAttr(name);
    }
    conv->setLoc(rewriter.getFusedLoc({conv->getLoc(), absorbed->getLoc()}));
  });
  rewriter.replaceOp(absorbed, conv->getResult(0));
}

struct FoldMulIntoConv : public OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MulOp op,
                                PatternRewriter &rewriter) const override {
    Operation *conv;
    tosa::ConstOp scale;
    if (failed(matchConvAndChannelConst(rewriter, op, conv, scale)))
      return failure();
    auto shift = op.getShift().getDefiningOp<tosa::ConstOp>();
    if (!shift || !llvm::all_of(shift.getValues().getValues<APInt>(),
                                [](const APInt &v) { return v.isZero(); }))
      return rewriter.notifyMatchFailure(op, "expected a constant shift of 0");

    bool perChannel =
        cast<RankedTensorType>(scale.getType()).getDimSize(3) != 1;
    Location loc = conv->getLoc();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(conv);
    Value s = scale.getResult();
    Value sw =
        reshapeConst(rewriter, loc, s, weightBroadcastShape(conv, perChannel));
    Value weight =
        binaryConst<tosa::MulOp>(rewriter, loc, conv->getOperand(1), sw);
    int64_t n =
        perChannel ? cast<RankedTensorType>(scale.getType()).getDimSize(3) : 1;
    Value sb = reshapeConst(rewriter, loc, s, {n});
    Value bias =
        binaryConst<tosa::MulOp>(rewriter, loc, conv->getOperand(2), sb);
    replaceConvConstants(rewriter, conv, weight, bias);
    absorb(rewriter, conv, op);
    return success();
  }
};

struct FoldAddIntoConv : public OpRewritePattern<tosa::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::AddOp op,
                                PatternRewriter &rewriter) const override {
    Operation *conv;
    tosa::ConstOp offset;
    if (failed(matchConvAndChannelConst(rewriter, op, conv, offset)))
      return failure();
    auto type = cast<RankedTensorType>(offset.getType());
    Location loc = conv->getLoc();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(conv);
    Value t =
        reshapeConst(rewriter, loc, offset.getResult(), {type.getDimSize(3)});
    Value bias =
        binaryConst<tosa::AddOp>(rewriter, loc, conv->getOperand(2), t);
    replaceConvConstants(rewriter, conv, conv->getOperand(1), bias);
    absorb(rewriter, conv, op);
    return success();
  }
};

struct FoldBatchNormPass
    : public impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    // TOSA's own folders would also rewrite unrelated ops, and constant CSE
    // would hoist and merge every constant: this pass only folds into
    // convolutions and leaves the rest of the function as it was.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

void populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldMulIntoConv, FoldAddIntoConv>(patterns.getContext());
}

} // namespace tessera::graph
