//===- TargetTest.cpp - Target profiles against their published anchors ---===//
#include "core/target/Target.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>

using namespace tessera;
using namespace tessera::target;

namespace {

std::string sourceDir() {
  const char *env = std::getenv("TESSERA_SOURCE_DIR");
  return env ? env : TESSERA_TEST_SOURCE_DIR;
}

std::string readFile(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  return buf ? (*buf)->getBuffer().str() : std::string();
}

Target load(const std::string &name) {
  llvm::Expected<Target> t = loadTargetProfile(name);
  if (!t) {
    ADD_FAILURE() << llvm::toString(t.takeError());
    return Target();
  }
  return *t;
}

std::string errorOf(llvm::Expected<Target> t) {
  return t ? std::string("<success>") : llvm::toString(t.takeError());
}

/// Parses the rv1126 profile with one line replaced (or removed, if `to` is
/// empty), so each malformed case differs from a valid file in one place.
std::string parseEdited(const std::string &from, const std::string &to) {
  std::string text = readFile(sourceDir() + "/targets/rv1126.yaml");
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos)
    return "<pattern not found>";
  size_t eol = text.find('\n', at);
  text.replace(at, eol - at, to);
  return errorOf(parseTargetProfile(text, "bad.yaml"));
}

TEST(TargetProfiles, Rv1126MatchesAnchors) {
  Target t = load("rv1126");
  EXPECT_EQ(t.name, "rv1126");
  EXPECT_EQ(t.clockMhz, 934.0);             // rknn_model_zoo benchmark clock
  EXPECT_EQ(t.mac.int8MacsPerCycle, 1024u); // [EST] 2.0 TOPS / (2 x 934 MHz)
  // 2 x 1024 x 934e6 = 1.913e12 ops/s, within 5% of the published 2.0 TOPS.
  EXPECT_NEAR(t.peakInt8Tops(), 1.912832, 1e-6);
  EXPECT_NEAR(t.peakInt8Tops() / 2.0, 1.0, 0.05);
  // int16 about 10x slower (RK3399Pro: 1,920 vs 192 MACs/cycle).
  EXPECT_EQ(t.mac.int16MacsPerCycle, 102u);
  EXPECT_EQ(t.sram.bytes, 256u * 1024);
  EXPECT_NEAR(t.dram.bytesPerSecond, 924e6 * 2 * 4, 1); // 32-bit DDR at 924 MHz
  EXPECT_NEAR(t.dramBytesPerCycle(), 7.914, 1e-3);
  EXPECT_EQ(t.dramLatencyCycles(), 94u); // ceil(100 ns x 0.934 GHz)
  // RKNN-Toolkit 1.x: asymmetric uint8 per tensor by default, never per
  // channel.
  const QuantScheme &s = t.defaultScheme();
  EXPECT_EQ(s.name, "asymmetric_u8");
  EXPECT_EQ(s.activation.dtype, quant::DType::UInt8);
  EXPECT_FALSE(s.activation.symmetric);
  EXPECT_FALSE(t.allowsPerChannelWeights());
  ASSERT_NE(t.findScheme("dfp_i16"), nullptr);
  EXPECT_TRUE(t.findScheme("dfp_i16")->powerOfTwoScale);
  EXPECT_TRUE(t.supports(quant::DType::Int16));
}

TEST(TargetProfiles, J5MatchesAnchors) {
  Target t = load("j5");
  EXPECT_EQ(t.cores, 2u); // dual-core Bayes BPU
  // Both cores together: within 2% of the published 128 TOPS.
  EXPECT_NEAR(t.peakInt8Tops() * t.cores / 128.0, 1.0, 0.02);
  const QuantScheme &s = t.defaultScheme();
  EXPECT_EQ(s.activation.dtype, quant::DType::Int8);
  EXPECT_TRUE(s.activation.symmetric);
  EXPECT_TRUE(s.weight.perChannel); // hb_mapper: per-channel weights
  EXPECT_FALSE(t.supports(quant::DType::UInt8));
  EXPECT_TRUE(t.quantization.perLayerSchemes); // node_info int16
  // Calibrated to 128 TOPS / 30 W.
  EXPECT_NEAR(t.modelTopsPerWatt(), 128.0 / 30.0, 0.02 * 128.0 / 30.0);
}

