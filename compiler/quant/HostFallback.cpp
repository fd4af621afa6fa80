//===- HostFallback.cpp - Ops that run in float on the host CPU -----------===//
//
// An op the integer level cannot express (or one the user pins with
// --float-nodes) stays a float TOSA op marked `tessera.device = "cpu"`:
//
//   %s = quant.scast %i8   {tessera.device = "cpu"}   iN -> !quant.uniform
//   %d = quant.dcast %s    {tessera.device = "cpu"}   -> f32
//   %r = tosa.foo %d       {tessera.device = "cpu"}   float, on the host
//   %q = quant.qcast %r    {tessera.device = "cpu"}   -> the calibrated type
//   %o = quant.scast %q    {tessera.device = "cpu"}   -> iN, read by the NPU
//
// Consumers of %o fold as from any integer producer, so one unsupported op
// costs one host op. Host ops feeding host ops connect in f32. See
// docs/quantization-passes.md, "Host fallback".
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/GlobPattern.h"

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::quant {
namespace {

void markHost(Operation *op) {
  op->setAttr(kDeviceAttr, StringAttr::get(op->getContext(), kHostDevice));
}

bool isQuantCast(Operation *op) {
  return isa<mq::QuantizeCastOp, mq::DequantizeCastOp, mq::StorageCastOp>(op);
}

/// Ops that never run anywhere themselves: casts, constants, the terminator.
bool isStructural(Operation *op) {
  return isQuantCast(op) ||
         isa<tosa::ConstOp, tosa::ConstShapeOp, func::ReturnOp, func::FuncOp>(
             op) ||
         op->hasTrait<OpTrait::ConstantLike>();
}

bool isFloatOrQuant(Type type) {
  Type element = getElementTypeOrSelf(type);
  return isa<FloatType, mq::QuantizedType>(element);
}

bool computesOnFloat(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isFloatOrQuant) ||
         llvm::any_of(op->getResultTypes(), isFloatOrQuant);
}

/// A pattern that leaves host ops alone: it neither rewrites a host op nor
/// an op whose result a host op reads directly (a fused activation rewrite
/// would erase it).
class SkipHostOps : public RewritePattern {
public:
  static std::unique_ptr<RewritePattern>
  wrap(std::unique_ptr<RewritePattern> inner) {
    if (inner->getRootInterfaceID() || inner->getRootTraitID())
      return inner; // none of the fold patterns; left as is
    if (std::optional<OperationName> root = inner->getRootKind())
      return std::unique_ptr<RewritePattern>(
          new SkipHostOps(root->getStringRef(), std::move(inner)));
    return std::unique_ptr<RewritePattern>(
        new SkipHostOps(MatchAnyOpTypeTag(), std::move(inner)));
  }

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (isHostOp(op))
      return rewriter.notifyMatchFailure(op, "it runs on the host");
    for (Operation *user : op->getUsers())
      if (isHostOp(user) && !isQuantCast(user))
        return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
          diag << "its result is read in float by host node '"
               << nodeName(user) << "'";
        });
    return inner->matchAndRewrite(op, rewriter);
  }

private:
  SkipHostOps(StringRef root, std::unique_ptr<RewritePattern> inner)
      : RewritePattern(root, inner->getBenefit(), inner->getContext()),
        inner(std::move(inner)) {
    setDebugName(this->inner->getDebugName());
  }
  SkipHostOps(MatchAnyOpTypeTag tag, std::unique_ptr<RewritePattern> inner)
      : RewritePattern(tag, inner->getBenefit(), inner->getContext()),
        inner(std::move(inner)) {
    setDebugName(this->inner->getDebugName());
  }

  std::unique_ptr<RewritePattern> inner;
};

/// The reason recorded for `op`'s location that is its own (not "an input
/// was not folded"), or "".
std::string ownReason(Operation *op, const UnfoldedReasons &reasons) {
  auto it = reasons.reasons.find(op->getLoc());
  if (it == reasons.reasons.end())
    return "";
  for (const std::string &r : it->second)
    if (!llvm::StringRef(r).contains(kProducerNotFolded) &&
        r != "it runs on the host")
      return r;
  return "";
}

