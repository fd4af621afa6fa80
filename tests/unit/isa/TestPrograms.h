//===- TestPrograms.h - Programs shared by the ISA unit tests ---*- C++ -*-===//
#ifndef TESSERA_TESTS_UNIT_ISA_TESTPROGRAMS_H
#define TESSERA_TESTS_UNIT_ISA_TESTPROGRAMS_H

#include "core/isa/Program.h"

#include <cstdlib>
#include <string>

namespace tessera::isa::testing {

/// The worked example of docs/isa.md: one 3x3 convolution with padding 1 on
/// a 4x4x2 int8 input, per-channel requantisation and fused ReLU
/// (clamp_min = out_zp = -128), LOAD -> CONV -> STORE -> FINISH.
inline Program makeExampleProgram() {
  Program p;
  p.target = "rv1126";
  p.sramBytes = 0x40000;
  p.layers.push_back({"conv1", "Conv", 4 * 4 * 2 * 3 * 3 * 2, {1, 2, 4, 4}});
  // Weights [oc=2][kh=3][kw=3][ic=2]: channel 0 sums the centre taps,
  // channel 1 is -1 everywhere.
  std::vector<uint8_t> w(36, 0);
  w[(1 * 3 + 1) * 2 + 0] = 1;
  w[(1 * 3 + 1) * 2 + 1] = 1;
  for (int i = 18; i < 36; ++i)
    w[i] = 0xff;
  uint64_t wAddr = p.addConstant("conv1.weight", w);
  // Bias int32 [2] = {10, -20}.
  uint64_t bAddr =
      p.addConstant("conv1.bias", {0x0a, 0, 0, 0, 0xec, 0xff, 0xff, 0xff});
  // (multiplier, shift) int32 pairs: 2^30 * 2^-31 = 0.5 for both channels.
  uint64_t qAddr = p.addConstant("conv1.requant", {0, 0, 0, 0x40, 31, 0, 0, 0,
                                                   0, 0, 0, 0x40, 31, 0, 0, 0});
  p.inputs.push_back(
      {"x", DType::Int8, {1, 2, 4, 4}, 0.5, 0, 0xc0, Layout::Nhwc});
  p.outputs.push_back(
      {"y", DType::Int8, {1, 2, 4, 4}, 0.25, -128, 0x100, Layout::Nhwc});
  p.dramBytes = 0x140;

  auto load = [&](DmaKind kind, uint8_t elem, uint64_t dram, uint32_t sram,
                  uint32_t bytes, bool pushNext) {
    Instr in(Opcode::Load, 0);
    in.deps.pushNext = pushNext;
    DmaFields &d = in.dma();
    d.kind = kind;
    d.elemBytes = elem;
    d.dramAddr = dram;
    d.sramAddr = sram;
    d.innerBytes = bytes;
    p.queue(Queue::Load).push_back(in);
  };
  load(DmaKind::Act, 1, 0xc0, 0x0, 32, false);
  load(DmaKind::Weight, 1, wAddr, 0x40, 36, false);
  load(DmaKind::Param, 4, bAddr, 0x80, 8, false);
  load(DmaKind::Param, 4, qAddr, 0xc0, 16, true);

  Instr conv(Opcode::Conv, 0);
  conv.deps.popPrev = conv.deps.pushNext = true;
  ConvFields &c = conv.conv();
  c.hasBias = c.perChannel = true;
  c.sramIn = 0x0;
  c.sramW = 0x40;
  c.sramBias = 0x80;
  c.sramParams = 0xc0;
  c.sramOut = 0x100;
  c.ih = c.iw = 4;
  c.ic = c.oc = 2;
  c.kh = c.kw = 3;
  c.padT = c.padB = c.padL = c.padR = 1;
  c.outZp = -128;
  c.clampMin = -128;
  c.clampMax = 127;
  p.queue(Queue::Compute).push_back(conv);

  Instr store(Opcode::Store, 0);
  store.deps.popPrev = store.deps.pushPrev = true;
  store.dma().dramAddr = 0x100;
  store.dma().sramAddr = 0x100;
  store.dma().innerBytes = 32;
  p.queue(Queue::Store).push_back(store);

  Instr finish(Opcode::Finish);
  finish.deps.popNext = true;
  p.queue(Queue::Compute).push_back(finish);
  return p;
}

/// The repository root (tests run there; TESSERA_SOURCE_DIR overrides).
inline std::string sourceDir() {
  const char *env = std::getenv("TESSERA_SOURCE_DIR");
  return env ? env : TESSERA_TEST_SOURCE_DIR;
}

} // namespace tessera::isa::testing

#endif // TESSERA_TESTS_UNIT_ISA_TESTPROGRAMS_H
