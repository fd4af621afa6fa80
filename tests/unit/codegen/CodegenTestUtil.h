//===- CodegenTestUtil.h - Parsing and compiling modules in codegen tests -*-
//C++ -*-===//
#ifndef TESSERA_TESTS_UNIT_CODEGEN_CODEGENTESTUTIL_H
#define TESSERA_TESTS_UNIT_CODEGEN_CODEGENTESTUTIL_H

#include "compiler/codegen/Codegen.h"
#include "compiler/lowering/Passes.h"
#include "dialects/npu/NpuDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tessera::codegen::test {

inline std::unique_ptr<mlir::MLIRContext> makeContext() {
  mlir::DialectRegistry registry;
  registry.insert<npu::NpuDialect, mlir::tosa::TosaDialect,
                  mlir::func::FuncDialect, mlir::arith::ArithDialect>();
  auto ctx = std::make_unique<mlir::MLIRContext>(registry);
  ctx->loadAllAvailableDialects();
  return ctx;
}

inline mlir::OwningOpRef<mlir::ModuleOp> parse(mlir::MLIRContext &ctx,
                                               const std::string &text) {
  return mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
}

/// --tessera-lower-to-npu (if `lower`) and --tessera-npu-tile.
inline bool lowerAndTile(mlir::ModuleOp m, const lowering::TileOptions &t,
                         bool lower = true) {
  mlir::PassManager pm(m.getContext());
  if (lower) {
    lowering::buildLowerToNpuPipeline(pm, t);
  } else {
    lowering::NpuTilePassOptions o;
    o.sramBytes = static_cast<int64_t>(t.sramBytes);
    o.doubleBuffer = t.doubleBuffer;
    o.maxTileRows = t.maxTileRows;
    pm.addPass(lowering::createNpuTilePass(o));
  }
  return mlir::succeeded(pm.run(m));
}

} // namespace tessera::codegen::test

#endif // TESSERA_TESTS_UNIT_CODEGEN_CODEGENTESTUTIL_H
