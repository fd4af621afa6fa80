//===- QuantUtils.cpp - Helpers shared by the quantization rewrites -------===//

#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

mq::QuantizedType getQuantElementType(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return dyn_cast<mq::QuantizedType>(shaped ? shaped.getElementType() : type);
}

Value getDequantizedSource(Value floatValue) {
  if (auto dcast = floatValue.getDefiningOp<mq::DequantizeCastOp>())
    return dcast.getInput();
  return nullptr;
}

bool isHostOp(Operation *op) {
  auto device = op->getAttrOfType<StringAttr>(kDeviceAttr);
  return device && device.getValue() == kHostDevice;
}


bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

RankedTensorType withElementType(Type shaped, Type element) {
  return RankedTensorType::get(cast<ShapedType>(shaped).getShape(), element);
}

static bool isI8Storage(mq::QuantizedType type) {
  return type.isSigned() && type.getStorageTypeIntegralWidth() == 8;
}

/// i8 or i16 storage (int16 activations and weights).
static bool isI8OrI16Storage(mq::QuantizedType type) {
  return type.isSigned() && (type.getStorageTypeIntegralWidth() == 8 ||
                             type.getStorageTypeIntegralWidth() == 16);
}

static std::string describe(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

llvm::Expected<mq::UniformQuantizedType>
requireI8PerTensor(Type quantTensorType, StringRef what, bool allowI16) {
  mq::QuantizedType q = getQuantElementType(quantTensorType);
  auto uniform = dyn_cast_or_null<mq::UniformQuantizedType>(q);
  if (!uniform)
    return llvm::createStringError(
        "expected " + what.str() +
        " with a per-tensor !quant.uniform type but got " +
        describe(quantTensorType));
  if (allowI16 ? !isI8OrI16Storage(uniform) : !isI8Storage(uniform))
    return llvm::createStringError(
        "expected " + what.str() +
        (allowI16 ? " with i8 or i16 storage but got "
                  : " with i8 storage but got ") +
        describe(uniform) +
        (!allowI16 && uniform.getStorageTypeIntegralWidth() == 16
             ? " (this op has no int16 integer form yet)"
             : ""));
  return uniform;
}

unsigned storageWidth(mq::UniformQuantizedType type) {
  return type.getStorageTypeIntegralWidth();
}

llvm::Expected<WeightQParams> getWeightQParams(Type quantTensorType) {
  mq::QuantizedType q = getQuantElementType(quantTensorType);
  if (!q || !isI8OrI16Storage(q))
    return llvm::createStringError(
        "expected a weight with an i8 or i16 !quant.uniform type but got " +
        describe(quantTensorType));
  WeightQParams p;
  if (auto uniform = dyn_cast<mq::UniformQuantizedType>(q)) {
    p.scales.push_back(uniform.getScale());
    p.zeroPoint = uniform.getZeroPoint();
    return p;
  }
  auto perAxis = dyn_cast<mq::UniformQuantizedPerAxisType>(q);
  if (!perAxis)
    return llvm::createStringError("expected a uniform weight type but got " +
                                   describe(q));
  ArrayRef<int64_t> zps = perAxis.getZeroPoints();
  if (llvm::any_of(zps, [&](int64_t z) { return z != zps.front(); }))
    return llvm::createStringError(
        "expected one zero point for all channels of the weight (TOSA has a "
        "single weight_zp) but got " +
        describe(q));
  p.scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
  p.axis = perAxis.getQuantizedDimension();
  p.zeroPoint = zps.front();
  return p;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

static ElementsAttr constantValues(Value value) {
  if (auto cst = value.getDefiningOp<tosa::ConstOp>())
    return cst.getValues();
  return nullptr;
}

std::optional<SmallVector<double>> readFloatConstant(Value value) {
  ElementsAttr attr = constantValues(value);
  if (!attr || !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  SmallVector<double> out;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      out.push_back(v.convertToDouble());
    return out;
  }
  if (auto res = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = res.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    out.assign(data->begin(), data->end());
    return out;
  }
  return std::nullopt;
}

std::optional<SmallVector<int64_t>> readIntConstant(Value value) {
  ElementsAttr attr = constantValues(value);
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  bool isUnsigned = dense.getElementType().isUnsignedInteger();
  SmallVector<int64_t> out;
  for (const APInt &v : dense.getValues<APInt>())
    out.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                             : v.getSExtValue());
  return out;
}

/// Index along `axis` of the element at row-major position `flat`.
static int64_t indexAlongAxis(ArrayRef<int64_t> shape, int32_t axis,
                              int64_t flat) {
  int64_t inner = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  return (flat / inner) % shape[axis];
}

/// QParams (scale, zero point) of the element at `flat` of a tensor of `type`.
static QParams elementQParams(mq::QuantizedType type, ArrayRef<int64_t> shape,
                              int64_t flat) {
  if (auto uniform = dyn_cast<mq::UniformQuantizedType>(type))
    return {uniform.getScale(), uniform.getZeroPoint()};
  auto perAxis = cast<mq::UniformQuantizedPerAxisType>(type);
  int64_t i = indexAlongAxis(shape, perAxis.getQuantizedDimension(), flat);
  return {perAxis.getScales()[i], perAxis.getZeroPoints()[i]};
}

static bool isUniform(mq::QuantizedType type) {
  return isa_and_nonnull<mq::UniformQuantizedType,
                         mq::UniformQuantizedPerAxisType>(type);
}

std::optional<SmallVector<double>> readRealValues(Value value) {
  if (std::optional<SmallVector<double>> data = readFloatConstant(value))
    return data;
  Value q = getDequantizedSource(value);
  if (!q)
    return std::nullopt;
  if (auto qcast = q.getDefiningOp<mq::QuantizeCastOp>())
    return readFloatConstant(qcast.getInput());
  auto scast = q.getDefiningOp<mq::StorageCastOp>();
  mq::QuantizedType type = getQuantElementType(q.getType());
  if (!scast || !isUniform(type))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> ints = readIntConstant(scast.getInput());
  if (!ints)
    return std::nullopt;
  ArrayRef<int64_t> shape = cast<ShapedType>(q.getType()).getShape();
  SmallVector<double> out;
  for (auto [i, v] : llvm::enumerate(*ints))
    out.push_back(dequantize(v, elementQParams(type, shape, i)));
  return out;
}

/// True if readFloatConstant can read `value` (without copying the data).
static bool isReadableFloatConstant(Value value) {
  ElementsAttr attr = constantValues(value);
  if (!attr || !isa<FloatType>(attr.getElementType()))
    return false;
  if (isa<DenseElementsAttr>(attr))
    return true;
  auto res = dyn_cast<DenseF32ResourceElementsAttr>(attr);
  return res && res.tryGetAsArrayRef().has_value();
}

bool hasIntegerForm(Value quantValue) {
  if (auto scast = quantValue.getDefiningOp<mq::StorageCastOp>())
    return isa<IntegerType>(getElementTypeOrSelf(scast.getInput().getType()));
  auto qcast = quantValue.getDefiningOp<mq::QuantizeCastOp>();
  return qcast && isUniform(getQuantElementType(quantValue.getType())) &&
         isReadableFloatConstant(qcast.getInput());
}

Value materializeInteger(OpBuilder &b, Location loc, Value quantValue) {
  if (auto scast = quantValue.getDefiningOp<mq::StorageCastOp>())
    return scast.getInput();
  auto qcast = quantValue.getDefiningOp<mq::QuantizeCastOp>();
  mq::QuantizedType type = getQuantElementType(quantValue.getType());
  SmallVector<double> data = *readFloatConstant(qcast.getInput());
  ArrayRef<int64_t> shape = cast<ShapedType>(quantValue.getType()).getShape();
  // The dtype only bounds core/quant's saturation; the storage range of the
  // type (e.g. [-127, 127] for restricted-range weights) is applied after.
  DType dtype = type.isSigned() ? DType::Int8 : DType::UInt8;
  if (type.getStorageTypeIntegralWidth() == 16)
    dtype = type.isSigned() ? DType::Int16 : DType::UInt16;
  SmallVector<int64_t> ints;
  ints.reserve(data.size());
  for (auto [i, x] : llvm::enumerate(data)) {
    int64_t v =
        quantize(x, elementQParams(type, shape, i), dtype, Rounding::HalfEven);
    ints.push_back(
        std::clamp(v, type.getStorageTypeMin(), type.getStorageTypeMax()));
  }
  return createIntConst(b, loc, shape, type.getStorageType(), ints);
}

Value createIntConst(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                     Type elementType, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, elementType);
  unsigned width = elementType.getIntOrFloatBitWidth();
  // Raw 8/16/32-bit storage keeps weight tensors compact while building.
  auto create = [&](auto zero) {
    using T = decltype(zero);
    SmallVector<T> raw(values.begin(), values.end());
    return tosa::ConstOp::create(
        b, loc, type, DenseElementsAttr::get(type, ArrayRef<T>(raw)));
  };
  if (width == 8)
    return create(int8_t());
  if (width == 16)
    return create(int16_t());
  if (width == 32)
    return create(int32_t());
  SmallVector<APInt> bits;
  bits.reserve(values.size());
  for (int64_t v : values)
    bits.push_back(APInt(width, v, /*isSigned=*/true, /*implicitTrunc=*/true));
  return tosa::ConstOp::create(b, loc, type,
                               DenseElementsAttr::get(type, bits));
}

