//===- RaceCheck.cpp - Happens-before check of a program's tokens ---------===//
//
// Independent of how codegen placed the tokens: the k-th pop of each FIFO is
// matched with its k-th push, which with the in-order queues gives every
// instruction a vector clock (the last instruction of each queue that
// certainly completed before it starts). Two instructions on different
// queues that touch overlapping bytes, one writing, must be ordered by it.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/Codegen.h"
#include "compiler/codegen/TokenScheduler.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <array>

using namespace tessera::isa;

namespace tessera::codegen {

namespace {
using Clock = std::array<int64_t, kNumQueues>;

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string where(size_t q, size_t i, const Instr &in) {
  return std::string(queueName(Queue(q))) + "[" + std::to_string(i) + "] " +
         opcodeName(in.op);
}
} // namespace

llvm::Error checkRaceFree(const Program &p) {
  // FIFO f = (from, to): the instructions that push into it and pop it.
  struct Fifo {
    size_t from, to;
    std::vector<size_t> pushes, pops;
  };
  std::vector<Fifo> fifos = {
      {0, 1, {}, {}}, {1, 0, {}, {}}, {1, 2, {}, {}}, {2, 1, {}, {}}};
  auto fifoIndex = [](size_t from, size_t to) -> size_t {
    return from == 0 ? 0 : from == 2 ? 3 : to == 0 ? 1 : 2;
  };
  for (size_t q = 0; q < kNumQueues; ++q)
    for (size_t i = 0; i < p.code[q].size(); ++i) {
      const Deps &d = p.code[q][i].deps;
      if (d.pushPrev && q > 0)
        fifos[fifoIndex(q, q - 1)].pushes.push_back(i);
      if (d.pushNext && q + 1 < kNumQueues)
        fifos[fifoIndex(q, q + 1)].pushes.push_back(i);
      if (d.popPrev && q > 0)
        fifos[fifoIndex(q - 1, q)].pops.push_back(i);
      if (d.popNext && q + 1 < kNumQueues)
        fifos[fifoIndex(q + 1, q)].pops.push_back(i);
    }
  // producer[q][i]: for each FIFO instruction i pops, the (queue, index) of
  // the matching push.
  std::array<std::vector<std::vector<std::pair<size_t, size_t>>>, kNumQueues>
      producers;
  for (size_t q = 0; q < kNumQueues; ++q)
    producers[q].resize(p.code[q].size());
  for (const Fifo &f : fifos)
    for (size_t k = 0; k < f.pops.size(); ++k) {
      if (k >= f.pushes.size())
        return makeError(where(f.to, f.pops[k], p.code[f.to][f.pops[k]]) +
                         " pops a token that is never pushed");
      producers[f.to][f.pops[k]].push_back({f.from, f.pushes[k]});
    }

  // Vector clocks in a token-respecting order (as checkTokens runs).
  std::array<std::vector<Clock>, kNumQueues> clock;
  std::array<size_t, kNumQueues> pc = {0, 0, 0};
  for (size_t q = 0; q < kNumQueues; ++q)
    clock[q].resize(p.code[q].size());
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t q = 0; q < kNumQueues; ++q)
      while (pc[q] < p.code[q].size()) {
        size_t i = pc[q];
        bool ready = llvm::all_of(
            producers[q][i], [&](auto pr) { return pr.second < pc[pr.first]; });
        if (!ready)
          break;
        Clock c = i ? clock[q][i - 1] : Clock{-1, -1, -1};
        c[q] = static_cast<int64_t>(i) - 1;
        for (auto [r, j] : producers[q][i]) {
          for (size_t k = 0; k < kNumQueues; ++k)
            c[k] = std::max(c[k], clock[r][j][k]);
          c[r] = std::max(c[r], static_cast<int64_t>(j));
        }
        clock[q][i] = c;
        ++pc[q];
        progress = true;
      }
  }
  for (size_t q = 0; q < kNumQueues; ++q)
    if (pc[q] < p.code[q].size())
      return makeError("dependency tokens deadlock at " +
                       where(q, pc[q], p.code[q][pc[q]]));

  std::array<std::vector<std::vector<MemRange>>, kNumQueues> ranges;
  for (size_t q = 0; q < kNumQueues; ++q)
    for (const Instr &in : p.code[q])
      ranges[q].push_back(memRanges(in));
  // For b on q and a on r != q: ordered if clock[q][b][r] >= a (a before b)
  // or clock[r][a][q] >= b (b before a). Clocks grow along a queue, so the
  // unordered a form one window after clock[q][b][r].
  for (size_t q = 0; q < kNumQueues; ++q)
    for (size_t b = 0; b < p.code[q].size(); ++b)
      for (size_t r = q + 1; r < kNumQueues; ++r)
        for (size_t a = clock[q][b][r] + 1; a < p.code[r].size(); ++a) {
          if (clock[r][a][q] >= static_cast<int64_t>(b))
            break;
          for (const MemRange &x : ranges[q][b])
            for (const MemRange &y : ranges[r][a])
              if (conflicts(x, y))
                return makeError(
                    "unordered conflicting accesses: " +
                    where(q, b, p.code[q][b]) + " field '" + x.operand +
                    "' and " + where(r, a, p.code[r][a]) + " field '" +
                    y.operand + "' touch " +
                    (x.mem == Mem::Sram ? "SRAM" : "DRAM") + " [0x" +
                    llvm::utohexstr(std::max(x.begin, y.begin)) + ", 0x" +
                    llvm::utohexstr(std::min(x.end, y.end)) + ")");
        }
  return llvm::Error::success();
}

} // namespace tessera::codegen
