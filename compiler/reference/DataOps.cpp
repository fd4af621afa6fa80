//===- DataOps.cpp - Type-agnostic TOSA ops: constants and data movement --===//
//
// Constants, reshape, transpose, slice, pad, concat, tile, cast, identity,
// gather and nearest-neighbour resize: no arithmetic on values (cast's
// conversions and the concat/resize index walks come from core/kernels), so
// one implementation serves float and integer tensors.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Ops.h"

#include "core/kernels/Elementwise.h"
#include "core/kernels/Resize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <type_traits>

using namespace mlir;

namespace tessera::reference::detail {

namespace {

std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    s[d - 1] = s[d] * shape[d];
  return s;
}

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Fills `t` from a DenseElementsAttr / DenseResourceElementsAttr / any
/// ElementsAttr with APInt or APFloat values.
llvm::Error fillFromAttr(Operation *op, ElementsAttr attr, Tensor &t) {
  const ElementType et = t.elementType();
  const int64_t n = t.numElements();
  if (static_cast<int64_t>(attr.getNumElements()) != n)
    return opError(op, "constant has " + llvm::Twine(attr.getNumElements()) +
                           " elements, expected " + llvm::Twine(n));
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return opError(op, "dense_resource constant has no data (blob '" +
                             res.getRawHandle().getKey() + "' missing)");
    ArrayRef<char> bytes = blob->getData();
    if (bytes.size() != t.byteSize() || et == ElementType::Bool)
      return opError(op, "dense_resource constant holds " +
                             llvm::Twine(bytes.size()) + " bytes, expected " +
                             llvm::Twine(t.byteSize()) + " for " +
                             t.typeString());
    std::memcpy(t.bytes(), bytes.data(), bytes.size());
    return llvm::Error::success();
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  Type elemType = attr.getElementType();
  unsigned width =
      elemType.isIntOrFloat() ? elemType.getIntOrFloatBitWidth() : 64; // index
  // Raw little-endian storage matches ours for non-splat 8/16/32/64-bit
  // numbers (not i1, which MLIR may pack, nor i48).
  if (dense && !dense.isSplat() && et != ElementType::Bool &&
      width == elementSize(et) * 8 && !elemType.isIndex()) {
    ArrayRef<char> raw = dense.getRawData();
    if (raw.size() == t.byteSize()) {
      std::memcpy(t.bytes(), raw.data(), raw.size());
      return llvm::Error::success();
    }
  }
  if (et == ElementType::F32) {
    auto vals = attr.tryGetValues<APFloat>();
    if (!vals)
      return opError(op, "cannot read f32 constant values");
    float *dst = t.data<float>();
    int64_t i = 0;
    for (const APFloat &v : *vals)
      dst[i++] = v.convertToFloat();
    return llvm::Error::success();
  }
  auto vals = attr.tryGetValues<APInt>();
  if (!vals)
    return opError(op, "cannot read integer constant values");
  const bool zext = isUnsigned(et) || et == ElementType::Bool;
  return visitType(et, [&](auto tag) -> llvm::Error {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float>) {
      return opError(op, "unreachable");
    } else {
      T *dst = t.data<T>();
      int64_t i = 0;
      for (const APInt &v : *vals)
        dst[i++] = static_cast<T>(zext ? v.getZExtValue() : v.getSExtValue());
      return llvm::Error::success();
    }
  });
}

} // namespace

