//===- IntegerOps.cpp - Integer TOSA ops, delegated to core/kernels -------===//
//
// Every integer computation here is a call into core/kernels (and through it
// core/quant), the arithmetic the simulator executes too. This file only
// reads operands and attributes, checks types, and picks the kernel
// instantiation.
//
//===----------------------------------------------------------------------===//

#include "compiler/patterns/TesseraCustom.h"
#include "compiler/reference/Dispatch.h"
#include "compiler/reference/Ops.h"
#include "core/tensor/Limits.h"

#include "core/kernels/Compare.h"
#include "core/kernels/Conv.h"
#include "core/kernels/Elementwise.h"
#include "core/kernels/Pool.h"
#include "core/kernels/Rescale.h"
#include "core/kernels/Resize.h"
#include "core/kernels/VectorUnit.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <type_traits>

using namespace mlir;

namespace tessera::reference::detail::integer {

namespace {

using ET = ElementType;

/// Calls run(T{}) with T the storage type of `t` when T is one of `Ts` (the
/// types the op supports) and returns true; false (the caller reports the
/// type) otherwise. One dispatch instead of a switch per op.
template <typename... Ts, typename Fn> bool dispatchAs(ET t, Fn &&run) {
  return visitType(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr ((std::is_same_v<T, Ts> || ...)) {
      run(tag);
      return true;
    } else {
      return false;
    }
  });
}

llvm::Error typeError(Operation *op, llvm::StringRef what,
                      llvm::ArrayRef<const Tensor *> ts) {
  std::string got;
  for (const Tensor *t : ts)
    got += std::string(got.empty() ? "" : ", ") +
           elementTypeName(t->elementType());
  return opError(op, "unsupported " + what + " element types (" + got + ")");
}

llvm::Error checkResult(Operation *op, ET expected, ET got) {
  if (expected == got)
    return llvm::Error::success();
  return opError(op, llvm::Twine("result element type ") +
                         elementTypeName(got) + " does not match the " +
                         elementTypeName(expected) + " this op produces");
}

/// Bias of outC elements (TOSA allows a single broadcast value too).
template <typename Acc>
llvm::Expected<std::vector<Acc>> biasOf(Operation *op, const Tensor &bias,
                                        int64_t outC) {
  if (bias.elementType() != ElementTypeOf<Acc>::value)
    return opError(op, llvm::Twine("bias must be ") +
                           elementTypeName(ElementTypeOf<Acc>::value) +
                           ", got " + elementTypeName(bias.elementType()));
  if (bias.numElements() != outC && bias.numElements() != 1)
    return opError(op, "bias has " + llvm::Twine(bias.numElements()) +
                           " elements, expected " + llvm::Twine(outC) +
                           " or 1");
  std::vector<Acc> b(outC);
  for (int64_t i = 0; i < outC; ++i)
    b[i] = bias.data<Acc>()[bias.numElements() == 1 ? 0 : i];
  return b;
}

/// Runs a conv-like accumulate kernel for the supported operand types:
/// (i8|u8) x (i8|u8) -> i32, i16 x (i8|i16) -> i48 (stored as i64).
template <typename Kernel>
llvm::Expected<Tensor> convAccumulate(Operation *op, Operands args,
                                      const Result &rt, kernels::Conv2DParams p,
                                      bool depthwise, Kernel kernel) {
  const Tensor &in = *args[0], &w = *args[1];
  p.inputZp = static_cast<int32_t>(scalarOf(*args[3]));
  p.weightZp = static_cast<int32_t>(scalarOf(*args[4]));
  const ET it = in.elementType(), wt = w.elementType();
  const bool wide = it == ET::I16;
  auto err = depthwise ? kernels::checkDepthwiseConv2D(p, !wide)
                       : kernels::checkConv2D(p, !wide);
  if (err)
    return opError(op, *err);
  if (auto e = checkResult(op, wide ? ET::I64 : ET::I32, rt.type))
    return std::move(e);
  Tensor out(rt.type, rt.shape);
  auto run = [&](auto inTag, auto wTag, auto accTag) -> llvm::Expected<Tensor> {
    using In = decltype(inTag);
    using W = decltype(wTag);
    using Acc = decltype(accTag);
    auto bias = biasOf<Acc>(op, *args[2], p.outC);
    if (!bias)
      return bias.takeError();
    kernel(p, in.data<In>(), w.data<W>(), bias->data(), out.data<Acc>());
    return std::move(out);
  };
  if (it == ET::I8 && wt == ET::I8)
    return run(int8_t{}, int8_t{}, int32_t{});
  if (it == ET::U8 && wt == ET::I8)
    return run(uint8_t{}, int8_t{}, int32_t{});
  if (it == ET::U8 && wt == ET::U8)
    return run(uint8_t{}, uint8_t{}, int32_t{});
  if (it == ET::I8 && wt == ET::U8)
    return run(int8_t{}, uint8_t{}, int32_t{});
  if (it == ET::I16 && wt == ET::I8)
    return run(int16_t{}, int8_t{}, int64_t{});
  if (it == ET::I16 && wt == ET::I16)
    return run(int16_t{}, int16_t{}, int64_t{});
  return typeError(op, "input/weight", {&in, &w});
}

/// A generic lambda that forwards to a kernel template; the kernels are
/// explicitly instantiated only for supported types, which convAccumulate
/// guarantees at run time, so the unsupported combinations must not be
/// instantiated here either.
struct Conv2DKernel {
  template <typename In, typename W, typename Acc>
  void operator()(const kernels::Conv2DParams &p, const In *in, const W *w,
                  const Acc *bias, Acc *acc) const {
    kernels::conv2dAccumulate<In, W, Acc>(p, in, w, bias, acc);
  }
};
struct DepthwiseKernel {
  template <typename In, typename W, typename Acc>
  void operator()(const kernels::Conv2DParams &p, const In *in, const W *w,
                  const Acc *bias, Acc *acc) const {
    kernels::depthwiseConv2dAccumulate<In, W, Acc>(p, in, w, bias, acc);
  }
};

/// The C++ types of a RESCALE operand: the tensor's type, read as unsigned
/// when the op says so (TOSA input_unsigned / output_unsigned on i8/i16).
ET rescaleView(ET t, bool asUnsigned) {
  if (!asUnsigned)
    return t;
  if (t == ET::I8)
    return ET::U8;
  if (t == ET::I16)
    return ET::U16;
  return t;
}

template <typename T>
constexpr bool isRescaleIn =
    std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t> ||
    std::is_same_v<T, int16_t> || std::is_same_v<T, uint16_t> ||
    std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;
template <typename T>
constexpr bool isRescaleOut =
    std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t> ||
    std::is_same_v<T, int16_t> || std::is_same_v<T, uint16_t> ||
    std::is_same_v<T, int32_t>;

} // namespace

