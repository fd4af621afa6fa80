//===- Isa.h - Tessera NPU instruction set, one encoding table -*- C++ -*-===//
//
// The instruction set of the Tessera NPU, modelled on TVM VTA's decoupled
// access/execute ISA (include/vta/hw_spec.h: LOAD / COMPUTE / STORE queues
// joined by dependency-token FIFOs) and on NVDLA (a convolution core whose
// output goes through a fused single-point post-processor, "SDP": bias,
// per-channel requantisation, clamp).
//
// Every bit of every instruction is declared exactly once, in the field lists
// below (X-macros). The instruction structs, their defaults and equality, the
// encoder, the decoder, the verifier's range checks, the disassembler, the
// assembler and the encoding table in docs/isa.md are all derived from them.
//
// Instructions are 512 bits: eight little-endian uint64 words, word 0 first.
// Bit b of the instruction is bit (b % 64) of word (b / 64). 512 rather than
// VTA's 128 because a CONV carries the whole NVDLA-like epilogue (zero points,
// clamp, dtypes, five SRAM operands) instead of micro-op indices; one CONV
// tile does >= 10^4 MACs, so 64 bytes of instruction fetch is negligible next
// to its operand traffic, and 64 B is one DMA burst.
//
// Plain C++17 plus LLVM Support (llvm::Error / llvm::Expected).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_ISA_ISA_H
#define TESSERA_CORE_ISA_ISA_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace tessera::isa {

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

inline constexpr unsigned kInstrBits = 512;
inline constexpr unsigned kInstrWords = kInstrBits / 64;
inline constexpr unsigned kInstrBytes = kInstrBits / 8;
/// Bits [0, 32) of every instruction: opcode, dependency flags, layer id.
inline constexpr unsigned kHeaderBits = 32;
/// Layer id of an instruction that belongs to no ONNX node (e.g. FINISH).
inline constexpr uint16_t kNoLayer = 0xFFFF;

/// An encoded instruction: word 0 holds bits [0, 64).
using InstrWord = std::array<uint64_t, kInstrWords>;

//===----------------------------------------------------------------------===//
// Enumerations (the value is the encoding; the name is the assembly spelling)
//===----------------------------------------------------------------------===//

/// Opcodes. 0 is not an opcode, so an all-zero word is rejected.
enum class Opcode : uint8_t {
  Load = 1,    // DMA DRAM -> SRAM (LOAD queue)
  Store = 2,   // DMA SRAM -> DRAM (STORE queue)
  Conv = 3,    // MAC array + fused epilogue (COMPUTE queue)
  Pool = 4,    // vector unit: max / average pooling (COMPUTE queue)
  Eltwise = 5, // vector unit: binary, rescale, clamp, table lookup (COMPUTE)
  Nop = 6,     // no effect except its dependency tokens (any queue)
  Finish = 7,  // last instruction of a queue (any queue)
  Host = 8,    // run a host segment on the CPU, waiting for it (STORE queue)
};
inline constexpr unsigned kNumOpcodes = 9; // including the invalid 0
std::optional<Opcode> opcodeFromInt(uint64_t v);
const char *opcodeName(Opcode op); // "load", "store", "conv", ...
std::optional<Opcode> parseOpcode(llvm::StringRef name);

/// The three instruction queues, one per unit, in VTA's order: LOAD's "next"
/// neighbour is COMPUTE, COMPUTE's "prev" is LOAD and "next" is STORE.
enum class Queue : uint8_t { Load = 0, Compute = 1, Store = 2 };
inline constexpr unsigned kNumQueues = 3;
const char *queueName(Queue q); // "load", "compute", "store"
std::optional<Queue> parseQueue(llvm::StringRef name);
/// Whether `op` may appear in queue `q` (NOP and FINISH may appear anywhere).
bool queueAllows(Queue q, Opcode op);

/// Element types of tensors in SRAM and DRAM (all little-endian).
enum class DType : uint8_t { Int8 = 0, UInt8 = 1, Int16 = 2, Int32 = 3 };
unsigned dtypeBytes(DType t);
int64_t dtypeMin(DType t);
int64_t dtypeMax(DType t);
const char *dtypeName(DType t); // "int8", "uint8", "int16", "int32"
std::optional<DType> parseDType(llvm::StringRef name);

/// What a DMA moves; only used for per-layer statistics (weight vs
/// activation traffic), never for semantics.
enum class DmaKind : uint8_t { Act = 0, Weight = 1, Param = 2 };
enum class PoolMode : uint8_t { Max = 0, Avg = 1, Min = 2 };
/// ELTWISE functions; see EltwiseFields for their exact arithmetic.
enum class EltFunc : uint8_t {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Max = 3,
  Min = 4,
  Rescale = 5,
  Clamp = 6,
  Lut = 7,
  Softmax = 8,
  LogSoftmax = 9,
  LayerNorm = 10,
  CmpGt = 11,
  CmpGe = 12,
  CmpEq = 13,
  Select = 14,
};
/// How operand B of a binary ELTWISE is indexed.
enum class Bcast : uint8_t {
  None = 0,    // B has rows x channels elements, like A
  Channel = 1, // B has `channels` elements, reused for every row
  Scalar = 2,  // B has one element
};

