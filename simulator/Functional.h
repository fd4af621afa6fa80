//===- Functional.h - Bit-exact effect of one instruction -------*- C++ -*-===//
//
// The decode switch of the simulator, as in TVM VTA's sim_driver: each
// instruction reads its SRAM/DRAM operands, calls the integer kernels of
// core/kernels (the one definition of the arithmetic) on the tile with the
// instruction's own pads, and writes its result. No timing and no statistics
// here; those are Timing.h and Stats.h.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_FUNCTIONAL_H
#define TESSERA_SIMULATOR_FUNCTIONAL_H

#include "core/isa/Isa.h"
#include "core/quant/Quant.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace tessera::sim {

/// The two memories an instruction can touch, as flat byte arrays.
struct Memories {
  std::vector<uint8_t> dram;
  std::vector<uint8_t> sram;
};

/// The core/quant dtype of an ISA dtype (for saturate, quantize, ...).
quant::DType quantDType(isa::DType t);

/// Applies `in` to `mem`. Operands are read completely before the result is
/// written, so an output may alias an input (in-place ELTWISE, psum == out).
/// Fails, naming the opcode and field, on an out-of-bounds range, an operand
/// type combination core/kernels does not implement, or a (multiplier,
/// shift) pair read from SRAM that violates TOSA's REQUIREs.
llvm::Error execute(const isa::Instr &in, Memories &mem);

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_FUNCTIONAL_H
