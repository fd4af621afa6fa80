//===- ReduceOps.cpp - ReduceMean/Max/Min/Sum -> TOSA reductions ----------===//
//
// One tosa.reduce_max / tosa.reduce_sum per reduced axis (TOSA reduces one
// axis at a time and keeps it with extent 1). ReduceMean multiplies the sum
// by 1/count, a constant made at import (TOSA has no divide). An NHWC input
// is reduced in NHWC (axes remapped: ONNX C=1 -> 3, H=2 -> 1, W=3 -> 2), so
// ReduceMean over H, W after a conv needs no transpose; keepdims = 0 then
// drops the reduced axes with a tosa.reshape, after bringing the value to
// ONNX element order (itself a reshape when only unit dims move).
//
// Axes: attribute `axes` before opset 18, optional constant input 1 from
// opset 18 (ReduceMean-18, ReduceMax-18; ReduceSum from opset 13,
// ReduceSum-13), where noop_with_empty_axes = 1
// makes empty axes the identity instead of "all axes".
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {

namespace {

RankedTensorType reducedType(Value v, int64_t axis) {
  auto type = cast<RankedTensorType>(v.getType());
  auto shape = llvm::to_vector(type.getShape());
  shape[axis] = 1;
  return RankedTensorType::get(shape, type.getElementType());
}

} // namespace

Value reduceSum(GraphImporter &imp, Value v, int64_t axis) {
  OpBuilder &b = imp.builder();
  return tosa::ReduceSumOp::create(b, imp.loc(), reducedType(v, axis), v,
                                   b.getI32IntegerAttr(axis));
}

Value reduceMax(GraphImporter &imp, Value v, int64_t axis) {
  OpBuilder &b = imp.builder();
  return tosa::ReduceMaxOp::create(b, imp.loc(), reducedType(v, axis), v,
                                   b.getI32IntegerAttr(axis));
}

Value reduceMean(GraphImporter &imp, Value v, llvm::ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(v.getType());
  double count = 1;
  for (int64_t a : axes) {
    count *= type.getDimSize(a);
    v = reduceSum(imp, v, a);
  }
  return createMul(imp, v.getType(), v,
                   splatConst(imp, static_cast<float>(1.0 / count),
                              type.getRank()));
}

namespace {

enum class ReduceKind { Mean, Max, Min, Sum };

/// The ONNX axes to reduce, normalized to [0, rank) and sorted; std::nullopt
/// (as an empty optional inside the Expected) means "no reduction".
llvm::Expected<std::optional<std::vector<int64_t>>>
readAxes(GraphImporter &imp, const onnx::NodeProto &node, int64_t rank) {
  AttrReader attrs(imp, node);
  // ReduceSum took its axes as an input already at opset 13.
  const bool axesAsInput =
      imp.opset() >= (node.op_type() == "ReduceSum" ? 13 : 18);
  std::vector<int64_t> axes;
  int64_t noop = 0;
  if (axesAsInput) {
    if (attrs.has("axes"))
      return imp.nodeError("attribute 'axes' is not allowed at opset " +
                           Twine(imp.opset()) + " (from opset " +
                           (node.op_type() == "ReduceSum" ? "13" : "18") +
                           " the axes are input 1)");
    noop = attrs.getInt("noop_with_empty_axes", 0);
    if (node.input_size() > 1 && !node.input(1).empty()) {
      auto ints = constantInts(imp, node, 1, "axes");
      if (!ints)
        return ints.takeError();
      axes = std::move(*ints);
    }
  } else {
    const char *since = node.op_type() == "ReduceSum" ? "13" : "18";
    if (node.input_size() > 1 && !node.input(1).empty())
      return imp.nodeError(Twine("input 'axes' needs opset >= ") + since +
                           " (the model has opset " + Twine(imp.opset()) +
                           "; use attribute 'axes')");
    if (attrs.has("noop_with_empty_axes"))
      return imp.nodeError(Twine("attribute 'noop_with_empty_axes' needs "
                                 "opset >= ") +
                           since + " (the model has opset " +
                           Twine(imp.opset()) + ")");
    axes = attrs.getInts("axes", {});
  }
  if (auto err = attrs.takeError())
    return std::move(err);
  if (noop != 0 && noop != 1)
    return imp.nodeError("attribute 'noop_with_empty_axes' must be 0 or 1, "
                         "got " +
                         Twine(noop));
  if (axes.empty()) {
    if (noop)
      return std::optional<std::vector<int64_t>>();
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  std::vector<int64_t> norm;
  for (int64_t a : axes) {
    int64_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank)
      return imp.nodeError("axis " + Twine(a) + " is out of range for rank " +
                           Twine(rank));
    if (llvm::is_contained(norm, n))
      return imp.nodeError("axis " + Twine(a) + " is repeated");
    norm.push_back(n);
  }
  llvm::sort(norm);
  return std::optional<std::vector<int64_t>>(std::move(norm));
}

template <ReduceKind Kind>
llvm::Error importReduce(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  AttrReader attrs(imp, node);
  int64_t keepdims = attrs.getInt("keepdims", 1);
  if (auto err = attrs.takeError())
    return err;
  if (keepdims != 0 && keepdims != 1)
    return imp.nodeError("attribute 'keepdims' must be 0 or 1, got " +
                         Twine(keepdims));
  const std::vector<int64_t> &shape = (*x)->shape;
  auto axes = readAxes(imp, node, (*x)->rank());
  if (!axes)
    return axes.takeError();
  if (!*axes || (*axes)->empty()) { // noop_with_empty_axes, or a scalar
    imp.defineAlias(node, 0, **x);
    return llvm::Error::success();
  }
  auto in = physicalValue(imp, **x);
  if (!in)
    return in.takeError();
  Value v = in->value;
  std::vector<int64_t> kept = shape, dropped;
  SmallVector<int64_t> physical;
  for (int64_t a : **axes) {
    int64_t axis = in->axis(a);
    physical.push_back(axis);
    kept[a] = 1;
    if (Kind == ReduceKind::Mean)
      continue; // below, all axes at once
    if (Kind == ReduceKind::Min) // ReduceMin (DynamicQuantizeLinear, expanded)
      v = tosa::ReduceMinOp::create(imp.builder(), imp.loc(),
                                    reducedType(v, axis), v,
                                    imp.builder().getI32IntegerAttr(axis));
    else
      v = Kind == ReduceKind::Max ? reduceMax(imp, v, axis)
                                  : reduceSum(imp, v, axis);
  }
  if (Kind == ReduceKind::Mean)
    v = reduceMean(imp, v, physical);
  if (keepdims) {
    defineResult(imp, node, 0, v, kept, in->nhwc);
    return llvm::Error::success();
  }
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (!llvm::is_contained(**axes, d))
      dropped.push_back(shape[d]);
  ImportedValue keptValue;
  keptValue.shape = kept;
  (in->nhwc ? keptValue.nhwc : keptValue.plain) = v;
  auto ordered = imp.asOnnxOrder(keptValue);
  if (!ordered)
    return ordered.takeError();
  imp.definePlain(node, 0, imp.reshape(*ordered, dropped), dropped);
  return llvm::Error::success();
}

} // namespace

void registerReduceOps(OpTable &table) {
  table["ReduceMean"] = importReduce<ReduceKind::Mean>;
  table["ReduceMax"] = importReduce<ReduceKind::Max>;
  table["ReduceMin"] = importReduce<ReduceKind::Min>;
  table["ReduceSum"] = importReduce<ReduceKind::Sum>;
}

} // namespace tessera::frontend
