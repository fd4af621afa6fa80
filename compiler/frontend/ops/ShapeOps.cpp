//===- ShapeOps.cpp - Identity, Constant, Concat, Reshape, Transpose, ... -===//
//
// Identity and inference-mode Dropout alias their input (no op). Constant
// becomes a host constant, materialized as tosa.const where a value is
// needed. Concat stays NHWC when its inputs are NHWC activations (axis
// remapped). Flatten, Reshape, Squeeze and Unsqueeze depend on the element
// order, so their input is first brought back to ONNX layout (a
// tosa.transpose, or a tosa.reshape when the permutation only moves unit
// dims, e.g. NHWC [N,1,1,C] after a global pool) and then reshaped.
// Transpose composes its perm with the input's layout. Expand and Tile are
// tosa.tile in the input's layout.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"
#include "compiler/frontend/ops/ShapeUtil.h"
#include "core/tensor/Limits.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/STLExtras.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

llvm::Error importIdentity(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  imp.defineAlias(node, 0, **x);
  return llvm::Error::success();
}

llvm::Error importDropout(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  // A mask output that nothing reads (exporters often declare it) is
  // dropped; one that is read would need a bool tensor.
  if (GraphImporter::wantsOutput(node, 1) && imp.isUsed(node.output(1)))
    return imp.nodeError("output 'mask' (" + quoteName(node.output(1)) +
                         ") is used; only the inference form without a mask "
                         "is supported");
  // Opset >= 12: input 2 is training_mode; only a constant false is inference.
  auto training = imp.optionalOperand(node, 2);
  if (!training)
    return training.takeError();
  if (*training && (!(*training)->isConstant() ||
                    (*training)->constant->numElements() != 1 ||
                    (*training)->constant->at(0) != 0))
    return imp.nodeError("input 'training_mode' must be a constant false");
  imp.defineAlias(node, 0, **x);
  return llvm::Error::success();
}

llvm::Error importConstant(GraphImporter &imp, const onnx::NodeProto &node) {
  AttrReader attrs(imp, node);
  auto c = std::make_shared<ConstTensor>();
  if (const onnx::AttributeProto *a = attrs.find("value")) {
    auto t = decodeTensor(a->t(), /*baseDir=*/"", "attribute 'value'");
    if (!t)
      return imp.nodeError(llvm::toString(t.takeError()));
    *c = std::move(*t);
  } else if (attrs.has("value_float")) {
    c->floats = {attrs.getFloat("value_float", 0)};
  } else if (attrs.has("value_floats")) {
    c->floats = attrs.getFloats("value_floats");
    c->shape = {static_cast<int64_t>(c->floats.size())};
  } else if (attrs.has("value_int")) {
    c->kind = ConstTensor::Kind::Int;
    c->ints = {attrs.getInt("value_int", 0)};
  } else if (attrs.has("value_ints")) {
    c->kind = ConstTensor::Kind::Int;
    c->ints = attrs.getInts("value_ints", {});
    c->shape = {static_cast<int64_t>(c->ints.size())};
  } else {
    std::string name =
        node.attribute_size() ? node.attribute(0).name() : std::string("none");
    return imp.nodeError("attribute '" + name +
                         "' is not supported (only value, value_float(s), "
                         "value_int(s))");
  }
  if (auto err = attrs.takeError())
    return err;
  imp.defineConstant(node, 0, std::move(c));
  return llvm::Error::success();
}

