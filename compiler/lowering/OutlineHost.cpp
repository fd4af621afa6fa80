//===- OutlineHost.cpp - Host segments out of the NPU function -------------===//
//
// The int-level contract (docs/lowering.md, "Host segments"): an op that
// runs on the host CPU stays a float TOSA op with `tessera.device = "cpu"`,
// and so do the quant.scast/dcast/qcast ops between it and the integer
// tensors of the NPU. The block is first reordered (gatherHostRuns) so that
// host ops that can share a segment are consecutive; each run then becomes
// a private func.func @host_segment_N (integer tensors in and out, the
// boundaries inside) called by one npu.host_call. A run is contiguous and
// convex, so its inputs are all defined before it and its results used
// after it: the call can replace it in place.
//
// Work estimate (per op of the segment, constants excluded): FLOPs are
// 2 x output elements x (kh*kw*ic/groups) for a convolution, 2 x M x N x K
// for a matmul, 0 for quant.scast (a reinterpretation) and one per output
// element for every other op; bytes are every op's operand bytes read plus
// its result bytes written (quantized values at their storage width).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"
#include "dialects/npu/NpuDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace tessera::lowering {

static bool onHost(Operation *op) {
  auto a = op->getAttrOfType<StringAttr>(kDeviceAttr);
  return a && a.getValue() == "cpu";
}

bool isHostSegment(func::FuncOp f) {
  return f->hasAttr(kHostSegmentAttr);
}

static uint64_t elements(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape() ? uint64_t(r.getNumElements()) : 0;
}

static uint64_t bytesOf(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  if (!r || !r.hasStaticShape())
    return 0;
  Type e = r.getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(e))
    e = q.getStorageType();
  unsigned bits = e.getIntOrFloatBitWidth();
  return uint64_t(r.getNumElements()) * ((bits + 7) / 8);
}

static uint64_t opFlops(Operation *op) {
  if (isa<quant::StorageCastOp>(op) || op->getNumResults() == 0)
    return 0;
  uint64_t out = elements(op->getResult(0).getType());
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op)) {
    auto w = cast<RankedTensorType>(op->getOperand(1).getType());
    // tosa.conv2d weights [OC, KH, KW, IC]; depthwise [KH, KW, C, M].
    uint64_t k = isa<tosa::Conv2DOp>(op)
                     ? uint64_t(w.getDimSize(1)) * w.getDimSize(2) *
                           w.getDimSize(3)
                     : uint64_t(w.getDimSize(0)) * w.getDimSize(1);
    return 2 * out * k;
  }
  if (isa<tosa::MatMulOp>(op)) {
    auto a = cast<RankedTensorType>(op->getOperand(0).getType());
    return 2 * out * uint64_t(a.getDimSize(a.getRank() - 1));
  }
  return out;
}

static std::string nodeName(Operation *op) {
  std::string n = onnxNodeName(op);
  return n;
}

/// Reorders `body` (pure ops only: TOSA, quant) so that host ops that can
/// share a segment are consecutive: constants go first; then, while a run
/// of host ops is open, a later NPU op that does not depend on the run
/// moves before it, one that does stays after it ("deferred"), and a later
/// host op joins the run (moved right after its last op) unless it depends
/// on a deferred op, which closes the run. Each run is then contiguous and
/// convex: its inputs are defined before it, its results used after it.
static void gatherHostRuns(Block &body) {
  llvm::SmallVector<Operation *> all;
  for (Operation &op : body.without_terminator())
    all.push_back(&op);
  Operation *first = all.empty() ? nullptr : all.front();
  for (Operation *op : all) // no operands: legal anywhere before their uses
    if (op->hasTrait<OpTrait::ConstantLike>() && op != first)
      op->moveBefore(first);
  Operation *runStart = nullptr, *runLast = nullptr;
  llvm::SmallPtrSet<Operation *, 32> tainted, deferred;
  auto dependsOn = [](Operation *op,
                      const llvm::SmallPtrSetImpl<Operation *> &set) {
    return llvm::any_of(op->getOperands(), [&](Value v) {
      Operation *d = v.getDefiningOp();
      return d && set.contains(d);
    });
  };
  for (Operation *op : all) {
    if (op->hasTrait<OpTrait::ConstantLike>())
      continue;
    if (onHost(op)) {
      if (runStart && !dependsOn(op, deferred)) {
        op->moveAfter(runLast);
        runLast = op;
        tainted.insert(op);
        continue;
      }
      runStart = runLast = op; // a new run
      tainted.clear();
      deferred.clear();
      tainted.insert(op);
      continue;
    }
    if (!runStart)
      continue;
    if (dependsOn(op, tainted)) {
      deferred.insert(op);
      tainted.insert(op);
    } else {
      op->moveBefore(runStart);
    }
  }
}

