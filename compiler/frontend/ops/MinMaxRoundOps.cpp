//===- MinMaxRoundOps.cpp - Min/Max/Sum/Mean (variadic), Round -> TOSA ----===//
//
// Min, Max, Sum and Mean take one or more float inputs that broadcast
// together as numpy does; the importer folds them left to right with
// tosa.minimum / tosa.maximum / tosa.add (Mean then multiplies by 1/n), each
// step broadcasting through broadcastOperands
// (Elementwise.h), so an NHWC operand keeps the result NHWC. One input is the
// identity. TOSA's default nan_mode (PROPAGATE) gives numpy's NaN rule.
//
// Round rounds half to even (ONNX Round-11: "round half to even", as
// numpy.round). TOSA 1.0 has no round operator (its float unary ops are
// abs, ceil, floor, exp, log, negate, reciprocal, rsqrt, sin, cos, erf), so
// Round is math.roundeven: one op, exact for every f32 including -0.0,
// infinities and NaN. The reference executor evaluates it with core/quant's
// roundWith(HalfEven); upstream MLIR lowers it to llvm.intr.roundeven.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {

namespace {

/// True if `v` holds f32 values (a float constant or an f32 SSA value).
bool isFloatValue(const ImportedValue &v) {
  if (v.constant && !v.plain && !v.nhwc)
    return v.constant->isFloat();
  Value val = v.plain ? v.plain : v.nhwc;
  return val && cast<ShapedType>(val.getType()).getElementType().isF32();
}

enum class Variadic { Min, Max, Sum, Mean };

template <Variadic kind>
llvm::Error importVariadic(GraphImporter &imp, const onnx::NodeProto &node) {
  if (node.input_size() < 1)
    return imp.nodeError("needs at least one input");
  ImportedValue acc;
  for (int i = 0; i < node.input_size(); ++i) {
    auto x = imp.operand(node, i);
    if (!x)
      return x.takeError();
    if (!isFloatValue(**x))
      return imp.nodeError("input " + quoteName(node.input(i)) +
                           " is not float32 (only float " + node.op_type() +
                           " is supported)");
    if (i == 0) {
      acc = **x;
      continue;
    }
    auto ops = broadcastOperands(imp, acc, **x);
    if (!ops)
      return ops.takeError();
    OpBuilder &b = imp.builder();
    Value v;
    if constexpr (kind == Variadic::Min)
      v = tosa::MinimumOp::create(b, imp.loc(), ops->type, ops->lhs, ops->rhs);
    else if constexpr (kind == Variadic::Max)
      v = tosa::MaximumOp::create(b, imp.loc(), ops->type, ops->lhs, ops->rhs);
    else
      v = tosa::AddOp::create(b, imp.loc(), ops->type, ops->lhs, ops->rhs);
    acc = ImportedValue();
    acc.shape = ops->shape;
    (ops->nhwc ? acc.nhwc : acc.plain) = v;
  }
  if (node.input_size() == 1) {
    imp.defineAlias(node, 0, acc);
    return llvm::Error::success();
  }
  Value result = acc.nhwc ? acc.nhwc : acc.plain;
  if constexpr (kind == Variadic::Mean) {
    // The sum times 1/n (1/n rounded once to f32).
    auto type = cast<RankedTensorType>(result.getType());
    result = createMul(imp, type, result,
                       splatConst(imp, 1.0f / node.input_size(),
                                  type.getRank()));
  }
  defineResult(imp, node, 0, result, acc.shape, static_cast<bool>(acc.nhwc));
  return llvm::Error::success();
}

llvm::Error importRound(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  if (!isFloatValue(**x))
    return imp.nodeError("input " + quoteName(node.input(0)) +
                         " is not float32 (only float Round is supported)");
  return defineElementwise(imp, node, **x, [&](Value v) -> Value {
    return math::RoundEvenOp::create(imp.builder(), imp.loc(), v);
  });
}

} // namespace

void registerMinMaxRoundOps(OpTable &table) {
  table["Min"] = importVariadic<Variadic::Min>;
  table["Max"] = importVariadic<Variadic::Max>;
  table["Sum"] = importVariadic<Variadic::Sum>;
  table["Mean"] = importVariadic<Variadic::Mean>;
  table["Round"] = importRound;
}

} // namespace tessera::frontend
