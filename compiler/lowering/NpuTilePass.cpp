//===- NpuTilePass.cpp - --tessera-npu-tile -------------------------------===//
#include "compiler/lowering/Passes.h"

namespace tessera::lowering {
#define GEN_PASS_DEF_NPUTILEPASS
#include "compiler/lowering/Passes.h.inc"
} // namespace tessera::lowering

using namespace mlir;

namespace tessera::lowering {
namespace {

struct NpuTilePass : public impl::NpuTilePassBase<NpuTilePass> {
  using NpuTilePassBase::NpuTilePassBase;

  void runOnOperation() override {
    if (sramBytes <= 0) {
      getOperation().emitError()
          << "--tessera-npu-tile needs sram-bytes > 0, got "
          << static_cast<int64_t>(sramBytes);
      return signalPassFailure();
    }
    TileOptions opts{static_cast<uint64_t>(sramBytes), doubleBuffer,
                     maxTileRows};
    if (failed(tileModule(getOperation(), opts)))
      signalPassFailure();
  }
};

} // namespace

} // namespace tessera::lowering
