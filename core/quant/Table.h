//===- Table.h - 8-bit lookup tables of real functions ----------*- C++ -*-===//
//
// A quantized elementwise function of an 8-bit input has at most 256
// distinct inputs, so it is exactly a 256-entry table computed at compile
// time (TOSA TABLE for int8, the vector unit's table lookup):
//   entry[i] = quantize_out(f(dequantize_in(inMin + i)))
// with core/quant's quantizeRange (round half to even, saturate to the
// output range). The compiler's fold (compiler/quant/FoldTable.cpp) and,
// later, the simulator build their tables here and nowhere else.
//
// Plain C++17, no MLIR/LLVM dependency.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_QUANT_TABLE_H
#define TESSERA_CORE_QUANT_TABLE_H

#include "core/quant/Quant.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::quant {

/// Real functions with a table lowering.
///   Sigmoid: 1 / (1 + exp(-x));  Tanh: tanh(x);  Exp: exp(x).
enum class TableFunction { Sigmoid, Tanh, Exp };
/// "sigmoid", "tanh", "exp".
const char *tableFunctionName(TableFunction f);
std::optional<TableFunction> parseTableFunction(std::string_view name);
/// f(x) in double precision (<cmath>); exp overflows to +inf, which
/// quantizeRange saturates to the top of the output range.
double evalTableFunction(TableFunction f, double x);

/// Quantization of one side of an 8-bit table: QParams plus the storage
/// range. For int8 storage qmin = -128 (entry i holds input value i - 128,
/// TOSA TABLE's `table[value + 128]`); for uint8 storage qmin = 0. A
/// restricted range (e.g. [-127, 127]) only narrows the output saturation;
/// the input side always spans the 256 values of its storage type.
struct TableQuant {
  QParams params;
  int64_t qmin;
  int64_t qmax;
};

/// entry[i] = quantizeRange(f(dequantize(in.qmin + i, in.params)),
///                          out.params, out.qmin, out.qmax, HalfEven)
/// for i in [0, 256). Precondition: in.qmax - in.qmin == 255 and
/// checkQParams holds for both sides.
std::array<int64_t, 256> buildTable8(TableFunction f, const TableQuant &in,
                                     const TableQuant &out);

/// Parameters of the integer Softmax / LogSoftmax of the vector unit
/// (core/kernels/VectorUnit.h quantSoftmax), from the input scale s_in and
/// the output scale s_out:
///   expTable[d] = roundHalfEven(exp(-s_in d) * 2^15), d = 0 .. 255
///   softmax:     (multiplier, shift) = quantizeMultiplier(2^-31 / s_out)
///   log_softmax: inMult  = roundHalfEven(s_in / s_out * 2^16)
///                logMult = roundHalfEven(ln 2 / s_out * 2^16)
struct SoftmaxParams {
  std::array<int32_t, 256> expTable;
  int32_t multiplier = 0, shift = 2;
  int32_t inMult = 0, logMult = 0;
};
/// nullopt with `error` set when a scale is not positive and finite or a
/// multiplier does not fit its int32 field.
std::optional<SoftmaxParams> buildSoftmaxParams(double inScale,
                                                double outScale, bool log,
                                                std::string *error);

/// Parameters of the integer layer normalisation of the vector unit
/// (core/kernels/VectorUnit.h quantLayerNorm) of rows of n elements, input
/// scale s_in, output scale s_out, epsilon eps:
///   (multiplier, shift) = quantizeMultiplier(sqrt(n) / s_out * 2^-31)
///   epsMant * 2^epsShift = roundHalfEven(eps n^3 / s_in^2) with epsMant
///   < 2^31 (the low bits of a larger value dropped), capped at 2^61.
struct LayerNormParams {
  int32_t multiplier = 0, shift = 2;
  int32_t epsMant = 0, epsShift = 0;
};
/// nullopt with `error` set when a scale is not positive and finite, eps is
/// negative, n is not in [1, 32767] or the multiplier does not fit.
std::optional<LayerNormParams> buildLayerNormParams(double inScale,
                                                    double outScale,
                                                    int64_t n, double eps,
                                                    std::string *error);

} // namespace tessera::quant

#endif // TESSERA_CORE_QUANT_TABLE_H
