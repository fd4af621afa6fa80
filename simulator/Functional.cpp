//===- Functional.cpp - Bit-exact effect of one NPU instruction -----------===//
//
// Operands are copied out of SRAM into typed, aligned vectors (SRAM addresses
// need not be aligned to the element size), handed to core/kernels, and the
// result is copied back. The only logic here is the mapping from instruction
// fields to kernel parameters and the ISA's sequencing of the CONV epilogue
// (psum, bias, requantise), which Isa.h defines.
//
//===----------------------------------------------------------------------===//
#include "simulator/Functional.h"

#include "core/kernels/Conv.h"
#include "core/kernels/Elementwise.h"
#include "core/kernels/Compare.h"
#include "core/kernels/Pool.h"
#include "core/kernels/Rescale.h"
#include "core/kernels/Types.h"
#include "core/kernels/VectorUnit.h"
#include "core/quant/Quant.h"

#include "llvm/ADT/Twine.h"

#include <cstring>
#include <type_traits>

using namespace tessera;
using namespace tessera::sim;
using isa::DType;

namespace {

llvm::Error fail(isa::Opcode op, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 llvm::Twine(isa::opcodeName(op)) + ": " + msg);
}

template <typename T>
std::vector<T> readArray(const std::vector<uint8_t> &mem, uint64_t addr,
                         uint64_t count) {
  std::vector<T> v(count);
  if (count)
    std::memcpy(v.data(), mem.data() + addr, count * sizeof(T));
  return v;
}

template <typename T>
void writeArray(std::vector<uint8_t> &mem, uint64_t addr,
                const std::vector<T> &v) {
  if (!v.empty())
    std::memcpy(mem.data() + addr, v.data(), v.size() * sizeof(T));
}

/// Calls fn(T{}) with the C++ storage type of `t`.
template <typename Fn> llvm::Error withType(DType t, Fn &&fn) {
  switch (t) {
  case DType::Int8:
    return fn(int8_t{});
  case DType::UInt8:
    return fn(uint8_t{});
  case DType::Int16:
    return fn(int16_t{});
  case DType::Int32:
    return fn(int32_t{});
  }
  return llvm::Error::success();
}

template <typename T> constexpr bool isNarrow = !std::is_same_v<T, int32_t>;

/// Every range the instruction touches lies inside its memory.
llvm::Error checkRanges(const isa::Instr &in, const Memories &mem) {
  for (const isa::MemRange &r : isa::memRanges(in)) {
    uint64_t size = r.mem == isa::Mem::Sram ? mem.sram.size() : mem.dram.size();
    if (r.end > size || r.begin > r.end)
      return fail(in.op, llvm::Twine("field '") + r.operand + "': range [0x" +
                             llvm::Twine::utohexstr(r.begin) + ", 0x" +
                             llvm::Twine::utohexstr(r.end) + ") exceeds the " +
                             (r.mem == isa::Mem::Sram ? "SRAM" : "DRAM") +
                             " size 0x" + llvm::Twine::utohexstr(size));
  }
  return llvm::Error::success();
}

