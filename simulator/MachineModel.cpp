//===- MachineModel.cpp - Checks of the simulator's machine model ---------===//

#include "simulator/MachineModel.h"

#include "llvm/ADT/Twine.h"

#include <cmath>

using namespace tessera;
using namespace tessera::sim;

llvm::Error sim::checkModel(const MachineModel &m) {
  auto bad = [&](const char *field, const char *what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::Twine("machine model '") + m.target +
                                       "': " + field + " " + what);
  };
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  auto nonNegative = [](double v) { return std::isfinite(v) && v >= 0; };
  if (!positive(m.clockMhz))
    return bad("clock_mhz", "must be > 0");
  if (m.macRows == 0)
    return bad("mac_rows", "must be >= 1");
  if (m.macCols == 0)
    return bad("mac_cols", "must be >= 1");
  if (!nonNegative(m.int16Slowdown))
    return bad("int16_slowdown", "must be >= 0 (0: no int16 MACs)");
  if (m.vectorLanes == 0)
    return bad("vector_lanes", "must be >= 1");
  if (m.vectorLanesInt16 == 0)
    return bad("vector_lanes_int16", "must be >= 1");
  if (m.dmaEngines != 1 && m.dmaEngines != 2)
    return bad("dma_engines", "must be 1 or 2");
  if (m.sramBytes == 0)
    return bad("sram_bytes", "must be >= 1");
  if (m.sramBanks == 0)
    return bad("sram_banks", "must be >= 1");
  if (m.sramBankBytesPerCycle == 0)
    return bad("sram_bank_bytes_per_cycle", "must be >= 1");
  if (!positive(m.dramBytesPerCycle))
    return bad("dram_bytes_per_cycle", "must be > 0");
  if (!positive(m.dmaBytesPerCycle))
    return bad("dma_bytes_per_cycle", "must be > 0");
  if (m.burstBytes == 0)
    return bad("burst_bytes", "must be >= 1");
  for (auto [v, name] : {std::pair{m.macInt8Pj, "mac_int8_pj"},
                         {m.macInt16Pj, "mac_int16_pj"},
                         {m.vectorOpPj, "vector_op_pj"},
                         {m.sramReadPjPerByte, "sram_read_pj_per_byte"},
                         {m.sramWritePjPerByte, "sram_write_pj_per_byte"},
                         {m.dramPjPerByte, "dram_pj_per_byte"},
                         {m.staticPowerMw, "static_power_mw"},
                         {m.hostCrossingUs, "host_crossing_us"},
                         {m.hostPowerW, "host_power_w"}})
    if (!nonNegative(v))
      return bad(name, "must be finite and >= 0");
  if (m.hostCores) {
    if (!positive(m.hostGflops))
      return bad("host_gflops", "must be > 0");
    if (!positive(m.hostGbps))
      return bad("host_gbps", "must be > 0");
  }
  return llvm::Error::success();
}