Value createZeroPoint(OpBuilder &b, Location loc, Type elementType,
                      int64_t zeroPoint) {
  return createIntConst(b, loc, {1}, elementType, {zeroPoint});
}

//===----------------------------------------------------------------------===//
// Rescale and clamp
//===----------------------------------------------------------------------===//

llvm::Expected<RescaleParams> computeRescale(ArrayRef<double> real,
                                             int64_t inputZp, int64_t outputZp,
                                             bool scale16) {
  RescaleParams p;
  p.inputZp = inputZp;
  p.outputZp = outputZp;
  bool allEqual = llvm::all_of(real, [&](double m) { return m == real[0]; });
  for (double m : allEqual ? real.take_front(1) : real) {
    std::optional<ScaleMultiplier> sm =
        scale16 ? quantizeMultiplier16(m) : quantizeMultiplier(m);
    if (!sm)
      return llvm::createStringError(
          "requantization multiplier " + std::to_string(m) +
          " is out of the range of a " + (scale16 ? "16" : "32") +
          "-bit multiplier with shift >= 2");
    p.multipliers.push_back(sm->multiplier);
    p.shifts.push_back(sm->shift);
  }
  return p;
}

FailureOr<RescaleParams> matchRescale(PatternRewriter &rewriter, Operation *op,
                                      ArrayRef<double> real, int64_t inputZp,
                                      int64_t outputZp, bool scale16) {
  llvm::Expected<RescaleParams> p =
      computeRescale(real, inputZp, outputZp, scale16);
  if (!p)
    return rewriter.notifyMatchFailure(op, llvm::toString(p.takeError()));
  return *p;
}