namespace data {

llvm::Expected<Tensor> constant(Operation *op, const Result &rt) {
  if (auto cs = dyn_cast<tosa::ConstShapeOp>(op)) {
    DenseIntElementsAttr values = cs.getValues();
    Tensor t(ElementType::I64, {values.getNumElements()});
    int64_t i = 0;
    for (const APInt &v : values.getValues<APInt>())
      t.data<int64_t>()[i++] = v.getSExtValue();
    return t;
  }
  ElementsAttr attr;
  if (auto c = dyn_cast<tosa::ConstOp>(op))
    attr = c.getValues();
  else if (auto c = dyn_cast<arith::ConstantOp>(op))
    attr = dyn_cast<ElementsAttr>(c.getValue());
  if (!attr)
    return opError(op, "expected a tensor constant");
  Tensor t(rt.type, rt.shape);
  if (auto err = fillFromAttr(op, attr, t))
    return std::move(err);
  return t;
}

llvm::Expected<Tensor> reshape(Operation *op, Operands args, const Result &rt) {
  Tensor out = args[0]->reshaped(rt.shape);
  return out;
}

llvm::Expected<Tensor> transpose(tosa::TransposeOp op, Operands args,
                                 const Result &rt) {
  const Tensor &in = *args[0];
  ArrayRef<int32_t> perms = op.getPerms();
  if (static_cast<int64_t>(perms.size()) != in.rank())
    return opError(op, "expected " + llvm::Twine(in.rank()) + " perms, got " +
                           llvm::Twine(perms.size()));
  std::vector<int64_t> outShape(in.rank());
  for (int64_t d = 0; d < in.rank(); ++d)
    outShape[d] = in.dim(perms[d]);
  Tensor out = Tensor::uninitialized(in.elementType(), outShape);
  const auto inStrides = stridesOf(in.shape());
  // Output dim d walks input dim perms[d].
  std::vector<int64_t> walk(in.rank());
  for (int64_t d = 0; d < in.rank(); ++d)
    walk[d] = inStrides[perms[d]];
  const int64_t total = out.numElements();
  if (total == 0)
    return out;
  if (in.rank() == 0) {
    std::memcpy(out.bytes(), in.bytes(), out.byteSize());
    return out;
  }
  // Output rows (the innermost output dim) one at a time: a strided gather
  // of fixed-size elements; the outer index advances like an odometer.
  const int64_t last = in.rank() - 1, len = outShape[last],
                step = walk[last];
  auto copyRows = [&](auto elem) {
    using T = decltype(elem);
    const T *src = reinterpret_cast<const T *>(in.bytes());
    T *dst = reinterpret_cast<T *>(out.bytes());
    std::vector<int64_t> idx(in.rank(), 0);
    int64_t base = 0;
    for (int64_t o = 0; o < total; o += len) {
      const T *s = src + base;
      for (int64_t i = 0; i < len; ++i)
        dst[o + i] = s[i * step];
      for (int64_t d = last - 1; d >= 0; --d) {
        base += walk[d];
        if (++idx[d] < outShape[d])
          break;
        base -= walk[d] * outShape[d];
        idx[d] = 0;
      }
    }
  };
  visitType(in.elementType(), copyRows);
  return out;
}

llvm::Expected<Tensor> slice(tosa::SliceOp op, Operands args,
                             const Result &rt) {
  const Tensor &in = *args[0];
  std::vector<int64_t> start = valuesOf(*args[1]), size = valuesOf(*args[2]);
  if (static_cast<int64_t>(start.size()) != in.rank() ||
      static_cast<int64_t>(size.size()) != in.rank())
    return opError(op, "start/size rank does not match the input rank");
  for (int64_t d = 0; d < in.rank(); ++d)
    if (start[d] < 0 || size[d] < 0 || start[d] + size[d] > in.dim(d))
      return opError(op, "slice start " + shapeString(start) + " size " +
                             shapeString(size) + " exceeds input " +
                             shapeString(in.shape()));
  Tensor out(in.elementType(), size);
  const auto inStrides = stridesOf(in.shape());
  const size_t es = elementSize(in.elementType());
  const int64_t rank = in.rank();
  if (rank == 0 || out.numElements() == 0) {
    std::memcpy(out.bytes(), in.bytes(), out.byteSize());
    return out;
  }
  const int64_t row = size[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < out.numElements(); o += row) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += (start[d] + idx[d]) * inStrides[d];
    std::memcpy(out.bytes() + o * es, in.bytes() + src * es, row * es);
    for (int64_t d = rank - 2; d >= 0; --d) {
      if (++idx[d] < size[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

llvm::Expected<Tensor> reverse(tosa::ReverseOp op, Operands args,
                               const Result &rt) {
  // TOSA REVERSE: out[.., i, ..] = in[.., dim(axis) - 1 - i, ..].
  const Tensor &in = *args[0];
  const int64_t rank = in.rank(), axis = op.getAxis();
  if (axis < 0 || axis >= rank)
    return opError(op, "axis " + llvm::Twine(axis) + " is out of range for "
                           "rank " + llvm::Twine(rank));
  Tensor out(in.elementType(), in.shape());
  const size_t es = elementSize(in.elementType());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= in.dim(d);
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= in.dim(d);
  const int64_t n = in.dim(axis), block = inner * es;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(out.bytes() + ((o * n + i) * block),
                  in.bytes() + ((o * n + (n - 1 - i)) * block), block);
  return out;
}

llvm::Expected<Tensor> pad(tosa::PadOp op, Operands args, const Result &rt) {
  const Tensor &in = *args[0];
  std::vector<int64_t> padding = valuesOf(*args[1]);
  const Tensor &padConst = *args[2];
  const int64_t rank = in.rank();
  if (static_cast<int64_t>(padding.size()) != 2 * rank)
    return opError(op, "expected " + llvm::Twine(2 * rank) +
                           " padding values, got " +
                           llvm::Twine(padding.size()));
  if (padConst.elementType() != in.elementType() || padConst.numElements() != 1)
    return opError(op, "pad_const must be one element of the input's type");
  std::vector<int64_t> outShape(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (padding[2 * d] < 0 || padding[2 * d + 1] < 0)
      return opError(op, "negative padding is not supported");
    outShape[d] = in.dim(d) + padding[2 * d] + padding[2 * d + 1];
  }
  Tensor out(in.elementType(), outShape);
  const size_t es = elementSize(in.elementType());
  for (int64_t i = 0; i < out.numElements(); ++i)
    std::memcpy(out.bytes() + i * es, padConst.bytes(), es);
  if (in.numElements() == 0)
    return out;
  if (rank == 0) {
    std::memcpy(out.bytes(), in.bytes(), es);
    return out;
  }
  const auto outStrides = stridesOf(outShape);
  const int64_t row = in.dim(rank - 1);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < in.numElements(); i += row) {
    int64_t dst = 0;
    for (int64_t d = 0; d < rank; ++d)
      dst += (idx[d] + padding[2 * d]) * outStrides[d];
    std::memcpy(out.bytes() + dst * es, in.bytes() + i * es, row * es);
    for (int64_t d = rank - 2; d >= 0; --d) {
      if (++idx[d] < in.dim(d))
        break;
      idx[d] = 0;
    }
  }
  return out;
}

llvm::Expected<Tensor> concat(tosa::ConcatOp op, Operands args,
                              const Result &rt) {
  const int64_t axis = op.getAxis();
  const auto &outShape = rt.shape;
  if (axis < 0 || axis >= static_cast<int64_t>(outShape.size()))
    return opError(op, "axis " + llvm::Twine(axis) + " out of range");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= outShape[d];
  for (size_t d = axis + 1; d < outShape.size(); ++d)
    inner *= outShape[d];
  std::vector<const void *> ptrs;
  std::vector<int64_t> sizes;
  for (const Tensor *t : args) {
    if (t->elementType() != rt.type)
      return opError(op, "operand element types differ from the result's");
    ptrs.push_back(t->bytes());
    sizes.push_back(t->dim(axis));
  }
  Tensor out(rt.type, outShape);
  kernels::concat(ptrs.data(), sizes.data(), static_cast<int64_t>(ptrs.size()),
                  outer, inner, elementSize(rt.type), out.bytes());
  return out;
}

llvm::Expected<Tensor> tile(tosa::TileOp op, Operands args, const Result &rt) {
  const Tensor &in = *args[0];
  std::vector<int64_t> multiples = valuesOf(*args[1]);
  if (static_cast<int64_t>(multiples.size()) != in.rank())
    return opError(op, "multiples rank does not match the input rank");
  std::vector<int64_t> outShape(in.rank());
  for (int64_t d = 0; d < in.rank(); ++d)
    outShape[d] = in.dim(d) * multiples[d];
  Tensor out(in.elementType(), outShape);
  const auto inStrides = stridesOf(in.shape());
  const size_t es = elementSize(in.elementType());
  std::vector<int64_t> idx(in.rank(), 0);
  for (int64_t o = 0; o < out.numElements(); ++o) {
    int64_t src = 0;
    for (int64_t d = 0; d < in.rank(); ++d)
      src += (idx[d] % in.dim(d)) * inStrides[d];
    std::memcpy(out.bytes() + o * es, in.bytes() + src * es, es);
    for (int64_t d = in.rank() - 1; d >= 0; --d) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

llvm::Expected<Tensor> select(tosa::SelectOp op, Operands args,
                              const Result &rt) {
  const Tensor &c = *args[0], &a = *args[1], &b = *args[2];
  if (c.elementType() != ElementType::Bool)
    return opError(op, "condition is not bool");
  if (a.elementType() != b.elementType() || a.elementType() != rt.type)
    return opError(op, "operand and result element types differ");
  const int64_t rank = static_cast<int64_t>(rt.shape.size());
  for (const Tensor *t : {&c, &a, &b}) {
    if (t->rank() != rank)
      return opError(op, "operand ranks differ from the result's");
    for (int64_t d = 0; d < rank; ++d)
      if (t->dim(d) != rt.shape[d] && t->dim(d) != 1)
        return opError(op, "operand shapes do not broadcast to the result");
  }
  Tensor out(rt.type, rt.shape);
  const size_t es = elementSize(rt.type);
  const auto cs = stridesOf(c.shape()), as = stridesOf(a.shape()),
             bs = stridesOf(b.shape());
  const bool *cond = c.data<bool>();
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < out.numElements(); ++o) {
    int64_t ic = 0, ia = 0, ib = 0;
    for (int64_t d = 0; d < rank; ++d) {
      ic += (c.dim(d) == 1 ? 0 : idx[d]) * cs[d];
      ia += (a.dim(d) == 1 ? 0 : idx[d]) * as[d];
      ib += (b.dim(d) == 1 ? 0 : idx[d]) * bs[d];
    }
    const Tensor &src = cond[ic] ? a : b;
    std::memcpy(out.bytes() + o * es, src.bytes() + (cond[ic] ? ia : ib) * es,
                es);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < rt.shape[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

llvm::Expected<Tensor> cast(tosa::CastOp op, Operands args, const Result &rt) {
  const Tensor &in = *args[0];
  if (in.elementType() == ElementType::U16 || rt.type == ElementType::U16)
    return opError(op, "cast from/to u16 is not supported");
  Tensor out(rt.type, rt.shape);
  visitType(in.elementType(), [&](auto inTag) {
    using In = decltype(inTag);
    visitType(rt.type, [&](auto outTag) {
      using Out = decltype(outTag);
      if constexpr (!std::is_same_v<In, uint16_t> &&
                    !std::is_same_v<Out, uint16_t>)
        kernels::cast<In, Out>(in.data<In>(), out.data<Out>(),
                               in.numElements());
    });
  });
  return out;
}

llvm::Expected<Tensor> resizeNearest(tosa::ResizeOp op, Operands args,
                                     const Result &rt) {
  const Tensor &in = *args[0];
  auto p = resizeParams(op, args, rt.shape);
  if (!p)
    return p.takeError();
  Tensor out(in.elementType(), rt.shape);
  kernels::resizeNearest(*p, in.bytes(), out.bytes(),
                         elementSize(in.elementType()));
  return out;
}

llvm::Expected<Tensor> gather(tosa::GatherOp op, Operands args,
                              const Result &rt) {
  // TOSA GATHER: output[n, w, c] = values[n, indices[n, w], c].
  const Tensor &values = *args[0], &indices = *args[1];
  if (values.rank() != 3 || indices.rank() != 2 ||
      indices.dim(0) != values.dim(0))
    return opError(op, "expected values [N, K, C] and indices [N, W], got " +
                           values.typeString() + " and " +
                           indices.typeString());
  const int64_t N = values.dim(0), K = values.dim(1), C = values.dim(2),
                W = indices.dim(1);
  Tensor out(values.elementType(), {N, W, C});
  const size_t row = C * elementSize(values.elementType());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t w = 0; w < W; ++w) {
      const int64_t k = indices.getInt(n * W + w);
      if (k < 0 || k >= K)
        return opError(op, "index " + llvm::Twine(k) + " at [" +
                               llvm::Twine(n) + ", " + llvm::Twine(w) +
                               "] is outside [0, " + llvm::Twine(K) + ")");
      std::memcpy(out.bytes() + (n * W + w) * row,
                  values.bytes() + (n * K + k) * row, row);
    }
  return out;
}

} // namespace data
} // namespace tessera::reference::detail
