//===- Program.cpp - Program verification and the .npubin container -------===//
//
// The byte layout written and read here is documented in docs/isa.md
// ("Container"). The reader checks every length against the bytes actually
// present before touching them, so truncated or corrupted files give an
// error, never a crash or a huge allocation.
//
//===----------------------------------------------------------------------===//
#include "core/isa/Program.h"
#include "core/support/Names.h"

#include "core/io/Output.h"
#include "core/tensor/Limits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace tessera::isa;
using tessera::quoteName;
using llvm::StringRef;
namespace nb = tessera::isa::npubin;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

uint64_t satMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a)
    return std::numeric_limits<uint64_t>::max();
  return a * b;
}

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

constexpr size_t kMaxString = kMaxNpubinString;
constexpr size_t kMaxRank = kMaxNpubinRank;
constexpr uint64_t kMaxDramBytes = uint64_t(1) << 40; // DMA dram field width
constexpr uint64_t kMaxSramBytes = uint64_t(1) << 32; // SRAM address width

const char *sectionName(nb::SectionId id) {
  switch (id) {
  case nb::SectionId::LoadCode:
    return "load code";
  case nb::SectionId::ComputeCode:
    return "compute code";
  case nb::SectionId::StoreCode:
    return "store code";
  case nb::SectionId::Constants:
    return "constants";
  case nb::SectionId::Symbols:
    return "symbols";
  case nb::SectionId::Inputs:
    return "inputs";
  case nb::SectionId::Outputs:
    return "outputs";
  case nb::SectionId::Layers:
    return "layers";
  case nb::SectionId::HostSegments:
    return "host segments";
  }
  return "?";
}

} // namespace

//===----------------------------------------------------------------------===//
// Plain data
//===----------------------------------------------------------------------===//

static constexpr const char *kLayoutNames[] = {"nhwc", "row_major"};
const char *tessera::isa::layoutName(Layout l) {
  auto i = static_cast<size_t>(l);
  return i < std::size(kLayoutNames) ? kLayoutNames[i] : "<invalid>";
}
std::optional<Layout> tessera::isa::parseLayout(StringRef name) {
  for (size_t i = 0; i < std::size(kLayoutNames); ++i)
    if (name == kLayoutNames[i])
      return static_cast<Layout>(i);
  return std::nullopt;
}

uint64_t TensorDesc::numElements() const {
  uint64_t n = 1;
  for (int64_t d : shape)
    n = satMul(n, d < 0 ? 0 : static_cast<uint64_t>(d));
  return n;
}
uint64_t TensorDesc::byteSize() const {
  return satMul(numElements(), dtypeBytes(dtype));
}

namespace tessera::isa {
bool operator==(const TensorDesc &a, const TensorDesc &b) {
  // Scales compare by bits so that NaNs cannot make a == a false.
  return a.name == b.name && a.dtype == b.dtype && a.shape == b.shape &&
         std::memcmp(&a.scale, &b.scale, sizeof(double)) == 0 &&
         a.zeroPoint == b.zeroPoint && a.dramOffset == b.dramOffset &&
         a.layout == b.layout;
}
bool operator==(const LayerInfo &a, const LayerInfo &b) {
  return a.name == b.name && a.opType == b.opType && a.macs == b.macs &&
         a.outputShape == b.outputShape;
}
bool operator==(const ConstSymbol &a, const ConstSymbol &b) {
  return a.name == b.name && a.offset == b.offset && a.size == b.size;
}
bool operator==(const HostSegment &a, const HostSegment &b) {
  return a.name == b.name && a.nodes == b.nodes && a.inputs == b.inputs &&
         a.outputs == b.outputs && a.flops == b.flops && a.bytes == b.bytes &&
         a.program == b.program;
}
bool operator==(const Program &a, const Program &b) {
  return a.target == b.target && a.flags == b.flags &&
         a.sramBytes == b.sramBytes && a.dramBytes == b.dramBytes &&
         a.code == b.code && a.constants == b.constants &&
         a.symbols == b.symbols && a.inputs == b.inputs &&
         a.outputs == b.outputs && a.layers == b.layers &&
         a.hostSegments == b.hostSegments;
}
} // namespace tessera::isa

