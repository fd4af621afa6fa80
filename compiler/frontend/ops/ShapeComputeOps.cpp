//===- ShapeComputeOps.cpp - Host evaluation of constant subgraphs --------===//
//
// Exporters (PyTorch in particular) compute Reshape targets, Resize sizes and
// Slice bounds with small subgraphs: Shape -> Gather -> Unsqueeze -> Concat,
// Cast, Range, ConstantOfShape, Equal/Where, integer Add/Sub/Mul/Div. With
// static shapes every input of such a node is known at import, so the node
// is evaluated here on the host and its output becomes an ImportedValue
// constant; no TOSA op is emitted.
//
// One generic path: registerShapeComputeOps (called last when the op table
// is built) wraps each op that has a host implementation below. The wrapper
// evaluates the node on the host when all its present inputs are constants
// and otherwise calls the importer registered before it (the TOSA path), or
// reports that the op is supported on constant inputs only. Shape and Size
// read the static ONNX shape of any input.
//
// Arithmetic follows onnxruntime's CPU kernels: float ops in float32,
// integer ops in int64 (Div truncates toward zero, as C++ and onnxruntime
// do), Cast float -> int truncates toward zero and wraps to the target width.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/ShapeUtil.h"
#include "compiler/frontend/ops/SliceSpec.h"

#include "core/tensor/Limits.h"

#include "onnx/onnx_pb.h"

#include <cmath>

using llvm::Twine;

namespace tessera::frontend {
namespace {

using Inputs = llvm::ArrayRef<const ConstTensor *>;
using HostFn = llvm::Expected<ConstTensor> (*)(GraphImporter &imp,
                                               const onnx::NodeProto &node,
                                               Inputs in);

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    s[d - 1] = s[d] * shape[d];
  return s;
}

/// For each element of `out` (row-major), the flat index of the element of
/// a tensor of shape `in` that numpy broadcasting reads.
std::vector<int64_t> broadcastSources(llvm::ArrayRef<int64_t> out,
                                      llvm::ArrayRef<int64_t> in) {
  size_t r = out.size(), lead = r - in.size();
  std::vector<int64_t> inStrides = stridesOf(in), walk(r, 0);
  for (size_t d = lead; d < r; ++d)
    walk[d] = in[d - lead] == 1 ? 0 : inStrides[d - lead];
  int64_t n = shapeNumElements(out);
  std::vector<int64_t> src(n);
  std::vector<int64_t> idx(r, 0);
  int64_t s = 0;
  for (int64_t o = 0; o < n; ++o) {
    src[o] = s;
    for (size_t d = r; d-- > 0;) {
      s += walk[d];
      if (++idx[d] < out[d])
        break;
      s -= walk[d] * out[d];
      idx[d] = 0;
    }
  }
  return src;
}

/// For each element of a tensor of `shape` (row-major), the flat source
/// index `fn(index)` it is copied from.
template <typename Fn>
std::vector<int64_t> sourcesOf(llvm::ArrayRef<int64_t> shape, Fn fn) {
  std::vector<int64_t> src, idx(shape.size(), 0);
  for (int64_t o = 0, n = shapeNumElements(shape); o < n; ++o) {
    src.push_back(fn(idx));
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
  return src;
}

/// A tensor of `kind` and `shape` whose element o is `in` element src[o].
ConstTensor pick(const ConstTensor &in, std::vector<int64_t> shape,
                 llvm::ArrayRef<int64_t> src) {
  ConstTensor out;
  out.kind = in.kind;
  out.shape = std::move(shape);
  for (int64_t s : src) {
    if (in.isFloat())
      out.floats.push_back(in.floats[s]);
    else
      out.ints.push_back(in.ints[s]);
  }
  return out;
}

/// Host-evaluated outputs are held as int64/float vectors plus an int64
/// source index per element: their shape, which comes from the model, must
/// fit the memory budget before anything is allocated.
llvm::Error checkHostOutput(GraphImporter &imp,
                            llvm::ArrayRef<int64_t> shape) {
  if (llvm::Error e = checkTensorSize("output", shape, 2 * sizeof(int64_t),
                                      "(i64 + index)"))
    return imp.nodeError(llvm::toString(std::move(e)));
  return llvm::Error::success();
}

llvm::Error requireInputs(GraphImporter &imp, Inputs in, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (i >= in.size() || !in[i])
      return imp.nodeError("missing input " + Twine(i));
  return llvm::Error::success();
}

enum class Arith { Add, Sub, Mul, Div, Equal, Less, Greater };

template <Arith A>
llvm::Expected<ConstTensor> hostBinary(GraphImporter &imp,
                                       const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 2))
    return std::move(err);
  const ConstTensor &a = *in[0], &b = *in[1];
  if (a.kind != b.kind)
    return imp.nodeError("constant inputs mix integer and float data");
  auto shape = broadcastShapes(a.shape, b.shape);
  if (!shape)
    return imp.nodeError("shapes " + formatShape(a.shape) + " and " +
                         formatShape(b.shape) + " do not broadcast");
  if (auto err = checkHostOutput(imp, *shape))
    return std::move(err);
  std::vector<int64_t> sa = broadcastSources(*shape, a.shape),
                       sb = broadcastSources(*shape, b.shape);
  ConstTensor out;
  out.shape = *shape;
  constexpr bool isCompare =
      A == Arith::Equal || A == Arith::Less || A == Arith::Greater;
  out.kind = isCompare || !a.isFloat() ? ConstTensor::Kind::Int
                                       : ConstTensor::Kind::Float;
  for (size_t o = 0; o < sa.size(); ++o) {
    if constexpr (isCompare) {
      double x = a.at(sa[o]), y = b.at(sb[o]);
      out.ints.push_back(A == Arith::Equal  ? x == y
                         : A == Arith::Less ? x < y
                                            : x > y);
    } else if (a.isFloat()) {
      float x = a.floats[sa[o]], y = b.floats[sb[o]];
      out.floats.push_back(A == Arith::Add   ? x + y
                           : A == Arith::Sub ? x - y
                           : A == Arith::Mul ? x * y
                                             : x / y);
    } else {
      int64_t x = a.ints[sa[o]], y = b.ints[sb[o]];
      if (A == Arith::Div && y == 0)
        return imp.nodeError("integer division by zero in constant inputs");
      out.ints.push_back(A == Arith::Add   ? x + y
                         : A == Arith::Sub ? x - y
                         : A == Arith::Mul ? x * y
                                           : x / y);
    }
  }
  return out;
}