llvm::Expected<Tensor> conv2d(tosa::Conv2DOp op, Operands args,
                              const Result &rt) {
  const Tensor &in = *args[0], &w = *args[1];
  if (w.rank() != 4 || w.dim(3) != in.dim(3))
    return opError(op, "weights must be [OC, KH, KW, IC] with IC = " +
                           llvm::Twine(in.dim(3)));
  auto p = convParams(op, in, w.dim(1), w.dim(2), rt.shape, op.getPad(),
                      op.getStride(), op.getDilation());
  if (!p)
    return p.takeError();
  if (w.dim(0) != p->outC)
    return opError(op, "weights have " + llvm::Twine(w.dim(0)) +
                           " filters, result has " + llvm::Twine(p->outC) +
                           " channels");
  return convAccumulate(op, args, rt, *p, /*depthwise=*/false, Conv2DKernel{});
}

llvm::Expected<Tensor> depthwiseConv2d(tosa::DepthwiseConv2DOp op,
                                       Operands args, const Result &rt) {
  const Tensor &in = *args[0], &w = *args[1];
  if (w.rank() != 4 || w.dim(2) != in.dim(3))
    return opError(op, "weights must be [KH, KW, C, M] with C = " +
                           llvm::Twine(in.dim(3)));
  auto p = convParams(op, in, w.dim(0), w.dim(1), rt.shape, op.getPad(),
                      op.getStride(), op.getDilation());
  if (!p)
    return p.takeError();
  if (p->outC != in.dim(3) * w.dim(3))
    return opError(op, "result has " + llvm::Twine(p->outC) +
                           " channels, expected C * M = " +
                           llvm::Twine(in.dim(3) * w.dim(3)));
  return convAccumulate(op, args, rt, *p, /*depthwise=*/true,
                        DepthwiseKernel{});
}

