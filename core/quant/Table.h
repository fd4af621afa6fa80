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

} // namespace tessera::quant

#endif // TESSERA_CORE_QUANT_TABLE_H
