//===- InterpreterTest.cpp - Reference executors on MLIR text -------------===//

#include "compiler/reference/Interpreter.h"
#include "compiler/reference/Ops.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <cblas.h>
#include <gtest/gtest.h>

using namespace tessera::reference;

namespace {

class InterpreterTest : public ::testing::Test {
protected:
  InterpreterTest() {
    registerReferenceDialects(registry);
    ctx = std::make_unique<mlir::MLIRContext>(registry);
    ctx->loadAllAvailableDialects();
  }

  mlir::func::FuncOp parse(const char *text, const char *name = "main") {
    module = mlir::parseSourceString<mlir::ModuleOp>(text, ctx.get());
    EXPECT_TRUE(module) << "MLIR did not parse";
    return module->lookupSymbol<mlir::func::FuncOp>(name);
  }

  mlir::DialectRegistry registry;
  std::unique_ptr<mlir::MLIRContext> ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

// The hand-computed conv of the kernel tests (input 1..9 with zp 1, weights
// [1 2 1; 0 1 0; -1 0 2], bias 5: centre 23, corner 13), then a RESCALE by
// 0.5 (2^30 * 2^-31) with output zp -1: 23 -> 11.5 -> 12 -> 11; 13 -> 6.5 ->
// 7 -> 6.
const char *kConvRescale = R"mlir(
func.func @main(%x: tensor<1x3x3x1xi8>) -> tensor<1x3x3x1xi8> {
  %w = "tosa.const"() {values = dense<[[[[1], [2], [1]], [[0], [1], [0]],
      [[-1], [0], [2]]]]> : tensor<1x3x3x1xi8>} : () -> tensor<1x3x3x1xi8>
  %b = "tosa.const"() {values = dense<5> : tensor<1xi32>}
      : () -> tensor<1xi32>
  %izp = "tosa.const"() {values = dense<1> : tensor<1xi8>}
      : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>}
      : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32,
      pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>,
      tensor<1x3x3x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>)
      -> tensor<1x3x3x1xi32> loc("conv")
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>}
      : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<31> : tensor<1xi8>}
      : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>}
      : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<-1> : tensor<1xi8>}
      : () -> tensor<1xi8>
  %y = tosa.rescale %acc, %m, %s, %z32, %ozp {scale32 = true,
      rounding_mode = SINGLE_ROUND, per_channel = false,
      input_unsigned = false, output_unsigned = false}
      : (tensor<1x3x3x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>,
         tensor<1xi8>) -> tensor<1x3x3x1xi8> loc("requant")
  return %y : tensor<1x3x3x1xi8>
}
)mlir";

TEST_F(InterpreterTest, IntegerConvRescaleHandComputed) {
  auto f = parse(kConvRescale);
  ASSERT_TRUE(f);
  Tensor x =
      Tensor::fromValues<int8_t>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::vector<std::string> seen;
  std::vector<Tensor> values;
  RunOptions opts;
  opts.onValue = [&](mlir::Operation *op, const Tensor &t) {
    seen.push_back(valueName(op));
    values.push_back(t);
  };
  auto out = runFunction(f, {x}, opts);
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].typeString(), "1x3x3x1xi8");
  EXPECT_EQ((*out)[0].getInt(4), 11);
  EXPECT_EQ((*out)[0].getInt(0), 6);
  // Only the two computing ops are observed, with their NameLoc names.
  EXPECT_EQ(seen, (std::vector<std::string>{"conv", "requant"}));
  EXPECT_EQ(values[0].typeString(), "1x3x3x1xi32");
  EXPECT_EQ(values[0].getInt(4), 23);
  EXPECT_EQ(values[0].getInt(0), 13);
}