LogicalResult outlineHostSegments(func::FuncOp func, unsigned &counter) {
  Block &body = func.getBody().front();
  if (llvm::none_of(body, [](Operation &op) { return onHost(&op); }))
    return success();
  gatherHostRuns(body);
  // Runs of host ops in program order.
  std::vector<std::vector<Operation *>> runs;
  std::vector<Operation *> current;
  for (Operation &op : body) {
    if (onHost(&op)) {
      current.push_back(&op);
    } else if (!op.hasTrait<OpTrait::ConstantLike>() && !current.empty()) {
      runs.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty())
    runs.push_back(std::move(current));

  auto module = func->getParentOfType<ModuleOp>();
  SymbolTable symbols(module);
  for (std::vector<Operation *> &run : runs) {
    llvm::SmallPtrSet<Operation *, 16> inRun(run.begin(), run.end());
    llvm::SetVector<Value> inputs;
    llvm::SetVector<Operation *> constants;
    llvm::SetVector<Value> outputs;
    for (Operation *op : run) {
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def && inRun.contains(def))
          continue;
        if (def && def->hasTrait<OpTrait::ConstantLike>()) {
          constants.insert(def);
          continue;
        }
        inputs.insert(v);
      }
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(),
                         [&](Operation *u) { return !inRun.contains(u); }))
          outputs.insert(r);
    }
    llvm::SmallVector<Value> boundary(inputs.begin(), inputs.end());
    boundary.append(outputs.begin(), outputs.end());
    for (Value v : boundary) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (!t || !t.hasStaticShape() || !isa<IntegerType>(t.getElementType())) {
        Operation *at = v.getDefiningOp() ? v.getDefiningOp() : run.front();
        return at->emitError()
               << "host segment boundary value of type " << v.getType()
               << " is not a static integer tensor (each value crossing "
                  "between NPU and host must pass quant.scast/dcast/qcast)";
      }
    }
    if (outputs.empty()) // nothing the NPU or the caller needs
      continue;

    // The segment function.
    OpBuilder b(module.getContext());
    b.setInsertionPointToEnd(module.getBody());
    std::string name = "host_segment_" + std::to_string(counter++);
    while (symbols.lookup(name))
      name = "host_segment_" + std::to_string(counter++);
    auto fnType = b.getFunctionType(
        llvm::to_vector(llvm::map_range(inputs, [](Value v) { return v.getType(); })),
        llvm::to_vector(llvm::map_range(outputs, [](Value v) { return v.getType(); })));
    auto fn = func::FuncOp::create(b, run.front()->getLoc(), name, fnType);
    fn.setPrivate();
    fn->setAttr(kHostSegmentAttr, b.getUnitAttr());
    symbols.insert(fn);
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    for (auto [v, arg] : llvm::zip(inputs, entry->getArguments()))
      map.map(v, arg);
    for (Operation *c : constants)
      b.clone(*c, map);
    uint64_t flops = 0, bytes = 0;
    llvm::SmallVector<Attribute> nodes;
    llvm::StringSet<> seen;
    for (Operation *op : run) {
      b.clone(*op, map);
      flops += opFlops(op);
      for (Value v : op->getOperands())
        bytes += bytesOf(v.getType());
      for (Value v : op->getResults())
        bytes += bytesOf(v.getType());
      std::string n = nodeName(op);
      if (!n.empty() && seen.insert(n).second)
        nodes.push_back(b.getStringAttr(n));
    }
    func::ReturnOp::create(
        b, run.back()->getLoc(),
        llvm::to_vector(llvm::map_range(
            outputs, [&](Value v) { return map.lookup(v); })));

    // The call, after the run's last op.
    b.setInsertionPointAfter(run.back());
    auto call = npu::HostCallOp::create(
        b, run.back()->getLoc(), fnType.getResults(),
        SymbolRefAttr::get(fn), inputs.getArrayRef(),
        b.getI64IntegerAttr(int64_t(flops)), b.getI64IntegerAttr(int64_t(bytes)),
        b.getArrayAttr(nodes), b.getI64IntegerAttr(0));
    std::string label;
    for (Attribute n : nodes)
      label += (label.empty() ? "" : ",") + cast<StringAttr>(n).str();
    if (label.empty())
      label = name;
    call->setAttr(kNodeAttr, b.getStringAttr(label));
    call->setAttr(kOpTypeAttr, b.getStringAttr("Host"));
    for (auto [i, v] : llvm::enumerate(outputs))
      Value(v).replaceAllUsesWith(call.getResult(i));
    for (Operation *op : llvm::reverse(run)) {
      op->dropAllUses();
      op->erase();
    }
    for (Operation *c : constants)
      if (c->use_empty())
        c->erase();
  }
  return success();
}

} // namespace tessera::lowering