llvm::Expected<ConstTensor> hostWhere(GraphImporter &imp,
                                      const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 3))
    return std::move(err);
  const ConstTensor &c = *in[0], &a = *in[1], &b = *in[2];
  if (a.kind != b.kind || c.isFloat())
    return imp.nodeError("expected a bool condition and two inputs of one "
                         "type");
  auto ab = broadcastShapes(a.shape, b.shape);
  auto shape = ab ? broadcastShapes(c.shape, *ab) : std::nullopt;
  if (!shape)
    return imp.nodeError("shapes " + formatShape(c.shape) + ", " +
                         formatShape(a.shape) + " and " + formatShape(b.shape) +
                         " do not broadcast");
  std::vector<int64_t> sc = broadcastSources(*shape, c.shape),
                       sa = broadcastSources(*shape, a.shape),
                       sb = broadcastSources(*shape, b.shape);
  ConstTensor out;
  out.kind = a.kind;
  out.shape = *shape;
  for (size_t o = 0; o < sc.size(); ++o) {
    bool t = c.ints[sc[o]] != 0;
    if (a.isFloat())
      out.floats.push_back(t ? a.floats[sa[o]] : b.floats[sb[o]]);
    else
      out.ints.push_back(t ? a.ints[sa[o]] : b.ints[sb[o]]);
  }
  return out;
}

llvm::Expected<ConstTensor> hostNot(GraphImporter &imp,
                                    const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 1))
    return std::move(err);
  ConstTensor out = *in[0];
  if (out.isFloat())
    return imp.nodeError("expected a bool input");
  for (int64_t &v : out.ints)
    v = v == 0;
  return out;
}

