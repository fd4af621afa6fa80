//===- QuantOpsTest.cpp - quant.qcast/dcast/scast in the reference executor ===//
//
// Values checked by hand (and against ONNX's QuantizeLinear /
// DequantizeLinear conformance data, which uses the same numbers).
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Interpreter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace tessera;
using namespace tessera::reference;

namespace {

class QdqReferenceTest : public ::testing::Test {
protected:
  QdqReferenceTest() {
    registerReferenceDialects(registry);
    ctx = std::make_unique<mlir::MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
  }
  std::vector<Tensor> run(const char *text, std::vector<Tensor> inputs) {
    module = mlir::parseSourceString<mlir::ModuleOp>(text, ctx.get());
    EXPECT_TRUE(module);
    auto f = module->lookupSymbol<mlir::func::FuncOp>("main");
    auto out = runFunction(f, inputs);
    if (!out) {
      ADD_FAILURE() << llvm::toString(out.takeError());
      return {};
    }
    return *out;
  }
  mlir::DialectRegistry registry;
  std::unique_ptr<mlir::MLIRContext> ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

// x / 2 + 128, ties to even (3 / 2 = 1.5 -> 2), saturated to [0, 255].
TEST_F(QdqReferenceTest, QcastPerTensorUint8) {
  auto out = run(R"mlir(
func.func @main(%x: tensor<6xf32>) -> tensor<6x!quant.uniform<u8:f32, 2.0:128>> {
  %q = quant.qcast %x : tensor<6xf32> to tensor<6x!quant.uniform<u8:f32, 2.0:128>>
  return %q : tensor<6x!quant.uniform<u8:f32, 2.0:128>>
})mlir",
                 {Tensor::fromValues<float>(
                     {6}, {0.f, 2.f, 3.f, 1000.f, -254.f, -1000.f})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].elementType(), ElementType::U8);
  EXPECT_EQ(out[0].values<uint8_t>(),
            llvm::ArrayRef<uint8_t>({128, 129, 130, 255, 1, 0}));
}

// Per-axis dequantize, axis 1 with scales {2, 4} and zero points {1, 0}:
// (q - z) * s.
TEST_F(QdqReferenceTest, DcastPerAxisOfStorage) {
  auto out = run(R"mlir(
func.func @main(%x: tensor<2x2xi8>) -> tensor<2x2xf32> {
  %q = quant.scast %x : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8:f32:1, {2.0:1, 4.0:0}>>
  %d = quant.dcast %q : tensor<2x2x!quant.uniform<i8:f32:1, {2.0:1, 4.0:0}>> to tensor<2x2xf32>
  return %d : tensor<2x2xf32>
})mlir",
                 {Tensor::fromValues<int8_t>({2, 2}, {3, -1, -128, 127})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].values<float>(),
            llvm::ArrayRef<float>({4.f, -4.f, -258.f, 508.f}));
}

// Blocked (sub-channel) quantization, blocks of 2 along axis 1 of a 1x4
// tensor with scales {1.5, 2.5}, int16: 6/1.5 = 4, -8/1.5 = -5.33 -> -5,
// -10/2.5 = -4, 5/2.5 = 2 (ONNX test_quantizelinear_blocked_symmetric row 0).
TEST_F(QdqReferenceTest, QcastBlockedInt16) {
  auto out = run(R"mlir(
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i16:f32:{0:1, 1:2}, {{1.5:0, 2.5:0}}>> {
  %q = quant.qcast %x : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i16:f32:{0:1, 1:2}, {{1.5:0, 2.5:0}}>>
  return %q : tensor<1x4x!quant.uniform<i16:f32:{0:1, 1:2}, {{1.5:0, 2.5:0}}>>
})mlir",
                 {Tensor::fromValues<float>({1, 4}, {6.f, -8.f, -10.f, 5.f})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].values<int16_t>(), llvm::ArrayRef<int16_t>({4, -5, -4, 2}));
}

// int4 storage is held one value per byte and saturates to [-8, 7].
TEST_F(QdqReferenceTest, QcastInt4Saturates) {
  auto out = run(R"mlir(
func.func @main(%x: tensor<3xf32>) -> tensor<3x!quant.uniform<i4:f32, 1.0>> {
  %q = quant.qcast %x : tensor<3xf32> to tensor<3x!quant.uniform<i4:f32, 1.0>>
  return %q : tensor<3x!quant.uniform<i4:f32, 1.0>>
})mlir",
                 {Tensor::fromValues<float>({3}, {-20.f, 2.5f, 20.f})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].values<int8_t>(), llvm::ArrayRef<int8_t>({-8, 2, 7}));
}

// tosa.cast f32 -> i32 rounds half to even (TOSA CAST; ONNX's rint), and
// arith.divf is IEEE division: 1 / 3 is not 1 * (1 / 3) in f32 for all x,
// here checked on 7 / 255 against the correctly rounded quotient.
TEST_F(QdqReferenceTest, CastRoundsHalfToEvenAndDivfDivides) {
  auto out = run(R"mlir(
func.func @main(%x: tensor<6xf32>, %a: tensor<1xf32>, %b: tensor<1xf32>) -> (tensor<6xi32>, tensor<1xf32>) {
  %c = tosa.cast %x : (tensor<6xf32>) -> tensor<6xi32>
  %d = arith.divf %a, %b : tensor<1xf32>
  return %c, %d : tensor<6xi32>, tensor<1xf32>
})mlir",
                 {Tensor::fromValues<float>({6},
                                            {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f,
                                             2.5f}),
                  Tensor::fromValues<float>({1}, {7.f}),
                  Tensor::fromValues<float>({1}, {255.f})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].values<int32_t>(),
            llvm::ArrayRef<int32_t>({-2, -2, 0, 0, 2, 2}));
  EXPECT_EQ(out[1].values<float>()[0], 7.0f / 255.0f);
}

// math.roundeven (ONNX Round, the importer's form; TOSA has no round op):
// ties to even, the sign of zero kept (numpy.round(-0.25) is -0.0), large
// values (already integers) and infinities unchanged. math.trunc (ONNX Cast
// float -> int) goes toward zero.
TEST_F(QdqReferenceTest, RoundEvenAndTrunc) {
  const float inf = std::numeric_limits<float>::infinity();
  auto out = run(R"mlir(
func.func @main(%x: tensor<10xf32>) -> (tensor<10xf32>, tensor<10xf32>) {
  %r = math.roundeven %x : tensor<10xf32>
  %t = math.trunc %x : tensor<10xf32>
  return %r, %t : tensor<10xf32>, tensor<10xf32>
})mlir",
                 {Tensor::fromValues<float>(
                     {10}, {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -0.25f,
                            2.75f, 16777215.f, -inf})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].values<float>(),
            llvm::ArrayRef<float>({-2.f, -2.f, -0.f, 0.f, 2.f, 2.f, -0.f, 3.f,
                                   16777215.f, -inf}));
  EXPECT_TRUE(std::signbit(out[0].values<float>()[6]));
  EXPECT_TRUE(std::signbit(out[0].values<float>()[2]));
  EXPECT_FALSE(std::signbit(out[0].values<float>()[3]));
  EXPECT_EQ(out[1].values<float>(),
            llvm::ArrayRef<float>({-2.f, -1.f, -0.f, 0.f, 1.f, 2.f, -0.f, 2.f,
                                   16777215.f, -inf}));
}

} // namespace