// RunOptions::replace: the conv's accumulator replaced by 46 everywhere is
// what the rescale reads: 46 * 0.5 = 23, - 1 = 22; onValue still sees the
// computed value (23 at the centre), and a replacement of the wrong type is
// an error naming the op.
TEST_F(InterpreterTest, ReplaceFeedsLaterOps) {
  auto f = parse(kConvRescale);
  ASSERT_TRUE(f);
  Tensor x =
      Tensor::fromValues<int8_t>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::vector<int64_t> seenCentre;
  RunOptions opts;
  opts.onValue = [&](mlir::Operation *, const Tensor &t) {
    seenCentre.push_back(t.getInt(4));
  };
  opts.replace = [&](mlir::Operation *op,
                     const Tensor &t) -> std::optional<Tensor> {
    if (valueName(op) != "conv")
      return std::nullopt;
    return Tensor::fromValues<int32_t>({1, 3, 3, 1},
                                       std::vector<int32_t>(9, 46));
  };
  auto out = runFunction(f, {x}, opts);
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ((*out)[0].getInt(i), 22);
  EXPECT_EQ(seenCentre, (std::vector<int64_t>{23, 22}));

  opts.replace = [&](mlir::Operation *op,
                     const Tensor &) -> std::optional<Tensor> {
    if (valueName(op) != "conv")
      return std::nullopt;
    return Tensor::fromValues<int8_t>({1, 3, 3, 1},
                                      std::vector<int8_t>(9, 1));
  };
  auto bad = runFunction(f, {x}, opts);
  ASSERT_FALSE(static_cast<bool>(bad));
  std::string msg = llvm::toString(bad.takeError());
  EXPECT_NE(msg.find("tosa.conv2d"), std::string::npos) << msg;
  EXPECT_NE(msg.find("replacement 1x3x3x1xi8 does not match"),
            std::string::npos)
      << msg;
}

TEST_F(InterpreterTest, ExecutorReusesConstantsAcrossRuns) {
  auto f = parse(kConvRescale);
  ASSERT_TRUE(f);
  Executor exec(f);
  Tensor x =
      Tensor::fromValues<int8_t>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  int observed = 0;
  RunOptions opts;
  opts.observeConstants = true;
  opts.onValue = [&](mlir::Operation *, const Tensor &) { ++observed; };
  auto a = exec.run({x}, opts);
  ASSERT_TRUE(static_cast<bool>(a)) << llvm::toString(a.takeError());
  auto b = exec.run({x}, opts);
  ASSERT_TRUE(static_cast<bool>(b)) << llvm::toString(b.takeError());
  EXPECT_EQ((*a)[0], (*b)[0]);
  EXPECT_EQ(observed, 2 * 10); // 8 constants + 2 ops, twice
}

TEST_F(InterpreterTest, RejectsInputOfWrongType) {
  auto f = parse(kConvRescale);
  ASSERT_TRUE(f);
  Tensor x(ElementType::U8, {1, 3, 3, 1});
  auto out = runFunction(f, {x});
  ASSERT_FALSE(static_cast<bool>(out));
  std::string msg = llvm::toString(out.takeError());
  EXPECT_NE(msg.find("input #0 of @main: expected tensor<1x3x3x1xi8>, got "
                     "1x3x3x1xu8"),
            std::string::npos)
      << msg;
  auto none = runFunction(f, {});
  ASSERT_FALSE(static_cast<bool>(none));
  EXPECT_NE(llvm::toString(none.takeError()).find("takes 1 inputs, got 0"),
            std::string::npos);
}

TEST_F(InterpreterTest, UnsupportedOpsAreListedWithLocations) {
  auto f = parse(R"mlir(
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tosa.sin %x : (tensor<4xf32>) -> tensor<4xf32> loc("s1")
  %b = tosa.exp %a : (tensor<4xf32>) -> tensor<4xf32>
  %c = tosa.cos %b : (tensor<4xf32>) -> tensor<4xf32> loc("c1")
  return %c : tensor<4xf32>
}
)mlir");
  ASSERT_TRUE(f);
  llvm::Error err = checkSupported(f);
  ASSERT_TRUE(static_cast<bool>(err));
  std::string msg = llvm::toString(std::move(err));
  EXPECT_NE(msg.find("2 op(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'tosa.sin' at loc(\"s1\")"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'tosa.cos' at loc(\"c1\")"), std::string::npos) << msg;
  auto out = runFunction(f, {Tensor(ElementType::F32, {4})});
  ASSERT_FALSE(static_cast<bool>(out));
  EXPECT_NE(llvm::toString(out.takeError())
                .find("'tosa.sin' at loc(\"s1\"): unsupported op"),
            std::string::npos);
}

TEST_F(InterpreterTest, FloatOpOnIntegersIsATypeError) {
  auto f = parse(R"mlir(
func.func @main(%x: tensor<4xi32>) -> tensor<4xi32> {
  %a = tosa.abs %x : (tensor<4xi32>) -> tensor<4xi32> loc("abs")
  return %a : tensor<4xi32>
}
)mlir");
  ASSERT_TRUE(f);
  auto out = runFunction(f, {Tensor(ElementType::I32, {4})});
  ASSERT_FALSE(static_cast<bool>(out));
  EXPECT_NE(llvm::toString(out.takeError())
                .find("'tosa.abs' at loc(\"abs\"): unsupported element type "
                      "i32 (this op runs on f32 only)"),
            std::string::npos);
}

