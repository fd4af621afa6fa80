//===- ElementwiseOps.cpp - Relu, Clip, Add/Sub/Mul/Div/Pow -> TOSA -------===//
//
// Elementwise ops keep the layout of their input: an NHWC activation stays
// NHWC. Relu and Clip become tosa.clamp (Relu: [0, FLT_MAX], as the TFLite
// and TOSA legalizations do). The binary ops broadcast as numpy (see
// Elementwise.h) and map one to one, except:
//  - Div is arith.divf (TOSA has no float divide): IEEE division, correctly
//    rounded, so it equals onnxruntime's bit for bit; x * (1/d) rounds
//    twice (up to 1.5 ulp off), which breaks ONNX's expanded
//    DynamicQuantizeLinear (docs/frontend.md). arith.divf wants equal
//    shapes: broadcast operands are expanded with tosa.tile first. Integer
//    Div only occurs on constants (shape arithmetic), evaluated at import.
//  - Pow with a constant exponent of 2 everywhere is x * x (exact, and
//    defined for x < 0, where TOSA leaves pow undefined); other exponents
//    are tosa.pow.
// Nodes whose inputs are all constants (shape arithmetic: Shape -> Gather ->
// Mul -> Reshape) never get here: ShapeComputeOps evaluates them on the host.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>
#include <limits>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {

//===----------------------------------------------------------------------===//
// Shared helpers (Elementwise.h)
//===----------------------------------------------------------------------===//

llvm::Expected<Value> broadcastOperand(GraphImporter &imp, ImportedValue &v,
                                       size_t rank, bool nhwc) {
  if (v.rank() == static_cast<int64_t>(rank))
    return nhwc ? imp.asNhwc(v) : imp.asPlain(v);
  std::vector<int64_t> shape(rank - v.shape.size(), 1);
  shape.insert(shape.end(), v.shape.begin(), v.shape.end());
  // Rank-expanded copy; constants stay constants so NHWC re-layout is free.
  ImportedValue expanded;
  expanded.shape = shape;
  if (v.constant && !v.plain && !v.nhwc) {
    auto c = std::make_shared<ConstTensor>(*v.constant);
    c->shape = shape;
    expanded.constant = std::move(c);
  } else {
    auto ordered = imp.asOnnxOrder(v);
    if (!ordered)
      return ordered.takeError();
    expanded.plain = imp.reshape(*ordered, shape);
  }
  return nhwc ? imp.asNhwc(expanded) : imp.asPlain(expanded);
}

llvm::Expected<BroadcastOperands> broadcastOperands(GraphImporter &imp,
                                                    ImportedValue &a,
                                                    ImportedValue &b,
                                                    bool unidirectional) {
  auto outShape = broadcastShapes(a.shape, b.shape);
  if (!outShape || (unidirectional && *outShape != a.shape))
    return imp.nodeError("shapes " + formatShape(a.shape) + " and " +
                         formatShape(b.shape) + " do not broadcast" +
                         (unidirectional ? " (unidirectionally)" : ""));
  BroadcastOperands r;
  r.shape = *outShape;
  size_t rank = r.shape.size();
  r.nhwc = rank == 4 && (a.nhwc || b.nhwc);
  auto va = broadcastOperand(imp, a, rank, r.nhwc);
  if (!va)
    return va.takeError();
  auto vb = broadcastOperand(imp, b, rank, r.nhwc);
  if (!vb)
    return vb.takeError();
  r.lhs = *va;
  r.rhs = *vb;
  r.type = imp.tensorType(physicalShape(r.shape, r.nhwc));
  return r;
}

Value splatConst(GraphImporter &imp, float value, int64_t rank) {
  return imp.constFloat(std::vector<int64_t>(rank, 1), {value});
}

Value createMul(GraphImporter &imp, Type type, Value a, Value b) {
  OpBuilder &bld = imp.builder();
  auto shiftType = RankedTensorType::get({1}, bld.getI8Type());
  Value shift = tosa::ConstOp::create(
      bld, imp.loc(), shiftType,
      DenseElementsAttr::get(shiftType, llvm::ArrayRef<int8_t>{0}));
  return tosa::MulOp::create(bld, imp.loc(), type, a, b, shift);
}

//===----------------------------------------------------------------------===//
// Importers
//===----------------------------------------------------------------------===//