llvm::Error importConcat(GraphImporter &imp, const onnx::NodeProto &node) {
  AttrReader attrs(imp, node);
  if (!attrs.has("axis"))
    return imp.nodeError("attribute 'axis' is required");
  int64_t axisAttr = attrs.getInt("axis", 0);
  if (auto err = attrs.takeError())
    return err;
  llvm::SmallVector<ImportedValue *> ins;
  for (int i = 0; i < node.input_size(); ++i) {
    auto v = imp.operand(node, i);
    if (!v)
      return v.takeError();
    ins.push_back(*v);
  }
  if (ins.empty())
    return imp.nodeError("needs at least one input");
  int64_t rank = ins[0]->rank();
  auto axis = normalizeAxis(imp, axisAttr, rank, rank);
  if (!axis)
    return axis.takeError();
  std::vector<int64_t> outShape = ins[0]->shape;
  outShape[*axis] = 0;
  bool anyNhwc = false;
  for (ImportedValue *v : ins) {
    if (v->rank() != rank)
      return imp.nodeError("inputs have different ranks");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && v->shape[d] != outShape[d])
        return imp.nodeError("input shapes " + formatShape(ins[0]->shape) +
                             " and " + formatShape(v->shape) +
                             " differ off the concat axis");
    outShape[*axis] += v->shape[*axis];
    anyNhwc |= v->nhwc != nullptr;
  }
  bool nhwc = rank == 4 && anyNhwc;
  llvm::SmallVector<Value> operands;
  for (ImportedValue *v : ins) {
    auto val = nhwc ? imp.asNhwc(*v) : imp.asPlain(*v);
    if (!val)
      return val.takeError();
    operands.push_back(*val);
  }
  int64_t tosaAxis = nhwc ? std::vector<int64_t>{0, 3, 1, 2}[*axis] : *axis;
  std::vector<int64_t> physical = outShape;
  if (nhwc)
    physical = {outShape[0], outShape[2], outShape[3], outShape[1]};
  Value result =
      tosa::ConcatOp::create(imp.builder(), imp.loc(), imp.tensorType(physical),
                             operands, static_cast<uint32_t>(tosaAxis));
  if (nhwc)
    imp.defineNhwc(node, 0, result, outShape);
  else
    imp.definePlain(node, 0, result, outShape);
  return llvm::Error::success();
}

/// Defines output 0 as `x` reshaped to `shape` (constants stay constants).
llvm::Error defineReshaped(GraphImporter &imp, const onnx::NodeProto &node,
                           ImportedValue &x, std::vector<int64_t> shape) {
  if (shapeNumElements(shape) != shapeNumElements(x.shape))
    return imp.nodeError("cannot reshape " + formatShape(x.shape) + " to " +
                         formatShape(shape));
  if (x.constant && !x.plain && !x.nhwc) {
    auto c = std::make_shared<ConstTensor>(*x.constant);
    c->shape = shape;
    imp.defineConstant(node, 0, std::move(c));
    return llvm::Error::success();
  }
  auto ordered = imp.asOnnxOrder(x);
  if (!ordered)
    return ordered.takeError();
  Value result = imp.reshape(*ordered, shape);
  imp.definePlain(node, 0, result, shape);
  return llvm::Error::success();
}

llvm::Error importFlatten(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  AttrReader attrs(imp, node);
  int64_t axisAttr = attrs.getInt("axis", 1);
  if (auto err = attrs.takeError())
    return err;
  int64_t rank = (*x)->rank();
  // Flatten's axis may equal the rank (everything goes to the outer dim).
  auto axis = normalizeAxis(imp, axisAttr, rank, rank + 1);
  if (!axis)
    return axis.takeError();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < *axis ? outer : inner) *= (*x)->shape[d];
  return defineReshaped(imp, node, **x, {outer, inner});
}

llvm::Error importReshape(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto shapeT = imp.constantOperand(node, 1, "shape");
  if (!shapeT)
    return shapeT.takeError();
  AttrReader attrs(imp, node);
  int64_t allowZero = attrs.getInt("allowzero", 0);
  if (auto err = attrs.takeError())
    return err;
  const ConstTensor &st = **shapeT;
  if (st.isFloat() || st.shape.size() != 1)
    return imp.nodeError("input 'shape' must be a 1-D int64 tensor");
  std::vector<int64_t> shape = st.ints;
  int64_t inferAt = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (i >= (*x)->shape.size())
        return imp.nodeError("shape value 0 at " + Twine(i) +
                             " has no input dimension to copy");
      shape[i] = (*x)->shape[i];
    }
    if (shape[i] == -1) {
      if (inferAt >= 0)
        return imp.nodeError("shape has more than one -1");
      inferAt = static_cast<int64_t>(i);
      continue;
    }
    if (shape[i] < 0)
      return imp.nodeError("shape value " + Twine(shape[i]) + " is invalid");
    auto product = checkedMul(known, shape[i]);
    if (!product)
      return imp.nodeError("shape " + formatShape(shape) +
                           " has more elements than fit in 64 bits");
    known = *product;
  }
  if (inferAt >= 0) {
    int64_t total = shapeNumElements((*x)->shape);
    if (known == 0 || total % known != 0)
      return imp.nodeError("cannot infer -1 when reshaping " +
                           formatShape((*x)->shape));
    shape[inferAt] = total / known;
  }
  return defineReshaped(imp, node, **x, shape);
}

