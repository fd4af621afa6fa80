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
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "core/quant/Table.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

template <typename OpTy> struct FoldTable : public OpRewritePattern<OpTy> {
  FoldTable(MLIRContext *context, TableFunction function)
      : OpRewritePattern<OpTy>(context), function(function) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getType()))
      return rewriter.notifyMatchFailure(op, "not a float op");
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

} // namespace

void populateFoldTablePatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<FoldTable<tosa::SigmoidOp>>(context, TableFunction::Sigmoid);
  patterns.add<FoldTable<tosa::TanhOp>>(context, TableFunction::Tanh);
  patterns.add<FoldTable<tosa::ExpOp>>(context, TableFunction::Exp);
}

} // namespace tessera::quant