Value createRescale(OpBuilder &b, Location loc, Value input,
                    Type outElementType, const RescaleParams &params) {
  Type inElementType = getElementTypeOrSelf(input.getType());
  auto n = static_cast<int64_t>(params.multipliers.size());
  // TOSA: an i48 input (an int16 conv's accumulator) is rescaled with
  // apply_scale_16 (scale32 = false, i16 multipliers, computeRescale's
  // scale16).
  bool scale32 = inElementType.getIntOrFloatBitWidth() != 48;
  Value multiplier = createIntConst(b, loc, {n},
                                    scale32 ? b.getI32Type() : b.getI16Type(),
                                    params.multipliers);
  Value shift = createIntConst(b, loc, {n}, b.getI8Type(), params.shifts);
  Value inputZp = createZeroPoint(b, loc, inElementType, params.inputZp);
  Value outputZp = createZeroPoint(b, loc, outElementType, params.outputZp);
  return tosa::RescaleOp::create(
      b, loc, withElementType(input.getType(), outElementType), input,
      multiplier, shift, inputZp, outputZp, scale32, kRescaleRounding,
      /*per_channel=*/n > 1, /*input_unsigned=*/false,
      /*output_unsigned=*/false);
}

llvm::Expected<std::optional<RescaleParams>>
computeRequantize(mq::UniformQuantizedType from, mq::UniformQuantizedType to) {
  if (from.getScale() == to.getScale() &&
      from.getZeroPoint() == to.getZeroPoint() &&
      from.getStorageTypeIntegralWidth() == to.getStorageTypeIntegralWidth() &&
      from.getStorageTypeMin() >= to.getStorageTypeMin() &&
      from.getStorageTypeMax() <= to.getStorageTypeMax())
    return std::optional<RescaleParams>();
  llvm::Expected<RescaleParams> p =
      computeRescale({from.getScale() / to.getScale()}, from.getZeroPoint(),
                     to.getZeroPoint());
  if (!p)
    return p.takeError();
  return std::optional<RescaleParams>(std::move(*p));
}

