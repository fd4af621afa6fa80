//===- TilePlan.cpp - SRAM tiling arithmetic shared by tiling and codegen -===//
#include "compiler/lowering/TilePlan.h"

#include <algorithm>
#include <vector>

namespace tessera::lowering {

int64_t channelGranule(const WindowGeometry &g) {
  if (!g.hasWeights)
    return 1; // pooling: every channel is independent
  return g.groups == 1 ? 1 : g.oc / g.groups;
}

ChannelTile channelTile(const WindowGeometry &g, int64_t oc0,
                        int64_t tileChannels) {
  ChannelTile t;
  t.oc0 = oc0;
  t.ocCount =
      tileChannels <= 0 ? g.oc - oc0 : std::min(tileChannels, g.oc - oc0);
  if (!g.hasWeights) { // pooling: output channel i reads input channel i
    t.ic0 = oc0;
    t.icCount = t.ocCount;
    t.groups = t.ocCount;
    return t;
  }
  if (g.groups == 1) { // dense: every output channel reads every input one
    t.ic0 = 0;
    t.icCount = g.c;
    t.groups = 1;
    return t;
  }
  int64_t ocg = g.oc / g.groups, icg = g.c / g.groups;
  t.groups = t.ocCount / ocg;
  t.ic0 = (oc0 / ocg) * icg;
  t.icCount = t.groups * icg;
  return t;
}

int64_t inputBandRows(const WindowGeometry &g, int64_t rows) {
  int64_t span = (rows - 1) * g.strideH + g.dilH * (g.kh - 1) + 1;
  return std::min(span, g.h);
}

RowBand rowBand(const WindowGeometry &g, int64_t r0, int64_t r1) {
  // Output row r reads input rows r*stride - padT + [0, dil*(k-1)].
  int64_t first = r0 * g.strideH - g.padT;
  int64_t end = (r1 - 1) * g.strideH - g.padT + g.dilH * (g.kh - 1) + 1;
  RowBand b;
  b.in0 = std::max<int64_t>(first, 0);
  b.in1 = std::min(end, g.h);
  b.padT = b.in0 - first;
  b.padB = end - b.in1;
  return b;
}

namespace {

/// Bytes of weights, bias and parameters of a channel tile, each aligned.
uint64_t fixedBytes(const WindowGeometry &g, int64_t tc) {
  if (!g.hasWeights)
    return 0;
  int64_t icg = g.c / g.groups;
  uint64_t w = alignTo(uint64_t(tc) * g.kh * g.kw * icg * g.wBytes, kSramAlign);
  uint64_t b = alignTo(uint64_t(tc) * g.biasBytes, kSramAlign);
  uint64_t p = alignTo(uint64_t(g.perChannel ? tc : 1) * 8, kSramAlign);
  return w + b + p;
}

uint64_t inSlot(const WindowGeometry &g, int64_t rows, int64_t icCount) {
  return alignTo(uint64_t(inputBandRows(g, rows)) * g.w * icCount * g.inBytes,
                 kSramAlign);
}
uint64_t outSlot(const WindowGeometry &g, int64_t rows, int64_t tc) {
  return alignTo(uint64_t(rows) * g.ow * tc * g.outBytes, kSramAlign);
}

/// Largest icCount of any channel tile of width tc (the last may be smaller).
int64_t maxIcCount(const WindowGeometry &g, int64_t tc) {
  return channelTile(g, 0, tc).icCount;
}

} // namespace

SramLayout layoutWindow(const WindowGeometry &g, const TileChoice &t) {
  int64_t tc = t.channels <= 0 ? g.oc : std::min(t.channels, g.oc);
  SramLayout l;
  l.slots = t.doubleBuffer ? 2 : 1;
  uint64_t at = 0;
  if (g.hasWeights) {
    int64_t icg = g.c / g.groups;
    l.weights = at;
    at += alignTo(uint64_t(tc) * g.kh * g.kw * icg * g.wBytes, kSramAlign);
    l.bias = at;
    at += alignTo(uint64_t(tc) * g.biasBytes, kSramAlign);
    l.params = at;
    at += alignTo(uint64_t(g.perChannel ? tc : 1) * 8, kSramAlign);
  }
  l.inSlotBytes = inSlot(g, t.rows, maxIcCount(g, tc));
  l.outSlotBytes = outSlot(g, t.rows, tc);
  for (int s = 0; s < l.slots; ++s) {
    l.in[s] = at;
    at += l.inSlotBytes;
  }
  for (int s = 0; s < l.slots; ++s) {
    l.out[s] = at;
    at += l.outSlotBytes;
  }
  if (l.slots == 1) {
    l.in[1] = l.in[0];
    l.out[1] = l.out[0];
  }
  l.total = at;
  return l;
}

std::optional<TileChoice> chooseWindowTiling(const WindowGeometry &g,
                                             uint64_t sramBytes,
                                             bool allowDouble, int64_t maxRows,
                                             std::string &why) {
  int64_t granule = channelGranule(g);
  int64_t rowCap = maxRows > 0 ? std::min(maxRows, g.oh) : g.oh;
  // Channel tile widths to try, widest first: OC, then OC/k rounded up to
  // the granule for k = 2, 3, ... (each distinct width once).
  std::vector<int64_t> widths;
  for (int64_t k = 1;; ++k) {
    int64_t tc = (g.oc + k - 1) / k;
    tc = (tc + granule - 1) / granule * granule;
    tc = std::min(tc, g.oc);
    if (widths.empty() || tc < widths.back())
      widths.push_back(tc);
    if (tc <= granule)
      break;
  }
  for (int64_t tc : widths) {
    for (int slots = allowDouble ? 2 : 1; slots >= 1; --slots) {
      // Largest row count whose tiles fit; a larger band never needs less.
      for (int64_t rows = rowCap; rows >= 1; --rows) {
        TileChoice t{rows, tc == g.oc ? 0 : tc, slots == 2};
        if (layoutWindow(g, t).total > sramBytes)
          continue;
        int64_t tiles =
            g.n * ((g.oh + rows - 1) / rows) * ((g.oc + tc - 1) / tc);
        // One tile has nothing to overlap with: do not waste SRAM on it.
        if (tiles == 1)
          t.doubleBuffer = false;
        return t;
      }
    }
  }
  TileChoice minimal{1, granule == g.oc ? 0 : granule, false};
  why = "needs " + std::to_string(layoutWindow(g, minimal).total) +
        " bytes of SRAM for one output row of " + std::to_string(granule) +
        " channel(s) (weights " + std::to_string(fixedBytes(g, granule)) +
        ", input band " + std::to_string(inSlot(g, 1, maxIcCount(g, granule))) +
        ", output band " + std::to_string(outSlot(g, 1, granule)) +
        ") but sram-bytes is " + std::to_string(sramBytes);
  return std::nullopt;
}

EltwiseLayout layoutEltwise(const EltwiseGeometry &g, const TileChoice &t) {
  EltwiseLayout l;
  l.slots = t.doubleBuffer ? 2 : 1;
  uint64_t at = 0;
  l.params = at;
  at += alignTo(uint64_t(g.paramBytes), kSramAlign);
  uint64_t a = alignTo(uint64_t(t.rows) * g.channels * g.aBytes, kSramAlign);
  uint64_t b = alignTo(uint64_t(t.rows) * g.channels * g.bBytes, kSramAlign);
  uint64_t o = alignTo(uint64_t(t.rows) * g.channels * g.outBytes, kSramAlign);
  uint64_t c = alignTo(uint64_t(t.rows) * g.channels * g.cBytes, kSramAlign);
  for (int s = 0; s < l.slots; ++s) {
    l.a[s] = at;
    at += a;
    l.b[s] = at;
    at += b;
    l.c[s] = at;
    at += c;
  }
  for (int s = 0; s < l.slots; ++s) {
    l.out[s] = at;
    at += o;
  }
  if (l.slots == 1) {
    l.a[1] = l.a[0];
    l.b[1] = l.b[0];
    l.c[1] = l.c[0];
    l.out[1] = l.out[0];
  }
  l.total = at;
  return l;
}

std::optional<TileChoice> chooseEltwiseTiling(const EltwiseGeometry &g,
                                              uint64_t sramBytes,
                                              bool allowDouble, int64_t maxRows,
                                              std::string &why) {
  int64_t rowCap = maxRows > 0 ? std::min(maxRows, g.rows) : g.rows;
  for (int slots = allowDouble ? 2 : 1; slots >= 1; --slots) {
    // Bytes grow linearly with rows: solve for the largest row count, then
    // step down over the alignment slack.
    uint64_t perRow = uint64_t(g.channels) *
                      (g.aBytes + g.bBytes + g.cBytes + g.outBytes);
    uint64_t fixed = alignTo(uint64_t(g.paramBytes), kSramAlign);
    int64_t rows = rowCap;
    if (fixed < sramBytes && perRow > 0)
      rows = std::min<int64_t>(rowCap, (sramBytes - fixed) / (perRow * slots));
    for (; rows >= 1; --rows) {
      TileChoice t{rows, 0, slots == 2};
      if (layoutEltwise(g, t).total > sramBytes)
        continue;
      if ((g.rows + rows - 1) / rows == 1)
        t.doubleBuffer = false;
      return t;
    }
  }
  why = "needs " +
        std::to_string(layoutEltwise(g, TileChoice{1, 0, false}).total) +
        " bytes of SRAM for one row of " + std::to_string(g.channels) +
        " elements but sram-bytes is " + std::to_string(sramBytes);
  return std::nullopt;
}

} // namespace tessera::lowering