uint64_t Program::addConstant(StringRef name, llvm::ArrayRef<uint8_t> bytes) {
  uint64_t offset = alignUp(constants.size(), kDramAlign);
  constants.resize(alignUp(offset + bytes.size(), kDramAlign), 0);
  std::copy(bytes.begin(), bytes.end(), constants.begin() + offset);
  symbols.push_back({name.str(), offset, bytes.size()});
  return offset;
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

static llvm::Error checkTensor(const TensorDesc &t, const llvm::Twine &what,
                               size_t index, const Program &p) {
  auto fail = [&](const llvm::Twine &msg) {
    return makeError(what + " " + llvm::Twine(index) + " " +
                     quoteName(t.name) + ": " + msg);
  };
  if (t.name.empty())
    return fail("empty name");
  if (t.name.size() > kMaxString)
    return fail("name longer than " + llvm::Twine(kMaxString) + " bytes");
  if (dtypeBytes(t.dtype) == 0)
    return fail("invalid dtype");
  if (t.shape.size() > kMaxRank)
    return fail("rank " + llvm::Twine(t.shape.size()) + " exceeds " +
                llvm::Twine(kMaxRank));
  for (int64_t d : t.shape)
    if (d < 1)
      return fail("shape dimension " + llvm::Twine(d) + " must be >= 1");
  if (t.layout == Layout::Nhwc && t.shape.size() != 4)
    return fail("layout nhwc needs rank 4, got rank " +
                llvm::Twine(t.shape.size()));
  if (t.layout != Layout::Nhwc && t.layout != Layout::RowMajor)
    return fail("invalid layout");
  if (!std::isfinite(t.scale) || t.scale <= 0)
    return fail("scale must be finite and > 0");
  if (t.zeroPoint < dtypeMin(t.dtype) || t.zeroPoint > dtypeMax(t.dtype))
    return fail("zero point " + llvm::Twine(t.zeroPoint) + " outside " +
                dtypeName(t.dtype));
  if (t.dramOffset % kDramAlign)
    return fail("dram offset 0x" + llvm::utohexstr(t.dramOffset, true) +
                " is not 64-byte aligned");
  if (t.dramOffset < p.constants.size())
    return fail("dram offset 0x" + llvm::utohexstr(t.dramOffset, true) +
                " lies in the constant image (ends at 0x" +
                llvm::utohexstr(p.constants.size(), true) + ")");
  if (t.byteSize() > p.dramBytes || t.dramOffset > p.dramBytes - t.byteSize())
    return fail("dram range [0x" + llvm::utohexstr(t.dramOffset, true) + ", +" +
                llvm::Twine(t.byteSize()) + ") exceeds dram_bytes 0x" +
                llvm::utohexstr(p.dramBytes, true));
  return llvm::Error::success();
}

static llvm::Error checkTensors(const std::vector<TensorDesc> &ts,
                                const char *what, const Program &p) {
  llvm::StringSet<> names;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (auto err = checkTensor(ts[i], what, i, p))
      return err;
    if (!names.insert(ts[i].name).second)
      return makeError(llvm::Twine(what) + " " + llvm::Twine(i) +
                       ": duplicate name " + quoteName(ts[i].name));
  }
  return llvm::Error::success();
}

using Locate = llvm::function_ref<std::string(Queue, size_t)>;

static std::string where(Queue q, size_t index, Locate locate) {
  return std::string(queueName(q)) + "[" + std::to_string(index) + "]" +
         (locate ? locate(q, index) : std::string());
}

static llvm::Error checkInstr(const Program &p, Queue q, size_t index,
                              const Instr &in, Locate locate) {
  auto fail = [&](const llvm::Twine &msg) {
    return makeError(where(q, index, locate) + ": " + msg);
  };
  if (!opcodeFromInt(static_cast<uint8_t>(in.op)))
    return fail("invalid opcode");
  const char *name = opcodeName(in.op);
  if (!queueAllows(q, in.op))
    return fail(llvm::Twine(name) + " is not allowed in the " + queueName(q) +
                " queue");
  if (q == Queue::Load && (in.deps.popPrev || in.deps.pushPrev))
    return fail(llvm::Twine(name) +
                ": field 'deps': the load queue has no previous queue");
  if (q == Queue::Store && (in.deps.popNext || in.deps.pushNext))
    return fail(llvm::Twine(name) +
                ": field 'deps': the store queue has no next queue");
  if (in.layer != kNoLayer && in.layer >= p.layers.size())
    return fail(llvm::Twine(name) + ": field 'layer': " +
                llvm::Twine(in.layer) + " is not in the layer table (" +
                llvm::Twine(p.layers.size()) + " layers)");
  if (in.op == Opcode::Finish && index + 1 != p.queue(q).size())
    return fail("finish must be the last instruction of its queue");
  if (auto w = encode(in); !w)
    return fail(llvm::toString(w.takeError()));
  if (auto err = verify(in))
    return fail(llvm::toString(std::move(err)));
  if (in.op == Opcode::Host) {
    const HostFields &h = in.host();
    if (h.segment >= p.hostSegments.size())
      return fail("host: field 'segment': " + llvm::Twine(h.segment) +
                  " is not in the host-segment table (" +
                  llvm::Twine(p.hostSegments.size()) + " segments)");
    const HostSegment &seg = p.hostSegments[h.segment];
    auto inside = [](const TensorDesc &t, uint64_t begin, uint64_t bytes) {
      return t.dramOffset >= begin && t.byteSize() <= bytes &&
             t.dramOffset - begin <= bytes - t.byteSize();
    };
    for (const TensorDesc &t : seg.inputs)
      if (!inside(t, h.dramIn, h.inBytes))
        return fail("host: field 'in': input " + quoteName(t.name) +
                    " of segment " + quoteName(seg.name) +
                    " lies outside [in, in + in_bytes)");
    for (const TensorDesc &t : seg.outputs)
      if (!inside(t, h.dramOut, h.outBytes))
        return fail("host: field 'out': output " + quoteName(t.name) +
                    " of segment " + quoteName(seg.name) +
                    " lies outside [out, out + out_bytes)");
  }
  for (const MemRange &r : memRanges(in)) {
    uint64_t limit = r.mem == Mem::Sram ? p.sramBytes : p.dramBytes;
    if (r.end > limit)
      return fail(llvm::Twine(name) + ": field '" + r.operand +
                  "': " + (r.mem == Mem::Sram ? "SRAM" : "DRAM") +
                  " range [0x" + llvm::utohexstr(r.begin, true) + ", 0x" +
                  llvm::utohexstr(r.end, true) + ") exceeds " +
                  (r.mem == Mem::Sram ? "sram" : "dram") + "_bytes 0x" +
                  llvm::utohexstr(limit, true));
    if (r.mem == Mem::Dram && r.write && r.begin < p.constants.size())
      return fail(llvm::Twine(name) + ": field '" + r.operand +
                  "': writes DRAM [0x" + llvm::utohexstr(r.begin, true) +
                  ", ...) inside the constant image (ends at 0x" +
                  llvm::utohexstr(p.constants.size(), true) + ")");
  }
  return llvm::Error::success();
}

