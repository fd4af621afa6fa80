//===- ActivationOps.cpp - Activations and Softmax -> TOSA ----------------===//
//
// All keep their input's layout (Conv -> Sigmoid -> Mul, YOLOv5's SiLU,
// stays NHWC). Forms:
//   Sigmoid, Tanh, Exp  tosa.sigmoid, tosa.tanh, tosa.exp
//   LeakyRelu(alpha)    maximum(x, alpha*x) for alpha <= 1, minimum(x,
//                       alpha*x) for alpha > 1: for x >= 0 the larger
//                       (smaller) of the two is x, for x < 0 it is alpha*x.
//                       Exact, two ops, no select.
//   PRelu(slope)        the same with a constant slope that is all <= 1 (or
//                       all > 1); otherwise maximum(x,0) + slope*minimum(x,0).
//                       The slope broadcasts unidirectionally to x; a
//                       per-channel [C,1,1] slope against NHWC x becomes
//                       [1,1,1,C] at import.
//   HardSigmoid         clamp(alpha*x + beta, 0, 1)
//   HardSwish           x * clamp(x/6 + 1/2, 0, 1) (ONNX: alpha 1/6, beta 0.5)
//   Softmax             exp(x - reduce_max(x)) * reciprocal(reduce_sum(...)),
//                       the max subtracted first so exp cannot overflow.
//                       Opset >= 13 normalizes along `axis` (default -1);
//                       opsets 11-12 flatten to 2-D at `axis` (default 1)
//                       and normalize each row.
//   LogSoftmax          x - max - log(reduce_sum(exp(x - max))), i.e.
//                       sub(sub(x, reduce_max), log(reduce_sum(exp(..)))),
//                       with Softmax's axis rules. Both forms are what
//                       --tessera-quantize / --tessera-fold-to-integer
//                       recognise as one integer softmax (QuantUtils
//                       matchSoftmax).
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

template <typename TosaOp>
llvm::Error importUnary(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  return defineElementwise(imp, node, **x, [&](Value v) -> Value {
    return TosaOp::create(imp.builder(), imp.loc(), v.getType(), v);
  });
}

/// rank of the physical value `v`.
int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

/// maximum(x, alpha*x) (alpha <= 1) or minimum(x, alpha*x) (alpha > 1).
Value leaky(GraphImporter &imp, Type type, Value x, Value alpha,
            bool alphaAboveOne) {
  OpBuilder &b = imp.builder();
  Value scaled = createMul(imp, type, x, alpha);
  if (alphaAboveOne)
    return tosa::MinimumOp::create(b, imp.loc(), type, x, scaled);
  return tosa::MaximumOp::create(b, imp.loc(), type, x, scaled);
}

llvm::Error importLeakyRelu(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  AttrReader attrs(imp, node);
  float alpha = attrs.getFloat("alpha", 0.01f);
  if (auto err = attrs.takeError())
    return err;
  if (!std::isfinite(alpha))
    return imp.nodeError("attribute 'alpha' must be finite, got " +
                         Twine(std::to_string(alpha)));
  return defineElementwise(imp, node, **x, [&](Value v) {
    return leaky(imp, v.getType(), v, splatConst(imp, alpha, rankOf(v)),
                 /*alphaAboveOne=*/alpha > 1);
  });
}

llvm::Error importPRelu(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto slope = imp.operand(node, 1);
  if (!slope)
    return slope.takeError();
  auto ops = broadcastOperands(imp, **x, **slope, /*unidirectional=*/true);
  if (!ops)
    return ops.takeError();
  const ConstTensor *c = (*slope)->constant.get();
  bool known = c && c->isFloat();
  auto all = [&](auto pred) { return known && llvm::all_of(c->floats, pred); };
  Value result;
  if (all([](float s) { return s <= 1.0f; }))
    result = leaky(imp, ops->type, ops->lhs, ops->rhs, false);
  else if (all([](float s) { return s > 1.0f; }))
    result = leaky(imp, ops->type, ops->lhs, ops->rhs, true);
  else {
    OpBuilder &b = imp.builder();
    Value zero = splatConst(imp, 0.0f, ops->shape.size());
    Value pos =
        tosa::MaximumOp::create(b, imp.loc(), ops->type, ops->lhs, zero);
    Value neg =
        tosa::MinimumOp::create(b, imp.loc(), ops->type, ops->lhs, zero);
    Value scaled = createMul(imp, ops->type, neg, ops->rhs);
    result = tosa::AddOp::create(b, imp.loc(), ops->type, pos, scaled);
  }
  defineResult(imp, node, 0, result, ops->shape, ops->nhwc);
  return llvm::Error::success();
}

