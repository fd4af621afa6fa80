//===- Ops.cpp - Op dispatch and helpers of the reference executors -------===//

#include "compiler/reference/Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace tessera::reference::detail {

std::string describe(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "'" << op->getName() << "' at " << op->getLoc();
  return s;
}

llvm::Error opError(Operation *op, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 describe(op) + ": " + msg);
}

llvm::Expected<Result> resultType(Operation *op, unsigned i) {
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(i).getType());
  if (!type || !type.hasStaticShape()) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << op->getResult(i).getType();
    return opError(op, "expected a statically shaped tensor result, got " + s);
  }
  auto et = elementTypeOf(type.getElementType());
  if (!et) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << type.getElementType();
    return opError(op, "unsupported result element type " + s);
  }
  return Result{*et, std::vector<int64_t>(type.getShape().begin(),
                                          type.getShape().end())};
}

int64_t scalarOf(const Tensor &t, bool asUnsigned) {
  int64_t v = t.getInt(0);
  if (asUnsigned && v < 0)
    v &= (int64_t(1) << (8 * elementSize(t.elementType()))) - 1;
  return v;
}

std::vector<int64_t> valuesOf(const Tensor &t) {
  std::vector<int64_t> v(t.numElements());
  for (int64_t i = 0; i < t.numElements(); ++i)
    v[i] = t.getInt(i);
  return v;
}

namespace {

std::string str(int64_t v) { return std::to_string(v); }

/// floor(a / b), b > 0.
int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

} // namespace

llvm::Expected<kernels::Conv2DParams>
convParams(Operation *op, const Tensor &input, int64_t kernelH, int64_t kernelW,
           ArrayRef<int64_t> outShape, ArrayRef<int64_t> pad,
           ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation) {
  if (input.rank() != 4 || outShape.size() != 4 || pad.size() != 4 ||
      stride.size() != 2 || dilation.size() != 2)
    return opError(op, "expected rank-4 NHWC input/output, 4 pads, 2 "
                       "strides and 2 dilations");
  kernels::Conv2DParams p;
  p.batch = input.dim(0);
  p.inH = input.dim(1), p.inW = input.dim(2), p.inC = input.dim(3);
  p.outH = outShape[1], p.outW = outShape[2], p.outC = outShape[3];
  p.kernelH = kernelH, p.kernelW = kernelW;
  p.padTop = pad[0], p.padBottom = pad[1], p.padLeft = pad[2];
  p.padRight = pad[3];
  p.strideH = stride[0], p.strideW = stride[1];
  p.dilationH = dilation[0], p.dilationW = dilation[1];
  if (p.strideH < 1 || p.strideW < 1 || p.dilationH < 1 || p.dilationW < 1)
    return opError(op, "expected stride and dilation >= 1");
  int64_t oh = floorDiv(p.inH - 1 + p.padTop + p.padBottom -
                            (p.kernelH - 1) * p.dilationH,
                        p.strideH) +
               1;
  int64_t ow = floorDiv(p.inW - 1 + p.padLeft + p.padRight -
                            (p.kernelW - 1) * p.dilationW,
                        p.strideW) +
               1;
  if (oh != p.outH || ow != p.outW)
    return opError(op, "expected output " + str(oh) + "x" + str(ow) +
                           " from the input, kernel, pads, stride and "
                           "dilation, but the result is " +
                           str(p.outH) + "x" + str(p.outW));
  if (outShape[0] != p.batch)
    return opError(op, "result batch " + str(outShape[0]) +
                           " differs from the input's " + str(p.batch));
  return p;
}

