//===- Isa.cpp - Encoder, decoder, verifier and text form of instructions -===//
//
// Everything here is driven by the field tables in Isa.h: no bit position or
// field name is written twice.
//
//===----------------------------------------------------------------------===//
#include "core/isa/Isa.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <limits>

using namespace tessera::isa;
using llvm::StringRef;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

template <size_t N>
std::optional<uint8_t> lookupName(const char *const (&table)[N],
                                  StringRef name) {
  for (size_t i = 0; i < N; ++i)
    if (table[i] && name == table[i])
      return static_cast<uint8_t>(i);
  return std::nullopt;
}

uint64_t lowMask(unsigned bits) {
  return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
}

/// Saturating arithmetic for byte extents: a product of a 32-bit count and a
/// 40-bit stride can exceed 64 bits; saturating makes it fail bounds checks
/// instead of wrapping into range.
uint64_t satMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a)
    return std::numeric_limits<uint64_t>::max();
  return a * b;
}
uint64_t satAdd(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a
             ? std::numeric_limits<uint64_t>::max()
             : a + b;
}

int64_t readField(const InstrWord &w, const FieldDesc &d) {
  uint64_t raw = (w[d.lsb / 64] >> (d.lsb % 64)) & lowMask(d.bits);
  if (d.isSigned && d.bits < 64 && (raw >> (d.bits - 1)) & 1)
    raw |= ~lowMask(d.bits);
  return static_cast<int64_t>(raw);
}

void writeField(InstrWord &w, const FieldDesc &d, int64_t v) {
  w[d.lsb / 64] |= (static_cast<uint64_t>(v) & lowMask(d.bits)) << (d.lsb % 64);
}

std::string fitRange(const FieldDesc &d) {
  if (d.fmt == FieldFmt::Enum) {
    std::string names;
    for (unsigned i = 0; i < d.numEnumNames; ++i)
      if (d.enumNames[i])
        names += (names.empty() ? "" : ", ") + std::string(d.enumNames[i]);
    return "one of " + names;
  }
  if (d.isSigned)
    return std::to_string(-(int64_t(1) << (d.bits - 1))) + ".." +
           std::to_string((int64_t(1) << (d.bits - 1)) - 1);
  return "0.." + std::to_string(lowMask(d.bits));
}

CommonFields commonOf(const Instr &in) {
  CommonFields c;
  c.op = static_cast<uint8_t>(in.op);
  c.popPrev = in.deps.popPrev;
  c.popNext = in.deps.popNext;
  c.pushPrev = in.deps.pushPrev;
  c.pushNext = in.deps.pushNext;
  c.layer = in.layer;
  return c;
}

bool isNarrowInput(DType t) { return t != DType::Int32; }

} // namespace

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

std::optional<Opcode> tessera::isa::opcodeFromInt(uint64_t v) {
  if (v == 0 || v >= kNumOpcodes)
    return std::nullopt;
  return static_cast<Opcode>(v);
}
const char *tessera::isa::opcodeName(Opcode op) {
  auto i = static_cast<size_t>(op);
  return i < std::size(kOpcodeNames) && kOpcodeNames[i] ? kOpcodeNames[i]
                                                        : "<invalid>";
}
std::optional<Opcode> tessera::isa::parseOpcode(StringRef name) {
  if (auto i = lookupName(kOpcodeNames, name))
    return static_cast<Opcode>(*i);
  return std::nullopt;
}

static constexpr const char *kQueueNames[] = {"load", "compute", "store"};
const char *tessera::isa::queueName(Queue q) {
  return kQueueNames[static_cast<size_t>(q)];
}
std::optional<Queue> tessera::isa::parseQueue(StringRef name) {
  if (auto i = lookupName(kQueueNames, name))
    return static_cast<Queue>(*i);
  return std::nullopt;
}
bool tessera::isa::queueAllows(Queue q, Opcode op) {
  switch (op) {
  case Opcode::Nop:
  case Opcode::Finish:
    return true;
  case Opcode::Load:
    return q == Queue::Load;
  case Opcode::Store:
    return q == Queue::Store;
  case Opcode::Conv:
  case Opcode::Pool:
  case Opcode::Eltwise:
    return q == Queue::Compute;
  case Opcode::Host:
    return q == Queue::Store;
  }
  return false;
}