/// Formatting of a field in assembly text and in the encoding table.
enum class FieldFmt : uint8_t { Dec, Hex, Bool, Enum };

/// Spelling tables; entry i is the name of encoding i (nullptr = unused).
inline constexpr const char *kOpcodeNames[] = {
    nullptr, "load", "store", "conv", "pool", "eltwise", "nop", "finish",
    "host"};
inline constexpr const char *kDTypeNames[] = {"int8", "uint8", "int16",
                                              "int32"};
inline constexpr const char *kDmaKindNames[] = {"act", "weight", "param"};
inline constexpr const char *kPoolModeNames[] = {"max", "avg", "min"};
inline constexpr const char *kEltFuncNames[] = {
    "add",   "sub", "mul",     "max",        "min",
    "rescale", "clamp", "lut", "softmax", "log_softmax", "layer_norm",
    "cmp_gt", "cmp_ge", "cmp_eq", "select"};
inline constexpr const char *kBcastNames[] = {"none", "channel", "scalar"};

/// Per-type facts the field tables need: signedness and enum spellings.
template <typename T, typename = void> struct FieldTypeTraits {
  static constexpr bool isSigned = std::is_signed_v<T>;
  static constexpr const char *const *names = nullptr;
  static constexpr unsigned numNames = 0;
};
#define TESSERA_ISA_ENUM_TRAITS(TYPE, TABLE)                                   \
  template <> struct FieldTypeTraits<TYPE> {                                   \
    static constexpr bool isSigned = false;                                    \
    static constexpr const char *const *names = TABLE;                         \
    static constexpr unsigned numNames = std::size(TABLE);                     \
  };
TESSERA_ISA_ENUM_TRAITS(DType, kDTypeNames)
TESSERA_ISA_ENUM_TRAITS(DmaKind, kDmaKindNames)
TESSERA_ISA_ENUM_TRAITS(PoolMode, kPoolModeNames)
TESSERA_ISA_ENUM_TRAITS(EltFunc, kEltFuncNames)
TESSERA_ISA_ENUM_TRAITS(Bcast, kBcastNames)
#undef TESSERA_ISA_ENUM_TRAITS

/// One field of an instruction: its assembly key, bit position and width.
struct FieldDesc {
  const char *key; // assembly key, also the name in docs/isa.md
  unsigned lsb;    // first bit in the 512-bit instruction
  unsigned bits;   // width; a field never straddles two 64-bit words
  bool isSigned;   // two's complement if true
  FieldFmt fmt;    // how assembly prints it
  const char *const *enumNames; // for FieldFmt::Enum
  unsigned numEnumNames;
  const char *doc; // meaning, one line
};

//===----------------------------------------------------------------------===//
// THE ENCODING TABLE.
// X(member, "key", C++ type, format, lsb, bits, default, "meaning")
//===----------------------------------------------------------------------===//

/// Bits [0, 32), shared by every opcode. Dependency tokens follow VTA:
/// before executing, an instruction pops one token from each FIFO it
/// "pop"s (waiting until one is there); after completing it pushes one token
/// into each FIFO it "push"es. The FIFOs are LOAD->COMPUTE, COMPUTE->LOAD,
/// COMPUTE->STORE and STORE->COMPUTE; "prev"/"next" name the neighbour queue.
/// Tokens are the only synchronisation between queues, so a program whose
/// conflicting memory accesses are ordered by tokens computes the same bits
/// under any timing.
#define TESSERA_ISA_COMMON_FIELDS(X)                                           \
  X(op, "op", uint8_t, Hex, 0, 8, 0, "opcode (1 load .. 8 host)")            \
  X(popPrev, "pop_prev", bool, Bool, 8, 1, false,                              \
    "wait for and pop a token from the previous queue before executing")       \
  X(popNext, "pop_next", bool, Bool, 9, 1, false,                              \
    "wait for and pop a token from the next queue before executing")           \
  X(pushPrev, "push_prev", bool, Bool, 10, 1, false,                           \
    "push a token to the previous queue after completing")                     \
  X(pushNext, "push_next", bool, Bool, 11, 1, false,                           \
    "push a token to the next queue after completing")                         \
  X(layer, "layer", uint16_t, Dec, 16, 16, kNoLayer,                           \
    "index into the layer table (0xffff: none), for per-node statistics")