// i16 x i8 conv accumulates into i48 (stored as i64), then RESCALE with
// scale32 = false (apply_scale_16) brings it back: 32767 * 127 * 9 =
// 37451781, * 2^14 / 2^30 = 571.47... -> 571.
TEST_F(InterpreterTest, Int16ConvWithI48Accumulator) {
  auto f = parse(R"mlir(
func.func @main(%x: tensor<1x3x3x1xi16>) -> tensor<1x1x1x1xi16> {
  %w = "tosa.const"() {values = dense<127> : tensor<1x3x3x1xi8>}
      : () -> tensor<1x3x3x1xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<1xi48>}
      : () -> tensor<1xi48>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi16>}
      : () -> tensor<1xi16>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>}
      : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i48,
      pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x3x3x1xi16>,
      tensor<1x3x3x1xi8>, tensor<1xi48>, tensor<1xi16>, tensor<1xi8>)
      -> tensor<1x1x1x1xi48>
  %m = "tosa.const"() {values = dense<16384> : tensor<1xi16>}
      : () -> tensor<1xi16>
  %s = "tosa.const"() {values = dense<30> : tensor<1xi8>}
      : () -> tensor<1xi8>
  %z48 = "tosa.const"() {values = dense<0> : tensor<1xi48>}
      : () -> tensor<1xi48>
  %y = tosa.rescale %acc, %m, %s, %z48, %izp {scale32 = false,
      rounding_mode = SINGLE_ROUND, per_channel = false,
      input_unsigned = false, output_unsigned = false}
      : (tensor<1x1x1x1xi48>, tensor<1xi16>, tensor<1xi8>, tensor<1xi48>,
         tensor<1xi16>) -> tensor<1x1x1x1xi16>
  return %y : tensor<1x1x1x1xi16>
}
)mlir");
  ASSERT_TRUE(f);
  std::vector<int16_t> ones(9, 32767);
  auto out = runFunction(f, {Tensor::fromValues<int16_t>({1, 3, 3, 1}, ones)});
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  EXPECT_EQ((*out)[0].getInt(0), 571);
}

// Inputs bind by ONNX name (onnx.name), "argI" or "I"; the error list names
// every argument, unnamed ones as "argI".
TEST_F(InterpreterTest, FindsArgumentsByNameOrPosition) {
  auto f = parse(R"mlir(
func.func @main(%a: tensor<1xf32> {onnx.name = "images"}, %b: tensor<1xf32>)
    -> tensor<1xf32> {
  %y = tosa.add %a, %b : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  return %y : tensor<1xf32>
}
)mlir");
  ASSERT_TRUE(f);
  EXPECT_EQ(findArgument(f, "images"), 0u);
  EXPECT_EQ(findArgument(f, "arg0"), 0u);
  EXPECT_EQ(findArgument(f, "1"), 1u);
  EXPECT_EQ(findArgument(f, "arg1"), 1u);
  EXPECT_EQ(findArgument(f, "labels"), std::nullopt);
  EXPECT_EQ(findArgument(f, "2"), std::nullopt);
  EXPECT_EQ(argumentNames(f), "'images', 'arg1'");
}

// The first diagnostic, after its location, is kept; later ones are dropped.
TEST_F(InterpreterTest, FirstDiagnosticKeepsTheFirst) {
  FirstDiagnostic diag(*ctx);
  EXPECT_EQ(diag.str(), "");
  mlir::Location loc = mlir::FileLineColLoc::get(ctx.get(), "m.mlir", 3, 7);
  mlir::emitError(loc) << "first";
  mlir::emitError(loc) << "second";
  // The location as MLIR prints it.
  EXPECT_EQ(diag.str(), "loc(\"m.mlir\":3:7): first");
}

} // namespace

