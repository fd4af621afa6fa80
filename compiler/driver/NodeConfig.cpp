//===- NodeConfig.cpp - Per-node quantization config (YAML) ---------------===//
#include "compiler/driver/NodeConfig.h"

#include "core/io/Output.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

#include <charconv>
#include <cmath>
#include <utility>

using namespace tessera;
using namespace tessera::driver;
using llvm::StringRef;

namespace {

/// The parse's state, reached from the traits through the IO's context:
/// where the current YAML node is (for the lines the driver's errors
/// name), which field is being read and which fields the current mapping
/// accepts (for the messages).
struct ParseContext {
  llvm::yaml::Input *in = nullptr;
  StringRef buffer;
  std::string field;
  const char *expected = "";
  std::string message; // storage for a ScalarTraits error

  /// Offset of the current YAML node in the buffer (llvm::yaml scans the
  /// caller's buffer in place).
  size_t currentOffset() const {
    const llvm::yaml::Node *n = in ? in->getCurrentNode() : nullptr;
    if (!n)
      return 0;
    const char *p = n->getSourceRange().Start.getPointer();
    if (!p || p < buffer.begin() || p > buffer.end())
      return 0;
    return p - buffer.begin();
  }
  unsigned lineOf(size_t offset) const {
    return 1 + buffer.take_front(offset).count('\n');
  }
  unsigned currentLine() const { return lineOf(currentOffset()); }
};

ParseContext *parseContext(void *ctx) {
  return static_cast<ParseContext *>(ctx);
}

/// Records the line of a value just read.
template <typename T> void locate(void *ctx, Located<T> &v) {
  if (ParseContext *pc = parseContext(ctx))
    v.line = pc->currentLine();
}

StringRef reject(void *ctx, const llvm::Twine &msg) {
  ParseContext *pc = parseContext(ctx);
  pc->message = msg.str();
  return pc->message;
}

constexpr const char *kTopFields =
    "target, scheme, calibration_method, percentile, nodes";
constexpr const char *kNodeFields =
    "dtype, scheme, calibration_method, percentile, device";

} // namespace

