//===- IsaTest.cpp - Encoding, decoding and verification of instructions --===//
#include "core/isa/Isa.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace tessera::isa;

namespace {

const Opcode kAllOpcodes[] = {Opcode::Load,  Opcode::Store,   Opcode::Conv,
                              Opcode::Pool,  Opcode::Eltwise, Opcode::Nop,
                              Opcode::Finish, Opcode::Host};

std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string("<success>");
}
template <typename T> std::string errorText(llvm::Expected<T> v) {
  return v ? std::string("<success>") : llvm::toString(v.takeError());
}

int64_t maxOf(const FieldDesc &d) {
  if (d.fmt == FieldFmt::Enum)
    return d.numEnumNames - 1;
  if (d.isSigned)
    return (int64_t(1) << (d.bits - 1)) - 1;
  return d.bits >= 63 ? INT64_MAX : (int64_t(1) << d.bits) - 1;
}
int64_t minOf(const FieldDesc &d) {
  return d.isSigned ? -(int64_t(1) << (d.bits - 1)) : 0;
}

/// Sets every operand field (and the header) with `pick(desc)`.
template <typename Pick> Instr fillAll(Opcode op, Pick pick) {
  Instr in(op);
  in.layer = 0xfffe;
  in.deps = {true, true, true, true};
  std::visit(
      [&](auto &args) {
        forEachField(args, [&](const FieldDesc &d, auto &m) {
          fieldFromInt(m, pick(d));
        });
      },
      in.args);
  return in;
}

TEST(IsaTables, KeysAreUniquePerOpcodeAndDistinctFromHeader) {
  for (Opcode op : kAllOpcodes) {
    std::set<std::string> keys{"layer", "deps"};
    for (const FieldDesc &d : operandFields(op))
      EXPECT_TRUE(keys.insert(d.key).second)
          << opcodeName(op) << " repeats key " << d.key;
  }
  EXPECT_EQ(commonFields().size(), 6u);
  EXPECT_EQ(operandFields(Opcode::Nop).size(), 0u);
  EXPECT_EQ(operandFields(Opcode::Load).data(),
            operandFields(Opcode::Store).data());
}

TEST(IsaTables, OperandsStayOutOfTheHeaderAndInsideTheWord) {
  for (Opcode op : kAllOpcodes)
    for (const FieldDesc &d : operandFields(op)) {
      EXPECT_GE(d.lsb, kHeaderBits) << d.key;
      EXPECT_LE(d.lsb + d.bits, kInstrBits) << d.key;
      EXPECT_LE(d.lsb % 64 + d.bits, 64u) << d.key << " straddles a word";
    }
}

// A LOAD encoded by hand from the table in docs/isa.md.
TEST(IsaEncode, LoadMatchesHandEncoding) {
  Instr in(Opcode::Load, 5);
  in.deps.pushNext = true;
  DmaFields &d = in.dma();
  d.kind = DmaKind::Weight;
  d.elemBytes = 1;
  d.dramAddr = 0x1234;
  d.sramAddr = 0x40;
  d.innerBytes = 64;
  d.count1 = 2;
  d.count2 = 3;
  d.stride1 = 128;
  d.stride2 = 4096;
  llvm::Expected<InstrWord> w = encode(in);
  ASSERT_TRUE(bool(w)) << errorText(w.takeError());
  // op 1 | push_next bit 11 | layer 5 << 16 | kind 1 << 32 | elem 1 << 36
  EXPECT_EQ((*w)[0], 0x0000001100050801ull);
  EXPECT_EQ((*w)[1], 0x1234ull);
  EXPECT_EQ((*w)[2], 0x0000004000000040ull); // sram | inner << 32
  EXPECT_EQ((*w)[3], 0x0000000300000002ull); // count1 | count2 << 32
  EXPECT_EQ((*w)[4], 128ull);
  EXPECT_EQ((*w)[5], 4096ull);
  EXPECT_EQ((*w)[6], 0ull);
  EXPECT_EQ((*w)[7], 0ull);
  uint8_t bytes[kInstrBytes];
  wordToBytes(*w, bytes);
  EXPECT_EQ(bytes[0], 0x01); // little-endian: opcode is the first byte
  EXPECT_EQ(bytes[1], 0x08);
  EXPECT_EQ(bytes[2], 0x05);
  EXPECT_EQ(wordFromBytes(bytes), *w);
}

