//===- ShapeUtil.cpp - Axis, layout and index helpers for data-movement ops
//===//

#include "compiler/frontend/ops/ShapeUtil.h"

#include "core/tensor/Limits.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {

llvm::Expected<int64_t> normalizeAxis(GraphImporter &imp, int64_t axis,
                                      int64_t rank, int64_t limit,
                                      llvm::StringRef what) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= limit)
    return imp.nodeError(what + " = " + Twine(axis) +
                         " is out of range for rank " + Twine(rank));
  return a;
}

std::optional<std::vector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
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

std::vector<int64_t> physicalShape(llvm::ArrayRef<int64_t> s, bool nhwc) {
  if (!nhwc)
    return s.vec();
  return {s[0], s[2], s[3], s[1]};
}

llvm::Expected<PhysicalValue> physicalValue(GraphImporter &imp,
                                            ImportedValue &v) {
  PhysicalValue p;
  p.nhwc = v.nhwc != nullptr && v.rank() == 4;
  auto value = p.nhwc ? imp.asNhwc(v) : imp.asPlain(v);
  if (!value)
    return value.takeError();
  p.value = *value;
  p.shape = physicalShape(v.shape, p.nhwc);
  return p;
}

void defineResult(GraphImporter &imp, const onnx::NodeProto &node, unsigned i,
                  Value v, std::vector<int64_t> onnxShape, bool nhwc) {
  if (nhwc)
    imp.defineNhwc(node, i, v, std::move(onnxShape));
  else
    imp.definePlain(node, i, v, std::move(onnxShape));
}

llvm::Error defineElementwise(GraphImporter &imp, const onnx::NodeProto &node,
                              ImportedValue &x,
                              llvm::function_ref<Value(Value)> fn) {
  auto in = physicalValue(imp, x);
  if (!in)
    return in.takeError();
  defineResult(imp, node, 0, fn(in->value), x.shape, in->nhwc);
  return llvm::Error::success();
}

Value constI32(GraphImporter &imp, llvm::ArrayRef<int64_t> shape,
               llvm::ArrayRef<int32_t> data) {
  auto type = imp.tensorType(shape, imp.builder().getI32Type());
  return tosa::ConstOp::create(imp.builder(), imp.loc(), type,
                               DenseElementsAttr::get(type, data));
}

namespace {

std::vector<int64_t> shapeOf(Value v) {
  auto s = cast<RankedTensorType>(v.getType()).getShape();
  return std::vector<int64_t>(s.begin(), s.end());
}

/// `v` with `size` elements from `start` along `axis`.
Value sliceAxis(GraphImporter &imp, Value v, int64_t axis, int64_t start,
                int64_t size) {
  std::vector<int64_t> shape = shapeOf(v);
  std::vector<int64_t> begin(shape.size(), 0);
  begin[axis] = start;
  shape[axis] = size;
  return imp.slice(v, begin, shape);
}

/// A run of the index list: `count` indices from `first`, each `step` more
/// than the previous (step 1: consecutive; step 0: one index repeated).
struct Run {
  int64_t first, count, step;
};

std::vector<Run> runsOf(llvm::ArrayRef<int64_t> idx) {
  std::vector<Run> runs;
  for (size_t i = 0; i < idx.size();) {
    Run r{idx[i], 1, 0};
    if (i + 1 < idx.size() &&
        (idx[i + 1] == idx[i] + 1 || idx[i + 1] == idx[i]))
      r.step = idx[i + 1] - idx[i];
    while (i + r.count < idx.size() &&
           idx[i + r.count] == r.first + r.step * r.count)
      ++r.count;
    runs.push_back(r);
    i += r.count;
  }
  return runs;
}

Value takeRun(GraphImporter &imp, Value v, int64_t axis, const Run &r) {
  if (r.step == 1 || r.count == 1)
    return sliceAxis(imp, v, axis, r.first, r.count);
  // A repeated index: one slice tiled along the axis.
  Value one = sliceAxis(imp, v, axis, r.first, 1);
  std::vector<int64_t> shape = shapeOf(one), multiples(shape.size(), 1);
  multiples[axis] = r.count;
  shape[axis] = r.count;
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(v.getType()).getElementType());
  return tosa::TileOp::create(imp.builder(), imp.loc(), type, one,
                              imp.constShape(multiples));
}

} // namespace