Value applyRequantize(OpBuilder &b, Location loc, Value input,
                      const std::optional<RescaleParams> &params,
                      Type outElementType) {
  if (!params)
    return input;
  return createRescale(b, loc, input,
                       outElementType ? outElementType
                                      : getElementTypeOrSelf(input.getType()),
                       *params);
}

/// Quantizes a clamp bound, saturating to the storage range first so that
/// +-FLT_MAX ("no bound") stays finite.
static int64_t quantizeBound(mq::UniformQuantizedType type, double bound) {
  QParams p{type.getScale(), type.getZeroPoint()};
  double lo = dequantize(type.getStorageTypeMin(), p);
  double hi = dequantize(type.getStorageTypeMax(), p);
  DType dtype = type.getStorageTypeIntegralWidth() == 16
                    ? (type.isSigned() ? DType::Int16 : DType::UInt16)
                    : (type.isSigned() ? DType::Int8 : DType::UInt8);
  return quantize(std::clamp(bound, lo, hi), p, dtype, Rounding::HalfEven);
}

std::pair<int64_t, int64_t> quantizedClampBounds(mq::UniformQuantizedType type,
                                                 std::optional<double> minVal,
                                                 std::optional<double> maxVal) {
  int64_t lo = type.getStorageTypeMin();
  int64_t hi = type.getStorageTypeMax();
  if (minVal)
    lo = std::max(lo, quantizeBound(type, *minVal));
  if (maxVal)
    hi = std::min(hi, quantizeBound(type, *maxVal));
  return {lo, hi};
}

IntRange requantizedRange(mq::UniformQuantizedType from,
                          const std::optional<RescaleParams> &requant) {
  if (!requant)
    return {from.getStorageTypeMin(), from.getStorageTypeMax()};
  unsigned width = from.getStorageTypeIntegralWidth();
  return {-(int64_t(1) << (width - 1)), (int64_t(1) << (width - 1)) - 1};
}

IntRange hull(IntRange a, IntRange b) {
  return {std::min(a.first, b.first), std::max(a.second, b.second)};
}

Value createIntClamp(OpBuilder &b, Location loc, Value input, int64_t lo,
                     int64_t hi, std::optional<IntRange> inputRange) {
  auto elementType = cast<IntegerType>(getElementTypeOrSelf(input.getType()));
  unsigned width = elementType.getWidth();
  int64_t typeMin = -(int64_t(1) << (width - 1));
  int64_t typeMax = (int64_t(1) << (width - 1)) - 1;
  if (inputRange) {
    typeMin = std::max(typeMin, inputRange->first);
    typeMax = std::min(typeMax, inputRange->second);
  }
  if (lo <= typeMin && hi >= typeMax)
    return input;
  return tosa::ClampOp::create(b, loc, input.getType(), input,
                               b.getIntegerAttr(elementType, lo),
                               b.getIntegerAttr(elementType, hi));
}

//===----------------------------------------------------------------------===//
// The quantized operands and result of a float op
//===----------------------------------------------------------------------===//

FailureOr<QuantizedOperand> matchQuantizedOperand(PatternRewriter &rewriter,
                                                  Operation *op, Value operand,
                                                  const Twine &name,
                                                  bool allowI16) {
  Value q = getDequantizedSource(operand);
  if (!q)
    return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
      diag << name << " has no quantization parameters (not a quant.dcast)";
    });
  llvm::Expected<mq::UniformQuantizedType> type =
      requireI8PerTensor(q.getType(), name.str(), allowI16);
  if (!type)
    return rewriter.notifyMatchFailure(op, llvm::toString(type.takeError()));
  if (!hasIntegerForm(q))
    return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
      diag << name << " " << kProducerNotFolded;
    });
  return QuantizedOperand{q, *type};
}

