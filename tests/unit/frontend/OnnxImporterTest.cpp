//===- OnnxImporterTest.cpp - importOnnxBytes/File through the C++ API ----===//

#include "compiler/frontend/OnnxImporter.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace mlir;
using namespace tessera::frontend;

namespace {

/// Builds a small ModelProto in memory.
struct ModelBuilder {
  onnx::ModelProto model;
  onnx::GraphProto *graph;

  explicit ModelBuilder(int64_t opset = 17) {
    model.set_ir_version(8);
    auto *os = model.add_opset_import();
    os->set_domain("");
    os->set_version(opset);
    graph = model.mutable_graph();
    graph->set_name("g");
  }
  void input(const std::string &name, std::vector<int64_t> shape) {
    auto *vi = graph->add_input();
    vi->set_name(name);
    auto *tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : shape)
      tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void output(const std::string &name) { graph->add_output()->set_name(name); }
  void init(const std::string &name, std::vector<int64_t> shape,
            std::vector<float> data) {
    auto *t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : shape)
      t->add_dims(d);
    for (float v : data)
      t->add_float_data(v);
  }
  onnx::NodeProto *node(const std::string &op, std::vector<std::string> ins,
                        std::vector<std::string> outs,
                        const std::string &name) {
    auto *n = graph->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto &i : ins)
      n->add_input(i);
    for (auto &o : outs)
      n->add_output(o);
    return n;
  }
  static void ints(onnx::NodeProto *n, const std::string &name,
                   std::vector<int64_t> v) {
    auto *a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (int64_t x : v)
      a->add_ints(x);
  }
  std::string bytes() const { return model.SerializeAsString(); }
};

std::string str(Attribute a) {
  auto s = llvm::dyn_cast_or_null<StringAttr>(a);
  return s ? s.getValue().str() : std::string("<none>");
}

TEST(OnnxImporter, ConvCarriesNodeNameLayoutAndPads) {
  ModelBuilder mb;
  mb.input("x", {1, 2, 3, 3});
  // W[o][i] = 10 o + i (1x1 kernel), OHWI [o][0][0][i] is the same order.
  mb.init("W", {2, 2, 1, 1}, {0, 1, 10, 11});
  auto *conv = mb.node("Conv", {"x", "W"}, {"y"}, "conv0");
  // ONNX [top, left, bottom, right] = [1, 0, 2, 3].
  ModelBuilder::ints(conv, "pads", {1, 0, 2, 3});
  mb.output("y");

  MLIRContext ctx;
  auto module = importOnnxBytes(ctx, mb.bytes(), ImportOptions(), "m.onnx");
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());

  auto func = (*module)->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(func);
  EXPECT_EQ(str(func.getArgAttr(0, "onnx.name")), "x");
  EXPECT_EQ(str(func.getResultAttr(0, "onnx.name")), "y");
  // ONNX layout at the boundary: 1x2x3x3 in, 1x2x(3+3-1+1)x(3+3) out.
  EXPECT_EQ(func.getFunctionType().getResult(0),
            RankedTensorType::get({1, 2, 6, 6}, Float32Type::get(&ctx)));

  tosa::Conv2DOp op;
  func.walk([&](tosa::Conv2DOp c) { op = c; });
  ASSERT_TRUE(op);
  // TOSA pad is [top, bottom, left, right].
  EXPECT_EQ(op.getPad(), (llvm::ArrayRef<int64_t>{1, 2, 0, 3}));
  EXPECT_EQ(str(op->getAttr("onnx.node")), "conv0");
  EXPECT_EQ(str(op->getAttr("onnx.output")), "y");
  EXPECT_EQ(str(op->getAttr("onnx.layout")), "NHWC");
  auto loc = llvm::dyn_cast<NameLoc>(op->getLoc());
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc.getName().getValue(), "conv0");
  auto file = llvm::dyn_cast<FileLineColLoc>(loc.getChildLoc());
  ASSERT_TRUE(file);
  EXPECT_EQ(file.getFilename().getValue(), "m.onnx");
  EXPECT_EQ(file.getLine(), 1u); // first node of graph.node

  auto weight = op.getWeight().getDefiningOp<tosa::ConstOp>();
  ASSERT_TRUE(weight);
  auto values = llvm::to_vector(weight.getValues().getValues<float>());
  EXPECT_EQ(values, (llvm::SmallVector<float>{0, 1, 10, 11}));

  // Every op of the body names its node.
  func.walk([&](Operation *o) {
    if (llvm::isa<func::ReturnOp, func::FuncOp>(o))
      return;
    EXPECT_EQ(str(o->getAttr("onnx.node")), "conv0")
        << o->getName().getStringRef().str();
  });
}

