//===- Program.h - Tessera NPU programs and .npubin files -----*- C++ -*-===//
//
// A Program is what the code generator produces and the simulator runs: three
// instruction queues, the DRAM image of constants, input/output descriptors
// and the layer table that maps layer ids to ONNX nodes. It is stored as a
// versioned, checksummed `.npubin` file (layout in docs/isa.md) and as text
// assembly (Asm.h). Nothing read from a file is trusted: readProgram checks
// every count, offset and field before returning.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_ISA_PROGRAM_H
#define TESSERA_CORE_ISA_PROGRAM_H

#include "core/isa/Isa.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::isa {

/// Container format version written by this library; readers reject others.
inline constexpr uint16_t kNpubinVersion = 1;
/// Constants and tensors in DRAM start on this boundary (one DMA burst).
inline constexpr uint64_t kDramAlign = 64;
/// Longest target name the header holds (plus a terminating NUL).
inline constexpr size_t kMaxTargetName = 15;
/// Longest string (tensor, symbol or layer name, op type) the container
/// holds; writers and readers both enforce it.
inline constexpr size_t kMaxNpubinString = 65535;
/// Highest tensor rank a descriptor or layer holds.
inline constexpr size_t kMaxNpubinRank = 8;

/// How a tensor's elements are ordered in DRAM. `shape` is always the ONNX
/// shape (NCHW for images); Nhwc means the rank-4 shape [N, C, H, W] is
/// stored in [N, H, W, C] order, RowMajor that it is stored as written.
enum class Layout : uint8_t { Nhwc = 0, RowMajor = 1 };
const char *layoutName(Layout l); // "nhwc", "row_major"
std::optional<Layout> parseLayout(llvm::StringRef name);

/// A model input or output living in the DRAM activation arena.
struct TensorDesc {
  std::string name;           // ONNX graph input/output name
  DType dtype = DType::Int8;  // element type in DRAM
  std::vector<int64_t> shape; // ONNX shape, every dim >= 1
  double scale = 1.0;         // real = scale * (q - zeroPoint)
  int32_t zeroPoint = 0;
  uint64_t dramOffset = 0; // byte address, in the arena, 64-byte aligned
  Layout layout = Layout::Nhwc;

  uint64_t numElements() const;
  uint64_t byteSize() const;
  friend bool operator==(const TensorDesc &a, const TensorDesc &b);
};

/// One row of the layer table; instructions refer to it by index.
struct LayerInfo {
  std::string name;   // ONNX node name (may be empty if the model has none)
  std::string opType; // ONNX op type, e.g. "Conv", "QLinearConv"
  uint64_t macs = 0;  // multiply-accumulates of the whole node
  std::vector<int64_t> outputShape;
  friend bool operator==(const LayerInfo &a, const LayerInfo &b);
};

/// A named region of the constant image (weights of one node, ...).
struct ConstSymbol {
  std::string name;
  uint64_t offset = 0; // 64-byte aligned, inside the constant image
  uint64_t size = 0;
  friend bool operator==(const ConstSymbol &a, const ConstSymbol &b);
};

/// Version of the host-segment section's record layout (its first u32).
inline constexpr uint32_t kHostSectionVersion = 1;
/// Largest float program (MLIR bytecode) one host segment may carry.
inline constexpr uint64_t kMaxHostProgramBytes = uint64_t(1) << 32;

/// A part of the model that runs in float on the SoC's CPU (host fallback):
/// a HOST instruction names it by index. Its inputs and outputs are integer
/// tensors in the DRAM arena (dense, row-major in the npu-level shape); the
/// float program dequantizes them, runs the float ops and quantizes the
/// results (the quant.scast/dcast/qcast boundaries are inside it).
struct HostSegment {
  std::string name;               ///< the segment function, "host_segment_0"
  std::vector<std::string> nodes; ///< ONNX nodes it runs, for the report
  std::vector<TensorDesc> inputs; ///< layout row_major, in argument order
  std::vector<TensorDesc> outputs; ///< in result order
  uint64_t flops = 0; ///< float operations, estimated at compile time
  uint64_t bytes = 0; ///< bytes the CPU reads and writes, likewise
  /// MLIR bytecode of a module holding `func.func @<name>` (weights are
  /// dense constants inside). Opaque to this library and the simulator.
  std::vector<uint8_t> program;
  friend bool operator==(const HostSegment &a, const HostSegment &b);
};

