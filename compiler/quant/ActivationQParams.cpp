//===- ActivationQParams.cpp - Activation quantization from tessera.range -===//
//
// Chooses one quantization per activation tensor of a float TOSA function and
// inserts quant.qcast/quant.dcast after it. Activations are the function
// arguments and op results that carry `tessera.range = array<f64: min, max>`,
// plus float constants used as data by an op the integer level supports
// (their range is their data; for mul only constants of more than one
// value: a splat factor is left to FoldElementwiseChain's table). Rules (docs/quantization-passes.md):
//  - fused activation: the result of conv2d/depthwise_conv2d/matmul/add whose
//    only user is a tosa.clamp is not quantized; the clamp's result is.
//  - a float constant read as data is quantized per tensor over its values;
//    for mul only a non-uniform one (a uniform factor becomes a table).
//  - shared quantization: concat inputs and output, and the input and output
//    of max_pool2d, reshape, transpose, slice, pad and a stand-alone clamp
//    form one class
//    whose range is the union of its members' ranges (TFLite's "same scale"
//    constraint); the integer op then needs no requantization.
//  - elementwise chains of one ONNX node (findNodeChains: Elu, Mish,
//    LeakyRelu, HardSwish, ...): only the node's output is quantized, so
//    that FoldElementwiseChain makes the node one table.
//  - qparams: core/quant chooseQParams(min, max, dtype, symmetric); uint8 is
//    stored as i8 with zero point - 128 (bit-identical arithmetic).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SetVector.h"

#include <algorithm>

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

/// Operand positions an op reads as activation data (not weights' zero
/// points, biases or shapes); only these get a quantized constant.
SmallVector<unsigned> dataOperands(Operation *op) {
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp, tosa::AddOp,
          tosa::SubOp, tosa::MulOp, tosa::MaximumOp, tosa::MinimumOp>(op))
    return {0, 1};
  if (isa<tosa::ConcatOp>(op))
    return llvm::to_vector(llvm::seq<unsigned>(0, op->getNumOperands()));
  if (isa<tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ReshapeOp,
          tosa::TransposeOp, tosa::SliceOp, tosa::PadOp, tosa::ClampOp,
          tosa::ReduceMaxOp, tosa::ReduceMinOp, tosa::TileOp>(op))
    return {0};
  if (isa<tosa::SelectOp>(op)) // the values; the condition is bool
    return {1, 2};
  return {};
}

/// Ops whose output must use the quantization of their data inputs.
bool sharesQParams(Operation *op) {
  return isa<tosa::ConcatOp, tosa::MaxPool2dOp, tosa::ReshapeOp,
             tosa::TransposeOp, tosa::SliceOp, tosa::PadOp, tosa::ClampOp,
             tosa::ReduceMaxOp, tosa::ReduceMinOp, tosa::TileOp>(op);
}

/// Producers whose integer form ends in a rescale that a clamp can follow.
bool isFusableProducer(Operation *op) {
  return isa_and_nonnull<tosa::Conv2DOp, tosa::DepthwiseConv2DOp,
                         tosa::MatMulOp, tosa::AddOp, tosa::SubOp>(op);
}

struct Range {
  double min;
  double max;
};

/// How much wider (as a factor of the grid's span, i.e. 2^bits of
/// resolution lost) sharing a concat's quantization may make an input's.
constexpr double kMaxConcatWidening = 16.0;

/// Reads a `tessera.range` attribute; emits an error naming the owner.
FailureOr<std::optional<Range>>
readRange(Attribute attr, function_ref<InFlightDiagnostic()> emitError) {
  if (!attr)
    return std::optional<Range>();
  auto array = dyn_cast<DenseF64ArrayAttr>(attr);
  if (!array || array.size() != 2)
    return emitError() << "expected '" << kRangeAttr
                       << "' to be array<f64: min, max> but got " << attr;
  double min = array[0], max = array[1];
  if (!std::isfinite(min) || !std::isfinite(max) || min > max)
    return emitError() << "expected '" << kRangeAttr
                       << "' to hold finite min <= max but got [" << min << ", "
                       << max << "]";
  return std::optional<Range>(Range{min, max});
}

/// The activations of one function, their ranges and classes.
class ActivationPlan {
public:
  ActivationPlan(func::FuncOp func, const QuantizeOptions &options, DType dtype,
                 const NodePrecision *precision = nullptr)
      : func(func), options(options), dtype(dtype), precision(precision) {}