/// The axes of Squeeze/Unsqueeze: attribute before opset 13, input 1 after.
llvm::Expected<std::optional<std::vector<int64_t>>>
axesOf(GraphImporter &imp, const onnx::NodeProto &node) {
  if (imp.opset() < 13) {
    AttrReader attrs(imp, node);
    if (!attrs.has("axes"))
      return std::optional<std::vector<int64_t>>();
    std::vector<int64_t> axes = attrs.getInts("axes", {});
    if (auto err = attrs.takeError())
      return std::move(err);
    return std::optional<std::vector<int64_t>>(axes);
  }
  auto in = imp.optionalOperand(node, 1);
  if (!in)
    return in.takeError();
  if (!*in)
    return std::optional<std::vector<int64_t>>();
  auto axes = constantInts(imp, node, 1, "axes");
  if (!axes)
    return axes.takeError();
  return std::optional<std::vector<int64_t>>(*axes);
}

llvm::Error importSqueeze(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto axes = axesOf(imp, node);
  if (!axes)
    return axes.takeError();
  const std::vector<int64_t> &in = (*x)->shape;
  int64_t rank = (*x)->rank();
  std::vector<bool> drop(rank, false);
  if (!*axes) {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = in[d] == 1;
  } else {
    for (int64_t a : **axes) {
      auto axis = normalizeAxis(imp, a, rank, rank, "axes value");
      if (!axis)
        return axis.takeError();
      if (in[*axis] != 1)
        return imp.nodeError("cannot squeeze axis " + Twine(a) + " of extent " +
                             Twine(in[*axis]) + " (shape " + formatShape(in) +
                             ")");
      drop[*axis] = true;
    }
  }
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back(in[d]);
  return defineReshaped(imp, node, **x, shape);
}

llvm::Error importUnsqueeze(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto axes = axesOf(imp, node);
  if (!axes)
    return axes.takeError();
  if (!*axes)
    return imp.nodeError(imp.opset() < 13 ? "attribute 'axes' is required"
                                          : "input 'axes' is required");
  int64_t outRank = (*x)->rank() + static_cast<int64_t>((*axes)->size());
  std::vector<bool> inserted(outRank, false);
  for (int64_t a : **axes) {
    auto axis = normalizeAxis(imp, a, outRank, outRank, "axes value");
    if (!axis)
      return axis.takeError();
    if (inserted[*axis])
      return imp.nodeError("axes value " + Twine(a) + " is repeated");
    inserted[*axis] = true;
  }
  std::vector<int64_t> shape;
  auto it = (*x)->shape.begin();
  for (int64_t d = 0; d < outRank; ++d)
    shape.push_back(inserted[d] ? 1 : *it++);
  return defineReshaped(imp, node, **x, shape);
}

llvm::Error importTranspose(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  int64_t rank = (*x)->rank();
  std::vector<int64_t> dflt(rank);
  for (int64_t d = 0; d < rank; ++d)
    dflt[d] = rank - 1 - d; // ONNX default: reverse the dimensions
  AttrReader attrs(imp, node);
  std::vector<int64_t> perm = attrs.getInts("perm", dflt);
  if (auto err = attrs.takeError())
    return err;
  std::vector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm.size()) != rank)
    return imp.nodeError("attribute 'perm' has " + Twine(perm.size()) +
                         " entries for rank " + Twine(rank));
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return imp.nodeError("attribute 'perm' is not a permutation of 0.." +
                           Twine(rank - 1));
    seen[p] = true;
  }
  std::vector<int64_t> outShape;
  for (int64_t p : perm)
    outShape.push_back((*x)->shape[p]);
  auto in = physicalValue(imp, **x);
  if (!in)
    return in.takeError();
  // Physical permutation from the input's layout to the ONNX-layout
  // result: result dim i is ONNX input dim perm[i], which sits at physical
  // position in->axis(perm[i]).
  std::vector<int64_t> q;
  for (int64_t p : perm)
    q.push_back(in->axis(p));
  if (in->nhwc && !GraphImporter::isOrderPreserving(in->shape, q)) {
    // A 4-D result of an NHWC input stays NHWC (compose with NCHW -> NHWC)
    // unless its ONNX layout costs no data movement (e.g. perm (0, 2, 3, 1)
    // of an NHWC value is that value).
    std::vector<int64_t> r;
    for (int64_t j : kNchwToNhwc)
      r.push_back(q[j]);
    defineResult(imp, node, 0, imp.permute(in->value, r), outShape, true);
    return llvm::Error::success();
  }
  defineResult(imp, node, 0, imp.permute(in->value, q), outShape, false);
  return llvm::Error::success();
}

