//===- CompareWhereOps.cpp - Equal, Greater, Less, Where on tensors -------===//
//
// The run-time forms of the comparisons and Where (all-constant nodes are
// evaluated at import by ShapeComputeOps, which wraps these):
//   Equal(a, b)   -> tosa.equal   (f32, f32) -> i1
//   Greater(a, b) -> tosa.greater (f32, f32) -> i1
//   Less(a, b)    -> tosa.greater(b, a)
//   Where(c, x, y) -> tosa.select(c, x, y), c an i1 value or a constant
//                     bool tensor (materialized as an i1 tosa.const)
// All operands work in ONNX layout (an NHWC operand is brought back first)
// and broadcast as numpy with the elementwise ops' broadcastOperand (lower
// ranks get leading 1s; constants stay constants), as TOSA wants equal
// ranks. Only float data is supported.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"
#include "compiler/frontend/ops/ShapeUtil.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

bool isBoolValue(const ImportedValue &v) {
  Value val = v.plain ? v.plain : v.nhwc;
  return val && cast<ShapedType>(val.getType()).getElementType().isInteger(1);
}

/// `v` in ONNX layout at rank `rank` (leading unit dims added): the
/// elementwise ops' broadcastOperand, except for a constant bool condition.
llvm::Expected<Value> plainAtRank(GraphImporter &imp, ImportedValue &v,
                                  int64_t rank) {
  if (!(v.isConstant() && !v.plain && !v.nhwc && !v.constant->isFloat()))
    return broadcastOperand(imp, v, static_cast<size_t>(rank), /*nhwc=*/false);
  // A constant bool (or integer used as bool) condition: an i1 tosa.const
  // of its own shape, reshaped to the rank.
  auto type = RankedTensorType::get(v.shape, imp.builder().getI1Type());
  llvm::SmallVector<bool> data;
  for (int64_t i = 0; i < v.constant->numElements(); ++i)
    data.push_back(v.constant->at(i) != 0);
  Value c = tosa::ConstOp::create(
      imp.builder(), imp.loc(), type,
      DenseElementsAttr::get(type, llvm::ArrayRef(data)));
  std::vector<int64_t> shape(rank - v.rank(), 1);
  shape.insert(shape.end(), v.shape.begin(), v.shape.end());
  return imp.reshape(c, shape);
}

llvm::Error checkFloat(GraphImporter &imp, const onnx::NodeProto &node,
                       unsigned i, const ImportedValue &v) {
  bool isFloat = v.isConstant() && !v.plain && !v.nhwc
                     ? v.constant->isFloat()
                     : cast<ShapedType>((v.plain ? v.plain : v.nhwc).getType())
                           .getElementType()
                           .isF32();
  if (isFloat)
    return llvm::Error::success();
  return imp.nodeError("input " + quoteName(node.input(i)) +
                       " is not float32 (only float data is supported on "
                       "run-time tensors)");
}

enum class Cmp { Equal, Greater, Less };

template <Cmp kind>
llvm::Error importCompare(GraphImporter &imp, const onnx::NodeProto &node) {
  auto a = imp.operand(node, 0);
  if (!a)
    return a.takeError();
  auto b = imp.operand(node, 1);
  if (!b)
    return b.takeError();
  for (unsigned i = 0; i < 2; ++i)
    if (auto err = checkFloat(imp, node, i, i ? **b : **a))
      return err;
  auto shape = broadcastShapes((*a)->shape, (*b)->shape);
  if (!shape)
    return imp.nodeError("shapes " + formatShape((*a)->shape) + " and " +
                         formatShape((*b)->shape) + " do not broadcast");
  int64_t rank = static_cast<int64_t>(shape->size());
  auto av = plainAtRank(imp, **a, rank);
  if (!av)
    return av.takeError();
  auto bv = plainAtRank(imp, **b, rank);
  if (!bv)
    return bv.takeError();
  auto type = RankedTensorType::get(*shape, imp.builder().getI1Type());
  Value r;
  if constexpr (kind == Cmp::Equal)
    r = tosa::EqualOp::create(imp.builder(), imp.loc(), type, *av, *bv);
  else if constexpr (kind == Cmp::Greater)
    r = tosa::GreaterOp::create(imp.builder(), imp.loc(), type, *av, *bv);
  else
    r = tosa::GreaterOp::create(imp.builder(), imp.loc(), type, *bv, *av);
  imp.definePlain(node, 0, r, *shape);
  return llvm::Error::success();
}

llvm::Error importWhere(GraphImporter &imp, const onnx::NodeProto &node) {
  ImportedValue *in[3];
  for (unsigned i = 0; i < 3; ++i) {
    auto v = imp.operand(node, i);
    if (!v)
      return v.takeError();
    in[i] = *v;
  }
  bool condOk = in[0]->isConstant() && !in[0]->plain && !in[0]->nhwc
                    ? !in[0]->constant->isFloat()
                    : isBoolValue(*in[0]);
  if (!condOk)
    return imp.nodeError("condition " + quoteName(node.input(0)) +
                         " is not bool");
  for (unsigned i = 1; i < 3; ++i)
    if (auto err = checkFloat(imp, node, i, *in[i]))
      return err;
  auto xy = broadcastShapes(in[1]->shape, in[2]->shape);
  auto shape = xy ? broadcastShapes(in[0]->shape, *xy) : std::nullopt;
  if (!shape)
    return imp.nodeError("shapes " + formatShape(in[0]->shape) + ", " +
                         formatShape(in[1]->shape) + " and " +
                         formatShape(in[2]->shape) + " do not broadcast");
  int64_t rank = static_cast<int64_t>(shape->size());
  Value ops[3];
  for (unsigned i = 0; i < 3; ++i) {
    auto v = plainAtRank(imp, *in[i], rank);
    if (!v)
      return v.takeError();
    ops[i] = *v;
  }
  Value r = tosa::SelectOp::create(imp.builder(), imp.loc(),
                                   imp.tensorType(*shape), ops[0], ops[1],
                                   ops[2]);
  imp.definePlain(node, 0, r, *shape);
  return llvm::Error::success();
}

} // namespace

void registerCompareWhereOps(OpTable &table) {
  table["Equal"] = importCompare<Cmp::Equal>;
  table["Greater"] = importCompare<Cmp::Greater>;
  table["Less"] = importCompare<Cmp::Less>;
  table["Where"] = importWhere;
}

} // namespace tessera::frontend
