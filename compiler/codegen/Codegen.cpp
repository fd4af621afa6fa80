//===- Codegen.cpp - npu dialect -> NPU program ---------------------------===//
//
// Steps, in order (docs/lowering.md, "Code generation"):
//   1. constants: per layer, weights (OHWI), int32 bias and int32
//      (multiplier, shift) pairs go into the constant image;
//   2. views: every tensor is a strided view {buffer, offset, row pitch} of
//      an arena buffer; concat inputs are placed into slices of the concat's
//      buffer (producers store straight into them), reshapes alias;
//   3. allocation: buffers get arena offsets first-fit by live range;
//   4. emission: per layer and tile, LOAD / CONV|POOL|ELTWISE / STORE through
//      the TokenScheduler, which adds every dependency token;
//   5. descriptors and the layer table.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/Codegen.h"

#include "compiler/codegen/TokenScheduler.h"
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/NpuGeometry.h"
#include "compiler/lowering/Passes.h"
#include "compiler/lowering/TilePlan.h"
#include "core/support/Names.h"
#include "dialects/npu/NpuDialect.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <climits>
#include <map>

using namespace mlir;
using namespace tessera::isa;
using namespace tessera::lowering;

namespace tessera::codegen {
namespace {

/// A tensor in DRAM: element (row r, column c) of its rows x rowBytes
/// matrix (rows: all dims but the innermost) is at arena + buffers[buffer]
/// + offset + r * pitch + c.
/// A constant that is data (a concat input such as the border of a
/// constant Pad, any op's data input, a returned value) is a view of the
/// constant image instead: `constant` set, `offset` its DRAM address, no
/// buffer; never written.
struct View {
  int buffer = -1;
  uint64_t offset = 0, pitch = 0;
  int64_t rows = 0, rowBytes = 0;
  bool constant = false;
  bool dense() const { return pitch == static_cast<uint64_t>(rowBytes); }
};

/// An arena allocation and the op indices [first, last] it is live for.
struct Buffer {
  uint64_t bytes = 0;
  int64_t first = INT64_MAX, last = INT64_MIN;
  uint64_t addr = 0;
  bool isInput = false, isOutput = false;
};

/// Where a concat input lives inside the concat's result.
struct Placement {
  Value parent;
  bool channel = true; ///< channel slice (pitch of parent) or row block
  uint64_t offset = 0; ///< elements along the row (channel) or rows
};

struct LayerConsts {
  uint64_t weights = 0, bias = 0, params = 0; ///< params: pairs or lut table
  /// CONV weights read from the weight operand's DRAM view (an activation).
  bool weightsFromView = false;
  /// Constant operands of an elementwise op (e.g. the detect head's anchor
  /// grid), in the constant image: operand index -> address.
  llvm::SmallDenseMap<unsigned, uint64_t, 2> operands;
};

/// Layer ids are 16 bits in the instruction encoding, kNoLayer (0xFFFF)
/// meaning none, and verifyProgram takes a table of fewer than kNoLayer rows.
constexpr int64_t kMaxLayers = kNoLayer - 1;

/// Bytes a constant symbol's name adds to its layer's name (".weights#NNNNN"
/// and spare).
constexpr size_t kSymbolSuffixBytes = 32;

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string describe(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "'" << op->getName().getStringRef() << "'";
  if (std::string node = onnxNodeName(op); !node.empty())
    os << " (ONNX node " << quoteName(node) << ")";
  os << " at ";
  op->getLoc().print(os);
  return s;
}

llvm::Expected<DType> dtypeOf(Type t, Operation *op) {
  auto it = dyn_cast<IntegerType>(t);
  if (it && it.getWidth() == 8)
    return it.isUnsigned() ? DType::UInt8 : DType::Int8;
  if (it && it.getWidth() == 16 && !it.isUnsigned())
    return DType::Int16;
  if (it && it.getWidth() == 32 && !it.isUnsigned())
    return DType::Int32;
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return makeError(describe(op) + ": unsupported element type " + s);
}

DType dtypeOfValue(Value v) {
  auto t = cast<IntegerType>(cast<ShapedType>(v.getType()).getElementType());
  if (t.getWidth() == 8)
    return t.isUnsigned() ? DType::UInt8 : DType::Int8;
  return t.getWidth() == 16 ? DType::Int16 : DType::Int32;
}

int64_t innerDim(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return t.getRank() ? t.getDimSize(t.getRank() - 1) : 1;
}
int64_t numRows(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t c = innerDim(v);
  return c ? t.getNumElements() / c : 0;
}

/// The ONNX shape of a tensor: NHWC rank-4 activations as NCHW.
std::vector<int64_t> onnxShape(RankedTensorType t, bool nhwc) {
  std::vector<int64_t> s(t.getShape().begin(), t.getShape().end());
  if (nhwc && s.size() == 4)
    return {s[0], s[3], s[1], s[2]};
  return s;
}

void appendLe(std::vector<uint8_t> &out, int64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i)
    out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
}

std::vector<uint8_t> pairsBytes(llvm::ArrayRef<int32_t> mult,
                                llvm::ArrayRef<int32_t> shift) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < mult.size(); ++i) {
    appendLe(out, mult[i], 4);
    appendLe(out, shift[i], 4);
  }
  return out;
}

/// An npu.rescale by exactly 1 without zero points: a clamp.
bool isIdentity(npu::RescaleOp r) {
  return r.getInputZp() == 0 && r.getOutputZp() == 0 &&
         r.getMultiplier().size() == 1 &&
         r.getMultiplier()[0] == kIdentityMultiplier &&
         r.getShift()[0] == kIdentityShift;
}

/// The values of a constant seen through npu.reshape (which keeps the
/// row-major order), or nothing if `v` is not one.
std::optional<llvm::SmallVector<int64_t>> constantData(Value v) {
  while (auto reshape = v.getDefiningOp<npu::ReshapeOp>())
    v = reshape.getInput();
  return readIntConstant(v);
}

/// A 2-D DMA moving `count` runs of `inner` bytes, `stride` apart in DRAM
/// (packed in SRAM); merged into one run when the runs are adjacent.
Instr dma(Opcode op, uint16_t layer, DmaKind kind, unsigned elem, uint64_t dram,
          uint64_t sram, uint64_t inner, uint64_t count, uint64_t stride) {
  Instr in(op, layer);
  DmaFields &d = in.dma();
  if (count == 1 || stride == inner) {
    inner *= count;
    count = 1;
    stride = 0;
  }
  d.kind = kind;
  d.elemBytes = static_cast<uint8_t>(elem);
  d.dramAddr = dram;
  d.sramAddr = static_cast<uint32_t>(sram);
  d.innerBytes = static_cast<uint32_t>(inner);
  d.count1 = static_cast<uint32_t>(count);
  d.stride1 = stride;
  return in;
}

class Generator {
public:
  Generator(func::FuncOp func, const CodegenOptions &opts, Program &prog)
      : func(func), opts(opts), prog(prog), sched(prog) {}

  llvm::Error run();

private:
  llvm::Error collect();
  llvm::Error addConstants();
  llvm::Error planViews();
  llvm::Expected<View> viewOf(Value v);
  int newBuffer(uint64_t bytes);
  void allocate();
  llvm::Error emitOp(Operation *op);
  /// Fails if `op` is untiled or its tiles need more than the target SRAM.
  llvm::Error checkTiling(Operation *op, const TileChoice &t,
                          uint64_t sramNeeded) const;
  llvm::Error emitWindow(Operation *op);
  llvm::Error emitEltwise(Operation *op);
  llvm::Error emitCopy(const View &src, const View &dst, unsigned elem,
                       uint16_t layer, Operation *op);
  llvm::Error emitTranspose(npu::TransposeOp op);
  llvm::Error emitResize(npu::ResizeOp op);
  llvm::Error emitHost(npu::HostCallOp op);
  llvm::Error fillDescriptors();
  llvm::Error fillLayers();

  uint64_t dramOf(const View &v) const {
    return v.constant ? v.offset : arenaBase + buffers[v.buffer].addr + v.offset;
  }
  /// "<layer name>.<what>[#n]": a constant's symbol in the image.
  std::string symbol(Operation *op, llvm::StringRef what);
  /// A view of the constant image holding `values` (v's data, row-major).
  View constantView(Value v, llvm::ArrayRef<int64_t> values);
  uint16_t layerOf(Operation *op) const {
    auto a = op->getAttrOfType<IntegerAttr>("layer");
    return a ? static_cast<uint16_t>(a.getInt()) : kNoLayer;
  }
  View sliceOf(const View &parent, const Placement &pl, Value v) const;