// Conv and ConvTranspose read their weight and bias through the same helpers
// (ops/Window.h convWeight / convBias): same checks, same messages. The
// weight is 2x2x1x1, so both have 2 output channels.
TEST(OnnxImporter, ConvFamilyChecksWeightAndBiasAlike) {
  for (std::string op : {"Conv", "ConvTranspose"}) {
    for (bool badBias : {true, false}) {
      ModelBuilder mb;
      mb.input("x", {1, 2, 3, 3});
      if (badBias)
        mb.init("W", {2, 2, 1, 1}, {0, 1, 10, 11});
      else
        mb.init("W", {2, 2, 1}, {0, 1, 10, 11});
      mb.init("B", {3}, {1, 2, 3});
      mb.node(op, {"x", "W", "B"}, {"y"}, "c0");
      mb.output("y");
      MLIRContext ctx;
      auto module = importOnnxBytes(ctx, mb.bytes(), ImportOptions(), "m.onnx");
      ASSERT_FALSE(static_cast<bool>(module)) << op;
      std::string err = llvm::toString(module.takeError());
      std::string want =
          "node 'c0' (" + op + "): " +
          (badBias ? "bias ('B') must be a constant float tensor of 2 values"
                   : "weight must be a 4-D float tensor, got shape 2x2x1");
      EXPECT_NE(err.find(want), std::string::npos) << err;
    }
  }
}

TEST(OnnxImporter, FoldedBatchNormIsInTheLocation) {
  ModelBuilder mb;
  mb.input("x", {1, 1, 2, 2});
  mb.init("W", {1, 1, 1, 1}, {2});
  for (const char *p : {"g", "b", "m", "v"})
    mb.init(p, {1}, {1});
  mb.node("Conv", {"x", "W"}, {"c"}, "conv0");
  mb.node("BatchNormalization", {"c", "g", "b", "m", "v"}, {"y"}, "bn0");
  mb.output("y");
  MLIRContext ctx;
  auto module = importOnnxBytes(ctx, mb.bytes(), ImportOptions(), "m.onnx");
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  tosa::Conv2DOp op;
  (*module)->walk([&](tosa::Conv2DOp c) { op = c; });
  ASSERT_TRUE(op);
  EXPECT_EQ(str(op->getAttr("onnx.output")), "y");
  auto fused = llvm::dyn_cast<FusedLoc>(op->getLoc());
  ASSERT_TRUE(fused);
  llvm::StringSet<> names;
  for (Location l : fused.getLocations())
    if (auto n = llvm::dyn_cast<NameLoc>(l))
      names.insert(n.getName().getValue());
  EXPECT_TRUE(names.contains("conv0"));
  EXPECT_TRUE(names.contains("bn0"));
}

TEST(OnnxImporter, OneErrorListsEveryUnsupportedOperator) {
  ModelBuilder mb;
  mb.input("x", {1, 4});
  mb.node("Sin", {"x"}, {"a"}, "sin0");
  mb.node("Relu", {"a"}, {"b"}, "relu0");
  mb.node("Cos", {"b"}, {"y"}, "");
  mb.output("y");
  MLIRContext ctx;
  auto module = importOnnxBytes(ctx, mb.bytes(), ImportOptions(), "m.onnx");
  ASSERT_FALSE(static_cast<bool>(module));
  EXPECT_EQ(llvm::toString(module.takeError()),
            "m.onnx: unsupported operators: node 'sin0' (op Sin, opset 17), "
            "node 'Cos_2' (op Cos, opset 17)");
}

