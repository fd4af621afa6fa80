//===- Pipeline.cpp - Registration and pipeline of the lowering passes ----===//
#include "compiler/lowering/Passes.h"

namespace tessera::lowering {
#define GEN_PASS_REGISTRATION
#include "compiler/lowering/Passes.h.inc"

void buildLowerToNpuPipeline(mlir::OpPassManager &pm, const TileOptions &opts) {
  pm.addPass(createLowerToNpuPass());
  NpuTilePassOptions tile;
  tile.sramBytes = static_cast<int64_t>(opts.sramBytes);
  tile.doubleBuffer = opts.doubleBuffer;
  tile.maxTileRows = opts.maxTileRows;
  pm.addPass(createNpuTilePass(tile));
}

void registerLoweringPasses() { registerTesseraLoweringPasses(); }

} // namespace tessera::lowering
