//===- PoolOps.cpp - MaxPool, AveragePool, GlobalAveragePool -> TOSA ------===//
//
// MaxPool           -> tosa.max_pool2d (padding never wins a max); with
//                      dilations a separable max of strided slices
//                      (dilatedMaxPool)
// AveragePool       -> tosa.avg_pool2d; TOSA divides by the number of input
//                      elements in the window, which is ONNX's
//                      count_include_pad = 0. count_include_pad = 1 pads
//                      explicitly with zeros (tosa.concat of zero
//                      constants) first.
// GlobalAveragePool -> tosa.avg_pool2d with the kernel covering H x W, which
//                      the integer path lowers like any average pool.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"
#include "compiler/frontend/ops/Window.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <limits>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

// TOSA requires every pad to be smaller than the kernel (spec ERROR_IF on
// pad >= kernel for pooling).
llvm::Error checkPadBelowKernel(GraphImporter &imp, const Window2d &w) {
  for (int d = 0; d < 2; ++d)
    if (w.padBegin[d] >= w.kernel[d] || w.padEnd[d] >= w.kernel[d])
      return imp.nodeError(
          "padding " + Twine(std::max(w.padBegin[d], w.padEnd[d])) +
          " is not smaller than the kernel " + Twine(w.kernel[d]) +
          " (not representable in TOSA pooling)");
  return llvm::Error::success();
}

// Pads an NHWC value with `fill` by concatenating constants. tosa.pad
// would say the same, but MLIR 22's tosa-validate rejects the
// !tosa.shape<8> padding operand of a 4-D tosa.pad at level 8K (it checks
// the shape's length against MAX_RANK 6), and tosa-to-linalg-pipeline runs
// that validation.
Value padNhwc(GraphImporter &imp, Value in, std::array<int64_t, 4> pad,
              float fill) {
  auto concatFill = [&](Value v, int64_t axis, int64_t before, int64_t after) {
    if (before == 0 && after == 0)
      return v;
    auto shape =
        llvm::to_vector(cast<RankedTensorType>(v.getType()).getShape());
    llvm::SmallVector<Value> parts;
    auto block = [&](int64_t n) {
      auto zs = shape;
      zs[axis] = n;
      return imp.constFloat(zs, std::vector<float>(shapeNumElements(zs), fill));
    };
    if (before)
      parts.push_back(block(before));
    parts.push_back(v);
    if (after)
      parts.push_back(block(after));
    shape[axis] += before + after;
    return Value(tosa::ConcatOp::create(imp.builder(), imp.loc(),
                                        imp.tensorType(shape), parts,
                                        static_cast<uint32_t>(axis)));
  };
  Value v = concatFill(in, 1, pad[0], pad[1]);
  return concatFill(v, 2, pad[2], pad[3]);
}

Value zeroPadNhwc(GraphImporter &imp, Value in, std::array<int64_t, 4> pad) {
  return padNhwc(imp, in, pad, 0.0f);
}

// MaxPool with dilations: TOSA's max_pool2d has none. The padded input
// (-FLT_MAX, which never wins a max unless a window holds only padding) is
// reduced separably at stride 1, first along W (tosa.maximum of the KW
// slices starting at kx·dw), then along H (KH slices at ky·dh), which leaves
// (out − 1)·stride + 1 rows and columns; a 1x1 tosa.max_pool2d with the
// stride then keeps every stride-th one.
Value dilatedMaxPool(GraphImporter &imp, Value in, const Window2d &win) {
  Value v = padNhwc(imp, in, win.tosaPad(),
                    -std::numeric_limits<float>::max());
  for (int axis : {2, 1}) {
    int d = axis - 1; // window dim: 0 = H, 1 = W
    auto shape =
        llvm::to_vector(cast<RankedTensorType>(v.getType()).getShape());
    int64_t span = (win.kernel[d] - 1) * win.dilation[d];
    auto size = shape;
    size[axis] = shape[axis] - span;
    Value acc;
    for (int64_t k = 0; k < win.kernel[d]; ++k) {
      llvm::SmallVector<int64_t> start(4, 0);
      start[axis] = k * win.dilation[d];
      Value part = imp.slice(v, start, size);
      acc = acc ? Value(tosa::MaximumOp::create(imp.builder(), imp.loc(),
                                                imp.tensorType(size), acc,
                                                part))
                : part;
    }
    v = acc;
  }
  if (win.stride[0] == 1 && win.stride[1] == 1)
    return v;
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  auto outType = imp.tensorType({shape[0], win.out[0], win.out[1], shape[3]});
  std::array<int64_t, 2> one = {1, 1};
  std::array<int64_t, 4> noPad = {0, 0, 0, 0};
  return tosa::MaxPool2dOp::create(imp.builder(), imp.loc(), outType, v, one,
                                   win.stride, noPad);
}