/// LOAD (DRAM -> SRAM) and STORE (SRAM -> DRAM): a 3-D strided copy.
///   for i2 in [0, count2): for i1 in [0, count1):
///     d = dram + i2 * stride2 + i1 * stride1        (DRAM side strided)
///     s = sram + (i2 * count1 + i1) * inner         (SRAM side packed)
///     LOAD: SRAM[s, s + inner) = DRAM[d, d + inner)
///     STORE: DRAM[d, d + inner) = SRAM[s, s + inner)
/// An NHWC tile [th, tw, tc] of a [H, W, C] tensor of e-byte elements is
/// inner = tc*e, count1 = tw, stride1 = C*e, count2 = th, stride2 = W*C*e.
#define TESSERA_ISA_DMA_FIELDS(X)                                              \
  X(kind, "kind", DmaKind, Enum, 32, 4, DmaKind::Act,                          \
    "statistics only: act, weight or param (bias, requant, table)")            \
  X(elemBytes, "elem", uint8_t, Dec, 36, 4, 1,                                 \
    "element size in bytes (1, 2, 4); inner must be a multiple")               \
  X(dramAddr, "dram", uint64_t, Hex, 64, 40, 0, "DRAM byte address")           \
  X(sramAddr, "sram", uint32_t, Hex, 128, 32, 0, "SRAM byte address")          \
  X(innerBytes, "inner", uint32_t, Dec, 160, 32, 0,                            \
    "bytes of one contiguous run (>= 1)")                                      \
  X(count1, "count1", uint32_t, Dec, 192, 32, 1, "runs per plane (>= 1)")      \
  X(count2, "count2", uint32_t, Dec, 224, 32, 1, "planes (>= 1)")              \
  X(stride1, "stride1", uint64_t, Dec, 256, 40, 0,                             \
    "DRAM bytes between runs of a plane")                                      \
  X(stride2, "stride2", uint64_t, Dec, 320, 40, 0, "DRAM bytes between planes")

/// CONV: one tile of a grouped, dilated 2-D convolution on the MAC array,
/// NHWC activations, OHWI weights, with an NVDLA-SDP-like fused epilogue.
///   OH = (ih + pad_t + pad_b - dil_h*(kh-1) - 1) / stride_h + 1 (OW alike)
///   ICg = ic / groups, OCg = oc / groups
///   for oh, ow, o in [0,OH) x [0,OW) x [0,oc):
///     acc = acc_en ? psum[oh][ow][o] (int32) : 0
///     for y, x, c in [0,kh) x [0,kw) x [0,ICg):
///       iy = oh*stride_h - pad_t + y*dil_h; ix = ow*stride_w - pad_l + x*dil_w
///       if (iy, ix) inside [0,ih) x [0,iw):   (padding contributes 0)
///         acc += (in[iy][ix][(o/OCg)*ICg + c] - in_zp)
///                * (w[o][y][x][c] - w_zp)
///     if raw: out[oh][ow][o] = acc              (int32, out_dtype int32)
///     else:
///       if bias_en: acc += bias[o]              (int32 [oc] at `bias`)
///       (m, s) = params[per_channel ? o : 0]    (int32 pairs at `params`)
///       v = applyScale32(acc, m, s, double_round) + out_zp   (core/quant)
///       out[oh][ow][o] = saturate(clamp(v, clamp_min, clamp_max), out_dtype)
/// A tile of a larger convolution gets the real padding only on the sides
/// that touch the tensor border. Splitting ic: first tile raw, then raw with
/// acc_en (psum may equal out), last tile acc_en with the epilogue. A fully
/// connected layer / MatMul is a 1x1 CONV with ih = rows, iw = 1.
#define TESSERA_ISA_CONV_FIELDS(X)                                             \
  X(inDtype, "in_dtype", DType, Enum, 32, 4, DType::Int8,                      \
    "input element type (int8, uint8, int16)")                                 \
  X(wDtype, "w_dtype", DType, Enum, 36, 4, DType::Int8,                        \
    "weight element type (int8, uint8, int16)")                                \
  X(outDtype, "out_dtype", DType, Enum, 40, 4, DType::Int8,                    \
    "output element type; int32 if and only if raw")                           \
  X(raw, "raw", bool, Bool, 44, 1, false,                                      \
    "write int32 accumulators, no bias or epilogue")                           \
  X(accumulate, "acc_en", bool, Bool, 45, 1, false,                            \
    "start from int32 partial sums at psum instead of 0")                      \
  X(hasBias, "bias_en", bool, Bool, 46, 1, false,                              \
    "add the int32 bias before requantisation")                                \
  X(perChannel, "per_channel", bool, Bool, 47, 1, false,                       \
    "params has oc (multiplier, shift) pairs, else one pair")                  \
  X(doubleRound, "double_round", bool, Bool, 48, 1, false,                     \
    "TOSA apply_scale_32 double rounding")                                     \
  X(sramIn, "in", uint32_t, Hex, 64, 32, 0,                                    \
    "SRAM address of the input tile [ih, iw, ic]")                             \
  X(sramW, "w", uint32_t, Hex, 96, 32, 0,                                      \
    "SRAM address of the weights [oc, kh, kw, ic/groups]")                     \
  X(sramBias, "bias", uint32_t, Hex, 128, 32, 0,                               \
    "SRAM address of the int32 bias [oc]")                                     \
  X(sramParams, "params", uint32_t, Hex, 160, 32, 0,                           \
    "SRAM address of int32 (multiplier, shift) pairs")                         \
  X(sramOut, "out", uint32_t, Hex, 192, 32, 0,                                 \
    "SRAM address of the output tile [OH, OW, oc]")                            \
  X(sramPsum, "psum", uint32_t, Hex, 224, 32, 0,                               \
    "SRAM address of int32 partial sums [OH, OW, oc] (acc_en)")                \
  X(ih, "ih", uint16_t, Dec, 256, 16, 1, "input tile height")                  \
  X(iw, "iw", uint16_t, Dec, 272, 16, 1, "input tile width")                   \
  X(ic, "ic", uint16_t, Dec, 288, 16, 1, "input channels")                     \
  X(oc, "oc", uint16_t, Dec, 304, 16, 1, "output channels")                    \
  X(kh, "kh", uint8_t, Dec, 320, 8, 1, "kernel height")                        \
  X(kw, "kw", uint8_t, Dec, 328, 8, 1, "kernel width")                         \
  X(strideH, "stride_h", uint8_t, Dec, 336, 8, 1, "vertical stride")           \
  X(strideW, "stride_w", uint8_t, Dec, 344, 8, 1, "horizontal stride")         \
  X(dilH, "dil_h", uint8_t, Dec, 352, 8, 1, "vertical dilation")               \
  X(dilW, "dil_w", uint8_t, Dec, 360, 8, 1, "horizontal dilation")             \
  X(groups, "groups", uint16_t, Dec, 368, 16, 1,                               \
    "groups; divides ic and oc (depthwise: groups = ic)")                      \
  X(padT, "pad_t", uint8_t, Dec, 384, 8, 0, "zero rows above the tile")        \
  X(padB, "pad_b", uint8_t, Dec, 392, 8, 0, "zero rows below the tile")        \
  X(padL, "pad_l", uint8_t, Dec, 400, 8, 0, "zero columns left of the tile")   \
  X(padR, "pad_r", uint8_t, Dec, 408, 8, 0, "zero columns right of the tile")  \
  X(inZp, "in_zp", int16_t, Dec, 416, 16, 0, "input zero point")               \
  X(wZp, "w_zp", int16_t, Dec, 432, 16, 0, "weight zero point")                \
  X(outZp, "out_zp", int16_t, Dec, 448, 16, 0, "output zero point")            \
  X(clampMin, "clamp_min", int16_t, Dec, 464, 16, -32768,                      \
    "lower clamp (fused ReLU: out_zp)")                                        \
  X(clampMax, "clamp_max", int16_t, Dec, 480, 16, 32767,                       \
    "upper clamp (fused ReLU6: quantised 6)")

