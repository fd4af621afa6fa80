//===- Simulator.h - Functional + timing NPU simulator ----------*- C++ -*-===//
//
// Runs a Tessera NPU program (.npubin) the way the hardware would: three
// in-order queues (LOAD, COMPUTE, STORE) synchronised only by dependency
// tokens, as in TVM VTA, in one event-driven loop that
//   - executes each instruction bit-exactly on DRAM and SRAM byte arrays
//     (Functional.h, calling core/kernels), and
//   - advances a cycle-approximate clock per unit (Timing.h): an instruction
//     starts at max(its unit is free, the push times of the tokens it pops)
//     and a DMA's data phase also waits for the shared DRAM channel.
// Functional effects happen in that dependency order, so the outputs do not
// depend on the timing parameters (the ISA's contract).
//
// Usage:
//   auto sim = Simulator::create(program, model);      // checks SRAM size
//   (*sim)->setInput("x", shape, floats);              // or setQuantizedInput
//   auto report = (*sim)->run();                       // once
//   auto y = (*sim)->output("y");                      // ints + floats
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_SIMULATOR_H
#define TESSERA_SIMULATOR_SIMULATOR_H

#include "core/isa/Program.h"
#include "simulator/Functional.h"
#include "simulator/MachineModel.h"
#include "simulator/Stats.h"
#include "core/tensor/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tessera::sim {

/// Runs one host segment functionally: given the segment and its input
/// tensors (integers read from DRAM, in the segment's argument order, with
/// the descriptors' shapes), returns its output tensors. The simulator is
/// MLIR-free; tessera-sim and the Python binding install
/// reference::makeHostExecutor (compiler/reference/HostSegment.h), which
/// runs the segment's float program with the reference interpreter.
using HostExecutor = std::function<llvm::Expected<std::vector<Tensor>>(
    const isa::HostSegment &, std::vector<Tensor>)>;

struct SimOptions {
  /// false: timing and statistics only, no arithmetic (tessera-sim
  /// --timing-only); outputs then hold whatever the arena held.
  bool functional = true;
  /// DRAM larger than this is refused rather than allocated (a corrupt or
  /// hostile header may ask for up to 2^40 bytes). 0: the process-wide
  /// memory budget (core/tensor/Limits.h, --max-memory).
  uint64_t maxDramBytes = 0;
  /// Executes HOST instructions when `functional`; without it a functional
  /// run of a program with host segments fails saying so (timing-only runs
  /// need none).
  HostExecutor hostExecutor;
};

/// A model output read back from DRAM, in ONNX order (NCHW for images).
struct OutputTensor {
  std::string name;
  isa::DType dtype = isa::DType::Int8;
  std::vector<int64_t> shape;
  double scale = 1.0;
  int32_t zeroPoint = 0;
  std::vector<int64_t> values;    ///< the stored integers
  std::vector<float> dequantized; ///< scale * (q - zeroPoint), core/quant
};

class Simulator {
public:
  /// Verifies the program (isa::verifyProgram), checks the model
  /// (checkModel) and that the model's SRAM holds the program's
  /// (program.sramBytes <= model.sramBytes), allocates DRAM with the
  /// constant image at 0 and every input filled with its zero point.
  static llvm::Expected<std::unique_ptr<Simulator>>
  create(isa::Program program, MachineModel model, SimOptions opts = {});

  const isa::Program &program() const { return program_; }
  const MachineModel &model() const { return model_; }

  /// Quantises float `values` given in ONNX order with `shape` (which must
  /// equal the descriptor's) using the descriptor's scale and zero point
  /// (quant::quantize, round half to even, saturating) and writes them in the
  /// descriptor's DRAM layout (NCHW -> NHWC for layout nhwc).
  llvm::Error setInput(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<float> values);
  /// Same for already-quantised integers; each must fit the input's dtype.
  llvm::Error setQuantizedInput(llvm::StringRef name,
                                llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<int64_t> values);
  /// Inputs not set by either call (they hold their zero point).
  std::vector<std::string> unsetInputs() const;

  /// Runs the program to completion and returns the report. Callable once.
  llvm::Expected<Report> run();

  /// An output after run(); fails on an unknown name.
  llvm::Expected<OutputTensor> output(llvm::StringRef name) const;
  /// All outputs, in the program's order.
  std::vector<OutputTensor> outputs() const;

  /// The memories and the per-instruction timeline, for tests and tools.
  const Memories &memories() const { return mem_; }
  const std::vector<InstrRecord> &timeline() const { return timeline_; }

private:
  Simulator(isa::Program program, MachineModel model, SimOptions opts);
  const isa::TensorDesc *findInput(llvm::StringRef name) const;
  llvm::Error writeInput(const isa::TensorDesc &d,
                         llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<int64_t> values);
  OutputTensor readTensor(const isa::TensorDesc &d) const;
  /// Runs a HOST instruction through opts_.hostExecutor.
  llvm::Error executeHost(const isa::Instr &in);

  isa::Program program_;
  MachineModel model_;
  SimOptions opts_;
  Memories mem_;
  std::vector<bool> inputSet_;
  std::vector<InstrRecord> timeline_;
  bool ran_ = false;
};

/// The position of ONNX-order element `i` of `d` in its DRAM storage order
/// (identity unless layout is nhwc with rank 4: NCHW index -> NHWC index).
uint64_t storageIndex(const isa::TensorDesc &d, uint64_t i);

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_SIMULATOR_H