/// Wraps `v` to a `bits`-bit two's complement (signed) or unsigned value.
int64_t wrapTo(int64_t v, int bits, bool isSigned) {
  if (bits >= 64)
    return v;
  uint64_t mask = (uint64_t(1) << bits) - 1, u = uint64_t(v) & mask;
  if (isSigned && (u >> (bits - 1)))
    return static_cast<int64_t>(u | ~mask);
  return static_cast<int64_t>(u);
}

llvm::Expected<ConstTensor> hostCast(GraphImporter &imp,
                                     const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 1))
    return std::move(err);
  AttrReader attrs(imp, node);
  int64_t to = attrs.getInt("to", 0);
  if (auto err = attrs.takeError())
    return std::move(err);
  const ConstTensor &x = *in[0];
  ConstTensor out;
  out.shape = x.shape;
  using TP = onnx::TensorProto;
  switch (to) {
  case TP::FLOAT:
  case TP::DOUBLE:
  case TP::FLOAT16:
  case TP::BFLOAT16:
    // Held as f32 like every float constant (see OnnxTensor.h).
    out.kind = ConstTensor::Kind::Float;
    for (int64_t i = 0, n = x.numElements(); i < n; ++i)
      out.floats.push_back(static_cast<float>(x.at(i)));
    return out;
  case TP::BOOL:
  case TP::INT8:
  case TP::UINT8:
  case TP::INT16:
  case TP::UINT16:
  case TP::INT32:
  case TP::UINT32:
  case TP::INT64:
  case TP::UINT64: {
    out.kind = ConstTensor::Kind::Int;
    int bits = to == TP::INT8 || to == TP::UINT8     ? 8
               : to == TP::INT16 || to == TP::UINT16 ? 16
               : to == TP::INT32 || to == TP::UINT32 ? 32
                                                     : 64;
    bool isSigned =
        to == TP::INT8 || to == TP::INT16 || to == TP::INT32 || to == TP::INT64;
    for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
      if (to == TP::BOOL) {
        out.ints.push_back(x.at(i) != 0);
        continue;
      }
      int64_t v;
      if (x.isFloat()) {
        float f = x.floats[i];
        if (!std::isfinite(f) || std::fabs(f) >= 9.2e18f)
          return imp.nodeError("cannot cast " + std::to_string(f) +
                               " to an integer");
        v = static_cast<int64_t>(f); // truncates toward zero
      } else {
        v = x.ints[i];
      }
      out.ints.push_back(wrapTo(v, bits, isSigned));
    }
    return out;
  }
  default:
    return imp.nodeError("attribute 'to' = " + Twine(to) +
                         " is not a supported element type");
  }
}

llvm::Expected<ConstTensor> hostGather(GraphImporter &imp,
                                       const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 2))
    return std::move(err);
  const ConstTensor &x = *in[0], &idx = *in[1];
  if (idx.isFloat())
    return imp.nodeError("input 'indices' must be an integer tensor");
  AttrReader attrs(imp, node);
  int64_t axisAttr = attrs.getInt("axis", 0);
  if (auto err = attrs.takeError())
    return std::move(err);
  auto rank = static_cast<int64_t>(x.shape.size());
  auto axis = normalizeAxis(imp, axisAttr, rank, rank);
  if (!axis)
    return axis.takeError();
  int64_t outer = 1, inner = 1, dim = x.shape[*axis];
  for (int64_t d = 0; d < *axis; ++d)
    outer *= x.shape[d];
  for (int64_t d = *axis + 1; d < rank; ++d)
    inner *= x.shape[d];
  std::vector<int64_t> shape(x.shape.begin(), x.shape.begin() + *axis);
  shape.insert(shape.end(), idx.shape.begin(), idx.shape.end());
  shape.insert(shape.end(), x.shape.begin() + *axis + 1, x.shape.end());
  std::vector<int64_t> src;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx.ints) {
      if (i < -dim || i >= dim)
        return imp.nodeError("index " + Twine(i) +
                             " is out of range for axis extent " + Twine(dim));
      int64_t k = i < 0 ? i + dim : i;
      for (int64_t j = 0; j < inner; ++j)
        src.push_back((o * dim + k) * inner + j);
    }
  return pick(x, shape, src);
}