/// POOL on the vector unit, per channel, NHWC [ih, iw, c] -> [OH, OW, c]:
///   OH = (ih + pad_t + pad_b - kh) / stride_h + 1 (OW alike); pads < kernel.
///   max: v = max of in over the window's in-bounds elements
///   min: v = min of in over the window's in-bounds elements (ReduceMin)
///   max / min: out = saturate(clamp(v - in_zp + out_zp, clamp_min,
///              clamp_max))
///        out = saturate(clamp(v - in_zp + out_zp, clamp_min, clamp_max))
///   avg: sum = sum over in-bounds elements of (in - in_zp)
///        n = number of in-bounds elements
///        cip = 0, mult = 0 (TOSA avg_pool2d):
///                 acc = applyScale32(sum, reciprocal_scale(n))  (TOSA)
///        cip = 0, mult != 0 (per-count scaling, one rounding):
///                 acc = applyScale32(sum, perCountMultiplier(mult, n),
///                                    shift, double_round),
///                 perCountMultiplier(m, n) = (m + n / 2) / n; a windowed
///                 average pool into another quantization
///        cip = 1: acc = applyScale32(sum, multiplier, shift, double_round),
///                 the code generator folding 1/(kh*kw) and the in/out scale
///                 ratio into (multiplier, shift); global average pooling
///                 is kh = ih, kw = iw with no padding.
///        out = saturate(clamp(acc + out_zp, clamp_min, clamp_max))
#define TESSERA_ISA_POOL_FIELDS(X)                                             \
  X(mode, "mode", PoolMode, Enum, 32, 4, PoolMode::Max, "max, avg or min")     \
  X(inDtype, "in_dtype", DType, Enum, 36, 4, DType::Int8,                      \
    "input element type (int8, uint8, int16)")                                 \
  X(outDtype, "out_dtype", DType, Enum, 40, 4, DType::Int8,                    \
    "output element type (int8, uint8, int16)")                                \
  X(countIncludePad, "cip", bool, Bool, 44, 1, false,                          \
    "avg: divide by kh*kw via multiplier/shift (ONNX count_include_pad)")      \
  X(doubleRound, "double_round", bool, Bool, 45, 1, false,                     \
    "TOSA apply_scale_32 double rounding (cip)")                               \
  X(sramIn, "in", uint32_t, Hex, 64, 32, 0,                                    \
    "SRAM address of the input [ih, iw, c]")                                   \
  X(sramOut, "out", uint32_t, Hex, 96, 32, 0,                                  \
    "SRAM address of the output [OH, OW, c]")                                  \
  X(ih, "ih", uint16_t, Dec, 128, 16, 1, "input height")                       \
  X(iw, "iw", uint16_t, Dec, 144, 16, 1, "input width")                        \
  X(c, "c", uint16_t, Dec, 160, 16, 1, "channels")                             \
  X(kh, "kh", uint16_t, Dec, 176, 16, 1, "window height")                      \
  X(kw, "kw", uint16_t, Dec, 192, 16, 1, "window width")                       \
  X(strideH, "stride_h", uint8_t, Dec, 208, 8, 1, "vertical stride")           \
  X(strideW, "stride_w", uint8_t, Dec, 216, 8, 1, "horizontal stride")         \
  X(padT, "pad_t", uint8_t, Dec, 224, 8, 0, "padding rows above")              \
  X(padB, "pad_b", uint8_t, Dec, 232, 8, 0, "padding rows below")              \
  X(padL, "pad_l", uint8_t, Dec, 240, 8, 0, "padding columns left")            \
  X(padR, "pad_r", uint8_t, Dec, 248, 8, 0, "padding columns right")           \
  X(inZp, "in_zp", int16_t, Dec, 256, 16, 0, "input zero point")               \
  X(outZp, "out_zp", int16_t, Dec, 272, 16, 0, "output zero point")            \
  X(clampMin, "clamp_min", int16_t, Dec, 288, 16, -32768, "lower clamp")       \
  X(clampMax, "clamp_max", int16_t, Dec, 304, 16, 32767, "upper clamp")        \
  X(multiplier, "mult", int32_t, Dec, 320, 32, 0,                              \
    "avg: requantisation multiplier (cip = 0: per count n, 0: TOSA)")                                 \
  X(shift, "shift", uint8_t, Dec, 352, 8, 0,                                   \
    "avg with mult: requantisation shift (2..62)")

