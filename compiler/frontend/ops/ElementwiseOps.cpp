//===- ElementwiseOps.cpp - Relu, Clip, Add -> TOSA -----------------------===//
//
// Elementwise ops keep the layout of their input: an NHWC activation stays
// NHWC. Relu and Clip become tosa.clamp (Relu: [0, FLT_MAX], as the TFLite
// and TOSA legalizations do). Add broadcasts as numpy (ONNX multidirectional
// broadcasting): lower-rank operands get leading unit dims, and when the
// result is a 4-D NHWC tensor every operand is brought to NHWC (constants
// re-laid out at import, others through tosa.transpose/reshape).
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <limits>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

/// The input of a layout-preserving op: its NHWC form if it has one.
llvm::Expected<std::pair<Value, bool>> layoutPreservingInput(GraphImporter &imp,
                                                             ImportedValue &v) {
  if (v.nhwc)
    return std::make_pair(v.nhwc, true);
  auto plain = imp.asPlain(v);
  if (!plain)
    return plain.takeError();
  return std::make_pair(*plain, false);
}

llvm::Error emitClamp(GraphImporter &imp, const onnx::NodeProto &node,
                      ImportedValue &x, float lo, float hi) {
  if (lo > hi)
    return imp.nodeError("min " + llvm::Twine(std::to_string(lo)) +
                         " is greater than max " + std::to_string(hi));
  auto in = layoutPreservingInput(imp, x);
  if (!in)
    return in.takeError();
  auto [value, nhwc] = *in;
  OpBuilder &b = imp.builder();
  Value result =
      tosa::ClampOp::create(b, imp.loc(), value.getType(), value,
                            b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
  if (nhwc)
    imp.defineNhwc(node, 0, result, x.shape);
  else
    imp.definePlain(node, 0, result, x.shape);
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
      return imp.nodeError(Twine(role[i]) + " ('" + node.input(i + 1) +
                           "') must be a constant scalar");
    bound[i] = static_cast<float>((*v)->constant->at(0));
  }
  return emitClamp(imp, node, **x, bound[0], bound[1]);
}

/// numpy broadcast of two shapes; std::nullopt if incompatible.
std::optional<std::vector<int64_t>> broadcastShape(llvm::ArrayRef<int64_t> a,
                                                   llvm::ArrayRef<int64_t> b) {
  size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// `v` with leading unit dims up to `rank`, in NHWC (if `nhwc`) or ONNX
/// layout.
llvm::Expected<Value> broadcastOperand(GraphImporter &imp, ImportedValue &v,
                                       size_t rank, bool nhwc) {
  std::vector<int64_t> shape(rank - v.shape.size(), 1);
  shape.insert(shape.end(), v.shape.begin(), v.shape.end());
  if (v.rank() == static_cast<int64_t>(rank))
    return nhwc ? imp.asNhwc(v) : imp.asPlain(v);
  // Rank-expanded copy; constants stay constants so NHWC re-layout is free.
  ImportedValue expanded;
  expanded.shape = shape;
  if (v.constant && !v.plain) {
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

template <typename TosaOp>
llvm::Error importBinary(GraphImporter &imp, const onnx::NodeProto &node) {
  auto a = imp.operand(node, 0);
  if (!a)
    return a.takeError();
  auto b = imp.operand(node, 1);
  if (!b)
    return b.takeError();
  auto outShape = broadcastShape((*a)->shape, (*b)->shape);
  if (!outShape)
    return imp.nodeError("shapes " + formatShape((*a)->shape) + " and " +
                         formatShape((*b)->shape) + " do not broadcast");
  size_t rank = outShape->size();
  bool nhwc = rank == 4 && ((*a)->nhwc || (*b)->nhwc);
  auto va = broadcastOperand(imp, **a, rank, nhwc);
  if (!va)
    return va.takeError();
  auto vb = broadcastOperand(imp, **b, rank, nhwc);
  if (!vb)
    return vb.takeError();
  std::vector<int64_t> physical = *outShape;
  if (nhwc)
    physical = {physical[0], physical[2], physical[3], physical[1]};
  Value result = TosaOp::create(imp.builder(), imp.loc(),
                                imp.tensorType(physical), *va, *vb);
  if (nhwc)
    imp.defineNhwc(node, 0, result, *outShape);
  else
    imp.definePlain(node, 0, result, *outShape);
  return llvm::Error::success();
}

} // namespace

void registerElementwiseOps(OpTable &table) {
  table["Relu"] = importRelu;
  table["Clip"] = importClip;
  table["Add"] = importBinary<tosa::AddOp>;
}

} // namespace tessera::frontend