llvm::Expected<Tensor> matmul(tosa::MatMulOp op, Operands args,
                              const Result &rt) {
  const Tensor &a = *args[0], &b = *args[1];
  if (a.rank() != 3 || b.rank() != 3 || a.dim(0) != b.dim(0) ||
      a.dim(2) != b.dim(1))
    return opError(op, "expected a [N, H, C] and b [N, C, W], got " +
                           a.typeString() + " and " + b.typeString());
  kernels::MatMulParams p;
  p.batch = a.dim(0), p.m = a.dim(1), p.k = a.dim(2), p.n = b.dim(2);
  p.aZp = static_cast<int32_t>(scalarOf(*args[2]));
  p.bZp = static_cast<int32_t>(scalarOf(*args[3]));
  if (auto err = kernels::checkMatMul(p))
    return opError(op, *err);
  if (auto e = checkResult(op, ET::I32, rt.type))
    return std::move(e);
  Tensor out(ET::I32, rt.shape);
  const ET at = a.elementType(), bt = b.elementType();
  if (at == ET::I8 && bt == ET::I8)
    kernels::matMulAccumulate(p, a.data<int8_t>(), b.data<int8_t>(),
                              out.data<int32_t>());
  else if (at == ET::U8 && bt == ET::I8)
    kernels::matMulAccumulate(p, a.data<uint8_t>(), b.data<int8_t>(),
                              out.data<int32_t>());
  else if (at == ET::U8 && bt == ET::U8)
    kernels::matMulAccumulate(p, a.data<uint8_t>(), b.data<uint8_t>(),
                              out.data<int32_t>());
  else if (at == ET::I8 && bt == ET::U8)
    kernels::matMulAccumulate(p, a.data<int8_t>(), b.data<uint8_t>(),
                              out.data<int32_t>());
  else
    return typeError(op, "a/b", {&a, &b});
  return out;
}

llvm::Expected<Tensor> rescale(tosa::RescaleOp op, Operands args,
                               const Result &rt) {
  const Tensor &in = *args[0], &mult = *args[1], &shift = *args[2];
  // TOSA's rescale is elementwise; MLIR 22's verifier does not check the
  // shapes, and the kernel writes one output per input element.
  if (llvm::ArrayRef<int64_t>(rt.shape) != in.shape())
    return opError(op, "result shape " + formatDims(rt.shape) +
                           " differs from the input shape " +
                           formatDims(in.shape()));
  const bool inUnsigned = op.getInputUnsigned() || isUnsigned(in.elementType());
  const bool outUnsigned = op.getOutputUnsigned() || isUnsigned(rt.type);
  if (in.elementType() == ET::I64 && op.getScale32())
    return opError(op, "an i48 input requires scale32 = false");
  const ET inView = rescaleView(in.elementType(), inUnsigned);
  const ET outView = rescaleView(rt.type, outUnsigned);

  std::vector<int32_t> m(mult.numElements()), s(shift.numElements());
  for (size_t i = 0; i < m.size(); ++i)
    m[i] = static_cast<int32_t>(mult.getInt(i));
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<int32_t>(shift.getInt(i));
  const int64_t channels = in.rank() ? in.dim(in.rank() - 1) : 1;
  kernels::RescaleParams p;
  p.inputZp = static_cast<int32_t>(scalarOf(*args[3], inUnsigned));
  p.outputZp = static_cast<int32_t>(scalarOf(*args[4], outUnsigned));
  p.scale32 = op.getScale32();
  p.doubleRound = op.getRoundingMode() == tosa::RoundingMode::DOUBLE_ROUND;
  p.multiplier = m.data();
  p.shift = s.data();
  p.numChannels = op.getPerChannel() ? channels : 1;
  if (m.size() != s.size() || static_cast<int64_t>(m.size()) < p.numChannels)
    return opError(op, "expected " + llvm::Twine(p.numChannels) +
                           " multipliers and shifts, got " +
                           llvm::Twine(m.size()) + " and " +
                           llvm::Twine(s.size()));
  if (auto err = kernels::checkRescale(p))
    return opError(op, *err);

  Tensor view = in.bitcast(inView);
  Tensor out(outView, rt.shape);
  bool ran = visitType(inView, [&](auto inTag) {
    using In = decltype(inTag);
    return visitType(outView, [&](auto outTag) {
      using Out = decltype(outTag);
      if constexpr (isRescaleIn<In> && isRescaleOut<Out>) {
        kernels::rescale<In, Out>(p, view.data<In>(), out.data<Out>(),
                                  view.numElements());
        return true;
      } else {
        return false;
      }
    });
  });
  if (!ran)
    return opError(op, llvm::Twine("unsupported rescale ") +
                           elementTypeName(inView) + " -> " +
                           elementTypeName(outView));
  return out.bitcast(rt.type);
}

