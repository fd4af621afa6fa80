//===- TokenScheduler.cpp - Dependency tokens from memory conflicts -------===//
#include "compiler/codegen/TokenScheduler.h"

#include <algorithm>

using namespace tessera::isa;

namespace tessera::codegen {

bool conflicts(const MemRange &a, const MemRange &b) {
  return a.mem == b.mem && (a.write || b.write) && a.begin < b.end &&
         b.begin < a.end && a.begin < a.end && b.begin < b.end;
}

TokenScheduler::Clock TokenScheduler::currentClock(Queue q) const {
  const auto &c = clocks[static_cast<size_t>(q)];
  Clock clock = c.empty() ? Clock{-1, -1, -1} : c.back();
  // In-order queue: everything before the new instruction has completed.
  clock[static_cast<size_t>(q)] = static_cast<int64_t>(c.size()) - 1;
  return clock;
}

int64_t
TokenScheduler::latestConflict(Queue r, int64_t after,
                               const std::vector<MemRange> &mine) const {
  const auto &rs = ranges[static_cast<size_t>(r)];
  for (int64_t j = static_cast<int64_t>(rs.size()) - 1; j > after; --j)
    for (const MemRange &a : rs[j])
      for (const MemRange &b : mine)
        if (conflicts(a, b))
          return j;
  return -1;
}

void TokenScheduler::append(Queue q, Instr in, Clock deps,
                            std::vector<MemRange> rs) {
  size_t qi = static_cast<size_t>(q);
  Clock clock = currentClock(q);
  for (size_t r = 0; r < kNumQueues; ++r) {
    int64_t j = deps[r];
    if (r == qi || j < 0)
      continue;
    // Neighbours only (append's callers relay LOAD <-> STORE).
    Instr &producer = prog.code[r][j];
    if (r + 1 == qi) { // r is the previous queue of q
      producer.deps.pushNext = true;
      in.deps.popPrev = true;
    } else { // r is the next queue of q
      producer.deps.pushPrev = true;
      in.deps.popNext = true;
    }
    const Clock &pc = clocks[r][j];
    for (size_t k = 0; k < kNumQueues; ++k)
      clock[k] = std::max(clock[k], pc[k]);
    clock[r] = std::max(clock[r], j);
  }
  prog.code[qi].push_back(std::move(in));
  clocks[qi].push_back(clock);
  ranges[qi].push_back(std::move(rs));
}

void TokenScheduler::emit(Queue q, Instr in) {
  std::vector<MemRange> mine = memRanges(in);
  Clock now = currentClock(q);
  Clock deps{-1, -1, -1};
  size_t qi = static_cast<size_t>(q);
  for (size_t r = 0; r < kNumQueues; ++r)
    if (r != qi)
      deps[r] = latestConflict(static_cast<Queue>(r), now[r], mine);
  // LOAD and STORE have no FIFO between them: a COMPUTE NOP waits for the
  // producer and the consumer waits for the NOP, the newest COMPUTE
  // instruction, which also covers any COMPUTE conflict.
  size_t far = q == Queue::Load    ? size_t(Queue::Store)
               : q == Queue::Store ? size_t(Queue::Load)
                                   : kNumQueues;
  if (far != kNumQueues && deps[far] >= 0) {
    const size_t mid = size_t(Queue::Compute);
    const auto &cc = clocks[mid];
    // The first COMPUTE instruction already known to follow the producer
    // (clocks grow along the queue) can relay without a new token; else a
    // NOP waits for it.
    auto it = std::partition_point(cc.begin(), cc.end(), [&](const Clock &c) {
      return c[far] < deps[far];
    });
    int64_t relay = it - cc.begin();
    if (it == cc.end()) {
      Clock d{-1, -1, -1};
      d[far] = deps[far];
      append(Queue::Compute, Instr(Opcode::Nop, in.layer), d, {});
      relay = static_cast<int64_t>(cc.size()) - 1;
    }
    deps[far] = -1;
    deps[mid] = std::max(deps[mid], relay);
  }
  append(q, std::move(in), deps, std::move(mine));
}

void TokenScheduler::finish() {
  for (size_t q = 0; q < kNumQueues; ++q)
    append(static_cast<Queue>(q), Instr(Opcode::Finish), Clock{-1, -1, -1}, {});
}

} // namespace tessera::codegen
