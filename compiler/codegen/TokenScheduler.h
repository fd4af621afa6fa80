//===- TokenScheduler.h - Dependency tokens from memory conflicts -*- C++
//-*-===//
//
// Codegen emits instructions in one global order that is a valid sequential
// execution. For each new instruction the scheduler finds, on each other
// queue, the latest earlier instruction that touches overlapping memory
// (one of the two writing) and is not yet known to have completed, and
// orders the two with a token: the producer pushes towards the consumer's
// queue, the consumer pops. LOAD and STORE are not neighbours, so a
// conflict between them is relayed by a NOP on COMPUTE. "Known to have
// completed" is a vector clock per instruction (queues are in order, so a
// token from instruction j of a queue implies all earlier ones there).
// Because producers are found in increasing order per FIFO, each token is
// pushed and popped exactly once and the k-th pop matches the k-th push.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_CODEGEN_TOKENSCHEDULER_H
#define TESSERA_COMPILER_CODEGEN_TOKENSCHEDULER_H

#include "core/isa/Program.h"

#include <array>
#include <vector>

namespace tessera::codegen {

class TokenScheduler {
public:
  explicit TokenScheduler(isa::Program &program) : prog(program) {}

  /// Appends `in` to queue `q` with the tokens that order it after every
  /// conflicting earlier instruction.
  void emit(isa::Queue q, isa::Instr in);
  /// Appends FINISH to every queue.
  void finish();

private:
  using Clock = std::array<int64_t, isa::kNumQueues>;
  /// Appends `in` with explicit dependencies deps[r] (-1: none) and records
  /// its memory ranges.
  void append(isa::Queue q, isa::Instr in, Clock deps,
              std::vector<isa::MemRange> ranges);
  Clock currentClock(isa::Queue q) const;
  int64_t latestConflict(isa::Queue r, int64_t after,
                         const std::vector<isa::MemRange> &ranges) const;

  isa::Program &prog;
  /// Per queue, per instruction: highest index of each other queue known to
  /// have completed before it starts, and its memory ranges.
  std::array<std::vector<Clock>, isa::kNumQueues> clocks;
  std::array<std::vector<std::vector<isa::MemRange>>, isa::kNumQueues> ranges;
};

/// Whether two ranges touch the same bytes of the same memory, one writing.
bool conflicts(const isa::MemRange &a, const isa::MemRange &b);

} // namespace tessera::codegen

#endif // TESSERA_COMPILER_CODEGEN_TOKENSCHEDULER_H