  func::FuncOp func;
  const CodegenOptions &opts;
  Program &prog;
  TokenScheduler sched;
  std::vector<Operation *> ops;
  llvm::DenseMap<Operation *, int64_t> index;
  llvm::DenseMap<Operation *, LayerConsts> consts;
  llvm::DenseMap<Value, Placement> placed;
  llvm::DenseMap<Value, View> views;
  llvm::DenseSet<Operation *> copyReshapes;
  std::vector<Buffer> buffers;
  std::vector<std::pair<Value, int>> outputCopies; // value -> output buffer
  std::vector<int> outputBuffers;                  // per result
  /// Host-call operands that are strided views (a slice, a concat part):
  /// (op, operand) -> a dense buffer they are copied into before the HOST.
  std::map<std::pair<Operation *, unsigned>, int> hostCopies;
  uint64_t arenaBase = 0, arenaBytes = 0;
  llvm::StringMap<unsigned> symbolCount;
  /// Constant blocks that are data, by content: identical blocks (the
  /// borders of one Pad) share their bytes in the image.
  std::map<std::vector<uint8_t>, uint64_t> dataConstants;
};

llvm::Error Generator::collect() {
  for (Operation &op : func.getBody().front()) {
    if (llvm::isa<func::ReturnOp>(op) || op.hasTrait<OpTrait::ConstantLike>())
      continue;
    if (!llvm::isa<npu::NpuDialect>(op.getDialect()))
      return makeError(describe(&op) +
                       ": not an npu op (run --tessera-lower-to-npu first)");
    if (auto a = op.getAttrOfType<IntegerAttr>("layer");
        a && (a.getInt() < 0 || a.getInt() >= kMaxLayers))
      return makeError(describe(&op) + ": layer " +
                       llvm::Twine(a.getInt() + 1) +
                       " of the model; an .npubin holds at most " +
                       llvm::Twine(kMaxLayers) + " layers; split the model");
    index[&op] = static_cast<int64_t>(ops.size());
    ops.push_back(&op);
  }
  return llvm::Error::success();
}

std::string Generator::symbol(Operation *op, llvm::StringRef what) {
  uint16_t layer = layerOf(op);
  std::string base =
      layer < prog.layers.size() ? prog.layers[layer].name : onnxNodeName(op);
  if (base.empty())
    base = "layer" + std::to_string(layer);
  base += "." + what.str();
  unsigned n = symbolCount[base]++;
  return n ? base + "#" + std::to_string(n) : base;
}

llvm::Error Generator::addConstants() {
  for (Operation *op : ops) {
    if (auto conv = dyn_cast<npu::Conv2DOp>(op)) {
      // Weights that are not a constant are an activation (a MatMul's b):
      // emitWindow loads them from its DRAM view instead.
      auto w = readIntConstant(conv.getWeight());
      auto b = readIntConstant(conv.getBias());
      if (!b)
        return makeError(describe(op) + ": the bias must be a constant");
      Operation *wDef = conv.getWeight().getDefiningOp();
      if (!w && wDef && wDef->hasTrait<OpTrait::ConstantLike>())
        return makeError(describe(op) + ": the weights are a constant that "
                                        "is not integer data");
      unsigned wb = elementBytes(conv.getWeight());
      std::vector<uint8_t> wBytes, bBytes;
      for (int64_t v : w ? *w : llvm::SmallVector<int64_t>{})
        appendLe(wBytes, v, wb);
      // An int16 CONV's bias is int48, held in 8 bytes (docs/isa.md).
      unsigned bb = elementBytes(conv.getInput()) == 2 ? 8 : 4;
      for (int64_t v : *b)
        appendLe(bBytes, v, bb);
      LayerConsts c;
      c.weightsFromView = !w;
      if (w)
        c.weights = prog.addConstant(symbol(op, "weights"), wBytes);
      c.bias = prog.addConstant(symbol(op, "bias"), bBytes);
      c.params =
          prog.addConstant(symbol(op, "params"),
                           pairsBytes(conv.getMultiplier(), conv.getShift()));
      consts[op] = c;
    } else if (llvm::isa<npu::MulOp, npu::AddOp, npu::CompareOp,
                         npu::SelectOp>(op)) {
      // Keys 0 and 1 are the ELTWISE operands A and B (a select's value
      // operands follow its condition).
      unsigned first = llvm::isa<npu::SelectOp>(op) ? 1 : 0;
      LayerConsts c;
      for (unsigned i = 0; i < 2; ++i) {
        auto values = readIntConstant(op->getOperand(first + i));
        if (!values)
          continue;
        std::vector<uint8_t> bytes;
        unsigned eb = elementBytes(op->getOperand(first + i));
        for (int64_t v : *values)
          appendLe(bytes, v, eb);
        c.operands[i] = prog.addConstant(symbol(op, i ? "b" : "a"), bytes);
      }
      consts[op] = c;
    } else if (auto table = dyn_cast<npu::TableOp>(op)) {
      auto entries = readIntConstant(table.getTable());
      if (!entries || entries->size() != 256)
        return makeError(describe(op) +
                         ": the table must be a constant of 256 entries");
      std::vector<uint8_t> bytes;
      for (int64_t v : *entries)
        appendLe(bytes, v, 1);
      LayerConsts c;
      c.params = prog.addConstant(symbol(op, "table"), bytes);
      consts[op] = c;
    } else if (auto softmax = dyn_cast<npu::SoftmaxOp>(op)) {
      auto entries = readIntConstant(softmax.getTable());
      if (!entries || entries->size() != 256)
        return makeError(describe(op) +
                         ": the exp table must be a constant of 256 entries");
      std::vector<uint8_t> bytes;
      for (int64_t v : *entries)
        appendLe(bytes, v, 4);
      LayerConsts c;
      c.params = prog.addConstant(symbol(op, "table"), bytes);
      consts[op] = c;
    } else if (auto rescale = dyn_cast<npu::RescaleOp>(op)) {
      if (rescale.getMultiplier().size() > 1) {
        LayerConsts c;
        c.params = prog.addConstant(
            symbol(op, "params"),
            pairsBytes(rescale.getMultiplier(), rescale.getShift()));
        consts[op] = c;
      }
    }
  }
  return llvm::Error::success();
}

int Generator::newBuffer(uint64_t bytes) {
  buffers.push_back({});
  buffers.back().bytes = alignTo(std::max<uint64_t>(bytes, 1), kDramAlign);
  return static_cast<int>(buffers.size()) - 1;
}

View Generator::sliceOf(const View &parent, const Placement &pl,
                        Value v) const {
  View s;
  s.buffer = parent.buffer;
  s.pitch = parent.pitch;
  s.rows = numRows(v);
  s.rowBytes = innerDim(v) * elementBytes(v);
  s.offset = parent.offset + (pl.channel ? pl.offset * elementBytes(v)
                                         : pl.offset * parent.pitch);
  return s;
}

View Generator::constantView(Value v, llvm::ArrayRef<int64_t> values) {
  View view;
  view.constant = true;
  view.rows = numRows(v);
  view.rowBytes = innerDim(v) * elementBytes(v);
  view.pitch = view.rowBytes;
  std::vector<uint8_t> bytes;
  for (int64_t x : values)
    appendLe(bytes, x, elementBytes(v));
  auto [it, added] = dataConstants.try_emplace(bytes, 0);
  if (added) {
    // Named after the layer that moves it: the op defining the view (an
    // npu.reshape of the constant) or else its first npu user (the concat).
    Operation *owner = v.getDefiningOp();
    if (!owner || !owner->hasAttr("layer"))
      for (Operation *user : v.getUsers())
        if (user->hasAttr("layer")) {
          owner = user;
          break;
        }
    it->second = prog.addConstant(symbol(owner, "data"), bytes);
  }
  view.offset = it->second;
  return view;
}

llvm::Expected<View> Generator::viewOf(Value v) {
  if (auto it = views.find(v); it != views.end())
    return it->second;
  // A constant that is data: read from the constant image, never written.
  if (auto values = constantData(v)) {
    View view = constantView(v, *values);
    views[v] = view;
    return view;
  }
  View view;
  view.rows = numRows(v);
  view.rowBytes = innerDim(v) * elementBytes(v);
  if (auto it = placed.find(v); it != placed.end()) {
    auto parent = viewOf(it->second.parent);
    if (!parent)
      return parent.takeError();
    view = sliceOf(*parent, it->second, v);
  } else if (auto slice = v.getDefiningOp<npu::SliceOp>()) {
    auto in = viewOf(slice.getInput());
    if (!in)
      return in.takeError();
    view.buffer = in->buffer; // the parent's rows, `offset` elements in
    view.constant = in->constant;
    view.offset = in->offset + slice.getOffset() * elementBytes(v);
    view.pitch = in->pitch;
  } else if (auto reshape = v.getDefiningOp<npu::ReshapeOp>()) {
    auto in = viewOf(reshape.getInput());
    if (!in)
      return in.takeError();
    if (in->dense()) { // same bytes, another row length
      view.buffer = in->buffer;
      view.constant = in->constant;
      view.offset = in->offset;
      view.pitch = view.rowBytes;
    } else { // a strided slice: copy into a buffer of its own
      copyReshapes.insert(reshape);
      view.buffer = newBuffer(view.rows * view.rowBytes);
      view.pitch = view.rowBytes;
    }
  } else {
    view.buffer = newBuffer(view.rows * view.rowBytes);
    view.pitch = view.rowBytes;
  }
  views[v] = view;
  return view;
}