// Conv + activation fusion (detail::planEpilogues): which ops it takes and
// that the fused run returns exactly what the observed, op-by-op run does.
// The 1x1 convs below double their input (weight 2, bias 0.5):
// x = [-4, -1, 0, 3] -> c = [-7.5, -1.5, 0.5, 6.5].
const char *kFusion = R"mlir(
func.func @main(%x: tensor<1x2x2x1xf32>) -> (tensor<1x2x2x1xf32>,
    tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) {
  %w = "tosa.const"() {values = dense<2.0> : tensor<1x1x1x1xf32>}
      : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.5> : tensor<1xf32>}
      : () -> tensor<1xf32>
  %z = "tosa.const"() {values = dense<0.0> : tensor<1xf32>}
      : () -> tensor<1xf32>
  %sh = "tosa.const"() {values = dense<0> : tensor<1xi8>}
      : () -> tensor<1xi8>
  // fused: clamp to [0, 6] -> [0, 0, 0.5, 6]
  %c0 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32,
      pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>,
      tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>)
      -> tensor<1x2x2x1xf32>
  %r0 = tosa.clamp %c0 {min_val = 0.0 : f32, max_val = 6.0 : f32}
      : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  // fused: SiLU, mul(sigmoid, conv) order
  %c1 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32,
      pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>,
      tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>)
      -> tensor<1x2x2x1xf32>
  %s1 = tosa.sigmoid %c1 : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %m1 = tosa.mul %s1, %c1, %sh : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>,
      tensor<1xi8>) -> tensor<1x2x2x1xf32>
  // not fused: the conv's result is also returned
  %c2 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32,
      pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>,
      tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>)
      -> tensor<1x2x2x1xf32>
  %r2 = tosa.clamp %c2 {min_val = 0.0 : f32, max_val = 6.0 : f32}
      : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  // not fused: the mul takes the sigmoid of the conv and x, not the conv
  %c3 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32,
      pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>,
      tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>)
      -> tensor<1x2x2x1xf32>
  %s3 = tosa.sigmoid %c3 : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %m3 = tosa.mul %s3, %x, %sh : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>,
      tensor<1xi8>) -> tensor<1x2x2x1xf32>
  %sum = tosa.add %m3, %c2 : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>)
      -> tensor<1x2x2x1xf32>
  return %r0, %m1, %r2, %sum : tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>,
      tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>
}
)mlir";

TEST_F(InterpreterTest, FusedConvActivationsMatchTheOpByOpRun) {
  auto f = parse(kFusion);
  ASSERT_TRUE(f);
  detail::EpiloguePlan plan = detail::planEpilogues(f.getBody().front());
  // Producers c0 (clamp) and c1 (SiLU); absorbed r0, s1 and m1.
  EXPECT_EQ(plan.producers.size(), 2u);
  EXPECT_EQ(plan.absorbed.size(), 3u);
  for (auto &[op, producer] : plan.absorbed)
    EXPECT_TRUE(plan.producers.count(producer));

  Tensor x = Tensor::fromValues<float>({1, 2, 2, 1}, {-4, -1, 0, 3});
  Executor exec(f);
  auto fused = exec.run({x});
  ASSERT_TRUE(bool(fused)) << llvm::toString(fused.takeError());
  RunOptions observe;
  unsigned observed = 0;
  observe.onValue = [&](mlir::Operation *, const Tensor &) { ++observed; };
  auto unfused = exec.run({x}, observe);
  ASSERT_TRUE(bool(unfused)) << llvm::toString(unfused.takeError());
  EXPECT_EQ(observed, 11u); // every non-constant op ran on its own
  ASSERT_EQ(fused->size(), 4u);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ((*fused)[i], (*unfused)[i]) << "output " << i;
  EXPECT_EQ((*fused)[0].values<float>(),
            llvm::ArrayRef<float>({0.0f, 0.0f, 0.5f, 6.0f}));
  // SiLU: c * sigmoid(c) at c = 0.5 is 0.5 / (1 + e^-0.5) = 0.31122967.
  EXPECT_NEAR((*fused)[1].values<float>()[2], 0.31122967f, 1e-7f);
}

TEST_F(InterpreterTest, FloatConvLeavesOpenBlasThreadCountAsItWas) {
  // The executor runs OpenBLAS single-threaded only while a conv runs.
  auto f = parse(kFusion);
  ASSERT_TRUE(f);
  openblas_set_num_threads(2);
  if (openblas_get_num_threads() != 2)
    GTEST_SKIP() << "this OpenBLAS build runs one thread only";
  Tensor x = Tensor::fromValues<float>({1, 2, 2, 1}, {-4, -1, 0, 3});
  auto out = Executor(f).run({x});
  ASSERT_TRUE(bool(out)) << llvm::toString(out.takeError());
  EXPECT_EQ(openblas_get_num_threads(), 2);
}
