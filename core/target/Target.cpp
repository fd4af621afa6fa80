//===- Target.cpp - Loading, checking and printing target profiles --------===//
#include "core/target/Target.h"
#include "core/quant/Calibration.h"

#include "core/io/Output.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

using namespace tessera;
using namespace tessera::target;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// YAML mapping
//===----------------------------------------------------------------------===//

LLVM_YAML_IS_FLOW_SEQUENCE_VECTOR(tessera::quant::DType)
LLVM_YAML_IS_SEQUENCE_VECTOR(tessera::target::QuantScheme)

namespace llvm::yaml {

template <> struct ScalarTraits<quant::DType> {
  static void output(const quant::DType &t, void *, raw_ostream &os) {
    os << quant::dtypeName(t);
  }
  static StringRef input(StringRef s, void *, quant::DType &t) {
    std::optional<quant::DType> d = quant::parseDType(std::string_view(s));
    if (!d)
      return "unknown dtype (expected int8, uint8, int16, ...)";
    t = *d;
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

/// A double printed as the shortest text that reads back to the same value
/// (std::to_chars), not llvm::yaml's "%g" with 6 digits: toYaml() must
/// round-trip every profile (0.06202155 printed as 0.0620216 did not).
struct ExactDouble {
  double v;
};
template <> struct ScalarTraits<ExactDouble> {
  static void output(const ExactDouble &d, void *ctx, raw_ostream &os) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d.v);
    os << StringRef(buf, r.ptr - buf);
  }
  static StringRef input(StringRef s, void *ctx, ExactDouble &d) {
    return ScalarTraits<double>::input(s, ctx, d.v);
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};
} // namespace llvm::yaml

namespace {
void mapDouble(llvm::yaml::IO &io, const char *key, double &v) {
  llvm::yaml::ExactDouble d{v};
  io.mapRequired(key, d);
  if (!io.outputting())
    v = d.v;
}
} // namespace

namespace llvm::yaml {

template <> struct MappingTraits<MacArray> {
  static void mapping(IO &io, MacArray &m) {
    io.mapRequired("rows", m.rows);
    io.mapRequired("cols", m.cols);
    io.mapRequired("int8_macs_per_cycle", m.int8MacsPerCycle);
    io.mapRequired("int16_macs_per_cycle", m.int16MacsPerCycle);
    io.mapRequired("epilogue_latency_cycles", m.epilogueLatencyCycles);
  }
};
template <> struct MappingTraits<Sram> {
  static void mapping(IO &io, Sram &s) {
    io.mapRequired("bytes", s.bytes);
    io.mapRequired("banks", s.banks);
    io.mapRequired("bank_bytes_per_cycle", s.bankBytesPerCycle);
  }
};
template <> struct MappingTraits<Dram> {
  static void mapping(IO &io, Dram &d) {
    mapDouble(io, "bytes_per_second", d.bytesPerSecond);
    mapDouble(io, "latency_ns", d.latencyNs);
    io.mapRequired("burst_bytes", d.burstBytes);
  }
};
template <> struct MappingTraits<Dma> {
  static void mapping(IO &io, Dma &d) {
    io.mapRequired("engines", d.engines);
    io.mapRequired("bytes_per_cycle", d.bytesPerCycle);
    io.mapRequired("setup_cycles", d.setupCycles);
  }
};
template <> struct MappingTraits<VectorUnit> {
  static void mapping(IO &io, VectorUnit &v) {
    io.mapRequired("int8_lanes", v.int8Lanes);
    io.mapRequired("int16_lanes", v.int16Lanes);
    io.mapRequired("latency_cycles", v.latencyCycles);
    io.mapRequired("ops", v.ops);
  }
};
template <> struct MappingTraits<TensorQuant> {
  static void mapping(IO &io, TensorQuant &t) {
    io.mapRequired("dtype", t.dtype);
    io.mapRequired("symmetric", t.symmetric);
    io.mapOptional("per_channel", t.perChannel, false);
  }
};
template <> struct MappingTraits<QuantScheme> {
  static void mapping(IO &io, QuantScheme &s) {
    io.mapRequired("name", s.name);
    io.mapRequired("activation", s.activation);
    io.mapRequired("weight", s.weight);
    io.mapRequired("power_of_two_scale", s.powerOfTwoScale);
  }
};
template <> struct MappingTraits<Quantization> {
  static void mapping(IO &io, Quantization &q) {
    io.mapRequired("default_scheme", q.defaultScheme);
    io.mapRequired("per_layer_schemes", q.perLayerSchemes);
    io.mapRequired("schemes", q.schemes);
    io.mapOptional("calibration_method", q.calibrationMethod,
                   std::string("minmax"));
  }
};
template <> struct MappingTraits<Energy> {
  static void mapping(IO &io, Energy &e) {
    io.mapRequired("basis", e.basis);
    mapDouble(io, "calibration_tops_per_watt", e.calibrationTopsPerWatt);
    mapDouble(io, "int8_mac_pj", e.int8MacPj);
    mapDouble(io, "int16_mac_pj", e.int16MacPj);
    mapDouble(io, "sram_read_byte_pj", e.sramReadBytePj);
    mapDouble(io, "sram_write_byte_pj", e.sramWriteBytePj);
    mapDouble(io, "dram_byte_pj", e.dramBytePj);
    mapDouble(io, "vector_op_pj", e.vectorOpPj);
    mapDouble(io, "static_mw", e.staticMw);
  }
};
template <> struct MappingTraits<Host> {
  static void mapping(IO &io, Host &h) {
    io.mapOptional("cpu", h.cpu, std::string());
    io.mapRequired("cores", h.cores);
    mapDouble(io, "clock_mhz", h.clockMhz);
    mapDouble(io, "sustained_gflops", h.sustainedGflops);
    mapDouble(io, "sustained_gbps", h.sustainedGbps);
    mapDouble(io, "crossing_us", h.crossingUs);
    mapDouble(io, "power_w", h.powerW);
  }
};
template <> struct MappingTraits<Target> {
  static void mapping(IO &io, Target &t) {
    io.mapRequired("name", t.name);
    io.mapOptional("description", t.description, std::string());
    io.mapRequired("cores", t.cores);
    mapDouble(io, "clock_mhz", t.clockMhz);
    io.mapRequired("mac_array", t.mac);
    io.mapRequired("dtypes", t.dtypes);
    io.mapRequired("sram", t.sram);
    io.mapRequired("dram", t.dram);
    io.mapRequired("dma", t.dma);
    io.mapRequired("vector", t.vector);
    io.mapRequired("quantization", t.quantization);
    io.mapRequired("energy", t.energy);
    io.mapOptional("host", t.host, Host());
  }
};

} // namespace llvm::yaml

//===----------------------------------------------------------------------===//
// Equality and derived quantities
//===----------------------------------------------------------------------===//

namespace tessera::target {
bool operator==(const MacArray &a, const MacArray &b) {
  return a.rows == b.rows && a.cols == b.cols &&
         a.int8MacsPerCycle == b.int8MacsPerCycle &&
         a.int16MacsPerCycle == b.int16MacsPerCycle &&
         a.epilogueLatencyCycles == b.epilogueLatencyCycles;
}
bool operator==(const Sram &a, const Sram &b) {
  return a.bytes == b.bytes && a.banks == b.banks &&
         a.bankBytesPerCycle == b.bankBytesPerCycle;
}
bool operator==(const Dram &a, const Dram &b) {
  return a.bytesPerSecond == b.bytesPerSecond && a.latencyNs == b.latencyNs &&
         a.burstBytes == b.burstBytes;
}
bool operator==(const Dma &a, const Dma &b) {
  return a.engines == b.engines && a.bytesPerCycle == b.bytesPerCycle &&
         a.setupCycles == b.setupCycles;
}
bool operator==(const VectorUnit &a, const VectorUnit &b) {
  return a.int8Lanes == b.int8Lanes && a.int16Lanes == b.int16Lanes &&
         a.latencyCycles == b.latencyCycles && a.ops == b.ops;
}
bool operator==(const TensorQuant &a, const TensorQuant &b) {
  return a.dtype == b.dtype && a.symmetric == b.symmetric &&
         a.perChannel == b.perChannel;
}
bool operator==(const QuantScheme &a, const QuantScheme &b) {
  return a.name == b.name && a.activation == b.activation &&
         a.weight == b.weight && a.powerOfTwoScale == b.powerOfTwoScale;
}
bool operator==(const Quantization &a, const Quantization &b) {
  return a.defaultScheme == b.defaultScheme &&
         a.perLayerSchemes == b.perLayerSchemes && a.schemes == b.schemes &&
         a.calibrationMethod == b.calibrationMethod;
}
bool operator==(const Host &a, const Host &b) {
  return a.cpu == b.cpu && a.cores == b.cores && a.clockMhz == b.clockMhz &&
         a.sustainedGflops == b.sustainedGflops &&
         a.sustainedGbps == b.sustainedGbps && a.crossingUs == b.crossingUs &&
         a.powerW == b.powerW;
}
bool operator==(const Energy &a, const Energy &b) {
  return a.int8MacPj == b.int8MacPj && a.int16MacPj == b.int16MacPj &&
         a.sramReadBytePj == b.sramReadBytePj &&
         a.sramWriteBytePj == b.sramWriteBytePj &&
         a.dramBytePj == b.dramBytePj && a.vectorOpPj == b.vectorOpPj &&
         a.staticMw == b.staticMw &&
         a.calibrationTopsPerWatt == b.calibrationTopsPerWatt &&
         a.basis == b.basis;
}
bool operator==(const Target &a, const Target &b) {
  return a.name == b.name && a.description == b.description &&
         a.cores == b.cores && a.clockMhz == b.clockMhz && a.mac == b.mac &&
         a.dtypes == b.dtypes && a.sram == b.sram && a.dram == b.dram &&
         a.dma == b.dma && a.vector == b.vector &&
         a.quantization == b.quantization && a.energy == b.energy && a.host == b.host;
}
} // namespace tessera::target

double Target::peakInt8Tops() const {
  return 2.0 * double(mac.int8MacsPerCycle) * clockMhz * 1e6 / 1e12;
}
double Target::peakInt16Tops() const {
  return 2.0 * double(mac.int16MacsPerCycle) * clockMhz * 1e6 / 1e12;
}
double Target::dramBytesPerCycle() const {
  return dram.bytesPerSecond / (clockMhz * 1e6);
}
uint32_t Target::dramLatencyCycles() const {
  return static_cast<uint32_t>(std::ceil(dram.latencyNs * clockMhz / 1000.0));
}
double Target::fullLoadSramBytesPerMac() const {
  if (mac.rows == 0 || mac.cols == 0)
    return 0;
  return double(mac.rows + mac.cols) / (double(mac.rows) * mac.cols);
}
double Target::fullLoadPowerW() const {
  double macsPerSecond = double(mac.int8MacsPerCycle) * clockMhz * 1e6;
  double pjPerMac =
      energy.int8MacPj + fullLoadSramBytesPerMac() * energy.sramReadBytePj;
  return macsPerSecond * pjPerMac * 1e-12 + energy.staticMw * 1e-3;
}
double Target::modelTopsPerWatt() const {
  double p = fullLoadPowerW();
  return p > 0 ? peakInt8Tops() / p : 0;
}

bool Target::supports(quant::DType t) const {
  return llvm::is_contained(dtypes, t);
}
const QuantScheme *Target::findScheme(StringRef n) const {
  for (const QuantScheme &s : quantization.schemes)
    if (s.name == n)
      return &s;
  return nullptr;
}
const QuantScheme &Target::defaultScheme() const {
  const QuantScheme *s = findScheme(quantization.defaultScheme);
  assert(s && "default scheme checked by validate()");
  return *s;
}
bool Target::allowsPerChannelWeights() const {
  return llvm::any_of(quantization.schemes,
                      [](const QuantScheme &s) { return s.weight.perChannel; });
}
bool Target::supportsVectorOp(StringRef op) const {
  return llvm::is_contained(vector.ops, op);
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// The operations the ISA's vector unit can run (core/isa ELTWISE functions
/// and POOL modes).
constexpr const char *kVectorOps[] = {
    "add", "sub",     "mul",         "max",      "min",     "rescale",
    "clamp", "lut", "softmax", "log_softmax", "layer_norm", "max_pool",
    "avg_pool", "cmp_gt", "cmp_ge", "cmp_eq", "select", "min_pool"};

/// Largest SRAM an ISA program can address (core/isa: 32-bit SRAM fields).
constexpr uint64_t kMaxSramBytes = uint64_t(1) << 32;
/// How far the energy table may be from its calibration point.
constexpr double kCalibrationTolerance = 0.02;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

class Checker {
public:
  void fail(StringRef field, const llvm::Twine &what) {
    if (msg.empty())
      msg = "field '" + field.str() + "' " + what.str();
  }
  void atLeast(StringRef field, uint64_t v, uint64_t min) {
    if (v < min)
      fail(field, "must be >= " + llvm::Twine(min) + ", got " + llvm::Twine(v));
  }
  void positive(StringRef field, double v) {
    if (!std::isfinite(v) || v <= 0)
      fail(field, "must be a finite number > 0, got " + num(v));
  }
  void nonNegative(StringRef field, double v) {
    if (!std::isfinite(v) || v < 0)
      fail(field, "must be a finite number >= 0, got " + num(v));
  }
  std::string msg;
};

} // namespace

llvm::Error Target::validate() const {
  Checker ck;
  if (name.empty() || name.size() > 15 || !llvm::all_of(name, [](char c) {
        return llvm::isLower(c) || llvm::isDigit(c) || c == '_' || c == '-';
      }))
    ck.fail("name",
            "must be 1 to 15 characters of [a-z0-9_-], got '" + name + "'");
  ck.atLeast("cores", cores, 1);
  ck.positive("clock_mhz", clockMhz);

  ck.atLeast("mac_array.rows", mac.rows, 1);
  ck.atLeast("mac_array.cols", mac.cols, 1);
  if (mac.int8MacsPerCycle != uint64_t(mac.rows) * mac.cols)
    ck.fail("mac_array.int8_macs_per_cycle",
            "must equal rows x cols = " +
                llvm::Twine(uint64_t(mac.rows) * mac.cols) + ", got " +
                llvm::Twine(mac.int8MacsPerCycle));
  bool int16 = supports(quant::DType::Int16);
  if (int16 && (mac.int16MacsPerCycle < 1 ||
                mac.int16MacsPerCycle > mac.int8MacsPerCycle))
    ck.fail("mac_array.int16_macs_per_cycle",
            "must be in [1, int8_macs_per_cycle] when int16 is supported, "
            "got " +
                llvm::Twine(mac.int16MacsPerCycle));
  if (!int16 && mac.int16MacsPerCycle != 0)
    ck.fail("mac_array.int16_macs_per_cycle",
            "must be 0 when dtypes does not list int16");

  if (dtypes.empty())
    ck.fail("dtypes", "must not be empty");
  std::set<quant::DType> seen;
  for (quant::DType t : dtypes) {
    if (!seen.insert(t).second)
      ck.fail("dtypes", "lists " + llvm::Twine(quant::dtypeName(t)) + " twice");
    if (t != quant::DType::Int8 && t != quant::DType::UInt8 &&
        t != quant::DType::Int16)
      ck.fail("dtypes", "may only list int8, uint8 and int16 (the MAC array's "
                        "types), got " +
                            llvm::Twine(quant::dtypeName(t)));
  }

  ck.atLeast("sram.bytes", sram.bytes, 1);
  if (sram.bytes > kMaxSramBytes)
    ck.fail("sram.bytes", "exceeds the ISA's 32-bit SRAM addresses, got " +
                              llvm::Twine(sram.bytes));
  ck.atLeast("sram.banks", sram.banks, 1);
  if (sram.banks && sram.bytes % sram.banks)
    ck.fail("sram.banks",
            llvm::Twine(sram.banks) +
                " does not divide sram.bytes = " + llvm::Twine(sram.bytes));
  ck.atLeast("sram.bank_bytes_per_cycle", sram.bankBytesPerCycle, 1);

  ck.positive("dram.bytes_per_second", dram.bytesPerSecond);
  ck.nonNegative("dram.latency_ns", dram.latencyNs);
  if (!llvm::isPowerOf2_32(dram.burstBytes))
    ck.fail("dram.burst_bytes",
            "must be a power of two, got " + llvm::Twine(dram.burstBytes));

  ck.atLeast("dma.engines", dma.engines, 1);
  ck.atLeast("dma.bytes_per_cycle", dma.bytesPerCycle, 1);

  ck.atLeast("vector.int8_lanes", vector.int8Lanes, 1);
  if (int16)
    ck.atLeast("vector.int16_lanes", vector.int16Lanes, 1);
  if (vector.ops.empty())
    ck.fail("vector.ops", "must not be empty");
  llvm::StringSet<> ops;
  for (const std::string &op : vector.ops) {
    if (!llvm::is_contained(kVectorOps, StringRef(op)))
      ck.fail("vector.ops", "has unknown operation '" + op +
                                "' (expected add, sub, mul, max, min, rescale, "
                                "clamp, lut, max_pool, avg_pool)");
    if (!ops.insert(op).second)
      ck.fail("vector.ops", "lists '" + op + "' twice");
  }

  const Quantization &q = quantization;
  if (q.schemes.empty())
    ck.fail("quantization.schemes", "must not be empty");
  llvm::StringSet<> schemeNames;
  for (const QuantScheme &s : q.schemes) {
    if (s.name.empty() || !schemeNames.insert(s.name).second)
      ck.fail("quantization.schemes",
              "has an empty or repeated name '" + s.name + "'");
    for (auto [role, tq] : {std::pair{"activation", &s.activation},
                            std::pair{"weight", &s.weight}})
      if (!supports(tq->dtype))
        ck.fail("quantization.schemes", "'" + s.name + "' " + role + " dtype " +
                                            quant::dtypeName(tq->dtype) +
                                            " is not in dtypes");
    if (s.activation.perChannel)
      ck.fail("quantization.schemes",
              "'" + s.name + "': activations cannot be per-channel");
  }
  if (!findScheme(q.defaultScheme))
    ck.fail("quantization.default_scheme",
            "'" + q.defaultScheme + "' is not one of the schemes");
  if (!quant::parseCalibrationMethod(q.calibrationMethod))
    ck.fail("quantization.calibration_method",
            "'" + q.calibrationMethod + "' is not a method (expected " +
                quant::calibrationMethodNames() + ")");

  const Energy &e = energy;
  ck.nonNegative("energy.int8_mac_pj", e.int8MacPj);
  ck.nonNegative("energy.int16_mac_pj", e.int16MacPj);
  ck.nonNegative("energy.sram_read_byte_pj", e.sramReadBytePj);
  ck.nonNegative("energy.sram_write_byte_pj", e.sramWriteBytePj);
  ck.nonNegative("energy.dram_byte_pj", e.dramBytePj);
  ck.nonNegative("energy.vector_op_pj", e.vectorOpPj);
  ck.nonNegative("energy.static_mw", e.staticMw);
  ck.positive("energy.calibration_tops_per_watt", e.calibrationTopsPerWatt);
  if (host.present()) {
    ck.positive("host.clock_mhz", host.clockMhz);
    ck.positive("host.sustained_gflops", host.sustainedGflops);
    ck.positive("host.sustained_gbps", host.sustainedGbps);
    ck.nonNegative("host.crossing_us", host.crossingUs);
    ck.nonNegative("host.power_w", host.powerW);
  }
  if (ck.msg.empty()) {
    double model = modelTopsPerWatt();
    if (std::abs(model / e.calibrationTopsPerWatt - 1) > kCalibrationTolerance)
      ck.fail("energy.calibration_tops_per_watt",
              "is " + num(e.calibrationTopsPerWatt) +
                  " but the energy table gives " + num(model) +
                  " TOPS/W at full load (more than 2% apart)");
  }
  return ck.msg.empty() ? llvm::Error::success() : makeError(ck.msg);
}

std::string Target::toYaml() const {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::yaml::Output yout(os);
  Target copy = *this;
  yout << copy;
  return out;
}

//===----------------------------------------------------------------------===//
// Parsing and lookup
//===----------------------------------------------------------------------===//

namespace {

/// Captures the YAML parser's first diagnostic as one line.
struct DiagCapture {
  std::string first;

