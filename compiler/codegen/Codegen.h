//===- Codegen.h - npu dialect -> NPU program (.npubin) ----------*- C++
//-*-===//
//
// Turns a tiled npu module (after --tessera-lower-to-npu and
// --tessera-npu-tile) into an isa::Program: the constant image (weights,
// biases, requantization pairs), the DRAM activation arena (liveness-based,
// concat realised by storing into channel slices), the three instruction
// queues with the dependency tokens that order every conflicting memory
// access, the I/O descriptors and the layer table. See docs/lowering.md.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_CODEGEN_CODEGEN_H
#define TESSERA_COMPILER_CODEGEN_CODEGEN_H

#include "core/isa/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace tessera::codegen {

struct CodegenOptions {
  /// Target profile name written into the program header.
  std::string target = "generic";
  /// SRAM bytes of the target; every layer's tiles must fit (they do when
  /// --tessera-npu-tile ran with the same number).
  uint64_t sramBytes = 0;
  /// Function to compile; empty: the module's only func.func, or @main.
  std::string entry;
};

/// Generates the program. Fails with a message naming the op (ONNX node and
/// location) for anything it cannot generate: an untiled layer, a tile that
/// does not fit `sramBytes`, a non-constant weight, an unsupported op.
/// The result passes isa::verifyProgram and checkRaceFree.
llvm::Expected<isa::Program> generateProgram(mlir::ModuleOp module,
                                             const CodegenOptions &options);

/// Independent check of a program's synchronisation, from its dependency
/// flags alone: matches the k-th pop of each token FIFO with its k-th push,
/// derives the happens-before order of the three in-order queues, and fails
/// naming both instructions if two of them on different queues access
/// overlapping SRAM or DRAM bytes (one writing) without being ordered.
llvm::Error checkRaceFree(const isa::Program &p);

/// Prints the npu module for `tessera-compile --emit=npu` (the generic MLIR
/// printer with locations elided unless `withLocations`).
void printNpuModule(mlir::ModuleOp module, llvm::raw_ostream &os,
                    bool withLocations = false);

} // namespace tessera::codegen

#endif // TESSERA_COMPILER_CODEGEN_CODEGEN_H