/// Repeats `v` (ONNX shape `inShape`, physical value `p`) to `outShape`
/// (same rank) with tosa.tile; multiples are out/in per dimension.
llvm::Error defineTiled(GraphImporter &imp, const onnx::NodeProto &node,
                        ImportedValue &x, const std::vector<int64_t> &outShape,
                        const std::vector<int64_t> &multiples) {
  bool identity = llvm::all_of(multiples, [](int64_t m) { return m == 1; });
  if (identity) {
    imp.defineAlias(node, 0, x);
    return llvm::Error::success();
  }
  auto in = physicalValue(imp, x);
  if (!in)
    return in.takeError();
  std::vector<int64_t> physMult = physicalShape(multiples, in->nhwc);
  Value result =
      tosa::TileOp::create(imp.builder(), imp.loc(),
                           imp.tensorType(physicalShape(outShape, in->nhwc)),
                           in->value, imp.constShape(physMult));
  defineResult(imp, node, 0, result, outShape, in->nhwc);
  return llvm::Error::success();
}

llvm::Error importExpand(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto shape = constantInts(imp, node, 1, "shape");
  if (!shape)
    return shape.takeError();
  auto outShape = broadcastShapes((*x)->shape, *shape);
  if (!outShape)
    return imp.nodeError("cannot expand " + formatShape((*x)->shape) + " to " +
                         formatShape(*shape));
  size_t rank = outShape->size();
  ImportedValue *src = *x;
  ImportedValue expanded;
  if (static_cast<size_t>(src->rank()) < rank) {
    // Leading unit dims first (a reshape in ONNX element order).
    std::vector<int64_t> s(rank - src->shape.size(), 1);
    s.insert(s.end(), src->shape.begin(), src->shape.end());
    auto ordered = imp.asOnnxOrder(*src);
    if (!ordered)
      return ordered.takeError();
    expanded.shape = s;
    expanded.plain = imp.reshape(*ordered, s);
    src = &expanded;
  }
  std::vector<int64_t> multiples(rank);
  for (size_t d = 0; d < rank; ++d)
    multiples[d] = (*outShape)[d] / src->shape[d];
  return defineTiled(imp, node, *src, *outShape, multiples);
}

llvm::Error importTile(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto repeats = constantInts(imp, node, 1, "repeats");
  if (!repeats)
    return repeats.takeError();
  if (static_cast<int64_t>(repeats->size()) != (*x)->rank())
    return imp.nodeError("input 'repeats' has " + Twine(repeats->size()) +
                         " values for rank " + Twine((*x)->rank()));
  std::vector<int64_t> outShape = (*x)->shape;
  for (size_t d = 0; d < outShape.size(); ++d) {
    if ((*repeats)[d] < 1)
      return imp.nodeError("repeats value " + Twine((*repeats)[d]) +
                           " is not supported (must be >= 1)");
    outShape[d] *= (*repeats)[d];
  }
  return defineTiled(imp, node, **x, outShape, *repeats);
}

} // namespace

void registerShapeOps(OpTable &table) {
  table["Identity"] = importIdentity;
  table["Dropout"] = importDropout;
  table["Constant"] = importConstant;
  table["Concat"] = importConcat;
  table["Flatten"] = importFlatten;
  table["Reshape"] = importReshape;
  table["Squeeze"] = importSqueeze;
  table["Unsqueeze"] = importUnsqueeze;
  table["Transpose"] = importTranspose;
  table["Expand"] = importExpand;
  table["Tile"] = importTile;
}

} // namespace tessera::frontend
