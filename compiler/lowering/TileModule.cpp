//===- TileModule.cpp - Choose tile_rows / tile_channels / double_buffer --===//
//
// The geometry of each npu layer is read off its types and attributes and
// handed to TilePlan (shared with codegen, which lays out SRAM with the
// same functions); the choice is written back as attributes.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/NpuGeometry.h"
#include "compiler/lowering/Passes.h"
#include "compiler/lowering/TilePlan.h"
#include "core/support/Names.h"

using namespace mlir;

namespace tessera::lowering {

/// "layer 3 ('conv1')" for diagnostics.
static std::string layerLabel(Operation *op) {
  auto layer = op->getAttrOfType<IntegerAttr>("layer");
  std::string s = "layer " + std::to_string(layer ? layer.getInt() : -1);
  auto module = op->getParentOfType<ModuleOp>();
  auto table = module ? module->getAttrOfType<ArrayAttr>(kLayersAttr) : nullptr;
  if (layer && table && layer.getInt() >= 0 &&
      layer.getInt() < static_cast<int64_t>(table.size()))
    if (auto row = dyn_cast<DictionaryAttr>(table[layer.getInt()]))
      if (auto name = row.getAs<StringAttr>("name"))
        s += " (" + quoteName(name.getValue()) + ")";
  return s;
}

static void setTiling(Operation *op, const TileChoice &t, bool channels) {
  Builder b(op->getContext());
  op->setAttr("tile_rows", b.getI64IntegerAttr(t.rows));
  if (channels && (t.channels != 0 || isa<npu::Conv2DOp>(op)))
    op->setAttr("tile_channels", b.getI64IntegerAttr(t.channels));
  op->setAttr("double_buffer", b.getBoolAttr(t.doubleBuffer));
}

LogicalResult tileModule(ModuleOp module, const TileOptions &opts) {
  bool ok = true;
  module.walk([&](Operation *op) {
    std::string why;
    if (isa<npu::Conv2DOp, npu::PoolOp>(op)) {
      WindowGeometry g = windowGeometry(op);
      auto t = chooseWindowTiling(g, opts.sramBytes, opts.doubleBuffer,
                                  opts.maxTileRows, why);
      if (!t) {
        op->emitError() << layerLabel(op) << " does not fit SRAM: " << why;
        ok = false;
        return;
      }
      setTiling(op, *t, /*channels=*/true);
    } else if (isa<npu::RescaleOp, npu::AddOp, npu::MulOp, npu::TableOp,
                   npu::SoftmaxOp, npu::LayerNormOp, npu::CompareOp,
                   npu::SelectOp>(op)) {
      EltwiseGeometry g = eltwiseGeometry(op);
      auto t = chooseEltwiseTiling(g, opts.sramBytes, opts.doubleBuffer,
                                   opts.maxTileRows, why);
      if (!t) {
        op->emitError() << layerLabel(op) << " does not fit SRAM: " << why;
        ok = false;
        return;
      }
      setTiling(op, *t, false);
    }
  });
  return success(ok);
}

} // namespace tessera::lowering
