//===- Module.cpp - The `tessera._tessera` pybind11 extension -------------===//
//
// One extension module; each area binds itself into a submodule.
//
//===----------------------------------------------------------------------===//
#include <pybind11/pybind11.h>

namespace tessera::python {
void bindQuant(pybind11::module_ &m);
void bindPipeline(pybind11::module_ &m);
void bindRun(pybind11::module_ &m);
} // namespace tessera::python

PYBIND11_MODULE(_tessera, m) {
  m.doc() = "Tessera: ONNX to integer NPU programs, and their simulator";
  pybind11::module_ quant =
      m.def_submodule("quant", "quantization arithmetic");
  tessera::python::bindQuant(quant);
  tessera::python::bindPipeline(m);
  tessera::python::bindRun(m);
}