Value gatherAlongAxis(GraphImporter &imp, Value v, int64_t axis,
                      llvm::ArrayRef<int64_t> indices) {
  std::vector<int64_t> shape = shapeOf(v);
  int64_t outer = 1, inner = 1, dim = shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  auto n = static_cast<int64_t>(indices.size());
  // TOSA GATHER: values [N, K, C], indices [N, W] -> [N, W, C]; the same
  // index row for every outer slice.
  std::vector<int32_t> idx;
  idx.reserve(outer * n);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : indices)
      idx.push_back(static_cast<int32_t>(i));
  Value values = imp.reshape(v, {outer, dim, inner});
  Value idxV = constI32(imp, {outer, n}, idx);
  auto elem = cast<RankedTensorType>(v.getType()).getElementType();
  Value g = tosa::GatherOp::create(imp.builder(), imp.loc(),
                                   imp.tensorType({outer, n, inner}, elem),
                                   values, idxV);
  shape[axis] = n;
  return imp.reshape(g, shape);
}

Value takeAlongAxis(GraphImporter &imp, Value v, int64_t axis,
                    llvm::ArrayRef<int64_t> indices) {
  std::vector<int64_t> shape = shapeOf(v);
  const int64_t dim = shape[axis];
  const auto n = static_cast<int64_t>(indices.size());
  // An ascending progression first: slice, or strided slice by reshape.
  if (n >= 2 && indices[1] > indices[0]) {
    int64_t step = indices[1] - indices[0];
    bool progression = true;
    for (int64_t i = 2; i < n && progression; ++i)
      progression = indices[i] - indices[i - 1] == step;
    if (progression && step == 1)
      return sliceAxis(imp, v, axis, indices[0], n);
    if (progression && indices[0] + step * n <= dim) {
      // [.., step*n, ..] -> [.., n, step, ..], keep [.., n, 1, ..].
      Value s = sliceAxis(imp, v, axis, indices[0], step * n);
      std::vector<int64_t> split = shapeOf(s);
      split[axis] = step;
      split.insert(split.begin() + axis, n);
      Value r = imp.reshape(s, split);
      std::vector<int64_t> begin(split.size(), 0), size = split;
      size[axis + 1] = 1;
      Value picked = imp.slice(r, begin, size);
      shape[axis] = n;
      return imp.reshape(picked, shape);
    }
  }
  std::vector<Run> runs = runsOf(indices);
  if (static_cast<int64_t>(runs.size()) > kMaxTakePieces)
    return gatherAlongAxis(imp, v, axis, indices);
  llvm::SmallVector<Value> pieces;
  for (const Run &r : runs)
    pieces.push_back(takeRun(imp, v, axis, r));
  if (pieces.size() == 1)
    return pieces[0];
  shape[axis] = n;
  auto elem = cast<RankedTensorType>(v.getType()).getElementType();
  return tosa::ConcatOp::create(imp.builder(), imp.loc(),
                                imp.tensorType(shape, elem), pieces,
                                static_cast<uint32_t>(axis));
}

llvm::Expected<std::vector<int64_t>> constantInts(GraphImporter &imp,
                                                  const onnx::NodeProto &node,
                                                  unsigned i,
                                                  llvm::StringRef role) {
  auto c = imp.constantOperand(node, i, role);
  if (!c)
    return c.takeError();
  if ((*c)->isFloat())
    return imp.nodeError(role + " (" + quoteName(node.input(i)) +
                         ") must be an integer tensor");
  return (*c)->ints;
}

llvm::Error checkWindowAttr(GraphImporter &imp, llvm::StringRef what,
                            llvm::ArrayRef<int64_t> values) {
  for (int64_t v : values)
    if (v > kMaxWindowAttr || v < -kMaxWindowAttr)
      return imp.nodeError(what + " value " + llvm::Twine(v) +
                           " is outside the 32-bit range TOSA takes");
  return llvm::Error::success();
}

llvm::Error checkOutputSize(GraphImporter &imp, llvm::ArrayRef<int64_t> shape,
                            int64_t elementBytes, llvm::StringRef typeName) {
  if (llvm::Error e = checkTensorSize("output", shape, elementBytes, typeName))
    return imp.nodeError(llvm::toString(std::move(e)));
  return llvm::Error::success();
}

} // namespace tessera::frontend