  LogicalResult collect();
  /// collect() as if every op carried a range (rangedOps).
  void assumeEveryOpRanged() { assumeRanged = true; }
  /// The ops whose result collect() kept as an activation.
  llvm::SetVector<Operation *> quantizedOps() const {
    llvm::SetVector<Operation *> ops;
    for (auto &[value, range] : ranges)
      if (Operation *def = value.getDefiningOp();
          def && !constantUses.count(value))
        ops.insert(def);
    return ops;
  }
  void formClasses();
  void insertCasts();

private:
  void addCandidate(Value v, Range r) {
    ranges.insert({v, r});
    parent[v] = v;
  }
  Value find(Value v) {
    while (parent[v] != v)
      v = parent[v] = parent[parent[v]];
    return v;
  }
  void unite(Value a, Value b) { parent[find(a)] = find(b); }
  mq::UniformQuantizedType typeFor(Range r, DType dt);
  mq::UniformQuantizedType typeFor(QParams p, DType dt);
  /// Softmax's fixed output quantization (docs/quantization-passes.md).
  QParams softmaxQParams(DType dt) const;
  /// The dtype `v`'s node asks for (NodePrecision): a result's defining op,
  /// a constant's first data use; the default for arguments.
  DType requestedDtype(Value v);
  /// int16 activations are symmetric whatever the scheme (TOSA's int16 ops
  /// take zero point 0).
  bool symmetricFor(DType dt) const {
    return dt == DType::Int16 || options.symmetricActivations;
  }

  func::FuncOp func;
  const QuantizeOptions &options;
  DType dtype;
  const NodePrecision *precision;
  bool assumeRanged = false;
  /// Candidate activations in program order, with their observed range.
  llvm::MapVector<Value, Range> ranges;
  /// For constants, the uses that read them as data (others keep the float).
  llvm::DenseMap<Value, SmallVector<OpOperand *>> constantUses;
  llvm::DenseMap<Value, Value> parent;
  /// Results of a Softmax (not LogSoftmax): fixed quantization of [0, 1].
  llvm::SmallPtrSet<void *, 4> softmaxOutputs;
};