  static void handle(const llvm::SMDiagnostic &d, void *ctx) {
    auto *self = static_cast<DiagCapture *>(ctx);
    if (!self->first.empty())
      return;
    std::string msg = d.getMessage().str();
    // The parser's own messages ("invalid number") do not say which key the
    // value belongs to; recover it from the text before the column.
    std::string field;
    if (d.getLineNo() > 0 && !StringRef(msg).contains("key '")) {
      StringRef before =
          d.getLineContents().take_front(std::max(0, d.getColumnNo()));
      size_t colon = before.rfind(':');
      if (colon != StringRef::npos) {
        StringRef key = before.take_front(colon).rtrim();
        size_t start = key.find_last_of(" \t{,-");
        key = start == StringRef::npos ? key : key.drop_front(start + 1);
        if (!key.empty())
          field = "field '" + key.str() + "': ";
      }
    }
    self->first = std::to_string(d.getLineNo()) + ":" +
                  std::to_string(d.getColumnNo() + 1) + ": " + field + msg;
  }
};

/// A profile is one YAML document: at most a "---" before it and a "..."
/// after it. llvm::yaml moves past an empty document, and over "..."
/// markers, by recursion (Input::setCurrentDocument, Document::skip), so
/// 250,000 "...\n" lines overflowed the stack. Counts lines that start
/// with a document marker, as the scanner recognises them at column 0.
llvm::Error checkDocuments(StringRef yaml, StringRef source) {
  unsigned markers = 0, lineNo = 0;
  while (!yaml.empty()) {
    auto [line, rest] = yaml.split('\n');
    yaml = rest;
    ++lineNo;
    if ((line.starts_with("---") || line.starts_with("...")) &&
        (line.size() == 3 || llvm::isSpace(line[3])) && ++markers > 2)
      return makeError(source + ":" + llvm::Twine(lineNo) +
                       ":1: a third '---' or '...' document marker (a target "
                       "profile is one YAML document)");
  }
  return llvm::Error::success();
}

/// Walks the document in `yaml` with llvm::yaml's own scanner and an
/// explicit stack instead of recursion, and fails at the first collection
/// nested deeper than kMaxProfileNesting. Using the real scanner means quotes,
/// comments, block scalars and compact "- - -" sequences count exactly as the
/// parser sees them. Syntax errors are left to the real parse, which reports
/// them with the field name.
llvm::Error checkNesting(StringRef yaml, StringRef source) {
  using namespace llvm::yaml;
  llvm::SourceMgr sm;
  sm.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
  Stream stream(yaml, sm, /*ShowColors=*/false);

  // A collection being walked. Every child is walked completely before its
  // parent's iterator moves on, so llvm::yaml never has to skip() an
  // unparsed subtree (skip() recurses).
  struct Frame {
    Node *node;
    SequenceNode::iterator seq;
    MappingNode::iterator map;
    bool started = false;
    bool keyDone = false;
    bool valueDone = false;
  };
  std::vector<Frame> stack;
  llvm::Error err = llvm::Error::success();
  auto enter = [&](Node *n) {
    if (!n || !(llvm::isa<SequenceNode>(n) || llvm::isa<MappingNode>(n)))
      return true;
    if (stack.size() >= kMaxProfileNesting) {
      // llvm::yaml starts a flow collection's range after its bracket;
      // point at the bracket itself.
      // Some nodes llvm::yaml makes up (an implicit mapping inside a flow
      // sequence) carry no range into the text: no line:col for those.
      const char *at = n->getSourceRange().Start.getPointer();
      auto addr = reinterpret_cast<uintptr_t>(at);
      bool inText = at && addr >= reinterpret_cast<uintptr_t>(yaml.begin()) &&
                    addr <= reinterpret_cast<uintptr_t>(yaml.end());
      std::string where = source.str();
      if (inText) {
        if (at > yaml.data() && (at[-1] == '[' || at[-1] == '{'))
          --at;
        auto [line, col] =
            sm.getLineAndColumn(llvm::SMLoc::getFromPointer(at));
        where += ":" + std::to_string(line) + ":" + std::to_string(col);
      }
      llvm::consumeError(std::move(err));
      err = makeError(where + ": nested deeper than " +
                      llvm::Twine(kMaxProfileNesting) +
                      " levels (the limit for a target profile)");
      return false;
    }
    stack.push_back(Frame{n, {}, {}});
    return true;
  };

  // Only the first document: it is all yaml::Input reads, and moving to the
  // next one (Document::skip) recurses once per "..." marker.
  auto doc = stream.begin();
  if (doc != stream.end()) {
    if (!enter(doc->getRoot()))
      return err;
    while (!stack.empty() && !stream.failed()) {
      Frame &f = stack.back();
      Node *next = nullptr;
      if (auto *seq = llvm::dyn_cast<SequenceNode>(f.node)) {
        if (!f.started) {
          f.started = true;
          f.seq = seq->begin();
        } else {
          ++f.seq;
        }
        if (f.seq == seq->end()) {
          stack.pop_back();
          continue;
        }
        next = &*f.seq;
      } else {
        auto *map = llvm::cast<MappingNode>(f.node);
        if (!f.started) {
          f.started = true;
          f.map = map->begin();
        } else if (f.valueDone) {
          ++f.map;
          f.keyDone = f.valueDone = false;
        }
        if (f.map == map->end()) {
          stack.pop_back();
          continue;
        }
        if (!f.keyDone) {
          f.keyDone = true;
          next = f.map->getKey();
        } else {
          f.valueDone = true;
          next = f.map->getValue();
        }
      }
      if (!enter(next))
        return err;
    }
    // A syntax error ends the walk; the real parse reports it.
  }
  return err;
}

std::string compiledTargetsDir() {
#ifdef TESSERA_TARGETS_DIR
  return TESSERA_TARGETS_DIR;
#else
  return "";
#endif
}

} // namespace

llvm::Expected<Target> tessera::target::parseTargetProfile(StringRef yaml,
                                                           StringRef source) {
  if (yaml.size() > kMaxProfileBytes)
    return makeError(source + ": " + llvm::Twine(yaml.size()) +
                     " bytes, over the 1 MiB limit for a target profile");
  if (llvm::Error err = checkDocuments(yaml, source))
    return std::move(err);
  if (llvm::Error err = checkNesting(yaml, source))
    return std::move(err);
  // YAML text is UTF-8. llvm::yaml passes other bytes through, but toYaml()
  // cannot print them back (yaml::escape stops at the first bad sequence),
  // so such a profile would not round-trip.
  size_t badByte = 0;
  if (!llvm::json::isUTF8(yaml, &badByte))
    return makeError(source + ": not UTF-8 text (invalid byte at offset " +
                     llvm::Twine(badByte) + ")");
  Target t;
  DiagCapture diag;
  {
    llvm::yaml::Input yin(yaml, nullptr, &DiagCapture::handle, &diag);
    yin >> t;
    if (yin.error()) {
      std::string where = diag.first.empty()
                              ? std::string(" ") + yin.error().message()
                              : diag.first;
      return makeError(source + ":" + where);
    }
  }
  if (auto err = t.validate())
    return makeError(source + ": " + llvm::toString(std::move(err)));
  t.sourcePath = source.str();
  return t;
}

std::vector<std::string> tessera::target::targetSearchDirs() {
  std::vector<std::string> dirs;
  if (const char *env = std::getenv("TESSERA_TARGETS_DIR"); env && *env) {
    dirs.push_back(env);
    return dirs;
  }
  if (std::string d = compiledTargetsDir(); !d.empty())
    dirs.push_back(d);
  // An installed tree: <prefix>/bin/tool and <prefix>/share/tessera/targets.
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  if (!exe.empty()) {
    llvm::SmallString<256> share(llvm::sys::path::parent_path(exe));
    llvm::sys::path::append(share, "..", "share", "tessera", "targets");
    dirs.push_back(std::string(share));
  }
  return dirs;
}

std::vector<std::string> tessera::target::knownTargets() {
  std::set<std::string> names;
  for (const std::string &dir : targetSearchDirs()) {
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec)) {
      StringRef file = llvm::sys::path::filename(it->path());
      if (file.consume_back(".yaml"))
        names.insert(file.str());
    }
  }
  return {names.begin(), names.end()};
}

