//===- Asm.h - Text assembly of Tessera NPU programs -----------*- C++ -*-===//
//
// A line-oriented, diffable text form of a Program with an exact round trip:
// assemble(disassemble(p)) == p, constants included. Syntax (docs/isa.md):
//
//   ; comment to end of line
//   .target rv1126
//   .sram_bytes 0x40000
//   .dram_bytes 0x140
//   .layer 0 name="conv1" op="Conv" macs=1152 shape=[1,2,4,4]
//   .input name="x" dtype=int8 shape=[1,2,4,4] scale=0.5 zp=0 offset=0xc0
//   layout=nhwc .output name="y" ... .const name="conv1.w" offset=0x0 size=36
//   .data 0x0 00ff7f80...            (hex bytes, in order, at that offset)
//   load load layer=0 deps=push_next kind=act dram=0xc0 sram=0x0 ...
//   compute conv layer=0 deps=pop_prev,push_next in=0x0 w=0x40 ... kh=3 ...
//
// Instruction lines are `<queue> <opcode> key=value...`, keys from the field
// tables of Isa.h; omitted fields take the table's default. Lines of one
// queue keep their order; queues may interleave.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_ISA_ASM_H
#define TESSERA_CORE_ISA_ASM_H

#include "core/isa/Program.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace tessera::isa {

struct DisasmOptions {
  /// Emit the constant image as .data lines. Without it the text is shorter
  /// but does not assemble back to the same program.
  bool data = true;
};

std::string disassemble(const Program &p, const DisasmOptions &opts = {});

/// Parses and verifies (verifyProgram). Errors are one line:
/// "line 12: conv: field 'kh': value 300 does not fit 8 bits (0..255)".
llvm::Expected<Program> assemble(llvm::StringRef text);

} // namespace tessera::isa

#endif // TESSERA_CORE_ISA_ASM_H