TEST(OnnxImporter, RepeatedUnsupportedOperatorsAreCountedNotListed) {
  ModelBuilder mb;
  mb.input("x", {1, 4});
  mb.node("Sin", {"x"}, {"a"}, "sin0");
  mb.node("Cos", {"a"}, {"b"}, "cos0");
  mb.node("Sin", {"b"}, {"c"}, "sin1");
  mb.node("Sin", {"c"}, {"d"}, "sin2");
  mb.node("Cos", {"d"}, {"y"}, "cos1");
  mb.output("y");
  MLIRContext ctx;
  auto module = importOnnxBytes(ctx, mb.bytes(), ImportOptions(), "m.onnx");
  ASSERT_FALSE(static_cast<bool>(module));
  EXPECT_EQ(llvm::toString(module.takeError()),
            "m.onnx: unsupported operators: node 'sin0' (op Sin, opset 17) "
            "and 2 more Sin nodes, node 'cos0' (op Cos, opset 17) and 1 more "
            "Cos node");
}

TEST(OnnxImporter, RejectsCorruptBytesAndMissingFile) {
  MLIRContext ctx;
  auto bad = importOnnxBytes(ctx, "\xff\xff\xff", ImportOptions(), "b.onnx");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(
      llvm::toString(bad.takeError()).rfind("b.onnx: not a valid ONNX", 0), 0u);
  auto missing = importOnnxFile(ctx, "/nonexistent/x.onnx", ImportOptions());
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_EQ(llvm::toString(missing.takeError())
                .rfind("/nonexistent/x.onnx: cannot open", 0),
            0u);
}

// The fixture models: every ONNX Conv output tensor name is recorded on the
// op that produces it, so reports and calibration can map back.
class FixtureModels : public ::testing::TestWithParam<const char *> {};

TEST_P(FixtureModels, ImportsWithEveryConvMapped) {
  const char *shared = std::getenv("TESSERA_SHARED_DIR");
  std::string path = std::string(shared ? shared : "../shared") +
                     "/fixtures/models/" + GetParam() + ".onnx";
  if (!llvm::sys::fs::exists(path))
    GTEST_SKIP() << "fixture " << path << " absent (no ../shared)";

  MLIRContext ctx;
  auto module = importOnnxFile(ctx, path, ImportOptions());
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());

  // The ONNX side, read directly.
  onnx::ModelProto model;
  {
    auto buf = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(static_cast<bool>(buf));
    ASSERT_TRUE(model.ParseFromArray((*buf)->getBufferStart(),
                                     (*buf)->getBufferSize()));
  }
  int onnxConvs = 0;
  llvm::StringSet<> convOutputs;
  for (const auto &n : model.graph().node())
    if (n.op_type() == "Conv") {
      ++onnxConvs;
      convOutputs.insert(n.output(0));
    }

  int tosaConvs = 0;
  llvm::StringSet<> recorded;
  (*module)->walk([&](Operation *op) {
    if (!llvm::isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op))
      return;
    auto node = op->getAttrOfType<StringAttr>("onnx.node");
    ASSERT_TRUE(node);
    auto loc = llvm::dyn_cast<NameLoc>(op->getLoc());
    ASSERT_TRUE(loc);
    EXPECT_EQ(loc.getName(), node);
    if (auto out = op->getAttrOfType<StringAttr>("onnx.output"))
      recorded.insert(out.getValue());
    ++tosaConvs;
  });
  int gemms = 0;
  for (const auto &n : model.graph().node())
    gemms += n.op_type() == "Gemm";
  EXPECT_EQ(tosaConvs, onnxConvs + gemms);
  for (const auto &name : convOutputs.keys())
    EXPECT_TRUE(recorded.contains(name)) << name.str();
}

INSTANTIATE_TEST_SUITE_P(Shared, FixtureModels,
                         ::testing::Values("squeezenet1_1", "mobilenet_v2"));

} // namespace