TEST(TargetProfiles, OrinMatchesAnchors) {
  Target t = load("orin");
  EXPECT_EQ(t.cores, 2u);
  EXPECT_EQ(t.sram.bytes, 1u << 20);         // 1 MiB per DLA core
  EXPECT_EQ(t.mac.int8MacsPerCycle, 8192u);  // [EST] per DLA core
  EXPECT_EQ(t.mac.int16MacsPerCycle, 4096u); // NVDLA: int16 at half rate
  // MAXN: 2 x DLA = 105 sparse TOPS = 52.5 dense; the model is within 1%.
  EXPECT_NEAR(t.peakInt8Tops() * t.cores / 52.5, 1.0, 0.01);
  EXPECT_EQ(t.dram.bytesPerSecond, 204.8e9);
  EXPECT_EQ(t.dma.bytesPerCycle, 32u); // nv_large 256-bit interface
  EXPECT_EQ(t.sram.bankBytesPerCycle, 64u);
  EXPECT_TRUE(t.defaultScheme().weight.perChannel);
  EXPECT_TRUE(t.defaultScheme().activation.symmetric);
}

TEST(TargetProfiles, EnergyTablesHitTheirCalibration) {
  for (const char *name : {"rv1126", "j5", "orin"}) {
    Target t = load(name);
    EXPECT_NEAR(t.modelTopsPerWatt() / t.energy.calibrationTopsPerWatt, 1.0,
                0.002)
        << name;
    // Static power is 10% of full load, as every profile says.
    EXPECT_NEAR(t.energy.staticMw * 1e-3 / t.fullLoadPowerW(), 0.1, 0.002)
        << name;
    // int16 costs more than int8; DRAM costs 200x an int8 MAC (Eyeriss).
    EXPECT_GT(t.energy.int16MacPj, 2.5 * t.energy.int8MacPj) << name;
    EXPECT_NEAR(t.energy.dramBytePj / t.energy.int8MacPj, 200.0, 0.5) << name;
  }
}

TEST(TargetProfiles, EveryNumberCitesAnAnchorOrSaysEstimate) {
  std::regex numeric(R"(^\s*[A-Za-z_0-9]+:\s*[-+]?[0-9][0-9.eE+-]*\s*(#.*)?$)");
  for (const char *name : {"rv1126", "j5", "orin"}) {
    std::string path = sourceDir() + "/targets/" + name + ".yaml";
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path;
    std::string line;
    int numbers = 0;
    for (int no = 1; std::getline(in, line); ++no) {
      if (!std::regex_match(line, numeric))
        continue;
      ++numbers;
      size_t hash = line.find('#');
      std::string comment = hash == std::string::npos ? "" : line.substr(hash);
      EXPECT_TRUE(comment.find("ANCHORS") != std::string::npos ||
                  comment.find("estimate") != std::string::npos)
          << path << ":" << no << ": number without a source: " << line;
    }
    EXPECT_GE(numbers, 25) << path;
  }
}

