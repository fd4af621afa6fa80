//===- tessera-opt.cpp - mlir-opt with Tessera's dialects and passes ------===//
#include "compiler/graph/Passes.h"
#include "compiler/lowering/Passes.h"
#include "compiler/quant/Passes.h"
#include "dialects/npu/NpuDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<tessera::npu::NpuDialect, mlir::tosa::TosaDialect,
                  mlir::quant::QuantDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect,
                  mlir::math::MathDialect>();
  // MLIR's generic passes (canonicalize, cse, ...) for pipelines in tests.
  mlir::registerTransformsPasses();
  tessera::quant::registerQuantPasses();
  tessera::graph::registerGraphPasses();
  tessera::lowering::registerLoweringPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tessera optimizer driver\n", registry));
}