llvm::Error checkPairs(isa::Opcode op, const char *field,
                       const std::vector<int32_t> &pairs) {
  for (size_t c = 0; c + 1 < pairs.size(); c += 2)
    if (auto err = quant::checkScale32(pairs[c], pairs[c + 1]))
      return fail(op, llvm::Twine("field '") + field + "': pair " +
                          llvm::Twine(c / 2) + ": " + *err);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

void executeDma(const isa::Instr &in, Memories &mem) {
  const isa::DmaFields &d = in.dma();
  const bool load = in.op == isa::Opcode::Load;
  uint64_t s = d.sramAddr;
  for (uint64_t i2 = 0; i2 < d.count2; ++i2)
    for (uint64_t i1 = 0; i1 < d.count1; ++i1) {
      uint64_t a = d.dramAddr + i2 * d.stride2 + i1 * d.stride1;
      if (load)
        std::memcpy(mem.sram.data() + s, mem.dram.data() + a, d.innerBytes);
      else
        std::memcpy(mem.dram.data() + a, mem.sram.data() + s, d.innerBytes);
      s += d.innerBytes;
    }
}

//===----------------------------------------------------------------------===//
// CONV
//===----------------------------------------------------------------------===//

kernels::Conv2DParams convParams(const isa::ConvFields &c) {
  kernels::Conv2DParams p;
  p.inH = c.ih;
  p.inW = c.iw;
  p.inC = c.ic;
  p.outH = isa::convOutH(c);
  p.outW = isa::convOutW(c);
  p.outC = c.oc;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideH = c.strideH;
  p.strideW = c.strideW;
  p.dilationH = c.dilH;
  p.dilationW = c.dilW;
  p.padTop = c.padT;
  p.padBottom = c.padB;
  p.padLeft = c.padL;
  p.padRight = c.padR;
  p.groups = c.groups;
  p.inputZp = c.inZp;
  p.weightZp = c.wZp;
  return p;
}

/// The accumulators sum (in - in_zp)(w - w_zp) of a CONV tile: int32 for
/// 8-bit operands, int48 (in int64) for an int16 input (docs/isa.md, "CONV
/// with int16 operands").
template <typename In, typename W, typename Acc = int32_t>
llvm::Expected<std::vector<Acc>> convAccumulate(const isa::ConvFields &c,
                                                const Memories &mem) {
  kernels::Conv2DParams p = convParams(c);
  constexpr bool wide = std::is_same_v<Acc, int64_t>;
  if (auto err = kernels::checkConv2D(p, /*int32Accumulator=*/!wide))
    return fail(isa::Opcode::Conv, *err);
  std::vector<In> input =
      readArray<In>(mem.sram, c.sramIn, uint64_t(c.ih) * c.iw * c.ic);
  std::vector<W> weights = readArray<W>(
      mem.sram, c.sramW, uint64_t(c.oc) * c.kh * c.kw * (c.ic / c.groups));
  const size_t n = size_t(p.outH) * p.outW * p.outC;
  std::vector<Acc> acc(n);
  kernels::conv2dAccumulate<In, W, Acc>(p, input.data(), weights.data(),
                                        nullptr, acc.data());
  return acc;
}

/// The epilogue of an int16 CONV (TOSA's conv2d with an i48 accumulator and
/// its RESCALE with scale32 = false): acc + the int48 bias (8 bytes per
/// channel at `bias`), apply_scale_16
/// with the (multiplier < 2^15, shift) pairs, + out_zp, clamp, saturate.
/// No raw output or partial sums (verify rejects them).
template <typename Out>
llvm::Error convEpilogue48(const isa::ConvFields &c,
                           const std::vector<int64_t> &acc, Memories &mem) {
  const int64_t oc = c.oc;
  const int64_t numPairs = c.perChannel ? oc : 1;
  std::vector<int32_t> pairs =
      readArray<int32_t>(mem.sram, c.sramParams, uint64_t(numPairs) * 2);
  std::vector<int32_t> mult(numPairs), shift(numPairs);
  for (int64_t i = 0; i < numPairs; ++i) {
    if (auto err = quant::checkScale16(pairs[2 * i], pairs[2 * i + 1]))
      return fail(isa::Opcode::Conv, "field 'params': pair " +
                                         llvm::Twine(i) + ": " + *err);
    mult[i] = pairs[2 * i];
    shift[i] = pairs[2 * i + 1];
  }
  std::vector<int64_t> bias; // int48 in 8 bytes
  if (c.hasBias)
    bias = readArray<int64_t>(mem.sram, c.sramBias, oc);
  constexpr quant::DType outType = kernels::DTypeOf<Out>::value;
  kernels::Requantize rq;
  rq.multiplier = mult.data();
  rq.shift = shift.data();
  rq.numChannels = numPairs;
  rq.outputZp = c.outZp;
  rq.clampMin = static_cast<int32_t>(quant::saturate(c.clampMin, outType));
  rq.clampMax = static_cast<int32_t>(quant::saturate(c.clampMax, outType));
  std::vector<Out> out(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    int64_t o = static_cast<int64_t>(i) % oc;
    int64_t v = acc[i] + (c.hasBias ? bias[o] : 0);
    out[i] = kernels::requantizeScalar48<Out>(v, o, rq);
  }
  writeArray(mem.sram, c.sramOut, out);
  return llvm::Error::success();
}

/// The epilogue of Isa.h: psum, then raw output or bias -> requantise ->
/// + out_zp -> clamp -> saturate.
template <typename Out>
llvm::Error convEpilogue(const isa::ConvFields &c, std::vector<int32_t> acc,
                         Memories &mem) {
  const int64_t oc = c.oc;
  if (c.accumulate) {
    std::vector<int32_t> psum =
        readArray<int32_t>(mem.sram, c.sramPsum, acc.size());
    for (size_t i = 0; i < acc.size(); ++i)
      acc[i] = kernels::addSat32(psum[i], acc[i]);
  }
  if constexpr (std::is_same_v<Out, int32_t>) {
    writeArray(mem.sram, c.sramOut, acc); // raw (verify: int32 iff raw)
    return llvm::Error::success();
  } else {
    const int64_t numPairs = c.perChannel ? oc : 1;
    std::vector<int32_t> pairs =
        readArray<int32_t>(mem.sram, c.sramParams, uint64_t(numPairs) * 2);
    if (auto err = checkPairs(isa::Opcode::Conv, "params", pairs))
      return err;
    std::vector<int32_t> mult(numPairs), shift(numPairs);
    for (int64_t i = 0; i < numPairs; ++i) {
      mult[i] = pairs[2 * i];
      shift[i] = pairs[2 * i + 1];
    }
    std::vector<int32_t> bias;
    if (c.hasBias)
      bias = readArray<int32_t>(mem.sram, c.sramBias, oc);
    constexpr quant::DType outType = kernels::DTypeOf<Out>::value;
    kernels::Requantize rq;
    rq.multiplier = mult.data();
    rq.shift = shift.data();
    rq.numChannels = numPairs;
    rq.doubleRound = c.doubleRound;
    rq.outputZp = c.outZp;
    // requantizeScalar saturates, then clamps; with saturated bounds that is
    // the ISA's saturate(clamp(v)) (see kernels::clampSaturate).
    rq.clampMin = static_cast<int32_t>(quant::saturate(c.clampMin, outType));
    rq.clampMax = static_cast<int32_t>(quant::saturate(c.clampMax, outType));
    std::vector<Out> out(acc.size());
    for (size_t i = 0; i < acc.size(); ++i) {
      int64_t o = static_cast<int64_t>(i) % oc;
      int32_t v = c.hasBias ? kernels::addBias(acc[i], bias[o]) : acc[i];
      out[i] = kernels::requantizeScalar<Out>(v, o, rq);
    }
    writeArray(mem.sram, c.sramOut, out);
    return llvm::Error::success();
  }
}

llvm::Error executeConv(const isa::ConvFields &c, Memories &mem) {
  using D = DType;
  if (c.inDtype == D::Int16) {
    if (c.raw || c.accumulate)
      return fail(isa::Opcode::Conv, "an int16 CONV has an int48 accumulator: "
                                     "raw and acc_en are not supported");
    auto acc = c.wDtype == D::Int16
                   ? convAccumulate<int16_t, int16_t, int64_t>(c, mem)
               : c.wDtype == D::Int8
                   ? convAccumulate<int16_t, int8_t, int64_t>(c, mem)
                   : llvm::Expected<std::vector<int64_t>>(fail(
                         isa::Opcode::Conv,
                         llvm::Twine("in_dtype int16 with w_dtype ") +
                             isa::dtypeName(c.wDtype) +
                             " is not implemented by core/kernels"));
    if (!acc)
      return acc.takeError();
    return withType(c.outDtype, [&](auto tag) -> llvm::Error {
      using Out = decltype(tag);
      if constexpr (isNarrow<Out>)
        return convEpilogue48<Out>(c, *acc, mem);
      else
        return fail(isa::Opcode::Conv, "an int16 CONV has no raw output");
    });
  }
  // The operand pairs core/kernels instantiates (Conv.h).
  auto accumulate = [&]() -> llvm::Expected<std::vector<int32_t>> {
    if (c.inDtype == D::Int8 && c.wDtype == D::Int8)
      return convAccumulate<int8_t, int8_t>(c, mem);
    if (c.inDtype == D::UInt8 && c.wDtype == D::Int8)
      return convAccumulate<uint8_t, int8_t>(c, mem);
    if (c.inDtype == D::UInt8 && c.wDtype == D::UInt8)
      return convAccumulate<uint8_t, uint8_t>(c, mem);
    if (c.inDtype == D::Int8 && c.wDtype == D::UInt8)
      return convAccumulate<int8_t, uint8_t>(c, mem);
    return fail(isa::Opcode::Conv,
                llvm::Twine("in_dtype ") + isa::dtypeName(c.inDtype) +
                    " with w_dtype " + isa::dtypeName(c.wDtype) +
                    " is not implemented by core/kernels");
  };
  llvm::Expected<std::vector<int32_t>> acc = accumulate();
  if (!acc)
    return acc.takeError();
  return withType(c.outDtype, [&](auto tag) {
    return convEpilogue<decltype(tag)>(c, std::move(*acc), mem);
  });
}

//===----------------------------------------------------------------------===//
// POOL
//===----------------------------------------------------------------------===//

llvm::Error executePool(const isa::PoolFields &f, Memories &mem) {
  kernels::Pool2DParams p;
  p.inH = f.ih;
  p.inW = f.iw;
  p.channels = f.c;
  p.outH = isa::poolOutH(f);
  p.outW = isa::poolOutW(f);
  p.kernelH = f.kh;
  p.kernelW = f.kw;
  p.strideH = f.strideH;
  p.strideW = f.strideW;
  p.padTop = f.padT;
  p.padBottom = f.padB;
  p.padLeft = f.padL;
  p.padRight = f.padR;
  if (auto err = kernels::checkPool2D(p))
    return fail(isa::Opcode::Pool, *err);
  kernels::PoolQuant q;
  q.inputZp = f.inZp;
  q.outputZp = f.outZp;
  q.clampMin = f.clampMin;
  q.clampMax = f.clampMax;
  q.countIncludePad = f.countIncludePad;
  q.multiplier = f.multiplier;
  q.shift = f.shift;
  q.doubleRound = f.doubleRound;
  const uint64_t inCount = uint64_t(f.ih) * f.iw * f.c;
  const uint64_t outCount = uint64_t(p.outH) * p.outW * f.c;
  return withType(f.inDtype, [&](auto inTag) {
    using In = decltype(inTag);
    return withType(f.outDtype, [&](auto outTag) -> llvm::Error {
      using Out = decltype(outTag);
      if constexpr (isNarrow<In> && isNarrow<Out>) {
        std::vector<In> in = readArray<In>(mem.sram, f.sramIn, inCount);
        std::vector<Out> out(outCount);
        if (f.mode == isa::PoolMode::Max)
          kernels::maxPool2dQuant<In, Out>(p, q, in.data(), out.data());
        else if (f.mode == isa::PoolMode::Min)
          kernels::minPool2dQuant<In, Out>(p, q, in.data(), out.data());
        else
          kernels::avgPool2dQuant<In, Out>(p, q, in.data(), out.data());
        writeArray(mem.sram, f.sramOut, out);
        return llvm::Error::success();
      } else {
        return fail(isa::Opcode::Pool, "int32 operands are not supported");
      }
    });
  });
}

//===----------------------------------------------------------------------===//
// ELTWISE
//===----------------------------------------------------------------------===//

kernels::BinaryFunc binaryFunc(isa::EltFunc f) {
  switch (f) {
  case isa::EltFunc::Sub:
    return kernels::BinaryFunc::Sub;
  case isa::EltFunc::Mul:
    return kernels::BinaryFunc::Mul;
  case isa::EltFunc::Max:
    return kernels::BinaryFunc::Max;
  case isa::EltFunc::Min:
    return kernels::BinaryFunc::Min;
  default:
    return kernels::BinaryFunc::Add;
  }
}

kernels::BinaryBroadcast binaryBroadcast(isa::Bcast b) {
  return b == isa::Bcast::None      ? kernels::BinaryBroadcast::None
         : b == isa::Bcast::Channel ? kernels::BinaryBroadcast::Channel
                                    : kernels::BinaryBroadcast::Scalar;
}

/// The operand fields each binary ELTWISE kernel reads from the word: the
/// zero points and the rescales of A and B.
template <typename Q>
void binaryOperandFields(Q &q, const isa::EltwiseFields &e) {
  q.aZp = e.aZp;
  q.bZp = e.bZp;
  q.aMult = e.aMult;
  q.aShift = e.aShift;
  q.bMult = e.bMult;
  q.bShift = e.bShift;
  q.doubleRound = e.doubleRound;
}

/// How many elements operand B of a binary ELTWISE over n = rows x channels
/// elements has (isa::Bcast).
uint64_t bOperandCount(isa::Bcast b, uint64_t n, uint64_t channels) {
  return b == isa::Bcast::None ? n : b == isa::Bcast::Channel ? channels : 1;
}

/// Calls fn(A{}, Out{}) for the element types of an ELTWISE whose A and
/// output are 8-bit (lut, softmax, log_softmax); verify() rules out others.
template <typename Fn>
llvm::Error withByteTypes(const isa::EltwiseFields &e, const char *name,
                          Fn &&fn) {
  return withType(e.aDtype, [&](auto aTag) {
    return withType(e.outDtype, [&](auto oTag) -> llvm::Error {
      if constexpr (sizeof(aTag) == 1 && sizeof(oTag) == 1) {
        fn(aTag, oTag);
        return llvm::Error::success();
      } else {
        return fail(isa::Opcode::Eltwise,
                    llvm::Twine(name) + " takes int8/uint8 a and out");
      }
    });
  });
}

llvm::Error executeEltwise(const isa::EltwiseFields &e, Memories &mem) {
  const uint64_t rows = e.rows, channels = e.channels, n = rows * channels;
  const isa::Opcode op = isa::Opcode::Eltwise;
  switch (e.func) {
  case isa::EltFunc::Add:
  case isa::EltFunc::Sub:
  case isa::EltFunc::Mul:
  case isa::EltFunc::Max:
  case isa::EltFunc::Min: {
    kernels::QuantBinary q;
    q.func = binaryFunc(e.func);
    binaryOperandFields(q, e);
    q.outZp = e.outZp;
    q.leftShift = e.leftShift;
    q.outMult = e.outMult;
    q.outShift = e.outShift;
    q.clampMin = e.clampMin;
    q.clampMax = e.clampMax;
    kernels::BinaryBroadcast bc = binaryBroadcast(e.bcast);
    uint64_t bCount = bOperandCount(e.bcast, n, channels);
    return withType(e.aDtype, [&](auto aTag) {
      using A = decltype(aTag);
      return withType(e.bDtype, [&](auto bTag) {
        using B = decltype(bTag);
        return withType(e.outDtype, [&](auto oTag) -> llvm::Error {
          using Out = decltype(oTag);
          if constexpr (isNarrow<A> && isNarrow<B>) {
            std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
            std::vector<B> b = readArray<B>(mem.sram, e.sramB, bCount);
            std::vector<Out> out(n);
            kernels::quantBinary<A, B, Out>(q, a.data(), b.data(), out.data(),
                                            rows, channels, bc);
            writeArray(mem.sram, e.sramOut, out);
            return llvm::Error::success();
          } else {
            return fail(op, "binary functions take 8- or 16-bit operands");
          }
        });
      });
    });
  }
  case isa::EltFunc::CmpGt:
  case isa::EltFunc::CmpGe:
  case isa::EltFunc::CmpEq: {
    kernels::QuantCompare q;
    q.func = e.func == isa::EltFunc::CmpGt   ? kernels::CompareFunc::Greater
             : e.func == isa::EltFunc::CmpGe ? kernels::CompareFunc::GreaterEqual
                                             : kernels::CompareFunc::Equal;
    binaryOperandFields(q, e);
    q.leftShift = e.leftShift;
    kernels::BinaryBroadcast bc = binaryBroadcast(e.bcast);
    uint64_t bCount = bOperandCount(e.bcast, n, channels);
    return withType(e.aDtype, [&](auto aTag) {
      using A = decltype(aTag);
      return withType(e.bDtype, [&](auto bTag) -> llvm::Error {
        using B = decltype(bTag);
        std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
        std::vector<B> b = readArray<B>(mem.sram, e.sramB, bCount);
        std::vector<int8_t> out(n);
        kernels::quantCompare<A, B>(q, a.data(), b.data(), out.data(), rows,
                                    channels, bc);
        writeArray(mem.sram, e.sramOut, out);
        return llvm::Error::success();
      });
    });
  }
  case isa::EltFunc::Select: {
    kernels::QuantSelect q;
    binaryOperandFields(q, e);
    q.outZp = e.outZp;
    q.clampMin = e.clampMin;
    q.clampMax = e.clampMax;
    kernels::BinaryBroadcast bc = binaryBroadcast(e.bcast);
    uint64_t bCount = bOperandCount(e.bcast, n, channels);
    return withType(e.aDtype, [&](auto aTag) {
      using A = decltype(aTag);
      return withType(e.bDtype, [&](auto bTag) {
        using B = decltype(bTag);
        return withType(e.outDtype, [&](auto oTag) -> llvm::Error {
          using Out = decltype(oTag);
          if constexpr (isNarrow<A> && isNarrow<B> && isNarrow<Out>) {
            std::vector<int8_t> c = readArray<int8_t>(mem.sram, e.sramC, n);
            std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
            std::vector<B> b = readArray<B>(mem.sram, e.sramB, bCount);
            std::vector<Out> out(n);
            kernels::quantSelect<A, B, Out>(q, c.data(), a.data(), b.data(),
                                            out.data(), rows, channels, bc);
            writeArray(mem.sram, e.sramOut, out);
            return llvm::Error::success();
          } else {
            return fail(op, "select takes 8- or 16-bit operands");
          }
        });
      });
    });
  }
  case isa::EltFunc::Rescale: {
    kernels::QuantRescale q;
    q.aZp = e.aZp;
    q.outZp = e.outZp;
    q.multiplier = e.outMult;
    q.shift = e.outShift;
    q.doubleRound = e.doubleRound;
    q.clampMin = e.clampMin;
    q.clampMax = e.clampMax;
    std::vector<int32_t> pairs;
    if (e.perChannel) {
      pairs = readArray<int32_t>(mem.sram, e.sramB, channels * 2);
      if (auto err = checkPairs(op, "b", pairs))
        return err;
      q.pairs = pairs.data();
    }
    return withType(e.aDtype, [&](auto aTag) {
      using A = decltype(aTag);
      return withType(e.outDtype, [&](auto oTag) {
        using Out = decltype(oTag);
        std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
        std::vector<Out> out(n);
        kernels::quantRescale<A, Out>(q, a.data(), out.data(), rows, channels);
        writeArray(mem.sram, e.sramOut, out);
        return llvm::Error::success();
      });
    });
  }
  case isa::EltFunc::Clamp:
    return withType(e.aDtype, [&](auto aTag) {
      using A = decltype(aTag);
      return withType(e.outDtype, [&](auto oTag) {
        using Out = decltype(oTag);
        std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
        std::vector<Out> out(n);
        kernels::clampConvert<A, Out>(a.data(), out.data(), n, e.clampMin,
                                      e.clampMax);
        writeArray(mem.sram, e.sramOut, out);
        return llvm::Error::success();
      });
    });
  case isa::EltFunc::Lut:
    return withByteTypes(e, "lut", [&](auto aTag, auto oTag) {
      using A = decltype(aTag);
      using Out = decltype(oTag);
      std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
      std::vector<Out> table = readArray<Out>(mem.sram, e.sramB, 256);
      std::vector<Out> out(n);
      kernels::lookup256<A, Out>(a.data(), table.data(), out.data(), n,
                                 e.clampMin, e.clampMax);
      writeArray(mem.sram, e.sramOut, out);
    });
  case isa::EltFunc::Softmax:
  case isa::EltFunc::LogSoftmax:
    return withByteTypes(e, "softmax", [&](auto aTag, auto oTag) {
      using A = decltype(aTag);
      using Out = decltype(oTag);
      std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
      std::vector<int32_t> table =
          readArray<int32_t>(mem.sram, e.sramB, 256);
      std::vector<Out> out(n);
      kernels::QuantSoftmax q;
      q.log = e.func == isa::EltFunc::LogSoftmax;
      q.expTable = table.data();
      q.multiplier = e.outMult;
      q.shift = e.outShift;
      q.inMult = e.aMult;
      q.logMult = e.bMult;
      q.outZp = e.outZp;
      q.doubleRound = e.doubleRound;
      q.clampMin = e.clampMin;
      q.clampMax = e.clampMax;
      kernels::quantSoftmax<A, Out>(q, a.data(), out.data(), rows,
                                    channels, 1);
      writeArray(mem.sram, e.sramOut, out);
    });
  case isa::EltFunc::LayerNorm:
    return withType(e.aDtype, [&](auto aTag) {
      using A = decltype(aTag);
      return withType(e.outDtype, [&](auto oTag) -> llvm::Error {
        using Out = decltype(oTag);
        if constexpr (sizeof(A) == 1 && sizeof(Out) == 1) {
          std::vector<A> a = readArray<A>(mem.sram, e.sramA, n);
          std::vector<Out> out(n);
          kernels::QuantLayerNorm q;
          q.multiplier = e.outMult;
          q.shift = e.outShift;
          q.epsMant = e.aMult;
          q.epsShift = e.bMult;
          q.outZp = e.outZp;
          q.clampMin = e.clampMin;
          q.clampMax = e.clampMax;
          kernels::quantLayerNorm<A, Out>(q, a.data(), out.data(), rows,
                                          channels, 1);
          writeArray(mem.sram, e.sramOut, out);
          return llvm::Error::success();
        } else {
          return fail(op, "layer_norm takes int8/uint8 a and out"); // verify()
        }
      });
    });
  }
  return llvm::Error::success();
}

} // namespace

quant::DType sim::quantDType(DType t) {
  switch (t) {
  case DType::Int8:
    return quant::DType::Int8;
  case DType::UInt8:
    return quant::DType::UInt8;
  case DType::Int16:
    return quant::DType::Int16;
  case DType::Int32:
    return quant::DType::Int32;
  }
  return quant::DType::Int32;
}

llvm::Error sim::execute(const isa::Instr &in, Memories &mem) {
  if (auto err = checkRanges(in, mem))
    return err;
  switch (in.op) {
  case isa::Opcode::Load:
  case isa::Opcode::Store:
    executeDma(in, mem);
    return llvm::Error::success();
  case isa::Opcode::Conv:
    return executeConv(in.conv(), mem);
  case isa::Opcode::Pool:
    return executePool(in.pool(), mem);
  case isa::Opcode::Eltwise:
    return executeEltwise(in.eltwise(), mem);
  case isa::Opcode::Host: // needs the float program: Simulator runs it
    return fail(in.op, "runs on the host CPU: only the Simulator (with a "
                       "host executor) executes it");
  case isa::Opcode::Nop:
  case isa::Opcode::Finish:
    return llvm::Error::success();
  }
  return llvm::Error::success();
}