llvm::Expected<Tensor> clamp(tosa::ClampOp op, Operands args,
                             const Result &rt) {
  const Tensor &in = *args[0];
  auto lo = dyn_cast<IntegerAttr>(op.getMinValAttr());
  auto hi = dyn_cast<IntegerAttr>(op.getMaxValAttr());
  if (!lo || !hi)
    return opError(op, "expected integer min_val/max_val");
  const bool u = isUnsigned(in.elementType());
  const int64_t minV =
      u ? lo.getValue().getZExtValue() : lo.getValue().getSExtValue();
  const int64_t maxV =
      u ? hi.getValue().getZExtValue() : hi.getValue().getSExtValue();
  Tensor out(in.elementType(), in.shape().vec());
  auto run = [&](auto tag) {
    using T = decltype(tag);
    kernels::clamp<T>(in.data<T>(), out.data<T>(), in.numElements(),
                      static_cast<T>(minV), static_cast<T>(maxV));
  };
  if (!dispatchAs<int8_t, uint8_t, int16_t, int32_t>(in.elementType(), run))
    return typeError(op, "input", {&in});
  return out;
}

llvm::Expected<Tensor> maxPool2d(tosa::MaxPool2dOp op, Operands args,
                                 const Result &rt) {
  const Tensor &in = *args[0];
  auto p =
      poolParams(op, in, rt.shape, op.getKernel(), op.getStride(), op.getPad());
  if (!p)
    return p.takeError();
  Tensor out(in.elementType(), rt.shape);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    kernels::maxPool2d(*p, in.data<T>(), out.data<T>());
  };
  if (!dispatchAs<int8_t, uint8_t, int16_t, int32_t>(in.elementType(), run))
    return typeError(op, "input", {&in});
  return out;
}

llvm::Expected<Tensor> avgPool2d(tosa::AvgPool2dOp op, Operands args,
                                 const Result &rt) {
  const Tensor &in = *args[0];
  if (!op.getAccType().isInteger(32))
    return opError(op, "integer avg_pool2d requires acc_type i32");
  auto p =
      poolParams(op, in, rt.shape, op.getKernel(), op.getStride(), op.getPad());
  if (!p)
    return p.takeError();
  p->inputZp = static_cast<int32_t>(scalarOf(*args[1]));
  p->outputZp = static_cast<int32_t>(scalarOf(*args[2]));
  Tensor out(in.elementType(), rt.shape);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    kernels::avgPool2d(*p, in.data<T>(), out.data<T>());
  };
  if (!dispatchAs<int8_t, uint8_t, int16_t>(in.elementType(), run))
    return typeError(op, "input", {&in});
  return out;
}

llvm::Expected<Tensor> binaryInt32(Operation *op, Operands args,
                                   const Result &rt) {
  const Tensor &a = *args[0], &b = *args[1];
  if (a.elementType() != ET::I32 || b.elementType() != ET::I32 ||
      rt.type != ET::I32)
    return typeError(
        op, "operand (TOSA integer add/sub/maximum/minimum is i32)", {&a, &b});
  kernels::BroadcastShapes s{rt.shape, a.shape().vec(), b.shape().vec()};
  if (auto err = kernels::checkBroadcast(s))
    return opError(op, *err);
  Tensor out(ET::I32, rt.shape);
  const int32_t *pa = a.data<int32_t>(), *pb = b.data<int32_t>();
  int32_t *po = out.data<int32_t>();
  if (isa<tosa::AddOp>(op))
    kernels::add(s, pa, pb, po);
  else if (isa<tosa::SubOp>(op))
    kernels::sub(s, pa, pb, po);
  else if (isa<tosa::MaximumOp>(op))
    kernels::maximum(s, pa, pb, po);
  else
    kernels::minimum(s, pa, pb, po);
  return out;
}