llvm::Expected<kernels::Pool2DParams>
poolParams(Operation *op, const Tensor &input, ArrayRef<int64_t> outShape,
           ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
           ArrayRef<int64_t> pad) {
  if (input.rank() != 4 || outShape.size() != 4 || kernel.size() != 2 ||
      stride.size() != 2 || pad.size() != 4)
    return opError(op, "expected rank-4 NHWC input/output, 2 kernel dims, 2 "
                       "strides and 4 pads");
  kernels::Pool2DParams p;
  p.batch = input.dim(0);
  p.inH = input.dim(1), p.inW = input.dim(2), p.channels = input.dim(3);
  p.outH = outShape[1], p.outW = outShape[2];
  p.kernelH = kernel[0], p.kernelW = kernel[1];
  p.strideH = stride[0], p.strideW = stride[1];
  p.padTop = pad[0], p.padBottom = pad[1], p.padLeft = pad[2];
  p.padRight = pad[3];
  if (p.strideH < 1 || p.strideW < 1)
    return opError(op, "expected stride >= 1");
  int64_t oh =
      floorDiv(p.inH + p.padTop + p.padBottom - p.kernelH, p.strideH) + 1;
  int64_t ow =
      floorDiv(p.inW + p.padLeft + p.padRight - p.kernelW, p.strideW) + 1;
  if (oh != p.outH || ow != p.outW || outShape[3] != p.channels ||
      outShape[0] != p.batch)
    return opError(op, "expected output " + str(p.batch) + "x" + str(oh) + "x" +
                           str(ow) + "x" + str(p.channels) +
                           " but the result is " + str(outShape[0]) + "x" +
                           str(p.outH) + "x" + str(p.outW) + "x" +
                           str(outShape[3]));
  if (auto err = kernels::checkPool2D(p))
    return opError(op, *err);
  return p;
}

llvm::Expected<kernels::ResizeParams>
resizeParams(tosa::ResizeOp op, Operands args, ArrayRef<int64_t> outShape) {
  const Tensor &in = *args[0];
  std::vector<int64_t> scale = valuesOf(*args[1]), offset = valuesOf(*args[2]),
                       border = valuesOf(*args[3]);
  if (scale.size() != 4 || offset.size() != 2 || border.size() != 2 ||
      in.rank() != 4 || outShape.size() != 4)
    return opError(op, "expected NHWC tensors, scale[4], offset[2] and "
                       "border[2]");
  kernels::ResizeParams p;
  p.batch = in.dim(0), p.inH = in.dim(1), p.inW = in.dim(2);
  p.channels = in.dim(3);
  p.outH = outShape[1], p.outW = outShape[2];
  p.scaleYN = scale[0], p.scaleYD = scale[1];
  p.scaleXN = scale[2], p.scaleXD = scale[3];
  p.offsetY = offset[0], p.offsetX = offset[1];
  if (auto err = kernels::checkResize(p))
    return opError(op, *err);
  int64_t oh =
      floorDiv((p.inH - 1) * p.scaleYN - p.offsetY + border[0], p.scaleYD) + 1;
  int64_t ow =
      floorDiv((p.inW - 1) * p.scaleXN - p.offsetX + border[1], p.scaleXD) + 1;
  if (oh != p.outH || ow != p.outW)
    return opError(op, "expected output " + str(oh) + "x" + str(ow) +
                           " from scale/offset/border, but the result is " +
                           str(p.outH) + "x" + str(p.outW));
  return p;
}

namespace {

bool isFloat(const Tensor *t) { return t->elementType() == ElementType::F32; }

Tensor copyOf(const Tensor &t) { return t; }

} // namespace

