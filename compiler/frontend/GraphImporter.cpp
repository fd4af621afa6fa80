//===- GraphImporter.cpp - ONNX graph -> func.func of TOSA ops ------------===//

#include "compiler/frontend/GraphImporter.h"

#include "core/support/Names.h"
#include "core/tensor/Limits.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {

const OpTable &getOpTable() {
  static const OpTable table = [] {
    OpTable t;
    registerConvOps(t);
    registerPoolOps(t);
    registerElementwiseOps(t);
    registerShapeOps(t);
    registerGemmOp(t);
    registerQuantOps(t);
    registerActivationOps(t);
    registerReduceOps(t);
    registerMatMulOp(t);
    registerSliceOps(t);
    registerResizeOps(t);
    registerConvTransposeOp(t);
    registerMinMaxRoundOps(t);
    registerLrnOp(t);
    registerElementwiseFunctionOps(t); // after registerElementwiseOps (Pow)
    registerNormalizationOps(t);
    registerCompareWhereOps(t);
    registerOneDimOps(t); // wraps Conv, ConvTranspose, pools, BatchNorm
    registerShapeComputeOps(t); // last: wraps the importers above with folding
    return t;
  }();
  return table;
}

//===----------------------------------------------------------------------===//
// AttrReader
//===----------------------------------------------------------------------===//

namespace {
const char *attrTypeName(int type) {
  switch (type) {
  case onnx::AttributeProto_AttributeType_FLOAT:
    return "FLOAT";
  case onnx::AttributeProto_AttributeType_INT:
    return "INT";
  case onnx::AttributeProto_AttributeType_STRING:
    return "STRING";
  case onnx::AttributeProto_AttributeType_TENSOR:
    return "TENSOR";
  case onnx::AttributeProto_AttributeType_FLOATS:
    return "FLOATS";
  case onnx::AttributeProto_AttributeType_INTS:
    return "INTS";
  case onnx::AttributeProto_AttributeType_STRINGS:
    return "STRINGS";
  default:
    return "other";
  }
}
} // namespace

