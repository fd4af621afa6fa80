//===- Convert.h - Python errors and argument conversion ------*- C++ -*-===//
//
// Every `tessera` entry point raises ValueError, TypeError or MemoryError with
// one short line naming the function and the argument. Two things stand in
// the way and are handled here: pybind11's overload failure (a TypeError that
// prints the repr of every argument: 62 KB for a simulate() call holding its
// program) and C++ messages that hold NUL bytes (PyErr_SetString stops at the
// first one: compile(<model bytes>) raised a ValueError with an empty
// message), newlines or invalid UTF-8. So bindings take loosely typed
// arguments (py::handle) and convert them with the functions below, and every
// error goes through raise(). Rules: docs/reference.md, "Python API".
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_PYTHON_BINDINGS_CONVERT_H
#define TESSERA_PYTHON_BINDINGS_CONVERT_H

#include "core/tensor/Limits.h"

#include "llvm/Support/Error.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

namespace tessera::python {

/// At most this many bytes of a message reach Python; a message that long is
/// already a list (e.g. unsupported ops), not a sentence.
constexpr size_t kMaxMessageBytes = 1000;

/// `msg` as one printable line: line breaks become "; ", other control bytes
/// (NUL included) "\xNN", invalid UTF-8 "\xNN" (backslashreplace), and
/// anything past kMaxMessageBytes "... (N more bytes)".
inline pybind11::str oneLine(const std::string &msg) {
  std::string out;
  size_t i = 0;
  for (; i < msg.size() && out.size() < kMaxMessageBytes; ++i) {
    unsigned char c = static_cast<unsigned char>(msg[i]);
    if (c == '\n' || c == '\r') {
      // Collapse a run of line breaks (and the spaces that indent the next
      // line) into one separator.
      while (i + 1 < msg.size() &&
             (msg[i + 1] == '\n' || msg[i + 1] == '\r' || msg[i + 1] == ' '))
        ++i;
      if (!out.empty() && i + 1 < msg.size())
        out += "; ";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (i < msg.size())
    out += "... (" + std::to_string(msg.size() - i) + " more bytes)";
  PyObject *s = PyUnicode_DecodeUTF8(out.data(),
                                     static_cast<Py_ssize_t>(out.size()),
                                     "backslashreplace");
  if (!s)
    throw pybind11::error_already_set();
  return pybind11::reinterpret_steal<pybind11::str>(s);
}

/// A Python exception on its way out: a plain C++ exception, so it may be
/// thrown where the GIL is released (a library error inside
/// gil_scoped_release); the translator registerErrorTranslator() installs
/// turns it into `type` with oneLine(message), holding the GIL.
struct PythonError {
  PyObject *type;
  std::string message;
};

inline void registerErrorTranslator() {
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const PythonError &e) {
      pybind11::str text = oneLine(e.message);
      PyErr_SetObject(e.type, text.ptr());
    }
  });
}

/// Raises `type` (PyExc_ValueError, ...) with oneLine(msg).
[[noreturn]] inline void raise(PyObject *type, const std::string &msg) {
  throw PythonError{type, msg};
}
[[noreturn]] inline void raiseValue(const std::string &msg) {
  raise(PyExc_ValueError, msg);
}
[[noreturn]] inline void raiseType(const std::string &msg) {
  raise(PyExc_TypeError, msg);
}

/// A library error as a Python exception: MemoryError when a size is over
/// the memory budget (every such message ends in memoryBudgetText(), "over
/// the memory budget of 4 GiB (--max-memory)"), with the budget's Python
/// name for the tools' option; ValueError otherwise.
[[noreturn]] inline void raiseError(llvm::Error e) {
  std::string msg = llvm::toString(std::move(e));
  const std::string budget = tessera::memoryBudgetText();
  const size_t at = msg.find(budget);
  if (at == std::string::npos)
    raiseValue(msg);
  msg.replace(at, budget.size(),
              "the memory budget of " + tessera::formatBytes(memoryBudget()) +
                  " (tessera.set_max_memory)");
  raise(PyExc_MemoryError, msg);
}

template <typename T> T unwrap(llvm::Expected<T> v) {
  if (!v)
    raiseError(v.takeError());
  return std::move(*v);
}
inline void check(llvm::Error e) {
  if (e)
    raiseError(std::move(e));
}

/// Bytes per element of `a`, read through Python: pybind11 2.10's
/// array::itemsize() reads the pre-NumPy-2 descriptor layout and is wrong
/// under NumPy 2.
inline pybind11::ssize_t itemSize(const pybind11::array &a) {
  return a.dtype().attr("itemsize").cast<pybind11::ssize_t>();
}

