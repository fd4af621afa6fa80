//===- LayerTable.cpp - Number npu ops by ONNX node -----------------------===//
//
// Every instruction carries a layer id so that cycles, bytes and energy add
// up per ONNX node. The ids are assigned here, once all rewrites are done,
// in program order: the ops made from one node (e.g. the reshapes and the
// 1x1 conv of a Gemm, or a concat and the rescales of its inputs) share one
// row. The row's op type is that of its main op: a Rescale or Reshape only
// names a row that has nothing else, a Transpose one without a compute op.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace tessera::lowering {

static std::string defaultOpType(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::string>(op)
      .Case([](npu::Conv2DOp) { return "Conv"; })
      .Case([](npu::PoolOp p) {
        return p.getKind() == "max"   ? "MaxPool"
               : p.getKind() == "min" ? "ReduceMin"
                                      : "AveragePool";
      })
      .Case([](npu::CompareOp) { return "Compare"; })
      .Case([](npu::SelectOp) { return "Where"; })
      .Case([](npu::ConcatOp) { return "Concat"; })
      .Case([](npu::ReshapeOp) { return "Reshape"; })
      .Case([](npu::RescaleOp) { return "Rescale"; })
      .Case([](npu::AddOp a) -> std::string {
        llvm::StringRef k = a.getKind();
        return k == "sub" ? "Sub" : k == "max" ? "Max" : k == "min" ? "Min"
                                                                    : "Add";
      })
      .Case([](npu::MulOp) { return "Mul"; })
      .Case([](npu::TableOp) { return "Table"; })
      .Case([](npu::SoftmaxOp s) {
        return s.getLog() ? "LogSoftmax" : "Softmax";
      })
      .Case([](npu::LayerNormOp) { return "LayerNorm"; })
      .Case([](npu::ResizeOp) { return "Resize"; })
      .Case([](npu::SliceOp) { return "Slice"; })
      .Case([](npu::TransposeOp) { return "Transpose"; })
      .Default([](Operation *) { return "Unknown"; });
}

/// How strongly an op type names its row: a Rescale, Reshape or Slice only
/// names a row that has nothing else, a Transpose one that has no compute op
/// (the row transposes around a MatMul of two activations' CONV).
static int namingRank(llvm::StringRef opType) {
  if (opType == "Rescale" || opType == "Reshape" || opType == "Slice")
    return 0;
  return opType == "Transpose" ? 1 : 2;
}

void assignLayers(ModuleOp module) {
  Builder b(module.getContext());
  struct Row {
    std::string name, opType;
  };
  std::vector<Row> rows;
  llvm::StringMap<int64_t> byName;
  module.walk([&](Operation *op) {
    if (!isa<npu::NpuDialect>(op->getDialect()))
      return;
    std::string name, opType;
    if (auto n = op->getAttrOfType<StringAttr>(kNodeAttr))
      name = n.str();
    else
      name = onnxNodeName(op);
    if (auto t = op->getAttrOfType<StringAttr>(kOpTypeAttr))
      opType = t.str();
    else
      opType = defaultOpType(op);
    op->removeAttr(kNodeAttr);
    op->removeAttr(kOpTypeAttr);
    // Unnamed ops each get a row of their own, named after the op.
    if (name.empty())
      name = opType + "_" + std::to_string(rows.size());
    auto [it, inserted] = byName.try_emplace(name, rows.size());
    if (inserted)
      rows.push_back({name, opType});
    else if (namingRank(opType) > namingRank(rows[it->second].opType))
      rows[it->second].opType = opType;
    op->setAttr("layer", b.getI64IntegerAttr(it->second));
  });
  llvm::SmallVector<Attribute> table;
  for (const Row &r : rows)
    table.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(r.name)),
         b.getNamedAttr("op_type", b.getStringAttr(r.opType))}));
  module->setAttr(kLayersAttr, b.getArrayAttr(table));
}

} // namespace tessera::lowering