struct Program {
  std::string target;     // target profile name, e.g. "rv1126"
  uint32_t flags = 0;     // reserved, must be 0 in version 1
  uint64_t sramBytes = 0; // SRAM size the program was compiled for
  uint64_t dramBytes = 0; // DRAM needed: constant image + activation arena
  std::array<std::vector<Instr>, kNumQueues> code; // indexed by Queue
  /// DRAM image of constants, loaded at DRAM address 0. Its size is a
  /// multiple of kDramAlign; the activation arena follows it.
  std::vector<uint8_t> constants;
  std::vector<ConstSymbol> symbols;
  std::vector<TensorDesc> inputs;
  std::vector<TensorDesc> outputs;
  std::vector<LayerInfo> layers;
  /// Host segments, named by HOST instructions' `segment` field. A program
  /// without any is written exactly as before (8 sections).
  std::vector<HostSegment> hostSegments;

  std::vector<Instr> &queue(Queue q) { return code[static_cast<size_t>(q)]; }
  const std::vector<Instr> &queue(Queue q) const {
    return code[static_cast<size_t>(q)];
  }
  /// Appends `bytes` to the constant image at the next 64-byte boundary,
  /// records a symbol and returns its DRAM address.
  uint64_t addConstant(llvm::StringRef name, llvm::ArrayRef<uint8_t> bytes);

  friend bool operator==(const Program &a, const Program &b);
  friend bool operator!=(const Program &a, const Program &b) {
    return !(a == b);
  }
};

/// Everything readProgram checks, on an in-memory program: header values,
/// symbols, tensor descriptors, each instruction (encodable, verify(), queue,
/// dependency flags that name an existing neighbour, layer id, every SRAM
/// range inside sramBytes, every DRAM range inside dramBytes, no STORE into
/// the constant image, FINISH only last), and that the dependency tokens
/// cannot deadlock (checkTokens). Messages name the queue, index and field.
/// `locate`, if given, returns text appended to the "queue[index]" prefix of
/// instruction errors (the assembler passes " (line N)").
llvm::Error
verifyProgram(const Program &p,
              llvm::function_ref<std::string(Queue, size_t)> locate = nullptr);

/// Runs the token protocol without timing: each queue issues in order, an
/// instruction issues once the tokens it pops are available. The four token
/// FIFOs each have one producer and one consumer, so if this greedy run
/// completes every schedule completes (a Kahn network). Fails naming the
/// stuck instructions; leftover tokens are allowed.
llvm::Error
checkTokens(const Program &p,
            llvm::function_ref<std::string(Queue, size_t)> locate = nullptr);

/// Encodes to the .npubin byte layout (verifies first).
llvm::Expected<std::vector<uint8_t>> serializeProgram(const Program &p);
/// Decodes and verifies .npubin bytes. `name` prefixes error messages.
llvm::Expected<Program> readProgram(llvm::ArrayRef<uint8_t> bytes,
                                    llvm::StringRef name = "<memory>");
llvm::Expected<Program> readProgramFile(llvm::StringRef path);
/// Writes atomically: a temporary file in the same directory, then rename.
llvm::Error writeProgram(const Program &p, llvm::StringRef path);

/// .npubin layout constants (see docs/isa.md), public for tests and tools.
namespace npubin {
inline constexpr char kMagic[4] = {'N', 'P', 'U', 'B'};
inline constexpr size_t kHeaderBytes = 64;
inline constexpr size_t kSectionEntryBytes = 24;
inline constexpr size_t kCrcOffset = 12;  // u32 CRC-32 of bytes [64, end)
inline constexpr size_t kSizeOffset = 16; // u64 file size
enum class SectionId : uint32_t {
  LoadCode = 1,
  ComputeCode = 2,
  StoreCode = 3,
  Constants = 4,
  Symbols = 5,
  Inputs = 6,
  Outputs = 7,
  Layers = 8,
  HostSegments = 9, // only present when the program has host segments
};
/// Sections of a program without host segments; with them, one more.
inline constexpr uint32_t kNumSections = 8;
inline constexpr uint32_t kMaxSections = 9;
} // namespace npubin

} // namespace tessera::isa

#endif // TESSERA_CORE_ISA_PROGRAM_H