LogicalResult ActivationPlan::collect() {
  for (BlockArgument arg : func.getArguments()) {
    auto range =
        readRange(func.getArgAttr(arg.getArgNumber(), kRangeAttr), [&] {
          return func.emitOpError("argument #") << arg.getArgNumber() << ": ";
        });
    if (failed(range))
      return failure();
    if (*range && isFloatTensor(arg.getType()))
      addCandidate(arg, **range);
  }
  // One ONNX node's elementwise chain: only its output is quantized, and
  // its splat constants stay float (they become part of the table).
  llvm::DenseSet<Operation *> chainOps, chainInterior;
  for (const NodeChain &chain : findNodeChains(func))
    for (Operation *op : chain.ops) {
      chainOps.insert(op);
      if (op != chain.output)
        chainInterior.insert(op);
    }
  // A layer normalisation is quantized as one unit (FoldLayerNorm.cpp): its
  // interior values and constants (1/n, epsilon) stay float.
  llvm::DenseSet<Operation *> unitInterior;
  func.walk([&](Operation *op) {
    if (std::optional<LayerNormChain> ln = matchLayerNormChain(op))
      unitInterior.insert(ln->interior.begin(), ln->interior.end());
  });
  WalkResult walk = func.walk([&](Operation *op) {
    auto range = readRange(op->getDiscardableAttr(kRangeAttr),
                           [&] { return op->emitOpError(); });
    if (failed(range))
      return WalkResult::interrupt();
    if (assumeRanged && !*range && op->getNumResults() == 1 &&
        !op->hasTrait<OpTrait::ConstantLike>())
      *range = Range{0.0, 0.0};
    if (*range && op->getNumResults() == 1 &&
        isFloatTensor(op->getResult(0).getType()) &&
        !chainInterior.contains(op) && !unitInterior.contains(op))
      addCandidate(op->getResult(0), **range);
    if (chainOps.contains(op) || unitInterior.contains(op))
      return WalkResult::advance();
    for (unsigned i : dataOperands(op)) {
      OpOperand &use = op->getOpOperand(i);
      Value v = use.get();
      std::optional<SmallVector<double>> data = readFloatConstant(v);
      if (!data || data->empty())
        continue;
      // mul, sub, maximum or minimum with one repeated value is a function
      // of the other operand alone: the elementwise-chain fold makes it an
      // exact table. Any other constant factor (YOLO's anchor grid, a
      // per-channel scale) or bound is quantized and folded as a general
      // integer mul / maximum / minimum (a non-uniform subtrahend was
      // already rewritten to an addend).
      if (isa<tosa::MulOp, tosa::SubOp, tosa::MaximumOp, tosa::MinimumOp>(
              op) &&
          llvm::all_equal(llvm::ArrayRef<double>(*data)))
        continue;
      bool known = constantUses.count(v);
      if (ranges.count(v) && !known)
        continue; // the constant has its own range: all uses are quantized
      if (!known) {
        auto [lo, hi] = std::minmax_element(data->begin(), data->end());
        addCandidate(v, Range{*lo, *hi});
      }
      constantUses[v].push_back(&use);
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  // A clamp fused into its producer: the producer's result stays float.
  SmallVector<Value> fused;
  for (auto &[value, range] : ranges) {
    if (!isFusableProducer(value.getDefiningOp()) || !value.hasOneUse())
      continue;
    auto clamp = dyn_cast<tosa::ClampOp>(*value.getUsers().begin());
    if (clamp && ranges.count(clamp.getOutput()))
      fused.push_back(value);
  }
  for (Value v : fused) {
    ranges.erase(v);
    parent.erase(v);
  }

  // Softmax / LogSoftmax and a sum over several axes (ReduceSum, ReduceMean)
  // are quantized as one unit: their interior values stay float, so the
  // integer form rounds once (FoldSoftmax.cpp, FoldReduce.cpp).
  SmallVector<Value> interior;
  for (auto &[value, range] : ranges) {
    Operation *def = value.getDefiningOp();
    if (!def)
      continue;
    if (std::optional<SoftmaxChain> sm = matchSoftmaxChain(def)) {
      for (Operation *op : sm->interior)
        interior.push_back(op->getResult(0));
      if (!sm->log)
        softmaxOutputs.insert(value.getAsOpaquePointer());
    } else if (std::optional<ReduceSumChain> rs = matchReduceSumChain(def)) {
      for (Operation *op : rs->interior)
        interior.push_back(op->getResult(0));
    }
  }
  for (Value v : interior) {
    ranges.erase(v);
    parent.erase(v);
  }
  return success();
}

/// The width of the quantization grid a range gets: it is extended to
/// contain 0 before choosing a scale.
double quantSpan(Range r) { return std::max(r.max, 0.0) - std::min(r.min, 0.0); }

void ActivationPlan::formClasses() {
  // Ops that move values of one input (slice, reshape, transpose, pad,
  // max_pool2d, clamp) always share: their output range is (nearly) their
  // input's.
  func.walk([&](Operation *op) {
    if (!sharesQParams(op) || isa<tosa::ConcatOp>(op) ||
        op->getNumResults() != 1 || !ranges.count(op->getResult(0)))
      return;
    for (unsigned i : dataOperands(op))
      if (ranges.count(op->getOperand(i)))
        unite(op->getOperand(i), op->getResult(0));
  });
  // A concat joins each input's class to its own unless that would widen
  // the input class's grid more than kMaxConcatWidening times: the class may
  // hold values other ops read (YOLO's detect head concatenates a slice of
  // the sigmoid output, in [0, 1], with box coordinates up to ~1000; shared,
  // the sigmoid would quantize to 0 for the box decode too). Such an input
  // keeps its quantization and folding rescales it into the concat's.
  // A constant input (the border of a constant Pad, the zeros of a
  // count_include_pad average pool) always joins: it is data of the concat,
  // whose calibrated range holds its values, so it is quantized at the
  // concat's own scale and zero point (no rescale, one rounding) however
  // narrow its own range (one value: a degenerate grid).
  llvm::DenseMap<Value, Range> classRange;
  for (auto &[value, range] : ranges) {
    auto [it, inserted] = classRange.insert({find(value), range});
    if (!inserted)
      it->second = {std::min(it->second.min, range.min),
                    std::max(it->second.max, range.max)};
  }
  func.walk([&](tosa::ConcatOp concat) {
    Value out = concat.getResult();
    if (!ranges.count(out))
      return;
    for (Value in : concat.getOperands()) {
      if (!ranges.count(in) || find(in) == find(out))
        continue;
      Range a = classRange.lookup(find(in)), b = classRange.lookup(find(out));
      Range joined{std::min(a.min, b.min), std::max(a.max, b.max)};
      if (!constantUses.count(in) &&
          quantSpan(joined) > kMaxConcatWidening * quantSpan(a))
        continue;
      unite(in, out);
      classRange[find(out)] = joined;
    }
  });
}

mq::UniformQuantizedType ActivationPlan::typeFor(Range r, DType dt) {
  QParams p = chooseQParams(r.min, r.max, dt, symmetricFor(dt));
  if (options.powerOfTwoScale)
    p.scale = powerOfTwoScale(p.scale); // symmetric: the zero point stays
  return typeFor(p, dt);
}

QParams ActivationPlan::softmaxQParams(DType dt) const {
  // [0, 1] in steps of a power of two, as TFLite's int8 softmax (scale 1/256,
  // zero point -128): 1.0 itself saturates one step below. Symmetric schemes
  // keep their zero point (0 for int8, 128 for uint8) and use 1/128; int16
  // uses 1/32768 (TFLite's int16 softmax output scale).
  if (dt == DType::Int16)
    return {1.0 / 32768, 0};
  if (options.symmetricActivations)
    return {1.0 / 128, dtypeInfo(dt).isSigned ? 0 : 128};
  return {1.0 / 256, quantMin(dt, /*symmetric=*/false)};
}

mq::UniformQuantizedType ActivationPlan::typeFor(QParams p, DType dt) {
  bool symmetric = symmetricFor(dt);
  int64_t qmin = quantMin(dt, symmetric);
  int64_t qmax = quantMax(dt, symmetric);
  // uint8 (s, z) computes exactly like int8 (s, z - 128) on the same bytes
  // XOR 0x80; TOSA 1.0 integer ops take int8. int16 is stored as i16.
  int64_t shift = dtypeInfo(dt).isSigned ? 0 : 128;
  MLIRContext *ctx = func.getContext();
  return mq::UniformQuantizedType::get(
      mq::QuantizationFlags::Signed,
      IntegerType::get(ctx, dt == DType::Int16 ? 16 : 8),
      Float32Type::get(ctx), p.scale, p.zeroPoint - shift, qmin - shift,
      qmax - shift);
}

DType ActivationPlan::requestedDtype(Value v) {
  if (!precision)
    return dtype;
  if (Operation *def = v.getDefiningOp()) {
    if (!def->hasTrait<OpTrait::ConstantLike>())
      return precision->activation(def);
    auto uses = constantUses.find(v);
    if (uses != constantUses.end() && !uses->second.empty())
      return precision->activation(uses->second.front()->getOwner());
  }
  return precision->defaultActivation;
}

void ActivationPlan::insertCasts() {
  // One range per class: the union of its members' ranges.
  llvm::DenseMap<Value, Range> classRange;
  for (auto &[value, range] : ranges) {
    Value root = find(value);
    auto [it, inserted] = classRange.insert({root, range});
    if (!inserted) {
      it->second.min = std::min(it->second.min, range.min);
      it->second.max = std::max(it->second.max, range.max);
    }
  }

  OpBuilder b(func.getContext());
  Operation *lastArgCast = nullptr; // keeps argument casts in argument order
  llvm::DenseSet<Value> softmaxClasses;
  for (auto &[value, range] : ranges)
    if (softmaxOutputs.count(value.getAsOpaquePointer()))
      softmaxClasses.insert(find(value));
  // Raw pixels (--embed-preprocessing): scale 1 and the uint8 zero point 0
  // on every target, so the pixel byte is the quantized value.
  llvm::DenseSet<Value> pixelClasses;
  for (BlockArgument arg : func.getArguments())
    if (ranges.count(arg) && func.getArgAttr(arg.getArgNumber(), kPixelsAttr))
      pixelClasses.insert(find(arg));
  // A class is int16 if any member's node asks for int16 (NodePrecision).
  llvm::DenseMap<Value, DType> classDtype;
  for (auto &[value, range] : ranges) {
    DType want = requestedDtype(value);
    auto [it, inserted] = classDtype.insert({find(value), want});
    if (!inserted && want == DType::Int16)
      it->second = DType::Int16;
  }
  MLIRContext *ctx = func.getContext();
  auto pixelType = mq::UniformQuantizedType::get(
      mq::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
      Float32Type::get(ctx), 1.0, -128, -128, 127);
  for (auto &[value, range] : ranges) {
    Value root = find(value);
    DType dt = classDtype.lookup(root);
    mq::UniformQuantizedType qtype =
        pixelClasses.count(root)     ? pixelType
        : softmaxClasses.count(root) ? typeFor(softmaxQParams(dt), dt)
                                     : typeFor(classRange.lookup(root), dt);
    auto arg = dyn_cast<BlockArgument>(value);
    if (arg && lastArgCast)
      b.setInsertionPointAfter(lastArgCast);
    else if (arg)
      b.setInsertionPointToStart(arg.getOwner());
    else
      b.setInsertionPointAfterValue(value);
    Location loc = value.getLoc();
    auto qcast = mq::QuantizeCastOp::create(
        b, loc, withElementType(value.getType(), qtype), value);
    auto dcast = mq::DequantizeCastOp::create(b, loc, value.getType(), qcast);
    if (arg)
      lastArgCast = dcast;
    auto uses = constantUses.find(value);
    if (uses == constantUses.end()) {
      value.replaceAllUsesExcept(dcast, qcast);
      continue;
    }
    for (OpOperand *use : uses->second)
      use->set(dcast);
  }

  // Record the external dtype where an activation crosses the boundary
  // (pixels are uint8 on every target: the runtime's XOR 0x80 on load).
  for (BlockArgument arg : func.getArguments())
    if (ranges.count(arg) && pixelClasses.count(find(arg)))
      func.setArgAttr(arg.getArgNumber(), kIoDtypeAttr,
                      b.getStringAttr("uint8"));
  if (dtypeInfo(dtype).isSigned)
    return;
  StringAttr uint8 = b.getStringAttr(dtypeName(dtype));
  for (BlockArgument arg : func.getArguments())
    if (ranges.count(arg) && classDtype.lookup(find(arg)) == dtype)
      func.setArgAttr(arg.getArgNumber(), kIoDtypeAttr, uint8);
  func.walk([&](func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands())
      if (auto dcast = operand.get().getDefiningOp<mq::DequantizeCastOp>())
        if (getQuantElementType(dcast.getInput().getType())
                .getStorageTypeIntegralWidth() == 8)
          func.setResultAttr(operand.getOperandNumber(), kIoDtypeAttr, uint8);
  });
}

/// x - c for a float constant c with more than one distinct value becomes
/// x + (-c): the integer level has an add (FoldAdd, npu.add) and -c is
/// quantized over its own values like any constant addend. (A uniform c
/// stays: the elementwise-chain fold makes x - c an exact table.)
void negateConstantSubtrahends(func::FuncOp func) {
  SmallVector<tosa::SubOp> subs;
  func.walk([&](tosa::SubOp sub) { subs.push_back(sub); });
  for (tosa::SubOp sub : subs) {
    auto type = dyn_cast<RankedTensorType>(sub.getInput2().getType());
    std::optional<SmallVector<double>> c = readFloatConstant(sub.getInput2());
    if (!type || !isFloatTensor(sub.getType()) || !c || c->empty() ||
        llvm::all_equal(llvm::ArrayRef<double>(*c)))
      continue;
    auto elem = cast<FloatType>(type.getElementType());
    SmallVector<APFloat> negated;
    for (double v : *c) {
      APFloat f(-v);
      bool lost;
      f.convert(elem.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      negated.push_back(f); // exact: c came from `elem`, negation is exact
    }
    OpBuilder b(sub);
    Value neg = tosa::ConstOp::create(b, sub.getInput2().getLoc(), type,
                                      DenseElementsAttr::get(type, negated));
    auto add = tosa::AddOp::create(b, sub.getLoc(), sub.getType(),
                                   sub.getInput1(), neg);
    add->setDiscardableAttrs(sub->getDiscardableAttrDictionary());
    sub.replaceAllUsesWith(add.getResult());
    sub.erase();
  }
}

} // namespace

llvm::SetVector<Operation *> rangedOps(func::FuncOp func) {
  QuantizeOptions options;
  ActivationPlan plan(func, options, DType::Int8);
  plan.assumeEveryOpRanged();
  if (failed(plan.collect()))
    return {};
  llvm::SetVector<Operation *> ops = plan.quantizedOps();
  // rewriteTensorDivisions (run by --tessera-quantize before the plan)
  // reads the range of a division by a tensor and of its divisor.
  func.walk([&](arith::DivFOp div) {
    if (!isFloatTensor(div.getType()) || readFloatConstant(div.getRhs()))
      return;
    ops.insert(div);
    if (Operation *d = div.getRhs().getDefiningOp())
      ops.insert(d);
  });
  return ops;
}

LogicalResult quantizeActivations(func::FuncOp func,
                                  const QuantizeOptions &options,
                                  const NodePrecision *precision) {
  std::optional<DType> dtype = parseDType(options.activationDtype);
  if (!dtype ||
      (*dtype != DType::Int8 && *dtype != DType::UInt8 &&
       *dtype != DType::Int16))
    return func.emitError()
           << "unsupported activation-dtype '" << options.activationDtype
           << "' (expected int8, uint8 or int16)";
  negateConstantSubtrahends(func);
  ActivationPlan plan(func, options, *dtype, precision);
  if (failed(plan.collect()))
    return failure();
  plan.formClasses();
  plan.insertCasts();

  // The ranges now live in the types; calibration data does not flow on.
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.removeArgAttr(i, kRangeAttr);
  func.walk([](Operation *op) { op->removeDiscardableAttr(kRangeAttr); });
  return success();
}

} // namespace tessera::quant