/// The type's name ("NoneType", "numpy.ndarray") for messages.
inline std::string typeName(pybind11::handle h) {
  return Py_TYPE(h.ptr())->tp_name;
}

/// repr(h), cut to 60 characters: enough to recognise a value, never a whole
/// array or program.
inline std::string shortRepr(pybind11::handle h) {
  std::string r;
  try {
    r = pybind11::repr(h).cast<std::string>();
  } catch (pybind11::error_already_set &) {
    return "<" + typeName(h) + ">";
  }
  if (r.size() > 60)
    r = r.substr(0, 57) + "...";
  return r;
}

/// A Python int (or numpy integer, anything with __index__) as int64.
/// TypeError for non-integers (floats, strings, None, bools), ValueError if
/// it does not fit int64. Messages: "<fn>: <what> ...".
inline int64_t intArg(const char *fn, const char *what, pybind11::handle h) {
  if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr()))
    raiseType(std::string(fn) + ": " + what + " must be an int, got " +
              typeName(h) + " (" + shortRepr(h) + ")");
  PyObject *index = PyNumber_Index(h.ptr());
  if (!index)
    throw pybind11::error_already_set();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
  Py_DECREF(index);
  if (overflow)
    raiseValue(std::string(fn) + ": " + what + " " + shortRepr(h) +
               " does not fit int64");
  if (v == -1 && PyErr_Occurred())
    throw pybind11::error_already_set();
  return v;
}

/// intArg that must also fit a C int (e.g. a bit count).
inline int intArg32(const char *fn, const char *what, pybind11::handle h) {
  int64_t v = intArg(fn, what, h);
  if (v < INT32_MIN || v > INT32_MAX)
    raiseValue(std::string(fn) + ": " + what + " = " + std::to_string(v) +
               " is out of range");
  return static_cast<int>(v);
}

/// A real number (int, float, numpy scalar) as double. TypeError for
/// strings, None, complex and bools; ValueError for an int too large for a
/// double. NaN and inf pass: each function says what it accepts.
inline double realArg(const char *fn, const char *what, pybind11::handle h) {
  PyObject *o = h.ptr();
  if (PyBool_Check(o) || PyUnicode_Check(o) || PyBytes_Check(o) ||
      PyComplex_Check(o) ||
      (!PyFloat_Check(o) && !PyIndex_Check(o) &&
       !(Py_TYPE(o)->tp_as_number && Py_TYPE(o)->tp_as_number->nb_float)))
    raiseType(std::string(fn) + ": " + what + " must be a real number, got " +
              typeName(h) + " (" + shortRepr(h) + ")");
  double v = PyFloat_AsDouble(o);
  if (v == -1.0 && PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
      PyErr_Clear();
      raiseValue(std::string(fn) + ": " + what + " " + shortRepr(h) +
                 " does not fit a double");
    }
    throw pybind11::error_already_set();
  }
  return v;
}

/// A bool (Python or numpy) or the ints 0 and 1. TypeError otherwise: a
/// string such as "no" is a mistake, not a true value.
inline bool flagArg(const char *fn, const char *what, pybind11::handle h) {
  PyObject *o = h.ptr();
  if (PyBool_Check(o))
    return o == Py_True;
  if (std::string(Py_TYPE(o)->tp_name) == "numpy.bool" ||
      std::string(Py_TYPE(o)->tp_name) == "numpy.bool_")
    return PyObject_IsTrue(o) == 1;
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (!overflow && (v == 0 || v == 1))
      return v == 1;
  }
  raiseType(std::string(fn) + ": " + what + " must be a bool, got " +
            typeName(h) + " (" + shortRepr(h) + ")");
}

/// A str as UTF-8. TypeError for anything else (bytes included).
inline std::string strArg(const char *fn, const char *what,
                          pybind11::handle h) {
  if (!PyUnicode_Check(h.ptr()))
    raiseType(std::string(fn) + ": " + what + " must be a str, got " +
              typeName(h) + " (" + shortRepr(h) + ")");
  Py_ssize_t size = 0;
  const char *data = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
  if (!data) {
    PyErr_Clear();
    raiseValue(std::string(fn) + ": " + what + " " + shortRepr(h) +
               " is not valid UTF-8");
  }
  return std::string(data, static_cast<size_t>(size));
}

} // namespace tessera::python

#endif // TESSERA_PYTHON_BINDINGS_CONVERT_H