TEST(TargetProfiles, QuotedAnchorsExistInAnchorsMd) {
  const char *shared = std::getenv("TESSERA_SHARED_DIR");
  std::string anchorsPath =
      std::string(shared ? shared : sourceDir() + "/../shared") +
      "/design/ANCHORS.md";
  std::string anchors = readFile(anchorsPath);
  if (anchors.empty())
    GTEST_SKIP() << "ANCHORS.md not available (" << anchorsPath << ")";
  auto normalize = [](const std::string &s) {
    std::string out;
    for (char c : s) {
      bool space = c == ' ' || c == '\n' || c == '\t';
      if (space && (out.empty() || out.back() == ' '))
        continue;
      out += space ? ' ' : c;
    }
    return out;
  };
  std::string hay = normalize(anchors);
  std::regex quote("\"([^\"]+)\"");
  int quotes = 0;
  for (const char *name : {"rv1126", "j5", "orin"}) {
    std::string path = sourceDir() + "/targets/" + name + ".yaml";
    std::ifstream in(path);
    std::string line;
    for (int no = 1; std::getline(in, line); ++no) {
      size_t at = line.find("ANCHORS:");
      if (at == std::string::npos)
        continue;
      std::string rest = line.substr(at);
      for (std::sregex_iterator it(rest.begin(), rest.end(), quote), end;
           it != end; ++it) {
        ++quotes;
        EXPECT_NE(hay.find(normalize((*it)[1])), std::string::npos)
            << path << ":" << no << ": not in ANCHORS.md: " << (*it)[1];
      }
    }
  }
  EXPECT_GE(quotes, 30);
}

TEST(TargetProfiles, YamlRoundTrip) {
  for (const char *name : {"rv1126", "j5", "orin"}) {
    Target t = load(name);
    std::string yaml = t.toYaml();
    llvm::Expected<Target> back = parseTargetProfile(yaml, "roundtrip.yaml");
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError()) << yaml;
    EXPECT_EQ(*back, t) << name;
  }
}

