//===- GraphImporter.h - State and helpers shared by op importers *- C++
//-*-===//
//
// One GraphImporter turns one onnx::GraphProto into the body of a func.func.
// It owns the map from ONNX tensor names to imported values (with their
// layout), builds the small TOSA helper ops (constants, transposes, reshapes)
// and formats errors. Op importers (ops/*.cpp) are free functions registered
// by ONNX op type in a table; each reads its node through this class.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_FRONTEND_GRAPHIMPORTER_H
#define TESSERA_COMPILER_FRONTEND_GRAPHIMPORTER_H

#include "compiler/frontend/OnnxImporter.h"
#include "compiler/frontend/OnnxTensor.h"
#include "core/support/Names.h" // quoteName for the op importers' messages

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringMap.h"

#include <memory>

namespace onnx {
class AttributeProto;
class GraphProto;
class ModelProto;
class NodeProto;
} // namespace onnx

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace tessera::frontend {

/// Discardable attributes the importer puts on the ops it creates.
inline constexpr llvm::StringLiteral kNodeAttr = "onnx.node";
inline constexpr llvm::StringLiteral kOutputAttr = "onnx.output";
inline constexpr llvm::StringLiteral kLayoutAttr = "onnx.layout";
inline constexpr llvm::StringLiteral kFusedAttr = "onnx.fused";
inline constexpr llvm::StringLiteral kNameAttr = "onnx.name";

/// Permutations between ONNX NCHW and TOSA NHWC (result dim i = input perm[i]).
inline constexpr int64_t kNchwToNhwc[4] = {0, 2, 3, 1};
inline constexpr int64_t kNhwcToNchw[4] = {0, 3, 1, 2};

/// One ONNX tensor as imported. `shape` is always the ONNX (logical) shape.
/// The tensor may exist as an SSA value in ONNX layout (`plain`), as a
/// rank-4 value in NHWC layout (`nhwc`), as a host constant, or several of
/// these; the missing forms are made on demand and cached.
struct ImportedValue {
  std::vector<int64_t> shape;
  mlir::Value plain;
  mlir::Value nhwc;
  std::shared_ptr<const ConstTensor> constant;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  bool isConstant() const { return constant != nullptr; }
};

class GraphImporter;
using OpImporterFn = llvm::Error (*)(GraphImporter &imp,
                                     const onnx::NodeProto &node);

/// ONNX op type (default domain) -> importer.
using OpTable = llvm::StringMap<OpImporterFn>;

void registerConvOps(OpTable &table);
void registerPoolOps(OpTable &table);
void registerElementwiseOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerGemmOp(OpTable &table);
void registerQuantOps(OpTable &table);
void registerActivationOps(OpTable &table);
void registerReduceOps(OpTable &table);
void registerMatMulOp(OpTable &table);
void registerSliceOps(OpTable &table);
void registerResizeOps(OpTable &table);
void registerConvTransposeOp(OpTable &table);
void registerMinMaxRoundOps(OpTable &table);
void registerLrnOp(OpTable &table);
/// Run-time Equal, Greater, Less, Where (ShapeComputeOps folds constants).
void registerCompareWhereOps(OpTable &table);
/// 1-D Conv, ConvTranspose, MaxPool, AveragePool, BatchNormalization on NCW
/// input as the 2-D op with H = 1; wraps the entries registered before it.
void registerOneDimOps(OpTable &table);
/// Wraps the Pow importer of registerElementwiseOps: register after it.
void registerElementwiseFunctionOps(OpTable &table);
void registerNormalizationOps(OpTable &table);
/// Host evaluation of nodes whose inputs are all constants; wraps the
/// entries registered before it, so it must be registered last.
void registerShapeComputeOps(OpTable &table);

/// The full table, built once.
const OpTable &getOpTable();

/// Reads the attributes of one node; the first type error is kept and
/// reported by takeError(), so that importers can read several attributes
/// and check once.
class AttrReader {
public:
  AttrReader(GraphImporter &imp, const onnx::NodeProto &node)
      : imp(imp), node(node) {}
  ~AttrReader() { llvm::consumeError(std::move(error)); }

  bool has(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t dflt);
  float getFloat(llvm::StringRef name, float dflt);
  std::string getString(llvm::StringRef name, llvm::StringRef dflt);
  std::vector<int64_t> getInts(llvm::StringRef name, std::vector<int64_t> dflt);
  std::vector<float> getFloats(llvm::StringRef name);
  /// The attribute itself, or null.
  const onnx::AttributeProto *find(llvm::StringRef name) const;
  llvm::Error takeError() { return std::move(error); }

private:
  const onnx::AttributeProto *expect(llvm::StringRef name, int type);
  GraphImporter &imp;
  const onnx::NodeProto &node;
  llvm::Error error = llvm::Error::success();
};

struct QuantImportState;

/// Pre-quantized models (ops/QuantOps.cpp): the MLIR type of an integer
/// graph input of ONNX type `onnxType` (null if not one); the one-line error
/// for float8/float4/int2 tensors, checked before anything else; and the
/// step after all nodes are imported that restores the quantized form of
/// Conv/Gemm weights and drops unused quantization chains.
mlir::Type integerInputType(mlir::MLIRContext &ctx, int onnxType);
llvm::Error checkQuantTypes(GraphImporter &imp, const onnx::GraphProto &graph);
llvm::Error finishQuantImport(GraphImporter &imp,
                              const onnx::GraphProto &graph,
                              mlir::func::FuncOp func);

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &ctx, const onnx::ModelProto &model,
                llvm::StringRef fileName, llvm::StringRef baseDir,
                const ImportOptions &opts);
  ~GraphImporter();

  /// Imports the whole graph into a new module.
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> run();

  // --- Accessors for op importers -------------------------------------
  mlir::MLIRContext &context() { return ctx; }
  mlir::OpBuilder &builder() { return b; }
  mlir::Location loc() const { return currentLoc; }
  int64_t opset() const { return defaultOpset; }
  llvm::StringRef fileName() const { return file; }
  /// Name of the node being imported (synthesized when the model has none).
  llvm::StringRef nodeName() const { return currentName; }
  mlir::FloatType f32() { return b.getF32Type(); }

  /// Error "FILE: node 'NAME' (OP): msg".
  llvm::Error nodeError(const llvm::Twine &msg) const;

  /// Input `i` of `node`; an error if absent or undefined.
  llvm::Expected<ImportedValue *> operand(const onnx::NodeProto &node,
                                          unsigned i);
  /// Input `i` of `node`, which must be a 4-D (NCHW) tensor.
  llvm::Expected<ImportedValue *> operand4d(const onnx::NodeProto &node,
                                            unsigned i);
  /// Input `i` of `node`, or null if the node omits it (optional input).
  llvm::Expected<ImportedValue *> optionalOperand(const onnx::NodeProto &node,
                                                  unsigned i);
  /// Input `i` as a host constant; an error naming `role` if it is not one.
  llvm::Expected<std::shared_ptr<const ConstTensor>>
  constantOperand(const onnx::NodeProto &node, unsigned i,
                  llvm::StringRef role);
  /// True if `node` asks for output `i` (present and non-empty).
  static bool wantsOutput(const onnx::NodeProto &node, unsigned i);

  /// Defines output `i` of the current node. A value whose defining op was
  /// made for this node is tagged with `onnx.output` (and `onnx.layout` when
  /// NHWC).
  void definePlain(const onnx::NodeProto &node, unsigned i, mlir::Value v,
                   std::vector<int64_t> shape);
  void defineNhwc(const onnx::NodeProto &node, unsigned i, mlir::Value v,
                  std::vector<int64_t> onnxShape);
  void defineConstant(const onnx::NodeProto &node, unsigned i,
                      std::shared_ptr<const ConstTensor> c);
  /// Defines output `i` as another name for an existing tensor (Identity).
  void defineAlias(const onnx::NodeProto &node, unsigned i,
                   const ImportedValue &v);
  /// Defines the tensor called `name` (used when a node takes over the
  /// output of a node folded into it).
  void defineNamed(llvm::StringRef name, ImportedValue v,
                   mlir::Value tagged = {});

  /// The value in ONNX layout / in NHWC layout (rank 4 only).
  llvm::Expected<mlir::Value> asPlain(ImportedValue &v);
  llvm::Expected<mlir::Value> asNhwc(ImportedValue &v);
  /// A value whose row-major element order is ONNX's, for ops that only
  /// reshape: the NHWC value itself when NHWC->NCHW moves only unit dims
  /// (e.g. [N,1,1,C]), else asPlain().
  llvm::Expected<mlir::Value> asOnnxOrder(ImportedValue &v);
  /// True if permuting `shape` by `perm` keeps the row-major element order.
  static bool isOrderPreserving(llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<int64_t> perm);

  // --- Graph queries (for folding) -------------------------------------
  /// The node that consumes `tensor` if it has exactly one consumer and is
  /// not a graph output; null otherwise.
  const onnx::NodeProto *soleConsumer(llvm::StringRef tensor) const;
  /// True if some node reads `tensor` or it is a graph output.
  bool isUsed(llvm::StringRef tensor) const;
  /// The tensor called `name` if defined, else null.
  ImportedValue *findValue(llvm::StringRef name);
  /// The constant called `name` if already known (initializer, Constant).
  std::shared_ptr<const ConstTensor> knownConstant(llvm::StringRef name) const;
  /// Marks `node` as imported by another node's importer (folded).
  void markFolded(const onnx::NodeProto &node);
  /// Adds `node`'s name to the location and `onnx.fused` attribute of the
  /// ops of the current node.
  void noteFused(const onnx::NodeProto &node);

  // --- Helper op builders (tagged with the current node) -------------
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape,
                                    mlir::Type elem = {});
  mlir::Value constFloat(llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<float> data);
  /// A tensor<1xf32> zero, the zero-point operand of float TOSA ops.
  mlir::Value zeroPoint();
  mlir::Value constShape(llvm::ArrayRef<int64_t> values);
  mlir::Value transpose(mlir::Value v, llvm::ArrayRef<int64_t> perm);
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  mlir::Value slice(mlir::Value v, llvm::ArrayRef<int64_t> start,
                    llvm::ArrayRef<int64_t> size);
  /// Transposes `v` by `perm`, or reshapes when the permutation only moves
  /// unit dimensions (same element order, no data movement).
  mlir::Value permute(mlir::Value v, llvm::ArrayRef<int64_t> perm);

  /// Name of node `node` as used in messages and attributes.
  std::string displayName(const onnx::NodeProto &node) const;

  /// State of the QDQ importers (ops/QuantOps.cpp), made on first use.
  std::shared_ptr<QuantImportState> quantState;

