//===- FoldSoftmax.cpp - Fold a quantized Softmax / LogSoftmax to integer -===//
//
// The importer's float Softmax / LogSoftmax (QuantUtils matchSoftmaxChain)
// between a dcast of the input (s_in, z_in) and the qcast of the result
// (s_out, z_out) becomes one
//   tosa.custom {domain_name = "tessera", operator_name = "softmax" |
//                "log_softmax", implementation_attrs = "axis=K"}
//     (x_i8, table: tensor<256xi32>, params: tensor<7xi32>)
// TOSA 1.0 has no softmax operator; TOSA's legalizations spell it as some
// twenty ops (CLZ, Newton-Raphson in MUL with shifts, an i16 TABLE) that the
// NPU would have to re-assemble, so Tessera keeps it as the one custom op the
// vector unit runs (ELTWISE softmax). Its arithmetic is core/kernels
// quantSoftmax (TFLite's scheme: subtract the row max, exp from a table,
// int32 sum, reciprocal, multiply, rescale); table and parameters come from
// core/quant buildSoftmaxParams:
//   table[d] = round(exp(-s_in d) * 2^15)           d = max - x in [0, 255]
//   params   = [multiplier, shift, in_mult, log_mult, z_out, lo, hi]
// with (multiplier, shift) = 2^-31 / s_out (softmax), in_mult = s_in / s_out
// and log_mult = ln 2 / s_out in Q16 (log_softmax), [lo, hi] the output
// storage range.
//
//===----------------------------------------------------------------------===//

#include "compiler/patterns/TesseraCustom.h"
#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "core/quant/Table.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

template <typename OpTy> struct FoldSoftmax : public OpRewritePattern<OpTy> {
  FoldSoftmax(MLIRContext *context)
      : OpRewritePattern<OpTy>(context, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return failure(); // does not apply: not a reason to record
    std::optional<SoftmaxChain> chain = matchSoftmaxChain(op);
    if (!chain)
      return failure(); // does not apply: not a reason to record
    FailureOr<QuantizedOperand> input =
        matchQuantizedOperand(rewriter, op, chain->input, "softmax input");
    if (failed(input))
      return failure();
    FailureOr<QuantizedResult> result =
        matchQuantizedResult(rewriter, op, /*allowFusedClamp=*/false);
    if (failed(result))
      return failure();
    std::string error;
    std::optional<SoftmaxParams> p =
        buildSoftmaxParams(input->type.getScale(), result->type.getScale(),
                           chain->log, &error);
    if (!p)
      return rewriter.notifyMatchFailure(op, error);
    auto [lo, hi] = resultClampBounds(*result);

    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    SmallVector<int64_t> entries(p->expTable.begin(), p->expTable.end());
    Value table = createIntConst(rewriter, loc, {256}, i32, entries);
    Value params = createIntConst(
        rewriter, loc, {7}, i32,
        {p->multiplier, p->shift, p->inMult, p->logMult,
         result->type.getZeroPoint(), lo, hi});
    Value x = materializeInteger(rewriter, loc, input->quant);
    Type outType =
        withElementType(op.getType(), result->type.getStorageType());
    auto custom = patterns::createTesseraCustom(
        rewriter, loc, outType, chain->log ? "log_softmax" : "softmax",
        chain->axis, ValueRange{x, table, params});
    copyDiscardableAttrs(op, custom);
    replaceWithInteger(rewriter, op, *result, custom.getResult(0));
    eraseUnusedInterior(rewriter, chain->interior);
    return success();
  }
};

} // namespace

void populateFoldSoftmaxPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldSoftmax<tosa::MulOp>, FoldSoftmax<tosa::SubOp>>(
      patterns.getContext());
}

} // namespace tessera::quant
