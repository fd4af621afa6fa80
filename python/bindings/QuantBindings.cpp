//===- QuantBindings.cpp - tessera.quant: core/quant for Python -----------===//
//
// Thin wrappers over core/quant/Quant.h: argument validation (every invalid
// argument is a ValueError or TypeError naming it, see Convert.h) and numpy
// conversion. No arithmetic lives here; see docs/quantization.md for the
// conventions.
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "core/quant/Quant.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace py = pybind11;
using namespace tessera::quant;
using tessera::python::flagArg;
using tessera::python::intArg;
using tessera::python::intArg32;
using tessera::python::realArg;
using tessera::python::shortRepr;
using tessera::python::strArg;
using tessera::python::typeName;

namespace {

using DoubleArray = py::array_t<double, py::array::c_style |
                                            py::array::forcecast>;
using Int64Array = py::array_t<int64_t, py::array::c_style |
                                            py::array::forcecast>;

const char *kDTypeList = "uint8, int8, uint16, int16, uint4, int4, int32";
const char *kRoundingList = "half_even, half_away, half_up, floor, trunc";

[[noreturn]] void fail(const std::string &fn, const std::string &msg) {
  tessera::python::raiseValue(fn + ": " + msg);
}

DType dtypeArg(const char *fn, py::handle h) {
  std::string name = strArg(fn, "dtype", h);
  if (auto t = parseDType(name))
    return *t;
  fail(fn, "unknown dtype " + shortRepr(h) + " (expected one of " +
               kDTypeList + ")");
}

Rounding roundingArg(const char *fn, py::handle h) {
  std::string name = strArg(fn, "rounding", h);
  if (auto r = parseRounding(name))
    return *r;
  fail(fn, "unknown rounding " + shortRepr(h) + " (expected one of " +
               kRoundingList + ")");
}

/// `h` (an ndarray, a list, a scalar) as an ndarray. TypeError when numpy
/// cannot make one, or when it holds something other than bool, integer or
/// float values (object, complex, strings): numpy's forcecast would turn
/// None into NaN and drop imaginary parts without a word.
py::array numericArrayArg(const char *fn, const char *what, py::handle h) {
  py::array a = py::array::ensure(h); // clears numpy's error on failure
  if (!a)
    tessera::python::raiseType(std::string(fn) + ": " + what +
                               " must be array-like, got " + typeName(h) +
                               " (" + shortRepr(h) + ")");
  const char kind = a.dtype().kind();
  if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f')
    tessera::python::raiseType(
        std::string(fn) + ": " + what +
        " must hold bool, integer or float values, got " +
        (py::isinstance<py::array>(h)
             ? "an array of dtype " + py::str(a.dtype()).cast<std::string>()
             : typeName(h) + " (" + shortRepr(h) + ")"));
  return a;
}

/// numericArrayArg as C-order float64 (a copy unless it already is one;
/// numpy's MemoryError passes through).
DoubleArray doubleArrayArg(const char *fn, const char *what, py::handle h) {
  return DoubleArray(numericArrayArg(fn, what, h));
}

void checkFinite(const char *fn, const char *what, double v) {
  if (!std::isfinite(v))
    fail(fn, std::string(what) + " must be finite, got " +
                 py::str(py::float_(v)).cast<std::string>());
}

void checkAllFinite(const char *fn, const DoubleArray &a) {
  const double *data = a.data();
  for (py::ssize_t i = 0, n = a.size(); i < n; ++i)
    if (!std::isfinite(data[i]))
      fail(fn, "x contains a non-finite value (" +
                   py::str(py::float_(data[i])).cast<std::string>() +
                   ") at flat index " + std::to_string(i));
}

std::vector<py::ssize_t> shapeOf(const py::array &a) {
  return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
}

/// The numpy storage type of each dtype (4-bit types are held in a byte).
template <typename T>
py::array quantizeInto(const DoubleArray &x, QParams p, int64_t qmin,
                       int64_t qmax, Rounding r) {
  py::array_t<T> out(shapeOf(x));
  T *dst = out.mutable_data();
  const double *src = x.data();
  for (py::ssize_t i = 0, n = x.size(); i < n; ++i)
    dst[i] = static_cast<T>(quantizeRange(src[i], p, qmin, qmax, r));
  return out;
}

std::tuple<double, int64_t> chooseQParamsPy(py::handle xArg,
                                            py::handle dtype,
                                            py::handle symmetricArg) {
  const char *fn = "choose_qparams";
  DType t = dtypeArg(fn, dtype);
  bool symmetric = flagArg(fn, "symmetric", symmetricArg);
  DoubleArray x = doubleArrayArg(fn, "x", xArg);
  if (x.size() == 0)
    fail(fn, "x is empty");
  checkAllFinite(fn, x);
  const double *data = x.data();
  double min = data[0], max = data[0];
  for (py::ssize_t i = 1, n = x.size(); i < n; ++i) {
    min = std::min(min, data[i]);
    max = std::max(max, data[i]);
  }
  QParams p = chooseQParams(min, max, t, symmetric);
  return {p.scale, p.zeroPoint};
}

py::array quantizePy(py::handle xArg, py::handle scale,
                     py::handle zeroPoint, py::handle dtype,
                     py::handle rounding, py::handle narrowRangeArg) {
  const char *fn = "quantize";
  DType t = dtypeArg(fn, dtype);
  Rounding r = roundingArg(fn, rounding);
  bool narrowRange = flagArg(fn, "narrow_range", narrowRangeArg);
  QParams p{realArg(fn, "scale", scale), intArg(fn, "zero_point", zeroPoint)};
  if (auto err = checkQParams(p, t))
    fail(fn, *err);
  DoubleArray x = doubleArrayArg(fn, "x", xArg);
  checkAllFinite(fn, x);
  int64_t qmin = quantMin(t, narrowRange), qmax = quantMax(t, narrowRange);
  switch (t) {
  case DType::UInt8:
  case DType::UInt4:
    return quantizeInto<uint8_t>(x, p, qmin, qmax, r);
  case DType::Int8:
  case DType::Int4:
    return quantizeInto<int8_t>(x, p, qmin, qmax, r);
  case DType::UInt16:
    return quantizeInto<uint16_t>(x, p, qmin, qmax, r);
  case DType::Int16:
    return quantizeInto<int16_t>(x, p, qmin, qmax, r);
  case DType::Int32:
    return quantizeInto<int32_t>(x, p, qmin, qmax, r);
  }
  fail(fn, "unhandled dtype");
}

py::array dequantizePy(py::handle qArg, py::handle scaleArg,
                       py::handle zeroPoint) {
  const char *fn = "dequantize";
  py::array q = numericArrayArg(fn, "q", qArg); // lists and scalars too
  char kind = q.dtype().kind();
  if (kind != 'i' && kind != 'u' && kind != 'b')
    fail(fn, std::string("q must be an integer array, got dtype ") +
                 py::str(q.dtype()).cast<std::string>());
  // uint64 values above int64's range would wrap in the int64 conversion.
  if (kind == 'u' && tessera::python::itemSize(q) == 8 && q.size() > 0) {
    py::int_ max = q.attr("max")();
    if (max.cast<uint64_t>() > uint64_t(INT64_MAX))
      fail(fn, "q holds " + py::str(max).cast<std::string>() +
                   ", which does not fit int64");
  }
  double scale = realArg(fn, "scale", scaleArg);
  checkFinite(fn, "scale", scale);
  if (!(scale > 0))
    fail(fn, "scale must be > 0, got " + std::to_string(scale));
  QParams p{scale, intArg(fn, "zero_point", zeroPoint)};
  Int64Array qi(q);
  py::array_t<double> out(shapeOf(qi));
  double *dst = out.mutable_data();
  const int64_t *src = qi.data();
  for (py::ssize_t i = 0, n = qi.size(); i < n; ++i)
    dst[i] = dequantize(src[i], p);
  return out;
}

py::array roundWithPy(py::handle xArg, py::handle rounding) {
  const char *fn = "round_with";
  Rounding r = roundingArg(fn, rounding);
  DoubleArray x = doubleArrayArg(fn, "x", xArg);
  checkAllFinite(fn, x);
  py::array_t<double> out(shapeOf(x));
  double *dst = out.mutable_data();
  const double *src = x.data();
  for (py::ssize_t i = 0, n = x.size(); i < n; ++i)
    dst[i] = roundWith(src[i], r);
  return out;
}

void fixedFormatArg(const char *fn, int intBits, int fracBits) {
  if (auto err = checkFixedFormat(intBits, fracBits))
    fail(fn, *err);
}

int64_t toFixedPy(py::handle xArg, py::handle intBitsArg,
                  py::handle fracBitsArg, py::handle rounding) {
  const char *fn = "to_fixed";
  int intBits = intArg32(fn, "int_bits", intBitsArg);
  int fracBits = intArg32(fn, "frac_bits", fracBitsArg);
  fixedFormatArg(fn, intBits, fracBits);
  Rounding r = roundingArg(fn, rounding);
  double x = realArg(fn, "x", xArg);
  checkFinite(fn, "x", x);
  return toFixed(x, intBits, fracBits, r);
}

double fromFixedPy(py::handle aArg, py::handle intBitsArg,
                   py::handle fracBitsArg) {
  const char *fn = "from_fixed";
  int intBits = intArg32(fn, "int_bits", intBitsArg);
  int fracBits = intArg32(fn, "frac_bits", fracBitsArg);
  fixedFormatArg(fn, intBits, fracBits);
  int64_t a = intArg(fn, "a", aArg);
  int64_t hi = (int64_t(1) << (intBits + fracBits)) - 1;
  if (a < -hi - 1 || a > hi)
    fail(fn, "a = " + std::to_string(a) + " does not fit S" +
                 std::to_string(intBits) + "." + std::to_string(fracBits) +
                 " [" + std::to_string(-hi - 1) + ", " + std::to_string(hi) +
                 "]");
  return fromFixed(a, intBits, fracBits);
}

std::tuple<int32_t, int32_t> quantizeMultiplierPy(py::handle mArg,
                                                  py::handle scale32Arg) {
  const char *fn = "quantize_multiplier";
  double m = realArg(fn, "m", mArg);
  bool scale32 = flagArg(fn, "scale32", scale32Arg);
  checkFinite(fn, "m", m);
  if (m < 0)
    fail(fn, "m must be >= 0, got " + std::to_string(m));
  auto sm = scale32 ? quantizeMultiplier(m) : quantizeMultiplier16(m);
  if (!sm)
    fail(fn, "m = " + py::str(py::float_(m)).cast<std::string>() +
                 " is too large: it needs shift < 2 (limit m < 2^" +
                 (scale32 ? "29" : "13") + " for " +
                 (scale32 ? "32" : "16") + "-bit scaling)");
  return {sm->multiplier, sm->shift};
}

int32_t applyScalePy(py::handle valueArg, py::handle mulArg,
                     py::handle shiftArg, py::handle doubleRoundArg,
                     py::handle strictArg) {
  const char *fn = "apply_scale";
  bool doubleRound = flagArg(fn, "double_round", doubleRoundArg);
  bool strict = flagArg(fn, "strict", strictArg);
  int64_t value = intArg(fn, "value", valueArg);
  int64_t multiplier = intArg(fn, "multiplier", mulArg);
  int64_t shift = intArg(fn, "shift", shiftArg);
  if (auto err = checkScale32(multiplier, shift))
    fail(fn, *err);
  if (value < INT32_MIN || value > INT32_MAX)
    fail(fn, "value " + std::to_string(value) + " does not fit int32");
  if (strict)
    if (auto err = checkApplyScale32(value, multiplier, shift))
      fail(fn, *err + " (pass strict=False for Tessera's saturating "
                      "extension)");
  return applyScale32(static_cast<int32_t>(value),
                      static_cast<int32_t>(multiplier),
                      static_cast<int32_t>(shift), doubleRound);
}

int32_t applyScale16Py(py::handle valueArg, py::handle mulArg,
                       py::handle shiftArg, py::handle strictArg) {
  const char *fn = "apply_scale_16";
  bool strict = flagArg(fn, "strict", strictArg);
  int64_t value = intArg(fn, "value", valueArg);
  int64_t multiplier = intArg(fn, "multiplier", mulArg);
  int64_t shift = intArg(fn, "shift", shiftArg);
  if (auto err = checkScale16(multiplier, shift))
    fail(fn, *err);
  if (value < -(int64_t(1) << 47) || value >= (int64_t(1) << 47))
    fail(fn, "value " + std::to_string(value) + " does not fit int48");
  if (strict)
    if (auto err = checkApplyScale16(value, multiplier, shift))
      fail(fn, *err + " (pass strict=False for Tessera's saturating "
                      "extension)");
  return applyScale16(value, static_cast<int16_t>(multiplier),
                      static_cast<int32_t>(shift));
}

std::tuple<int64_t, int64_t> quantRangePy(py::handle dtype,
                                          py::handle symmetricArg) {
  const char *fn = "quant_range";
  DType t = dtypeArg(fn, dtype);
  bool symmetric = flagArg(fn, "symmetric", symmetricArg);
  return {quantMin(t, symmetric), quantMax(t, symmetric)};
}

} // namespace