llvm::Expected<Tensor> reduceSum(tosa::ReduceSumOp op, Operands args,
                                 const Result &rt) {
  const Tensor &in = *args[0];
  if (in.elementType() != ET::I32 || rt.type != ET::I32)
    return typeError(op, "input (TOSA integer reduce_sum is i32)", {&in});
  const int64_t axis = op.getAxis();
  if (axis < 0 || axis >= in.rank())
    return opError(op, "axis " + llvm::Twine(axis) + " out of range");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= in.dim(d);
  for (int64_t d = axis + 1; d < in.rank(); ++d)
    inner *= in.dim(d);
  Tensor out = Tensor::uninitialized(ET::I32, rt.shape);
  if (out.numElements() != outer * inner)
    return opError(op, "result shape does not match a reduction of axis " +
                           llvm::Twine(axis));
  kernels::reduceSum(in.data<int32_t>(), outer, in.dim(axis), inner,
                     out.data<int32_t>());
  return out;
}

llvm::Expected<Tensor> mul(tosa::MulOp op, Operands args, const Result &rt) {
  const Tensor &a = *args[0], &b = *args[1];
  const int64_t shift = scalarOf(*args[2]);
  if (shift < 0 || shift > 63 || (shift != 0 && a.elementType() != ET::I32))
    return opError(op, "shift " + llvm::Twine(shift) +
                           " must be 0, or in [1, 63] for i32 inputs");
  if (a.elementType() != b.elementType())
    return typeError(op, "operand", {&a, &b});
  if (auto e = checkResult(op, ET::I32, rt.type))
    return std::move(e);
  kernels::BroadcastShapes s{rt.shape, a.shape().vec(), b.shape().vec()};
  if (auto err = kernels::checkBroadcast(s))
    return opError(op, *err);
  Tensor out(ET::I32, rt.shape);
  const auto sh = static_cast<int32_t>(shift);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    kernels::mul(s, a.data<T>(), b.data<T>(), sh, out.data<int32_t>());
  };
  if (!dispatchAs<int8_t, int16_t, int32_t>(a.elementType(), run))
    return typeError(op, "operand", {&a, &b});
  return out;
}

llvm::Expected<Tensor> table(tosa::TableOp op, Operands args,
                             const Result &rt) {
  const Tensor &in = *args[0], &tbl = *args[1];
  if (in.elementType() == ET::I8 && tbl.elementType() == ET::I8) {
    if (tbl.numElements() != 256)
      return opError(op, "an i8 table needs 256 entries, got " +
                             llvm::Twine(tbl.numElements()));
    if (auto e = checkResult(op, ET::I8, rt.type))
      return std::move(e);
    Tensor out(ET::I8, rt.shape);
    kernels::table(in.data<int8_t>(), out.data<int8_t>(), in.numElements(),
                   tbl.data<int8_t>());
    return out;
  }
  if (in.elementType() == ET::I16 && tbl.elementType() == ET::I16) {
    if (tbl.numElements() != 513)
      return opError(op, "an i16 table needs 513 entries, got " +
                             llvm::Twine(tbl.numElements()));
    if (auto e = checkResult(op, ET::I32, rt.type))
      return std::move(e);
    Tensor out(ET::I32, rt.shape);
    kernels::table(in.data<int16_t>(), out.data<int32_t>(), in.numElements(),
                   tbl.data<int16_t>());
    return out;
  }
  return typeError(op, "input/table", {&in, &tbl});
}