llvm::Error Generator::planViews() {
  // Concat placements, outermost concat first, so that nested concats chain.
  for (Operation *op : llvm::reverse(ops)) {
    auto concat = dyn_cast<npu::ConcatOp>(op);
    if (!concat)
      continue;
    auto out = concat.getOutput().getType();
    int64_t axis = static_cast<int64_t>(concat.getAxis());
    int64_t rank = out.getRank();
    bool channel = axis == rank - 1;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= out.getDimSize(d);
    for (int64_t d = axis + 1; d < rank - 1; ++d)
      inner *= out.getDimSize(d);
    if (!channel && outer != 1)
      return makeError(describe(op) + ": concat along axis " +
                       std::to_string(axis) +
                       " with outer dimensions > 1 is unsupported for now");
    llvm::SmallDenseMap<Value, int, 4> seen;
    for (Value v : concat.getInputs())
      ++seen[v];
    uint64_t offset = 0;
    for (Value v : concat.getInputs()) {
      int64_t extent = cast<RankedTensorType>(v.getType()).getDimSize(axis);
      Operation *def = v.getDefiningOp();
      bool producer =
          def &&
          llvm::isa<npu::Conv2DOp, npu::PoolOp, npu::RescaleOp, npu::AddOp,
                    npu::MulOp, npu::TableOp, npu::SoftmaxOp,
                    npu::LayerNormOp, npu::ConcatOp>(def);
      if (producer && v.hasOneUse() && seen[v] == 1)
        placed[v] = {concat.getOutput(), channel,
                     channel ? offset : offset * inner};
      offset += extent;
    }
  }
  // Views of every value, then the function results' buffers.
  Block &body = func.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    auto view = viewOf(arg);
    if (!view)
      return view.takeError();
    buffers[view->buffer].isInput = true;
  }
  for (Operation *op : ops)
    for (Value v : op->getResults())
      if (auto view = viewOf(v); !view)
        return view.takeError();
  // Constants that are data (concat and host-call inputs, the data input
  // of any other op, returned values) are read by DMA from the constant
  // image. Weights, biases, tables and the constant operands of an add or
  // mul (LayerConsts) are layer parameters instead.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (Operation *op : ops) {
    llvm::SmallVector<Value> data;
    if (llvm::isa<npu::ConcatOp, npu::HostCallOp>(op))
      data.append(op->operand_begin(), op->operand_end());
    else if (!llvm::isa<npu::AddOp, npu::MulOp>(op) && op->getNumOperands())
      data.push_back(op->getOperand(0));
    for (Value v : data)
      if (auto view = viewOf(v); !view)
        return view.takeError();
  }
  for (Value v : ret.getOperands())
    if (auto view = viewOf(v); !view)
      return view.takeError();
  // The host reads dense tensors: strided operands get a copy.
  for (Operation *op : ops)
    if (auto call = dyn_cast<npu::HostCallOp>(op))
      for (auto [i, v] : llvm::enumerate(call.getInputs()))
        if (!views[v].dense())
          hostCopies[{op, unsigned(i)}] =
              newBuffer(views[v].rows * views[v].rowBytes);
  for (Value v : ret.getOperands()) {
    View view = views[v];
    bool whole = !view.constant && view.offset == 0 && view.dense() &&
                 alignTo(view.rows * view.rowBytes, kDramAlign) ==
                     buffers[view.buffer].bytes;
    if (whole && !buffers[view.buffer].isInput &&
        !buffers[view.buffer].isOutput) {
      Buffer &root = buffers[view.buffer];
      root.isOutput = true;
      outputBuffers.push_back(view.buffer);
    } else {
      int b = newBuffer(view.rows * view.rowBytes);
      buffers[b].isOutput = true;
      outputBuffers.push_back(b);
      outputCopies.push_back({v, b});
    }
  }
  return llvm::Error::success();
}

void Generator::allocate() {
  int64_t end = static_cast<int64_t>(ops.size());
  auto touch = [&](Value v, int64_t at) {
    if (views[v].constant) // in the constant image, not the arena
      return;
    Buffer &b = buffers[views[v].buffer];
    b.first = std::min(b.first, at);
    b.last = std::max(b.last, at);
  };
  Block &body = func.getBody().front();
  auto touchUsers = [&](Value v) {
    for (Operation *user : v.getUsers())
      touch(v, llvm::isa<func::ReturnOp>(user) ? end : index[user]);
  };
  for (BlockArgument arg : body.getArguments()) {
    touch(arg, -1);
    touchUsers(arg);
  }
  for (Operation *op : ops)
    for (Value v : op->getResults()) {
      touch(v, index[op]);
      touchUsers(v);
    }
  for (auto [key, b] : hostCopies) // written and read at the call only
    buffers[b].first = buffers[b].last = index[key.first];
  for (Buffer &b : buffers) {
    if (b.isInput)
      b.first = -1;
    if (b.isOutput)
      b.last = end + 1;
    if (b.first == INT64_MAX) // a result buffer only the final copy writes
      b.first = b.last = end;
  }
  // First fit in order of first use; a buffer is free once its last use is
  // behind. Reuse across layers is race-free because the TokenScheduler
  // orders every later STORE after the earlier LOADs of the same bytes.
  std::vector<int> order(buffers.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return buffers[a].first < buffers[b].first;
  });
  std::vector<int> active;
  for (int i : order) {
    Buffer &b = buffers[i];
    llvm::erase_if(active, [&](int j) { return buffers[j].last < b.first; });
    std::sort(active.begin(), active.end(),
              [&](int x, int y) { return buffers[x].addr < buffers[y].addr; });
    uint64_t at = 0;
    for (int j : active) {
      if (at + b.bytes <= buffers[j].addr)
        break;
      at = std::max(at, buffers[j].addr + buffers[j].bytes);
    }
    b.addr = at;
    arenaBytes = std::max(arenaBytes, at + b.bytes);
    active.push_back(i);
  }
}

llvm::Error Generator::emitCopy(const View &src, const View &dst, unsigned elem,
                                uint16_t layer, Operation *op) {
  // Two slots of as many rows as fit half of SRAM each.
  uint64_t half = alignTo(opts.sramBytes / 2 + 1, kSramAlign) - kSramAlign;
  int64_t rows = std::min<int64_t>(src.rows, half / src.rowBytes);
  if (rows < 1)
    return makeError(describe(op) + ": a row of " +
                     std::to_string(src.rowBytes) +
                     " bytes does not fit half of SRAM (" +
                     std::to_string(opts.sramBytes) + " bytes)");
  uint64_t slotBytes = alignTo(rows * src.rowBytes, kSramAlign);
  int slot = 0;
  for (int64_t r0 = 0; r0 < src.rows; r0 += rows) {
    int64_t n = std::min(rows, src.rows - r0);
    uint64_t sram = slot * slotBytes;
    sched.emit(Queue::Load, dma(Opcode::Load, layer, DmaKind::Act, elem,
                                dramOf(src) + r0 * src.pitch, sram,
                                src.rowBytes, n, src.pitch));
    sched.emit(Queue::Store, dma(Opcode::Store, layer, DmaKind::Act, elem,
                                 dramOf(dst) + r0 * dst.pitch, sram,
                                 dst.rowBytes, n, dst.pitch));
    slot ^= 1;
  }
  return llvm::Error::success();
}