TEST(IsaEncode, SignedFieldsAreTwosComplement) {
  Instr in(Opcode::Conv);
  in.conv().inZp = -1;
  in.conv().outZp = -128;
  llvm::Expected<InstrWord> w = encode(in);
  ASSERT_TRUE(bool(w));
  EXPECT_EQ(((*w)[6] >> 32) & 0xffff, 0xffffu); // in_zp at bits 431:416
  EXPECT_EQ((*w)[7] & 0xffff, 0xff80u);         // out_zp at bits 463:448
}

TEST(IsaEncode, RoundTripsMaximumAndMinimumOfEveryField) {
  for (Opcode op : kAllOpcodes)
    for (auto pick : {+[](const FieldDesc &d) { return maxOf(d); },
                      +[](const FieldDesc &d) { return minOf(d); }}) {
      Instr in = fillAll(op, pick);
      llvm::Expected<InstrWord> w = encode(in);
      ASSERT_TRUE(bool(w)) << opcodeName(op) << ": "
                           << errorText(w.takeError());
      llvm::Expected<Instr> back = decode(*w);
      ASSERT_TRUE(bool(back)) << errorText(back.takeError());
      EXPECT_EQ(*back, in) << opcodeName(op);
    }
}

TEST(IsaEncode, RoundTripsRandomValues) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 2000; ++iter)
    for (Opcode op : kAllOpcodes) {
      Instr in = fillAll(op, [&](const FieldDesc &d) {
        uint64_t span = uint64_t(maxOf(d) - minOf(d));
        return minOf(d) +
               int64_t(span == UINT64_MAX ? rng() : rng() % (span + 1));
      });
      in.layer = rng() & 0xffff;
      in.deps = {bool(rng() & 1), bool(rng() & 2), bool(rng() & 4),
                 bool(rng() & 8)};
      llvm::Expected<InstrWord> w = encode(in);
      ASSERT_TRUE(bool(w)) << errorText(w.takeError());
      llvm::Expected<Instr> back = decode(*w);
      ASSERT_TRUE(bool(back)) << errorText(back.takeError());
      ASSERT_EQ(*back, in);
    }
}

TEST(IsaEncode, RejectsEveryFieldOverflow) {
  int checked = 0;
  for (Opcode op : kAllOpcodes) {
    for (const FieldDesc &target : operandFields(op)) {
      bool representable = false; // can the C++ member hold max + 1?
      Instr in(op);
      std::visit(
          [&](auto &args) {
            forEachField(args, [&](const FieldDesc &d, auto &m) {
              if (std::string(d.key) != target.key)
                return;
              using T = std::decay_t<decltype(m)>;
              int64_t over = maxOf(d) + 1;
              if constexpr (std::is_same_v<T, bool>) {
                return;
              } else if constexpr (std::is_enum_v<T>) {
                fieldFromInt(m, over);
                representable = over <= 255;
              } else {
                if (uint64_t(over) <= uint64_t(std::numeric_limits<T>::max())) {
                  fieldFromInt(m, over);
                  representable = true;
                }
              }
            });
          },
          in.args);
      if (!representable)
        continue;
      ++checked;
      std::string msg = errorText(encode(in));
      EXPECT_NE(msg.find(std::string("field '") + target.key + "'"),
                std::string::npos)
          << opcodeName(op) << "." << target.key << ": " << msg;
    }
  }
  // kind, elem, dram, stride1/2 (DMA) + 3 dtypes (CONV) + ... : at least 12.
  EXPECT_GE(checked, 12);
  Instr in(Opcode::Conv);
  in.conv().inDtype = static_cast<DType>(4);
  EXPECT_EQ(errorText(encode(in)),
            "conv: field 'in_dtype' = 4 does not fit 4 bits (one of int8, "
            "uint8, int16, int32)");
  Instr dma(Opcode::Load);
  dma.dma().dramAddr = uint64_t(1) << 40;
  EXPECT_EQ(errorText(encode(dma)),
            "load: field 'dram' = 1099511627776 does not fit 40 bits "
            "(0..1099511627775)");
}

TEST(IsaEncode, RejectsMismatchedOperands) {
  Instr in(Opcode::Conv);
  in.args = PoolFields{};
  EXPECT_EQ(errorText(encode(in)), "conv: operands do not match the opcode");
}