llvm::Error tessera::isa::verifyProgram(const Program &p, Locate locate) {
  if (p.target.empty() || p.target.size() > kMaxTargetName)
    return makeError("target name must have 1 to " +
                     llvm::Twine(kMaxTargetName) + " characters, got " +
                     quoteName(p.target));
  for (char c : p.target)
    if (!llvm::isAlnum(c) && c != '_' && c != '-' && c != '.')
      return makeError("target name " + quoteName(p.target) +
                       " may only contain [A-Za-z0-9_.-]");
  if (p.flags != 0)
    return makeError("flags 0x" + llvm::utohexstr(p.flags, true) +
                     " are not defined in version " +
                     llvm::Twine(kNpubinVersion));
  if (p.sramBytes == 0 || p.sramBytes > kMaxSramBytes)
    return makeError("sram_bytes must be in [1, 2^32], got " +
                     llvm::Twine(p.sramBytes));
  if (p.constants.size() % kDramAlign)
    return makeError("constant image size " + llvm::Twine(p.constants.size()) +
                     " is not a multiple of 64");
  if (p.dramBytes < p.constants.size() || p.dramBytes > kMaxDramBytes)
    return makeError("dram_bytes 0x" + llvm::utohexstr(p.dramBytes, true) +
                     " must cover the constant image (0x" +
                     llvm::utohexstr(p.constants.size(), true) +
                     ") and be <= 2^40");
  llvm::StringSet<> symNames;
  for (size_t i = 0; i < p.symbols.size(); ++i) {
    const ConstSymbol &s = p.symbols[i];
    if (s.name.empty() || !symNames.insert(s.name).second)
      return makeError("symbol " + llvm::Twine(i) + " " + quoteName(s.name) +
                       ": empty or duplicate name");
    if (s.name.size() > kMaxString)
      return makeError("symbol " + llvm::Twine(i) + " " + quoteName(s.name) +
                       ": name longer than " + llvm::Twine(kMaxString) +
                       " bytes");
    if (s.offset % kDramAlign)
      return makeError("symbol " + quoteName(s.name) + ": offset 0x" +
                       llvm::utohexstr(s.offset, true) +
                       " is not 64-byte aligned");
    if (s.offset > p.constants.size() || s.size > p.constants.size() - s.offset)
      return makeError(
          "symbol " + quoteName(s.name) + ": [0x" +
          llvm::utohexstr(s.offset, true) +
          ", +" + llvm::Twine(s.size) + ") exceeds the constant image (0x" +
          llvm::utohexstr(p.constants.size(), true) + " bytes)");
  }
  if (p.layers.size() >= kNoLayer)
    return makeError("too many layers: " + llvm::Twine(p.layers.size()));
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const LayerInfo &l = p.layers[i];
    if (l.opType.empty())
      return makeError("layer " + llvm::Twine(i) + " " + quoteName(l.name) +
                       ": empty op type");
    if (l.name.size() > kMaxString || l.opType.size() > kMaxString)
      return makeError("layer " + llvm::Twine(i) + " " + quoteName(l.name) +
                       ": name or op type longer than " +
                       llvm::Twine(kMaxString) + " bytes");
    if (l.outputShape.size() > kMaxRank)
      return makeError("layer " + llvm::Twine(i) + " " + quoteName(l.name) +
                       ": output rank exceeds " + llvm::Twine(kMaxRank));
    for (int64_t d : l.outputShape)
      if (d < 0)
        return makeError("layer " + llvm::Twine(i) + " " +
                         quoteName(l.name) + ": negative output dimension");
  }
  if (auto err = checkTensors(p.inputs, "input", p))
    return err;
  if (auto err = checkTensors(p.outputs, "output", p))
    return err;
  if (p.hostSegments.size() > kNoLayer)
    return makeError("too many host segments: " +
                     llvm::Twine(p.hostSegments.size()));
  llvm::StringSet<> segNames;
  for (size_t i = 0; i < p.hostSegments.size(); ++i) {
    const HostSegment &seg = p.hostSegments[i];
    auto fail = [&](const llvm::Twine &msg) {
      return makeError("host segment " + llvm::Twine(i) + " " +
                       quoteName(seg.name) + ": " + msg);
    };
    if (seg.name.empty() || seg.name.size() > kMaxString ||
        !segNames.insert(seg.name).second)
      return fail("empty, duplicate or too long name");
    for (const std::string &n : seg.nodes)
      if (n.size() > kMaxString)
        return fail("node name longer than " + llvm::Twine(kMaxString) +
                    " bytes");
    if (seg.outputs.empty())
      return fail("no outputs");
    for (auto [ts, what] : {std::pair{&seg.inputs, "input"},
                            std::pair{&seg.outputs, "output"}})
      for (size_t j = 0; j < ts->size(); ++j)
        if (auto err = checkTensor((*ts)[j],
                                   "host segment " + llvm::Twine(i) + " " +
                                       what,
                                   j, p))
          return err;
    if (seg.program.empty() || seg.program.size() > kMaxHostProgramBytes)
      return fail("float program size " + llvm::Twine(seg.program.size()) +
                  " must be in [1, 2^32]");
  }
  for (unsigned q = 0; q < kNumQueues; ++q) {
    const std::vector<Instr> &code = p.code[q];
    if (code.size() > std::numeric_limits<uint32_t>::max())
      return makeError(llvm::Twine(queueName(Queue(q))) +
                       " queue has too many instructions");
    for (size_t i = 0; i < code.size(); ++i)
      if (auto err = checkInstr(p, static_cast<Queue>(q), i, code[i], locate))
        return err;
  }
  return checkTokens(p, locate);
}