const onnx::AttributeProto *AttrReader::find(llvm::StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

bool AttrReader::has(llvm::StringRef name) const { return find(name); }

const onnx::AttributeProto *AttrReader::expect(llvm::StringRef name, int type) {
  const onnx::AttributeProto *a = find(name);
  if (!a)
    return nullptr;
  // IR versions before 2 left `type` unset; trust the field then.
  if (a->type() == type ||
      a->type() == onnx::AttributeProto_AttributeType_UNDEFINED)
    return a;
  if (!error)
    error = imp.nodeError("attribute " + quoteName(name) + " has type " +
                          attrTypeName(a->type()) + ", expected " +
                          attrTypeName(type));
  return nullptr;
}

int64_t AttrReader::getInt(llvm::StringRef name, int64_t dflt) {
  auto *a = expect(name, onnx::AttributeProto_AttributeType_INT);
  return a ? a->i() : dflt;
}

float AttrReader::getFloat(llvm::StringRef name, float dflt) {
  auto *a = expect(name, onnx::AttributeProto_AttributeType_FLOAT);
  return a ? a->f() : dflt;
}

std::string AttrReader::getString(llvm::StringRef name, llvm::StringRef dflt) {
  auto *a = expect(name, onnx::AttributeProto_AttributeType_STRING);
  return a ? a->s() : dflt.str();
}

std::vector<int64_t> AttrReader::getInts(llvm::StringRef name,
                                         std::vector<int64_t> dflt) {
  auto *a = expect(name, onnx::AttributeProto_AttributeType_INTS);
  if (!a)
    return dflt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::vector<float> AttrReader::getFloats(llvm::StringRef name) {
  auto *a = expect(name, onnx::AttributeProto_AttributeType_FLOATS);
  if (!a)
    return {};
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

//===----------------------------------------------------------------------===//
// Tagging: every op made while importing a node names that node.
//===----------------------------------------------------------------------===//

struct GraphImporter::TagListener : public OpBuilder::Listener {
  StringAttr node;
  ArrayAttr fused;
  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint previous) override {
    if (node)
      op->setAttr(kNodeAttr, node);
    if (fused)
      op->setAttr(kFusedAttr, fused);
  }
};

GraphImporter::GraphImporter(MLIRContext &ctx, const onnx::ModelProto &model,
                             llvm::StringRef fileName, llvm::StringRef baseDir,
                             const ImportOptions &opts)
    : ctx(ctx), model(model), graph(model.graph()), file(fileName.str()),
      baseDir(baseDir.str()), opts(opts), b(&ctx),
      listener(std::make_unique<TagListener>()),
      currentLoc(UnknownLoc::get(&ctx)) {
  b.setListener(listener.get());
}

GraphImporter::~GraphImporter() = default;

std::string GraphImporter::displayName(const onnx::NodeProto &node) const {
  if (!node.name().empty())
    return node.name();
  auto it = nodeIndex.find(&node);
  int idx = it == nodeIndex.end() ? -1 : it->second;
  return node.op_type() + "_" + std::to_string(idx);
}

void GraphImporter::setCurrentNode(const onnx::NodeProto *node, int index) {
  currentNode = node;
  cachedZeroPoint = nullptr;
  listener->fused = nullptr;
  if (!node) {
    currentName.clear();
    listener->node = nullptr;
    currentLoc = UnknownLoc::get(&ctx);
    return;
  }
  currentName = displayName(*node);
  listener->node = b.getStringAttr(currentName);
  // The location names the node; its child points into the model file with
  // the node's 1-based position in graph.node as the "line".
  currentLoc = NameLoc::get(b.getStringAttr(currentName),
                            FileLineColLoc::get(&ctx, file, index + 1, 0));
}

void GraphImporter::noteFused(const onnx::NodeProto &node) {
  std::string name = displayName(node);
  llvm::SmallVector<Attribute> names;
  if (listener->fused)
    names.append(listener->fused.begin(), listener->fused.end());
  names.push_back(b.getStringAttr(name));
  listener->fused = b.getArrayAttr(names);
  auto it = nodeIndex.find(&node);
  Location fusedLoc = NameLoc::get(
      b.getStringAttr(name),
      FileLineColLoc::get(&ctx, file,
                          it == nodeIndex.end() ? 0 : it->second + 1, 0));
  currentLoc = FusedLoc::get(&ctx, {currentLoc, fusedLoc});
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

llvm::Error GraphImporter::fileError(const Twine &msg) const {
  return llvm::createStringError(file + ": " + msg);
}

llvm::Error GraphImporter::nodeError(const Twine &msg) const {
  std::string op =
      currentNode ? escapeName(currentNode->op_type()) : std::string("?");
  return fileError("node " + quoteName(currentName) + " (" + op + "): " + msg);
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

llvm::Expected<ImportedValue *>
GraphImporter::lookup(const onnx::NodeProto &node, llvm::StringRef name) {
  auto it = values.find(name);
  if (it == values.end())
    return nodeError("input " + quoteName(name) +
                     " is not defined by an earlier node, an initializer or "
                     "a graph input");
  return &it->second;
}

llvm::Expected<ImportedValue *>
GraphImporter::operand(const onnx::NodeProto &node, unsigned i) {
  if (static_cast<int>(i) >= node.input_size() || node.input(i).empty())
    return nodeError("missing input " + Twine(i));
  return lookup(node, node.input(i));
}

llvm::Expected<ImportedValue *>
GraphImporter::operand4d(const onnx::NodeProto &node, unsigned i) {
  auto v = operand(node, i);
  if (v && (*v)->rank() != 4)
    return nodeError("only 1-D windows over 3-D (NCW) and 2-D windows over "
                     "4-D (NCHW) input are supported, "
                     "got input shape " +
                     formatShape((*v)->shape));
  return v;
}

llvm::Expected<ImportedValue *>
GraphImporter::optionalOperand(const onnx::NodeProto &node, unsigned i) {
  if (static_cast<int>(i) >= node.input_size() || node.input(i).empty())
    return nullptr;
  return lookup(node, node.input(i));
}

llvm::Expected<std::shared_ptr<const ConstTensor>>
GraphImporter::constantOperand(const onnx::NodeProto &node, unsigned i,
                               llvm::StringRef role) {
  auto v = operand(node, i);
  if (!v)
    return v.takeError();
  if (!(*v)->isConstant())
    return nodeError(role + " (" + quoteName(node.input(i)) +
                     ") must be a constant (initializer or Constant node)");
  return (*v)->constant;
}

bool GraphImporter::wantsOutput(const onnx::NodeProto &node, unsigned i) {
  return static_cast<int>(i) < node.output_size() && !node.output(i).empty();
}

void GraphImporter::tagOutput(Value v, llvm::StringRef name, bool nhwc) {
  Operation *op = v.getDefiningOp();
  if (!op || op->hasAttr(kOutputAttr))
    return;
  auto owner = op->getAttrOfType<StringAttr>(kNodeAttr);
  if (!owner || owner.getValue() != currentName)
    return;
  op->setAttr(kOutputAttr, b.getStringAttr(name));
  if (nhwc)
    op->setAttr(kLayoutAttr, b.getStringAttr("NHWC"));
}

void GraphImporter::definePlain(const onnx::NodeProto &node, unsigned i,
                                Value v, std::vector<int64_t> shape) {
  if (!wantsOutput(node, i))
    return;
  ImportedValue iv;
  iv.shape = std::move(shape);
  iv.plain = v;
  defineNamed(node.output(i), std::move(iv), v);
}

void GraphImporter::defineNhwc(const onnx::NodeProto &node, unsigned i, Value v,
                               std::vector<int64_t> onnxShape) {
  if (!wantsOutput(node, i))
    return;
  ImportedValue iv;
  iv.shape = std::move(onnxShape);
  iv.nhwc = v;
  defineNamed(node.output(i), std::move(iv), v);
}

void GraphImporter::defineConstant(const onnx::NodeProto &node, unsigned i,
                                   std::shared_ptr<const ConstTensor> c) {
  if (!wantsOutput(node, i))
    return;
  ImportedValue iv;
  iv.shape = c->shape;
  iv.constant = std::move(c);
  defineNamed(node.output(i), std::move(iv));
}

void GraphImporter::defineAlias(const onnx::NodeProto &node, unsigned i,
                                const ImportedValue &v) {
  if (!wantsOutput(node, i))
    return;
  defineNamed(node.output(i), v);
}

void GraphImporter::defineNamed(llvm::StringRef name, ImportedValue v,
                                Value tagged) {
  if (tagged)
    tagOutput(tagged, name, tagged == v.nhwc && v.rank() == 4);
  values[name] = std::move(v);
}

llvm::Expected<Value> GraphImporter::asPlain(ImportedValue &v) {
  if (v.plain)
    return v.plain;
  if (v.nhwc) {
    v.plain = permute(v.nhwc, kNhwcToNchw);
    return v.plain;
  }
  if (v.constant) {
    if (!v.constant->isFloat())
      return nodeError("an integer constant is used as tensor data; only "
                       "float32 data is supported");
    v.plain = constFloat(v.shape, v.constant->floats);
    return v.plain;
  }
  return nodeError("internal error: tensor has no value");
}

llvm::Expected<Value> GraphImporter::asOnnxOrder(ImportedValue &v) {
  if (!v.plain && v.nhwc &&
      isOrderPreserving(cast<RankedTensorType>(v.nhwc.getType()).getShape(),
                        kNhwcToNchw))
    return v.nhwc;
  return asPlain(v);
}

llvm::Expected<Value> GraphImporter::asNhwc(ImportedValue &v) {
  if (v.nhwc)
    return v.nhwc;
  if (v.rank() != 4)
    return nodeError("expected a 4-D (NCHW) tensor, got shape " +
                     formatShape(v.shape));
  if (v.constant && !v.plain) {
    if (!v.constant->isFloat())
      return nodeError("an integer constant is used as tensor data; only "
                       "float32 data is supported");
    std::vector<int64_t> shape = {v.shape[0], v.shape[2], v.shape[3],
                                  v.shape[1]};
    v.nhwc = constFloat(
        shape, transposeData(v.constant->floats, v.shape, kNchwToNhwc));
    return v.nhwc;
  }
  auto plain = asPlain(v);
  if (!plain)
    return plain.takeError();
  v.nhwc = permute(*plain, kNchwToNhwc);
  return v.nhwc;
}

//===----------------------------------------------------------------------===//
// Helper op builders
//===----------------------------------------------------------------------===//

RankedTensorType GraphImporter::tensorType(llvm::ArrayRef<int64_t> shape,
                                           Type elem) {
  return RankedTensorType::get(shape, elem ? elem : Type(f32()));
}

Value GraphImporter::constFloat(llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<float> data) {
  auto type = tensorType(shape);
  auto attr = DenseElementsAttr::get(type, data);
  return tosa::ConstOp::create(b, currentLoc, type, attr);
}

Value GraphImporter::zeroPoint() {
  if (!cachedZeroPoint)
    cachedZeroPoint = constFloat({1}, {0.0f});
  return cachedZeroPoint;
}

Value GraphImporter::constShape(llvm::ArrayRef<int64_t> values) {
  auto rank = static_cast<int64_t>(values.size());
  auto attrType = RankedTensorType::get({rank}, b.getIndexType());
  auto attr = DenseIntElementsAttr::get(attrType, values);
  return tosa::ConstShapeOp::create(b, currentLoc,
                                    tosa::shapeType::get(&ctx, rank), attr);
}

Value GraphImporter::transpose(Value v, llvm::ArrayRef<int64_t> perm) {
  auto inType = cast<RankedTensorType>(v.getType());
  llvm::SmallVector<int64_t> outShape;
  llvm::SmallVector<int32_t> perms;
  for (int64_t p : perm) {
    outShape.push_back(inType.getDimSize(p));
    perms.push_back(static_cast<int32_t>(p));
  }
  auto outType = RankedTensorType::get(outShape, inType.getElementType());
  return tosa::TransposeOp::create(b, currentLoc, outType, v,
                                   b.getDenseI32ArrayAttr(perms));
}

Value GraphImporter::reshape(Value v, llvm::ArrayRef<int64_t> shape) {
  auto inType = cast<RankedTensorType>(v.getType());
  if (inType.getShape() == shape)
    return v;
  auto outType = RankedTensorType::get(shape, inType.getElementType());
  return tosa::ReshapeOp::create(b, currentLoc, outType, v, constShape(shape));
}

Value GraphImporter::slice(Value v, llvm::ArrayRef<int64_t> start,
                           llvm::ArrayRef<int64_t> size) {
  auto inType = cast<RankedTensorType>(v.getType());
  if (inType.getShape() == size)
    return v;
  auto outType = RankedTensorType::get(size, inType.getElementType());
  Value startV = constShape(start); // made in order: start, then size
  Value sizeV = constShape(size);
  return tosa::SliceOp::create(b, currentLoc, outType, v, startV, sizeV);
}

bool GraphImporter::isOrderPreserving(llvm::ArrayRef<int64_t> shape,
                                      llvm::ArrayRef<int64_t> perm) {
  // If the dimensions of extent > 1 keep their relative order, the row-major
  // element order is unchanged.
  int64_t last = -1;
  for (int64_t p : perm) {
    if (shape[p] == 1)
      continue;
    if (p < last)
      return false;
    last = p;
  }
  return true;
}

Value GraphImporter::permute(Value v, llvm::ArrayRef<int64_t> perm) {
  auto inType = cast<RankedTensorType>(v.getType());
  if (!isOrderPreserving(inType.getShape(), perm))
    return transpose(v, perm);
  llvm::SmallVector<int64_t> outShape;
  for (int64_t p : perm)
    outShape.push_back(inType.getDimSize(p));
  return reshape(v, outShape);
}

//===----------------------------------------------------------------------===//
// Graph queries
//===----------------------------------------------------------------------===//

const onnx::NodeProto *
GraphImporter::soleConsumer(llvm::StringRef tensor) const {
  if (graphOutputs.count(tensor))
    return nullptr;
  auto it = useCount.find(tensor);
  if (it == useCount.end() || it->second != 1)
    return nullptr;
  for (const auto &node : graph.node())
    for (const auto &in : node.input())
      if (in == tensor)
        return &node;
  return nullptr;
}

bool GraphImporter::isUsed(llvm::StringRef tensor) const {
  if (graphOutputs.count(tensor))
    return true;
  auto it = useCount.find(tensor);
  return it != useCount.end() && it->second > 0;
}

ImportedValue *GraphImporter::findValue(llvm::StringRef name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

std::shared_ptr<const ConstTensor>
GraphImporter::knownConstant(llvm::StringRef name) const {
  auto it = values.find(name);
  if (it == values.end())
    return nullptr;
  return it->second.constant;
}

void GraphImporter::markFolded(const onnx::NodeProto &node) {
  folded.insert(&node);
  // The folded node's inputs may stay undefined: their producer hands its
  // result to the folded node's outputs instead.
  for (const auto &in : node.input())
    foldedInputs[in] = true;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

llvm::Error GraphImporter::checkOpsets() {
  bool found = false;
  for (const auto &os : model.opset_import()) {
    if (os.domain().empty() || os.domain() == "ai.onnx") {
      defaultOpset = os.version();
      found = true;
    }
  }
  if (!found)
    return fileError("the model imports no default-domain (ai.onnx) opset");
  if (defaultOpset < kMinOpset || defaultOpset > kMaxOpset)
    return fileError("opset " + Twine(defaultOpset) +
                     " is not supported (supported: " +
                     Twine(kMinUpgradableOpset) + " to " + Twine(kMaxOpset) +
                     "; " + Twine(kMinUpgradableOpset) + " to " +
                     Twine(kMinOpset - 1) + " are upgraded to " +
                     Twine(kMinOpset) + ")");
  return llvm::Error::success();
}

llvm::Error GraphImporter::checkNames() {
  // Names become attributes, .npubin strings and message text: bound their
  // length (core/support/Names.h) before anything copies them.
  auto checkLength = [&](const std::string &name,
                         const Twine &what) -> llvm::Error {
    if (name.size() <= kMaxNameBytes)
      return llvm::Error::success();
    return fileError(what + " " + quoteName(name) + " is longer than " +
                     Twine(kMaxNameBytes) + " bytes");
  };
  // Every tensor has one definition (ONNX's SSA rule): a graph input, an
  // initializer or one node output. A second definition would silently
  // shadow the first.
  llvm::StringMap<std::string> definedBy;
  auto define = [&](const std::string &name, std::string by) -> llvm::Error {
    auto [it, inserted] = definedBy.try_emplace(name, by);
    if (inserted)
      return llvm::Error::success();
    return fileError("tensor " + quoteName(name) + " is defined twice: by " +
                     it->second + " and by " + by);
  };
  for (const auto &init : graph.initializer()) {
    if (auto err = checkLength(init.name(), "initializer name"))
      return err;
    if (auto err = define(init.name(), "an initializer"))
      return err;
  }
  llvm::StringMap<bool> inputSeen;
  for (const auto &in : graph.input()) {
    if (auto err = checkLength(in.name(), "graph input name"))
      return err;
    if (in.name().empty())
      return fileError("a graph input has an empty name");
    if (!inputSeen.try_emplace(in.name(), true).second)
      return fileError("graph input " + quoteName(in.name()) +
                       " is listed twice");
    // An initializer may also be listed as an input (its default value).
    if (!definedBy.count(in.name()))
      definedBy[in.name()] = "a graph input";
  }
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    if (auto err = checkLength(node.name(), "node name"))
      return err;
    for (const auto &in : node.input())
      if (auto err = checkLength(in, "node input name"))
        return err;
    for (const auto &out : node.output()) {
      if (auto err = checkLength(out, "node output name"))
        return err;
      if (out.empty())
        continue; // an omitted optional output
      if (auto err = define(out, "node " + quoteName(displayName(node))))
        return err;
    }
  }
  llvm::StringMap<int> outputIndex;
  for (int i = 0; i < graph.output_size(); ++i) {
    const std::string &name = graph.output(i).name();
    if (auto err = checkLength(name, "graph output name"))
      return err;
    if (name.empty())
      return fileError("graph output " + Twine(i) + " has an empty name");
    auto [it, inserted] = outputIndex.try_emplace(name, i);
    if (!inserted)
      return fileError("graph output " + quoteName(name) +
                       " is listed twice (outputs " + Twine(it->second) +
                       " and " + Twine(i) + ")");
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::checkSupported() {
  // One entry per unsupported op type, naming its first node, so that a
  // detector with 60 SiLUs gives one readable line, not 120 entries.
  const OpTable &table = getOpTable();
  llvm::SmallVector<std::string> order;
  llvm::StringMap<std::pair<std::string, unsigned>> firstAndCount;
  for (const auto &node : graph.node()) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    if (defaultDomain && table.count(node.op_type()))
      continue;
    std::string opset = "?";
    for (const auto &os : model.opset_import())
      if (os.domain() == node.domain() ||
          (defaultDomain && (os.domain().empty() || os.domain() == "ai.onnx")))
        opset = std::to_string(os.version());
    std::string op =
        defaultDomain ? node.op_type() : node.domain() + "." + node.op_type();
    auto [it, inserted] = firstAndCount.try_emplace(op);
    if (inserted) {
      order.push_back(op);
      it->second.first = "node " + quoteName(displayName(node)) + " (op " +
                         escapeName(op) +
                         ", opset " + opset + ")";
    }
    ++it->second.second;
  }
  std::string list;
  for (const std::string &op : order) {
    const auto &[first, count] = firstAndCount[op];
    if (!list.empty())
      list += ", ";
    list += first;
    if (count > 1)
      list += " and " + std::to_string(count - 1) + " more " + op +
              (count > 2 ? " nodes" : " node");
  }
  if (!list.empty())
    return fileError("unsupported operators: " + list);
  return llvm::Error::success();
}

llvm::Error GraphImporter::importInitializers() {
  for (const auto &init : graph.initializer()) {
    auto c = decodeTensor(init, baseDir, "initializer " + quoteName(init.name()));
    if (!c)
      return fileError(llvm::toString(c.takeError()));
    ImportedValue iv;
    iv.shape = c->shape;
    iv.constant = std::make_shared<const ConstTensor>(std::move(*c));
    values[init.name()] = std::move(iv);
  }
  return llvm::Error::success();
}

namespace {
/// Bytes per element the executors store for `t` (i48 accumulators as i64,
/// i1 as one byte).
int64_t storageBytes(Type t) {
  if (!t.isIntOrFloat())
    return 8;
  unsigned bits = t.getIntOrFloatBitWidth();
  return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}
} // namespace

llvm::Error GraphImporter::importInputs(llvm::SmallVectorImpl<Type> &argTypes) {
  llvm::StringMap<bool> initNames;
  for (const auto &init : graph.initializer())
    initNames[init.name()] = true;
  std::vector<const onnx::ValueInfoProto *> inputs;
  for (const auto &in : graph.input())
    if (!initNames.count(in.name()))
      inputs.push_back(&in);

  for (const auto &[name, shape] : opts.inputShapes) {
    bool known = llvm::any_of(inputs, [&](const onnx::ValueInfoProto *vi) {
      return vi->name() == name;
    });
    if (!known) {
      std::string names;
      for (const auto *vi : inputs)
        names += (names.empty() ? "" : ", ") + quoteName(vi->name());
      return fileError("--input-shape names unknown input " + quoteName(name) +
                       " (graph inputs: " + names + ")");
    }
  }

  for (const auto *vi : inputs) {
    const std::string &name = vi->name();
    if (!vi->type().has_tensor_type())
      return fileError("input " + quoteName(name) + " is not a tensor");
    const auto &tt = vi->type().tensor_type();
    // Integer inputs feed the quantization ops (ops/QuantOps.cpp).
    Type elemType = f32();
    if (tt.elem_type() != onnx::TensorProto_DataType_FLOAT)
      elemType = integerInputType(ctx, tt.elem_type());
    if (!elemType)
      return fileError("input " + quoteName(name) + " has element type " +
                       Twine(tt.elem_type()) +
                       "; only float32 (1) and integer inputs are supported");
    std::vector<int64_t> shape;
    auto over = opts.inputShapes.find(name);
    if (over != opts.inputShapes.end()) {
      shape = over->second;
      if (tt.has_shape() &&
          tt.shape().dim_size() != static_cast<int>(shape.size()))
        return fileError("--input-shape " + escapeName(name) + "=" +
                         formatShape(shape) + " has rank " +
                         Twine(shape.size()) + " but input " +
                         quoteName(name) + " has rank " +
                         Twine(tt.shape().dim_size()));
    } else {
      if (!tt.has_shape())
        return fileError("input " + quoteName(name) +
                         " has no shape; give --input-shape " +
                         escapeName(name) + "=DxDx...");
      std::string modelShape;
      for (int d = 0; d < tt.shape().dim_size(); ++d) {
        const auto &dim = tt.shape().dim(d);
        modelShape += d ? "x" : "";
        modelShape += dim.has_dim_value() && dim.dim_value() >= 0
                          ? std::to_string(dim.dim_value())
                          : (dim.has_dim_param() ? dim.dim_param() : "?");
      }
      for (int d = 0; d < tt.shape().dim_size(); ++d) {
        const auto &dim = tt.shape().dim(d);
        if (dim.has_dim_value() && dim.dim_value() == 0)
          return fileError("input " + quoteName(name) + " has dimension " +
                           Twine(d) + " of extent 0 in shape " +
                           escapeName(modelShape) +
                           "; empty tensors are not supported");
        if (!dim.has_dim_value() || dim.dim_value() <= 0) {
          std::string sym = dim.has_dim_param()
                                ? " (" + quoteName(dim.dim_param()) + ")"
                                : std::string();
          return fileError("input " + quoteName(name) +
                           " has dynamic dimension " + Twine(d) + sym +
                           " in shape " + escapeName(modelShape) +
                           "; give --input-shape " + escapeName(name) +
                           "=DxDx...");
        }
        shape.push_back(dim.dim_value());
      }
    }
    if (llvm::Error e = checkTensorSize(
            "input '" + name + "'", shape, storageBytes(elemType),
            typeString(elemType)))
      return fileError(llvm::toString(std::move(e)));
    inputNames.push_back(name);
    argTypes.push_back(tensorType(shape, elemType));
    ImportedValue iv;
    iv.shape = shape;
    values[name] = std::move(iv); // the block argument is filled in later
  }
  return llvm::Error::success();
}

llvm::Error GraphImporter::checkNoEmptyTensors(Block::iterator first,
                                               Block *block) {
  // TOSA (and the executors and the NPU after it) has no empty tensors: a
  // zero dimension from the model (a Conv weight with 0 output channels, a
  // 0-sized initializer used as data) is the model's error, reported here
  // with its node rather than by the IR verifier.
  for (Operation &op : llvm::make_range(first, block->end()))
    for (Value r : op.getResults())
      if (auto t = dyn_cast<RankedTensorType>(r.getType());
          t && llvm::is_contained(t.getShape(), 0))
        return nodeError("makes an empty tensor (shape " +
                         formatShape(t.getShape()) +
                         "); empty tensors are not supported");
  return llvm::Error::success();
}

llvm::Error GraphImporter::importNodes() {
  const OpTable &table = getOpTable();
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    if (folded.count(&node))
      continue;
    setCurrentNode(&node, i);
    // Every default-domain op has at least one output; importers read
    // output(0) without checking.
    if (node.output_size() == 0)
      return nodeError("the node has no outputs");
    OpImporterFn fn = table.lookup(node.op_type());
    Block *block = b.getInsertionBlock();
    Operation *before = block->empty() ? nullptr : &block->back();
    if (llvm::Error err = fn(*this, node))
      return err;
    // Shapes derive from the model (pads, strides, scales, repeats): every
    // tensor the node's ops produce must fit the memory budget, checked here
    // once rather than in each op's importer, before anything executes.
    for (Operation &op : llvm::make_range(
             before ? std::next(Block::iterator(before)) : block->begin(),
             block->end()))
      for (Value r : op.getResults())
        if (auto t = llvm::dyn_cast<mlir::RankedTensorType>(r.getType()))
          if (t.hasStaticShape())
            if (llvm::Error e = checkTensorSize(
                    "result", t.getShape(), storageBytes(t.getElementType()),
                    typeString(t.getElementType())))
              return nodeError(llvm::toString(std::move(e)));
    if (llvm::Error err = checkNoEmptyTensors(
            before ? std::next(Block::iterator(before)) : block->begin(), block))
      return err;
    // A declared output that nothing reads (Dropout's mask) may stay
    // undefined.
    for (int o = 0; o < node.output_size(); ++o)
      if (wantsOutput(node, o) && isUsed(node.output(o)) &&
          !values.count(node.output(o)) &&
          !foldedInputs.count(node.output(o)))
        return nodeError("output " + Twine(o) + " (" +
                         quoteName(node.output(o)) + ") is not supported");
  }
  setCurrentNode(nullptr, -1);
  return llvm::Error::success();
}

llvm::Error GraphImporter::importOutputs(func::FuncOp func) {
  // Index producers so output conversions are tagged with their node.
  llvm::StringMap<int> producer;
  for (int i = 0; i < graph.node_size(); ++i)
    for (const auto &out : graph.node(i).output())
      producer[out] = i;

  llvm::SmallVector<Value> results;
  llvm::SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end())
      return fileError("graph output " + quoteName(out.name()) +
                       " is never defined");
    auto p = producer.find(out.name());
    if (p != producer.end())
      setCurrentNode(&graph.node(p->second), p->second);
    else
      setCurrentNode(nullptr, -1);
    auto v = asPlain(it->second);
    if (!v)
      return v.takeError();
    results.push_back(*v);
    resultTypes.push_back(v->getType());
  }
  setCurrentNode(nullptr, -1);
  func::ReturnOp::create(b, UnknownLoc::get(&ctx), results);
  func.setFunctionType(
      b.getFunctionType(func.getFunctionType().getInputs(), resultTypes));
  for (int i = 0; i < graph.output_size(); ++i)
    func.setResultAttr(i, kNameAttr, b.getStringAttr(graph.output(i).name()));
  return llvm::Error::success();
}

llvm::Expected<OwningOpRef<ModuleOp>> GraphImporter::run() {
  if (auto err = checkQuantTypes(*this, graph))
    return std::move(err);
  if (auto err = checkOpsets())
    return std::move(err);
  for (int i = 0; i < graph.node_size(); ++i) {
    nodeIndex[&graph.node(i)] = i;
    for (const auto &in : graph.node(i).input())
      if (!in.empty())
        ++useCount[in];
  }
  for (const auto &out : graph.output())
    graphOutputs[out.name()] = true;
  if (auto err = checkNames())
    return std::move(err);
  if (auto err = checkSupported())
    return std::move(err);

  llvm::SmallVector<Type> argTypes;
  if (auto err = importInputs(argTypes))
    return std::move(err);
  if (auto err = importInitializers())
    return std::move(err);

  Location fileLoc = FileLineColLoc::get(&ctx, file, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  if (!graph.name().empty())
    (*module)->setAttr("onnx.graph", b.getStringAttr(graph.name()));
  (*module)->setAttr("onnx.opset", b.getI64IntegerAttr(defaultOpset));
  if (!model.producer_name().empty())
    (*module)->setAttr("onnx.producer", b.getStringAttr(model.producer_name()));

  auto func = func::FuncOp::create(b, fileLoc, opts.functionName,
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (size_t i = 0; i < inputNames.size(); ++i) {
    func.setArgAttr(i, kNameAttr, b.getStringAttr(inputNames[i]));
    values[inputNames[i]].plain = entry->getArgument(i);
  }
  b.setInsertionPointToEnd(entry);

  if (auto err = importNodes())
    return std::move(err);
  if (auto err = importOutputs(func))
    return std::move(err);
  if (auto err = finishQuantImport(*this, graph, func))
    return std::move(err);

  // The importer must never hand out invalid IR: verify and report the
  // first diagnostic as an internal error.
  std::string diag;
  {
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      if (diag.empty()) {
        llvm::raw_string_ostream os(diag);
        os << d.getLocation() << ": " << d.str();
      }
      return success();
    });
    if (failed(verify(*module)))
      return fileError("internal error: imported IR does not verify: " + diag);
  }
  return std::move(module);
}

} // namespace tessera::frontend