/// ELTWISE on the vector unit over rows x channels elements (i = r*channels+c)
/// of A (and B), TOSA-style integer arithmetic (core/quant applyScale32):
///   b = B[bcast == none ? i : bcast == channel ? c : 0]
///   add/sub/max/min:
///     a' = applyScale32((a - a_zp) << left_shift, a_mult, a_shift, dr)
///     b' = applyScale32((b - b_zp) << left_shift, b_mult, b_shift, dr)
///     v  = applyScale32(a' op b', out_mult, out_shift, dr) + out_zp
///   mul: v = applyScale32((a - a_zp) * (b - b_zp), out_mult, out_shift, dr)
///            + out_zp
///   rescale (unary; requantise, e.g. Concat inputs, raw int32 sums):
///     (m, s) = per_channel ? int32 pair c of the table at b : (out_mult,
///     out_shift); v = applyScale32(a - a_zp, m, s, dr) + out_zp
///   clamp (unary): v = a
///   cmp_gt / cmp_ge / cmp_eq (binary; A, B of 8, 16 or 32 bits, 32 only
///     with left_shift = 0; out int8): a' and b' as for add,
///     v = (a' > b' | a' >= b' | a' == b') ? 1 : 0   (a tosa.greater /
///     greater_equal / equal on the rescaled i32 operands; out is a bool
///     tensor, one byte per element, 0 or 1)
///   select (ternary; C at c: int8 rows x channels, nonzero = true):
///     a' = applyScale32(a - a_zp, a_mult, a_shift, dr)
///     b' = applyScale32(b - b_zp, b_mult, b_shift, dr)
///     v  = (C[i] != 0 ? a' : b') + out_zp        (tosa.select of two
///                                                 requantized operands)
///   lut (unary, int8/uint8 A and out): v = table at b [a - min(a_dtype)],
///     256 entries of out_dtype (sigmoid, tanh, ...)
///   softmax / log_softmax (unary, int8/uint8 A and out; each row of
///     `channels` elements is normalised; table at b: 256 int32 exp entries,
///     core/kernels quantSoftmax): m = max of the row, e = clamp(table[m - a],
///     0, 2^15), sum = sum of e (int32, >= 1);
///     softmax: v = applyScale32(sat32((e * floor(2^62 / sum) + 2^30) >> 31),
///                               out_mult, out_shift, dr) + out_zp
///     log_softmax: v = out_zp - (((m - a) * a_mult * 2^16
///                   + (log2Q16(sum) - 15 * 2^16) * b_mult + 2^31) >> 32)
///   layer_norm (unary, int8/uint8 A and out; each row of `channels`
///     elements is normalised, core/kernels quantLayerNorm): S = sum of the
///     row, d = channels * a - S, A = sum d^2 + a_mult * 2^b_mult (epsilon),
///     R = isqrt(A * 2^2t) with A * 2^2t in [2^60, 2^62),
///     v = ((d * floor(2^62 / R) * out_mult + 2^(sh-1)) >> sh) + out_zp,
///     sh = out_shift + 31 - t
///   out[i] = saturate(clamp(v, clamp_min, clamp_max), out_dtype)
/// Intermediate values are int64, saturated to int32 before each applyScale32.
#define TESSERA_ISA_ELTWISE_FIELDS(X)                                          \
  X(func, "func", EltFunc, Enum, 32, 4, EltFunc::Add,                          \
    "add, sub, mul, max, min, rescale, clamp, lut, softmax, log_softmax, "   \
    "layer_norm, cmp_gt, cmp_ge, cmp_eq, select")                             \
  X(aDtype, "a_dtype", DType, Enum, 36, 4, DType::Int8, "type of A")           \
  X(bDtype, "b_dtype", DType, Enum, 40, 4, DType::Int8,                        \
    "type of B (binary functions)")                                            \
  X(outDtype, "out_dtype", DType, Enum, 44, 4, DType::Int8,                    \
    "type of the output")                                                      \
  X(bcast, "bcast", Bcast, Enum, 48, 2, Bcast::None,                           \
    "indexing of B: none, channel, scalar")                                    \
  X(perChannel, "per_channel", bool, Bool, 50, 1, false,                       \
    "rescale: per-channel (multiplier, shift) pairs at b")                     \
  X(doubleRound, "double_round", bool, Bool, 51, 1, false,                     \
    "TOSA apply_scale_32 double rounding")                                     \
  X(sramA, "a", uint32_t, Hex, 64, 32, 0, "SRAM address of A")                 \
  X(sramB, "b", uint32_t, Hex, 96, 32, 0,                                      \
    "SRAM address of B, the lut or softmax table or the rescale pairs")                   \
  X(sramOut, "out", uint32_t, Hex, 128, 32, 0, "SRAM address of the output")   \
  X(rows, "rows", uint32_t, Dec, 160, 32, 1, "rows (pixels) (>= 1)")           \
  X(channels, "channels", uint16_t, Dec, 192, 16, 1,                           \
    "elements per row (>= 1)")                                                 \
  X(leftShift, "left_shift", uint8_t, Dec, 208, 8, 0,                          \
    "binary add/sub/max/min: input left shift (0..31)")                        \
  X(aShift, "a_shift", uint8_t, Dec, 216, 8, 0, "shift of A's rescale")        \
  X(bShift, "b_shift", uint8_t, Dec, 224, 8, 0, "shift of B's rescale")        \
  X(outShift, "out_shift", uint8_t, Dec, 232, 8, 0,                            \
    "shift of the output rescale")                                             \
  X(aMult, "a_mult", int32_t, Dec, 256, 32, 0,                                 \
    "multiplier of A's rescale; log_softmax: s_in / s_out in Q16; "    \
    "layer_norm: epsilon mantissa")             \
  X(bMult, "b_mult", int32_t, Dec, 288, 32, 0,                                 \
    "multiplier of B's rescale; log_softmax: ln 2 / s_out in Q16; "    \
    "layer_norm: epsilon exponent")             \
  X(outMult, "out_mult", int32_t, Dec, 320, 32, 0,                             \
    "multiplier of the output rescale")                                        \
  X(aZp, "a_zp", int16_t, Dec, 352, 16, 0, "zero point of A")                  \
  X(bZp, "b_zp", int16_t, Dec, 368, 16, 0, "zero point of B")                  \
  X(outZp, "out_zp", int16_t, Dec, 384, 16, 0, "output zero point")            \
  X(sramC, "c", uint32_t, Hex, 400, 32, 0,                                     \
    "select: SRAM address of the int8 condition C [rows x channels]")          \
  X(clampMin, "clamp_min", int32_t, Dec, 448, 32, INT32_MIN, "lower clamp")    \
  X(clampMax, "clamp_max", int32_t, Dec, 480, 32, INT32_MAX, "upper clamp")

