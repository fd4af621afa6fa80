//===- Module.cpp - The `tessera._tessera` pybind11 extension -------------===//
//
// One extension module; each area binds itself into a submodule. The memory
// budget (core/tensor/Limits.h) is bound here: it is process-wide.
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "core/tensor/Limits.h"

#include <pybind11/pybind11.h>

namespace tessera::python {
void bindQuant(pybind11::module_ &m);
void bindPipeline(pybind11::module_ &m);
void bindRun(pybind11::module_ &m);
void bindAnalysis(pybind11::module_ &m);
} // namespace tessera::python

namespace {

/// tessera.set_max_memory(bytes): the budget every tensor, .npz entry and
/// decoded image whose size comes from a file is checked against, as
/// --max-memory sets it for the tools.
void setMaxMemory(pybind11::handle bytesArg) {
  const int64_t bytes =
      tessera::python::intArg("set_max_memory", "bytes", bytesArg);
  if (bytes < 1 || static_cast<uint64_t>(bytes) > tessera::kMaxMemoryBudget)
    tessera::python::raiseValue(
        "set_max_memory: bytes must be in [1, 2^48] (" +
        tessera::formatBytes(tessera::kMaxMemoryBudget) + "), got " +
        std::to_string(bytes));
  tessera::setMemoryBudget(static_cast<uint64_t>(bytes));
}

} // namespace

PYBIND11_MODULE(_tessera, m) {
  m.doc() = "Tessera: ONNX to integer NPU programs, and their simulator";
  tessera::python::registerErrorTranslator();
  pybind11::module_ quant =
      m.def_submodule("quant", "quantization arithmetic");
  tessera::python::bindQuant(quant);
  tessera::python::bindPipeline(m);
  tessera::python::bindRun(m);
  tessera::python::bindAnalysis(m);
  m.def("_set_max_memory", &setMaxMemory, pybind11::arg("bytes"));
  m.def("_max_memory", [] { return tessera::memoryBudget(); });
  m.attr("_DEFAULT_MAX_MEMORY") = tessera::kDefaultMemoryBudget;
  m.attr("_MAX_MAX_MEMORY") = tessera::kMaxMemoryBudget;
}