llvm::Error Generator::emitTranspose(npu::TransposeOp op) {
  // Whole rows move (the innermost dimension stays): output rows are read
  // with a 3-D LOAD (rows of output dim r-2 are count1 runs, rows of dim r-3
  // count2 planes, at the input strides of the dimensions they come from)
  // into one of two half-SRAM slots and stored densely (docs/lowering.md).
  Value input = op.getInput(), output = op.getOutput();
  View in = views[input], out = views[output];
  auto inType = op.getInput().getType();
  llvm::SmallVector<int64_t> dims(inType.getShape()), perms(op.getPerms());
  llvm::SmallVector<int64_t> odims(op.getOutput().getType().getShape());
  llvm::SmallVector<int64_t> offsets(dims.size(), 0);
  if (auto o = op.getOffsets())
    offsets.assign(o->begin(), o->end());
  const unsigned eb = elementBytes(input);
  while (dims.size() < 3) { // pad to rank 3 with outer unit dims
    dims.insert(dims.begin(), 1);
    odims.insert(odims.begin(), 1);
    offsets.insert(offsets.begin(), 0);
    for (int64_t &p : perms)
      ++p;
    perms.insert(perms.begin(), 0);
  }
  const size_t r = dims.size();
  llvm::SmallVector<uint64_t> stride(r);
  stride[r - 1] = eb;
  stride[r - 2] = in.pitch;
  for (size_t k = r - 2; k-- > 0;)
    stride[k] = stride[k + 1] * dims[k + 1];
  // Offsets (a box of the input) move the first row read.
  uint64_t start = 0;
  for (size_t k = 0; k < r; ++k)
    start += uint64_t(offsets[k]) * stride[k];
  const uint64_t rowBytes = out.rowBytes;
  const int64_t n1 = odims[r - 2], n2 = odims[r - 3];
  const uint64_t s1 = stride[perms[r - 2]], s2 = stride[perms[r - 3]];
  uint64_t half = alignTo(opts.sramBytes / 2 + 1, kSramAlign) - kSramAlign;
  int64_t slotRows = static_cast<int64_t>(half / rowBytes);
  if (slotRows < 1)
    return makeError(describe(op) + ": a row of " + std::to_string(rowBytes) +
                     " bytes does not fit half of SRAM (" +
                     std::to_string(opts.sramBytes) + " bytes)");
  const int64_t c1 = std::min(n1, slotRows);
  const int64_t c2 = c1 < n1 ? 1 : std::max<int64_t>(1, slotRows / c1);
  const uint64_t slotBytes = alignTo(uint64_t(c1) * c2 * rowBytes, kSramAlign);
  int64_t outer = 1;
  for (size_t k = 0; k + 3 < r; ++k)
    outer *= odims[k];
  const uint16_t layer = layerOf(op);
  int slot = 0;
  for (int64_t o = 0; o < outer; ++o) {
    uint64_t base = start;
    for (int64_t k = static_cast<int64_t>(r) - 4, rest = o; k >= 0; --k) {
      base += uint64_t(rest % odims[k]) * stride[perms[k]];
      rest /= odims[k];
    }
    for (int64_t i2 = 0; i2 < n2; i2 += c2) {
      int64_t m2 = std::min(c2, n2 - i2);
      for (int64_t i1 = 0; i1 < n1; i1 += c1) {
        int64_t m1 = std::min(c1, n1 - i1);
        uint64_t sram = slot * slotBytes;
        Instr load =
            dma(Opcode::Load, layer, DmaKind::Act, eb,
                dramOf(in) + base + i2 * s2 + i1 * s1, sram, rowBytes, m1, s1);
        if (m2 > 1) {
          load.dma().count2 = static_cast<uint32_t>(m2);
          load.dma().stride2 = s2;
        }
        sched.emit(Queue::Load, load);
        uint64_t row = (uint64_t(o) * n2 + i2) * n1 + i1;
        sched.emit(Queue::Store, dma(Opcode::Store, layer, DmaKind::Act, eb,
                                     dramOf(out) + row * rowBytes, sram,
                                     uint64_t(m1) * m2 * rowBytes, 1, 0));
        slot ^= 1;
      }
    }
  }
  return llvm::Error::success();
}

llvm::Error Generator::emitResize(npu::ResizeOp op) {
  // Bands of input rows go to one of two half-SRAM slots; each band is
  // stored fy * fx times: phase (py, px) writes input pixel (y, x) to
  // output pixel (y * fy + py, x * fx + px), i.e. runs of C elements fx
  // pixels apart (count1 = W) in rows fy output rows apart (count2 = band).
  View in = views[op.getInput()], out = views[op.getOutput()];
  auto t = op.getInput().getType();
  const int64_t n = t.getDimSize(0), h = t.getDimSize(1), w = t.getDimSize(2);
  const int64_t fy = static_cast<int64_t>(op.getFactorY());
  const int64_t fx = static_cast<int64_t>(op.getFactorX());
  const unsigned eb = elementBytes(op.getInput());
  const uint64_t pixel = in.rowBytes; // C * eb: rows are pixels (NHWC)
  const uint64_t rowBytes = w * pixel, outRow = w * fx * out.pitch;
  uint64_t half = alignTo(opts.sramBytes / 2 + 1, kSramAlign) - kSramAlign;
  int64_t band = std::min<int64_t>(h, half / rowBytes);
  if (band < 1)
    return makeError(describe(op) + ": an input row of " +
                     std::to_string(rowBytes) +
                     " bytes does not fit half of SRAM (" +
                     std::to_string(opts.sramBytes) + " bytes)");
  const uint64_t slotBytes = alignTo(uint64_t(band) * rowBytes, kSramAlign);
  const uint16_t layer = layerOf(op);
  int slot = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y0 = 0; y0 < h; y0 += band) {
      int64_t rows = std::min(band, h - y0);
      uint64_t sram = slot * slotBytes;
      sched.emit(Queue::Load,
                 dma(Opcode::Load, layer, DmaKind::Act, eb,
                     dramOf(in) + (uint64_t(b) * h + y0) * w * in.pitch, sram,
                     pixel, uint64_t(rows) * w, in.pitch));
      for (int64_t py = 0; py < fy; ++py)
        for (int64_t px = 0; px < fx; ++px) {
          uint64_t first =
              ((uint64_t(b) * h * fy + y0 * fy + py) * w * fx + px) * out.pitch;
          Instr st(Opcode::Store, layer);
          DmaFields &d = st.dma();
          d.kind = DmaKind::Act;
          d.elemBytes = static_cast<uint8_t>(eb);
          d.dramAddr = dramOf(out) + first;
          d.sramAddr = static_cast<uint32_t>(sram);
          d.innerBytes = static_cast<uint32_t>(pixel);
          d.count1 = static_cast<uint32_t>(w);
          d.stride1 = fx * out.pitch;
          d.count2 = static_cast<uint32_t>(rows);
          d.stride2 = fy * outRow;
          sched.emit(Queue::Store, st);
        }
      slot ^= 1;
    }
  return llvm::Error::success();
}

llvm::Error Generator::checkTiling(Operation *op, const TileChoice &t,
                                   uint64_t sramNeeded) const {
  if (t.rows < 1)
    return makeError(describe(op) +
                     ": not tiled (run --tessera-npu-tile first)");
  if (sramNeeded > opts.sramBytes)
    return makeError(describe(op) + ": its tiles need " +
                     std::to_string(sramNeeded) + " bytes of SRAM but the " +
                     "target has " + std::to_string(opts.sramBytes));
  return llvm::Error::success();
}

/// The window geometry fits the CONV/POOL instruction's fields (their C++
/// types are the encoding's widths, core/isa/Isa.h): a model may ask for
/// more (a 300x300 kernel, a stride of 1000) than the NPU encodes.
llvm::Error checkWindowFields(Operation *op, const WindowGeometry &g,
                              bool conv) {
  auto max = [](auto field) {
    return static_cast<int64_t>(
        std::numeric_limits<decltype(field)>::max());
  };
  int64_t kernelMax = conv ? max(ConvFields().kh) : max(PoolFields().kh);
  struct Field {
    const char *what;
    int64_t value, max;
  } fields[] = {
      {"input width", g.w, max(ConvFields().iw)},
      {"input channels", g.c, max(ConvFields().ic)},
      {"output channels", g.oc, max(ConvFields().oc)},
      {"kernel height", g.kh, kernelMax},
      {"kernel width", g.kw, kernelMax},
      {"vertical stride", g.strideH, max(ConvFields().strideH)},
      {"horizontal stride", g.strideW, max(ConvFields().strideW)},
      {"vertical dilation", g.dilH, max(ConvFields().dilH)},
      {"horizontal dilation", g.dilW, max(ConvFields().dilW)},
      {"groups", g.groups, max(ConvFields().groups)},
      {"top padding", g.padT, max(ConvFields().padT)},
      {"bottom padding", g.padB, max(ConvFields().padB)},
      {"left padding", g.padL, max(ConvFields().padL)},
      {"right padding", g.padR, max(ConvFields().padR)},
  };
  for (const Field &f : fields)
    if (f.value < 0 || f.value > f.max)
      return makeError(describe(op) + ": " + f.what + " " +
                       llvm::Twine(f.value) + " is more than the NPU's " +
                       (conv ? "CONV" : "POOL") + " instruction holds (" +
                       llvm::Twine(f.max) + ")");
  return llvm::Error::success();
}