/// HOST: the NPU hands host segment `segment` (an entry of the program's
/// host-segment table, docs/isa.md) to the SoC's CPU and waits for it. The
/// CPU reads the segment's inputs from DRAM, runs its float program and
/// writes its outputs to DRAM. `in`/`in_bytes` bound every input tensor and
/// `out`/`out_bytes` every output tensor of the segment (the verifier checks
/// it), so the DRAM bytes the instruction touches are known from the word
/// alone, as the token scheduler and the race checker need. STORE queue
/// only: it follows the STOREs that wrote its inputs in queue order.
#define TESSERA_ISA_HOST_FIELDS(X)                                             \
  X(segment, "segment", uint16_t, Dec, 32, 16, 0,                              \
    "index into the host-segment table")                                       \
  X(dramIn, "in", uint64_t, Hex, 64, 40, 0,                                    \
    "DRAM address of the first byte of the inputs' bounding range")            \
  X(inBytes, "in_bytes", uint64_t, Dec, 128, 40, 0,                            \
    "bytes of the inputs' bounding range (0: no inputs)")                      \
  X(dramOut, "out", uint64_t, Hex, 192, 40, 0,                                 \
    "DRAM address of the first byte of the outputs' bounding range")           \
  X(outBytes, "out_bytes", uint64_t, Dec, 256, 40, 1,                          \
    "bytes of the outputs' bounding range (>= 1)")

//===----------------------------------------------------------------------===//
// Derived: structs, descriptor tables, visitors.
//===----------------------------------------------------------------------===//

#define TESSERA_ISA_MEMBER(M, K, T, F, L, B, D, DOC) T M = D;
#define TESSERA_ISA_EQ(M, K, T, F, L, B, D, DOC) &&a.M == b.M
#define TESSERA_ISA_DESC(M, K, T, F, L, B, D, DOC)                             \
  FieldDesc{K,                                                                 \
            L,                                                                 \
            B,                                                                 \
            FieldTypeTraits<T>::isSigned,                                      \
            FieldFmt::F,                                                       \
            FieldTypeTraits<T>::names,                                         \
            FieldTypeTraits<T>::numNames,                                      \
            DOC},