namespace {

llvm::Error emitClamp(GraphImporter &imp, const onnx::NodeProto &node,
                      ImportedValue &x, float lo, float hi) {
  if (std::isnan(lo) || std::isnan(hi))
    return imp.nodeError(llvm::Twine(std::isnan(lo) ? "min" : "max") +
                         " is NaN");
  if (lo > hi)
    return imp.nodeError("min " + llvm::Twine(std::to_string(lo)) +
                         " is greater than max " + std::to_string(hi));
  auto in = physicalValue(imp, x);
  if (!in)
    return in.takeError();
  OpBuilder &b = imp.builder();
  Value result =
      tosa::ClampOp::create(b, imp.loc(), in->value.getType(), in->value,
                            b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
  defineResult(imp, node, 0, result, x.shape, in->nhwc);
  return llvm::Error::success();
}

llvm::Error importRelu(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  return emitClamp(imp, node, **x, 0.0f, std::numeric_limits<float>::max());
}

llvm::Error importClip(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  // Opset >= 11: min and max are optional scalar inputs.
  float bound[2] = {std::numeric_limits<float>::lowest(),
                    std::numeric_limits<float>::max()};
  const char *role[2] = {"min", "max"};
  for (unsigned i = 0; i < 2; ++i) {
    auto v = imp.optionalOperand(node, i + 1);
    if (!v)
      return v.takeError();
    if (!*v)
      continue;
    if (!(*v)->isConstant() || (*v)->constant->numElements() != 1)
      return imp.nodeError(Twine(role[i]) + " (" +
                           quoteName(node.input(i + 1)) +
                           ") must be a constant scalar");
    bound[i] = static_cast<float>((*v)->constant->at(0));
  }
  return emitClamp(imp, node, **x, bound[0], bound[1]);
}

enum class BinaryKind { Add, Sub, Mul, Div, Pow };

/// True if `v` is a float constant whose every element equals `value`.
bool isSplatConstant(const ImportedValue &v, float value) {
  return v.constant && v.constant->isFloat() &&
         llvm::all_of(v.constant->floats, [&](float f) { return f == value; });
}

template <BinaryKind Kind>
llvm::Error importBinary(GraphImporter &imp, const onnx::NodeProto &node) {
  auto a = imp.operand(node, 0);
  if (!a)
    return a.takeError();
  auto b = imp.operand(node, 1);
  if (!b)
    return b.takeError();
  ImportedValue &x = **a, &y = **b;

  // Pow(x, 2): x * x, when the exponent does not broadcast x.
  if (Kind == BinaryKind::Pow && isSplatConstant(y, 2.0f) &&
      broadcastShapes(x.shape, y.shape) == x.shape) {
    auto in = physicalValue(imp, x);
    if (!in)
      return in.takeError();
    Value sq = createMul(imp, in->value.getType(), in->value, in->value);
    defineResult(imp, node, 0, sq, x.shape, in->nhwc);
    return llvm::Error::success();
  }

  auto ops = broadcastOperands(imp, x, y);
  if (!ops)
    return ops.takeError();
  OpBuilder &bld = imp.builder();
  Location loc = imp.loc();
  Value result;
  switch (Kind) {
  case BinaryKind::Add:
    result = tosa::AddOp::create(bld, loc, ops->type, ops->lhs, ops->rhs);
    break;
  case BinaryKind::Sub:
    result = tosa::SubOp::create(bld, loc, ops->type, ops->lhs, ops->rhs);
    break;
  case BinaryKind::Mul:
    result = createMul(imp, ops->type, ops->lhs, ops->rhs);
    break;
  case BinaryKind::Div: {
    // Expand each operand to the result shape (tosa.tile by out / in).
    auto expand = [&](Value v) -> Value {
      auto shape = cast<RankedTensorType>(v.getType()).getShape();
      if (shape == ops->type.getShape())
        return v;
      SmallVector<int64_t> multiples;
      for (auto [out, in] : llvm::zip(ops->type.getShape(), shape))
        multiples.push_back(out / in);
      return tosa::TileOp::create(bld, loc, ops->type, v,
                                  imp.constShape(multiples));
    };
    // One statement each: the order of function arguments' evaluation is
    // unspecified (gcc and clang differ), the order of the ops is not.
    Value rhs = expand(ops->rhs);
    Value lhs = expand(ops->lhs);
    result = arith::DivFOp::create(bld, loc, lhs, rhs);
    break;
  }
  case BinaryKind::Pow:
    result = tosa::PowOp::create(bld, loc, ops->type, ops->lhs, ops->rhs);
    break;
  }
  defineResult(imp, node, 0, result, ops->shape, ops->nhwc);
  return llvm::Error::success();
}

} // namespace

void registerElementwiseOps(OpTable &table) {
  table["Relu"] = importRelu;
  table["Clip"] = importClip;
  table["Add"] = importBinary<BinaryKind::Add>;
  table["Sub"] = importBinary<BinaryKind::Sub>;
  table["Mul"] = importBinary<BinaryKind::Mul>;
  table["Div"] = importBinary<BinaryKind::Div>;
  table["Pow"] = importBinary<BinaryKind::Pow>;
}

} // namespace tessera::frontend
