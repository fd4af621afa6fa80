//===- Table.cpp - 8-bit lookup tables of real functions ------------------===//
#include "core/quant/Table.h"

#include <cassert>
#include <cmath>

namespace tessera::quant {

const char *tableFunctionName(TableFunction f) {
  switch (f) {
  case TableFunction::Sigmoid:
    return "sigmoid";
  case TableFunction::Tanh:
    return "tanh";
  case TableFunction::Exp:
    return "exp";
  }
  return "?";
}

std::optional<TableFunction> parseTableFunction(std::string_view name) {
  for (TableFunction f :
       {TableFunction::Sigmoid, TableFunction::Tanh, TableFunction::Exp})
    if (name == tableFunctionName(f))
      return f;
  return std::nullopt;
}

double evalTableFunction(TableFunction f, double x) {
  switch (f) {
  case TableFunction::Sigmoid:
    // exp(-x) overflows to +inf for x < -709, giving 1 / inf = 0: exact.
    return 1.0 / (1.0 + std::exp(-x));
  case TableFunction::Tanh:
    return std::tanh(x);
  case TableFunction::Exp:
    return std::exp(x);
  }
  return 0.0;
}

std::array<int64_t, 256> buildTable8(TableFunction f, const TableQuant &in,
                                     const TableQuant &out) {
  assert(in.qmax - in.qmin == 255 && "an 8-bit table has 256 inputs");
  std::array<int64_t, 256> table{};
  for (int64_t i = 0; i < 256; ++i) {
    double x = dequantize(in.qmin + i, in.params);
    table[i] = quantizeRange(evalTableFunction(f, x), out.params, out.qmin,
                             out.qmax, Rounding::HalfEven);
  }
  return table;
}

} // namespace tessera::quant
