//===- FoldTable.cpp - Fold quantized sigmoid/tanh/exp to tosa.table ------===//
//
// An elementwise function of an 8-bit quantized input takes at most 256
// values, so
//   dcast(x: s_in, z_in) -> sigmoid | tanh | exp -> qcast(s_out, z_out)
// is exactly tosa.table(x_i8, T) with the 256-entry i8 table
//   T[i] = quantize_out(f(dequantize_in(i - 128)))
// built at compile time by core/quant (buildTable8: round half to even,
// saturate to the output's storage range). TOSA 1.0 TABLE on int8 reads
// table[value + 128] (pseudocode/operators/TABLE.tosac), which is how the
// table is indexed. A uint8 quantization has already been rewritten to the
// i8 storage of the same bytes XOR 0x80 (NormalizeStorage.cpp), whose
// dequantization is the same real value, so one table serves both.
//
// The same holds for any chain of elementwise float ops between one dcast
// and the qcasts (LeakyRelu's mul + maximum, HardSwish's mul, add, clamp,
// mul, HardSigmoid, ...) as long as every other operand is a splat
// constant: FoldElementwiseChain evaluates the chain on the 256 input values
// with the float reference executor (Tessera's only float arithmetic, the
// one the quant-annotated level runs on), so the table equals what that
// level computes, element for element.
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "compiler/reference/Ops.h"

#include "core/quant/Table.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

template <typename OpTy> struct FoldTable : public OpRewritePattern<OpTy> {
  // Benefit 2: a lone sigmoid/tanh/exp is this pattern's (core/quant's
  // double-precision table), not FoldElementwiseChain's.
  FoldTable(MLIRContext *context, TableFunction function)
      : OpRewritePattern<OpTy>(context, /*benefit=*/2), function(function) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // already integer: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, op->getOperand(0), "input");
    if (failed(input))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();

    mq::UniformQuantizedType in = input->type, out = result->type;
    // The input side spans every i8 value (a restricted range only narrows
    // what the producer writes); the output saturates to its storage range.
    TableQuant inQ{{in.getScale(), in.getZeroPoint()}, -128, 127};
    TableQuant outQ{{out.getScale(), out.getZeroPoint()},
                    out.getStorageTypeMin(),
                    out.getStorageTypeMax()};
    std::array<int64_t, 256> entries = buildTable8(function, inQ, outQ);

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type();
    Value table = createIntConst(rewriter, loc, {256}, i8, entries);
    Value x = materializeInteger(rewriter, loc, input->quant);
    auto lookup = tosa::TableOp::create(
        rewriter, loc, withElementType(op.getType(), i8), x, table);
    copyDiscardableAttrs(op, lookup);
    replaceWithInteger(rewriter, op, *result, lookup);
    return success();
  }

  TableFunction function;
};

// isChainOp and isChainConstant: ElementwiseChain.cpp (QuantUtils.h).

/// Benefit 0: the last resort, after every op-specific fold (a mul of a
/// value by itself stays FoldMul's i32 mul, a lone sigmoid FoldTable's).
struct FoldElementwiseChain : public RewritePattern {
  explicit FoldElementwiseChain(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/0, context) {}