llvm::Error tessera::isa::checkTokens(const Program &p, Locate locate) {
  // FIFOs: 0 load->compute, 1 compute->load, 2 compute->store,
  // 3 store->compute. -1: the queue has no such neighbour.
  static constexpr int kPopPrev[] = {-1, 0, 2};
  static constexpr int kPopNext[] = {1, 3, -1};
  static constexpr int kPushPrev[] = {-1, 1, 3};
  static constexpr int kPushNext[] = {0, 2, -1};
  uint64_t tokens[4] = {};
  size_t pc[kNumQueues] = {};
  auto waitsOn = [&](unsigned q, const Instr &in) -> const char * {
    if (in.deps.popPrev && (kPopPrev[q] < 0 || tokens[kPopPrev[q]] == 0))
      return "pop_prev";
    if (in.deps.popNext && (kPopNext[q] < 0 || tokens[kPopNext[q]] == 0))
      return "pop_next";
    return nullptr;
  };
  for (bool progress = true; progress;) {
    progress = false;
    for (unsigned q = 0; q < kNumQueues; ++q) {
      const std::vector<Instr> &code = p.code[q];
      while (pc[q] < code.size() && !waitsOn(q, code[pc[q]])) {
        const Instr &in = code[pc[q]];
        if (in.deps.popPrev)
          --tokens[kPopPrev[q]];
        if (in.deps.popNext)
          --tokens[kPopNext[q]];
        if (in.deps.pushPrev && kPushPrev[q] >= 0)
          ++tokens[kPushPrev[q]];
        if (in.deps.pushNext && kPushNext[q] >= 0)
          ++tokens[kPushNext[q]];
        ++pc[q];
        progress = true;
      }
    }
  }
  std::string stuck;
  for (unsigned q = 0; q < kNumQueues; ++q) {
    if (pc[q] == p.code[q].size())
      continue;
    const Instr &in = p.code[q][pc[q]];
    stuck += (stuck.empty() ? "" : "; ") + where(Queue(q), pc[q], locate) +
             " " + opcodeName(in.op) + " waits for " + waitsOn(q, in);
  }
  if (!stuck.empty())
    return makeError("dependency tokens deadlock: " + stuck);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

namespace {

class Writer {
public:
  std::vector<uint8_t> buf;

  void u8(uint8_t v) { buf.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void i32(int32_t v) { le(static_cast<uint32_t>(v), 4); }
  void i64(int64_t v) { le(static_cast<uint64_t>(v), 8); }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  void str(StringRef s) {
    u32(static_cast<uint32_t>(s.size()));
    buf.insert(buf.end(), s.begin(), s.end());
  }
  void dims(const std::vector<int64_t> &d) {
    u16(static_cast<uint16_t>(d.size()));
    for (int64_t v : d)
      i64(v);
  }
  void alignTo(size_t a) { buf.resize(alignUp(buf.size(), a), 0); }
  void patch32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      buf[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  void patch64(size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i)
      buf[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }

private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      buf.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
};

void writeTensor(Writer &w, const TensorDesc &t) {
  w.str(t.name);
  w.u8(static_cast<uint8_t>(t.dtype));
  w.u8(static_cast<uint8_t>(t.layout));
  w.i32(t.zeroPoint);
  w.f64(t.scale);
  w.u64(t.dramOffset);
  w.dims(t.shape);
}

} // namespace

llvm::Expected<std::vector<uint8_t>>
tessera::isa::serializeProgram(const Program &p) {
  if (auto err = verifyProgram(p))
    return std::move(err);
  Writer w;
  // Header; CRC and file size are patched at the end.
  w.buf.insert(w.buf.end(), std::begin(nb::kMagic), std::end(nb::kMagic));
  w.u16(kNpubinVersion);
  w.u16(nb::kHeaderBytes);
  w.u32(p.flags);
  w.u32(0); // crc
  w.u64(0); // file size
  w.u64(p.sramBytes);
  w.u64(p.dramBytes);
  char target[kMaxTargetName + 1] = {};
  std::memcpy(target, p.target.data(), p.target.size());
  w.buf.insert(w.buf.end(), target, target + sizeof target);
  const uint32_t numSections =
      p.hostSegments.empty() ? nb::kNumSections : nb::kMaxSections;
  w.u32(numSections);
  w.u32(kInstrBytes);
  assert(w.buf.size() == nb::kHeaderBytes);
  size_t table = w.buf.size();
  w.buf.resize(table + numSections * nb::kSectionEntryBytes, 0);

  for (uint32_t s = 1; s <= numSections; ++s) {
    w.alignTo(kDramAlign);
    size_t begin = w.buf.size();
    uint64_t count = 0;
    switch (static_cast<nb::SectionId>(s)) {
    case nb::SectionId::LoadCode:
    case nb::SectionId::ComputeCode:
    case nb::SectionId::StoreCode: {
      const std::vector<Instr> &code = p.code[s - 1];
      count = code.size();
      for (const Instr &in : code) {
        llvm::Expected<InstrWord> word = encode(in);
        if (!word) // verifyProgram already encoded it; cannot happen.
          return word.takeError();
        size_t at = w.buf.size();
        w.buf.resize(at + kInstrBytes);
        wordToBytes(*word, w.buf.data() + at);
      }
      break;
    }
    case nb::SectionId::Constants:
      w.buf.insert(w.buf.end(), p.constants.begin(), p.constants.end());
      break;
    case nb::SectionId::Symbols:
      count = p.symbols.size();
      for (const ConstSymbol &sym : p.symbols) {
        w.str(sym.name);
        w.u64(sym.offset);
        w.u64(sym.size);
      }
      break;
    case nb::SectionId::Inputs:
    case nb::SectionId::Outputs: {
      const auto &ts =
          s == uint32_t(nb::SectionId::Inputs) ? p.inputs : p.outputs;
      count = ts.size();
      for (const TensorDesc &t : ts)
        writeTensor(w, t);
      break;
    }
    case nb::SectionId::Layers:
      count = p.layers.size();
      for (const LayerInfo &l : p.layers) {
        w.str(l.name);
        w.str(l.opType);
        w.u64(l.macs);
        w.dims(l.outputShape);
      }
      break;
    case nb::SectionId::HostSegments:
      count = p.hostSegments.size();
      w.u32(kHostSectionVersion);
      for (const HostSegment &seg : p.hostSegments) {
        w.str(seg.name);
        w.u32(static_cast<uint32_t>(seg.nodes.size()));
        for (const std::string &n : seg.nodes)
          w.str(n);
        for (const auto *ts : {&seg.inputs, &seg.outputs}) {
          w.u32(static_cast<uint32_t>(ts->size()));
          for (const TensorDesc &t : *ts)
            writeTensor(w, t);
        }
        w.u64(seg.flops);
        w.u64(seg.bytes);
        w.u64(seg.program.size());
        w.buf.insert(w.buf.end(), seg.program.begin(), seg.program.end());
      }
      break;
    }
    size_t entry = table + (s - 1) * nb::kSectionEntryBytes;
    w.patch32(entry, s);
    w.patch32(entry + 4, static_cast<uint32_t>(count));
    w.patch64(entry + 8, begin);
    w.patch64(entry + 16, w.buf.size() - begin);
  }
  w.patch64(nb::kSizeOffset, w.buf.size());
  w.patch32(nb::kCrcOffset,
            llvm::crc32(llvm::ArrayRef(w.buf).drop_front(nb::kHeaderBytes)));
  return std::move(w.buf);
}

llvm::Error tessera::isa::writeProgram(const Program &p, StringRef path) {
  llvm::Expected<std::vector<uint8_t>> bytes = serializeProgram(p);
  if (!bytes)
    return makeError(path + ": " + llvm::toString(bytes.takeError()));
  // core/io: a temporary file renamed into place (a failure never leaves a
  // half-written program), or written through to a device or FIFO. Its
  // errors name `path`.
  return tessera::io::writeFile(
      path, StringRef(reinterpret_cast<const char *>(bytes->data()),
                      bytes->size()));
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {

/// A bounds-checked little-endian reader over one section.
class Cursor {
public:
  Cursor(llvm::ArrayRef<uint8_t> data, std::string where)
      : data(data), where(std::move(where)) {}

  bool atEnd() const { return pos == data.size(); }
  size_t position() const { return pos; }

  llvm::Error need(size_t n) {
    if (n > data.size() - pos)
      return makeError(where + ": truncated: needs " + llvm::Twine(n) +
                       " bytes at offset " + llvm::Twine(pos) +
                       ", section has " + llvm::Twine(data.size() - pos) +
                       " left");
    return llvm::Error::success();
  }
  llvm::Expected<uint64_t> le(size_t n) {
    if (auto err = need(n))
      return std::move(err);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(data[pos + i]) << (8 * i);
    pos += n;
    return v;
  }
  llvm::Expected<std::string> str() {
    llvm::Expected<uint64_t> n = le(4);
    if (!n)
      return n.takeError();
    if (*n > kMaxString)
      return makeError(where + ": string length " + llvm::Twine(*n) +
                       " exceeds " + llvm::Twine(kMaxString));
    if (auto err = need(*n))
      return std::move(err);
    std::string s(reinterpret_cast<const char *>(data.data() + pos), *n);
    pos += *n;
    return s;
  }
  llvm::Expected<std::vector<int64_t>> dims() {
    llvm::Expected<uint64_t> rank = le(2);
    if (!rank)
      return rank.takeError();
    if (*rank > kMaxRank)
      return makeError(where + ": rank " + llvm::Twine(*rank) + " exceeds " +
                       llvm::Twine(kMaxRank));
    std::vector<int64_t> d;
    for (uint64_t i = 0; i < *rank; ++i) {
      llvm::Expected<uint64_t> v = le(8);
      if (!v)
        return v.takeError();
      d.push_back(static_cast<int64_t>(*v));
    }
    return d;
  }
  llvm::Error skip(size_t n) {
    if (auto err = need(n))
      return err;
    pos += n;
    return llvm::Error::success();
  }
  const std::string &context() const { return where; }
  void setContext(std::string w) { where = std::move(w); }

private:
  llvm::ArrayRef<uint8_t> data;
  size_t pos = 0;
  std::string where;
};

#define TRY_ASSIGN(VAR, EXPR)                                                  \
  auto VAR##OrErr = (EXPR);                                                    \
  if (!VAR##OrErr)                                                             \
    return VAR##OrErr.takeError();                                             \
  auto VAR = std::move(*VAR##OrErr);

llvm::Expected<TensorDesc> readTensor(Cursor &c) {
  TensorDesc t;
  TRY_ASSIGN(name, c.str());
  TRY_ASSIGN(dtype, c.le(1));
  TRY_ASSIGN(layout, c.le(1));
  TRY_ASSIGN(zp, c.le(4));
  TRY_ASSIGN(scale, c.le(8));
  TRY_ASSIGN(offset, c.le(8));
  TRY_ASSIGN(shape, c.dims());
  if (dtype >= std::size(kDTypeNames))
    return makeError(c.context() + ": invalid dtype code " +
                     llvm::Twine(dtype));
  if (layout >= std::size(kLayoutNames))
    return makeError(c.context() + ": invalid layout code " +
                     llvm::Twine(layout));
  t.name = std::move(name);
  t.dtype = static_cast<DType>(dtype);
  t.layout = static_cast<Layout>(layout);
  t.zeroPoint = static_cast<int32_t>(static_cast<uint32_t>(zp));
  std::memcpy(&t.scale, &scale, sizeof(double));
  t.dramOffset = offset;
  t.shape = std::move(shape);
  return t;
}

struct SectionEntry {
  uint32_t id = 0;
  uint32_t count = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

llvm::Error readBody(llvm::ArrayRef<uint8_t> bytes, Program &p) {
  auto u16 = [&](size_t at) {
    return uint16_t(bytes[at] | bytes[at + 1] << 8);
  };
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= uint32_t(bytes[at + i]) << (8 * i);
    return v;
  };
  auto u64 = [&](size_t at) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t(bytes[at + i]) << (8 * i);
    return v;
  };
  if (bytes.size() < nb::kHeaderBytes)
    return makeError("file has " + llvm::Twine(bytes.size()) +
                     " bytes, too small for the 64-byte header");
  if (std::memcmp(bytes.data(), nb::kMagic, 4) != 0)
    return makeError("bad magic: not an .npubin file");
  if (uint16_t v = u16(4); v != kNpubinVersion)
    return makeError("unsupported version " + llvm::Twine(v) +
                     " (this reader handles version " +
                     llvm::Twine(kNpubinVersion) + ")");
  if (u16(6) != nb::kHeaderBytes)
    return makeError("header size " + llvm::Twine(u16(6)) + " is not 64");
  uint64_t fileSize = u64(nb::kSizeOffset);
  if (fileSize != bytes.size())
    return makeError("header says " + llvm::Twine(fileSize) +
                     " bytes but the file has " + llvm::Twine(bytes.size()) +
                     " (truncated or padded)");
  uint32_t crc = llvm::crc32(bytes.drop_front(nb::kHeaderBytes));
  if (crc != u32(nb::kCrcOffset))
    return makeError("checksum mismatch: header 0x" +
                     llvm::utohexstr(u32(nb::kCrcOffset), true) +
                     ", content 0x" + llvm::utohexstr(crc, true) +
                     " (corrupted)");
  p.flags = u32(8);
  p.sramBytes = u64(24);
  p.dramBytes = u64(32);
  const char *target = reinterpret_cast<const char *>(bytes.data() + 40);
  size_t len = strnlen(target, kMaxTargetName + 1);
  if (len > kMaxTargetName)
    return makeError("target name is not NUL-terminated");
  for (size_t i = len; i <= kMaxTargetName; ++i)
    if (target[i] != 0)
      return makeError("target name padding is not zero");
  p.target.assign(target, len);
  const uint32_t numSections = u32(56);
  if (numSections != nb::kNumSections && numSections != nb::kMaxSections)
    return makeError("section count " + llvm::Twine(numSections) + " is not " +
                     llvm::Twine(nb::kNumSections) + " or " +
                     llvm::Twine(nb::kMaxSections));
  if (u32(60) != kInstrBytes)
    return makeError("instruction size " + llvm::Twine(u32(60)) +
                     " bytes is not " + llvm::Twine(kInstrBytes));
  size_t tableEnd = nb::kHeaderBytes + numSections * nb::kSectionEntryBytes;
  if (bytes.size() < tableEnd)
    return makeError("truncated section table");

  SectionEntry sections[nb::kMaxSections + 1];
  bool seen[nb::kMaxSections + 1] = {};
  for (uint32_t i = 0; i < numSections; ++i) {
    size_t at = nb::kHeaderBytes + i * nb::kSectionEntryBytes;
    SectionEntry e{u32(at), u32(at + 4), u64(at + 8), u64(at + 16)};
    if (e.id < 1 || e.id > numSections || seen[e.id])
      return makeError("section table entry " + llvm::Twine(i) +
                       ": invalid or repeated section id " + llvm::Twine(e.id));
    seen[e.id] = true;
    const char *name = sectionName(static_cast<nb::SectionId>(e.id));
    if (e.offset % kDramAlign || e.offset < tableEnd ||
        e.offset > bytes.size() || e.size > bytes.size() - e.offset)
      return makeError(llvm::Twine("section ") + name + ": [" +
                       llvm::Twine(e.offset) + ", +" + llvm::Twine(e.size) +
                       ") is misaligned or outside the file (" +
                       llvm::Twine(bytes.size()) + " bytes)");
    sections[e.id] = e;
  }
  for (uint32_t a = 1; a <= numSections; ++a)
    for (uint32_t b = a + 1; b <= numSections; ++b) {
      const SectionEntry &x = sections[a], &y = sections[b];
      if (x.size && y.size && x.offset < y.offset + y.size &&
          y.offset < x.offset + x.size)
        return makeError(llvm::Twine("sections ") +
                         sectionName(static_cast<nb::SectionId>(a)) + " and " +
                         sectionName(static_cast<nb::SectionId>(b)) +
                         " overlap");
    }

  auto body = [&](nb::SectionId id) {
    const SectionEntry &e = sections[static_cast<uint32_t>(id)];
    return bytes.slice(e.offset, e.size);
  };
  auto countOf = [&](nb::SectionId id) {
    return sections[static_cast<uint32_t>(id)].count;
  };

  // Code.
  for (unsigned q = 0; q < kNumQueues; ++q) {
    auto id = static_cast<nb::SectionId>(q + 1);
    llvm::ArrayRef<uint8_t> code = body(id);
    if (code.size() != uint64_t(countOf(id)) * kInstrBytes)
      return makeError(llvm::Twine("section ") + sectionName(id) + ": " +
                       llvm::Twine(countOf(id)) + " instructions need " +
                       llvm::Twine(uint64_t(countOf(id)) * kInstrBytes) +
                       " bytes, section has " + llvm::Twine(code.size()));
    std::vector<Instr> &out = p.code[q];
    out.reserve(countOf(id)); // bounded by the file size checked above
    for (uint32_t i = 0; i < countOf(id); ++i) {
      llvm::Expected<Instr> in =
          decode(wordFromBytes(code.data() + size_t(i) * kInstrBytes));
      if (!in)
        return makeError(llvm::Twine(queueName(Queue(q))) + "[" +
                         llvm::Twine(i) +
                         "]: " + llvm::toString(in.takeError()));
      out.push_back(std::move(*in));
    }
  }

  // Constants.
  if (countOf(nb::SectionId::Constants) != 0)
    return makeError("section constants: count must be 0");
  llvm::ArrayRef<uint8_t> consts = body(nb::SectionId::Constants);
  p.constants.assign(consts.begin(), consts.end());

  // Tables: each section holds exactly `count` records.
  auto table = [&](nb::SectionId id, auto &&readOne) -> llvm::Error {
    Cursor c(body(id), std::string("section ") + sectionName(id));
    for (uint32_t i = 0; i < countOf(id); ++i) {
      c.setContext(std::string("section ") + sectionName(id) + " record " +
                   std::to_string(i));
      if (auto err = readOne(c))
        return err;
    }
    if (!c.atEnd())
      return makeError(llvm::Twine("section ") + sectionName(id) + ": " +
                       llvm::Twine(body(id).size() - c.position()) +
                       " trailing bytes after " + llvm::Twine(countOf(id)) +
                       " records");
    return llvm::Error::success();
  };
  if (auto err = table(nb::SectionId::Symbols, [&](Cursor &c) -> llvm::Error {
        TRY_ASSIGN(name, c.str());
        TRY_ASSIGN(offset, c.le(8));
        TRY_ASSIGN(size, c.le(8));
        p.symbols.push_back({std::move(name), offset, size});
        return llvm::Error::success();
      }))
    return err;
  for (auto id : {nb::SectionId::Inputs, nb::SectionId::Outputs})
    if (auto err = table(id, [&](Cursor &c) -> llvm::Error {
          TRY_ASSIGN(t, readTensor(c));
          (id == nb::SectionId::Inputs ? p.inputs : p.outputs)
              .push_back(std::move(t));
          return llvm::Error::success();
        }))
      return err;
  if (auto err = table(nb::SectionId::Layers, [&](Cursor &c) -> llvm::Error {
        LayerInfo l;
        TRY_ASSIGN(name, c.str());
        TRY_ASSIGN(op, c.str());
        TRY_ASSIGN(macs, c.le(8));
        TRY_ASSIGN(shape, c.dims());
        l.name = std::move(name);
        l.opType = std::move(op);
        l.macs = macs;
        l.outputShape = std::move(shape);
        p.layers.push_back(std::move(l));
        return llvm::Error::success();
      }))
    return err;
  if (numSections == nb::kMaxSections) {
    auto id = nb::SectionId::HostSegments;
    Cursor c(body(id), "section host segments");
    TRY_ASSIGN(version, c.le(4));
    if (version != kHostSectionVersion)
      return makeError("section host segments: unsupported version " +
                       llvm::Twine(version) + " (this reader handles " +
                       llvm::Twine(kHostSectionVersion) + ")");
    if (countOf(id) == 0)
      return makeError("section host segments: count must be >= 1");
    for (uint32_t i = 0; i < countOf(id); ++i) {
      c.setContext("section host segments record " + std::to_string(i));
      HostSegment seg;
      TRY_ASSIGN(name, c.str());
      seg.name = std::move(name);
      TRY_ASSIGN(numNodes, c.le(4));
      for (uint64_t k = 0; k < numNodes; ++k) {
        TRY_ASSIGN(node, c.str()); // each needs >= 4 bytes: bounded
        seg.nodes.push_back(std::move(node));
      }
      for (auto *ts : {&seg.inputs, &seg.outputs}) {
        TRY_ASSIGN(n, c.le(4));
        for (uint64_t k = 0; k < n; ++k) {
          TRY_ASSIGN(t, readTensor(c));
          ts->push_back(std::move(t));
        }
      }
      TRY_ASSIGN(flops, c.le(8));
      TRY_ASSIGN(work, c.le(8));
      TRY_ASSIGN(size, c.le(8));
      seg.flops = flops;
      seg.bytes = work;
      if (auto err = c.need(size)) // before allocating
        return err;
      llvm::ArrayRef<uint8_t> prog =
          body(id).slice(c.position(), static_cast<size_t>(size));
      seg.program.assign(prog.begin(), prog.end());
      if (auto err = c.skip(size))
        return err;
      p.hostSegments.push_back(std::move(seg));
    }
    if (!c.atEnd())
      return makeError("section host segments: " +
                       llvm::Twine(body(id).size() - c.position()) +
                       " trailing bytes after " + llvm::Twine(countOf(id)) +
                       " records");
  }
  return verifyProgram(p);
}

#undef TRY_ASSIGN

} // namespace

llvm::Expected<Program> tessera::isa::readProgram(llvm::ArrayRef<uint8_t> bytes,
                                                  StringRef name) {
  Program p;
  if (auto err = readBody(bytes, p))
    return makeError(name + ": " + llvm::toString(std::move(err)));
  return p;
}

llvm::Expected<Program> tessera::isa::readProgramFile(StringRef path) {
  // Only a regular file no larger than the memory budget: `tessera-sim
  // /dev/zero` read until memory ran out.
  auto buf = tessera::io::readRegularFile(path, tessera::memoryBudget(),
                                         tessera::memoryBudgetText());
  if (!buf)
    return buf.takeError();
  const auto *data =
      reinterpret_cast<const uint8_t *>((*buf)->getBufferStart());
  return readProgram(llvm::ArrayRef(data, (*buf)->getBufferSize()), path);
}