#define TESSERA_ISA_VISIT(M, K, T, F, L, B, D, DOC) fn(descs[i++], s.M);

#define TESSERA_ISA_DEFINE_FIELDS(NAME, LIST)                                  \
  struct NAME {                                                                \
    LIST(TESSERA_ISA_MEMBER)                                                   \
    friend bool operator==(const NAME &a, const NAME &b) {                     \
      return true LIST(TESSERA_ISA_EQ);                                        \
    }                                                                          \
    friend bool operator!=(const NAME &a, const NAME &b) { return !(a == b); } \
  };                                                                           \
  inline constexpr FieldDesc k##NAME##Descs[] = {LIST(TESSERA_ISA_DESC)};      \
  /* Calls fn(const FieldDesc &, member &) for every field, in table order. */ \
  template <typename Self, typename Fn>                                        \
  std::enable_if_t<std::is_same_v<std::remove_const_t<Self>, NAME>>            \
  forEachField(Self &s, Fn &&fn) {                                             \
    const auto &descs = k##NAME##Descs;                                        \
    size_t i = 0;                                                              \
    (void)i;                                                                   \
    LIST(TESSERA_ISA_VISIT)                                                    \
  }

/// Opcode, dependency flags and layer id (bits [0, 32)).
TESSERA_ISA_DEFINE_FIELDS(CommonFields, TESSERA_ISA_COMMON_FIELDS)
/// Fields of LOAD and STORE.
TESSERA_ISA_DEFINE_FIELDS(DmaFields, TESSERA_ISA_DMA_FIELDS)
/// Fields of CONV.
TESSERA_ISA_DEFINE_FIELDS(ConvFields, TESSERA_ISA_CONV_FIELDS)
/// Fields of POOL.
TESSERA_ISA_DEFINE_FIELDS(PoolFields, TESSERA_ISA_POOL_FIELDS)
/// Fields of ELTWISE.
TESSERA_ISA_DEFINE_FIELDS(EltwiseFields, TESSERA_ISA_ELTWISE_FIELDS)
/// Fields of HOST.
TESSERA_ISA_DEFINE_FIELDS(HostFields, TESSERA_ISA_HOST_FIELDS)

#undef TESSERA_ISA_DEFINE_FIELDS
#undef TESSERA_ISA_MEMBER
#undef TESSERA_ISA_EQ
#undef TESSERA_ISA_DESC
#undef TESSERA_ISA_VISIT

/// NOP and FINISH have no operands.
struct NoFields {
  friend bool operator==(const NoFields &, const NoFields &) { return true; }
  friend bool operator!=(const NoFields &, const NoFields &) { return false; }
};
/// forEachField over no fields, so generic code can treat every opcode alike.
template <typename Self, typename Fn>
std::enable_if_t<std::is_same_v<std::remove_const_t<Self>, NoFields>>
forEachField(Self &, Fn &&) {}

/// Every field occupies bits inside one word, after the common header (for
/// operand fields), and no two fields overlap. Checked at compile time.
constexpr bool fieldsWellFormed(const FieldDesc *d, size_t n, bool operands) {
  uint64_t used[kInstrWords] = {};
  if (operands)
    used[0] = (uint64_t(1) << kHeaderBits) - 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned lsb = d[i].lsb, bits = d[i].bits;
    if (bits == 0 || bits > 64 || lsb + bits > kInstrBits ||
        lsb % 64 + bits > 64)
      return false;
    uint64_t mask =
        bits == 64 ? ~uint64_t(0) : ((uint64_t(1) << bits) - 1) << (lsb % 64);
    if (used[lsb / 64] & mask)
      return false;
    used[lsb / 64] |= mask;
    if (d[i].fmt == FieldFmt::Enum && (d[i].numEnumNames == 0 || bits > 16 ||
                                       d[i].numEnumNames > (1u << bits)))
      return false;
  }
  return true;
}
static_assert(fieldsWellFormed(kCommonFieldsDescs,
                               std::size(kCommonFieldsDescs), false));
static_assert(fieldsWellFormed(kDmaFieldsDescs, std::size(kDmaFieldsDescs),
                               true));
static_assert(fieldsWellFormed(kConvFieldsDescs, std::size(kConvFieldsDescs),
                               true));
static_assert(fieldsWellFormed(kPoolFieldsDescs, std::size(kPoolFieldsDescs),
                               true));
static_assert(fieldsWellFormed(kEltwiseFieldsDescs,
                               std::size(kEltwiseFieldsDescs), true));
static_assert(fieldsWellFormed(kHostFieldsDescs, std::size(kHostFieldsDescs),
                               true));

/// The operand fields of an opcode, in table order (empty for NOP/FINISH).
llvm::ArrayRef<FieldDesc> operandFields(Opcode op);
/// The common header fields.
llvm::ArrayRef<FieldDesc> commonFields();

