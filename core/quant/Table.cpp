//===- Table.cpp - 8-bit lookup tables of real functions ------------------===//
#include "core/quant/Table.h"

#include <algorithm>
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

std::optional<SoftmaxParams> buildSoftmaxParams(double inScale,
                                                double outScale, bool log,
                                                std::string *error) {
  auto fail = [&](const std::string &msg) -> std::optional<SoftmaxParams> {
    if (error)
      *error = msg;
    return std::nullopt;
  };
  if (!(inScale > 0) || !std::isfinite(inScale) || !(outScale > 0) ||
      !std::isfinite(outScale))
    return fail("softmax scales must be positive and finite");
  SoftmaxParams p;
  for (int d = 0; d < 256; ++d)
    p.expTable[d] = static_cast<int32_t>(
        roundWith(std::exp(-inScale * d) * 32768.0, Rounding::HalfEven));
  if (!log) {
    std::optional<ScaleMultiplier> m =
        quantizeMultiplier(std::ldexp(1.0, -31) / outScale);
    if (!m)
      return fail("output scale too small for the softmax rescale");
    p.multiplier = m->multiplier;
    p.shift = m->shift;
    return p;
  }
  double in = roundWith(inScale / outScale * 65536.0, Rounding::HalfEven);
  double lg = roundWith(std::log(2.0) / outScale * 65536.0, Rounding::HalfEven);
  if (in >= 2147483648.0 || lg >= 2147483648.0)
    return fail("input/output scale ratio too large for log_softmax (needs "
                "s_in / s_out < 2^15 and s_out > ln2 / 2^15)");
  p.inMult = static_cast<int32_t>(in);
  p.logMult = static_cast<int32_t>(lg);
  return p;
}

std::optional<LayerNormParams> buildLayerNormParams(double inScale,
                                                    double outScale,
                                                    int64_t n, double eps,
                                                    std::string *error) {
  auto fail = [&](const std::string &msg) -> std::optional<LayerNormParams> {
    if (error)
      *error = msg;
    return std::nullopt;
  };
  if (!(inScale > 0) || !std::isfinite(inScale) || !(outScale > 0) ||
      !std::isfinite(outScale))
    return fail("layer_norm scales must be positive and finite");
  if (!(eps >= 0) || !std::isfinite(eps))
    return fail("layer_norm epsilon must be finite and >= 0");
  if (n < 1 || n > 32767)
    return fail("layer_norm rows must have 1 to 32767 elements, got " +
                std::to_string(n));
  LayerNormParams p;
  std::optional<ScaleMultiplier> m =
      quantizeMultiplier(std::sqrt(double(n)) / outScale * std::ldexp(1.0, -31));
  if (!m)
    return fail("output scale too small for the layer_norm rescale");
  p.multiplier = m->multiplier;
  p.shift = m->shift;
  double e = eps * double(n) * double(n) * double(n) / (inScale * inScale);
  e = std::min(e, std::ldexp(1.0, 61));
  int shift = 0;
  while (e >= 2147483647.5) { // keep 31 bits of mantissa
    e /= 2;
    ++shift;
  }
  p.epsMant = static_cast<int32_t>(roundWith(e, Rounding::HalfEven));
  p.epsShift = shift;
  return p;
}

} // namespace tessera::quant
