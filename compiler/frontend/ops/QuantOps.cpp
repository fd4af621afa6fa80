//===- QuantOps.cpp - Pre-quantized ONNX (QDQ, QLinear*, *Integer) -> TOSA ===//
//
// A model quantized by QAT or onnxruntime imports onto the quant-annotated
// level (docs/quantization-passes.md) with its scales and zero points as
// they are in the file:
//   QuantizeLinear          quant.qcast  f32 -> !quant.uniform<...>
//   DequantizeLinear        quant.dcast  (of quant.scast(tosa.const iN) for
//                           an integer initializer, of quant.scast of an
//                           integer graph input, of a QuantizeLinear result)
//   QLinearConv/MatMul      dcast inputs, float tosa.conv2d / matmul, qcast
//                           (bias int32 = scast/dcast at x_scale * w_scale)
//   ConvInteger/MatMulInteger  integer tosa.conv2d / matmul with zero points
//   DynamicQuantizeLinear   float TOSA computing the ONNX formula at run time
//   Cast (non-constant)     float <-> int8/uint8/int16/int32: math.trunc +
//                           tosa.cast (the expanded DynamicQuantizeLinear
//                           casts its rounded zero point to uint8)
// Per-tensor, per-axis (on the NHWC axis for 4-D activations) and blocked
// (UniformQuantizedSubChannelType) quantization; storage int8/uint8/int16/
// uint16/int4/uint4. float8/float4/int2 stop the import with one error.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"
#include "compiler/frontend/ops/ShapeUtil.h"
#include "compiler/frontend/ops/Window.h"

#include "core/quant/Quant.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/StringMap.h"

#include <array>
#include <cmath>

