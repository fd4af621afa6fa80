//===- QuantBindings.cpp - tessera.quant: core/quant for Python -----------===//
//
// Thin wrappers over core/quant/Quant.h: argument validation (every invalid
// argument is a ValueError naming it) and numpy conversion. No arithmetic
// lives here; see docs/quantization.md for the conventions.
//
//===----------------------------------------------------------------------===//
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

namespace {

using DoubleArray = py::array_t<double, py::array::c_style |
                                            py::array::forcecast>;
using Int64Array = py::array_t<int64_t, py::array::c_style |
                                            py::array::forcecast>;

const char *kDTypeList = "uint8, int8, uint16, int16, uint4, int4, int32";
const char *kRoundingList = "half_even, half_away, half_up, floor, trunc";

[[noreturn]] void fail(const std::string &fn, const std::string &msg) {
  throw py::value_error(fn + ": " + msg);
}

DType dtypeArg(const char *fn, const std::string &name) {
  if (auto t = parseDType(name))
    return *t;
  fail(fn, "unknown dtype '" + name + "' (expected one of " + kDTypeList +
               ")");
}

Rounding roundingArg(const char *fn, const std::string &name) {
  if (auto r = parseRounding(name))
    return *r;
  fail(fn, "unknown rounding '" + name + "' (expected one of " +
               kRoundingList + ")");
}

/// A Python int (or numpy integer) as int64; ValueError if it does not fit,
/// TypeError if it is not an integer at all (e.g. a float).
int64_t intArg(const char *fn, const char *what, const py::handle &h) {
  PyObject *index = PyNumber_Index(h.ptr());
  if (!index)
    throw py::error_already_set();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
  Py_DECREF(index);
  if (overflow)
    fail(fn, std::string(what) + " " + py::str(h).cast<std::string>() +
                 " does not fit int64");
  if (v == -1 && PyErr_Occurred())
    throw py::error_already_set();
  return v;
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

std::tuple<double, int64_t> chooseQParamsPy(const DoubleArray &x,
                                            const std::string &dtype,
                                            bool symmetric) {
  const char *fn = "choose_qparams";
  DType t = dtypeArg(fn, dtype);
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

py::array quantizePy(const DoubleArray &x, double scale,
                     const py::handle &zeroPoint, const std::string &dtype,
                     const std::string &rounding, bool narrowRange) {
  const char *fn = "quantize";
  DType t = dtypeArg(fn, dtype);
  Rounding r = roundingArg(fn, rounding);
  QParams p{scale, intArg(fn, "zero_point", zeroPoint)};
  if (auto err = checkQParams(p, t))
    fail(fn, *err);
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

py::array dequantizePy(const py::object &qArg, double scale,
                       const py::handle &zeroPoint) {
  const char *fn = "dequantize";
  py::array q = py::array::ensure(qArg); // lists and scalars too
  if (!q)
    throw py::error_already_set();
  char kind = q.dtype().kind();
  if (kind != 'i' && kind != 'u' && kind != 'b')
    fail(fn, std::string("q must be an integer array, got dtype ") +
                 py::str(q.dtype()).cast<std::string>());
  checkFinite(fn, "scale", scale);
  if (!(scale > 0))
    fail(fn, "scale must be > 0, got " + std::to_string(scale));
  QParams p{scale, intArg(fn, "zero_point", zeroPoint)};
  Int64Array qi = Int64Array::ensure(q);
  if (!qi)
    throw py::error_already_set();
  py::array_t<double> out(shapeOf(qi));
  double *dst = out.mutable_data();
  const int64_t *src = qi.data();
  for (py::ssize_t i = 0, n = qi.size(); i < n; ++i)
    dst[i] = dequantize(src[i], p);
  return out;
}

py::array roundWithPy(const DoubleArray &x, const std::string &rounding) {
  const char *fn = "round_with";
  Rounding r = roundingArg(fn, rounding);
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

int64_t toFixedPy(double x, int intBits, int fracBits,
                  const std::string &rounding) {
  const char *fn = "to_fixed";
  fixedFormatArg(fn, intBits, fracBits);
  Rounding r = roundingArg(fn, rounding);
  checkFinite(fn, "x", x);
  return toFixed(x, intBits, fracBits, r);
}

double fromFixedPy(const py::handle &aArg, int intBits, int fracBits) {
  const char *fn = "from_fixed";
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

std::tuple<int32_t, int32_t> quantizeMultiplierPy(double m, bool scale32) {
  const char *fn = "quantize_multiplier";
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

int32_t applyScalePy(const py::handle &valueArg, const py::handle &mulArg,
                     const py::handle &shiftArg, bool doubleRound,
                     bool strict) {
  const char *fn = "apply_scale";
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

int32_t applyScale16Py(const py::handle &valueArg, const py::handle &mulArg,
                       const py::handle &shiftArg, bool strict) {
  const char *fn = "apply_scale_16";
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

std::tuple<int64_t, int64_t> quantRangePy(const std::string &dtype,
                                          bool symmetric) {
  DType t = dtypeArg("quant_range", dtype);
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

  m.def("choose_qparams", &chooseQParamsPy, py::arg("x"),
        py::arg("dtype") = "int8", py::arg("symmetric") = false,
        "Scale and zero point covering [min(x), max(x)] extended to contain "
        "0.\n\nAsymmetric: scale = (max - min) / (qmax - qmin), zero_point = "
        "qmin - round_half_even(min / scale).\nSymmetric: restricted range "
        "+-(2^(b-1) - 1), scale = max|x| / (2^(b-1) - 1), zero_point 0 "
        "(unsigned: 2^(b-1)).\nReturns (scale: float, zero_point: int).");
  m.def("quantize", &quantizePy, py::arg("x"), py::arg("scale"),
        py::arg("zero_point"), py::arg("dtype") = "int8",
        py::arg("rounding") = "half_even", py::arg("narrow_range") = false,
        "q = clamp(round(x / scale) + zero_point, qmin, qmax).\n\nReturns an "
        "integer ndarray of x's shape: uint8/int8/uint16/int16/int32 "
        "(uint4 as uint8, int4 as int8). narrow_range=True clamps signed "
        "types to the symmetric range (e.g. [-127, 127]).");
  m.def("dequantize", &dequantizePy, py::arg("q"), py::arg("scale"),
        py::arg("zero_point"),
        "real = scale * (q - zero_point), as a float64 ndarray.");
  m.def("round_with", &roundWithPy, py::arg("x"),
        py::arg("rounding") = "half_even",
        "Rounds each element with the given mode; float64 ndarray.");
  m.def("to_fixed", &toFixedPy, py::arg("x"), py::arg("int_bits"),
        py::arg("frac_bits"), py::arg("rounding") = "half_even",
        "Signed fixed point S n.m (n + m + 1 bits): saturate(round(x * "
        "2^m)) into [-2^(n+m), 2^(n+m) - 1]. Returns an int.");
  m.def("from_fixed", &fromFixedPy, py::arg("a"), py::arg("int_bits"),
        py::arg("frac_bits"), "a * 2^-m for an S n.m integer a.");
  m.def("quantize_multiplier", &quantizeMultiplierPy, py::arg("m"),
        py::arg("scale32") = true,
        "m ~= multiplier * 2^-shift with multiplier in [2^30, 2^31) (or "
        "[2^14, 2^15) for scale32=False) and shift in [2, 62]; 0 and "
        "multipliers needing shift > 62 give (0, 2). Returns (multiplier, "
        "shift).");
  m.def("apply_scale", &applyScalePy, py::arg("value"), py::arg("multiplier"),
        py::arg("shift"), py::arg("double_round") = false,
        py::arg("strict") = true,
        "TOSA apply_scale_32: (value * multiplier + round) >> shift with "
        "round = 2^(shift-1), plus sign(value) * 2^30 if double_round and "
        "shift > 31.\n\nRaises ValueError unless multiplier in [0, 2^31), "
        "shift in [2, 62] and value in int32; with strict=True (default) also "
        "unless -2^(shift-1) <= value < 2^(shift-1) (the TOSA REQUIRE); with "
        "strict=False such values give the exact result saturated to int32.");
  m.def("apply_scale_16", &applyScale16Py, py::arg("value"),
        py::arg("multiplier"), py::arg("shift"), py::arg("strict") = true,
        "TOSA apply_scale_16 (int48 value, 16-bit multiplier). strict=True "
        "raises ValueError when the result does not fit int32 (TOSA "
        "REQUIRE); strict=False saturates.");
  m.def("quant_range", &quantRangePy, py::arg("dtype"),
        py::arg("symmetric") = false,
        "(qmin, qmax) used for dtype; symmetric signed types drop qmin.");
}

} // namespace tessera::python