namespace llvm::yaml {

template <> struct ScalarTraits<Located<std::string>> {
  static void output(const Located<std::string> &v, void *ctx,
                     raw_ostream &os) {
    ScalarTraits<std::string>::output(v.value, ctx, os);
  }
  static StringRef input(StringRef s, void *ctx, Located<std::string> &v) {
    locate(ctx, v);
    return ScalarTraits<std::string>::input(s, ctx, v.value);
  }
  static QuotingType mustQuote(StringRef s) { return needsQuotes(s); }
};

template <> struct ScalarTraits<Located<quant::DType>> {
  static void output(const Located<quant::DType> &v, void *, raw_ostream &os) {
    os << quant::dtypeName(v.value);
  }
  static StringRef input(StringRef s, void *ctx, Located<quant::DType> &v) {
    locate(ctx, v);
    std::optional<quant::DType> d = quant::parseDType(std::string_view(s));
    if (!d || (*d != quant::DType::UInt8 && *d != quant::DType::Int8 &&
               *d != quant::DType::Int16))
      return reject(ctx, "unknown dtype '" + s +
                             "' (expected uint8, int8 or int16)");
    v.value = *d;
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct ScalarTraits<Located<quant::CalibrationMethod>> {
  static void output(const Located<quant::CalibrationMethod> &v, void *,
                     raw_ostream &os) {
    os << quant::calibrationMethodName(v.value);
  }
  static StringRef input(StringRef s, void *ctx,
                         Located<quant::CalibrationMethod> &v) {
    locate(ctx, v);
    auto m = quant::parseCalibrationMethod(std::string_view(s));
    if (!m)
      return reject(ctx, "unknown calibration method '" + s + "' (expected " +
                             quant::calibrationMethodNames() + ")");
    v.value = *m;
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct ScalarTraits<Located<Device>> {
  static void output(const Located<Device> &v, void *, raw_ostream &os) {
    os << (v.value == Device::Cpu ? "cpu" : "npu");
  }
  static StringRef input(StringRef s, void *ctx, Located<Device> &v) {
    locate(ctx, v);
    if (s == "cpu")
      v.value = Device::Cpu;
    else if (s == "npu")
      v.value = Device::Npu;
    else
      return reject(ctx, "unknown device '" + s +
                             "' (expected npu, or cpu: run on the host)");
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

/// The percentile, printed as the shortest text that reads back to the
/// same double (llvm::yaml's "%g" would print 99.99999 as 100).
template <> struct ScalarTraits<Located<double>> {
  static void output(const Located<double> &v, void *, raw_ostream &os) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v.value);
    os << StringRef(buf, r.ptr - buf);
  }
  static StringRef input(StringRef s, void *ctx, Located<double> &v) {
    locate(ctx, v);
    double p = 0;
    if (s.trim().getAsDouble(p) || !std::isfinite(p) || !(p > 0.0) ||
        p > 100.0)
      return reject(ctx, "expected a number in (0, 100], got '" + s + "'");
    v.value = p;
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

} // namespace llvm::yaml

namespace {

/// io.mapOptional with the field's name kept for the messages.
template <typename T>
void mapField(llvm::yaml::IO &io, const char *key, T &v) {
  ParseContext *pc = io.outputting() ? nullptr : parseContext(io.getContext());
  std::string outer;
  if (pc)
    outer = std::exchange(pc->field, key);
  io.mapOptional(key, v);
  if (pc)
    pc->field = outer;
}

/// The `nodes:` map, in file order (llvm::yaml hands a map's keys over in
/// no particular order; the entries are sorted by their offset after).
struct NodeEntries {
  std::vector<NodeConfigEntry> *entries;
};

} // namespace

namespace llvm::yaml {

template <> struct MappingTraits<NodeConfigEntry> {
  static void mapping(IO &io, NodeConfigEntry &e) {
    if (!io.outputting()) {
      ParseContext *pc = parseContext(io.getContext());
      e.offset = pc->currentOffset();
      // The line of the key: the last occurrence of the pattern before
      // the entry's value (a block mapping starts on the next line); the
      // value's own line if the key is written with escapes.
      StringRef before = pc->buffer.take_front(e.offset);
      size_t at = before.rfind(e.pattern);
      e.line = pc->lineOf(at == StringRef::npos ? e.offset : at);
      // `conv1: 3` (llvm::yaml would blame the first field it looks up).
      const llvm::yaml::Node *n = pc->in->getCurrentNode();
      if (n && !llvm::isa<llvm::yaml::MappingNode>(n) &&
          !llvm::isa<llvm::yaml::NullNode>(n)) {
        pc->field.clear();
        io.setError("'" + e.pattern + "': expected a mapping of fields ({ " +
                    kNodeFields + " })");
        return;
      }
    }
    mapField(io, "dtype", e.dtype);
    mapField(io, "scheme", e.scheme);
    mapField(io, "calibration_method", e.calibrationMethod);
    mapField(io, "percentile", e.percentile);
    mapField(io, "device", e.device);
    if (!io.outputting())
      parseContext(io.getContext())->expected = kNodeFields;
  }
  static const bool flow = true;
};

template <> struct CustomMappingTraits<NodeEntries> {
  static void inputOne(IO &io, StringRef key, NodeEntries &v) {
    NodeConfigEntry e;
    e.pattern = key.str();
    io.mapRequired(e.pattern.c_str(), e);
    v.entries->push_back(std::move(e));
  }
  static void output(IO &io, NodeEntries &v) {
    for (NodeConfigEntry &e : *v.entries)
      io.mapRequired(e.pattern.c_str(), e);
  }
};

template <> struct MappingTraits<NodeConfig> {
  static void mapping(IO &io, NodeConfig &c) {
    if (!io.outputting()) {
      ParseContext *pc = parseContext(io.getContext());
      const llvm::yaml::Node *n = pc->in->getCurrentNode();
      if (n && !llvm::isa<llvm::yaml::MappingNode>(n)) {
        io.setError(llvm::Twine("expected a mapping of fields (") +
                    kTopFields + ")");
        return;
      }
    }
    mapField(io, "target", c.target);
    mapField(io, "scheme", c.scheme);
    mapField(io, "calibration_method", c.calibrationMethod);
    mapField(io, "percentile", c.percentile);
    NodeEntries entries{&c.nodes};
    mapField(io, "nodes", entries);
    if (!io.outputting())
      parseContext(io.getContext())->expected = kTopFields;
  }
};

} // namespace llvm::yaml

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// Captures llvm::yaml's first diagnostic as "LINE:COL: field 'F': MSG",
/// with its own wording made Tessera's.
struct DiagCapture {
  ParseContext *pc;
  std::string first;

  static void handle(const llvm::SMDiagnostic &d, void *ctx) {
    auto *self = static_cast<DiagCapture *>(ctx);
    if (!self->first.empty())
      return;
    std::string msg = d.getMessage().str();
    StringRef m(msg);
    if (m.consume_front("unknown key '")) {
      msg = "unknown field '" + m.drop_back().str() + "' (expected " +
            self->pc->expected + ")";
    } else if (m.consume_front("duplicated mapping key '")) {
      msg = "'" + m.drop_back().str() +
            "' is given twice (one entry per node name or pattern)";
    } else if (!self->pc->field.empty()) {
      msg = "field '" + self->pc->field + "': " + msg;
    }
    self->first = std::to_string(d.getLineNo()) + ":" +
                  std::to_string(d.getColumnNo() + 1) + ": " + msg;
  }
};

/// Config files are small; this bounds what a wrong path can load.
constexpr uint64_t kMaxConfigBytes = 16u << 20;

} // namespace

std::string NodeConfig::at(unsigned line, StringRef field) const {
  return path + ":" + std::to_string(line) + ": field '" + field.str() + "': ";
}

llvm::Expected<NodeConfig> tessera::driver::parseNodeConfig(StringRef yaml,
                                                            StringRef path) {
  NodeConfig c;
  ParseContext pc;
  pc.buffer = yaml;
  DiagCapture diag{&pc, {}};
  {
    llvm::yaml::Input yin(yaml, &pc, &DiagCapture::handle, &diag);
    pc.in = &yin;
    // An empty file is an empty config (llvm::yaml reads no document).
    if (!yaml.trim().empty())
      yin >> c;
    if (yin.error()) {
      std::string where = diag.first.empty()
                              ? std::string(" ") + yin.error().message()
                              : diag.first;
      return makeError(path + ":" + where);
    }
  }
  llvm::stable_sort(c.nodes, [](const NodeConfigEntry &a,
                                const NodeConfigEntry &b) {
    return a.offset < b.offset;
  });
  c.path = path.str();
  return c;
}

llvm::Expected<NodeConfig> tessera::driver::loadNodeConfig(StringRef path) {
  auto buf = io::readRegularFile(path, kMaxConfigBytes,
                                 "the 16 MiB limit for a config file");
  if (!buf)
    return buf.takeError();
  return parseNodeConfig((*buf)->getBuffer(), path);
}

std::string tessera::driver::printNodeConfig(const NodeConfig &config) {
  std::string out =
      "# Tessera per-node configuration (docs/quantization.md, \"Per-node\n"
      "# configuration\"), written by tessera-compile --write-config: the\n"
      "# choice the compiler made for every ONNX node that produced quantized\n"
      "# ops, in graph order. Apply it with --config FILE.yaml.\n"
      "#\n"
      "# To edit: change a node's fields, delete entries (a node without an\n"
      "# entry takes the top-level defaults), or add entries keyed by a glob\n"
      "# (\"backbone/*\": { device: cpu }). Entries apply in file order; a later\n"
      "# entry overrides the fields an earlier one set for the same node, so\n"
      "# put globs first. A key that matches no node is an error.\n"
      "#   dtype: uint8 | int8 | int16       the node's activations (from the\n"
      "#                                     target's dtypes)\n"
      "#   scheme: NAME                      a quantization scheme of the target\n"
      "#   calibration_method: minmax | moving_average | percentile | kl | mse\n"
      "#   percentile: P                     with calibration_method percentile\n"
      "#   device: npu | cpu                 cpu: the node runs in float on the\n"
      "#                                     host CPU\n"
      "# calibration_method is listed for the nodes whose output tensors are\n"
      "# calibrated; the others' ranges come from a neighbour (a Conv fused\n"
      "# with its activation, a Reshape sharing its input's).\n";
  llvm::raw_string_ostream os(out);
  llvm::yaml::Output yout(os, nullptr, /*WrapColumn=*/0);
  NodeConfig copy = config;
  yout << copy;
  if (!llvm::StringRef(out).ends_with("\n"))
    out += '\n';
  return out;
}

std::string tessera::driver::globEscape(StringRef name) {
  std::string out;
  for (char ch : name) {
    if (StringRef("*?[]{}\\").contains(ch))
      out += '\\';
    out += ch;
  }
  return out;
}

llvm::Expected<ResolvedConfig>
tessera::driver::resolveNodeConfig(const NodeConfig &config,
                                   llvm::ArrayRef<std::string> nodes) {
  ResolvedConfig resolved;
  llvm::StringMap<NodeSettings> &out = resolved.nodes;
  for (const NodeConfigEntry &e : config.nodes) {
    // A node's own name matches itself even if it has glob metacharacters.
    std::optional<llvm::GlobPattern> glob;
    if (!llvm::is_contained(nodes, e.pattern)) {
      auto g = llvm::GlobPattern::create(e.pattern);
      if (!g)
        return makeError(config.path + ":" + llvm::Twine(e.line) +
                         ": nodes: '" + e.pattern +
                         "' is not a valid pattern: " +
                         llvm::toString(g.takeError()));
      glob = std::move(*g);
    }
    std::vector<std::string> &matched = resolved.matches.emplace_back();
    for (const std::string &n : nodes) {
      if (glob ? !glob->match(n) : n != e.pattern)
        continue;
      matched.push_back(n);
      NodeSettings &s = out[n];
      // A scheme brings its activation dtype and a method its own
      // percentile, unless the same entry sets them too.
      if (e.scheme) {
        s.scheme = e.scheme;
        s.dtype = e.dtype;
      } else if (e.dtype) {
        s.dtype = e.dtype;
      }
      if (e.calibrationMethod) {
        s.calibrationMethod = e.calibrationMethod;
        s.percentile = e.percentile;
      } else if (e.percentile) {
        s.percentile = e.percentile;
      }
      if (e.device)
        s.device = e.device;
    }
    if (matched.empty())
      return makeError(config.path + ":" + llvm::Twine(e.line) +
                       ": nodes: '" + e.pattern +
                       "' matches no ONNX node of the model");
  }
  return resolved;
}