  LogicalResult matchAndRewrite(Operation *root,
                                PatternRewriter &rewriter) const override {
    // Every failure is silent: this is the fallback after the op-specific
    // folds, whose reasons are the ones worth reporting.
    if (!isChainOp(root) ||
        llvm::none_of(root->getUsers(),
                      [](Operation *u) { return isa<mq::QuantizeCastOp>(u); }))
      return failure();
    // Walk up from the root: chain ops, splat constants, and one dcast.
    llvm::SetVector<Operation *> chain;
    Value leaf;
    SmallVector<Operation *> work = {root};
    while (!work.empty()) {
      Operation *op = work.pop_back_val();
      if (!chain.insert(op))
        continue;
      for (Value v : op->getOperands()) {
        if (isChainConstant(v))
          continue;
        if (v.getDefiningOp<mq::DequantizeCastOp>()) {
          if (leaf && leaf != v)
            return failure();
          leaf = v;
          continue;
        }
        Operation *def = v.getDefiningOp();
        if (!def || !isChainOp(def))
          return failure();
        work.push_back(def);
      }
    }
    if (!leaf)
      return failure();
    auto shape = cast<ShapedType>(leaf.getType()).getShape();
    for (Operation *op : chain) {
      if (cast<ShapedType>(op->getResult(0).getType()).getShape() != shape)
        return failure();
      if (op != root && llvm::any_of(op->getUsers(), [&](Operation *u) {
            return !chain.contains(u);
          }))
        return failure();
    }
    // The op-specific helpers report through the rewriter; keep them quiet
    // by checking what they need first.
    auto leafType = dyn_cast<mq::UniformQuantizedType>(
        cast<ShapedType>(leaf.getDefiningOp<mq::DequantizeCastOp>()
                             .getInput()
                             .getType())
            .getElementType());
    if (!leafType || !hasIntegerForm(leaf.getDefiningOp<mq::DequantizeCastOp>()
                                         .getInput()))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, root, /*allowFusedClamp=*/false);
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, root, leaf, "input");
    if (failed(result) || failed(input))
      return failure();
    mq::UniformQuantizedType in = input->type, out = result->type;
    if (in.getStorageTypeIntegralWidth() != 8 ||
        out.getStorageTypeIntegralWidth() != 8)
      return failure();
    auto entries = evaluateTable(root, chain, leaf, in, out);
    if (!entries) {
      llvm::consumeError(entries.takeError());
      return failure();
    }

    Location loc = root->getLoc();
    Type i8 = rewriter.getI8Type();
    Value table = createIntConst(rewriter, loc, {256}, i8, *entries);
    Value x = materializeInteger(rewriter, loc, input->quant);
    auto lookup = tosa::TableOp::create(
        rewriter, loc, withElementType(root->getResult(0).getType(), i8), x,
        table);
    copyDiscardableAttrs(root, lookup);
    replaceWithInteger(rewriter, root, *result, lookup);
    // The rest of the chain, last in the block first (users before the
    // values they use).
    SmallVector<Operation *> rest;
    for (Operation *op : chain)
      if (op != root)
        rest.push_back(op);
    llvm::sort(rest, [](Operation *a, Operation *b) {
      return b->isBeforeInBlock(a);
    });
    for (Operation *op : rest)
      rewriter.eraseOp(op);
    return success();
  }

  /// entry[i] = quantize_out(chain(dequantize_in(i - 128))), the chain run
  /// by the reference executor's evaluators on tensors of the leaf's shape
  /// (element j of pass p holds input value (p * n + j) mod 256).
  static llvm::Expected<std::vector<int64_t>>
  evaluateTable(Operation *root, const llvm::SetVector<Operation *> &chain,
                Value leaf, mq::UniformQuantizedType in,
                mq::UniformQuantizedType out) {
    namespace ref = tessera::reference;
    SmallVector<Operation *> order(chain.begin(), chain.end());
    llvm::sort(order, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    auto shape = cast<ShapedType>(leaf.getType()).getShape();
    const int64_t n = cast<ShapedType>(leaf.getType()).getNumElements();
    std::vector<int64_t> entries(256);
    for (int64_t first = 0; first < 256; first += n) {
      llvm::DenseMap<Value, Tensor> env;
      Tensor x(ElementType::F32, std::vector<int64_t>(shape));
      for (int64_t j = 0; j < n; ++j)
        x.data<float>()[j] = static_cast<float>(quant::dequantize(
            -128 + (first + j) % 256, {in.getScale(), in.getZeroPoint()}));
      env[leaf] = std::move(x);
      for (Operation *op : order) {
        std::vector<const Tensor *> args;
        for (Value v : op->getOperands()) {
          auto it = env.find(v);
          if (it == env.end()) { // a constant
            auto c = ref::detail::evalOp(v.getDefiningOp(), {});
            if (!c)
              return c.takeError();
            it = env.try_emplace(v, std::move(*c)).first;
          }
          args.push_back(&it->second);
        }
        auto value = ref::detail::evalOp(op, args);
        if (!value)
          return value.takeError();
        env[op->getResult(0)] = std::move(*value);
      }
      const Tensor &y = env[root->getResult(0)];
      for (int64_t j = 0; j < n && first + j < 256; ++j)
        entries[first + j] = quant::quantizeRange(
            y.data<float>()[j], {out.getScale(), out.getZeroPoint()},
            out.getStorageTypeMin(), out.getStorageTypeMax());
    }
    return entries;
  }
};

} // namespace

void populateFoldTablePatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<FoldTable<tosa::SigmoidOp>>(context, TableFunction::Sigmoid);
  patterns.add<FoldTable<tosa::TanhOp>>(context, TableFunction::Tanh);
  patterns.add<FoldTable<tosa::ExpOp>>(context, TableFunction::Exp);
  patterns.add<FoldElementwiseChain>(context);
}

} // namespace tessera::quant
