//===- Broadcast.h - TOSA elementwise broadcasting index walk ----*- C++
//-*-===//
//
// TOSA elementwise ops take operands of equal rank whose dimensions either
// match the output's or are 1 (pseudocode/library/apply_broadcast.tosac).
// forEachBroadcast visits every output element with the linear offsets of the
// two operands. Pure indexing, shared by the integer kernels and the float
// reference executor.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_BROADCAST_H
#define TESSERA_CORE_KERNELS_BROADCAST_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera::kernels {

/// Output and operand shapes of a binary elementwise op (equal ranks).
struct BroadcastShapes {
  std::vector<int64_t> out, a, b;
};

/// Checks equal ranks and that each operand dim equals the output's or is 1.
inline std::optional<std::string> checkBroadcast(const BroadcastShapes &s) {
  if (s.a.size() != s.out.size() || s.b.size() != s.out.size())
    return "broadcast: expected equal ranks, got " +
           std::to_string(s.a.size()) + " and " + std::to_string(s.b.size()) +
           " for output rank " + std::to_string(s.out.size());
  for (size_t d = 0; d < s.out.size(); ++d)
    if ((s.a[d] != s.out[d] && s.a[d] != 1) ||
        (s.b[d] != s.out[d] && s.b[d] != 1))
      return "broadcast: dim " + std::to_string(d) + " of operands (" +
             std::to_string(s.a[d]) + ", " + std::to_string(s.b[d]) +
             ") does not broadcast to " + std::to_string(s.out[d]);
  return std::nullopt;
}

/// Calls fn(outIndex, aIndex, bIndex) for every output element in row-major
/// order. Shapes must pass checkBroadcast.
template <typename Fn> void forEachBroadcast(const BroadcastShapes &s, Fn fn) {
  const size_t rank = s.out.size();
  int64_t total = 1;
  for (int64_t d : s.out)
    total *= d;
  if (total == 0)
    return;
  // Operand strides with 0 on broadcast dims.
  std::vector<int64_t> sa(rank, 0), sb(rank, 0), idx(rank, 0);
  int64_t strideA = 1, strideB = 1;
  for (size_t d = rank; d-- > 0;) {
    sa[d] = s.a[d] == 1 ? 0 : strideA;
    sb[d] = s.b[d] == 1 ? 0 : strideB;
    strideA *= s.a[d];
    strideB *= s.b[d];
  }
  const int64_t inner = rank ? s.out[rank - 1] : 1;
  const int64_t ia = rank ? sa[rank - 1] : 0, ib = rank ? sb[rank - 1] : 0;
  int64_t offA = 0, offB = 0;
  for (int64_t o = 0; o < total; o += inner) {
    for (int64_t i = 0; i < inner; ++i)
      fn(o + i, offA + i * ia, offB + i * ib);
    // Advance the multi-index over the outer dims.
    for (size_t d = rank ? rank - 1 : 0; d-- > 0;) {
      ++idx[d];
      offA += sa[d];
      offB += sb[d];
      if (idx[d] < s.out[d])
        break;
      offA -= sa[d] * idx[d];
      offB -= sb[d] * idx[d];
      idx[d] = 0;
    }
  }
}

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_BROADCAST_H