namespace tessera::python {

void bindQuant(py::module_ &m) {
  m.doc() = "Quantization arithmetic (core/quant): scale/zero point, "
            "quantize/dequantize, S n.m fixed point, TOSA multiplier/shift. "
            "See docs/quantization.md.";
  m.attr("DTYPES") =
      py::make_tuple("uint8", "int8", "uint16", "int16", "uint4", "int4",
                     "int32");
  m.attr("ROUNDINGS") = py::make_tuple("half_even", "half_away", "half_up",
                                       "floor", "trunc");

  // Arguments are converted by the functions above (a TypeError naming the
  // argument), so pybind11's signatures would only say "handle"; each
  // docstring starts with the Python signature instead. python/tessera/quant.py
  // wraps these with the same signatures, so a missing or unknown argument is
  // Python's own short TypeError.
  py::options options;
  options.disable_function_signatures();

  m.def("choose_qparams", &chooseQParamsPy, py::arg("x"),
        py::arg("dtype") = "int8", py::arg("symmetric") = false,
        "choose_qparams(x, dtype='int8', symmetric=False) -> (scale, "
        "zero_point)\n\n"
        "Scale and zero point covering [min(x), max(x)] extended to contain "
        "0.\n\nAsymmetric: scale = (max - min) / (qmax - qmin), zero_point = "
        "qmin - round_half_even(min / scale).\nSymmetric: restricted range "
        "+-(2^(b-1) - 1), scale = max|x| / (2^(b-1) - 1), zero_point 0 "
        "(unsigned: 2^(b-1)).\nReturns (scale: float, zero_point: int).");
  m.def("quantize", &quantizePy, py::arg("x"), py::arg("scale"),
        py::arg("zero_point"), py::arg("dtype") = "int8",
        py::arg("rounding") = "half_even", py::arg("narrow_range") = false,
        "quantize(x, scale, zero_point, dtype='int8', rounding='half_even', "
        "narrow_range=False) -> ndarray\n\n"
        "q = clamp(round(x / scale) + zero_point, qmin, qmax).\n\nReturns an "
        "integer ndarray of x's shape: uint8/int8/uint16/int16/int32 "
        "(uint4 as uint8, int4 as int8). narrow_range=True clamps signed "
        "types to the symmetric range (e.g. [-127, 127]).");
  m.def("dequantize", &dequantizePy, py::arg("q"), py::arg("scale"),
        py::arg("zero_point"),
        "dequantize(q, scale, zero_point) -> ndarray\n\n"
        "real = scale * (q - zero_point), as a float64 ndarray.");
  m.def("round_with", &roundWithPy, py::arg("x"),
        py::arg("rounding") = "half_even",
        "round_with(x, rounding='half_even') -> ndarray\n\n"
        "Rounds each element with the given mode; float64 ndarray.");
  m.def("to_fixed", &toFixedPy, py::arg("x"), py::arg("int_bits"),
        py::arg("frac_bits"), py::arg("rounding") = "half_even",
        "to_fixed(x, int_bits, frac_bits, rounding='half_even') -> int\n\n"
        "Signed fixed point S n.m (n + m + 1 bits): saturate(round(x * "
        "2^m)) into [-2^(n+m), 2^(n+m) - 1]. Returns an int.");
  m.def("from_fixed", &fromFixedPy, py::arg("a"), py::arg("int_bits"),
        py::arg("frac_bits"), "from_fixed(a, int_bits, frac_bits) -> float\n\n"
        "a * 2^-m for an S n.m integer a.");
  m.def("quantize_multiplier", &quantizeMultiplierPy, py::arg("m"),
        py::arg("scale32") = true,
        "quantize_multiplier(m, scale32=True) -> (multiplier, shift)\n\n"
        "m ~= multiplier * 2^-shift with multiplier in [2^30, 2^31) (or "
        "[2^14, 2^15) for scale32=False) and shift in [2, 62]; 0 and "
        "multipliers needing shift > 62 give (0, 2). Returns (multiplier, "
        "shift).");
  m.def("apply_scale", &applyScalePy, py::arg("value"), py::arg("multiplier"),
        py::arg("shift"), py::arg("double_round") = false,
        py::arg("strict") = true,
        "apply_scale(value, multiplier, shift, double_round=False, "
        "strict=True) -> int\n\n"
        "TOSA apply_scale_32: (value * multiplier + round) >> shift with "
        "round = 2^(shift-1), plus sign(value) * 2^30 if double_round and "
        "shift > 31.\n\nRaises ValueError unless multiplier in [0, 2^31), "
        "shift in [2, 62] and value in int32; with strict=True (default) also "
        "unless -2^(shift-1) <= value < 2^(shift-1) (the TOSA REQUIRE); with "
        "strict=False such values give the exact result saturated to int32.");
  m.def("apply_scale_16", &applyScale16Py, py::arg("value"),
        py::arg("multiplier"), py::arg("shift"), py::arg("strict") = true,
        "apply_scale_16(value, multiplier, shift, strict=True) -> int\n\n"
        "TOSA apply_scale_16 (int48 value, 16-bit multiplier). strict=True "
        "raises ValueError when the result does not fit int32 (TOSA "
        "REQUIRE); strict=False saturates.");
  m.def("quant_range", &quantRangePy, py::arg("dtype"),
        py::arg("symmetric") = false,
        "quant_range(dtype, symmetric=False) -> (qmin, qmax)\n\n"
        "(qmin, qmax) used for dtype; symmetric signed types drop qmin.");
}

} // namespace tessera::python