bool isKnownOp(Operation *op) {
  if (isa<tosa::GatherOp, tosa::TransposeConv2DOp, math::RoundEvenOp,
          math::TruncOp, tosa::EqualOp, tosa::GreaterOp,
          tosa::GreaterEqualOp, tosa::SelectOp, tosa::CustomOp>(op))
    return true;
  return isa<tosa::ConstOp, tosa::ConstShapeOp, arith::ConstantOp,
             tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp, tosa::PadOp,
             tosa::ReverseOp,
             tosa::ConcatOp, tosa::TileOp, tosa::CastOp, tosa::IdentityOp,
             tosa::ResizeOp, tosa::Conv2DOp, tosa::DepthwiseConv2DOp,
             tosa::MatMulOp, tosa::RescaleOp, tosa::ClampOp, tosa::MaxPool2dOp,
             tosa::AvgPool2dOp, tosa::AddOp, tosa::SubOp, tosa::MulOp,
             tosa::MaximumOp, tosa::MinimumOp, tosa::PowOp, tosa::TableOp,
             tosa::SigmoidOp, tosa::TanhOp, tosa::ExpOp, tosa::LogOp,
             tosa::ReciprocalOp, tosa::RsqrtOp, tosa::AbsOp, tosa::NegateOp,
             tosa::FloorOp, tosa::CeilOp, tosa::ErfOp, tosa::ReduceSumOp,
             tosa::ReduceMaxOp, tosa::ReduceMinOp, tosa::ReduceProductOp,
             mlir::quant::QuantizeCastOp, mlir::quant::DequantizeCastOp,
             mlir::quant::StorageCastOp, tensor::BitcastOp, arith::DivFOp>(op);
}