llvm::Expected<Tensor> resizeBilinear(tosa::ResizeOp op, Operands args,
                                      const Result &rt) {
  const Tensor &in = *args[0];
  auto p = resizeParams(op, args, rt.shape);
  if (!p)
    return p.takeError();
  if (in.elementType() == ET::I8) {
    if (auto e = checkResult(op, ET::I32, rt.type))
      return std::move(e);
    Tensor out(ET::I32, rt.shape);
    kernels::resizeBilinear(*p, in.data<int8_t>(), out.data<int32_t>());
    return out;
  }
  if (in.elementType() == ET::I16) {
    if (auto e = checkResult(op, ET::I64, rt.type))
      return std::move(e);
    Tensor out(ET::I64, rt.shape);
    kernels::resizeBilinear(*p, in.data<int16_t>(), out.data<int64_t>());
    return out;
  }
  return typeError(op, "input", {&in});
}

llvm::Expected<Tensor> compare(Operation *op, Operands args,
                               const Result &rt) {
  const Tensor &a = *args[0], &b = *args[1];
  if (a.elementType() != b.elementType())
    return typeError(op, "operand", {&a, &b});
  if (auto e = checkResult(op, ET::Bool, rt.type))
    return std::move(e);
  kernels::BroadcastShapes s{rt.shape, a.shape().vec(), b.shape().vec()};
  if (auto err = kernels::checkBroadcast(s))
    return opError(op, *err);
  kernels::CompareFunc f = isa<tosa::GreaterOp>(op)
                               ? kernels::CompareFunc::Greater
                           : isa<tosa::GreaterEqualOp>(op)
                               ? kernels::CompareFunc::GreaterEqual
                               : kernels::CompareFunc::Equal;
  Tensor out(ET::Bool, rt.shape);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    kernels::compare<T>(f, s, a.data<T>(), b.data<T>(), out.data<bool>());
  };
  if (!dispatchAs<int8_t, int16_t, int32_t>(a.elementType(), run))
    return typeError(op, "operand", {&a, &b});
  return out;
}

llvm::Expected<Tensor> reduceMaxMin(Operation *op, Operands args,
                                    const Result &rt) {
  const Tensor &in = *args[0];
  auto axisAttr = op->getAttrOfType<IntegerAttr>("axis");
  const int64_t axis = axisAttr ? axisAttr.getInt() : -1;
  if (axis < 0 || axis >= in.rank())
    return opError(op, "axis " + llvm::Twine(axis) + " out of range");
  if (auto e = checkResult(op, in.elementType(), rt.type))
    return std::move(e);
  int64_t outer = 1, inner = 1, len = in.dim(axis);
  for (int64_t d = 0; d < axis; ++d)
    outer *= in.dim(d);
  for (int64_t d = axis + 1; d < in.rank(); ++d)
    inner *= in.dim(d);
  Tensor out(in.elementType(), rt.shape);
  if (out.numElements() != outer * inner || len < 1)
    return opError(op, "result shape does not match a reduction of axis " +
                           llvm::Twine(axis));
  const bool isMax = isa<tosa::ReduceMaxOp>(op);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    const T *x = in.data<T>();
    T *y = out.data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        T v = x[o * len * inner + i];
        for (int64_t k = 1; k < len; ++k) {
          T w = x[(o * len + k) * inner + i];
          v = isMax ? std::max(v, w) : std::min(v, w);
        }
        y[o * inner + i] = v;
      }
  };
  if (!dispatchAs<int8_t, int16_t, int32_t>(in.elementType(), run))
    return typeError(op, "input", {&in});
  return out;
}

