//===- SimTestUtil.h - Simulator unit-test helpers --------------*- C++ -*-===//
//
// Programs in these tests are written as assembly text (core/isa/Asm.h) so
// that each test reads like the instruction stream it checks; constants are
// appended as .data lines generated from typed vectors.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_TESTS_UNIT_SIM_SIMTESTUTIL_H
#define TESSERA_TESTS_UNIT_SIM_SIMTESTUTIL_H

#include "core/isa/Asm.h"
#include "simulator/MachineModel.h"
#include "simulator/Simulator.h"

#include "llvm/ADT/StringExtras.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace tessera::sim::test {

/// Round numbers chosen so that every formula can be evaluated by hand.
inline MachineModel handModel() {
  MachineModel m;
  m.target = "hand";
  m.clockMhz = 1000; // 1 cycle = 1 ns
  m.macRows = 8;
  m.macCols = 4;
  m.int16Slowdown = 2;
  m.epilogueLatency = 4;
  m.vectorLanes = 16;
  m.vectorLatency = 4;
  m.sramBytes = 0x10000;
  m.sramBanks = 8;
  m.sramBankBytesPerCycle = 16; // 128 B/cycle
  m.dramBytesPerCycle = 16;
  m.dramLatencyCycles = 100;
  m.dmaBytesPerCycle = 32;
  m.dmaSetupCycles = 8;
  m.burstBytes = 64;
  m.macInt8Pj = 0.25;
  m.macInt16Pj = 1.0;
  m.vectorOpPj = 0.5;
  m.sramReadPjPerByte = 2;
  m.sramWritePjPerByte = 3;
  m.dramPjPerByte = 100;
  m.staticPowerMw = 1000; // 1 W: 1 pJ per ps, 1000 pJ per 1 ns cycle
  return m;
}

/// A very different machine: tiny array, slow DRAM, narrow SRAM.
inline MachineModel slowModel() {
  MachineModel m = handModel();
  m.target = "slow";
  m.clockMhz = 37;
  m.macRows = 3;
  m.macCols = 5;
  m.int16Slowdown = 7;
  m.epilogueLatency = 31;
  m.vectorLanes = 1;
  m.vectorLatency = 17;
  m.sramBanks = 1;
  m.sramBankBytesPerCycle = 1;
  m.dramBytesPerCycle = 0.3;
  m.dramLatencyCycles = 2000;
  m.dmaBytesPerCycle = 0.7;
  m.dmaSetupCycles = 300;
  m.burstBytes = 256;
  return m;
}

template <typename T> std::vector<uint8_t> bytesOf(const std::vector<T> &v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!v.empty())
    std::memcpy(b.data(), v.data(), b.size());
  return b;
}

/// .data lines placing `bytes` at `offset`, 32 bytes per line.
inline std::string dataLines(uint64_t offset,
                             const std::vector<uint8_t> &bytes) {
  std::string s;
  for (size_t at = 0; at < bytes.size(); at += 32) {
    size_t n = std::min<size_t>(32, bytes.size() - at);
    s += ".data 0x" + llvm::utohexstr(offset + at, true) + " " +
         llvm::toHex(llvm::ArrayRef(bytes).slice(at, n), true) + "\n";
  }
  return s;
}

/// Assembles or fails the test with the assembler's message.
inline isa::Program assembleOk(const std::string &text) {
  llvm::Expected<isa::Program> p = isa::assemble(text);
  if (!p) {
    ADD_FAILURE() << llvm::toString(p.takeError()) << "\n" << text;
    return isa::Program();
  }
  return std::move(*p);
}

/// Runs `p` under `m`; returns the simulator (after run) and the report.
struct SimRun {
  std::unique_ptr<Simulator> sim;
  Report report;
};
inline SimRun runOk(isa::Program p, MachineModel m, SimOptions o = {}) {
  SimRun r;
  auto sim = Simulator::create(std::move(p), std::move(m), o);
  if (!sim) {
    ADD_FAILURE() << llvm::toString(sim.takeError());
    return r;
  }
  r.sim = std::move(*sim);
  auto rep = r.sim->run();
  if (!rep) {
    ADD_FAILURE() << llvm::toString(rep.takeError());
    return r;
  }
  r.report = std::move(*rep);
  return r;
}

} // namespace tessera::sim::test

#endif // TESSERA_TESTS_UNIT_SIM_SIMTESTUTIL_H