llvm::Error Generator::emitWindow(Operation *op) {
  WindowGeometry g = windowGeometry(op);
  if (auto err = checkWindowFields(op, g, llvm::isa<npu::Conv2DOp>(op)))
    return err;
  TileChoice t = tileChoice(op);
  SramLayout l = layoutWindow(g, t);
  if (auto err = checkTiling(op, t, l.total))
    return err;
  auto conv = dyn_cast<npu::Conv2DOp>(op);
  auto pool = dyn_cast<npu::PoolOp>(op);
  Value input = op->getOperand(0), output = op->getResult(0);
  View in = views[input], out = views[output];
  auto inDt = dtypeOf(cast<ShapedType>(input.getType()).getElementType(), op);
  auto outDt = dtypeOf(cast<ShapedType>(output.getType()).getElementType(), op);
  if (!inDt)
    return inDt.takeError();
  if (!outDt)
    return outDt.takeError();
  uint16_t layer = layerOf(op);
  unsigned ib = g.inBytes, ob = g.outBytes;
  int64_t icg = g.c / g.groups;
  int slot = 0;
  for (int64_t oc0 = 0; oc0 < g.oc;) {
    ChannelTile ct = channelTile(g, oc0, t.channels);
    if (conv) {
      const LayerConsts &c = consts[op];
      uint64_t perOc = uint64_t(g.kh) * g.kw * icg * g.wBytes;
      if (c.weightsFromView) { // rows of icg elements, kh*kw per channel
        const View &wv = views[conv.getWeight()];
        uint64_t rowsPerOc = uint64_t(g.kh) * g.kw;
        sched.emit(Queue::Load,
                   dma(Opcode::Load, layer, DmaKind::Weight, g.wBytes,
                       dramOf(wv) + oc0 * rowsPerOc * wv.pitch, l.weights,
                       wv.rowBytes, ct.ocCount * rowsPerOc, wv.pitch));
      } else {
        sched.emit(Queue::Load, dma(Opcode::Load, layer, DmaKind::Weight,
                                    g.wBytes, c.weights + oc0 * perOc,
                                    l.weights, ct.ocCount * perOc, 1, 0));
      }
      sched.emit(Queue::Load,
                 dma(Opcode::Load, layer, DmaKind::Param, 4,
                     c.bias + oc0 * g.biasBytes, l.bias,
                     ct.ocCount * g.biasBytes, 1, 0));
      bool perChannel = conv.getMultiplier().size() > 1;
      sched.emit(Queue::Load,
                 dma(Opcode::Load, layer, DmaKind::Param, 4,
                     c.params + (perChannel ? oc0 * 8 : 0), l.params,
                     (perChannel ? ct.ocCount : 1) * 8, 1, 0));
    }
    for (int64_t n = 0; n < g.n; ++n) {
      for (int64_t r0 = 0; r0 < g.oh; r0 += t.rows) {
        int64_t r1 = std::min(r0 + t.rows, g.oh);
        RowBand band = rowBand(g, r0, r1);
        int64_t ih = band.in1 - band.in0;
        if (ih < 1)
          return makeError(describe(op) + ": output rows [" +
                           std::to_string(r0) + ", " + std::to_string(r1) +
                           ") read only padding");
        // Input band: pixels (n, in0..in1, all w), channels [ic0, +icCount).
        uint64_t firstPixel = (uint64_t(n) * g.h + band.in0) * g.w;
        sched.emit(Queue::Load,
                   dma(Opcode::Load, layer, DmaKind::Act, ib,
                       dramOf(in) + firstPixel * in.pitch + ct.ic0 * ib,
                       l.in[slot], ct.icCount * ib, uint64_t(ih) * g.w,
                       in.pitch));
        Instr compute;
        if (conv) {
          compute = Instr(Opcode::Conv, layer);
          ConvFields &f = compute.conv();
          f.inDtype = *inDt;
          f.wDtype = dtypeOfValue(conv.getWeight());
          f.outDtype = *outDt;
          f.hasBias = true;
          f.perChannel = conv.getMultiplier().size() > 1;
          f.doubleRound = conv.getDoubleRound();
          f.sramIn = l.in[slot];
          f.sramW = l.weights;
          f.sramBias = l.bias;
          f.sramParams = l.params;
          f.sramOut = l.out[slot];
          f.ih = ih;
          f.iw = g.w;
          f.ic = ct.icCount;
          f.oc = ct.ocCount;
          f.kh = g.kh;
          f.kw = g.kw;
          f.strideH = g.strideH;
          f.strideW = g.strideW;
          f.dilH = g.dilH;
          f.dilW = g.dilW;
          f.groups = ct.groups;
          f.padT = band.padT;
          f.padB = band.padB;
          f.padL = g.padL;
          f.padR = g.padR;
          f.inZp = static_cast<int16_t>(conv.getInputZp());
          f.wZp = static_cast<int16_t>(conv.getWeightZp());
          f.outZp = static_cast<int16_t>(conv.getOutputZp());
          f.clampMin = static_cast<int16_t>(conv.getClampMin());
          f.clampMax = static_cast<int16_t>(conv.getClampMax());
        } else {
          compute = Instr(Opcode::Pool, layer);
          PoolFields &f = compute.pool();
          // max and min: window extrema, no arithmetic (POOL max / min).
          bool max = pool.getKind() == "max" || pool.getKind() == "min";
          f.mode = pool.getKind() == "max"   ? PoolMode::Max
                   : pool.getKind() == "min" ? PoolMode::Min
                                             : PoolMode::Avg;
          f.inDtype = *inDt;
          f.outDtype = *outDt;
          f.sramIn = l.in[slot];
          f.sramOut = l.out[slot];
          f.ih = ih;
          f.iw = g.w;
          f.c = ct.ocCount;
          f.kh = g.kh;
          f.kw = g.kw;
          f.strideH = g.strideH;
          f.strideW = g.strideW;
          f.padT = band.padT;
          f.padB = band.padB;
          f.padL = g.padL;
          f.padR = g.padR;
          // TOSA max_pool2d has no zero points: v - 0 + 0.
          f.inZp = max ? 0 : static_cast<int16_t>(pool.getInputZp());
          f.outZp = max ? 0 : static_cast<int16_t>(pool.getOutputZp());
          if (!max && pool.getMultiplier() != 0) { // window sum, one rescale
            // per_count: the multiplier is divided by each window's count.
            f.countIncludePad = !pool.getPerCount();
            f.multiplier = static_cast<int32_t>(pool.getMultiplier());
            f.shift = static_cast<uint8_t>(pool.getShift());
            f.doubleRound = false;
          }
          f.clampMin = static_cast<int16_t>(dtypeMin(*outDt));
          f.clampMax = static_cast<int16_t>(dtypeMax(*outDt));
        }
        sched.emit(Queue::Compute, compute);
        // Output band: pixels (n, r0..r1, all w), channels [oc0, +ocCount).
        uint64_t outPixel = (uint64_t(n) * g.oh + r0) * g.ow;
        sched.emit(Queue::Store,
                   dma(Opcode::Store, layer, DmaKind::Act, ob,
                       dramOf(out) + outPixel * out.pitch + oc0 * ob,
                       l.out[slot], ct.ocCount * ob, uint64_t(r1 - r0) * g.ow,
                       out.pitch));
        if (t.doubleBuffer)
          slot ^= 1;
      }
    }
    oc0 += ct.ocCount;
  }
  return llvm::Error::success();
}