TEST(IsaDecode, RejectsInvalidOpcodesEnumsAndReservedBits) {
  InstrWord w{};
  EXPECT_EQ(errorText(decode(w)), "invalid opcode 0x0");
  w[0] = 9; // 8 is HOST
  EXPECT_EQ(errorText(decode(w)), "invalid opcode 0x9");
  w[0] = uint64_t(Opcode::Nop) | (uint64_t(1) << 12); // header reserved bit
  EXPECT_EQ(errorText(decode(w)), "nop: reserved bits set in word 0 (0x1000)");
  w[0] = uint64_t(Opcode::Finish);
  w[7] = uint64_t(1) << 63;
  EXPECT_EQ(errorText(decode(w)),
            "finish: reserved bits set in word 7 (0x8000000000000000)");
  w = {};
  w[0] = uint64_t(Opcode::Conv) | (uint64_t(5) << 32); // in_dtype = 5
  EXPECT_EQ(errorText(decode(w)), "conv: field 'in_dtype' has invalid value 5");
  w[0] = uint64_t(Opcode::Conv) | (uint64_t(1) << 49); // after the flags
  EXPECT_EQ(errorText(decode(w)),
            "conv: reserved bits set in word 0 (0x2000000000000)");
  w[0] = uint64_t(Opcode::Eltwise) | (uint64_t(3) << 48); // bcast = 3
  EXPECT_EQ(errorText(decode(w)), "eltwise: field 'bcast' has invalid value 3");
}

TEST(IsaVerify, DefaultsOfEveryOpcodeAreValidOrNamed) {
  EXPECT_EQ(errorText(verify(Instr(Opcode::Nop))), "<success>");
  EXPECT_EQ(errorText(verify(Instr(Opcode::Finish))), "<success>");
  EXPECT_EQ(errorText(verify(Instr(Opcode::Conv))), "<success>");
  EXPECT_EQ(errorText(verify(Instr(Opcode::Pool))), "<success>");
  EXPECT_EQ(errorText(verify(Instr(Opcode::Load))),
            "load: field 'inner' must be >= 1, got 0");
  EXPECT_EQ(errorText(verify(Instr(Opcode::Eltwise))),
            "eltwise: field 'a_shift' must be in [2, 62] (TOSA "
            "apply_scale_32), got 0");
}

TEST(IsaVerify, ConvRules) {
  Instr in(Opcode::Conv);
  ConvFields &c = in.conv();
  c.ih = c.iw = 5;
  c.ic = 6;
  c.oc = 4;
  c.kh = c.kw = 3;
  c.groups = 3;
  EXPECT_EQ(errorText(verify(in)),
            "conv: field 'groups' must divide oc = 4, got 3");
  c.groups = 2;
  EXPECT_EQ(errorText(verify(in)), "<success>");
  c.dilH = 3; // 3x3 kernel dilated by 3 spans 7 rows > 5
  EXPECT_EQ(errorText(verify(in)),
            "conv: field 'kh' dilated kernel 3 does not fit the padded input "
            "height 5");
  c.padT = c.padB = 1;
  EXPECT_EQ(errorText(verify(in)), "<success>");
  c.raw = true;
  EXPECT_EQ(errorText(verify(in)),
            "conv: field 'out_dtype' must be int32 when raw = 1");
  c.outDtype = DType::Int32;
  EXPECT_EQ(errorText(verify(in)), "<success>");
  c.inDtype = DType::Int32;
  EXPECT_EQ(errorText(verify(in)),
            "conv: field 'in_dtype' must be int8, uint8 or int16, got int32");
  c.inDtype = DType::UInt8;
  c.clampMin = 5;
  c.clampMax = 4;
  EXPECT_EQ(errorText(verify(in)),
            "conv: field 'clamp_min' must be <= clamp_max, got 5 > 4");
}