/// Field value <-> int64 (enums by their encoding, bool as 0/1).
template <typename T> int64_t fieldToInt(const T &v) {
  if constexpr (std::is_enum_v<T>)
    return static_cast<int64_t>(static_cast<std::underlying_type_t<T>>(v));
  else
    return static_cast<int64_t>(v);
}
template <typename T> void fieldFromInt(T &m, int64_t v) {
  if constexpr (std::is_same_v<T, bool>)
    m = v != 0;
  else if constexpr (std::is_enum_v<T>)
    m = static_cast<T>(static_cast<std::underlying_type_t<T>>(v));
  else
    m = static_cast<T>(v);
}
/// Whether `v` fits field `d` (range of its bits and, for enums, a name).
bool fieldFits(const FieldDesc &d, int64_t v);

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

/// Dependency-token flags (see TESSERA_ISA_COMMON_FIELDS).
struct Deps {
  bool popPrev = false;
  bool popNext = false;
  bool pushPrev = false;
  bool pushNext = false;
  friend bool operator==(const Deps &a, const Deps &b) {
    return a.popPrev == b.popPrev && a.popNext == b.popNext &&
           a.pushPrev == b.pushPrev && a.pushNext == b.pushNext;
  }
  friend bool operator!=(const Deps &a, const Deps &b) { return !(a == b); }
};

using InstrArgs =
    std::variant<NoFields, DmaFields, ConvFields, PoolFields, EltwiseFields,
                 HostFields>;

/// One decoded instruction. `args` holds the alternative that matches `op`
/// (DmaFields for LOAD/STORE, NoFields for NOP/FINISH); construct with
/// Instr(op) to get it, then fill fields by name:
///   Instr in(Opcode::Conv, /*layer=*/3);
///   in.deps.popPrev = true;
///   in.conv().kh = 3;
struct Instr {
  Opcode op = Opcode::Nop;
  Deps deps;
  uint16_t layer = kNoLayer;
  InstrArgs args;

  Instr() = default;
  explicit Instr(Opcode op, uint16_t layer = kNoLayer, Deps deps = {});

  /// Typed access; asserts that `op` has these operands.
  DmaFields &dma();
  const DmaFields &dma() const;
  ConvFields &conv();
  const ConvFields &conv() const;
  PoolFields &pool();
  const PoolFields &pool() const;
  EltwiseFields &eltwise();
  const EltwiseFields &eltwise() const;
  HostFields &host();
  const HostFields &host() const;

  friend bool operator==(const Instr &a, const Instr &b) {
    return a.op == b.op && a.deps == b.deps && a.layer == b.layer &&
           a.args == b.args;
  }
  friend bool operator!=(const Instr &a, const Instr &b) { return !(a == b); }
};

/// The operand alternative an opcode uses (index into InstrArgs).
size_t argsIndexFor(Opcode op);
/// A default-constructed operand alternative for `op`.
InstrArgs defaultArgs(Opcode op);

/// Encodes; fails naming the opcode and field if a value does not fit its
/// bits or `args` does not match `op`. Does not check semantics (verify).
llvm::Expected<InstrWord> encode(const Instr &in);
/// Decodes; fails on an unknown opcode, an enum value with no name or any
/// reserved bit set. Does not check semantics (verify).
llvm::Expected<Instr> decode(const InstrWord &word);
/// Little-endian bytes <-> word.
void wordToBytes(const InstrWord &w, uint8_t *out);
InstrWord wordFromBytes(const uint8_t *bytes);

/// Semantic checks of one instruction in isolation: nonzero sizes, groups
/// divide channels, non-empty output, dtype rules, clamp_min <= clamp_max,
/// shifts of used rescales in [2, 62], ... Messages name opcode and field.
llvm::Error verify(const Instr &in);

//===----------------------------------------------------------------------===//
// Derived quantities for the code generator and the simulator
//===----------------------------------------------------------------------===//

/// Output height/width of a CONV or POOL tile (0 if the window does not fit).
uint32_t convOutH(const ConvFields &c);
uint32_t convOutW(const ConvFields &c);
uint32_t poolOutH(const PoolFields &p);
uint32_t poolOutW(const PoolFields &p);
/// Multiply-accumulates a CONV tile performs (OH*OW*oc*kh*kw*ic/groups).
uint64_t convMacs(const ConvFields &c);
/// Bytes a LOAD/STORE moves (inner * count1 * count2).
uint64_t dmaBytes(const DmaFields &d);

enum class Mem : uint8_t { Dram, Sram };
/// A byte range [begin, end) an instruction reads or writes. For strided
/// DMA the DRAM range is the bounding interval of all runs.
struct MemRange {
  Mem mem;
  bool write;
  uint64_t begin;
  uint64_t end;
  const char *operand; // field key, e.g. "w", "dram"
};
/// Every memory range `in` touches (empty for NOP/FINISH).
std::vector<MemRange> memRanges(const Instr &in);

/// One-line assembly of one instruction, without the queue prefix:
/// "conv layer=3 deps=pop_prev,push_next in=0x0 ...".
std::string formatInstr(const Instr &in);
/// Parses formatInstr's output. Errors name the field (no line number).
llvm::Expected<Instr> parseInstr(llvm::StringRef text);

/// The encoding table of docs/isa.md (markdown), generated from the tables
/// above so that the document cannot drift from the code.
std::string encodingTableMarkdown();

} // namespace tessera::isa

#endif // TESSERA_CORE_ISA_ISA_H