llvm::Expected<Tensor> evalOp(Operation *op, Operands args,
                              const Epilogue *epilogue) {
  if (isa<tosa::ConstShapeOp>(op)) // !tosa.shape, not a tensor
    return data::constant(op, Result{ElementType::I64, {}});
  auto res = resultType(op);
  if (!res)
    return res.takeError();
  const Result &rt = *res;
  auto floatOnly = [&](auto fn) -> llvm::Expected<Tensor> {
    if (!isFloat(args[0]))
      return opError(op, llvm::Twine("unsupported element type ") +
                             elementTypeName(args[0]->elementType()) +
                             " (this op runs on f32 only)");
    return fn();
  };
  return llvm::TypeSwitch<Operation *, llvm::Expected<Tensor>>(op)
      .Case<tosa::ConstOp, tosa::ConstShapeOp, arith::ConstantOp>(
          [&](Operation *o) { return data::constant(o, rt); })
      .Case<tosa::ReshapeOp>([&](auto o) { return data::reshape(o, args, rt); })
      .Case<tosa::TransposeOp>(
          [&](auto o) { return data::transpose(o, args, rt); })
      .Case<tosa::SliceOp>([&](auto o) { return data::slice(o, args, rt); })
      .Case<tosa::PadOp>([&](auto o) { return data::pad(o, args, rt); })
      .Case<tosa::ReverseOp>(
          [&](auto o) { return data::reverse(o, args, rt); })
      .Case<tosa::ConcatOp>([&](auto o) { return data::concat(o, args, rt); })
      .Case<tosa::TileOp>([&](auto o) { return data::tile(o, args, rt); })
      .Case<tosa::GatherOp>([&](auto o) { return data::gather(o, args, rt); })
      .Case<tosa::TransposeConv2DOp>([&](tosa::TransposeConv2DOp o) {
        return floatOnly([&] { return fp::transposeConv2d(o, args, rt); });
      })
      .Case<tosa::CastOp>([&](auto o) { return data::cast(o, args, rt); })
      .Case<tosa::SelectOp>([&](auto o) { return data::select(o, args, rt); })
      .Case<tosa::EqualOp, tosa::GreaterOp, tosa::GreaterEqualOp>(
          [&](Operation *o) {
            return isFloat(args[0]) ? fp::compare(o, args, rt)
                                    : integer::compare(o, args, rt);
          })
      .Case<tosa::IdentityOp>(
          [&](auto) -> llvm::Expected<Tensor> { return copyOf(*args[0]); })
      .Case<tosa::ResizeOp>([&](tosa::ResizeOp o) -> llvm::Expected<Tensor> {
        if (o.getMode() == tosa::ResizeMode::NEAREST_NEIGHBOR)
          return data::resizeNearest(o, args, rt);
        return isFloat(args[0]) ? fp::resizeBilinear(o, args, rt)
                                : integer::resizeBilinear(o, args, rt);
      })
      .Case<tosa::Conv2DOp>([&](auto o) {
        return isFloat(args[0]) ? fp::conv2d(o, args, rt, epilogue)
                                : integer::conv2d(o, args, rt);
      })
      .Case<tosa::DepthwiseConv2DOp>([&](auto o) {
        return isFloat(args[0]) ? fp::depthwiseConv2d(o, args, rt, epilogue)
                                : integer::depthwiseConv2d(o, args, rt);
      })
      .Case<tosa::MatMulOp>([&](auto o) {
        return isFloat(args[0]) ? fp::matmul(o, args, rt)
                                : integer::matmul(o, args, rt);
      })
      .Case<tosa::RescaleOp>(
          [&](auto o) { return integer::rescale(o, args, rt); })
      .Case<tosa::ClampOp>([&](auto o) {
        return isFloat(args[0]) ? fp::clamp(o, args, rt)
                                : integer::clamp(o, args, rt);
      })
      .Case<tosa::MaxPool2dOp>([&](auto o) {
        return isFloat(args[0]) ? fp::maxPool2d(o, args, rt)
                                : integer::maxPool2d(o, args, rt);
      })
      .Case<tosa::AvgPool2dOp>([&](auto o) {
        return isFloat(args[0]) ? fp::avgPool2d(o, args, rt)
                                : integer::avgPool2d(o, args, rt);
      })
      .Case<tosa::AddOp, tosa::SubOp, tosa::MaximumOp, tosa::MinimumOp>(
          [&](Operation *o) {
            return isFloat(args[0]) ? fp::binary(o, args, rt)
                                    : integer::binaryInt32(o, args, rt);
          })
      .Case<tosa::MulOp>([&](auto o) {
        return isFloat(args[0]) ? fp::binary(o, args, rt)
                                : integer::mul(o, args, rt);
      })
      .Case<tosa::PowOp>([&](Operation *o) {
        return floatOnly([&] { return fp::binary(o, args, rt); });
      })
      .Case<tosa::TableOp>([&](auto o) { return integer::table(o, args, rt); })
      .Case<tosa::SigmoidOp, tosa::TanhOp, tosa::ExpOp, tosa::LogOp,
            tosa::ReciprocalOp, tosa::RsqrtOp, tosa::AbsOp, tosa::NegateOp,
            tosa::FloorOp, tosa::CeilOp, tosa::ErfOp, math::RoundEvenOp,
            math::TruncOp>([&](Operation *o) {
        return floatOnly([&] { return fp::unary(o, args, rt); });
      })
      .Case<tosa::ReduceSumOp>([&](tosa::ReduceSumOp o) {
        return isFloat(args[0]) ? fp::reduce(o, args, rt)
                                : integer::reduceSum(o, args, rt);
      })
      .Case<tosa::ReduceMaxOp, tosa::ReduceMinOp>([&](Operation *o) {
        return isFloat(args[0]) ? fp::reduce(o, args, rt)
                                : integer::reduceMaxMin(o, args, rt);
      })
      .Case<tosa::ReduceProductOp>([&](Operation *o) {
        return floatOnly([&] { return fp::reduce(o, args, rt); });
      })
      .Case<tosa::CustomOp>([&](tosa::CustomOp o) -> llvm::Expected<Tensor> {
        if (isFloat(args[0]))
          return opError(o, "a float tosa.custom has no reference semantics");
        return integer::custom(o, args, rt);
      })
      .Case<arith::DivFOp>([&](Operation *o) {
        return floatOnly([&] { return fp::binary(o, args, rt); });
      })
      .Case<mlir::quant::QuantizeCastOp>(
          [&](Operation *o) { return quantized::qcast(o, args, rt); })
      .Case<mlir::quant::DequantizeCastOp>(
          [&](Operation *o) { return quantized::dcast(o, args, rt); })
      .Case<mlir::quant::StorageCastOp, tensor::BitcastOp>(
          [&](Operation *o) { return quantized::bitcast(o, args, rt); })
      .Default([&](Operation *o) -> llvm::Expected<Tensor> {
        return opError(o, "unsupported op");
      });
}

} // namespace tessera::reference::detail