llvm::Expected<ConstTensor> hostConcat(GraphImporter &imp,
                                       const onnx::NodeProto &node, Inputs in) {
  if (in.empty())
    return imp.nodeError("needs at least one input");
  if (auto err = requireInputs(imp, in, in.size()))
    return std::move(err);
  AttrReader attrs(imp, node);
  if (!attrs.has("axis"))
    return imp.nodeError("attribute 'axis' is required");
  int64_t axisAttr = attrs.getInt("axis", 0);
  if (auto err = attrs.takeError())
    return std::move(err);
  auto rank = static_cast<int64_t>(in[0]->shape.size());
  auto axis = normalizeAxis(imp, axisAttr, rank, rank);
  if (!axis)
    return axis.takeError();
  ConstTensor out;
  out.kind = in[0]->kind;
  out.shape = in[0]->shape;
  out.shape[*axis] = 0;
  for (const ConstTensor *t : in) {
    if (t->kind != out.kind || static_cast<int64_t>(t->shape.size()) != rank)
      return imp.nodeError("constant inputs differ in type or rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && t->shape[d] != out.shape[d])
        return imp.nodeError("input shapes " + formatShape(in[0]->shape) +
                             " and " + formatShape(t->shape) +
                             " differ off the concat axis");
    out.shape[*axis] += t->shape[*axis];
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < *axis; ++d)
    outer *= out.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (const ConstTensor *t : in) {
      int64_t chunk = t->numElements() / outer;
      if (t->isFloat())
        out.floats.insert(out.floats.end(), t->floats.begin() + o * chunk,
                          t->floats.begin() + (o + 1) * chunk);
      else
        out.ints.insert(out.ints.end(), t->ints.begin() + o * chunk,
                        t->ints.begin() + (o + 1) * chunk);
    }
  return out;
}

llvm::Expected<ConstTensor> hostSlice(GraphImporter &imp,
                                      const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 3))
    return std::move(err);
  const ConstTensor &x = *in[0];
  auto spec = readSliceSpec(imp, node, x.shape);
  if (!spec)
    return spec.takeError();
  std::vector<int64_t> strides = stridesOf(x.shape), shape = spec->outShape();
  auto src = sourcesOf(shape, [&](llvm::ArrayRef<int64_t> idx) {
    int64_t at = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      at += (spec->axes[d].start + idx[d] * spec->axes[d].step) * strides[d];
    return at;
  });
  return pick(x, shape, src);
}

llvm::Expected<ConstTensor>
hostTranspose(GraphImporter &imp, const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 1))
    return std::move(err);
  const ConstTensor &x = *in[0];
  auto rank = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> dflt(rank);
  for (int64_t d = 0; d < rank; ++d)
    dflt[d] = rank - 1 - d;
  AttrReader attrs(imp, node);
  std::vector<int64_t> perm = attrs.getInts("perm", dflt);
  if (auto err = attrs.takeError())
    return std::move(err);
  std::vector<bool> seen(rank, false);
  bool ok = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    ok = ok && p >= 0 && p < rank && !seen[p];
    if (ok)
      seen[p] = true;
  }
  if (!ok)
    return imp.nodeError("attribute 'perm' is not a permutation of 0.." +
                         Twine(rank - 1));
  std::vector<int64_t> strides = stridesOf(x.shape), shape;
  for (int64_t p : perm)
    shape.push_back(x.shape[p]);
  auto src = sourcesOf(shape, [&](llvm::ArrayRef<int64_t> idx) {
    int64_t at = 0;
    for (int64_t d = 0; d < rank; ++d)
      at += idx[d] * strides[perm[d]];
    return at;
  });
  return pick(x, shape, src);
}

llvm::Expected<ConstTensor> hostExpand(GraphImporter &imp,
                                       const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 2))
    return std::move(err);
  const ConstTensor &x = *in[0], &s = *in[1];
  if (s.isFloat())
    return imp.nodeError("input 'shape' must be an integer tensor");
  auto shape = broadcastShapes(x.shape, s.ints);
  if (!shape)
    return imp.nodeError("cannot expand " + formatShape(x.shape) + " to " +
                         formatShape(s.ints));
  if (auto err = checkHostOutput(imp, *shape))
    return std::move(err);
  return pick(x, *shape, broadcastSources(*shape, x.shape));
}