private:
  llvm::Error checkOpsets();
  llvm::Error checkNames();
  llvm::Error checkSupported();
  llvm::Error importInputs(llvm::SmallVectorImpl<mlir::Type> &argTypes);
  llvm::Error importInitializers();
  llvm::Error importNodes();
  /// An error naming the current node if an op from `first` on makes a
  /// tensor with a zero dimension.
  llvm::Error checkNoEmptyTensors(mlir::Block::iterator first,
                                  mlir::Block *block);
  llvm::Error importOutputs(mlir::func::FuncOp func);
  void setCurrentNode(const onnx::NodeProto *node, int index);
  llvm::Expected<ImportedValue *> lookup(const onnx::NodeProto &node,
                                         llvm::StringRef name);
  void tagOutput(mlir::Value v, llvm::StringRef name, bool nhwc);
  llvm::Error fileError(const llvm::Twine &msg) const;

  struct TagListener;

  mlir::MLIRContext &ctx;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  std::string file;
  std::string baseDir;
  const ImportOptions &opts;
  mlir::OpBuilder b;
  std::unique_ptr<TagListener> listener;
  mlir::Location currentLoc;
  std::string currentName;
  const onnx::NodeProto *currentNode = nullptr;
  int64_t defaultOpset = 0;

  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<unsigned> useCount;
  llvm::StringMap<bool> graphOutputs;
  llvm::DenseMap<const onnx::NodeProto *, int> nodeIndex;
  llvm::DenseSet<const onnx::NodeProto *> folded;
  llvm::StringMap<bool> foldedInputs;
  std::vector<std::string> inputNames;
  mlir::Value cachedZeroPoint;
};

} // namespace tessera::frontend

#endif // TESSERA_COMPILER_FRONTEND_GRAPHIMPORTER_H