/// True if `v` (a float operand) can be read by a host op: an integer value
/// through quant.dcast, a float constant, or a host op's float result.
bool readableOnHost(Value v) {
  if (!isFloatOrQuant(v.getType()))
    return true;
  if (!isFloatTensor(v.getType()))
    return false;
  Operation *def = v.getDefiningOp();
  if (!def)
    return false; // a float argument nothing quantizes
  if (auto dcast = dyn_cast<mq::DequantizeCastOp>(def))
    return hasIntegerForm(dcast.getInput());
  if (isa<tosa::ConstOp>(def))
    return true;
  return isHostOp(def) && !isQuantCast(def);
}

/// Gives each quant.qcast of `op`'s results an integer form:
/// qcast -> scast to the storage type (both host ops) -> scast back, which
/// the consumers read.
void quantizeHostResults(Operation *op) {
  for (Value result : op->getResults())
    for (Operation *user : llvm::to_vector(result.getUsers())) {
      auto qcast = dyn_cast<mq::QuantizeCastOp>(user);
      if (!qcast || isHostOp(qcast))
        continue;
      mq::QuantizedType type = getQuantElementType(qcast.getType());
      if (!type)
        continue;
      markHost(qcast);
      OpBuilder b(qcast->getContext());
      b.setInsertionPointAfter(qcast);
      auto toInt = mq::StorageCastOp::create(
          b, qcast.getLoc(),
          withElementType(qcast.getType(), type.getStorageType()), qcast);
      markHost(toInt);
      auto back = mq::StorageCastOp::create(b, qcast.getLoc(),
                                            qcast.getType(), toInt);
      qcast.getResult().replaceAllUsesExcept(back.getResult(),
                                             toInt.getOperation());
    }
}

/// quantizeHostResults on every host op of `func` (walked, never taken from
/// a map of ops a rewrite might have erased).
void quantizeAllHostResults(func::FuncOp func) {
  SmallVector<Operation *> hostOps;
  func.walk([&](Operation *op) {
    if (isHostOp(op) && !isQuantCast(op))
      hostOps.push_back(op);
  });
  for (Operation *op : hostOps)
    quantizeHostResults(op);
}

} // namespace

void skipHostOps(RewritePatternSet &patterns) {
  for (std::unique_ptr<RewritePattern> &p : patterns.getNativePatterns())
    p = SkipHostOps::wrap(std::move(p));
}

LogicalResult pinFloatNodes(func::FuncOp func, ArrayRef<std::string> globs,
                            HostReasons &hostReasons) {
  bool ok = true;
  // Ops a caller sent to the host with its reason (the driver, for nodes
  // that fold but have no NPU lowering): pinned like --float-nodes.
  func.walk([&](Operation *op) {
    auto reason = op->getAttrOfType<StringAttr>(kHostReasonAttr);
    if (!reason)
      return;
    op->removeAttr(kHostReasonAttr);
    if (isStructural(op) || !computesOnFloat(op) || isHostOp(op))
      return;
    markHost(op);
    hostReasons[op] = reason.str();
  });
  for (const std::string &text : globs) {
    llvm::Expected<llvm::GlobPattern> glob = llvm::GlobPattern::create(text);
    if (!glob) {
      func.emitError() << "float-nodes pattern '" << text
                       << "' is invalid: " << llvm::toString(glob.takeError());
      ok = false;
      continue;
    }
    bool matched = false;
    func.walk([&](Operation *op) {
      if (isStructural(op) || !computesOnFloat(op))
        return;
      std::string name = nodeName(op);
      if (name.empty() || !glob->match(name))
        return;
      matched = true;
      if (isHostOp(op))
        return;
      markHost(op);
      hostReasons[op] = text == name ? "pinned by --float-nodes"
                                     : "pinned by --float-nodes pattern '" +
                                           text + "'";
    });
    if (!matched) {
      func.emitError() << "float-nodes pattern '" << text
                       << "' matches no ONNX node";
      ok = false;
    }
  }
  quantizeAllHostResults(func);
  return success(ok);
}