llvm::Expected<ConstTensor> hostTile(GraphImporter &imp,
                                     const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 2))
    return std::move(err);
  const ConstTensor &x = *in[0], &r = *in[1];
  if (r.isFloat() || r.ints.size() != x.shape.size())
    return imp.nodeError("input 'repeats' must hold one integer per "
                         "dimension");
  std::vector<int64_t> shape = x.shape, strides = stridesOf(x.shape);
  for (size_t d = 0; d < shape.size(); ++d) {
    if (r.ints[d] < 0)
      return imp.nodeError("negative repeats value");
    auto n = checkedMul(shape[d], r.ints[d]);
    if (!n)
      return imp.nodeError("repeats value " + Twine(r.ints[d]) +
                           " makes dimension " + Twine(d) +
                           " larger than 2^63");
    shape[d] = *n;
  }
  if (auto err = checkHostOutput(imp, shape))
    return std::move(err);
  auto src = sourcesOf(shape, [&](llvm::ArrayRef<int64_t> idx) {
    int64_t at = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      at += (idx[d] % x.shape[d]) * strides[d];
    return at;
  });
  return pick(x, shape, src);
}

llvm::Expected<ConstTensor> hostRange(GraphImporter &imp,
                                      const onnx::NodeProto &node, Inputs in) {
  if (auto err = requireInputs(imp, in, 3))
    return std::move(err);
  for (const ConstTensor *t : in)
    if (t->numElements() != 1 || t->kind != in[0]->kind)
      return imp.nodeError("start, limit and delta must be scalars of one "
                           "type");
  ConstTensor out;
  out.kind = in[0]->kind;
  // number_of_elements = max(ceil((limit - start) / delta), 0) (Range-11).
  double start = in[0]->at(0), limit = in[1]->at(0), delta = in[2]->at(0);
  if (delta == 0)
    return imp.nodeError("delta is 0");
  double count = std::max(std::ceil((limit - start) / delta), 0.0);
  // Checked as a double first: casting inf, NaN or >= 2^63 to int64 is
  // undefined behaviour.
  if (!(count < 9.2e18))
    return imp.nodeError("the range from " + std::to_string(start) + " to " +
                         std::to_string(limit) + " by " +
                         std::to_string(delta) + " has too many elements");
  auto n = static_cast<int64_t>(count);
  if (auto err = checkHostOutput(imp, {n}))
    return std::move(err);
  if (n == 0)
    return imp.nodeError("the range is empty; empty tensors are not "
                         "supported");
  out.shape = {n};
  for (int64_t i = 0; i < n; ++i) {
    if (out.isFloat()) // accumulate as onnxruntime: start + i * delta
      out.floats.push_back(in[0]->floats[0] +
                           static_cast<float>(i) * in[2]->floats[0]);
    else
      out.ints.push_back(in[0]->ints[0] + i * in[2]->ints[0]);
  }
  return out;
}

llvm::Expected<ConstTensor> hostConstantOfShape(GraphImporter &imp,
                                                const onnx::NodeProto &node,
                                                Inputs in) {
  if (auto err = requireInputs(imp, in, 1))
    return std::move(err);
  const ConstTensor &s = *in[0];
  if (s.isFloat())
    return imp.nodeError("input must be an int64 shape");
  ConstTensor value; // default: one float 0
  value.floats = {0.0f};
  AttrReader attrs(imp, node);
  if (const onnx::AttributeProto *a = attrs.find("value")) {
    auto t = decodeTensor(a->t(), /*baseDir=*/"", "attribute 'value'");
    if (!t)
      return imp.nodeError(llvm::toString(t.takeError()));
    if (t->numElements() != 1)
      return imp.nodeError("attribute 'value' must hold one element");
    value = std::move(*t);
  }
  for (int64_t d : s.ints)
    if (d <= 0)
      return imp.nodeError("shape " + formatShape(s.ints) +
                           " is not supported (every dim must be > 0)");
  if (auto err = checkHostOutput(imp, s.ints))
    return std::move(err);
  ConstTensor out;
  out.kind = value.kind;
  out.shape = s.ints;
  int64_t n = shapeNumElements(out.shape);
  if (value.isFloat())
    out.floats.assign(n, value.floats[0]);
  else
    out.ints.assign(n, value.ints[0]);
  return out;
}

