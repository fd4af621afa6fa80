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
//  - shared quantization: concat inputs and output, and the input and output
//    of max_pool2d, reshape, transpose, slice, pad and a stand-alone clamp
//    form one class
//    whose range is the union of its members' ranges (TFLite's "same scale"
//    constraint); the integer op then needs no requantization.
//  - qparams: core/quant chooseQParams(min, max, dtype, symmetric); uint8 is
//    stored as i8 with zero point - 128 (bit-identical arithmetic).
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "llvm/ADT/MapVector.h"
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
          tosa::SubOp, tosa::MulOp>(op))
    return {0, 1};
  if (isa<tosa::ConcatOp>(op))
    return llvm::to_vector(llvm::seq<unsigned>(0, op->getNumOperands()));
  if (isa<tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ReshapeOp,
          tosa::TransposeOp, tosa::SliceOp, tosa::PadOp, tosa::ClampOp>(op))
    return {0};
  return {};
}

/// Ops whose output must use the quantization of their data inputs.
bool sharesQParams(Operation *op) {
  return isa<tosa::ConcatOp, tosa::MaxPool2dOp, tosa::ReshapeOp,
             tosa::TransposeOp, tosa::SliceOp, tosa::PadOp, tosa::ClampOp>(op);
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
  ActivationPlan(func::FuncOp func, const QuantizeOptions &options, DType dtype)
      : func(func), options(options), dtype(dtype) {}

  LogicalResult collect();
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
  mq::UniformQuantizedType typeFor(Range r);

  func::FuncOp func;
  const QuantizeOptions &options;
  DType dtype;
  /// Candidate activations in program order, with their observed range.
  llvm::MapVector<Value, Range> ranges;
  /// For constants, the uses that read them as data (others keep the float).
  llvm::DenseMap<Value, SmallVector<OpOperand *>> constantUses;
  llvm::DenseMap<Value, Value> parent;
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
  WalkResult walk = func.walk([&](Operation *op) {
    auto range = readRange(op->getDiscardableAttr(kRangeAttr),
                           [&] { return op->emitOpError(); });
    if (failed(range))
      return WalkResult::interrupt();
    if (*range && op->getNumResults() == 1 &&
        isFloatTensor(op->getResult(0).getType()))
      addCandidate(op->getResult(0), **range);
    for (unsigned i : dataOperands(op)) {
      OpOperand &use = op->getOpOperand(i);
      Value v = use.get();
      std::optional<SmallVector<double>> data = readFloatConstant(v);
      if (!data || data->empty())
        continue;
      // A mul by one value (a splat) stays float: FoldElementwiseChain makes
      // x * c a table, exact for the constant. Any other constant factor (a
      // per-channel scale, a stand-alone BatchNormalization's) is quantized.
      if (isa<tosa::MulOp>(op) &&
          llvm::all_of(*data, [&](double d) { return d == data->front(); }))
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
  return success();
}

void ActivationPlan::formClasses() {
  func.walk([&](Operation *op) {
    if (!sharesQParams(op) || op->getNumResults() != 1 ||
        !ranges.count(op->getResult(0)))
      return;
    for (unsigned i : dataOperands(op))
      if (ranges.count(op->getOperand(i)))
        unite(op->getOperand(i), op->getResult(0));
  });
}

mq::UniformQuantizedType ActivationPlan::typeFor(Range r) {
  bool symmetric = options.symmetricActivations;
  QParams p = chooseQParams(r.min, r.max, dtype, symmetric);
  int64_t qmin = quantMin(dtype, symmetric);
  int64_t qmax = quantMax(dtype, symmetric);
  // uint8 (s, z) computes exactly like int8 (s, z - 128) on the same bytes
  // XOR 0x80; TOSA 1.0 integer ops take int8.
  int64_t shift = dtypeInfo(dtype).isSigned ? 0 : 128;
  MLIRContext *ctx = func.getContext();
  return mq::UniformQuantizedType::get(
      mq::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
      Float32Type::get(ctx), p.scale, p.zeroPoint - shift, qmin - shift,
      qmax - shift);
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
  for (auto &[value, range] : ranges) {
    mq::UniformQuantizedType qtype = typeFor(classRange.lookup(find(value)));
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

  // Record the external dtype where an activation crosses the boundary.
  if (dtypeInfo(dtype).isSigned)
    return;
  StringAttr uint8 = b.getStringAttr(dtypeName(dtype));
  for (BlockArgument arg : func.getArguments())
    if (ranges.count(arg))
      func.setArgAttr(arg.getArgNumber(), kIoDtypeAttr, uint8);
  func.walk([&](func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands())
      if (operand.get().getDefiningOp<mq::DequantizeCastOp>())
        func.setResultAttr(operand.getOperandNumber(), kIoDtypeAttr, uint8);
  });
}

} // namespace

LogicalResult quantizeActivations(func::FuncOp func,
                                  const QuantizeOptions &options) {
  std::optional<DType> dtype = parseDType(options.activationDtype);
  if (!dtype || (*dtype != DType::Int8 && *dtype != DType::UInt8))
    return func.emitError()
           << "unsupported activation-dtype '" << options.activationDtype
           << "' (expected int8 or uint8)";
  ActivationPlan plan(func, options, *dtype);
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
