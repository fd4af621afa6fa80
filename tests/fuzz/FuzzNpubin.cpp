//===- FuzzNpubin.cpp - Fuzz the .npubin reader and verifier --------------===//
//
// Bytes -> isa::readProgram (decode + verifyProgram). A program it accepts
// must serialize again and read back equal, and disassemble to text that
// assembles back to the same program (the round trips tessera-asm and
// tessera-sim rely on, core/isa/Program.h and Asm.h).
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"

#include "core/isa/Asm.h"
#include "core/isa/Program.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto program = isa::readProgram(llvm::ArrayRef<uint8_t>(data, size),
                                  "fuzz.npubin");
  if (!program) {
    llvm::consumeError(program.takeError());
    return 0;
  }
  auto bytes = isa::serializeProgram(*program);
  if (!bytes)
    fuzz::violated("a program readProgram accepted does not serialize: " +
                   llvm::toString(bytes.takeError()));
  auto again = isa::readProgram(*bytes, "fuzz-reserialized.npubin");
  if (!again)
    fuzz::violated("a serialized program does not read back: " +
                   llvm::toString(again.takeError()));
  if (*again != *program)
    fuzz::violated("serialize + read changed the program");
  auto assembled = isa::assemble(isa::disassemble(*program));
  if (!assembled)
    fuzz::violated("the disassembly does not assemble: " +
                   llvm::toString(assembled.takeError()));
  if (*assembled != *program)
    fuzz::violated("disassemble + assemble changed the program");
  return 0;
}