namespace {

/// What tessera.softmax/log_softmax/layer_norm share: an i8 input and
/// result of one shape, normalised along `axis`, split as outer x axis x
/// inner elements, and 7 i32 parameters (the last argument).
struct CustomRows {
  int64_t axis, outer = 1, inner = 1;
  std::vector<int64_t> params;
};

llvm::Expected<CustomRows> customRows(tosa::CustomOp op, Operands args,
                                      const Result &rt) {
  const Tensor &in = *args.front(), &prm = *args.back();
  std::optional<int64_t> axis = patterns::tesseraCustomAxis(op, in.rank());
  if (!axis)
    return opError(op, "expected implementation_attrs \"axis=K\" with K in "
                       "[0, rank)");
  if (in.elementType() != ET::I8 || prm.elementType() != ET::I32 ||
      prm.numElements() != 7)
    return opError(op, "expected an i8 input and 7 i32 parameters");
  if (auto e = checkResult(op, ET::I8, rt.type))
    return std::move(e);
  if (rt.shape != in.shape().vec())
    return opError(op, "result shape differs from the input shape");
  CustomRows r{*axis};
  for (int64_t d = 0; d < *axis; ++d)
    r.outer *= in.dim(d);
  for (int64_t d = *axis + 1; d < in.rank(); ++d)
    r.inner *= in.dim(d);
  r.params = valuesOf(prm);
  return r;
}

/// tosa.custom tessera.layer_norm: core/kernels quantLayerNorm.
llvm::Expected<Tensor> layerNorm(tosa::CustomOp op, Operands args,
                                 const Result &rt) {
  if (args.size() != 2)
    return opError(op, "expected input and parameters");
  auto rows = customRows(op, args, rt);
  if (!rows)
    return rows.takeError();
  const Tensor &in = *args[0];
  if (in.dim(rows->axis) > kernels::kLayerNormMaxRow)
    return opError(op, "more than 32767 elements per normalised row");
  const std::vector<int64_t> &p = rows->params;
  if (auto err = quant::checkScale32(p[0], p[1]))
    return opError(op, "parameters: " + *err);
  if (p[2] < 0 || p[3] < 0 || p[3] > 62)
    return opError(op, "parameters: epsilon mantissa must be >= 0 and its "
                       "exponent in [0, 62]");
  kernels::QuantLayerNorm q;
  q.multiplier = static_cast<int32_t>(p[0]);
  q.shift = static_cast<int32_t>(p[1]);
  q.epsMant = static_cast<int32_t>(p[2]);
  q.epsShift = static_cast<int32_t>(p[3]);
  q.outZp = static_cast<int32_t>(p[4]);
  q.clampMin = static_cast<int32_t>(p[5]);
  q.clampMax = static_cast<int32_t>(p[6]);
  Tensor out(ET::I8, rt.shape);
  kernels::quantLayerNorm<int8_t, int8_t>(q, in.data<int8_t>(),
                                          out.data<int8_t>(), rows->outer,
                                          in.dim(rows->axis), rows->inner);
  return out;
}

} // namespace

llvm::Expected<Tensor> custom(tosa::CustomOp op, Operands args,
                              const Result &rt) {
  if (patterns::isTesseraCustom(op, "layer_norm"))
    return layerNorm(op, args, rt);
  if (!patterns::isTesseraCustom(op, "softmax") &&
      !patterns::isTesseraCustom(op, "log_softmax"))
    return opError(op, "unsupported custom operator '" +
                           op.getDomainName() + "." + op.getOperatorName() +
                           "' (known: tessera.softmax, tessera.log_softmax, "
                           "tessera.layer_norm)");
  if (args.size() != 3)
    return opError(op, "expected input, exp table and parameters");
  const Tensor &in = *args[0], &tbl = *args[1];
  if (tbl.elementType() != ET::I32 || tbl.numElements() != 256)
    return opError(op, "expected an i8 input, a 256-entry i32 table and 7 "
                       "i32 parameters");
  auto rows = customRows(op, args, rt);
  if (!rows)
    return rows.takeError();
  const std::vector<int64_t> &p = rows->params;
  if (op.getOperatorName() == "softmax")
    if (auto err = quant::checkScale32(p[0], p[1]))
      return opError(op, "parameters: " + *err);
  kernels::QuantSoftmax q;
  q.log = op.getOperatorName() == "log_softmax";
  q.expTable = tbl.data<int32_t>();
  q.multiplier = static_cast<int32_t>(p[0]);
  q.shift = static_cast<int32_t>(p[1]);
  q.inMult = static_cast<int32_t>(p[2]);
  q.logMult = static_cast<int32_t>(p[3]);
  q.outZp = static_cast<int32_t>(p[4]);
  q.clampMin = static_cast<int32_t>(p[5]);
  q.clampMax = static_cast<int32_t>(p[6]);
  Tensor out(ET::I8, rt.shape);
  kernels::quantSoftmax<int8_t, int8_t>(q, in.data<int8_t>(),
                                        out.data<int8_t>(), rows->outer,
                                        in.dim(rows->axis), rows->inner);
  return out;
}

} // namespace tessera::reference::detail::integer