llvm::Error Generator::emitEltwise(Operation *op) {
  EltwiseGeometry g = eltwiseGeometry(op);
  TileChoice t = tileChoice(op);
  EltwiseLayout l = layoutEltwise(g, t);
  if (auto err = checkTiling(op, t, l.total))
    return err;
  auto add = dyn_cast<npu::AddOp>(op);
  auto mul = dyn_cast<npu::MulOp>(op);
  auto table = dyn_cast<npu::TableOp>(op);
  auto softmax = dyn_cast<npu::SoftmaxOp>(op);
  auto layerNorm = dyn_cast<npu::LayerNormOp>(op);
  auto rescale = dyn_cast<npu::RescaleOp>(op);
  auto compare = dyn_cast<npu::CompareOp>(op);
  auto select = dyn_cast<npu::SelectOp>(op);
  uint16_t layer = layerOf(op);
  Value a = select ? Value(select.getA()) : op->getOperand(0);
  Value out = op->getResult(0);
  Value b = add       ? Value(add.getB())
            : mul     ? Value(mul.getB())
            : compare ? Value(compare.getB())
            : select  ? Value(select.getB())
                      : Value();
  Value cond = select ? Value(select.getCond()) : Value();
  View va = views[a], vo = views[out];
  View vb = b ? views[b] : View();
  View vc = cond ? views[cond] : View();
  // Constant operands live in the constant image, dense.
  auto rowAddr = [&](unsigned i, const View &v, int64_t r) -> uint64_t {
    auto it = consts[op].operands.find(i);
    if (it != consts[op].operands.end())
      return it->second + r * v.rowBytes;
    return dramOf(v) + r * v.pitch;
  };
  for (auto [i, v] : {std::pair<unsigned, View *>{0, &va}, {1, &vb}})
    if (consts[op].operands.count(i)) {
      Value x = i ? b : a;
      v->rows = numRows(x);
      v->rowBytes = innerDim(x) * elementBytes(x);
      v->pitch = v->rowBytes;
    }
  // A broadcast b of an add or mul (one element, or one per channel) is
  // loaded once as the layer's parameters (NpuGeometry) and read by every
  // ELTWISE with bcast = scalar / channel.
  Bcast bcast = Bcast::None;
  if (add || mul || compare || select) {
    auto kind = *npu::binaryBcast(cast<RankedTensorType>(b.getType()),
                                  cast<RankedTensorType>(out.getType()));
    bcast = kind == npu::BinaryBcast::Scalar    ? Bcast::Scalar
            : kind == npu::BinaryBcast::Channel ? Bcast::Channel
                                                : Bcast::None;
  }
  bool bcastB = bcast != Bcast::None;
  if (bcastB) {
    uint64_t bElems = cast<RankedTensorType>(b.getType()).getNumElements();
    unsigned eb = elementBytes(b);
    // The vector is one dense row of its source (constant image, or the
    // innermost row of a [1, ..., 1, C] activation).
    sched.emit(Queue::Load,
               dma(Opcode::Load, layer, DmaKind::Param, eb, rowAddr(1, vb, 0),
                   l.params, bElems * eb, 1, 0));
  }
  bool perChannel = rescale && rescale.getMultiplier().size() > 1;
  if (perChannel)
    sched.emit(Queue::Load,
               dma(Opcode::Load, layer, DmaKind::Param, 4, consts[op].params,
                   l.params, g.paramBytes, 1, 0));
  if (table) // 256 bytes, once per layer (DmaKind::Param: "table")
    sched.emit(Queue::Load,
               dma(Opcode::Load, layer, DmaKind::Param, 1, consts[op].params,
                   l.params, g.paramBytes, 1, 0));
  if (softmax) // 256 int32 exp entries, once per layer
    sched.emit(Queue::Load,
               dma(Opcode::Load, layer, DmaKind::Param, 4, consts[op].params,
                   l.params, g.paramBytes, 1, 0));
  int slot = 0;
  for (int64_t r0 = 0; r0 < g.rows; r0 += t.rows) {
    int64_t n = std::min(t.rows, g.rows - r0);
    sched.emit(Queue::Load,
               dma(Opcode::Load, layer, DmaKind::Act, g.aBytes,
                   rowAddr(0, va, r0), l.a[slot], va.rowBytes, n, va.pitch));
    if (b && !bcastB)
      sched.emit(Queue::Load,
                 dma(Opcode::Load, layer, DmaKind::Act, g.bBytes,
                     rowAddr(1, vb, r0), l.b[slot], vb.rowBytes, n, vb.pitch));
    if (cond) // the int8 condition rows, dense like the output
      sched.emit(Queue::Load,
                 dma(Opcode::Load, layer, DmaKind::Act, 1,
                     dramOf(vc) + r0 * vc.pitch, l.c[slot], vc.rowBytes, n,
                     vc.pitch));
    Instr compute(Opcode::Eltwise, layer);
    EltwiseFields &f = compute.eltwise();
    f.aDtype = dtypeOfValue(a);
    f.outDtype = dtypeOfValue(out);
    f.sramA = l.a[slot];
    f.sramOut = l.out[slot];
    f.rows = static_cast<uint32_t>(n);
    f.channels = static_cast<uint16_t>(g.channels);
    if (add) {
      llvm::StringRef kind = add.getKind();
      f.func = kind == "sub"   ? EltFunc::Sub
               : kind == "max" ? EltFunc::Max
               : kind == "min" ? EltFunc::Min
                               : EltFunc::Add;
      f.bDtype = dtypeOfValue(b);
      f.sramB = bcastB ? l.params : l.b[slot];
      f.bcast = bcast;
      f.doubleRound = add.getDoubleRound();
      f.leftShift = 0; // the input multipliers carry it
      f.aZp = static_cast<int16_t>(add.getAZp());
      f.bZp = static_cast<int16_t>(add.getBZp());
      f.aMult = static_cast<int32_t>(add.getAMultiplier());
      f.aShift = static_cast<uint8_t>(add.getAShift());
      f.bMult = static_cast<int32_t>(add.getBMultiplier());
      f.bShift = static_cast<uint8_t>(add.getBShift());
      f.outMult = static_cast<int32_t>(add.getMultiplier());
      f.outShift = static_cast<uint8_t>(add.getShift());
      f.outZp = static_cast<int16_t>(add.getOutputZp());
      f.clampMin = static_cast<int32_t>(add.getClampMin());
      f.clampMax = static_cast<int32_t>(add.getClampMax());
    } else if (compare) {
      // Both operands rescaled as add's, then compared (LowerSelect.cpp).
      f.func = compare.getKind() == "gt"   ? EltFunc::CmpGt
               : compare.getKind() == "ge" ? EltFunc::CmpGe
                                           : EltFunc::CmpEq;
      f.bDtype = dtypeOfValue(b);
      f.sramB = bcastB ? l.params : l.b[slot];
      f.bcast = bcast;
      f.doubleRound = compare.getDoubleRound();
      f.leftShift = 0; // the input multipliers carry it
      f.aZp = static_cast<int16_t>(compare.getAZp());
      f.bZp = static_cast<int16_t>(compare.getBZp());
      f.aMult = static_cast<int32_t>(compare.getAMultiplier());
      f.aShift = static_cast<uint8_t>(compare.getAShift());
      f.bMult = static_cast<int32_t>(compare.getBMultiplier());
      f.bShift = static_cast<uint8_t>(compare.getBShift());
    } else if (select) {
      // Both operands requantized to the output, picked by C (LowerSelect).
      f.func = EltFunc::Select;
      f.bDtype = dtypeOfValue(b);
      f.sramB = bcastB ? l.params : l.b[slot];
      f.sramC = l.c[slot];
      f.bcast = bcast;
      f.doubleRound = select.getDoubleRound();
      f.aZp = static_cast<int16_t>(select.getAZp());
      f.bZp = static_cast<int16_t>(select.getBZp());
      f.aMult = static_cast<int32_t>(select.getAMultiplier());
      f.aShift = static_cast<uint8_t>(select.getAShift());
      f.bMult = static_cast<int32_t>(select.getBMultiplier());
      f.bShift = static_cast<uint8_t>(select.getBShift());
      f.outZp = static_cast<int16_t>(select.getOutputZp());
      f.clampMin = static_cast<int32_t>(select.getClampMin());
      f.clampMax = static_cast<int32_t>(select.getClampMax());
    } else if (mul) {
      // (a - a_zp) * (b - b_zp), rescaled once (LowerMul.cpp).
      f.func = EltFunc::Mul;
      f.bDtype = dtypeOfValue(b);
      f.sramB = bcastB ? l.params : l.b[slot];
      f.bcast = bcast;
      f.doubleRound = mul.getDoubleRound();
      f.aZp = static_cast<int16_t>(mul.getAZp());
      f.bZp = static_cast<int16_t>(mul.getBZp());
      f.outMult = static_cast<int32_t>(mul.getMultiplier());
      f.outShift = static_cast<uint8_t>(mul.getShift());
      f.outZp = static_cast<int16_t>(mul.getOutputZp());
      f.clampMin = static_cast<int32_t>(mul.getClampMin());
      f.clampMax = static_cast<int32_t>(mul.getClampMax());
    } else if (table) {
      f.func = EltFunc::Lut;
      f.sramB = l.params;
      f.clampMin = static_cast<int32_t>(dtypeMin(f.outDtype));
      f.clampMax = static_cast<int32_t>(dtypeMax(f.outDtype));
    } else if (softmax) {
      // Whole rows per tile: each row is one normalisation (LowerSoftmax).
      f.func = softmax.getLog() ? EltFunc::LogSoftmax : EltFunc::Softmax;
      f.sramB = l.params;
      f.outMult = static_cast<int32_t>(softmax.getMultiplier());
      f.outShift = static_cast<uint8_t>(softmax.getShift());
      f.aMult = static_cast<int32_t>(softmax.getInMultiplier());
      f.bMult = static_cast<int32_t>(softmax.getLogMultiplier());
      f.outZp = static_cast<int16_t>(softmax.getOutputZp());
      f.clampMin = static_cast<int32_t>(softmax.getClampMin());
      f.clampMax = static_cast<int32_t>(softmax.getClampMax());
    } else if (layerNorm) {
      // Whole rows per tile, as softmax (LowerLayerNorm); no table.
      f.func = EltFunc::LayerNorm;
      f.outMult = static_cast<int32_t>(layerNorm.getMultiplier());
      f.outShift = static_cast<uint8_t>(layerNorm.getShift());
      f.aMult = static_cast<int32_t>(layerNorm.getEpsMantissa());
      f.bMult = static_cast<int32_t>(layerNorm.getEpsShift());
      f.outZp = static_cast<int16_t>(layerNorm.getOutputZp());
      f.clampMin = static_cast<int32_t>(layerNorm.getClampMin());
      f.clampMax = static_cast<int32_t>(layerNorm.getClampMax());
    } else if (isIdentity(rescale)) {
      // A stand-alone clamp (LowerClamp): no arithmetic, only the bounds.
      f.func = EltFunc::Clamp;
      f.clampMin = static_cast<int32_t>(rescale.getClampMin());
      f.clampMax = static_cast<int32_t>(rescale.getClampMax());
    } else {
      f.func = EltFunc::Rescale;
      f.doubleRound = rescale.getDoubleRound();
      f.perChannel = perChannel;
      if (perChannel) {
        f.sramB = l.params;
      } else {
        f.outMult = rescale.getMultiplier()[0];
        f.outShift = static_cast<uint8_t>(rescale.getShift()[0]);
      }
      f.aZp = static_cast<int16_t>(rescale.getInputZp());
      f.outZp = static_cast<int16_t>(rescale.getOutputZp());
      f.clampMin = static_cast<int32_t>(rescale.getClampMin());
      f.clampMax = static_cast<int32_t>(rescale.getClampMax());
    }
    sched.emit(Queue::Compute, compute);
    sched.emit(Queue::Store, dma(Opcode::Store, layer, DmaKind::Act, g.outBytes,
                                 dramOf(vo) + r0 * vo.pitch, l.out[slot],
                                 vo.rowBytes, n, vo.pitch));
    if (t.doubleBuffer)
      slot ^= 1;
  }
  return llvm::Error::success();
}