using llvm::Twine;
using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::frontend {

/// What DequantizeLinear of an integer initializer recorded, so that the
/// float weight a Conv/Gemm importer made from it can be put back into the
/// quantized form afterwards (finishQuantImport).
struct QuantImportState {
  struct DequantizedConst {
    std::vector<double> scales; // one per tensor or per ONNX axis 0 index
    std::vector<int64_t> zeroPoints;
    unsigned bits = 8;
    bool isSigned = true;
    int64_t qmin = -128, qmax = 127;
  };
  llvm::StringMap<DequantizedConst> constants; // by ONNX tensor name
};

namespace {

// ONNX TensorProto data types; 17-26 postdate the onnx.proto Debian ships.
enum OnnxType : int {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6,
  kInt64 = 7, kBool = 9, kFloat16 = 10, kDouble = 11, kE4M3FN = 17,
  kE4M3FNUZ = 18, kE5M2 = 19, kE5M2FNUZ = 20,
  kUint4 = 21, kInt4 = 22, kFloat4E2M1 = 23, kFloat8E8M0 = 24, kUint2 = 25,
  kInt2 = 26
};

const char *onnxTypeName(int t) {
  switch (t) {
  case kFloat: return "float32";
  case kUint8: return "uint8";
  case kInt8: return "int8";
  case kUint16: return "uint16";
  case kInt16: return "int16";
  case kInt32: return "int32";
  case kInt64: return "int64";
  case kBool: return "bool";
  case kDouble: return "float64";
  case kFloat16: return "float16";
  case kE4M3FN: return "float8e4m3fn";
  case kE4M3FNUZ: return "float8e4m3fnuz";
  case kE5M2: return "float8e5m2";
  case kE5M2FNUZ: return "float8e5m2fnuz";
  case kUint4: return "uint4";
  case kInt4: return "int4";
  case kFloat4E2M1: return "float4e2m1";
  case kFloat8E8M0: return "float8e8m0";
  case kUint2: return "uint2";
  case kInt2: return "int2";
  default: return "other";
  }
}

bool isRejectedQuantType(int t) {
  return (t >= kE4M3FN && t <= kE5M2FNUZ) || t >= kFloat4E2M1;
}

/// Integer storage of a quantized tensor.
struct Storage {
  int onnxType;
  unsigned bits;
  bool isSigned;
  int64_t qmin, qmax;
};

std::optional<Storage> storageOf(int t) {
  auto info = [&](quant::DType d) {
    quant::DTypeInfo i = quant::dtypeInfo(d);
    return Storage{t, static_cast<unsigned>(i.bits), i.isSigned, i.qmin,
                   i.qmax};
  };
  switch (t) {
  case kUint8: return info(quant::DType::UInt8);
  case kInt8: return info(quant::DType::Int8);
  case kUint16: return info(quant::DType::UInt16);
  case kInt16: return info(quant::DType::Int16);
  case kUint4: return info(quant::DType::UInt4);
  case kInt4: return info(quant::DType::Int4);
  case kInt32: return info(quant::DType::Int32);
  default: return std::nullopt;
  }
}

/// ONNX type of an imported tensor: a constant's decoded type, or the
/// element type of its value (quantized values by their storage).
int onnxTypeOf(const ImportedValue &v) {
  if (v.constant)
    return v.constant->dataType
               ? v.constant->dataType
               : (v.constant->isFloat() ? int(kFloat) : int(kInt32));
  Value val = v.plain ? v.plain : v.nhwc;
  Type et = cast<ShapedType>(val.getType()).getElementType();
  if (et.isF32())
    return kFloat;
  unsigned width = 0;
  bool isSigned = true;
  if (auto q = dyn_cast<mq::QuantizedType>(et)) {
    width = q.getStorageTypeIntegralWidth();
    isSigned = q.isSigned();
  } else if (auto i = dyn_cast<IntegerType>(et)) {
    width = i.getWidth();
    isSigned = !i.isUnsigned();
  }
  switch (width) {
  case 4: return isSigned ? kInt4 : kUint4;
  case 8: return isSigned ? kInt8 : kUint8;
  case 16: return isSigned ? kInt16 : kUint16;
  case 32: return kInt32;
  default: return 0;
  }
}

Type signlessType(GraphImporter &imp, unsigned bits) {
  return imp.builder().getIntegerType(bits);
}

/// The MLIR type a value of ONNX integer type `t` has outside the quant
/// types: signless for signed types, ui for unsigned ones.
Type integerTypeOf(MLIRContext &ctx, const Storage &s) {
  return IntegerType::get(&ctx, s.bits, s.isSigned
                                            ? IntegerType::Signless
                                            : IntegerType::Unsigned);
}

Value intConst(GraphImporter &imp, ArrayRef<int64_t> shape, Type elemType,
               ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, elemType);
  unsigned width = elemType.getIntOrFloatBitWidth();
  SmallVector<APInt> bits;
  for (int64_t v : values)
    bits.push_back(APInt(width, static_cast<uint64_t>(v), /*isSigned=*/true,
                         /*implicitTrunc=*/true));
  return tosa::ConstOp::create(imp.builder(), imp.loc(), type,
                               DenseElementsAttr::get(type, bits));
}

std::vector<int64_t> nhwcShape(ArrayRef<int64_t> nchw) {
  return {nchw[0], nchw[2], nchw[3], nchw[1]};
}

/// NHWC position of ONNX (NCHW) axis `a`.
int32_t nhwcAxis(int64_t a) {
  static const int32_t pos[4] = {0, 3, 1, 2};
  return pos[a];
}

/// Quantization parameters of one Q/DQ node: scale, zero point, axis and
/// block size, read and checked against the data shape.
struct QParamsSpec {
  std::vector<double> scales;
  std::vector<int64_t> zeroPoints;
  std::vector<int64_t> paramShape; // shape of the scale tensor
  int64_t axis = -1;               // -1: per tensor
  int64_t blockSize = 0;
  Storage storage;
};

llvm::Expected<QParamsSpec>
readQParams(GraphImporter &imp, const ConstTensor &scale,
            const ConstTensor *zp, const Storage &storage, int64_t axisAttr,
            int64_t blockSize, ArrayRef<int64_t> shape) {
  QParamsSpec s;
  s.storage = storage;
  int64_t rank = static_cast<int64_t>(shape.size());
  if (!scale.isFloat())
    return imp.nodeError("scale must be a float tensor");
  for (float f : scale.floats) {
    if (!(f > 0.0f) || !std::isfinite(f))
      return imp.nodeError("scale " + std::to_string(f) +
                           " is not finite and > 0");
    s.scales.push_back(f);
  }
  if (zp) {
    if (zp->isFloat())
      return imp.nodeError("zero point must be an integer tensor");
    if (zp->numElements() != scale.numElements())
      return imp.nodeError("zero point has " + Twine(zp->numElements()) +
                           " values but scale has " +
                           Twine(scale.numElements()));
    for (int64_t z : zp->ints) {
      if (z < storage.qmin || z > storage.qmax)
        return imp.nodeError("zero point " + Twine(z) + " is outside " +
                             onnxTypeName(storage.onnxType));
      s.zeroPoints.push_back(z);
    }
  } else {
    s.zeroPoints.assign(s.scales.size(), 0);
  }
  s.paramShape = scale.shape;
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (blockSize > 0) {
    if (axis < 0 || axis >= rank ||
        static_cast<int64_t>(scale.shape.size()) != rank)
      return imp.nodeError("blocked quantization needs a scale of the data's "
                           "rank and an axis inside it");
    for (int64_t d = 0; d < rank; ++d) {
      int64_t want = d == axis ? (shape[d] + blockSize - 1) / blockSize
                               : shape[d];
      if (scale.shape[d] != want)
        return imp.nodeError("scale shape " + formatShape(scale.shape) +
                             " does not fit data " + formatShape(shape) +
                             " with block_size " + Twine(blockSize));
    }
    if (shape[axis] % blockSize != 0)
      return imp.nodeError("block_size " + Twine(blockSize) +
                           " does not divide dimension " + Twine(axis) +
                           " (" + Twine(shape[axis]) + ")");
    s.axis = axis;
    s.blockSize = blockSize;
    return s;
  }
  if (s.scales.size() == 1 && scale.shape.size() <= 1)
    return s; // per tensor
  if (scale.shape.size() != 1 || axis < 0 || axis >= rank ||
      shape[axis] != scale.numElements())
    return imp.nodeError("per-axis scale of shape " +
                         formatShape(scale.shape) + " does not fit axis " +
                         Twine(axisAttr) + " of data " + formatShape(shape));
  s.axis = axis;
  return s;
}

/// The !quant.uniform element type of `spec` for data held in NHWC
/// (`nhwc`, 4-D) or ONNX layout.
llvm::Expected<mq::QuantizedType> quantType(GraphImporter &imp,
                                            const QParamsSpec &spec,
                                            bool nhwc) {
  MLIRContext &ctx = imp.context();
  unsigned flags = spec.storage.isSigned ? mq::QuantizationFlags::Signed : 0;
  Type storage = signlessType(imp, spec.storage.bits);
  Type expressed = imp.f32();
  if (spec.axis < 0)
    return mq::UniformQuantizedType::get(
        flags, storage, expressed, spec.scales[0], spec.zeroPoints[0],
        spec.storage.qmin, spec.storage.qmax);
  if (spec.blockSize == 0)
    return mq::UniformQuantizedPerAxisType::get(
        flags, storage, expressed, spec.scales, spec.zeroPoints,
        nhwc ? nhwcAxis(spec.axis) : static_cast<int32_t>(spec.axis),
        spec.storage.qmin, spec.storage.qmax);
  if (nhwc)
    return imp.nodeError("internal error: blocked quantization in NHWC");
  SmallVector<APFloat> scales;
  SmallVector<APInt> zps;
  for (double s : spec.scales)
    scales.push_back(APFloat(static_cast<float>(s)));
  for (int64_t z : spec.zeroPoints)
    zps.push_back(APInt(spec.storage.bits, static_cast<uint64_t>(z),
                        /*isSigned=*/true, /*implicitTrunc=*/true));
  auto scaleType = RankedTensorType::get(spec.paramShape, expressed);
  auto zpType = RankedTensorType::get(spec.paramShape, storage);
  SmallVector<int32_t> dims;
  SmallVector<int64_t> blocks;
  for (size_t d = 0; d < spec.paramShape.size(); ++d) {
    dims.push_back(static_cast<int32_t>(d));
    blocks.push_back(static_cast<int64_t>(d) == spec.axis ? spec.blockSize
                                                          : 1);
  }
  std::string diag;
  auto type = mq::UniformQuantizedSubChannelType::getChecked(
      [&] {
        return mlir::emitError(imp.loc());
      },
      flags, storage, expressed, DenseElementsAttr::get(scaleType, scales),
      DenseElementsAttr::get(zpType, zps), dims, blocks, spec.storage.qmin,
      spec.storage.qmax);
  if (!type)
    return imp.nodeError("cannot express the blocked quantization as a "
                         "!quant.uniform sub-channel type");
  (void)ctx;
  return type;
}

RankedTensorType withElement(Value v, Type element) {
  return RankedTensorType::get(cast<ShapedType>(v.getType()).getShape(),
                               element);
}

Value qcast(GraphImporter &imp, Value f, Type q) {
  return mq::QuantizeCastOp::create(imp.builder(), imp.loc(),
                                    withElement(f, q), f);
}
Value dcast(GraphImporter &imp, Value q) {
  return mq::DequantizeCastOp::create(imp.builder(), imp.loc(),
                                      withElement(q, imp.f32()), q);
}
Value scast(GraphImporter &imp, Value v, Type to) {
  return mq::StorageCastOp::create(imp.builder(), imp.loc(),
                                   withElement(v, to), v);
}

/// A signless view of an integer value (tensor.bitcast for ui types).
Value toSignless(GraphImporter &imp, Value v) {
  auto it = cast<IntegerType>(cast<ShapedType>(v.getType()).getElementType());
  if (it.isSignless())
    return v;
  return tensor::BitcastOp::create(
      imp.builder(), imp.loc(),
      withElement(v, signlessType(imp, it.getWidth())), v);
}

/// Reads the attributes and constant parameters shared by Q and DQ.
struct QdqInputs {
  std::shared_ptr<const ConstTensor> scale;
  std::shared_ptr<const ConstTensor> zp; // may be null
  int64_t axis = 1;
  int64_t blockSize = 0;
};

/// The ONNX type named by a zero point, output_dtype or default.
int quantizeOutputType(const QdqInputs &in, int64_t outputDtype,
                       const ImportedValue *zpValue) {
  if (in.zp && in.zp->dataType)
    return in.zp->dataType;
  if (zpValue)
    return onnxTypeOf(*zpValue);
  return outputDtype ? static_cast<int>(outputDtype) : int(kUint8);
}

llvm::Error unsupportedType(GraphImporter &imp, llvm::StringRef what,
                            int type) {
  return imp.nodeError(what + " has type " + onnxTypeName(type) + " (" +
                       Twine(type) +
                       "); Tessera quantizes to int8, uint8, int16, uint16, "
                       "int4 and uint4 only");
}

/// The dequantized float value of tensor `v` quantized with `spec`, in the
/// layout `nhwc` (4-D only). Integer values are reinterpreted (quant.scast),
/// quantized values re-typed when their parameters differ.
llvm::Expected<Value> dequantizeValue(GraphImporter &imp, ImportedValue &v,
                                      const QParamsSpec &spec, bool nhwc) {
  auto type = quantType(imp, spec, nhwc);
  if (!type)
    return type.takeError();
  Value src;
  if (v.constant) {
    std::vector<int64_t> shape = v.shape;
    std::vector<int64_t> ints = v.constant->ints;
    if (nhwc) {
      ints = transposeData(ints, shape, kNchwToNhwc);
      shape = nhwcShape(shape);
    }
    src = scast(imp, intConst(imp, shape, signlessType(imp, spec.storage.bits),
                              ints),
                *type);
  } else {
    Value val;
    if (nhwc) {
      if (!v.nhwc) {
        Value plain = v.plain;
        if (isa<mq::QuantizedType>(
                cast<ShapedType>(plain.getType()).getElementType()))
          plain = dcast(imp, plain);
        else
          plain = toSignless(imp, plain);
        v.nhwc = imp.permute(plain, kNchwToNhwc);
        if (cast<ShapedType>(v.nhwc.getType()).getElementType().isF32())
          return v.nhwc; // dequantized in ONNX layout already
      }
      val = v.nhwc;
    } else {
      auto p = imp.asPlain(v);
      if (!p)
        return p.takeError();
      val = *p;
    }
    Type et = cast<ShapedType>(val.getType()).getElementType();
    if (et == *type) {
      src = val;
    } else if (auto q = dyn_cast<mq::QuantizedType>(et)) {
      // Same integers under other parameters.
      src = scast(imp, scast(imp, val, q.getStorageType()), *type);
    } else if (isa<IntegerType>(et)) {
      src = scast(imp, toSignless(imp, val), *type);
    } else {
      return imp.nodeError("input is not an integer tensor");
    }
  }
  return dcast(imp, src);
}

llvm::Expected<QdqInputs> readQdqInputs(GraphImporter &imp,
                                        const onnx::NodeProto &node,
                                        bool requireConstant) {
  QdqInputs in;
  AttrReader attrs(imp, node);
  in.axis = attrs.getInt("axis", 1);
  in.blockSize = attrs.getInt("block_size", 0);
  if (auto err = attrs.takeError())
    return std::move(err);
  auto scale = imp.operand(node, 1);
  if (!scale)
    return scale.takeError();
  auto zp = imp.optionalOperand(node, 2);
  if (!zp)
    return zp.takeError();
  if (!(*scale)->isConstant() || (*zp && !(*zp)->isConstant())) {
    if (requireConstant)
      return imp.nodeError("scale and zero point must be constants "
                           "(initializers or Constant nodes)");
    return in; // dynamic: in.scale stays null
  }
  in.scale = (*scale)->constant;
  if (*zp)
    in.zp = (*zp)->constant;
  return in;
}

//===----------------------------------------------------------------------===//
// Dynamic (run-time) quantization in float TOSA
//===----------------------------------------------------------------------===//

Value f32Const(GraphImporter &imp, ArrayRef<int64_t> shape, float v) {
  std::vector<float> data(shapeNumElements(shape), v);
  return imp.constFloat(shape, data);
}

/// [1, n] float tensor `a` divided elementwise by the [1, 1] `b`: arith.divf
/// (TOSA has no float divide; ONNX divides, a reciprocal would round twice).
Value divide(GraphImporter &imp, Value a, Value b) {
  auto type = cast<RankedTensorType>(a.getType());
  if (type.getShape() != cast<RankedTensorType>(b.getType()).getShape())
    b = tosa::TileOp::create(imp.builder(), imp.loc(), type, b,
                             imp.constShape(type.getShape()));
  return arith::DivFOp::create(imp.builder(), imp.loc(), a, b);
}

Value castTo(GraphImporter &imp, Value v, Type element) {
  return tosa::CastOp::create(imp.builder(), imp.loc(), withElement(v, element),
                              v);
}

/// y = saturate(round_half_even(x / scale) + zp) on [1, n] / [1, 1] tensors
/// (f32 x and scale, i32 zp), as an i32 tensor in [qmin, qmax]. tosa.cast
/// f32 -> i32 rounds half to even (TOSA CAST; the executor calls core/quant).
Value quantizeAtRunTime(GraphImporter &imp, Value x, Value scale, Value zpI32,
                        const Storage &s) {
  OpBuilder &b = imp.builder();
  Type i32 = b.getI32Type();
  Value q = castTo(imp, divide(imp, x, scale), i32);
  Value sum = tosa::AddOp::create(b, imp.loc(), q.getType(), q, zpI32);
  return tosa::ClampOp::create(b, imp.loc(), sum.getType(), sum,
                               b.getI32IntegerAttr(s.qmin),
                               b.getI32IntegerAttr(s.qmax));
}

/// QuantizeLinear whose scale or zero point is computed in the graph: the
/// ONNX formula in float TOSA (per tensor only).
llvm::Error importDynamicQuantize(GraphImporter &imp,
                                  const onnx::NodeProto &node,
                                  ImportedValue &x) {
  auto scaleV = imp.operand(node, 1);
  if (!scaleV)
    return scaleV.takeError();
  auto zpV = imp.optionalOperand(node, 2);
  if (!zpV)
    return zpV.takeError();
  AttrReader attrs(imp, node);
  int64_t outputDtype = attrs.getInt("output_dtype", 0);
  if (auto err = attrs.takeError())
    return err;
  if (shapeNumElements((*scaleV)->shape) != 1 ||
      (*zpV && shapeNumElements((*zpV)->shape) != 1))
    return imp.nodeError("a scale or zero point computed in the graph must "
                         "be a single value (per-tensor)");
  QdqInputs none;
  int type = quantizeOutputType(none, outputDtype, *zpV);
  std::optional<Storage> s = storageOf(type);
  if (!s || s->bits == 32)
    return unsupportedType(imp, "output", type);
  auto xp = imp.asPlain(x);
  auto sp = imp.asPlain(**scaleV);
  if (!xp || !sp)
    return xp ? sp.takeError() : xp.takeError();
  int64_t n = shapeNumElements(x.shape);
  Value xr = imp.reshape(*xp, {1, n});
  Value scale = imp.reshape(*sp, {1, 1});
  Value zp;
  if (*zpV) {
    auto zpp = imp.asPlain(**zpV);
    if (!zpp)
      return zpp.takeError();
    zp = imp.reshape(castTo(imp, *zpp, imp.builder().getI32Type()), {1, 1});
  } else {
    zp = intConst(imp, {1, 1}, imp.builder().getI32Type(), {0});
  }
  Value y = quantizeAtRunTime(imp, xr, scale, zp, *s);
  y = imp.reshape(castTo(imp, y, integerTypeOf(imp.context(), *s)), x.shape);
  imp.definePlain(node, 0, y, x.shape);
  return llvm::Error::success();
}

/// DynamicQuantizeLinear (opset 11), the ONNX reference formula in f32:
///   max = max(0, max(x)), min = min(0, min(x))
///   scale = (max == min ? 1 : max - min) / 255
///   zp = round_half_even(clip(0 - min / scale, 0, 255))
///   y = clip(round_half_even(x / scale) + zp, 0, 255)      (uint8)
llvm::Error importDynamicQuantizeLinear(GraphImporter &imp,
                                        const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto xp = imp.asPlain(**x);
  if (!xp)
    return xp.takeError();
  OpBuilder &b = imp.builder();
  Location loc = imp.loc();
  int64_t n = shapeNumElements((*x)->shape);
  Value xr = imp.reshape(*xp, {1, n});
  auto t11 = imp.tensorType({1, 1});
  Value zero = f32Const(imp, {1, 1}, 0.0f);
  Value mn = tosa::ReduceMinOp::create(b, loc, t11, xr, b.getI32IntegerAttr(1));
  Value mx = tosa::ReduceMaxOp::create(b, loc, t11, xr, b.getI32IntegerAttr(1));
  mn = tosa::MinimumOp::create(b, loc, t11, mn, zero);
  mx = tosa::MaximumOp::create(b, loc, t11, mx, zero);
  Value range = tosa::SubOp::create(b, loc, t11, mx, mn);
  // range == 0 -> 1 without a compare: 1 - min(ceil(range), 1) is 1 exactly
  // when range == 0 (range >= 0), else 0; adding it is exact either way.
  Value one = f32Const(imp, {1, 1}, 1.0f);
  Value isZero = tosa::SubOp::create(
      b, loc, t11, one,
      tosa::MinimumOp::create(b, loc, t11,
                              tosa::CeilOp::create(b, loc, t11, range), one));
  Value numer = tosa::AddOp::create(b, loc, t11, range, isZero);
  Value scale = divide(imp, numer, f32Const(imp, {1, 1}, 255.0f));
  Value zpF = tosa::SubOp::create(b, loc, t11, zero, divide(imp, mn, scale));
  zpF = tosa::ClampOp::create(b, loc, t11, zpF, b.getF32FloatAttr(0.0f),
                              b.getF32FloatAttr(255.0f));
  Value zp = castTo(imp, zpF, b.getI32Type());
  Storage u8 = *storageOf(kUint8);
  Value y = quantizeAtRunTime(imp, xr, scale, zp, u8);
  Type ui8 = integerTypeOf(imp.context(), u8);
  imp.definePlain(node, 0, imp.reshape(castTo(imp, y, ui8), (*x)->shape),
                  (*x)->shape);
  imp.definePlain(node, 1, imp.reshape(scale, {}), {});
  imp.definePlain(node, 2, imp.reshape(castTo(imp, zp, ui8), {}), {});
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear
//===----------------------------------------------------------------------===//

llvm::Error importQuantizeLinear(GraphImporter &imp,
                                 const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto in = readQdqInputs(imp, node, /*requireConstant=*/false);
  if (!in)
    return in.takeError();
  if (!in->scale)
    return importDynamicQuantize(imp, node, **x);
  AttrReader attrs(imp, node);
  int64_t outputDtype = attrs.getInt("output_dtype", 0);
  if (auto err = attrs.takeError())
    return err;
  int type = quantizeOutputType(*in, outputDtype, nullptr);
  std::optional<Storage> s = storageOf(type);
  if (!s || s->bits == 32)
    return unsupportedType(imp, "output", type);
  if (onnxTypeOf(**x) != kFloat)
    return imp.nodeError("input must be float32");
  auto spec = readQParams(imp, *in->scale, in->zp.get(), *s, in->axis,
                          in->blockSize, (*x)->shape);
  if (!spec)
    return spec.takeError();
  auto plainType = quantType(imp, *spec, false);
  if (!plainType)
    return plainType.takeError();
  // Quantize in the layout the value has; the other layout goes through
  // dcast -> permute -> qcast, the shared-quantization form folding turns
  // into an integer transpose (unused forms are erased at the end).
  bool four = (*x)->rank() == 4 && spec->blockSize == 0;
  ImportedValue out;
  out.shape = (*x)->shape;
  auto nhwcType = quantType(imp, *spec, four);
  if (!nhwcType)
    return nhwcType.takeError();
  if (four && (*x)->nhwc) {
    out.nhwc = qcast(imp, (*x)->nhwc, *nhwcType);
    out.plain = qcast(imp, imp.permute(dcast(imp, out.nhwc), kNhwcToNchw),
                      *plainType);
  } else {
    auto xv = imp.asPlain(**x);
    if (!xv)
      return xv.takeError();
    out.plain = qcast(imp, *xv, *plainType);
    if (four)
      out.nhwc = qcast(imp, imp.permute(dcast(imp, out.plain), kNchwToNhwc),
                       *nhwcType);
  }
  imp.defineNamed(node.output(0), out, out.nhwc ? out.nhwc : out.plain);
  return llvm::Error::success();
}

llvm::Error importDequantizeLinear(GraphImporter &imp,
                                   const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  int type = onnxTypeOf(**x);
  std::optional<Storage> s = storageOf(type);
  if (!s)
    return unsupportedType(imp, "input 'x'", type);
  auto in = readQdqInputs(imp, node, /*requireConstant=*/true);
  if (!in)
    return in.takeError();
  auto spec = readQParams(imp, *in->scale, in->zp.get(), *s, in->axis,
                          in->blockSize, (*x)->shape);
  if (!spec)
    return spec.takeError();
  ImportedValue out;
  out.shape = (*x)->shape;
  bool nhwc = (*x)->rank() == 4 && spec->blockSize == 0 &&
              ((*x)->nhwc || !(*x)->plain);
  if ((*x)->isConstant()) {
    // Integer initializer: the weight form folding accepts, plus the float
    // values for importers that need host data (Conv, Gemm); those are put
    // back into quantized form by finishQuantImport.
    nhwc = false;
    const ConstTensor &c = *(*x)->constant;
    auto deq = std::make_shared<ConstTensor>();
    deq->shape = c.shape;
    int64_t inner = 1;
    for (size_t d = spec->axis + 1; spec->axis >= 0 && d < c.shape.size(); ++d)
      inner *= c.shape[d];
    std::vector<int64_t> perIndex(c.ints.size(), 0);
    bool simple = spec->blockSize == 0;
    for (size_t i = 0; i < c.ints.size(); ++i) {
      int64_t k = spec->axis < 0 ? 0 : (i / inner) % c.shape[spec->axis];
      if (!simple)
        break;
      deq->floats.push_back(static_cast<float>(quant::dequantize(
          c.ints[i], {spec->scales[k], spec->zeroPoints[k]})));
    }
    if (simple) {
      out.constant = deq;
      if (spec->axis <= 0) {
        QuantImportState::DequantizedConst rec;
        rec.scales = spec->scales;
        rec.zeroPoints = spec->zeroPoints;
        rec.bits = s->bits;
        rec.isSigned = s->isSigned;
        rec.qmin = s->qmin;
        rec.qmax = s->qmax;
        if (!imp.quantState)
          imp.quantState = std::make_shared<QuantImportState>();
        imp.quantState->constants[node.output(0)] = std::move(rec);
      }
    }
  }
  auto v = dequantizeValue(imp, **x, *spec, nhwc);
  if (!v)
    return v.takeError();
  (nhwc ? out.nhwc : out.plain) = *v;
  imp.defineNamed(node.output(0), out, *v);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// QLinearConv / QLinearMatMul
//===----------------------------------------------------------------------===//

/// Parameters of operand `i` (data), `i + 1` (scale), `i + 2` (zero point)
/// of a QLinear node.
llvm::Expected<QParamsSpec> qlinearParams(GraphImporter &imp,
                                          const onnx::NodeProto &node,
                                          unsigned i, ArrayRef<int64_t> shape,
                                          int64_t axis, int dataType) {
  auto scale = imp.constantOperand(node, i + 1, "scale");
  if (!scale)
    return scale.takeError();
  auto zp = imp.constantOperand(node, i + 2, "zero point");
  if (!zp)
    return zp.takeError();
  std::optional<Storage> s = storageOf(dataType);
  if (!s || s->bits == 32)
    return unsupportedType(imp, "input " + std::to_string(i), dataType);
  return readQParams(imp, **scale, zp->get(), *s, axis, 0, shape);
}

llvm::Error importQLinearConv(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  auto w = convWeight(imp, node, 3, /*isFloat=*/false);
  if (!w)
    return w.takeError();
  const ConstTensor &wt = **w;
  auto xs = qlinearParams(imp, node, 0, (*x)->shape, 1, onnxTypeOf(**x));
  if (!xs)
    return xs.takeError();
  ImportedValue wv;
  wv.shape = wt.shape;
  wv.constant = *w;
  auto ws = qlinearParams(imp, node, 3, wt.shape, 0, onnxTypeOf(wv));
  if (!ws)
    return ws.takeError();
  auto yZp = imp.constantOperand(node, 7, "y zero point");
  if (!yZp)
    return yZp.takeError();
  std::optional<Storage> ys = storageOf((*yZp)->dataType);
  if (!ys || ys->bits == 32)
    return unsupportedType(imp, "output", (*yZp)->dataType);
  auto yScale = imp.constantOperand(node, 6, "y scale");
  if (!yScale)
    return yScale.takeError();

  AttrReader attrs(imp, node);
  int64_t group = attrs.getInt("group", 1);
  if (auto err = attrs.takeError())
    return err;
  const auto &xsh = (*x)->shape;
  int64_t n = xsh[0], c = xsh[1], oc = wt.shape[0], icg = wt.shape[1];
  int64_t kh = wt.shape[2], kw = wt.shape[3];
  bool depthwise = group > 1 && group == c && icg == 1;
  if (!(group == 1 && icg == c) && !depthwise)
    return imp.nodeError("only group = 1 and depthwise QLinearConv are "
                         "supported, got group " + Twine(group));
  int64_t mult = oc / c;
  if (depthwise && c > 1 && mult > 1 && ws->axis >= 0)
    return imp.nodeError("per-channel depthwise weights with channel "
                         "multiplier > 1 are not supported");
  Window2d win;
  if (auto err = computeWindow(imp, attrs, {xsh[2], xsh[3]},
                               std::array<int64_t, 2>{kh, kw},
                               /*allowCeil=*/false, /*allowDilation=*/true,
                               win))
    return err;
  auto yspec = readQParams(imp, **yScale, yZp->get(), *ys, 1, 0,
                           {n, oc, win.out[0], win.out[1]});
  if (!yspec)
    return yspec.takeError();
  if (yspec->axis >= 0)
    return imp.nodeError("y_scale must be a single value");

  // Input: dcast in NHWC.
  auto xin = dequantizeValue(imp, **x, *xs, /*nhwc=*/true);
  if (!xin)
    return xin.takeError();
  Value in = cropNhwc(imp, *xin, win);

  // Weight: integers in TOSA's layout behind scast, per-axis on the axis
  // that indexes output channels.
  std::vector<int64_t> wShape, wInts;
  int32_t wAxis;
  if (!depthwise) {
    wShape = {oc, kh, kw, icg};
    wInts = transposeData(wt.ints, wt.shape, {0, 2, 3, 1});
    wAxis = 0;
  } else {
    wShape = {kh, kw, c, mult};
    wInts = transposeData(wt.ints, {c, mult, kh, kw}, {2, 3, 0, 1});
    wAxis = mult == 1 ? 2 : 3;
  }
  QParamsSpec wspec = *ws;
  auto wType = quantType(imp, wspec, false);
  if (!wType)
    return wType.takeError();
  if (auto pa = dyn_cast<mq::UniformQuantizedPerAxisType>(*wType))
    wType = mq::UniformQuantizedPerAxisType::get(
        pa.getFlags(), pa.getStorageType(), pa.getExpressedType(),
        pa.getScales(), pa.getZeroPoints(), wAxis, pa.getStorageTypeMin(),
        pa.getStorageTypeMax());
  Value wq = scast(imp, intConst(imp, wShape, signlessType(imp, ws->storage.bits),
                                 wInts),
                   *wType);
  Value wf = dcast(imp, wq);

  // Bias: int32 at scale x_scale * w_scale[oc], zero point 0.
  Value bias;
  auto b = imp.optionalOperand(node, 8);
  if (!b)
    return b.takeError();
  if (*b) {
    if (!(*b)->isConstant() || (*b)->constant->isFloat() ||
        (*b)->constant->numElements() != oc)
      return imp.nodeError("bias must be a constant int32 tensor of " +
                           Twine(oc) + " values");
    QParamsSpec bspec;
    bspec.storage = *storageOf(kInt32);
    for (double sw : ws->scales)
      bspec.scales.push_back(xs->scales[0] * sw);
    bspec.zeroPoints.assign(bspec.scales.size(), 0);
    bspec.paramShape = {static_cast<int64_t>(bspec.scales.size())};
    bspec.axis = bspec.scales.size() > 1 ? 0 : -1;
    auto bType = quantType(imp, bspec, false);
    if (!bType)
      return bType.takeError();
    bias = dcast(imp, scast(imp,
                            intConst(imp, {oc}, imp.builder().getI32Type(),
                                     (*b)->constant->ints),
                            *bType));
  } else {
    bias = imp.constFloat({oc}, std::vector<float>(oc, 0.0f));
  }

  auto outType = imp.tensorType({n, win.out[0], win.out[1], oc});
  Value zp = imp.zeroPoint();
  Value conv;
  if (!depthwise)
    conv = tosa::Conv2DOp::create(imp.builder(), imp.loc(), outType, in, wf,
                                  bias, zp, zp, win.tosaPad(), win.stride,
                                  win.dilation, imp.f32());
  else
    conv = tosa::DepthwiseConv2DOp::create(
        imp.builder(), imp.loc(), outType, in, wf, bias, zp, zp, win.tosaPad(),
        win.stride, win.dilation, imp.f32());
  auto yType = quantType(imp, *yspec, true);
  if (!yType)
    return yType.takeError();
  ImportedValue out;
  out.shape = {n, oc, win.out[0], win.out[1]};
  out.nhwc = qcast(imp, conv, *yType);
  // ONNX-layout form through the shared-quantization pattern folding knows
  // (dcast -> permute -> qcast); erased if unused.
  out.plain = qcast(imp, imp.permute(dcast(imp, out.nhwc), kNhwcToNchw),
                    *yType);
  imp.defineNamed(node.output(0), out, out.nhwc);
  return llvm::Error::success();
}

/// `v` (rank 2 or 3) as a rank-3 value: integer values are reshaped as
/// integers, quantized ones through dcast/reshape/qcast.
Value toRank3(GraphImporter &imp, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() == 3)
    return v;
  SmallVector<int64_t> shape = {1};
  shape.append(t.getShape().begin(), t.getShape().end());
  if (isa<mq::QuantizedType>(t.getElementType()))
    return qcast(imp, imp.reshape(dcast(imp, v), shape), t.getElementType());
  return imp.reshape(v, shape);
}

llvm::Error importQLinearMatMul(GraphImporter &imp,
                                const onnx::NodeProto &node) {
  auto a = imp.operand(node, 0);
  auto b = imp.operand(node, 3);
  if (!a || !b)
    return a ? b.takeError() : a.takeError();
  if ((*a)->rank() != (*b)->rank() || (*a)->rank() < 2 || (*a)->rank() > 3)
    return imp.nodeError("only 2-D x 2-D and 3-D x 3-D (same batch) "
                         "QLinearMatMul is supported, got " +
                         formatShape((*a)->shape) + " and " +
                         formatShape((*b)->shape));
  auto as = qlinearParams(imp, node, 0, (*a)->shape, 1, onnxTypeOf(**a));
  if (!as)
    return as.takeError();
  auto bs = qlinearParams(imp, node, 3, (*b)->shape, 1, onnxTypeOf(**b));
  if (!bs)
    return bs.takeError();
  if (as->axis >= 0 || bs->axis >= 0)
    return imp.nodeError("per-axis QLinearMatMul is not supported");
  auto yZp = imp.constantOperand(node, 7, "y zero point");
  auto yScale = imp.constantOperand(node, 6, "y scale");
  if (!yZp || !yScale)
    return yZp ? yScale.takeError() : yZp.takeError();
  std::optional<Storage> ys = storageOf((*yZp)->dataType);
  if (!ys || ys->bits == 32)
    return unsupportedType(imp, "output", (*yZp)->dataType);
  std::vector<int64_t> outShape = (*a)->shape;
  outShape.back() = (*b)->shape.back();
  auto yspec = readQParams(imp, **yScale, yZp->get(), *ys, 1, 0, outShape);
  if (!yspec)
    return yspec.takeError();
  if (yspec->axis >= 0)
    return imp.nodeError("y_scale must be a single value");

  // Reshape at the integer level so that the matmul reads dcast directly.
  auto rank3 = [&](ImportedValue &v, const QParamsSpec &spec,
                   const std::vector<int64_t> &shape3)
      -> llvm::Expected<Value> {
    ImportedValue r;
    r.shape = shape3;
    if (v.constant) {
      auto c = std::make_shared<ConstTensor>(*v.constant);
      c->shape = shape3;
      r.constant = c;
    } else {
      auto p = imp.asPlain(v);
      if (!p)
        return p.takeError();
      r.plain = toRank3(imp, *p);
    }
    return dequantizeValue(imp, r, spec, false);
  };
  auto to3 = [](std::vector<int64_t> s) {
    if (s.size() == 2)
      s.insert(s.begin(), 1);
    return s;
  };
  auto af = rank3(**a, *as, to3((*a)->shape));
  auto bf = rank3(**b, *bs, to3((*b)->shape));
  if (!af || !bf)
    return af ? bf.takeError() : af.takeError();
  std::vector<int64_t> out3 = to3(outShape);
  Value zp = imp.zeroPoint();
  Value mm = tosa::MatMulOp::create(imp.builder(), imp.loc(),
                                    imp.tensorType(out3), *af, *bf, zp, zp);
  auto yType = quantType(imp, *yspec, false);
  if (!yType)
    return yType.takeError();
  Value y = qcast(imp, mm, *yType);
  if (outShape.size() == 2)
    y = qcast(imp, imp.reshape(dcast(imp, y), outShape), *yType);
  imp.definePlain(node, 0, y, outShape);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// ConvInteger / MatMulInteger
//===----------------------------------------------------------------------===//

/// An integer operand as a value of its own integer type (ui8 for uint8).
llvm::Expected<Value> integerOperand(GraphImporter &imp, ImportedValue &v,
                                     bool nhwc) {
  int type = onnxTypeOf(v);
  std::optional<Storage> s = storageOf(type);
  if (!s || (s->bits != 8))
    return unsupportedType(imp, "integer input", type);
  Type it = integerTypeOf(imp.context(), *s);
  if (v.constant) {
    std::vector<int64_t> shape = v.shape, ints = v.constant->ints;
    if (nhwc) {
      ints = transposeData(ints, shape, kNchwToNhwc);
      shape = nhwcShape(shape);
    }
    return intConst(imp, shape, it, ints);
  }
  Value val = nhwc && v.nhwc ? v.nhwc : v.plain;
  if (!val)
    return imp.nodeError("internal error: integer input has no value");
  if (auto q = dyn_cast<mq::QuantizedType>(
          cast<ShapedType>(val.getType()).getElementType())) {
    val = scast(imp, val, q.getStorageType());
    if (!q.isSigned())
      val = tensor::BitcastOp::create(imp.builder(), imp.loc(),
                                      withElement(val, it), val);
  }
  if (nhwc && val != v.nhwc)
    val = imp.permute(val, kNchwToNhwc);
  return val;
}

/// A zero-point operand of an integer TOSA op: tensor<1 x type>.
llvm::Expected<std::vector<int64_t>>
zeroPoints(GraphImporter &imp, const onnx::NodeProto &node, unsigned i) {
  auto zp = imp.optionalOperand(node, i);
  if (!zp)
    return zp.takeError();
  if (!*zp)
    return std::vector<int64_t>{0};
  if (!(*zp)->isConstant())
    return imp.nodeError("zero point (" + quoteName(node.input(i)) +
                         ") must be a constant");
  return (*zp)->constant->ints;
}

llvm::Error importConvInteger(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  auto w = imp.constantOperand(node, 1, "weight");
  if (!w)
    return w.takeError();
  const ConstTensor &wt = **w;
  if (wt.shape.size() != 4 || wt.isFloat())
    return imp.nodeError("weight must be a 4-D integer tensor");
  auto xzp = zeroPoints(imp, node, 2);
  auto wzp = zeroPoints(imp, node, 3);
  if (!xzp || !wzp)
    return xzp ? wzp.takeError() : xzp.takeError();
  AttrReader attrs(imp, node);
  int64_t group = attrs.getInt("group", 1);
  if (auto err = attrs.takeError())
    return err;
  const auto &xsh = (*x)->shape;
  int64_t n = xsh[0], c = xsh[1], oc = wt.shape[0];
  int64_t kh = wt.shape[2], kw = wt.shape[3];
  if (group != 1 || wt.shape[1] != c)
    return imp.nodeError("only group = 1 ConvInteger is supported");
  if (xzp->size() != 1 ||
      (wzp->size() != 1 && static_cast<int64_t>(wzp->size()) != oc))
    return imp.nodeError("zero points must be per tensor (x) and per tensor "
                         "or per output channel (w)");
  Window2d win;
  if (auto err = computeWindow(imp, attrs, {xsh[2], xsh[3]},
                               std::array<int64_t, 2>{kh, kw},
                               /*allowCeil=*/false, /*allowDilation=*/true,
                               win))
    return err;
  auto xin = integerOperand(imp, **x, /*nhwc=*/true);
  if (!xin)
    return xin.takeError();
  Value in = cropNhwc(imp, *xin, win);
  ImportedValue wv;
  wv.shape = wt.shape;
  wv.constant = *w;
  Type xType = cast<ShapedType>(in.getType()).getElementType();
  std::optional<Storage> ws = storageOf(onnxTypeOf(wv));
  if (!ws || ws->bits != 8)
    return unsupportedType(imp, "weight", onnxTypeOf(wv));
  Type wType = integerTypeOf(imp.context(), *ws);
  Type i32 = imp.builder().getI32Type();
  std::vector<int64_t> ohwi = transposeData(wt.ints, wt.shape, {0, 2, 3, 1});
  int64_t perOut = kh * kw * c;
  // TOSA has one weight_zp: output channels sharing a zero point form one
  // conv; runs of different zero points are separate convs, concatenated.
  SmallVector<Value> parts;
  for (int64_t begin = 0; begin < oc;) {
    int64_t z = (*wzp)[wzp->size() == 1 ? 0 : begin];
    int64_t end = begin + 1;
    while (end < oc && wzp->size() != 1 && (*wzp)[end] == z)
      ++end;
    if (wzp->size() == 1)
      end = oc;
    int64_t cnt = end - begin;
    Value wc = intConst(imp, {cnt, kh, kw, c}, wType,
                        ArrayRef<int64_t>(ohwi).slice(begin * perOut,
                                                      cnt * perOut));
    Value bias = intConst(imp, {cnt}, i32, std::vector<int64_t>(cnt, 0));
    // One statement per constant: argument evaluation order is unspecified.
    Value wZp = intConst(imp, {1}, wType, {z});
    Value xZp = intConst(imp, {1}, xType, {(*xzp)[0]});
    parts.push_back(tosa::Conv2DOp::create(
        imp.builder(), imp.loc(),
        imp.tensorType({n, win.out[0], win.out[1], cnt}, i32), in, wc, bias,
        xZp, wZp, win.tosaPad(), win.stride, win.dilation, i32));
    begin = end;
  }
  Value result = parts.size() == 1
                     ? parts[0]
                     : tosa::ConcatOp::create(
                           imp.builder(), imp.loc(),
                           imp.tensorType({n, win.out[0], win.out[1], oc}, i32),
                           parts, /*axis=*/3u)
                           .getResult();
  imp.defineNhwc(node, 0, result, {n, oc, win.out[0], win.out[1]});
  return llvm::Error::success();
}

llvm::Error importMatMulInteger(GraphImporter &imp,
                                const onnx::NodeProto &node) {
  auto a = imp.operand(node, 0);
  auto b = imp.operand(node, 1);
  if (!a || !b)
    return a ? b.takeError() : a.takeError();
  if ((*a)->rank() != (*b)->rank() || (*a)->rank() < 2 || (*a)->rank() > 3)
    return imp.nodeError("only 2-D x 2-D and 3-D x 3-D MatMulInteger is "
                         "supported");
  auto azp = zeroPoints(imp, node, 2);
  auto bzp = zeroPoints(imp, node, 3);
  if (!azp || !bzp)
    return azp ? bzp.takeError() : azp.takeError();
  if (azp->size() != 1 || bzp->size() != 1)
    return imp.nodeError("only per-tensor zero points are supported");
  auto av = integerOperand(imp, **a, false);
  auto bv = integerOperand(imp, **b, false);
  if (!av || !bv)
    return av ? bv.takeError() : av.takeError();
  Value a3 = toRank3(imp, *av), b3 = toRank3(imp, *bv);
  std::vector<int64_t> outShape = (*a)->shape;
  outShape.back() = (*b)->shape.back();
  std::vector<int64_t> out3 = outShape;
  if (out3.size() == 2)
    out3.insert(out3.begin(), 1);
  Type at = cast<ShapedType>(a3.getType()).getElementType();
  Type bt = cast<ShapedType>(b3.getType()).getElementType();
  Type i32 = imp.builder().getI32Type();
  // One statement per constant: argument evaluation order is unspecified.
  Value bZp = intConst(imp, {1}, bt, {(*bzp)[0]});
  Value aZp = intConst(imp, {1}, at, {(*azp)[0]});
  Value mm = tosa::MatMulOp::create(imp.builder(), imp.loc(),
                                    imp.tensorType(out3, i32), a3, b3, aZp,
                                    bZp);
  imp.definePlain(node, 0, imp.reshape(mm, outShape), outShape);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Cast of a run-time tensor
//===----------------------------------------------------------------------===//

/// Cast of a non-constant tensor (constant ones are cast on the host by
/// ShapeComputeOps, which wraps this importer). float -> float is the
/// identity. float -> int8/uint8/int16/int32 truncates toward zero (ONNX
/// Cast, C's conversion, onnxruntime) with math.trunc, then tosa.cast, which
/// is exact on integral values; values outside the target range, which ONNX
/// leaves undefined, saturate. int8/uint8/int16/int32 -> float is tosa.cast
/// (exact). uint16 is left out: the reference executor has no u16 cast.
llvm::Error importCast(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  AttrReader attrs(imp, node);
  int64_t to = attrs.getInt("to", 0);
  if (auto err = attrs.takeError())
    return err;
  int from = onnxTypeOf(**x);
  auto castable = [](int t) {
    return t == kInt8 || t == kUint8 || t == kInt16 || t == kInt32;
  };
  if (from == kFloat && to == kFloat) {
    imp.defineAlias(node, 0, **x);
    return llvm::Error::success();
  }
  if (!((from == kFloat && castable(static_cast<int>(to))) ||
        (castable(from) && to == kFloat)))
    return imp.nodeError(
        "Cast of the non-constant tensor " + quoteName(node.input(0)) + " to " +
        onnx::TensorProto_DataType_Name(
            static_cast<onnx::TensorProto_DataType>(to)) +
        " is not supported (only float32 activations); Tessera casts FLOAT "
        "to and from INT8, UINT8, INT16, INT32, not " +
        onnx::TensorProto_DataType_Name(
            static_cast<onnx::TensorProto_DataType>(from)) +
        " to " +
        onnx::TensorProto_DataType_Name(
            static_cast<onnx::TensorProto_DataType>(to)));
  return defineElementwise(imp, node, **x, [&](Value v) {
    if (from != kFloat)
      return castTo(imp, v, imp.f32());
    v = math::TruncOp::create(imp.builder(), imp.loc(), v);
    return castTo(
        imp, v, integerTypeOf(imp.context(), *storageOf(static_cast<int>(to))));
  });
}

/// The float8 / float4 / int2 types of the tensors around one node, found
/// in the graph's inputs, outputs, value_info and initializers.
void collectTypes(const onnx::GraphProto &g, llvm::StringMap<int> &types) {
  auto add = [&](const onnx::ValueInfoProto &vi) {
    if (vi.type().has_tensor_type())
      types[vi.name()] = vi.type().tensor_type().elem_type();
  };
  for (const auto &vi : g.input())
    add(vi);
  for (const auto &vi : g.output())
    add(vi);
  for (const auto &vi : g.value_info())
    add(vi);
  for (const auto &init : g.initializer())
    types[init.name()] = init.data_type();
}

} // namespace

Type integerInputType(MLIRContext &ctx, int onnxType) {
  std::optional<Storage> s = storageOf(onnxType);
  if (!s)
    return nullptr;
  return integerTypeOf(ctx, *s);
}

llvm::Error checkQuantTypes(GraphImporter &imp,
                            const onnx::GraphProto &graph) {
  llvm::StringMap<int> types;
  collectTypes(graph, types);
  for (const auto &node : graph.node()) {
    auto check = [&](const std::string &name,
                     const char *role) -> llvm::Error {
      auto it = types.find(name);
      if (it == types.end() || !isRejectedQuantType(it->second))
        return llvm::Error::success();
      return llvm::createStringError(
          imp.fileName() + ": node " + quoteName(imp.displayName(node)) + " (" +
          node.op_type() + "): " + role + " " + quoteName(name) + " has type " +
          onnxTypeName(it->second) +
          ", which Tessera does not support (quantized types: int8, uint8, "
          "int16, uint16, int4, uint4)");
    };
    for (const auto &in : node.input())
      if (auto err = check(in, "input"))
        return err;
    for (const auto &out : node.output())
      if (auto err = check(out, "output"))
        return err;
  }
  return llvm::Error::success();
}

namespace {

/// Routes `operand` through qcast/dcast to `type` (same shape), placed just
/// before its owner and carrying the owner's discardable attributes;
/// returns the two casts.
std::array<Operation *, 2> quantizeOperand(OpBuilder &b, OpOperand &operand,
                                           mq::UniformQuantizedType type) {
  Operation *op = operand.getOwner();
  Value in = operand.get();
  b.setInsertionPoint(op);
  auto q = mq::QuantizeCastOp::create(
      b, op->getLoc(),
      RankedTensorType::get(cast<ShapedType>(in.getType()).getShape(), type),
      in);
  auto d = mq::DequantizeCastOp::create(b, op->getLoc(), in.getType(), q);
  operand.set(d);
  q->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  d->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  return {q, d};
}

} // namespace

llvm::Error finishQuantImport(GraphImporter &imp, const onnx::GraphProto &graph,
                              func::FuncOp func) {
  OpBuilder b(func.getContext());
  // Conv / Gemm weights made from DequantizeLinear of an integer
  // initializer: back to dcast(scast(tosa.const iN)), per-axis on the
  // output-channel axis (OHWI 0). The integers are recovered exactly from
  // the float weight (quantize(dequantize(q)) == q), whatever layout the
  // importer chose.
  if (imp.quantState && !imp.quantState->constants.empty()) {
    llvm::StringMap<const onnx::NodeProto *> byName;
    for (const auto &node : graph.node())
      byName[imp.displayName(node)] = &node;
    // A grouped Conv imports as one conv2d per group, in group order, with
    // the same onnx.node: part g takes output channels [g*OCg, (g+1)*OCg)
    // of a per-channel weight quantization.
    llvm::StringMap<int64_t> parts, partsSeen;
    func.walk([&](tosa::Conv2DOp op) {
      if (auto n = op->getAttrOfType<StringAttr>(kNodeAttr))
        ++parts[n.getValue()];
    });
    func.walk([&](Operation *op) {
      if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op) ||
          op->hasAttr(kFusedAttr))
        return;
      auto nodeName = op->getAttrOfType<StringAttr>(kNodeAttr);
      const onnx::NodeProto *node =
          nodeName ? byName.lookup(nodeName.getValue()) : nullptr;
      if (!node || node->input_size() < 2 ||
          (node->op_type() != "Conv" && node->op_type() != "Gemm"))
        return;
      auto rec = imp.quantState->constants.find(node->input(1));
      if (rec == imp.quantState->constants.end())
        return;
      if (node->op_type() == "Gemm") {
        // Per-channel B of Gemm is quantized along N: axis 1 of B [K, N]
        // (transB = 0) or 0 of B^T; only the per-tensor case and transB = 1
        // map onto OHWI axis 0 here.
        bool transB = false;
        float alpha = 1.0f;
        for (const auto &a : node->attribute()) {
          if (a.name() == "transB")
            transB = a.i() != 0;
          if (a.name() == "alpha")
            alpha = a.f();
        }
        if (alpha != 1.0f || (rec->second.scales.size() > 1 && !transB))
          return;
      }
      Value weight = op->getOperand(1);
      auto cst = weight.getDefiningOp<tosa::ConstOp>();
      auto dense = cst ? dyn_cast<DenseElementsAttr>(cst.getValues()) : nullptr;
      if (!dense || !dense.getElementType().isF32())
        return;
      QuantImportState::DequantizedConst r = rec->second;
      auto wType = cast<RankedTensorType>(weight.getType());
      ArrayRef<int64_t> shape = wType.getShape();
      int32_t axis = 0;
      bool depthwise = isa<tosa::DepthwiseConv2DOp>(op);
      if (depthwise)
        axis = shape[3] == 1 ? 2 : 3;
      const int64_t numParts = depthwise ? 1 : parts.lookup(nodeName.getValue());
      const int64_t part = depthwise ? 0 : partsSeen[nodeName.getValue()]++;
      if (numParts > 1 && r.scales.size() > 1) {
        if (static_cast<int64_t>(r.scales.size()) != shape[0] * numParts)
          return;
        auto from = [&](auto &v) {
          std::decay_t<decltype(v)> sub(v.begin() + part * shape[0],
                                        v.begin() + (part + 1) * shape[0]);
          v = std::move(sub);
        };
        from(r.scales);
        from(r.zeroPoints);
      }
      if (r.scales.size() > 1 &&
          (axis >= static_cast<int32_t>(shape.size()) ||
           shape[axis] != static_cast<int64_t>(r.scales.size()) ||
           (depthwise && shape[2] > 1 && shape[3] > 1)))
        return;
      int64_t inner = 1;
      for (size_t d = axis + 1; d < shape.size(); ++d)
        inner *= shape[d];
      std::vector<int64_t> ints;
      int64_t i = 0;
      for (const APFloat &v : dense.getValues<APFloat>()) {
        size_t k = r.scales.size() == 1 ? 0 : (i / inner) % shape[axis];
        int64_t q = quant::quantizeRange(v.convertToFloat(),
                                         {r.scales[k], r.zeroPoints[k]},
                                         r.qmin, r.qmax);
        ints.push_back(q);
        ++i;
      }
      unsigned flags = r.isSigned ? mq::QuantizationFlags::Signed : 0;
      Type storage = b.getIntegerType(r.bits);
      mq::QuantizedType qt;
      if (r.scales.size() == 1)
        qt = mq::UniformQuantizedType::get(flags, storage, b.getF32Type(),
                                           r.scales[0], r.zeroPoints[0],
                                           r.qmin, r.qmax);
      else
        qt = mq::UniformQuantizedPerAxisType::get(
            flags, storage, b.getF32Type(), r.scales, r.zeroPoints, axis,
            r.qmin, r.qmax);
      b.setInsertionPoint(op);
      Location loc = cst.getLoc();
      auto intType = RankedTensorType::get(shape, storage);
      SmallVector<APInt> bits;
      for (int64_t v : ints)
        bits.push_back(APInt(r.bits, static_cast<uint64_t>(v), true, true));
      Value ic = tosa::ConstOp::create(b, loc, intType,
                                       DenseElementsAttr::get(intType, bits));
      Value q = mq::StorageCastOp::create(
          b, loc, RankedTensorType::get(shape, qt), ic);
      Value d = mq::DequantizeCastOp::create(b, loc, wType, q);
      for (Operation *o : {ic.getDefiningOp(), q.getDefiningOp(),
                           d.getDefiningOp()})
        o->setDiscardableAttrs(cst->getDiscardableAttrDictionary());
      op->setOperand(1, d);
    });
  }
  // Data movement the float importers put between a dcast and its consumer
  // (the crop slice of a strided Conv, Gemm's reshapes) shares the
  // quantization of its input (or of its only quantized user), as
  // --tessera-quantize arranges for float models: make that explicit with a
  // qcast/dcast pair of the same type, which changes no value.
  SmallVector<Operation *> moves;
  func.walk([&](Operation *op) {
    if (isa<tosa::SliceOp, tosa::ReshapeOp, tosa::TransposeOp>(op) &&
        isa<FloatType>(
            cast<ShapedType>(op->getResult(0).getType()).getElementType()))
      moves.push_back(op);
  });
  for (Operation *op : moves) {
    Value in = op->getOperand(0), out = op->getResult(0);
    auto dq = in.getDefiningOp<mq::DequantizeCastOp>();
    auto inType = dq ? dyn_cast<mq::UniformQuantizedType>(
                           cast<ShapedType>(dq.getInput().getType())
                               .getElementType())
                     : nullptr;
    bool allQcast = !out.use_empty() &&
                    llvm::all_of(out.getUsers(), [](Operation *u) {
                      return isa<mq::QuantizeCastOp>(u);
                    });
    b.setInsertionPointAfter(op);
    if (inType && !allQcast) {
      auto q = mq::QuantizeCastOp::create(
          b, op->getLoc(), RankedTensorType::get(
                               cast<ShapedType>(out.getType()).getShape(),
                               inType),
          out);
      auto d = mq::DequantizeCastOp::create(b, op->getLoc(), out.getType(), q);
      out.replaceAllUsesExcept(d, q);
      q->setDiscardableAttrs(op->getDiscardableAttrDictionary());
      d->setDiscardableAttrs(op->getDiscardableAttrDictionary());
      continue;
    }
    if (!dq && allQcast) {
      auto first = cast<mq::QuantizeCastOp>(*out.getUsers().begin());
      auto outType = dyn_cast<mq::UniformQuantizedType>(
          cast<ShapedType>(first.getType()).getElementType());
      if (!outType || llvm::any_of(out.getUsers(), [&](Operation *u) {
            return u->getResult(0).getType() != first.getType();
          }))
        continue;
      quantizeOperand(b, op->getOpOperand(0), outType);
    }
  }
  // A concat the float importers made (a grouped Conv's parts) whose only
  // users quantize it to one type: each part takes that quantization, as a
  // concat of quantized tensors shares its output's (--tessera-quantize
  // arranges the same for float models).
  SmallVector<tosa::ConcatOp> concats;
  func.walk([&](tosa::ConcatOp op) { concats.push_back(op); });
  for (tosa::ConcatOp op : concats) {
    Value out = op.getResult();
    if (out.use_empty() || !llvm::all_of(out.getUsers(), [&](Operation *u) {
          return isa<mq::QuantizeCastOp>(u) &&
                 u->getResult(0).getType() ==
                     (*out.getUsers().begin())->getResult(0).getType();
        }))
      continue;
    auto outType = dyn_cast<mq::UniformQuantizedType>(
        cast<ShapedType>((*out.getUsers().begin())->getResult(0).getType())
            .getElementType());
    if (!outType ||
        llvm::any_of(op->getOperands(), [](Value v) {
          return v.getDefiningOp<mq::DequantizeCastOp>() != nullptr;
        }))
      continue;
    for (OpOperand &operand : op->getOpOperands())
      for (Operation *castOp : quantizeOperand(b, operand, outType))
        castOp->removeAttr(kOutputAttr); // the concat keeps its output's name
  }
  // Drop the quantization chains nobody reads (both layouts of a value are
  // made eagerly; integer initializers also serve as host constants).
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<Operation *> dead;
    func.walk([&](Operation *op) {
      if (op->getNumResults() == 1 && op->use_empty() &&
          isa<mq::QuantizeCastOp, mq::DequantizeCastOp, mq::StorageCastOp,
              tensor::BitcastOp, tosa::ConstOp, tosa::ConstShapeOp,
              tosa::TransposeOp, tosa::ReshapeOp>(op))
        dead.push_back(op);
    });
    for (Operation *op : dead)
      op->erase();
    changed = !dead.empty();
  }
  return llvm::Error::success();
}

void registerQuantOps(OpTable &table) {
  table["QuantizeLinear"] = importQuantizeLinear;
  table["DequantizeLinear"] = importDequantizeLinear;
  table["QLinearConv"] = importQLinearConv;
  table["QLinearMatMul"] = importQLinearMatMul;
  table["ConvInteger"] = importConvInteger;
  table["MatMulInteger"] = importMatMulInteger;
  table["DynamicQuantizeLinear"] = importDynamicQuantizeLinear;
  table["Cast"] = importCast; // ShapeComputeOps keeps it for run-time values
}

} // namespace tessera::frontend
