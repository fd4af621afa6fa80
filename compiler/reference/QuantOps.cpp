//===- QuantOps.cpp - The quant-annotated level: qcast, dcast, scast -------===//
//
// A pre-quantized (QDQ) model imports onto the quant-annotated level, where
// quant.qcast / quant.dcast carry the scales and zero points of
// QuantizeLinear / DequantizeLinear. Running that level directly is what
// lets the ONNX conformance cases and --emit=quant be checked: qcast is
// core/quant's quantize (round half to even, saturate to the storage range
// of the type), dcast its dequantize, scast and tensor.bitcast move bits.
// Per-tensor, per-axis and sub-channel (blocked) types are read here; the
// arithmetic is core/quant's.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Ops.h"

#include "core/quant/Quant.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <type_traits>

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::reference::detail::quantized {

namespace {

/// Scale and zero point of each element of a tensor quantized with one
/// !quant.uniform type (per tensor, per axis or per block).
class ElementParams {
public:
  static llvm::Expected<ElementParams> get(Operation *op, Type tensorType) {
    auto shaped = cast<ShapedType>(tensorType);
    auto q = dyn_cast<mq::QuantizedType>(shaped.getElementType());
    ElementParams p;
    p.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
    if (auto u = dyn_cast_or_null<mq::UniformQuantizedType>(q)) {
      p.table.push_back({u.getScale(), u.getZeroPoint()});
      p.blocks.assign(p.shape.size(), 0); // 0: the dim does not index params
      p.paramShape.assign(p.shape.size(), 1);
    } else if (auto a = dyn_cast_or_null<mq::UniformQuantizedPerAxisType>(q)) {
      int32_t axis = a.getQuantizedDimension();
      if (axis < 0 || axis >= static_cast<int32_t>(p.shape.size()) ||
          static_cast<int64_t>(a.getScales().size()) != p.shape[axis])
        return opError(op, "per-axis type does not fit the tensor shape");
      for (auto [s, z] : llvm::zip(a.getScales(), a.getZeroPoints()))
        p.table.push_back({s, z});
      p.blocks.assign(p.shape.size(), 0);
      p.paramShape.assign(p.shape.size(), 1);
      p.blocks[axis] = 1;
      p.paramShape[axis] = p.shape[axis];
    } else if (auto b =
                   dyn_cast_or_null<mq::UniformQuantizedSubChannelType>(q)) {
      // Unlisted dims have block size = the dim (a single block).
      p.blocks.assign(p.shape.begin(), p.shape.end());
      for (auto [d, size] : b.getBlockSizeInfo())
        p.blocks[d] = size;
      for (size_t d = 0; d < p.shape.size(); ++d) {
        if (p.blocks[d] <= 0 || p.shape[d] % p.blocks[d] != 0)
          return opError(op, "block size does not divide the tensor shape");
        p.paramShape.push_back(p.shape[d] / p.blocks[d]);
      }
      DenseElementsAttr scales = b.getScales(), zps = b.getZeroPoints();
      for (auto [s, z] : llvm::zip(scales.getValues<APFloat>(),
                                   zps.getValues<APInt>()))
        p.table.push_back({s.convertToDouble(),
                           b.isSigned() ? z.getSExtValue()
                                        : static_cast<int64_t>(
                                              z.getZExtValue())});
    } else {
      return opError(op, "expected a !quant.uniform tensor type");
    }
    p.qmin = q.getStorageTypeMin();
    p.qmax = q.getStorageTypeMax();
    return p;
  }

  /// Calls fn(flatIndex, QParams) for every element, in row-major order.
  template <typename Fn> void forEach(Fn &&fn) const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    if (table.size() == 1) {
      for (int64_t i = 0; i < n; ++i)
        fn(i, table[0]);
      return;
    }
    std::vector<int64_t> idx(shape.size(), 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t pi = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        pi = pi * paramShape[d] + (blocks[d] ? idx[d] / blocks[d] : 0);
      fn(i, table[pi]);
      for (size_t d = shape.size(); d-- > 0;) {
        if (++idx[d] < shape[d])
          break;
        idx[d] = 0;
      }
    }
  }

  int64_t qmin = 0, qmax = 0;

private:
  std::vector<int64_t> shape, blocks, paramShape;
  std::vector<quant::QParams> table;
};

template <typename T> constexpr bool isStorage = std::is_integral_v<T> &&
                                                 !std::is_same_v<T, bool>;

} // namespace

llvm::Expected<Tensor> qcast(Operation *op, Operands args, const Result &rt) {
  const Tensor &in = *args[0];
  if (in.elementType() != ElementType::F32)
    return opError(op, "quant.qcast of a non-f32 tensor is not supported");
  auto params = ElementParams::get(op, op->getResult(0).getType());
  if (!params)
    return params.takeError();
  Tensor out(rt.type, rt.shape);
  const float *x = in.data<float>();
  bool ok = visitType(rt.type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (isStorage<T>) {
      T *q = out.data<T>();
      params->forEach([&](int64_t i, quant::QParams p) {
        q[i] = static_cast<T>(quant::quantizeRange(
            x[i], p, params->qmin, params->qmax, quant::Rounding::HalfEven));
      });
      return true;
    }
    return false;
  });
  if (!ok)
    return opError(op, "unsupported quantized storage type");
  return out;
}

llvm::Expected<Tensor> dcast(Operation *op, Operands args, const Result &rt) {
  const Tensor &in = *args[0];
  if (rt.type != ElementType::F32)
    return opError(op, "quant.dcast to a non-f32 tensor is not supported");
  auto params = ElementParams::get(op, op->getOperand(0).getType());
  if (!params)
    return params.takeError();
  Tensor out(ElementType::F32, rt.shape);
  float *y = out.data<float>();
  params->forEach([&](int64_t i, quant::QParams p) {
    // scale * (q - z) is exact in double for 16-bit storage and f32 scales,
    // so one rounding to f32 gives the correctly rounded f32 product.
    y[i] = static_cast<float>(quant::dequantize(in.getInt(i), p));
  });
  return out;
}

llvm::Expected<Tensor> bitcast(Operation *op, Operands args,
                               const Result &rt) {
  const Tensor &in = *args[0];
  if (elementSize(in.elementType()) != elementSize(rt.type))
    return opError(op, llvm::Twine("cannot reinterpret ") +
                           elementTypeName(in.elementType()) + " as " +
                           elementTypeName(rt.type));
  return in.bitcast(rt.type);
}

} // namespace tessera::reference::detail::quantized