/// clamp(alpha*x + beta, 0, 1), of the physical value `x`.
Value hardSigmoid(GraphImporter &imp, Value x, float alpha, float beta) {
  OpBuilder &b = imp.builder();
  Type type = x.getType();
  int64_t rank = rankOf(x);
  Value ax = createMul(imp, type, x, splatConst(imp, alpha, rank));
  Value axb =
      tosa::AddOp::create(b, imp.loc(), type, ax, splatConst(imp, beta, rank));
  return tosa::ClampOp::create(b, imp.loc(), type, axb, b.getF32FloatAttr(0),
                               b.getF32FloatAttr(1));
}

llvm::Error importHardSigmoid(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  AttrReader attrs(imp, node);
  float alpha = attrs.getFloat("alpha", 0.2f);
  float beta = attrs.getFloat("beta", 0.5f);
  if (auto err = attrs.takeError())
    return err;
  return defineElementwise(imp, node, **x, [&](Value v) {
    return hardSigmoid(imp, v, alpha, beta);
  });
}

llvm::Error importHardSwish(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  return defineElementwise(imp, node, **x, [&](Value v) {
    Value gate = hardSigmoid(imp, v, 1.0f / 6.0f, 0.5f);
    return createMul(imp, v.getType(), v, gate);
  });
}

/// Softmax (LogSoftmax if `log`) of the physical value `x` along its
/// physical axis `axis`.
Value softmax(GraphImporter &imp, Value x, int64_t axis, bool log) {
  OpBuilder &b = imp.builder();
  Type type = x.getType();
  Value max = reduceMax(imp, x, axis);
  Value shifted = tosa::SubOp::create(b, imp.loc(), type, x, max);
  Value e = tosa::ExpOp::create(b, imp.loc(), type, shifted);
  Value sum = reduceSum(imp, e, axis);
  if (log) {
    Value lsum = tosa::LogOp::create(b, imp.loc(), sum.getType(), sum);
    return tosa::SubOp::create(b, imp.loc(), type, shifted, lsum);
  }
  Value inv = tosa::ReciprocalOp::create(b, imp.loc(), sum.getType(), sum);
  return createMul(imp, type, e, inv);
}

template <bool Log>
llvm::Error importSoftmax(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  bool flatten = imp.opset() < 13; // (Log)Softmax-11: coerce to 2-D at axis
  AttrReader attrs(imp, node);
  int64_t axisAttr = attrs.getInt("axis", flatten ? 1 : -1);
  if (auto err = attrs.takeError())
    return err;
  const std::vector<int64_t> &shape = (*x)->shape;
  int64_t rank = (*x)->rank();
  if (rank == 0)
    return imp.nodeError("input must have rank >= 1, got a scalar");
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (axis < 0 || axis >= rank)
    return imp.nodeError("attribute 'axis' = " + Twine(axisAttr) +
                         " is out of range for rank " + Twine(rank));

  // Flattening at the last axis leaves rows that are the last axis itself:
  // the opset-13 form, which keeps an NHWC input NHWC.
  if (!flatten || axis == rank - 1) {
    auto in = physicalValue(imp, **x);
    if (!in)
      return in.takeError();
    Value result = softmax(imp, in->value, in->axis(axis), Log);
    defineResult(imp, node, 0, result, shape, in->nhwc);
    return llvm::Error::success();
  }
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? rows : cols) *= shape[d];
  auto ordered = imp.asOnnxOrder(**x);
  if (!ordered)
    return ordered.takeError();
  Value flat = imp.reshape(*ordered, {rows, cols});
  Value result = imp.reshape(softmax(imp, flat, 1, Log), shape);
  imp.definePlain(node, 0, result, shape);
  return llvm::Error::success();
}

} // namespace

void registerActivationOps(OpTable &table) {
  table["Sigmoid"] = importUnary<tosa::SigmoidOp>;
  table["Tanh"] = importUnary<tosa::TanhOp>;
  table["Exp"] = importUnary<tosa::ExpOp>;
  table["LeakyRelu"] = importLeakyRelu;
  table["PRelu"] = importPRelu;
  table["HardSigmoid"] = importHardSigmoid;
  table["HardSwish"] = importHardSwish;
  table["Softmax"] = importSoftmax<false>;
  table["LogSoftmax"] = importSoftmax<true>;
}

} // namespace tessera::frontend