/// The quantization a segment argument or result is read or written with
/// (the quant.scast next to it inside the segment), for its descriptor.
static void segmentQuant(Value v, TensorDesc &d) {
  auto pick = [&](Type t) {
    auto tt = dyn_cast<RankedTensorType>(t);
    auto q = tt ? dyn_cast<quant::UniformQuantizedType>(tt.getElementType())
                : quant::UniformQuantizedType();
    if (q && q.getScale() > 0) {
      d.scale = q.getScale();
      d.zeroPoint = static_cast<int32_t>(q.getZeroPoint());
    }
  };
  for (Operation *user : v.getUsers())
    if (user->getNumResults() == 1)
      pick(user->getResult(0).getType());
  if (Operation *def = v.getDefiningOp(); def && def->getNumOperands() == 1)
    pick(def->getOperand(0).getType());
}

llvm::Error Generator::emitHost(npu::HostCallOp op) {
  auto module = func->getParentOfType<ModuleOp>();
  auto callee = module.lookupSymbol<func::FuncOp>(op.getCallee());
  if (!callee)
    return makeError(describe(op) + ": no host segment @" +
                     op.getCallee().str());
  HostSegment seg;
  seg.name = op.getCallee().str();
  for (Attribute n : op.getNodes())
    seg.nodes.push_back(cast<StringAttr>(n).str());
  seg.flops = op.getFlops();
  seg.bytes = op.getBytes();
  Block &entry = callee.getBody().front();
  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  uint64_t inLo = UINT64_MAX, inHi = 0, outLo = UINT64_MAX, outHi = 0;
  auto describeValue = [&](Value v, View view, Value inner,
                           const std::string &name, uint64_t &lo,
                           uint64_t &hi) -> llvm::Expected<TensorDesc> {
    if (!view.dense()) // planViews gives strided operands a dense copy
      return makeError(describe(op) + ": host segment tensor " + name +
                       " is a strided view (a bug)");
    auto t = cast<RankedTensorType>(v.getType());
    if (static_cast<size_t>(t.getRank()) > kMaxNpubinRank)
      return makeError(describe(op) + ": host segment tensor " + name +
                       " has rank " + llvm::Twine(t.getRank()));
    auto dt = dtypeOf(t.getElementType(), op);
    if (!dt)
      return dt.takeError();
    TensorDesc d;
    d.name = name;
    d.dtype = *dt;
    d.shape.assign(t.getShape().begin(), t.getShape().end());
    if (d.shape.empty())
      d.shape = {1};
    d.layout = Layout::RowMajor;
    d.dramOffset = dramOf(view);
    segmentQuant(inner, d);
    lo = std::min(lo, d.dramOffset);
    hi = std::max(hi, d.dramOffset + d.byteSize());
    return d;
  };
  for (auto [i, v] : llvm::enumerate(op.getInputs())) {
    View view = views[v];
    if (auto it = hostCopies.find({op.getOperation(), unsigned(i)});
        it != hostCopies.end()) {
      View dense;
      dense.buffer = it->second;
      dense.rows = view.rows;
      dense.rowBytes = view.rowBytes;
      dense.pitch = view.rowBytes;
      if (auto err = emitCopy(view, dense, elementBytes(v), layerOf(op), op))
        return err;
      view = dense;
    }
    auto d = describeValue(v, view, entry.getArgument(i),
                           "in" + std::to_string(i), inLo, inHi);
    if (!d)
      return d.takeError();
    seg.inputs.push_back(*d);
  }
  for (auto [i, v] : llvm::enumerate(op.getOutputs())) {
    auto d = describeValue(v, views[v], ret.getOperand(i),
                           "out" + std::to_string(i), outLo, outHi);
    if (!d)
      return d.takeError();
    seg.outputs.push_back(*d);
  }
  // The float program: a module holding a public copy of the segment.
  OpBuilder b(module.getContext());
  OwningOpRef<ModuleOp> holder = ModuleOp::create(op.getLoc());
  b.setInsertionPointToEnd(holder->getBody());
  auto copy = cast<func::FuncOp>(b.clone(*callee.getOperation()));
  copy.setPublic();
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (failed(writeBytecodeToFile(holder->getOperation(), os)))
    return makeError(describe(op) + ": cannot write the segment's bytecode");
  os.flush();
  seg.program.assign(bytes.begin(), bytes.end());
  uint16_t index = static_cast<uint16_t>(prog.hostSegments.size());
  if (prog.hostSegments.size() >= kNoLayer)
    return makeError(describe(op) + ": too many host segments");
  prog.hostSegments.push_back(std::move(seg));

  Instr in(Opcode::Host, layerOf(op));
  HostFields &h = in.host();
  h.segment = index;
  if (inHi > inLo) {
    h.dramIn = inLo;
    h.inBytes = inHi - inLo;
  }
  h.dramOut = outLo;
  h.outBytes = outHi - outLo;
  sched.emit(Queue::Store, in);
  return llvm::Error::success();
}

llvm::Error Generator::emitOp(Operation *op) {
  if (llvm::isa<npu::Conv2DOp, npu::PoolOp>(op))
    return emitWindow(op);
  if (llvm::isa<npu::RescaleOp, npu::AddOp, npu::MulOp, npu::TableOp,
                npu::SoftmaxOp, npu::LayerNormOp, npu::CompareOp,
                npu::SelectOp>(op))
    return emitEltwise(op);
  if (auto concat = dyn_cast<npu::ConcatOp>(op)) {
    View parent = views[concat.getOutput()];
    auto out = concat.getOutput().getType();
    int64_t axis = static_cast<int64_t>(concat.getAxis());
    bool channel = axis == out.getRank() - 1;
    int64_t inner = 1;
    for (int64_t d = axis + 1; d < out.getRank() - 1; ++d)
      inner *= out.getDimSize(d);
    uint64_t offset = 0;
    for (Value v : concat.getInputs()) {
      int64_t extent = cast<RankedTensorType>(v.getType()).getDimSize(axis);
      auto it = placed.find(v);
      bool inPlace =
          it != placed.end() && it->second.parent == concat.getOutput();
      if (!inPlace) {
        Placement pl{concat.getOutput(), channel,
                     channel ? offset : offset * inner};
        if (auto err = emitCopy(views[v], sliceOf(parent, pl, v),
                                elementBytes(v), layerOf(op), op))
          return err;
      }
      offset += extent;
    }
    return llvm::Error::success();
  }
  if (llvm::isa<npu::SliceOp>(op)) // a view (viewOf): no instruction
    return llvm::Error::success();
  if (auto t = dyn_cast<npu::TransposeOp>(op))
    return emitTranspose(t);
  if (auto r = dyn_cast<npu::ResizeOp>(op))
    return emitResize(r);
  if (auto h = dyn_cast<npu::HostCallOp>(op))
    return emitHost(h);
  if (auto reshape = dyn_cast<npu::ReshapeOp>(op)) {
    if (!copyReshapes.contains(op))
      return llvm::Error::success();
    View src = views[reshape.getInput()], dst = views[reshape.getOutput()];
    // Copy as the source's rows; the destination is dense.
    View d = dst;
    d.rows = src.rows;
    d.rowBytes = src.rowBytes;
    d.pitch = src.rowBytes;
    return emitCopy(src, d, elementBytes(reshape.getInput()), layerOf(op), op);
  }
  return makeError(describe(op) + ": no code generation for this op");
}