// Doubles print as the shortest text that reads back exactly: with
// llvm::yaml's "%g" 0.06202155 printed as 0.0620216 and the profile changed
// (found by fuzz-target-yaml).
TEST(TargetProfiles, YamlRoundTripKeepsEveryDigit) {
  Target t = load("rv1126");
  t.energy.calibrationTopsPerWatt = 0.06202155;
  t.clockMhz = 1.0 / 3.0;
  std::string yaml = t.toYaml();
  // llvm::yaml pads short keys to a column: match the value.
  EXPECT_NE(yaml.find(" 0.06202155\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find(" 0.3333333333333333\n"), std::string::npos) << yaml;
  llvm::Expected<Target> back = parseTargetProfile(yaml, "roundtrip.yaml");
  // Validation may refuse the odd clock; the printed numbers are the point.
  if (back)
    EXPECT_EQ(back->energy.calibrationTopsPerWatt, 0.06202155);
  else
    llvm::consumeError(back.takeError());
}

TEST(TargetLoad, UnknownTargetListsTheKnownOnes) {
  std::string msg = errorOf(loadTargetProfile("tpu9000"));
  EXPECT_EQ(msg.rfind("unknown target 'tpu9000' (known: j5, orin, rv1126; "
                      "searched ",
                      0),
            0u)
      << msg;
  EXPECT_EQ(errorOf(loadTargetProfile("/nonexistent/dir/x.yaml")),
            "/nonexistent/dir/x.yaml: cannot open: No such file or directory");
}

// Issue 12: `--target /dev/zero` read forever. Only regular files of at most
// kMaxProfileBytes are read.
TEST(TargetLoad, OnlyBoundedRegularFilesAreRead) {
  EXPECT_EQ(errorOf(loadTargetProfile("/dev/zero")),
            "/dev/zero: not a regular file");
  EXPECT_EQ(errorOf(loadTargetProfile("/dev/null")),
            "/dev/null: not a regular file");
  EXPECT_EQ(errorOf(loadTargetProfile(sourceDir() + "/targets")),
            sourceDir() + "/targets: not a regular file");
  llvm::SmallString<128> big;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("big", "yaml", big));
  {
    std::ofstream out(big.c_str());
    out << "# " << std::string(kMaxProfileBytes, 'x') << "\n";
  }
  EXPECT_EQ(errorOf(loadTargetProfile(big)),
            big.str().str() + ": 1048579 bytes, over the 1 MiB limit for a "
                              "target profile");
  llvm::sys::fs::remove(big);
  // The same limit for text given directly (the Python API).
  EXPECT_EQ(errorOf(parseTargetProfile(std::string(kMaxProfileBytes + 1, ' '),
                                       "text.yaml")),
            "text.yaml: 1048577 bytes, over the 1 MiB limit for a target "
            "profile");
}

// Issue 12: 100,000 nested `[` overflowed the stack in llvm::yaml::Input.
// The nesting is measured first; the error names the line and column of the
// first collection past kMaxProfileNesting (64).
TEST(TargetLoad, DeepNestingIsAnErrorNamingTheLine) {
  const std::string limit =
      " levels (the limit for a target profile)";
  // Flow sequences: the document's mapping is level 1, so the 64th `[`
  // (column 6 + 64) is level 65.
  EXPECT_EQ(errorOf(parseTargetProfile("name: " + std::string(100000, '['),
                                       "deep.yaml")),
            "deep.yaml:1:70: nested deeper than 64" + limit);
  // Flow mappings, on the second line.
  std::string braces = "cores: 1\nname: ";
  for (int i = 0; i < 1000; ++i)
    braces += "{a: ";
  EXPECT_EQ(errorOf(parseTargetProfile(braces, "deep.yaml")),
            "deep.yaml:2:" + std::to_string(6 + 63 * 4 + 1) +
                ": nested deeper than 64" + limit);
  // Compact block sequences: "- - - x" nests one level per two characters;
  // the 65th sequence starts at column 2 * 64 + 1.
  std::string dashes;
  for (int i = 0; i < 100000; ++i)
    dashes += "- ";
  EXPECT_EQ(errorOf(parseTargetProfile(dashes + "x", "deep.yaml")),
            "deep.yaml:1:129: nested deeper than 64" + limit);
  // Block mappings by indentation: level k starts on line k, column k.
  std::string block;
  for (int i = 0; i < 100; ++i)
    block += std::string(i, ' ') + "a:\n";
  EXPECT_EQ(errorOf(parseTargetProfile(block, "deep.yaml")),
            "deep.yaml:65:65: nested deeper than 64" + limit);
  // Deep complex keys ("? [[[...") count too: yaml::Input skips over a key
  // recursively.
  EXPECT_EQ(errorOf(parseTargetProfile("? " + std::string(100000, '[') + "\n",
                                       "deep.yaml")),
            "deep.yaml:1:66: nested deeper than 64" + limit);
  // A mapping llvm::yaml makes up inside a flow sequence can carry a range
  // outside the text (a fuzz-target-yaml finding in CI: reading its line
  // segfaulted). Reported without a line:col.
  std::string madeUp = std::string(52, '[') + "\n\n\n\n\n[[[[e: " +
                       std::string(8, '[') + "\n\n\n\n\n\n\n\n[\n\n" +
                       std::string(117, '\xff') + "fm";
  EXPECT_EQ(errorOf(parseTargetProfile(madeUp, "deep.yaml")),
            "deep.yaml: nested deeper than 64" + limit);
  // Exactly 64 levels pass the check and fail as the YAML they are.
  std::string at64 =
      errorOf(parseTargetProfile("name: " + std::string(63, '['), "ok.yaml"));
  EXPECT_EQ(at64.find("nested deeper"), std::string::npos) << at64;
  EXPECT_EQ(at64.rfind("ok.yaml:", 0), 0u) << at64;
}

// 250,000 "..." markers overflowed the stack in llvm::yaml's
// Document::skip; a profile is one document, with at most a "---" before it
// and a "..." after it.
TEST(TargetLoad, OneDocumentOnly) {
  // Under kMaxProfileBytes: 250,000 4-byte lines, 200,000 5-byte lines.
  for (auto [marker, count] : {std::pair{"...\n", 250000},
                               std::pair{"--- \n", 200000}}) {
    std::string text;
    for (int i = 0; i < count; ++i)
      text += marker;
    EXPECT_EQ(errorOf(parseTargetProfile(text, "docs.yaml")),
              "docs.yaml:3:1: a third '---' or '...' document marker (a "
              "target profile is one YAML document)");
  }
  // The real profile between "---" and "..." still loads, also with
  // marker-like comments.
  std::string text = readFile(sourceDir() + "/targets/rv1126.yaml");
  EXPECT_EQ(errorOf(parseTargetProfile("---\n" + text + "...\n", "ok.yaml")),
            "<success>");
  EXPECT_EQ(errorOf(parseTargetProfile("#\n---\n" + text +
                                           "# ----\n# ...x\n...\n",
                                       "ok.yaml")),
            "<success>");
}

// Brackets inside quoted scalars, comments and block scalars are text, not
// nesting: the real profile with such a description still loads.
TEST(TargetLoad, BracketsInStringsAreNotNesting) {
  std::string text = readFile(sourceDir() + "/targets/rv1126.yaml");
  size_t at = text.find("\ncores:");
  ASSERT_NE(at, std::string::npos);
  std::string brackets(5000, '[');
  for (const std::string &extra :
       {"\ndescription: '" + brackets + "'", "\n# " + brackets,
        "\ndescription: |\n  " + brackets + "\n  " + brackets}) {
    std::string edited = text;
    size_t desc = edited.find("\ndescription:");
    if (desc != std::string::npos) {
      size_t eol = edited.find('\n', desc + 1);
      // Drop the original (possibly multi-line) description value.
      while (eol != std::string::npos && eol + 1 < edited.size() &&
             edited[eol + 1] == ' ')
        eol = edited.find('\n', eol + 1);
      edited.erase(desc, eol - desc);
    }
    edited.insert(edited.find("\ncores:"), extra);
    EXPECT_EQ(errorOf(parseTargetProfile(edited, "text.yaml")), "<success>")
        << extra.substr(0, 20);
  }
}

TEST(TargetLoad, MalformedProfilesNameFileLineAndField) {
  // YAML syntax error, with its line.
  EXPECT_EQ(errorOf(parseTargetProfile("name: [rv1126\ncores: 1\n", "s.yaml"))
                .rfind("s.yaml:", 0),
            0u);
  std::string syntax = parseEdited("clock_mhz: 934", "clock_mhz: 934: 5");
  EXPECT_NE(syntax.find("bad.yaml:9:"), std::string::npos) << syntax;
  // Missing required field.
  std::string missing = parseEdited("clock_mhz: 934", "");
  EXPECT_NE(missing.find("missing required key 'clock_mhz'"), std::string::npos)
      << missing;
  EXPECT_EQ(missing.rfind("bad.yaml:", 0), 0u);
  // Wrong type: the key is recovered from the line.
  EXPECT_EQ(parseEdited("  banks: 8", "  banks: eight"),
            "bad.yaml:19:10: field 'banks': invalid number");
  EXPECT_EQ(parseEdited("  banks: 8", "  banks: -8"),
            "bad.yaml:19:10: field 'banks': invalid number");
  EXPECT_EQ(parseEdited("dtypes:", "dtypes: [uint8, int3]"),
            "bad.yaml:16:17: field 'dtypes': unknown dtype (expected int8, "
            "uint8, int16, ...)");
  // A misspelt key: the required one is reported missing; an extra key is
  // an error of its own.
  std::string typo = parseEdited("  latency_cycles: 4", "  latency_cylces: 4");
  EXPECT_NE(typo.find("missing required key 'latency_cycles'"),
            std::string::npos)
      << typo;
  std::string extra =
      parseEdited("  latency_cycles: 4", "  latency_cycles: 4\n  lanes: 4");
  EXPECT_NE(extra.find("unknown key 'lanes'"), std::string::npos) << extra;
  // Out-of-range and inconsistent values, named by field path.
  EXPECT_EQ(parseEdited("clock_mhz: 934", "clock_mhz: -5"),
            "bad.yaml: field 'clock_mhz' must be a finite number > 0, got -5");
  EXPECT_EQ(parseEdited("  banks: 8", "  banks: 7"),
            "bad.yaml: field 'sram.banks' 7 does not divide sram.bytes = "
            "262144");
  EXPECT_EQ(
      parseEdited("  int8_macs_per_cycle: 1024", "  int8_macs_per_cycle: 1000"),
      "bad.yaml: field 'mac_array.int8_macs_per_cycle' must equal rows "
      "x cols = 1024, got 1000");
  EXPECT_EQ(parseEdited("  default_scheme: asymmetric_u8",
                        "  default_scheme: per_channel_u8"),
            "bad.yaml: field 'quantization.default_scheme' 'per_channel_u8' "
            "is not one of the schemes");
  EXPECT_EQ(parseEdited("  ops: [", "  ops: [add, fft]"),
            "bad.yaml: field 'vector.ops' has unknown operation 'fft' "
            "(expected add, sub, mul, max, min, rescale, clamp, lut, "
            "max_pool, avg_pool)");
  EXPECT_EQ(parseEdited("  dram_byte_pj:", "  dram_byte_pj: -1"),
            "bad.yaml: field 'energy.dram_byte_pj' must be a finite number >= "
            "0, got -1");
  std::string calib = parseEdited("  int8_mac_pj:", "  int8_mac_pj: 5.0");
  EXPECT_EQ(calib.rfind("bad.yaml: field 'energy.calibration_tops_per_watt' "
                        "is 2 but the energy table gives 0.",
                        0),
            0u)
      << calib;
  EXPECT_EQ(parseEdited("dtypes:", "dtypes: [uint8, int8]"),
            "bad.yaml: field 'mac_array.int16_macs_per_cycle' must be 0 when "
            "dtypes does not list int16");
  // The host block (host fallback) is validated like the rest.
  EXPECT_EQ(parseEdited("  sustained_gflops:", "  sustained_gflops: 0"),
            "bad.yaml: field 'host.sustained_gflops' must be a finite number "
            "> 0, got 0");
  EXPECT_EQ(parseEdited("  crossing_us:", "  crossing_us: -1"),
            "bad.yaml: field 'host.crossing_us' must be a finite number >= 0, "
            "got -1");
  std::string noGbps = parseEdited("  sustained_gbps:", "");
  EXPECT_NE(noGbps.find("missing required key 'sustained_gbps'"),
            std::string::npos)
      << noGbps;
}

TEST(TargetLoad, EnvironmentOverridesTheSearchPath) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("targets-test", dir));
  std::string text = readFile(sourceDir() + "/targets/rv1126.yaml");
  size_t at = text.find("name: rv1126");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "name: custom");
  {
    std::ofstream out((dir + "/custom.yaml").str());
    out << text;
  }
  const char *old = std::getenv("TESSERA_TARGETS_DIR");
  std::string saved = old ? old : "";
  setenv("TESSERA_TARGETS_DIR", dir.c_str(), 1);
  llvm::Expected<Target> t = loadTargetProfile("custom");
  std::vector<std::string> known = knownTargets();
  std::string unknown = errorOf(loadTargetProfile("rv1126"));
  if (old)
    setenv("TESSERA_TARGETS_DIR", saved.c_str(), 1);
  else
    unsetenv("TESSERA_TARGETS_DIR");
  ASSERT_TRUE(bool(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->name, "custom");
  EXPECT_EQ(t->sourcePath, (dir + "/custom.yaml").str());
  EXPECT_EQ(known, std::vector<std::string>{"custom"});
  EXPECT_EQ(unknown.rfind("unknown target 'rv1126' (known: custom;", 0), 0u)
      << unknown;
  llvm::sys::fs::remove_directories(dir);
}

} // namespace