llvm::Expected<Target>
tessera::target::loadTargetProfile(StringRef pathOrName) {
  std::string path;
  bool isPath = pathOrName.contains('/') || pathOrName.ends_with(".yaml") ||
                pathOrName.ends_with(".yml");
  if (isPath) {
    path = pathOrName.str();
  } else {
    for (const std::string &dir : targetSearchDirs()) {
      llvm::SmallString<256> candidate(dir);
      llvm::sys::path::append(candidate, pathOrName + ".yaml");
      if (llvm::sys::fs::exists(candidate)) {
        path = std::string(candidate);
        break;
      }
    }
    if (path.empty()) {
      std::vector<std::string> known = knownTargets();
      return makeError(
          "unknown target '" + pathOrName + "' (known: " +
          (known.empty() ? std::string("none") : llvm::join(known, ", ")) +
          "; searched " + llvm::join(targetSearchDirs(), ", ") + ")");
    }
  }
  // Only a regular file, and at most kMaxProfileBytes of it: `--target
  // /dev/zero` would otherwise read forever.
  auto buf = io::readRegularFile(path, kMaxProfileBytes,
                                 "the 1 MiB limit for a target profile");
  if (!buf)
    return buf.takeError();
  return parseTargetProfile((*buf)->getBuffer(), path);
}