llvm::Error Generator::fillDescriptors() {
  auto desc = [&](DictionaryAttr attrs, Type type, int buffer,
                  std::string fallback) -> llvm::Expected<TensorDesc> {
    auto t = cast<RankedTensorType>(type);
    TensorDesc d;
    d.name = fallback;
    if (attrs) {
      if (auto n = attrs.getAs<StringAttr>("onnx.name"))
        d.name = n.str();
      if (auto s = attrs.getAs<FloatAttr>("tessera.scale"))
        d.scale = s.getValueAsDouble();
      if (auto z = attrs.getAs<IntegerAttr>("tessera.zero_point"))
        d.zeroPoint = static_cast<int32_t>(z.getInt());
      // uint8 at the boundary is stored as its int8 image (bytes XOR 0x80,
      // zero point - 128; docs/quantization-passes.md): describe what DRAM
      // holds, so the descriptor's quantization is exact for it.
      if (auto dt = attrs.getAs<StringAttr>("tessera.dtype");
          dt && dt.getValue() == "uint8" && t.getElementType().isInteger(8))
        d.zeroPoint -= 128;
    }
    if (d.name.size() > kMaxNpubinString)
      return makeError(fallback + " " + quoteName(d.name) +
                       ": name longer than the " +
                       llvm::Twine(kMaxNpubinString) +
                       " bytes an .npubin holds");
    bool nhwc = attrs && attrs.getAs<StringAttr>(kLayoutAttr) &&
                attrs.getAs<StringAttr>(kLayoutAttr).getValue() == "nhwc" &&
                t.getRank() == 4;
    if (static_cast<size_t>(t.getRank()) > kMaxNpubinRank)
      return makeError(fallback + " " + quoteName(d.name) + ": rank " +
                       llvm::Twine(t.getRank()) + " is more than the " +
                       llvm::Twine(kMaxNpubinRank) + " an .npubin holds");
    auto dt = dtypeOf(t.getElementType(), func);
    if (!dt)
      return dt.takeError();
    d.dtype = *dt;
    d.shape = onnxShape(t, nhwc);
    if (d.shape.empty())
      d.shape = {1};
    d.layout = nhwc ? Layout::Nhwc : Layout::RowMajor;
    d.dramOffset = arenaBase + buffers[buffer].addr;
    return d;
  };
  Block &body = func.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    auto d =
        desc(func.getArgAttrDict(arg.getArgNumber()), arg.getType(),
             views[arg].buffer, "input" + std::to_string(arg.getArgNumber()));
    if (!d)
      return d.takeError();
    prog.inputs.push_back(*d);
  }
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto d = desc(func.getResultAttrDict(i), v.getType(), outputBuffers[i],
                  "output" + std::to_string(i));
    if (!d)
      return d.takeError();
    prog.outputs.push_back(*d);
  }
  return llvm::Error::success();
}

llvm::Error Generator::fillLayers() {
  auto module = func->getParentOfType<ModuleOp>();
  auto table =
      module ? module->getAttrOfType<ArrayAttr>(kLayersAttr) : ArrayAttr();
  int64_t rows = table ? static_cast<int64_t>(table.size()) : 0;
  if (rows > kMaxLayers)
    return makeError("the layer table has " + llvm::Twine(rows) +
                     " rows; an .npubin holds at most " +
                     llvm::Twine(kMaxLayers) + " layers; split the model");
  for (Operation *op : ops)
    rows = std::max<int64_t>(rows, int64_t(layerOf(op)) + 1);
  prog.layers.assign(rows, LayerInfo());
  for (int64_t i = 0; i < rows; ++i) {
    LayerInfo &l = prog.layers[i];
    auto row = table && i < static_cast<int64_t>(table.size())
                   ? dyn_cast<DictionaryAttr>(table[i])
                   : DictionaryAttr();
    if (row && row.getAs<StringAttr>("name"))
      l.name = row.getAs<StringAttr>("name").str();
    if (row && row.getAs<StringAttr>("op_type"))
      l.opType = row.getAs<StringAttr>("op_type").str();
  }
  for (Operation *op : ops) {
    auto rank = cast<RankedTensorType>(op->getResult(0).getType()).getRank();
    if (static_cast<size_t>(rank) > kMaxNpubinRank)
      return makeError(describe(op) + ": rank " + llvm::Twine(rank) +
                       " is more than the " + llvm::Twine(kMaxNpubinRank) +
                       " an .npubin holds");
    LayerInfo &l = prog.layers[layerOf(op)];
    if (l.opType.empty())
      l.opType = op->getName().stripDialect().str();
    if (l.name.empty())
      l.name = onnxNodeName(op);
    if (auto conv = dyn_cast<npu::Conv2DOp>(op)) {
      auto w = conv.getWeight().getType();
      auto o = conv.getOutput().getType();
      l.macs += uint64_t(o.getNumElements()) * w.getDimSize(1) *
                w.getDimSize(2) * w.getDimSize(3);
    }
    // The row's output is its last op's (program order).
    l.outputShape =
        onnxShape(cast<RankedTensorType>(op->getResult(0).getType()), true);
  }
  for (LayerInfo &l : prog.layers) {
    if (l.opType.empty())
      l.opType = "Unused";
    // Constant symbols are named "<layer>.<what>#<n>": leave room for that.
    if (l.name.size() + kSymbolSuffixBytes > kMaxNpubinString ||
        l.opType.size() > kMaxNpubinString)
      return makeError("layer " + quoteName(l.name) + " (" +
                       quoteName(l.opType) + "): name longer than the " +
                       llvm::Twine(kMaxNpubinString - kSymbolSuffixBytes) +
                       " bytes an .npubin holds");
  }
  return llvm::Error::success();
}

llvm::Error Generator::run() {
  if (opts.sramBytes == 0)
    return makeError("codegen needs the target's SRAM size (sramBytes > 0)");
  prog.target = opts.target;
  prog.sramBytes = opts.sramBytes;
  if (auto err = collect())
    return err;
  if (auto err = fillLayers())
    return err;
  if (auto err = addConstants())
    return err;
  if (auto err = planViews())
    return err;
  allocate();
  arenaBase = alignTo(prog.constants.size(), kDramAlign);
  prog.dramBytes = arenaBase + alignTo(arenaBytes, kDramAlign);
  for (Operation *op : ops)
    if (auto err = emitOp(op))
      return err;
  for (auto [v, b] : outputCopies) {
    View dst;
    dst.buffer = b;
    dst.rows = views[v].rows;
    dst.rowBytes = views[v].rowBytes;
    dst.pitch = dst.rowBytes;
    Operation *def = v.getDefiningOp();
    if (auto err = emitCopy(views[v], dst, elementBytes(v),
                            def ? layerOf(def) : kNoLayer,
                            def ? def : func.getOperation()))
      return err;
  }
  sched.finish();
  return fillDescriptors();
}

} // namespace

llvm::Expected<Program> generateProgram(ModuleOp module,
                                        const CodegenOptions &options) {
  func::FuncOp entry;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal() || isHostSegment(f))
      continue;
    if (!options.entry.empty() ? f.getName() == options.entry
                               : (!entry || f.getName() == "main"))
      entry = f;
  }
  if (!entry)
    return makeError("codegen: no function " +
                     (options.entry.empty() ? std::string("to compile")
                                            : "'" + options.entry + "'") +
                     " in the module");
  Program prog;
  Generator gen(entry, options, prog);
  if (auto err = gen.run())
    return std::move(err);
  if (auto err = verifyProgram(prog))
    return makeError("codegen produced an invalid program (a bug): " +
                     llvm::toString(std::move(err)));
  return prog;
}

void printNpuModule(ModuleOp module, llvm::raw_ostream &os,
                    bool withLocations) {
  OpPrintingFlags flags;
  if (withLocations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/true);
  module->print(os, flags);
}

} // namespace tessera::codegen