llvm::Error importMaxPool(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  if (GraphImporter::wantsOutput(node, 1))
    return imp.nodeError("output 'Indices' is not supported");
  AttrReader attrs(imp, node);
  Window2d win;
  const auto &xs = (*x)->shape;
  if (auto err =
          computeWindow(imp, attrs, {xs[2], xs[3]}, std::nullopt,
                        /*allowCeil=*/true, /*allowDilation=*/true, win))
    return err;
  bool dilated = win.dilation[0] != 1 || win.dilation[1] != 1;
  if (!dilated)
    if (auto err = checkPadBelowKernel(imp, win))
      return err;
  auto input = imp.asNhwc(**x);
  if (!input)
    return input.takeError();
  Value in = cropNhwc(imp, *input, win);
  if (dilated) {
    Value result = dilatedMaxPool(imp, in, win);
    imp.defineNhwc(node, 0, result, {xs[0], xs[1], win.out[0], win.out[1]});
    return llvm::Error::success();
  }
  auto outType = imp.tensorType({xs[0], win.out[0], win.out[1], xs[1]});
  Value result =
      tosa::MaxPool2dOp::create(imp.builder(), imp.loc(), outType, in,
                                win.kernel, win.stride, win.tosaPad());
  imp.defineNhwc(node, 0, result, {xs[0], xs[1], win.out[0], win.out[1]});
  return llvm::Error::success();
}

llvm::Error importAveragePool(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  AttrReader attrs(imp, node);
  int64_t countIncludePad = attrs.getInt("count_include_pad", 0);
  if (auto err = attrs.takeError())
    return err;
  Window2d win;
  const auto &xs = (*x)->shape;
  if (auto err =
          computeWindow(imp, attrs, {xs[2], xs[3]}, std::nullopt,
                        /*allowCeil=*/true, /*allowDilation=*/false, win))
    return err;
  auto input = imp.asNhwc(**x);
  if (!input)
    return input.takeError();
  Value in = cropNhwc(imp, *input, win);
  std::array<int64_t, 4> pad = win.tosaPad();
  bool padded = llvm::any_of(pad, [](int64_t p) { return p != 0; });
  if (countIncludePad && padded) {
    // ONNX counts explicit padding in the divisor but not the extra ceil_mode
    // padding; TOSA has only "count nothing", so refuse the mix.
    if (win.addedPadding())
      return imp.nodeError("attribute 'count_include_pad' = 1 together with "
                           "'ceil_mode' = 1 that adds padding is not "
                           "supported");
    in = zeroPadNhwc(imp, in, pad);
    pad = {0, 0, 0, 0};
  } else if (countIncludePad != 0 && countIncludePad != 1) {
    return imp.nodeError("attribute 'count_include_pad' value " +
                         Twine(countIncludePad) + " is not supported");
  }
  Window2d check = win;
  check.padBegin = {pad[0], pad[2]};
  check.padEnd = {pad[1], pad[3]};
  if (auto err = checkPadBelowKernel(imp, check))
    return err;
  auto outType = imp.tensorType({xs[0], win.out[0], win.out[1], xs[1]});
  Value zp = imp.zeroPoint();
  Value result =
      tosa::AvgPool2dOp::create(imp.builder(), imp.loc(), outType, in, zp, zp,
                                win.kernel, win.stride, pad, imp.f32());
  imp.defineNhwc(node, 0, result, {xs[0], xs[1], win.out[0], win.out[1]});
  return llvm::Error::success();
}

llvm::Error importGlobalAveragePool(GraphImporter &imp,
                                    const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  const auto &xs = (*x)->shape;
  auto input = imp.asNhwc(**x);
  if (!input)
    return input.takeError();
  auto outType = imp.tensorType({xs[0], 1, 1, xs[1]});
  Value zp = imp.zeroPoint();
  std::array<int64_t, 2> kernel = {xs[2], xs[3]}, stride = {1, 1};
  std::array<int64_t, 4> pad = {0, 0, 0, 0};
  Value result =
      tosa::AvgPool2dOp::create(imp.builder(), imp.loc(), outType, *input, zp,
                                zp, kernel, stride, pad, imp.f32());
  imp.defineNhwc(node, 0, result, {xs[0], xs[1], 1, 1});
  return llvm::Error::success();
}

} // namespace

void registerPoolOps(OpTable &table) {
  table["MaxPool"] = importMaxPool;
  table["AveragePool"] = importAveragePool;
  table["GlobalAveragePool"] = importGlobalAveragePool;
}

} // namespace tessera::frontend