unsigned fallBackToHost(func::FuncOp func, const UnfoldedReasons &reasons,
                        HostReasons &hostReasons, bool automatic) {
  unsigned marked = 0;
  // Program order: a producer is decided before its consumers, so chains of
  // float edges (a Softmax's interior, a pinned conv's fused Relu) fall
  // back in one round.
  func.walk([&](Operation *op) {
    if (isStructural(op) || isHostOp(op) || !computesOnFloat(op))
      return;
    if (!llvm::all_of(op->getOperands(), readableOnHost))
      return;
    Operation *hostProducer = nullptr;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp();
          def && isHostOp(def) && !isQuantCast(def))
        hostProducer = def;
    if (!automatic && !hostProducer)
      return;
    // A float result returned as is has no quantization to give the NPU.
    for (Value r : op->getResults()) {
      if (!isFloatTensor(r.getType()))
        return;
      for (Operation *user : r.getUsers())
        if (isa<func::ReturnOp>(user))
          return;
    }
    // An input that is a host op's float result has no quantization (a
    // fused activation, a multi-op unit's interior): that is the reason.
    std::string reason =
        hostProducer ? "an input is the unquantized float result of host "
                       "node '" +
                           nodeName(hostProducer) + "'"
                     : ownReason(op, reasons);
    if (reason.empty())
      reason = "no integer lowering for this op";
    markHost(op);
    hostReasons[op] = reason;
    ++marked;
  });
  quantizeAllHostResults(func);
  return marked;
}

void finalizeHostBoundaries(func::FuncOp func) {
  SmallVector<Operation *> hostOps;
  func.walk([&](Operation *op) {
    if (isHostOp(op) && !isQuantCast(op))
      hostOps.push_back(op);
  });
  for (Operation *op : hostOps) {
    for (OpOperand &operand : op->getOpOperands()) {
      auto dcast = operand.get().getDefiningOp<mq::DequantizeCastOp>();
      if (!dcast)
        continue;
      Value quant = dcast.getInput();
      // Another host op's result, quantized for the NPU: read in f32.
      //   dcast(scast(scast(qcast(host result)))) or dcast(qcast(...)).
      Value source = quant;
      if (auto back = source.getDefiningOp<mq::StorageCastOp>())
        if (auto toInt = back.getInput().getDefiningOp<mq::StorageCastOp>())
          source = toInt.getInput();
      if (auto qcast = source.getDefiningOp<mq::QuantizeCastOp>()) {
        Operation *def = qcast.getInput().getDefiningOp();
        if ((def && isHostOp(def) && !isQuantCast(def)) ||
            (def && isa<tosa::ConstOp>(def))) {
          // A host result, or a float constant (stays float on the host).
          operand.set(qcast.getInput());
          continue;
        }
      }
      // An integer value: a fresh scast + dcast pair owned by this op, at
      // its location (its node's, not the producer's: the host segment and
      // its report row are named after the nodes of their ops).
      auto scast = quant.getDefiningOp<mq::StorageCastOp>();
      if (!scast ||
          !isa<IntegerType>(getElementTypeOrSelf(scast.getInput().getType())))
        continue;
      OpBuilder b(op);
      auto in = mq::StorageCastOp::create(b, op->getLoc(), quant.getType(),
                                          scast.getInput());
      markHost(in);
      auto deq = mq::DequantizeCastOp::create(b, op->getLoc(),
                                              dcast.getType(), in);
      markHost(deq);
      operand.set(deq.getResult());
    }
  }
}

LogicalResult reportHostNodes(func::FuncOp func, const HostReasons &hostReasons,
                              bool asErrors) {
  // One line per node, in program order: its ops and the first reason.
  struct Node {
    Operation *first = nullptr;
    llvm::SetVector<llvm::StringRef> ops;
    std::string reason;
  };
  llvm::MapVector<std::string, Node, llvm::StringMap<unsigned>> nodes;
  func.walk([&](Operation *op) {
    auto it = hostReasons.find(op);
    if (it == hostReasons.end() || !isHostOp(op))
      return;
    std::string name = nodeName(op);
    Node &node = nodes[name.empty() ? "<unnamed>" : name];
    if (!node.first) {
      node.first = op;
      node.reason = it->second;
    }
    node.ops.insert(op->getName().getStringRef());
  });
  for (auto &[name, node] : nodes) {
    std::string ops = llvm::join(node.ops.getArrayRef(), ", ");
    if (asErrors)
      node.first->emitError() << "node '" << name << "' (" << ops
                              << ") cannot be folded to integer and host "
                                 "fallback is disabled: "
                              << node.reason;
    else
      node.first->emitRemark() << "node '" << name << "' (" << ops
                               << ") runs on the host: " << node.reason;
  }
  return success(!asErrors || nodes.empty());
}

} // namespace tessera::quant
