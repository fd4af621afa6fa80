//===- NodeConfigTest.cpp - The per-node config format -------------------===//
//
// compiler/driver/NodeConfig: parsing (file order, lines, messages),
// printing (round trip), and matching entries to nodes (overrides, exact
// names with glob metacharacters, errors). The driver's use of it is
// tested end to end by tests/python/test_node_config.py.
//
//===----------------------------------------------------------------------===//
#include "compiler/driver/NodeConfig.h"

#include "llvm/Support/GlobPattern.h"

#include <gtest/gtest.h>

using namespace tessera;
using namespace tessera::driver;

namespace {

std::string errorOf(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string("success");
}

NodeConfig parse(llvm::StringRef text) {
  auto c = parseNodeConfig(text, "c.yaml");
  EXPECT_TRUE(static_cast<bool>(c)) << (c ? "" : errorOf(c.takeError()));
  return c ? std::move(*c) : NodeConfig();
}

std::string parseError(llvm::StringRef text) {
  auto c = parseNodeConfig(text, "c.yaml");
  return c ? std::string("parsed") : errorOf(c.takeError());
}

TEST(NodeConfig, EntriesInFileOrderWithTheirLines) {
  // Enough keys that llvm::yaml's hash order is not the file's.
  std::string text = "calibration_method: kl\nnodes:\n";
  for (int i = 0; i < 20; ++i)
    text += "  n" + std::to_string(19 - i) + ": { device: cpu }\n";
  text += "  block:\n    dtype: int16\n    percentile: 99.5\n";
  NodeConfig c = parse(text);
  ASSERT_EQ(c.nodes.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(c.nodes[i].pattern, "n" + std::to_string(19 - i));
    EXPECT_EQ(c.nodes[i].line, unsigned(3 + i));
    EXPECT_EQ(c.nodes[i].device->line, unsigned(3 + i));
  }
  const NodeConfigEntry &b = c.nodes[20];
  EXPECT_EQ(b.pattern, "block");
  EXPECT_EQ(b.line, 23u); // the key's line, not its first field's
  EXPECT_EQ(b.dtype->value, quant::DType::Int16);
  EXPECT_EQ(b.dtype->line, 24u);
  EXPECT_EQ(b.percentile->value, 99.5);
  EXPECT_EQ(b.percentile->line, 25u);
  EXPECT_FALSE(b.device);
  ASSERT_TRUE(c.calibrationMethod);
  EXPECT_EQ(c.calibrationMethod->value, quant::CalibrationMethod::Entropy);
  EXPECT_EQ(c.calibrationMethod->line, 1u);
  EXPECT_EQ(c.at(24, "dtype"), "c.yaml:24: field 'dtype': ");
}

TEST(NodeConfig, Messages) {
  EXPECT_EQ(parseError("nodes:\n  a: { dtype: int4 }\n"),
            "c.yaml:2:15: field 'dtype': unknown dtype 'int4' (expected "
            "uint8, int8 or int16)");
  EXPECT_EQ(parseError("nodes:\n  a: { dtype: int8, colour: red }\n"),
            "c.yaml:2:21: unknown field 'colour' (expected dtype, scheme, "
            "calibration_method, percentile, device)");
  EXPECT_EQ(parseError("nodes:\n  a: {}\n  a: {}\n"),
            "c.yaml:3:3: 'a' is given twice (one entry per node name or "
            "pattern)");
  EXPECT_EQ(parseError("percentile: 0\n"),
            "c.yaml:1:13: field 'percentile': expected a number in (0, 100], "
            "got '0'");
  EXPECT_EQ(parseError("percentile: nan\n"),
            "c.yaml:1:13: field 'percentile': expected a number in (0, 100], "
            "got 'nan'");
  EXPECT_EQ(parseError("- a\n"),
            "c.yaml:1:1: expected a mapping of fields (target, scheme, "
            "calibration_method, percentile, nodes)");
  // An empty file is an empty config.
  EXPECT_TRUE(parse("").nodes.empty());
  EXPECT_TRUE(parse("# nothing\n").nodes.empty());
}

TEST(NodeConfig, PrintParsePrintIsIdentical) {
  NodeConfig c;
  c.target = Located<std::string>{"j5", 0};
  c.calibrationMethod =
      Located<quant::CalibrationMethod>{quant::CalibrationMethod::Percentile, 0};
  // llvm::yaml's own "%g" would print 100 and read back another number.
  c.percentile = Located<double>{99.99999, 0};
  for (const char *name : {"/a/Conv", "a: b #c", "x'y\"z", "[*]", "null"}) {
    NodeConfigEntry &e = c.nodes.emplace_back();
    e.pattern = name;
    e.dtype = Located<quant::DType>{quant::DType::UInt8, 0};
    e.device = Located<Device>{Device::Cpu, 0};
  }
  std::string text = printNodeConfig(c);
  NodeConfig back = parse(text);
  ASSERT_EQ(back.nodes.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(back.nodes[i].pattern, c.nodes[i].pattern);
    EXPECT_EQ(back.nodes[i].dtype->value, quant::DType::UInt8);
    EXPECT_EQ(back.nodes[i].device->value, Device::Cpu);
  }
  EXPECT_EQ(back.percentile->value, 99.99999);
  EXPECT_EQ(printNodeConfig(back), text);
  EXPECT_NE(text.find("\n  '/a/Conv':         { dtype: uint8, device: cpu }\n"),
            std::string::npos)
      << text;
}

TEST(NodeConfig, LaterEntriesOverrideEarlierOnes) {
  NodeConfig c = parse("nodes:\n"
                       "  'conv*': { calibration_method: percentile, "
                       "percentile: 99, dtype: int16, device: cpu }\n"
                       "  conv2: { calibration_method: mse, scheme: s8 }\n"
                       "  '[x]': { device: npu }\n");
  auto r = resolveNodeConfig(c, {"conv1", "conv2", "relu", "[x]"});
  ASSERT_TRUE(static_cast<bool>(r)) << errorOf(r.takeError());
  EXPECT_EQ(r->matches[0], (std::vector<std::string>{"conv1", "conv2"}));
  EXPECT_EQ(r->matches[1], (std::vector<std::string>{"conv2"}));
  // '[x]' is a node's own name: it matches that node, not a glob's "x".
  EXPECT_EQ(r->matches[2], (std::vector<std::string>{"[x]"}));
  EXPECT_FALSE(r->nodes.count("relu"));
  const NodeSettings &c1 = r->nodes["conv1"], &c2 = r->nodes["conv2"];
  EXPECT_EQ(c1.calibrationMethod->value, quant::CalibrationMethod::Percentile);
  EXPECT_EQ(c1.percentile->value, 99.0);
  EXPECT_EQ(c1.dtype->value, quant::DType::Int16);
  // conv2's own method drops the glob's percentile, its scheme the glob's
  // dtype; the device it does not set stays the glob's.
  EXPECT_EQ(c2.calibrationMethod->value, quant::CalibrationMethod::Mse);
  EXPECT_FALSE(c2.percentile);
  EXPECT_EQ(c2.scheme->value, "s8");
  EXPECT_FALSE(c2.dtype);
  EXPECT_EQ(c2.device->value, Device::Cpu);
  EXPECT_EQ(c2.device->line, 2u);
}

TEST(NodeConfig, PatternsThatMatchNothingAreErrors) {
  NodeConfig c = parse("nodes:\n  conv1: {}\n  'backbone/*': {}\n");
  EXPECT_EQ(errorOf(resolveNodeConfig(c, {"conv1"}).takeError()),
            "c.yaml:3: nodes: 'backbone/*' matches no ONNX node of the model");
  NodeConfig bad = parse("nodes:\n  'a[': {}\n");
  EXPECT_EQ(errorOf(resolveNodeConfig(bad, {"a"}).takeError()),
            "c.yaml:2: nodes: 'a[' is not a valid pattern: invalid glob "
            "pattern, unmatched '['");
}

TEST(NodeConfig, GlobEscape) {
  EXPECT_EQ(globEscape("a[0]*{b}?\\"), "a\\[0\\]\\*\\{b\\}\\?\\\\");
  // GlobPattern keeps pointers into its pattern: the string must outlive it.
  const std::string escaped = globEscape("a[0]*");
  auto g = llvm::GlobPattern::create(escaped);
  ASSERT_TRUE(static_cast<bool>(g));
  EXPECT_TRUE(g->match("a[0]*"));
  EXPECT_FALSE(g->match("a0"));
}

} // namespace
