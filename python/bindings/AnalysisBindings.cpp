//===- AnalysisBindings.cpp - tessera.analyze: per-layer accuracy ---------===//
//
// Compiles a float model as tessera-compile does, keeping its levels, and
// runs the accuracy analysis (compiler/analysis/Accuracy.h) on one sample.
// The report crosses as its JSON document (the --accuracy-report schema);
// python/tessera/analysis.py parses it.
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "compiler/analysis/Accuracy.h"
#include "compiler/driver/Compile.h"
#include "core/quant/Calibration.h"

#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <iostream>
#include <map>
#include <optional>

namespace py = pybind11;
using namespace tessera;

namespace tessera::python {
namespace {

/// Returns (report JSON text, table text).
py::tuple analyze(const std::string &model, const std::string &target,
                  const std::string &calibration,
                  const std::optional<std::string> &input,
                  const std::vector<float> &mean, const std::vector<float> &std,
                  const std::map<std::string, std::vector<int64_t>> &shapes,
                  bool quiet, size_t maxSamples,
                  const std::vector<std::string> &floatNodes,
                  const std::string &calibrationMethod,
                  std::optional<double> percentile, const std::string &scheme,
                  const std::optional<std::string> &dumpTensors,
                  bool simulate, size_t top) {
  driver::CompileOptions opts;
  opts.modelPath = model;
  opts.target = target;
  opts.calibrationPath = calibration;
  opts.preprocess.mean = mean;
  opts.preprocess.std = std;
  opts.import.inputShapes = shapes;
  opts.maxCalibrationSamples = maxSamples;
  opts.floatNodes = floatNodes;
  if (!calibrationMethod.empty() &&
      !quant::parseCalibrationMethod(calibrationMethod))
    raiseValue("analyze: calibration_method: unknown method '" +
               calibrationMethod + "' (expected " +
               quant::calibrationMethodNames() + ")");
  opts.calibrationMethod = calibrationMethod;
  opts.percentile = percentile;
  opts.scheme = scheme;
  opts.keepLevels = true;
  if (!quiet)
    opts.progress = [](const std::string &line) {
      std::cerr << "tessera.analyze: " << line << "\n";
    };
  std::string json, table;
  {
    py::gil_scoped_release release;
    driver::CompileResult result = unwrap(driver::compileModel(opts));
    if (!result.levels)
      raiseValue(model + ": analyze needs a float model quantized by "
                         "calibration; this one is pre-quantized");
    auto sample = unwrap(analysis::analysisInput(
        *result.levels, input.value_or(""), opts.preprocess, false));
    analysis::AnalysisOptions aopts;
    aopts.program = simulate ? &*result.program : nullptr;
    aopts.dumpDir = dumpTensors.value_or("");
    aopts.modelName = model;
    aopts.inputName = input ? "first sample of " + *input
                            : "first calibration sample of " + calibration;
    aopts.progress = opts.progress;
    auto report =
        unwrap(analysis::analyzeAccuracy(*result.levels, sample, aopts));
    if (report.target.empty())
      report.target = result.program->target;
    llvm::raw_string_ostream os(json);
    os << analysis::accuracyReportToJson(report);
    table = analysis::formatAccuracyTable(report, top);
  }
  return py::make_tuple(json, table);
}

} // namespace

void bindAnalysis(py::module_ &m) {
  m.def("_analyze", &analyze, py::arg("model"), py::arg("target"),
        py::arg("calibration"), py::arg("input"), py::arg("mean"),
        py::arg("std"), py::arg("input_shapes"), py::arg("quiet"),
        py::arg("max_calibration_samples"), py::arg("float_nodes"),
        py::arg("calibration_method"), py::arg("percentile"),
        py::arg("scheme"), py::arg("dump_tensors"), py::arg("simulate"),
        py::arg("top"));
}

} // namespace tessera::python