FailureOr<SmallVector<QuantizedOperand, 2>>
matchQuantizedOperands(PatternRewriter &rewriter, Operation *op,
                       ValueRange operands, bool allowI16) {
  SmallVector<QuantizedOperand, 2> inputs;
  for (auto [i, operand] : llvm::enumerate(operands)) {
    FailureOr<QuantizedOperand> input = matchQuantizedOperand(
        rewriter, op, operand, "operand #" + Twine(i), allowI16);
    if (failed(input))
      return failure();
    inputs.push_back(*input);
  }
  return inputs;
}

FailureOr<QuantizedWeight> matchQuantizedWeight(PatternRewriter &rewriter,
                                                Operation *op, Value operand,
                                                const Twine &name) {
  Value q = getDequantizedSource(operand);
  if (!q || !hasIntegerForm(q))
    return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
      diag << name << " is not quant.dcast of a quantized constant";
    });
  llvm::Expected<WeightQParams> params = getWeightQParams(q.getType());
  if (!params)
    return rewriter.notifyMatchFailure(op, llvm::toString(params.takeError()));
  return QuantizedWeight{q, *params};
}

static std::optional<double> floatAttrValue(Attribute attr) {
  if (auto f = dyn_cast_or_null<FloatAttr>(attr))
    return f.getValueAsDouble();
  return std::nullopt;
}

FailureOr<QuantizedResult> matchQuantizedResult(PatternRewriter &rewriter,
                                                Operation *op,
                                                bool allowFusedClamp,
                                                bool allowI16) {
  if (op->getNumResults() != 1)
    return rewriter.notifyMatchFailure(op, "expected a single result");
  QuantizedResult result;
  Value value = op->getResult(0);
  if (allowFusedClamp && value.hasOneUse()) {
    if (auto clamp = dyn_cast<tosa::ClampOp>(*value.getUsers().begin())) {
      if (!floatAttrValue(clamp.getMinValAttr()) ||
          !floatAttrValue(clamp.getMaxValAttr()))
        return rewriter.notifyMatchFailure(
            op, "fused tosa.clamp has non-float bounds");
      result.clamp = clamp;
      value = clamp.getOutput();
    }
  }
  if (value.use_empty())
    return rewriter.notifyMatchFailure(op, "result has no users");
  for (Operation *user : value.getUsers()) {
    auto qcast = dyn_cast<mq::QuantizeCastOp>(user);
    if (!qcast)
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "result has no quantization parameters: expected only "
                "quant.qcast users but got '"
             << user->getName() << "'";
      });
    if (!result.qcasts.empty() &&
        qcast.getType() != result.qcasts.front().getType())
      return rewriter.notifyMatchFailure(
          op, "result is quantized to two different types");
    result.qcasts.push_back(qcast);
  }
  llvm::Expected<mq::UniformQuantizedType> type =
      requireI8PerTensor(result.qcasts.front().getType(), "the result",
                         allowI16);
  if (!type)
    return rewriter.notifyMatchFailure(op, llvm::toString(type.takeError()));
  result.type = *type;
  return result;
}

std::pair<int64_t, int64_t> resultClampBounds(const QuantizedResult &result) {
  if (!result.clamp)
    return quantizedClampBounds(result.type, std::nullopt, std::nullopt);
  tosa::ClampOp clamp = result.clamp;
  return quantizedClampBounds(result.type,
                              floatAttrValue(clamp.getMinValAttr()),
                              floatAttrValue(clamp.getMaxValAttr()));
}

void replaceWithInteger(PatternRewriter &rewriter, Operation *op,
                        const QuantizedResult &result, Value intValue) {
  for (mq::QuantizeCastOp qcast : result.qcasts)
    rewriter.replaceOpWithNewOp<mq::StorageCastOp>(qcast, qcast.getType(),
                                                   intValue);
  if (result.clamp)
    rewriter.eraseOp(result.clamp);
  rewriter.eraseOp(op);
}

void eraseUnusedInterior(PatternRewriter &rewriter, ArrayRef<Operation *> ops) {
  SmallVector<Operation *> left(ops);
  for (bool erased = true; erased;) {
    erased = false;
    for (Operation *&op : left)
      if (op && op->use_empty()) {
        rewriter.eraseOp(op);
        op = nullptr;
        erased = true;
      }
  }
}

void copyDiscardableAttrs(Operation *from, Operation *to) {
  to->setDiscardableAttrs(from->getDiscardableAttrDictionary());
}