struct FoldEntry {
  HostFn host;
  OpImporterFn tensor; // the importer registered before; may be null
};

llvm::StringMap<FoldEntry> &foldTable() {
  static llvm::StringMap<FoldEntry> table;
  return table;
}

llvm::Error foldOrImport(GraphImporter &imp, const onnx::NodeProto &node) {
  const FoldEntry &e = foldTable().find(node.op_type())->second;
  std::vector<const ConstTensor *> ins;
  std::string nonConstant;
  for (int i = 0; i < node.input_size(); ++i) {
    auto v = imp.optionalOperand(node, i);
    if (!v)
      return v.takeError();
    if (*v && !(*v)->isConstant()) {
      nonConstant = node.input(i);
      break;
    }
    ins.push_back(*v ? (*v)->constant.get() : nullptr);
  }
  if (nonConstant.empty() && node.input_size() > 0) {
    auto c = e.host(imp, node, ins);
    if (!c)
      return c.takeError();
    imp.defineConstant(node, 0,
                       std::make_shared<const ConstTensor>(std::move(*c)));
    return llvm::Error::success();
  }
  if (e.tensor)
    return e.tensor(imp, node);
  return imp.nodeError(node.op_type() +
                       " is supported only on constant inputs (evaluated at "
                       "import); input " +
                       quoteName(nonConstant) + " is not a constant");
}

/// Shape (opset 15: start/end slice the shape) and Size of any input,
/// from its static ONNX shape.
llvm::Error importShape(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  const std::vector<int64_t> &s = (*x)->shape;
  auto rank = static_cast<int64_t>(s.size());
  auto c = std::make_shared<ConstTensor>();
  c->kind = ConstTensor::Kind::Int;
  if (node.op_type() == "Size") {
    c->ints = {shapeNumElements(s)};
  } else {
    AttrReader attrs(imp, node);
    int64_t start = attrs.getInt("start", 0), end = attrs.getInt("end", rank);
    if (auto err = attrs.takeError())
      return err;
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    if (end <= start)
      return imp.nodeError("start " + Twine(start) + " and end " + Twine(end) +
                           " select no dimension");
    c->ints.assign(s.begin() + start, s.begin() + end);
    c->shape = {end - start};
  }
  imp.defineConstant(node, 0, std::move(c));
  return llvm::Error::success();
}

} // namespace

void registerShapeComputeOps(OpTable &table) {
  table["Shape"] = importShape;
  table["Size"] = importShape;
  const std::pair<const char *, HostFn> hosts[] = {
      {"Add", hostBinary<Arith::Add>},
      {"Sub", hostBinary<Arith::Sub>},
      {"Mul", hostBinary<Arith::Mul>},
      {"Div", hostBinary<Arith::Div>},
      {"Equal", hostBinary<Arith::Equal>},
      {"Less", hostBinary<Arith::Less>},
      {"Greater", hostBinary<Arith::Greater>},
      {"Where", hostWhere},
      {"Not", hostNot},
      {"Cast", hostCast},
      {"Gather", hostGather},
      {"Concat", hostConcat},
      {"Slice", hostSlice},
      {"Transpose", hostTranspose},
      {"Expand", hostExpand},
      {"Tile", hostTile},
      {"Range", hostRange},
      {"ConstantOfShape", hostConstantOfShape},
  };
  for (const auto &[op, host] : hosts) {
    OpImporterFn prev = table.lookup(op);
    auto [it, inserted] = foldTable().try_emplace(op, FoldEntry{host, prev});
    if (!inserted && prev != foldOrImport) // table rebuilt: keep the original
      it->second.tensor = prev;
    table[op] = foldOrImport;
  }
}

} // namespace tessera::frontend
