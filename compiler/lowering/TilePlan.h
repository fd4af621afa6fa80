//===- TilePlan.h - SRAM tiling arithmetic shared by tiling and codegen -*- C++
//-*-===//
//
// How one npu layer is cut into tiles and where each tile's operands live in
// SRAM. --tessera-npu-tile chooses the tile sizes with these functions and
// codegen lays out SRAM with the very same ones, so the two cannot disagree.
// Plain C++ (no MLIR). The policy is described in docs/lowering.md.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_LOWERING_TILEPLAN_H
#define TESSERA_COMPILER_LOWERING_TILEPLAN_H

#include <cstdint>
#include <optional>
#include <string>

namespace tessera::lowering {

/// SRAM regions start on this boundary (one DMA burst, as kDramAlign).
inline constexpr uint64_t kSramAlign = 64;

inline uint64_t alignTo(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

/// Geometry of a windowed layer: a convolution, or a pooling (no weights;
/// every channel is its own group).
struct WindowGeometry {
  int64_t n = 1, h = 1, w = 1, c = 1; ///< input, NHWC
  int64_t oh = 1, ow = 1, oc = 1;     ///< output
  int64_t kh = 1, kw = 1, strideH = 1, strideW = 1, dilH = 1, dilW = 1;
  int64_t padT = 0, padB = 0, padL = 0, padR = 0;
  int64_t groups = 1;
  int64_t inBytes = 1, wBytes = 1, outBytes = 1; ///< element sizes
  /// Bytes per bias element: 4 (int32), 8 for an int16 CONV's int48 bias
  /// (held in 64 bits; docs/isa.md "CONV with int16 operands").
  int64_t biasBytes = 4;
  bool hasWeights = true;                        ///< false for pooling
  bool perChannel = false; ///< one (multiplier, shift) pair per channel
};

/// The output channels [oc0, oc0 + ocCount) of a tile and the input channels
/// [ic0, ic0 + icCount) they read, as `groups` groups.
struct ChannelTile {
  int64_t oc0 = 0, ocCount = 0, ic0 = 0, icCount = 0, groups = 1;
};

/// Output channels a channel tile must be a multiple of: the output channels
/// of one group (grouped/depthwise conv, pooling), or 1 for a dense conv.
int64_t channelGranule(const WindowGeometry &g);
/// The channel tile that starts at output channel `oc0` with at most
/// `tileChannels` channels (0: all).
ChannelTile channelTile(const WindowGeometry &g, int64_t oc0,
                        int64_t tileChannels);

/// Input rows a band of `rows` output rows reads at most (its halo
/// included), clipped to the input height.
int64_t inputBandRows(const WindowGeometry &g, int64_t rows);

/// The rows of the input a band of output rows [r0, r1) reads, clipped to
/// the tensor, and the zero rows the tile adds above and below to stand for
/// the tensor's padding.
struct RowBand {
  int64_t in0 = 0, in1 = 0; ///< input rows [in0, in1)
  int64_t padT = 0, padB = 0;
};
RowBand rowBand(const WindowGeometry &g, int64_t r0, int64_t r1);

/// The tile sizes chosen for one layer (npu op attributes tile_rows,
/// tile_channels, double_buffer).
struct TileChoice {
  int64_t rows = 1;
  int64_t channels = 0; ///< 0: all output channels
  bool doubleBuffer = false;
};

/// SRAM addresses of one layer's operands. Weights, bias and parameters are
/// loaded once per channel tile; the input and output bands rotate over
/// `slots` slots (2 when double buffered).
struct SramLayout {
  uint64_t weights = 0, bias = 0, params = 0;
  uint64_t in[2] = {0, 0}, out[2] = {0, 0};
  uint64_t inSlotBytes = 0, outSlotBytes = 0;
  int slots = 1;
  uint64_t total = 0; ///< bytes used
};

SramLayout layoutWindow(const WindowGeometry &g, const TileChoice &t);

/// Chooses the tiling of a windowed layer (policy in docs/lowering.md).
/// `maxRows` bounds tile rows (0: none). Returns a message with the sizes
/// when not even one output row of one channel group fits.
std::optional<TileChoice> chooseWindowTiling(const WindowGeometry &g,
                                             uint64_t sramBytes,
                                             bool allowDouble, int64_t maxRows,
                                             std::string &why);

/// An elementwise layer over `rows` rows of `channels` elements: one or two
/// inputs, one output, and `paramBytes` of per-layer parameters.
struct EltwiseGeometry {
  int64_t rows = 1, channels = 1;
  int64_t aBytes = 1, bBytes = 0, outBytes = 1; ///< bBytes 0: unary
  int64_t cBytes = 0; ///< select's int8 condition (1), else 0
  int64_t paramBytes = 0;
};

/// `in` holds A (and B right after it, at in + aSlot) for each slot.
struct EltwiseLayout {
  uint64_t params = 0;
  uint64_t a[2] = {0, 0}, b[2] = {0, 0}, out[2] = {0, 0};
  uint64_t c[2] = {0, 0}; ///< select's condition, after b
  int slots = 1;
  uint64_t total = 0;
};
EltwiseLayout layoutEltwise(const EltwiseGeometry &g, const TileChoice &t);
std::optional<TileChoice> chooseEltwiseTiling(const EltwiseGeometry &g,
                                              uint64_t sramBytes,
                                              bool allowDouble, int64_t maxRows,
                                              std::string &why);

} // namespace tessera::lowering

#endif // TESSERA_COMPILER_LOWERING_TILEPLAN_H
