//===- tessera-asm.cpp - Assemble / disassemble Tessera NPU programs ------===//
//
//   tessera-asm IN.s -o OUT.npubin          assemble (verifies the program)
//   tessera-asm -d IN.npubin [-o OUT.s]     disassemble (stdout by default)
//               [--no-data]                 omit the constant image
//
// "-" reads stdin. Errors are one line "error: ..." and exit status 1;
// outputs are written by core/io's rules (docs/tools.md).
//
//===----------------------------------------------------------------------===//

#include "core/isa/Asm.h"
#include "core/isa/Program.h"
#include "core/io/Output.h"
#include "tools/common/Tool.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;
using namespace tessera;

static cl::OptionCategory toolCategory("options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<input>"), cl::cat(toolCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::cat(toolCategory));
static cl::opt<bool> disasm("d", cl::desc("Disassemble a .npubin to text"), cl::cat(toolCategory));
static cl::opt<bool> noData("no-data",
                            cl::desc("With -d: omit the constant image"), cl::cat(toolCategory));

static llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

static llvm::Error run() {
  auto buf = llvm::MemoryBuffer::getFileOrSTDIN(inputFile);
  if (!buf)
    return error(inputFile + ": " + buf.getError().message());
  if (disasm) {
    auto bytes = llvm::ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>((*buf)->getBufferStart()),
        (*buf)->getBufferSize());
    auto prog = isa::readProgram(bytes, inputFile);
    if (!prog)
      return prog.takeError();
    isa::DisasmOptions opts;
    opts.data = !noData;
    std::string text = isa::disassemble(*prog, opts);
    return io::writeFile(outputFile.empty() ? "-" : outputFile.getValue(),
                         text);
  }
  if (outputFile.empty())
    return error("-o OUT.npubin is required to assemble");
  auto prog = isa::assemble((*buf)->getBuffer());
  if (!prog)
    return error(inputFile + ": " + llvm::toString(prog.takeError()));
  return isa::writeProgram(*prog, outputFile);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(toolCategory);
  tools::parseCommandLine(argc, argv,
                          "Tessera NPU assembler / disassembler\n");
  if (llvm::Error err = run())
    return tools::reportError(std::move(err));
  return 0;
}
