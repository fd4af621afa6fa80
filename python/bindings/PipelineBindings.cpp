//===- PipelineBindings.cpp - tessera.compile / tessera.simulate ----------===//
//
// Thin bindings over the compile driver and the simulator: the same code the
// tools run. Reports cross as the simulator's JSON document (one schema, in
// simulator/Report.cpp); python/tessera/pipeline.py shapes them for users.
//
//===----------------------------------------------------------------------===//
#include "compiler/reference/HostSegment.h"
#include "Convert.h"
#include "compiler/driver/Compile.h"
#include "core/io/Output.h"
#include "core/quant/Calibration.h"
#include "simulator/MachineModel.h"
#include "simulator/Report.h"
#include "simulator/Simulator.h"
#include "simulator/Trace.h"

#include "llvm/Support/raw_ostream.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <iostream>
#include <map>
#include <optional>

namespace py = pybind11;
using namespace tessera;

namespace tessera::python {
namespace {

py::object compileModel(const std::string &model,
                        const std::optional<std::string> &output,
                        const std::string &target,
                        const std::optional<std::string> &calibration,
                        const std::vector<float> &mean,
                        const std::vector<float> &std,
                        const std::map<std::string, std::vector<int64_t>> &shapes,
                        const std::optional<std::string> &emit, bool quiet,
                        size_t maxSamples, bool embedPreprocessing,
                        bool pixelsNhwc, bool pixelsBgr,
                        const std::vector<std::string> &floatNodes,
                        bool noFallback, const std::string &calibrationMethod,
                        std::optional<double> percentile,
                        const std::string &scheme,
                        const std::optional<std::string> &config,
                        const std::optional<std::string> &writeConfig,
                        const std::vector<std::pair<std::string, std::string>>
                            &nodeDtypes) {
  driver::CompileOptions opts;
  opts.modelPath = model;
  opts.target = target;
  opts.calibrationPath = calibration.value_or("");
  opts.preprocess.mean = mean;
  opts.preprocess.std = std;
  opts.import.inputShapes = shapes;
  opts.maxCalibrationSamples = maxSamples;
  opts.embedPreprocessing = embedPreprocessing;
  opts.pixelsNhwc = pixelsNhwc;
  opts.pixelsBgr = pixelsBgr;
  opts.floatNodes = floatNodes;
  opts.noFallback = noFallback;
  if (!calibrationMethod.empty() &&
      !quant::parseCalibrationMethod(calibrationMethod))
    raiseValue("compile: calibration_method: unknown method '" +
               calibrationMethod + "' (expected " +
               quant::calibrationMethodNames() + ")");
  opts.calibrationMethod = calibrationMethod;
  opts.percentile = percentile;
  opts.scheme = scheme;
  opts.configPath = config.value_or("");
  opts.writeConfig = writeConfig.has_value();
  for (const auto &[pattern, dtype] : nodeDtypes) {
    std::optional<quant::DType> d = quant::parseDType(dtype);
    if (!d)
      raiseValue("compile: node_dtypes['" + pattern + "']: unknown dtype '" +
                 dtype + "' (expected int8 or int16)");
    opts.nodeDtypes.push_back({pattern, *d});
  }
  if (emit) {
    auto level = driver::parseEmitLevel(*emit);
    if (!level)
      raiseValue("compile: emit: unknown level '" + *emit +
                 "' (expected tosa, quant, int, npu or asm)");
    opts.emit = *level;
  }
  if (!quiet)
    opts.progress = [](const std::string &line) {
      std::cerr << "tessera.compile: " << line << "\n";
    };
  driver::CompileResult result;
  {
    py::gil_scoped_release release;
    result = unwrap(driver::compileModel(opts));
  }
  if (writeConfig)
    check(io::writeFile(*writeConfig, result.config));
  if (opts.emit != driver::EmitLevel::None)
    return py::str(result.emitted);
  if (output)
    check(isa::writeProgram(*result.program, *output));
  auto bytes = unwrap(isa::serializeProgram(*result.program));
  return py::bytes(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

/// Returns (outputs {name: float32 ndarray}, int outputs {name: int64
/// ndarray}, report JSON text, report table text).
py::tuple simulate(const py::object &programArg,
                   const std::map<std::string, py::array> &inputs,
                   const std::optional<std::string> &target, bool timingOnly,
                   const std::optional<std::string> &trace) {
  // bytes: the program itself; str: its path, read as tessera-sim reads it
  // (a regular file within the memory budget).
  isa::Program program;
  if (py::isinstance<py::bytes>(programArg)) {
    std::string raw = programArg.cast<std::string>();
    program = unwrap(isa::readProgram(
        llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(raw.data()),
                                raw.size()),
        "<program>"));
  } else {
    program = unwrap(isa::readProgramFile(programArg.cast<std::string>()));
  }
  auto model = unwrap(sim::loadTargetModel(target.value_or(program.target)));
  sim::SimOptions opts;
  opts.functional = !timingOnly;
  // Host segments run in float with the reference interpreter.
  opts.hostExecutor = [](const isa::HostSegment &seg,
                         std::vector<Tensor> inputs) {
    return reference::runHostProgram(seg.program, seg.name, inputs);
  };
  auto simulator = unwrap(sim::Simulator::create(program, model, opts));
  for (const auto &[name, array] : inputs) {
    std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
    // An unknown name or a wrong shape is the simulator's error, reported
    // before the array is converted (a copy as large as the array).
    auto desc = llvm::find_if(program.inputs, [&](const isa::TensorDesc &d) {
      return d.name == name;
    });
    if (desc == program.inputs.end() ||
        desc->shape != shape) {
      check(simulator->setQuantizedInput(name, shape, {}));
      raiseValue("input '" + name + "': rejected"); // not reached
    }
    if (py::isinstance<py::array_t<float>>(array) ||
        array.dtype().kind() == 'f') {
      auto f = py::array_t<float, py::array::c_style | py::array::forcecast>(
          array);
      check(simulator->setInput(
          name, shape, llvm::ArrayRef<float>(f.data(), f.size())));
    } else {
      bool bytes = py::isinstance<py::array_t<uint8_t>>(array);
      auto q = py::array_t<int64_t, py::array::c_style | py::array::forcecast>(
          array);
      llvm::ArrayRef<int64_t> values(q.data(), q.size());
      // uint8 (an image's bytes): the input's uint8 view (Simulator.h).
      check(bytes ? simulator->setUint8Input(name, shape, values)
                  : simulator->setQuantizedInput(name, shape, values));
    }
  }
  sim::Report report;
  {
    py::gil_scoped_release release;
    report = unwrap(simulator->run());
    if (trace) // names the file on failure
      check(sim::writeTrace(*simulator, *trace));
  }
  py::dict outs, intOuts;
  for (const sim::OutputTensor &t : simulator->outputs()) {
    py::array_t<float> f(t.shape);
    std::copy(t.dequantized.begin(), t.dequantized.end(), f.mutable_data());
    py::array_t<int64_t> q(t.shape);
    std::copy(t.values.begin(), t.values.end(), q.mutable_data());
    outs[py::str(t.name)] = f;
    intOuts[py::str(t.name)] = q;
  }
  std::string json;
  llvm::raw_string_ostream os(json);
  os << sim::reportToJson(report);
  return py::make_tuple(outs, intOuts, json, sim::formatReportTable(report));
}

} // namespace

void bindPipeline(py::module_ &m) {
  m.def("_compile", &compileModel, py::arg("model"), py::arg("output"),
        py::arg("target"), py::arg("calibration"), py::arg("mean"),
        py::arg("std"), py::arg("input_shapes"), py::arg("emit"),
        py::arg("quiet"), py::arg("max_calibration_samples"),
        py::arg("embed_preprocessing"), py::arg("pixels_nhwc"),
        py::arg("pixels_bgr"), py::arg("float_nodes"),
        py::arg("no_fallback"), py::arg("calibration_method"),
        py::arg("percentile"), py::arg("scheme"), py::arg("config"),
        py::arg("write_config"), py::arg("node_dtypes"));
  m.def("_simulate", &simulate, py::arg("program"), py::arg("inputs"),
        py::arg("target"), py::arg("timing_only"), py::arg("trace"));
}

} // namespace tessera::python