void replaceWithRescaled(PatternRewriter &rewriter, Operation *op,
                         const QuantizedResult &result, Value acc,
                         const RescaleParams &params) {
  auto [lo, hi] = resultClampBounds(result);
  Value rescaled = createRescale(rewriter, op->getLoc(), acc,
                                 result.type.getStorageType(), params);
  tosa::ClampOp clamp = result.clamp;
  Location clampLoc = clamp ? clamp.getLoc() : op->getLoc();
  Value out = createIntClamp(rewriter, clampLoc, rescaled, lo, hi);
  if (clamp && out != rescaled)
    copyDiscardableAttrs(clamp, out.getDefiningOp());
  replaceWithInteger(rewriter, op, result, out);
}

namespace {

/// Whether every user of `v` is in `ops`.
bool usedOnlyBy(Value v, llvm::ArrayRef<Operation *> ops) {
  return llvm::all_of(v.getUsers(), [&](Operation *u) {
    return llvm::is_contained(ops, u);
  });
}

template <typename OpTy> OpTy definedBy(Value v) {
  return v ? v.getDefiningOp<OpTy>() : OpTy();
}

} // namespace

std::optional<SoftmaxChain> matchSoftmaxChain(Operation *last) {
  SoftmaxChain c;
  Value s, sumIn;
  tosa::ReduceSumOp sum;
  Operation *norm = nullptr; // reciprocal or log
  tosa::ExpOp exp;
  if (auto mul = dyn_cast_or_null<tosa::MulOp>(last)) {
    auto rcp = definedBy<tosa::ReciprocalOp>(mul.getInput2());
    exp = definedBy<tosa::ExpOp>(mul.getInput1());
    if (!rcp || !exp)
      return std::nullopt;
    sum = definedBy<tosa::ReduceSumOp>(rcp.getInput1());
    norm = rcp;
    if (!sum || sum.getInput() != exp.getResult())
      return std::nullopt;
    s = exp.getInput1();
  } else if (auto sub = dyn_cast_or_null<tosa::SubOp>(last)) {
    auto lg = definedBy<tosa::LogOp>(sub.getInput2());
    if (!lg)
      return std::nullopt;
    sum = definedBy<tosa::ReduceSumOp>(lg.getInput1());
    if (!sum)
      return std::nullopt;
    exp = definedBy<tosa::ExpOp>(sum.getInput());
    norm = lg;
    if (!exp || exp.getInput1() != sub.getInput1())
      return std::nullopt;
    s = sub.getInput1();
    c.log = true;
  } else {
    return std::nullopt;
  }
  auto shift = definedBy<tosa::SubOp>(s);
  if (!shift)
    return std::nullopt;
  auto max = definedBy<tosa::ReduceMaxOp>(shift.getInput2());
  if (!max || max.getInput() != shift.getInput1() ||
      max.getAxis() != sum.getAxis())
    return std::nullopt;
  c.input = shift.getInput1();
  c.axis = sum.getAxis();
  c.interior = {max, shift, exp, sum, norm};
  SmallVector<Operation *> all(c.interior);
  all.push_back(last);
  for (Operation *op : c.interior)
    if (!usedOnlyBy(op->getResult(0), all))
      return std::nullopt;
  if (!isFloatTensor(c.input.getType()))
    return std::nullopt;
  return c;
}

std::optional<ReduceSumChain> matchReduceSumChain(Operation *last) {
  ReduceSumChain c;
  Value v;
  if (auto mul = dyn_cast_or_null<tosa::MulOp>(last)) {
    std::optional<SmallVector<double>> k = readFloatConstant(mul.getInput2());
    if (!k || k->empty() ||
        llvm::any_of(*k, [&](double x) { return x != (*k)[0]; }))
      return std::nullopt;
    c.factor = (*k)[0];
    v = mul.getInput1();
    if (!definedBy<tosa::ReduceSumOp>(v) || !v.hasOneUse())
      return std::nullopt;
  } else if (isa_and_nonnull<tosa::ReduceSumOp>(last)) {
    v = last->getResult(0);
  } else {
    return std::nullopt;
  }
  while (auto sum = definedBy<tosa::ReduceSumOp>(v)) {
    if (sum.getOperation() != last) {
      if (!v.hasOneUse())
        return std::nullopt;
      c.interior.push_back(sum);
    }
    c.axes.push_back(sum.getAxis());
    v = sum.getInput();
  }
  if (!isFloatTensor(v.getType()))
    return std::nullopt;
  c.input = v;
  return c;
}

