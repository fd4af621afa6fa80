//===- DataMovementTest.cpp - gather, transpose_conv2d in the executor ----===//

#include "compiler/reference/Interpreter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace tessera::reference;

namespace {

class DataMovementTest : public ::testing::Test {
protected:
  DataMovementTest() {
    registerReferenceDialects(registry);
    ctx = std::make_unique<mlir::MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
  }

  /// Runs @main of `text` on `inputs`; the outputs, or a failed test.
  std::vector<Tensor> run(const char *text, std::vector<Tensor> inputs) {
    module = mlir::parseSourceString<mlir::ModuleOp>(text, ctx.get());
    EXPECT_TRUE(module) << "MLIR did not parse";
    if (!module)
      return {};
    auto f = module->lookupSymbol<mlir::func::FuncOp>("main");
    auto out = runFunction(f, inputs);
    EXPECT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
    return out ? *out : std::vector<Tensor>{};
  }

  std::string runError(const char *text, std::vector<Tensor> inputs) {
    module = mlir::parseSourceString<mlir::ModuleOp>(text, ctx.get());
    if (!module)
      return "MLIR did not parse";
    auto out =
        runFunction(module->lookupSymbol<mlir::func::FuncOp>("main"), inputs);
    return out ? std::string("no error") : llvm::toString(out.takeError());
  }

  mlir::DialectRegistry registry;
  std::unique_ptr<mlir::MLIRContext> ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

std::vector<float> floats(const Tensor &t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numElements());
}

// x = [[1, 2], [3, 4]], weight [[1, 10], [100, 1000]], bias 0.5, stride 2:
// each input pixel v writes the 2x2 block v * w + 0.5, without overlap.
const char *kTransposeConvStride2 = R"mlir(
func.func @main(%x: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [10.0]], [[100.0], [1000.0]]]]>
      : tensor<1x2x2x1xf32>} : () -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() {values = dense<0.5> : tensor<1xf32>}
      : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>}
      : () -> tensor<1xf32>
  %y = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32,
      out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>}
      : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1xf32>,
         tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}
)mlir";

TEST_F(DataMovementTest, TransposeConvStride2HandComputed) {
  auto out = run(kTransposeConvStride2,
                 {Tensor::fromValues<float>({1, 2, 2, 1}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(floats(out[0]), (std::vector<float>{1.5, 10.5, 2.5, 20.5,         //
                                                100.5, 1000.5, 200.5, 2000.5, //
                                                3.5, 30.5, 4.5, 40.5,         //
                                                300.5, 3000.5, 400.5, 4000.5}));
}

// Overlapping taps and a negative out_pad: x = [1, 2, 3] along W, kernel
// [1, 10], stride 1 scatters to [1, 1*10 + 2, 2*10 + 3, 3*10] =
// [1, 12, 23, 30]; out_pad left = -1 drops the first column, and the two
// output channels use the weights [1, 10] and [2, 0] (and bias 0, 1):
// channel 1 = [2*2 + 1, 3*2 + 1, 0 + 1] = [5, 7, 1].
const char *kTransposeConvCrop = R"mlir(
func.func @main(%x: tensor<1x1x3x1xf32>) -> tensor<1x1x3x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [10.0]]], [[[2.0], [0.0]]]]>
      : tensor<2x1x2x1xf32>} : () -> tensor<2x1x2x1xf32>
  %b = "tosa.const"() {values = dense<[0.0, 1.0]> : tensor<2xf32>}
      : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>}
      : () -> tensor<1xf32>
  %y = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32,
      out_pad = array<i64: 0, 0, -1, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x1x3x1xf32>, tensor<2x1x2x1xf32>, tensor<2xf32>,
         tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3x2xf32>
  return %y : tensor<1x1x3x2xf32>
}
)mlir";

TEST_F(DataMovementTest, TransposeConvOverlapAndCropHandComputed) {
  auto out = run(kTransposeConvCrop,
                 {Tensor::fromValues<float>({1, 1, 3, 1}, {1, 2, 3})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(floats(out[0]), (std::vector<float>{12, 5, 23, 7, 30, 1}));
}

// GATHER: output[n, w, :] = values[n, indices[n, w], :].
const char *kGather = R"mlir(
func.func @main(%v: tensor<1x3x2xf32>) -> tensor<1x4x2xf32> {
  %i = "tosa.const"() {values = dense<[[2, 0, 2, 1]]> : tensor<1x4xi32>}
      : () -> tensor<1x4xi32>
  %y = tosa.gather %v, %i : (tensor<1x3x2xf32>, tensor<1x4xi32>)
      -> tensor<1x4x2xf32>
  return %y : tensor<1x4x2xf32>
}
)mlir";

TEST_F(DataMovementTest, GatherHandComputed) {
  auto out =
      run(kGather, {Tensor::fromValues<float>({1, 3, 2}, {0, 1, 2, 3, 4, 5})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(floats(out[0]), (std::vector<float>{4, 5, 0, 1, 4, 5, 2, 3}));
}

TEST_F(DataMovementTest, GatherRejectsOutOfRangeIndex) {
  std::string text = kGather;
  text.replace(text.find("[[2, 0, 2, 1]]"), 14, "[[2, 0, 3, 1]]");
  std::string msg = runError(
      text.c_str(), {Tensor::fromValues<float>({1, 3, 2}, {0, 1, 2, 3, 4, 5})});
  EXPECT_NE(msg.find("index 3 at [0, 2] is outside [0, 3)"), std::string::npos)
      << msg;
}

} // namespace