unsigned tessera::isa::dtypeBytes(DType t) {
  switch (t) {
  case DType::Int8:
  case DType::UInt8:
    return 1;
  case DType::Int16:
    return 2;
  case DType::Int32:
    return 4;
  }
  return 0;
}
int64_t tessera::isa::dtypeMin(DType t) {
  switch (t) {
  case DType::Int8:
    return -128;
  case DType::UInt8:
    return 0;
  case DType::Int16:
    return -32768;
  case DType::Int32:
    return std::numeric_limits<int32_t>::min();
  }
  return 0;
}
int64_t tessera::isa::dtypeMax(DType t) {
  switch (t) {
  case DType::Int8:
    return 127;
  case DType::UInt8:
    return 255;
  case DType::Int16:
    return 32767;
  case DType::Int32:
    return std::numeric_limits<int32_t>::max();
  }
  return 0;
}
const char *tessera::isa::dtypeName(DType t) {
  auto i = static_cast<size_t>(t);
  return i < std::size(kDTypeNames) ? kDTypeNames[i] : "<invalid>";
}
std::optional<DType> tessera::isa::parseDType(StringRef name) {
  if (auto i = lookupName(kDTypeNames, name))
    return static_cast<DType>(*i);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Instr
//===----------------------------------------------------------------------===//

size_t tessera::isa::argsIndexFor(Opcode op) {
  switch (op) {
  case Opcode::Load:
  case Opcode::Store:
    return 1;
  case Opcode::Conv:
    return 2;
  case Opcode::Pool:
    return 3;
  case Opcode::Eltwise:
    return 4;
  case Opcode::Host:
    return 5;
  case Opcode::Nop:
  case Opcode::Finish:
    return 0;
  }
  return 0;
}

InstrArgs tessera::isa::defaultArgs(Opcode op) {
  switch (argsIndexFor(op)) {
  case 1:
    return DmaFields{};
  case 2:
    return ConvFields{};
  case 3:
    return PoolFields{};
  case 4:
    return EltwiseFields{};
  case 5:
    return HostFields{};
  default:
    return NoFields{};
  }
}

Instr::Instr(Opcode op, uint16_t layer, Deps deps)
    : op(op), deps(deps), layer(layer), args(defaultArgs(op)) {}

#define TESSERA_ISA_ACCESSOR(NAME, TYPE)                                       \
  TYPE &Instr::NAME() {                                                        \
    assert(std::holds_alternative<TYPE>(args) && "wrong operands for opcode"); \
    return std::get<TYPE>(args);                                               \
  }                                                                            \
  const TYPE &Instr::NAME() const {                                            \
    assert(std::holds_alternative<TYPE>(args) && "wrong operands for opcode"); \
    return std::get<TYPE>(args);                                               \
  }
TESSERA_ISA_ACCESSOR(dma, DmaFields)
TESSERA_ISA_ACCESSOR(conv, ConvFields)
TESSERA_ISA_ACCESSOR(pool, PoolFields)
TESSERA_ISA_ACCESSOR(eltwise, EltwiseFields)
TESSERA_ISA_ACCESSOR(host, HostFields)
#undef TESSERA_ISA_ACCESSOR

llvm::ArrayRef<FieldDesc> tessera::isa::operandFields(Opcode op) {
  switch (argsIndexFor(op)) {
  case 1:
    return kDmaFieldsDescs;
  case 2:
    return kConvFieldsDescs;
  case 3:
    return kPoolFieldsDescs;
  case 4:
    return kEltwiseFieldsDescs;
  case 5:
    return kHostFieldsDescs;
  default:
    return {};
  }
}
llvm::ArrayRef<FieldDesc> tessera::isa::commonFields() {
  return kCommonFieldsDescs;
}

bool tessera::isa::fieldFits(const FieldDesc &d, int64_t v) {
  if (d.fmt == FieldFmt::Enum)
    return v >= 0 && static_cast<uint64_t>(v) < d.numEnumNames &&
           d.enumNames[v] != nullptr;
  if (d.bits >= 64)
    return true;
  if (d.isSigned)
    return v >= -(int64_t(1) << (d.bits - 1)) &&
           v <= (int64_t(1) << (d.bits - 1)) - 1;
  return v >= 0 && static_cast<uint64_t>(v) <= lowMask(d.bits);
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

llvm::Expected<InstrWord> tessera::isa::encode(const Instr &in) {
  if (!opcodeFromInt(static_cast<uint8_t>(in.op)))
    return makeError("invalid opcode " +
                     std::to_string(static_cast<unsigned>(in.op)));
  if (in.args.index() != argsIndexFor(in.op))
    return makeError(std::string(opcodeName(in.op)) +
                     ": operands do not match the opcode");
  InstrWord w{};
  std::string err;
  auto put = [&](const FieldDesc &d, const auto &member) {
    int64_t v = fieldToInt(member);
    if (!err.empty())
      return;
    if (!fieldFits(d, v)) {
      err = std::string(opcodeName(in.op)) + ": field '" + d.key +
            "' = " + std::to_string(v) + " does not fit " +
            std::to_string(d.bits) + " bits (" + fitRange(d) + ")";
      return;
    }
    writeField(w, d, v);
  };
  CommonFields common = commonOf(in);
  forEachField(common, put);
  std::visit([&](const auto &args) { forEachField(args, put); }, in.args);
  if (!err.empty())
    return makeError(err);
  return w;
}

llvm::Expected<Instr> tessera::isa::decode(const InstrWord &w) {
  uint64_t opRaw = readField(w, kCommonFieldsDescs[0]);
  std::optional<Opcode> op = opcodeFromInt(opRaw);
  if (!op)
    return makeError("invalid opcode 0x" + llvm::utohexstr(opRaw, true));
  Instr in(*op);
  uint64_t used[kInstrWords] = {};
  std::string err;
  auto get = [&](const FieldDesc &d, auto &member) {
    int64_t v = readField(w, d);
    used[d.lsb / 64] |= lowMask(d.bits) << (d.lsb % 64);
    if (!err.empty())
      return;
    if (!fieldFits(d, v)) {
      err = std::string(opcodeName(*op)) + ": field '" + d.key +
            "' has invalid value " + std::to_string(v);
      return;
    }
    fieldFromInt(member, v);
  };
  CommonFields common;
  forEachField(common, get);
  std::visit([&](auto &args) { forEachField(args, get); }, in.args);
  if (!err.empty())
    return makeError(err);
  for (unsigned i = 0; i < kInstrWords; ++i)
    if (uint64_t stray = w[i] & ~used[i])
      return makeError(std::string(opcodeName(*op)) +
                       ": reserved bits set in word " + std::to_string(i) +
                       " (0x" + llvm::utohexstr(stray, true) + ")");
  in.deps = {common.popPrev, common.popNext, common.pushPrev, common.pushNext};
  in.layer = common.layer;
  return in;
}

void tessera::isa::wordToBytes(const InstrWord &w, uint8_t *out) {
  for (unsigned i = 0; i < kInstrWords; ++i)
    for (unsigned b = 0; b < 8; ++b)
      out[i * 8 + b] = static_cast<uint8_t>(w[i] >> (8 * b));
}

InstrWord tessera::isa::wordFromBytes(const uint8_t *bytes) {
  InstrWord w{};
  for (unsigned i = 0; i < kInstrWords; ++i)
    for (unsigned b = 0; b < 8; ++b)
      w[i] |= static_cast<uint64_t>(bytes[i * 8 + b]) << (8 * b);
  return w;
}

//===----------------------------------------------------------------------===//
// Derived quantities
//===----------------------------------------------------------------------===//

static uint32_t windowOut(uint32_t in, uint32_t padA, uint32_t padB,
                          uint32_t kernel, uint32_t dil, uint32_t stride) {
  if (kernel == 0 || dil == 0 || stride == 0)
    return 0;
  uint64_t padded = uint64_t(in) + padA + padB;
  uint64_t span = uint64_t(dil) * (kernel - 1) + 1;
  if (padded < span)
    return 0;
  return static_cast<uint32_t>((padded - span) / stride + 1);
}

uint32_t tessera::isa::convOutH(const ConvFields &c) {
  return windowOut(c.ih, c.padT, c.padB, c.kh, c.dilH, c.strideH);
}
uint32_t tessera::isa::convOutW(const ConvFields &c) {
  return windowOut(c.iw, c.padL, c.padR, c.kw, c.dilW, c.strideW);
}
uint32_t tessera::isa::poolOutH(const PoolFields &p) {
  return windowOut(p.ih, p.padT, p.padB, p.kh, 1, p.strideH);
}
uint32_t tessera::isa::poolOutW(const PoolFields &p) {
  return windowOut(p.iw, p.padL, p.padR, p.kw, 1, p.strideW);
}
uint64_t tessera::isa::convMacs(const ConvFields &c) {
  if (c.groups == 0)
    return 0;
  return uint64_t(convOutH(c)) * convOutW(c) * c.oc * c.kh * c.kw *
         (c.ic / c.groups);
}
uint64_t tessera::isa::dmaBytes(const DmaFields &d) {
  return satMul(satMul(d.innerBytes, d.count1), d.count2);
}

std::vector<MemRange> tessera::isa::memRanges(const Instr &in) {
  std::vector<MemRange> r;
  auto sram = [&](bool write, uint64_t addr, uint64_t bytes, const char *op) {
    r.push_back({Mem::Sram, write, addr, satAdd(addr, bytes), op});
  };
  switch (in.op) {
  case Opcode::Load:
  case Opcode::Store: {
    const DmaFields &d = in.dma();
    uint64_t span =
        satAdd(satAdd(satMul(d.count2 ? d.count2 - 1 : 0, d.stride2),
                      satMul(d.count1 ? d.count1 - 1 : 0, d.stride1)),
               d.innerBytes);
    bool load = in.op == Opcode::Load;
    r.push_back(
        {Mem::Dram, !load, d.dramAddr, satAdd(d.dramAddr, span), "dram"});
    sram(load, d.sramAddr, dmaBytes(d), "sram");
    break;
  }
  case Opcode::Conv: {
    const ConvFields &c = in.conv();
    uint64_t outElems = uint64_t(convOutH(c)) * convOutW(c) * c.oc;
    sram(false, c.sramIn, uint64_t(c.ih) * c.iw * c.ic * dtypeBytes(c.inDtype),
         "in");
    uint64_t icg = c.groups ? c.ic / c.groups : 0;
    sram(false, c.sramW,
         uint64_t(c.oc) * c.kh * c.kw * icg * dtypeBytes(c.wDtype), "w");
    if (!c.raw && c.hasBias)
      sram(false, c.sramBias,
           uint64_t(c.oc) * (c.inDtype == DType::Int16 ? 8 : 4), "bias");
    if (!c.raw)
      sram(false, c.sramParams, (c.perChannel ? uint64_t(c.oc) : 1) * 8,
           "params");
    if (c.accumulate)
      sram(false, c.sramPsum, outElems * 4, "psum");
    sram(true, c.sramOut, outElems * dtypeBytes(c.outDtype), "out");
    break;
  }
  case Opcode::Pool: {
    const PoolFields &p = in.pool();
    sram(false, p.sramIn, uint64_t(p.ih) * p.iw * p.c * dtypeBytes(p.inDtype),
         "in");
    sram(true, p.sramOut,
         uint64_t(poolOutH(p)) * poolOutW(p) * p.c * dtypeBytes(p.outDtype),
         "out");
    break;
  }
  case Opcode::Eltwise: {
    const EltwiseFields &e = in.eltwise();
    uint64_t elems = uint64_t(e.rows) * e.channels;
    sram(false, e.sramA, elems * dtypeBytes(e.aDtype), "a");
    switch (e.func) {
    case EltFunc::Add:
    case EltFunc::Sub:
    case EltFunc::Mul:
    case EltFunc::Max:
    case EltFunc::Min:
    case EltFunc::CmpGt:
    case EltFunc::CmpGe:
    case EltFunc::CmpEq:
    case EltFunc::Select: {
      uint64_t n = e.bcast == Bcast::None      ? elems
                   : e.bcast == Bcast::Channel ? e.channels
                                               : 1;
      sram(false, e.sramB, n * dtypeBytes(e.bDtype), "b");
      if (e.func == EltFunc::Select)
        sram(false, e.sramC, elems, "c"); // int8 condition
      break;
    }
    case EltFunc::Rescale:
      if (e.perChannel)
        sram(false, e.sramB, uint64_t(e.channels) * 8, "b");
      break;
    case EltFunc::Lut:
      sram(false, e.sramB, 256 * dtypeBytes(e.outDtype), "b");
      break;
    case EltFunc::Softmax:
    case EltFunc::LogSoftmax:
      sram(false, e.sramB, 256 * 4, "b");
      break;
    case EltFunc::Clamp:
    case EltFunc::LayerNorm:
      break;
    }
    sram(true, e.sramOut, elems * dtypeBytes(e.outDtype), "out");
    break;
  }
  case Opcode::Host: {
    const HostFields &h = in.host();
    if (h.inBytes)
      r.push_back(
          {Mem::Dram, false, h.dramIn, satAdd(h.dramIn, h.inBytes), "in"});
    r.push_back(
        {Mem::Dram, true, h.dramOut, satAdd(h.dramOut, h.outBytes), "out"});
    break;
  }
  case Opcode::Nop:
  case Opcode::Finish:
    break;
  }
  return r;
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

namespace {

/// Collects the first semantic error of one instruction.
class Checker {
public:
  explicit Checker(Opcode op) : op(op) {}

  void require(bool ok, const char *field, const llvm::Twine &what) {
    if (!ok && msg.empty())
      msg =
          std::string(opcodeName(op)) + ": field '" + field + "' " + what.str();
  }
  void positive(int64_t v, const char *field) {
    require(v >= 1, field, "must be >= 1, got " + llvm::Twine(v));
  }
  void shift(int64_t v, const char *field) {
    require(v >= 2 && v <= 62, field,
            "must be in [2, 62] (TOSA apply_scale_32), got " + llvm::Twine(v));
  }
  void narrow(DType t, const char *field) {
    require(isNarrowInput(t), field, "must be int8, uint8 or int16, got int32");
  }
  void clamp(int64_t lo, int64_t hi) {
    require(lo <= hi, "clamp_min",
            "must be <= clamp_max, got " + llvm::Twine(lo) + " > " +
                llvm::Twine(hi));
  }
  llvm::Error result() {
    return msg.empty() ? llvm::Error::success() : makeError(msg);
  }

private:
  Opcode op;
  std::string msg;
};

void checkDma(Checker &ck, const DmaFields &d) {
  ck.require(d.elemBytes == 1 || d.elemBytes == 2 || d.elemBytes == 4, "elem",
             "must be 1, 2 or 4, got " + llvm::Twine(unsigned(d.elemBytes)));
  ck.positive(d.innerBytes, "inner");
  ck.require(d.elemBytes == 0 || d.innerBytes % d.elemBytes == 0, "inner",
             "must be a multiple of elem (" +
                 llvm::Twine(unsigned(d.elemBytes)) + "), got " +
                 llvm::Twine(d.innerBytes));
  ck.positive(d.count1, "count1");
  ck.positive(d.count2, "count2");
}

void checkHost(Checker &ck, const HostFields &h) {
  ck.positive(h.outBytes, "out_bytes");
}

void checkConv(Checker &ck, const ConvFields &c) {
  ck.positive(c.ih, "ih");
  ck.positive(c.iw, "iw");
  ck.positive(c.ic, "ic");
  ck.positive(c.oc, "oc");
  ck.positive(c.kh, "kh");
  ck.positive(c.kw, "kw");
  ck.positive(c.strideH, "stride_h");
  ck.positive(c.strideW, "stride_w");
  ck.positive(c.dilH, "dil_h");
  ck.positive(c.dilW, "dil_w");
  ck.positive(c.groups, "groups");
  if (c.groups) {
    ck.require(c.ic % c.groups == 0, "groups",
               "must divide ic = " + llvm::Twine(c.ic) + ", got " +
                   llvm::Twine(c.groups));
    ck.require(c.oc % c.groups == 0, "groups",
               "must divide oc = " + llvm::Twine(c.oc) + ", got " +
                   llvm::Twine(c.groups));
  }
  ck.require(convOutH(c) >= 1, "kh",
             "dilated kernel " + llvm::Twine(unsigned(c.kh)) +
                 " does not fit the " + "padded input height " +
                 llvm::Twine(unsigned(c.ih) + c.padT + c.padB));
  ck.require(convOutW(c) >= 1, "kw",
             "dilated kernel " + llvm::Twine(unsigned(c.kw)) +
                 " does not fit the " + "padded input width " +
                 llvm::Twine(unsigned(c.iw) + c.padL + c.padR));
  ck.narrow(c.inDtype, "in_dtype");
  ck.narrow(c.wDtype, "w_dtype");
  ck.require(c.raw == (c.outDtype == DType::Int32), "out_dtype",
             c.raw ? "must be int32 when raw = 1"
                   : "must not be int32 unless raw = 1");
  ck.require(!(c.raw && c.hasBias), "bias_en",
             "must be 0 when raw = 1 (bias belongs to the epilogue)");
  ck.require(!(c.inDtype == DType::Int16 && (c.raw || c.accumulate)), "raw",
             "raw and acc_en must be 0 when in_dtype is int16 (the "
             "accumulator is int48)");
  ck.clamp(c.clampMin, c.clampMax);
}

void checkPool(Checker &ck, const PoolFields &p) {
  ck.positive(p.ih, "ih");
  ck.positive(p.iw, "iw");
  ck.positive(p.c, "c");
  ck.positive(p.kh, "kh");
  ck.positive(p.kw, "kw");
  ck.positive(p.strideH, "stride_h");
  ck.positive(p.strideW, "stride_w");
  // A pad as large as the window would give windows with no input element.
  ck.require(p.padT < p.kh && p.padB < p.kh, "pad_t",
             "pad_t and pad_b must be < kh = " + llvm::Twine(p.kh));
  ck.require(p.padL < p.kw && p.padR < p.kw, "pad_l",
             "pad_l and pad_r must be < kw = " + llvm::Twine(p.kw));
  ck.require(poolOutH(p) >= 1, "kh",
             "window " + llvm::Twine(p.kh) + " does not fit the padded height");
  ck.require(poolOutW(p) >= 1, "kw",
             "window " + llvm::Twine(p.kw) + " does not fit the padded width");
  ck.narrow(p.inDtype, "in_dtype");
  ck.narrow(p.outDtype, "out_dtype");
  if (p.mode == PoolMode::Avg && (p.countIncludePad || p.multiplier != 0))
    ck.shift(p.shift, "shift");
  if (p.mode == PoolMode::Avg && !p.countIncludePad)
    ck.require(p.multiplier >= 0, "mult",
               "mult must be >= 0 for per-count scaling");
  ck.clamp(p.clampMin, p.clampMax);
}

void checkEltwise(Checker &ck, const EltwiseFields &e) {
  ck.positive(e.rows, "rows");
  ck.positive(e.channels, "channels");
  bool binary = e.func == EltFunc::Add || e.func == EltFunc::Sub ||
                e.func == EltFunc::Mul || e.func == EltFunc::Max ||
                e.func == EltFunc::Min;
  if (binary) {
    ck.narrow(e.aDtype, "a_dtype");
    ck.narrow(e.bDtype, "b_dtype");
    ck.require(e.leftShift <= 31, "left_shift",
               "must be <= 31, got " + llvm::Twine(unsigned(e.leftShift)));
    if (e.func != EltFunc::Mul) {
      ck.shift(e.aShift, "a_shift");
      ck.shift(e.bShift, "b_shift");
    }
    ck.shift(e.outShift, "out_shift");
  } else if (e.func != EltFunc::CmpGt && e.func != EltFunc::CmpGe &&
             e.func != EltFunc::CmpEq && e.func != EltFunc::Select) {
    ck.require(e.bcast == Bcast::None, "bcast",
               "must be none for a unary function");
  }
  bool compare = e.func == EltFunc::CmpGt || e.func == EltFunc::CmpGe ||
                 e.func == EltFunc::CmpEq;
  if (compare) {
    // 32-bit operands (a threshold constant) only without a left shift,
    // so that (v - zp) << left_shift stays inside int64.
    bool wide = e.aDtype == DType::Int32 || e.bDtype == DType::Int32;
    ck.require(!wide || e.leftShift == 0, "left_shift",
               "must be 0 with an int32 operand, got " +
                   llvm::Twine(unsigned(e.leftShift)));
    ck.require(e.leftShift <= 31, "left_shift",
               "must be <= 31, got " + llvm::Twine(unsigned(e.leftShift)));
    ck.shift(e.aShift, "a_shift");
    ck.shift(e.bShift, "b_shift");
    ck.require(e.outDtype == DType::Int8, "out_dtype",
               "must be int8 for a comparison (0 or 1)");
  }
  if (e.func == EltFunc::Select) {
    ck.narrow(e.aDtype, "a_dtype");
    ck.narrow(e.bDtype, "b_dtype");
    ck.shift(e.aShift, "a_shift");
    ck.shift(e.bShift, "b_shift");
  }
  ck.require(e.sramC == 0 || e.func == EltFunc::Select, "c",
             "is only meaningful for select");
  ck.require(!e.perChannel || e.func == EltFunc::Rescale, "per_channel",
             "is only meaningful for rescale");
  if (e.func == EltFunc::Rescale && !e.perChannel)
    ck.shift(e.outShift, "out_shift");
  if (e.func == EltFunc::Lut) {
    ck.require(e.aDtype == DType::Int8 || e.aDtype == DType::UInt8, "a_dtype",
               "must be int8 or uint8 for lut");
    ck.require(e.outDtype == DType::Int8 || e.outDtype == DType::UInt8,
               "out_dtype", "must be int8 or uint8 for lut");
  }
  if (e.func == EltFunc::Softmax || e.func == EltFunc::LogSoftmax) {
    ck.require(e.aDtype == DType::Int8 || e.aDtype == DType::UInt8, "a_dtype",
               "must be int8 or uint8 for softmax");
    ck.require(e.outDtype == DType::Int8 || e.outDtype == DType::UInt8,
               "out_dtype", "must be int8 or uint8 for softmax");
    if (e.func == EltFunc::Softmax)
      ck.shift(e.outShift, "out_shift");
  }
  if (e.func == EltFunc::LayerNorm) {
    ck.require(e.aDtype == DType::Int8 || e.aDtype == DType::UInt8, "a_dtype",
               "must be int8 or uint8 for layer_norm");
    ck.require(e.outDtype == DType::Int8 || e.outDtype == DType::UInt8,
               "out_dtype", "must be int8 or uint8 for layer_norm");
    ck.shift(e.outShift, "out_shift");
    ck.require(e.channels <= 32767, "channels",
               "must be <= 32767 for layer_norm");
    ck.require(e.aMult >= 0, "a_mult",
               "must be >= 0 for layer_norm (epsilon mantissa)");
    ck.require(e.bMult >= 0 && e.bMult <= 62, "b_mult",
               "must be in [0, 62] for layer_norm (epsilon exponent)");
  }
  ck.clamp(e.clampMin, e.clampMax);
}

} // namespace

llvm::Error tessera::isa::verify(const Instr &in) {
  if (!opcodeFromInt(static_cast<uint8_t>(in.op)))
    return makeError("invalid opcode " +
                     std::to_string(static_cast<unsigned>(in.op)));
  if (in.args.index() != argsIndexFor(in.op))
    return makeError(std::string(opcodeName(in.op)) +
                     ": operands do not match the opcode");
  Checker ck(in.op);
  switch (in.op) {
  case Opcode::Load:
  case Opcode::Store:
    checkDma(ck, in.dma());
    break;
  case Opcode::Conv:
    checkConv(ck, in.conv());
    break;
  case Opcode::Pool:
    checkPool(ck, in.pool());
    break;
  case Opcode::Eltwise:
    checkEltwise(ck, in.eltwise());
    break;
  case Opcode::Host:
    checkHost(ck, in.host());
    break;
  case Opcode::Nop:
  case Opcode::Finish:
    break;
  }
  return ck.result();
}

//===----------------------------------------------------------------------===//
// Text form
//===----------------------------------------------------------------------===//

static std::string formatValue(const FieldDesc &d, int64_t v) {
  switch (d.fmt) {
  case FieldFmt::Hex:
    return "0x" + llvm::utohexstr(static_cast<uint64_t>(v), true);
  case FieldFmt::Enum:
    if (fieldFits(d, v))
      return d.enumNames[v];
    return std::to_string(v);
  case FieldFmt::Bool:
  case FieldFmt::Dec:
    return std::to_string(v);
  }
  return std::to_string(v);
}

std::string tessera::isa::formatInstr(const Instr &in) {
  std::string s = opcodeName(in.op);
  s += " layer=";
  s += in.layer == kNoLayer ? std::string("none") : std::to_string(in.layer);
  s += " deps=";
  llvm::SmallVector<const char *, 4> deps;
  if (in.deps.popPrev)
    deps.push_back("pop_prev");
  if (in.deps.popNext)
    deps.push_back("pop_next");
  if (in.deps.pushPrev)
    deps.push_back("push_prev");
  if (in.deps.pushNext)
    deps.push_back("push_next");
  s += deps.empty() ? std::string("-") : llvm::join(deps, ",");
  std::visit(
      [&](const auto &args) {
        forEachField(args, [&](const FieldDesc &d, const auto &m) {
          s += ' ';
          s += d.key;
          s += '=';
          s += formatValue(d, fieldToInt(m));
        });
      },
      in.args);
  return s;
}

static llvm::Expected<int64_t> parseValue(const FieldDesc &d, StringRef key,
                                          StringRef text) {
  if (d.fmt == FieldFmt::Enum) {
    for (unsigned i = 0; i < d.numEnumNames; ++i)
      if (d.enumNames[i] && text == d.enumNames[i])
        return static_cast<int64_t>(i);
    return makeError("field '" + key + "': unknown value '" + text +
                     "', expected " + fitRange(d));
  }
  if (d.fmt == FieldFmt::Bool) {
    if (text == "0" || text == "false")
      return 0;
    if (text == "1" || text == "true")
      return 1;
    return makeError("field '" + key + "': expected 0 or 1, got '" + text +
                     "'");
  }
  int64_t v;
  // getAsInteger with radix 0 accepts 0x.. hex and a leading '-'.
  if (text.getAsInteger(0, v))
    return makeError("field '" + key + "': expected an integer, got '" + text +
                     "'");
  if (!fieldFits(d, v))
    return makeError("field '" + key + "': value " + text + " does not fit " +
                     llvm::Twine(d.bits) + " bits (" + fitRange(d) + ")");
  return v;
}

llvm::Expected<Instr> tessera::isa::parseInstr(StringRef text) {
  llvm::SmallVector<StringRef, 48> toks;
  text.split(toks, ' ', -1, /*KeepEmpty=*/false);
  llvm::SmallVector<StringRef, 48> words;
  for (StringRef t : toks) {
    t = t.trim();
    if (!t.empty())
      words.push_back(t);
  }
  if (words.empty())
    return makeError("expected an instruction");
  std::optional<Opcode> op = parseOpcode(words[0]);
  if (!op)
    return makeError("unknown opcode '" + words[0] + "'");
  Instr in(*op);
  llvm::SmallVector<StringRef, 48> seen;
  for (StringRef w : llvm::ArrayRef(words).drop_front()) {
    auto [key, value] = w.split('=');
    if (value.empty() && !w.contains('='))
      return makeError(std::string(opcodeName(*op)) +
                       ": expected key=value, "
                       "got '" +
                       w + "'");
    if (llvm::is_contained(seen, key))
      return makeError(std::string(opcodeName(*op)) + ": duplicate field '" +
                       key + "'");
    seen.push_back(key);
    if (key == "layer") {
      unsigned v;
      if (value == "none")
        in.layer = kNoLayer;
      else if (value.getAsInteger(0, v) || v >= kNoLayer)
        return makeError(std::string(opcodeName(*op)) +
                         ": field 'layer': expected none or an integer < " +
                         "65535, got '" + value + "'");
      else
        in.layer = static_cast<uint16_t>(v);
      continue;
    }
    if (key == "deps") {
      in.deps = {};
      if (value == "-")
        continue;
      llvm::SmallVector<StringRef, 4> flags;
      value.split(flags, ',');
      for (StringRef f : flags) {
        bool *slot = f == "pop_prev"    ? &in.deps.popPrev
                     : f == "pop_next"  ? &in.deps.popNext
                     : f == "push_prev" ? &in.deps.pushPrev
                     : f == "push_next" ? &in.deps.pushNext
                                        : nullptr;
        if (!slot || *slot)
          return makeError(std::string(opcodeName(*op)) +
                           ": field 'deps': unknown or repeated flag '" + f +
                           "' (pop_prev, pop_next, push_prev, push_next or -)");
        *slot = true;
      }
      continue;
    }
    bool found = false;
    llvm::Error err = llvm::Error::success();
    std::visit(
        [&](auto &args) {
          forEachField(args, [&](const FieldDesc &d, auto &m) {
            if (found || key != d.key)
              return;
            found = true;
            llvm::Expected<int64_t> v = parseValue(d, key, value);
            if (!v) {
              err = llvm::joinErrors(std::move(err),
                                     makeError(std::string(opcodeName(*op)) +
                                               ": " +
                                               llvm::toString(v.takeError())));
              return;
            }
            fieldFromInt(m, *v);
          });
        },
        in.args);
    if (err)
      return std::move(err);
    if (!found)
      return makeError(std::string(opcodeName(*op)) + ": unknown field '" +
                       key + "'");
  }
  return in;
}

//===----------------------------------------------------------------------===//
// Documentation
//===----------------------------------------------------------------------===//

static std::string typeName(const FieldDesc &d) {
  switch (d.fmt) {
  case FieldFmt::Bool:
    return "bool";
  case FieldFmt::Enum: {
    std::string s = "enum u" + std::to_string(d.bits) + ": ";
    for (unsigned i = 0; i < d.numEnumNames; ++i)
      if (d.enumNames[i])
        s += (i ? ", " : "") + std::to_string(i) + " " + d.enumNames[i];
    return s;
  }
  case FieldFmt::Dec:
  case FieldFmt::Hex:
    return (d.isSigned ? "s" : "u") + std::to_string(d.bits);
  }
  return "";
}

template <typename Fields>
static void tableFor(std::string &out, const char *title, const Fields &defs) {
  out += "### ";
  out += title;
  out += "\n\n| bits | word[bits] | key | type | default | meaning |\n";
  out += "|---|---|---|---|---|---|\n";
  forEachField(defs, [&](const FieldDesc &d, const auto &m) {
    unsigned hi = d.lsb + d.bits - 1, w = d.lsb / 64;
    std::string bits = d.bits == 1
                           ? std::to_string(d.lsb)
                           : std::to_string(hi) + ":" + std::to_string(d.lsb);
    std::string wbits = "w" + std::to_string(w) + "[" +
                        (d.bits == 1 ? std::to_string(d.lsb % 64)
                                     : std::to_string(hi % 64) + ":" +
                                           std::to_string(d.lsb % 64)) +
                        "]";
    out += "| " + bits + " | " + wbits + " | `" + d.key + "` | " + typeName(d) +
           " | " + formatValue(d, fieldToInt(m)) + " | " + d.doc + " |\n";
  });
  out += "\n";
}

std::string tessera::isa::encodingTableMarkdown() {
  std::string out;
  tableFor(out, "Header: every opcode (bits 31:0; 15:12 reserved)",
           CommonFields{});
  tableFor(out, "LOAD (opcode 1) and STORE (opcode 2)", DmaFields{});
  tableFor(out, "CONV (opcode 3)", ConvFields{});
  tableFor(out, "POOL (opcode 4)", PoolFields{});
  tableFor(out, "ELTWISE (opcode 5)", EltwiseFields{});
  tableFor(out, "HOST (opcode 8)", HostFields{});
  out += "NOP (opcode 6) and FINISH (opcode 7) have no operands. Every bit "
         "not listed for an opcode is reserved and must be zero.\n";
  return out;
}