std::optional<LayerNormChain> matchLayerNormChain(Operation *last) {
  LayerNormChain c;
  Value d;
  tosa::RsqrtOp rsqrt;
  SmallVector<Operation *> tail; // rsqrt's users up to `last`
  if (auto mul = dyn_cast_or_null<tosa::MulOp>(last)) {
    if (auto r = definedBy<tosa::RsqrtOp>(mul.getInput2())) {
      rsqrt = r;
      d = mul.getInput1();
    } else if (auto r = definedBy<tosa::RsqrtOp>(mul.getInput1())) {
      rsqrt = r;
      d = mul.getInput2();
    }
  } else if (auto div = dyn_cast_or_null<arith::DivFOp>(last)) {
    Value den = div.getRhs();
    if (auto tile = definedBy<tosa::TileOp>(den)) {
      tail.push_back(tile);
      den = tile.getInput1();
    }
    auto rcp = definedBy<tosa::ReciprocalOp>(den);
    if (!rcp)
      return std::nullopt;
    tail.push_back(rcp);
    rsqrt = definedBy<tosa::RsqrtOp>(rcp.getInput1());
    d = div.getLhs();
  }
  if (!rsqrt || !d)
    return std::nullopt;
  Value v = rsqrt.getInput1();
  SmallVector<Operation *> ops;
  if (auto add = definedBy<tosa::AddOp>(v)) {
    std::optional<SmallVector<double>> eps = readFloatConstant(add.getInput2());
    Value var = add.getInput1();
    if (!eps) {
      eps = readFloatConstant(add.getInput1());
      var = add.getInput2();
    }
    if (!eps || eps->empty() ||
        llvm::any_of(*eps, [&](double e) { return e != (*eps)[0]; }))
      return std::nullopt;
    c.epsilon = (*eps)[0];
    ops.push_back(add);
    v = var;
  }
  auto varMul = definedBy<tosa::MulOp>(v);
  std::optional<ReduceSumChain> var =
      varMul ? matchReduceSumChain(varMul) : std::nullopt;
  if (!var)
    return std::nullopt;
  auto square = definedBy<tosa::MulOp>(var->input);
  if (!square || square.getInput1() != d || square.getInput2() != d)
    return std::nullopt;
  auto sub = definedBy<tosa::SubOp>(d);
  if (!sub)
    return std::nullopt;
  auto meanMul = definedBy<tosa::MulOp>(sub.getInput2());
  std::optional<ReduceSumChain> mean =
      meanMul ? matchReduceSumChain(meanMul) : std::nullopt;
  if (!mean || mean->input != sub.getInput1())
    return std::nullopt;
  SmallVector<int64_t> axesMean(mean->axes), axesVar(var->axes);
  llvm::sort(axesMean);
  llvm::sort(axesVar);
  if (axesMean != axesVar)
    return std::nullopt;
  c.input = sub.getInput1();
  if (!isFloatTensor(c.input.getType()))
    return std::nullopt;
  auto type = cast<RankedTensorType>(c.input.getType());
  c.count = 1;
  for (int64_t a : axesMean)
    c.count *= type.getDimSize(a);
  double inv = 1.0 / double(c.count);
  auto near = [&](double f) { return std::abs(f - inv) <= 1e-6 * inv; };
  if (c.count <= 0 || !near(mean->factor) || !near(var->factor))
    return std::nullopt;
  c.axes = axesMean;
  c.interior.append(mean->interior.begin(), mean->interior.end());
  c.interior.push_back(meanMul);
  c.interior.push_back(sub);
  c.interior.push_back(square);
  c.interior.append(var->interior.begin(), var->interior.end());
  c.interior.push_back(varMul);
  c.interior.append(ops.begin(), ops.end());
  c.interior.push_back(rsqrt);
  c.interior.append(tail.rbegin(), tail.rend());
  SmallVector<Operation *> all(c.interior);
  all.push_back(last);
  for (Operation *op : c.interior)
    if (!usedOnlyBy(op->getResult(0), all))
      return std::nullopt;
  return c;
}

} // namespace tessera::quant