TEST(IsaVerify, PoolAndEltwiseRules) {
  Instr pool(Opcode::Pool);
  PoolFields &p = pool.pool();
  p.ih = p.iw = 7;
  p.kh = p.kw = 7;
  p.mode = PoolMode::Avg;
  p.countIncludePad = true;
  EXPECT_EQ(errorText(verify(pool)),
            "pool: field 'shift' must be in [2, 62] (TOSA apply_scale_32), "
            "got 0");
  p.multiplier = 1 << 30;
  p.shift = 30;
  EXPECT_EQ(errorText(verify(pool)), "<success>");
  p.kh = p.kw = 3;
  p.padT = 3;
  EXPECT_EQ(errorText(verify(pool)),
            "pool: field 'pad_t' pad_t and pad_b must be < kh = 3");

  Instr e(Opcode::Eltwise);
  EltwiseFields &f = e.eltwise();
  f.func = EltFunc::Lut;
  f.aDtype = DType::Int16;
  EXPECT_EQ(errorText(verify(e)),
            "eltwise: field 'a_dtype' must be int8 or uint8 for lut");
  f.aDtype = DType::UInt8;
  EXPECT_EQ(errorText(verify(e)), "<success>");
  f.bcast = Bcast::Channel;
  EXPECT_EQ(errorText(verify(e)),
            "eltwise: field 'bcast' must be none for a unary function");
  f.func = EltFunc::Rescale;
  f.bcast = Bcast::None;
  f.aDtype = DType::Int32; // requantising raw accumulators is allowed
  f.perChannel = true;
  EXPECT_EQ(errorText(verify(e)), "<success>");
}

// Comparisons and select (func 11..14): the third address c of select,
// bits 431:400 of word 6, round-trips; only select may set it; an int32
// threshold operand needs left_shift 0; a comparison writes int8 0/1.
TEST(IsaVerify, CompareAndSelect) {
  Instr e(Opcode::Eltwise);
  EltwiseFields &f = e.eltwise();
  f.func = EltFunc::Select;
  f.sramC = 0x1234;
  f.aShift = f.bShift = 30;
  f.bcast = Bcast::Scalar;
  EXPECT_EQ(errorText(verify(e)), "<success>");
  llvm::Expected<InstrWord> w = encode(e);
  ASSERT_TRUE(bool(w)) << llvm::toString(w.takeError());
  EXPECT_EQ((*w)[6] >> 16, 0x1234u); // out_zp 0 in bits 15:0
  llvm::Expected<Instr> back = decode(*w);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(*back, e);
  EXPECT_EQ(formatInstr(e).find("func=select") != std::string::npos, true);
  EXPECT_NE(formatInstr(e).find("c=0x1234"), std::string::npos);

  f.func = EltFunc::CmpGt;
  EXPECT_EQ(errorText(verify(e)),
            "eltwise: field 'c' is only meaningful for select");
  f.sramC = 0;
  f.bDtype = DType::Int32;
  f.leftShift = 20;
  EXPECT_EQ(errorText(verify(e)),
            "eltwise: field 'left_shift' must be 0 with an int32 operand, got "
            "20");
  f.leftShift = 0;
  EXPECT_EQ(errorText(verify(e)), "<success>");
  f.outDtype = DType::Int16;
  EXPECT_EQ(errorText(verify(e)),
            "eltwise: field 'out_dtype' must be int8 for a comparison (0 or "
            "1)");
}

