//===- TargetModel.cpp - Machine model from a target profile --------------===//
//
// The one place where target-profile fields (core/target, targets/*.yaml)
// become simulator parameters; docs/simulator.md lists the mapping. The
// profile describes one core; the simulator models one core.
//
//===----------------------------------------------------------------------===//
#include "simulator/MachineModel.h"

#include "core/target/Target.h"

using namespace tessera;
using namespace tessera::sim;

llvm::Expected<MachineModel> sim::modelFromTarget(const target::Target &t) {
  MachineModel m;
  m.target = t.name;
  m.clockMhz = t.clockMhz;

  m.macRows = t.mac.rows;
  m.macCols = t.mac.cols;
  // int16 rate as a slowdown of the int8 rate; 0 = no int16 mode.
  m.int16Slowdown =
      t.mac.int16MacsPerCycle
          ? double(t.mac.int8MacsPerCycle) / double(t.mac.int16MacsPerCycle)
          : 0.0;
  m.epilogueLatency = t.mac.epilogueLatencyCycles;

  m.vectorLanes = t.vector.int8Lanes;
  m.vectorLanesInt16 = t.vector.int16Lanes;
  m.vectorLatency = t.vector.latencyCycles;
  m.vectorOps = t.vector.ops;

  m.sramBytes = t.sram.bytes;
  m.sramBanks = t.sram.banks;
  m.sramBankBytesPerCycle = t.sram.bankBytesPerCycle;

  m.dramBytesPerCycle = t.dramBytesPerCycle();
  m.dramLatencyCycles = t.dramLatencyCycles();
  m.burstBytes = t.dram.burstBytes;
  m.dmaBytesPerCycle = t.dma.bytesPerCycle;
  m.dmaSetupCycles = t.dma.setupCycles;
  m.dmaEngines = t.dma.engines >= 2 ? 2 : 1;

  m.macInt8Pj = t.energy.int8MacPj;
  m.macInt16Pj = t.energy.int16MacPj;
  m.vectorOpPj = t.energy.vectorOpPj;
  m.sramReadPjPerByte = t.energy.sramReadBytePj;
  m.sramWritePjPerByte = t.energy.sramWriteBytePj;
  m.dramPjPerByte = t.energy.dramBytePj;
  m.staticPowerMw = t.energy.staticMw;

  m.hostCpu = t.host.cpu;
  m.hostCores = t.host.cores;
  m.hostGflops = t.host.sustainedGflops;
  m.hostGbps = t.host.sustainedGbps;
  m.hostCrossingUs = t.host.crossingUs;
  m.hostPowerW = t.host.powerW;

  if (auto err = checkModel(m))
    return std::move(err);
  return m;
}

llvm::Expected<MachineModel> sim::loadTargetModel(llvm::StringRef nameOrPath) {
  llvm::Expected<target::Target> t = target::loadTargetProfile(nameOrPath);
  if (!t)
    return t.takeError();
  return modelFromTarget(*t);
}