TEST(IsaDerived, OutputSizesMacsAndFootprints) {
  // ResNet-50 conv1: 224x224x3, 7x7/2, pad 3 -> 112x112x64.
  ConvFields c;
  c.ih = c.iw = 224;
  c.ic = 3;
  c.oc = 64;
  c.kh = c.kw = 7;
  c.strideH = c.strideW = 2;
  c.padT = c.padB = c.padL = c.padR = 3;
  EXPECT_EQ(convOutH(c), 112u);
  EXPECT_EQ(convOutW(c), 112u);
  EXPECT_EQ(convMacs(c), 112ull * 112 * 64 * 7 * 7 * 3); // 118,013,952
  // Depthwise 3x3 on 8 channels: 1 input channel per output channel.
  ConvFields dw;
  dw.ih = dw.iw = 4;
  dw.ic = dw.oc = dw.groups = 8;
  dw.kh = dw.kw = 3;
  EXPECT_EQ(convMacs(dw), 2ull * 2 * 8 * 9);
  // Max pool 3x3/2 pad 1 on 112 -> 56.
  PoolFields p;
  p.ih = p.iw = 112;
  p.kh = p.kw = 3;
  p.strideH = p.strideW = 2;
  p.padT = p.padB = p.padL = p.padR = 1;
  EXPECT_EQ(poolOutH(p), 56u);

  Instr in(Opcode::Conv);
  in.conv() = dw;
  in.conv().sramIn = 0x100;
  in.conv().hasBias = true;
  in.conv().sramOut = 0x1000;
  std::vector<MemRange> r = memRanges(in);
  ASSERT_EQ(r.size(), 5u); // in, w, bias, params, out
  EXPECT_EQ(r[0].begin, 0x100u);
  EXPECT_EQ(r[0].end, 0x100u + 4 * 4 * 8);
  EXPECT_EQ(r[1].end - r[1].begin, 8u * 9); // weights [8][3][3][1]
  EXPECT_EQ(r[2].end - r[2].begin, 32u);    // bias int32 [8]
  EXPECT_EQ(r[3].end - r[3].begin, 8u);     // one (multiplier, shift) pair
  EXPECT_TRUE(r[4].write);
  EXPECT_EQ(r[4].end - r[4].begin, 2u * 2 * 8);

  Instr load(Opcode::Load);
  load.dma().dramAddr = 1000;
  load.dma().innerBytes = 16;
  load.dma().count1 = 3;
  load.dma().stride1 = 100;
  load.dma().count2 = 2;
  load.dma().stride2 = 1000;
  EXPECT_EQ(dmaBytes(load.dma()), 96u);
  r = memRanges(load);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].mem, Mem::Dram);
  EXPECT_EQ(r[0].end, 1000u + 1000 + 200 + 16); // last run ends at 2216
  // A 32-bit count times a 40-bit stride saturates instead of wrapping.
  load.dma().count2 = 0xffffffffu;
  load.dma().stride2 = (uint64_t(1) << 40) - 1;
  EXPECT_EQ(memRanges(load)[0].end, UINT64_MAX);
}

TEST(IsaText, FormatParseRoundTripAndErrors) {
  std::mt19937_64 rng(7);
  for (Opcode op : kAllOpcodes)
    for (int iter = 0; iter < 200; ++iter) {
      Instr in = fillAll(op, [&](const FieldDesc &d) {
        uint64_t span = uint64_t(maxOf(d) - minOf(d));
        return minOf(d) +
               int64_t(span == UINT64_MAX ? rng() : rng() % (span + 1));
      });
      in.layer = iter == 0 ? kNoLayer : rng() % kNoLayer;
      in.deps = {bool(rng() & 1), bool(rng() & 2), bool(rng() & 4),
                 bool(rng() & 8)};
      std::string text = formatInstr(in);
      llvm::Expected<Instr> back = parseInstr(text);
      ASSERT_TRUE(bool(back)) << text << ": " << errorText(back.takeError());
      ASSERT_EQ(*back, in) << text;
    }
  EXPECT_EQ(formatInstr(Instr(Opcode::Finish)), "finish layer=none deps=-");
  Instr nop(Opcode::Nop, 3);
  nop.deps.popNext = nop.deps.pushPrev = true;
  EXPECT_EQ(formatInstr(nop), "nop layer=3 deps=pop_next,push_prev");

  EXPECT_EQ(errorText(parseInstr("conv kh=300")),
            "conv: field 'kh': value 300 does not fit 8 bits (0..255)");
  EXPECT_EQ(errorText(parseInstr("conv in_zp=-40000")),
            "conv: field 'in_zp': value -40000 does not fit 16 bits "
            "(-32768..32767)");
  EXPECT_EQ(errorText(parseInstr("pool mode=median")),
            "pool: field 'mode': unknown value 'median', expected one of max, "
            "avg, min");
  EXPECT_EQ(errorText(parseInstr("load sram=0x10 sram=0x20")),
            "load: duplicate field 'sram'");
  EXPECT_EQ(errorText(parseInstr("load kh=3")), "load: unknown field 'kh'");
  EXPECT_EQ(errorText(parseInstr("jump target=3")), "unknown opcode 'jump'");
  EXPECT_EQ(errorText(parseInstr("nop deps=pop_prev,pop_prev")),
            "nop: field 'deps': unknown or repeated flag 'pop_prev' "
            "(pop_prev, pop_next, push_prev, push_next or -)");
  EXPECT_EQ(errorText(parseInstr("conv raw=2")),
            "conv: field 'raw': expected 0 or 1, got '2'");
  EXPECT_EQ(errorText(parseInstr("nop layer=65535")),
            "nop: field 'layer': expected none or an integer < 65535, got "
            "'65535'");
}

} // namespace
