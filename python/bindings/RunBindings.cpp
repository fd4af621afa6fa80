//===- RunBindings.cpp - tessera.run: the reference executors from Python -===//
//
// Imports an ONNX model (with the same import and graph clean-up as every
// tool) or parses TOSA MLIR, then runs it with the reference executors:
// float TOSA on the float executor, integer TOSA on the bit-exact integer
// one (compiler/reference picks per op). python/tessera/pipeline.py wraps it.
//
//===----------------------------------------------------------------------===//
#include "Convert.h"
#include "compiler/frontend/OnnxImporter.h"
#include "compiler/reference/Interpreter.h"
#include "core/io/Output.h"
#include "core/tensor/Limits.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace py = pybind11;
using namespace tessera;

namespace tessera::python {
namespace {

[[noreturn]] void fail(const std::string &msg) { raiseValue(msg); }

py::dtype dtypeOf(ElementType t) {
  switch (t) {
  case ElementType::Bool:
    return py::dtype::of<bool>();
  case ElementType::I8:
    return py::dtype::of<int8_t>();
  case ElementType::U8:
    return py::dtype::of<uint8_t>();
  case ElementType::I16:
    return py::dtype::of<int16_t>();
  case ElementType::U16:
    return py::dtype::of<uint16_t>();
  case ElementType::I32:
    return py::dtype::of<int32_t>();
  case ElementType::I64:
    return py::dtype::of<int64_t>();
  case ElementType::F32:
    break;
  }
  return py::dtype::of<float>();
}

/// A copy of `t` as an ndarray of its element type. The strides are given
/// explicitly: pybind11 2.10 reads dtype.itemsize from the pre-NumPy-2
/// descriptor layout and would compute zero strides under NumPy 2.
py::array toArray(const Tensor &t) {
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = static_cast<py::ssize_t>(elementSize(t.elementType()));
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= shape[d];
  }
  py::array a(dtypeOf(t.elementType()), shape, strides);
  std::memcpy(a.mutable_data(), t.bytes(), t.byteSize());
  return a;
}

/// `t` (NHWC) as its ONNX NCHW form: the importer's layout for 4-D
/// activations inside the function (`onnx.layout = "NHWC"`).
Tensor nhwcToNchw(const Tensor &t) {
  const int64_t n = t.dim(0), h = t.dim(1), w = t.dim(2), c = t.dim(3);
  Tensor out(t.elementType(), {n, c, h, w});
  const size_t es = elementSize(t.elementType());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t k = 0; k < c; ++k)
          std::memcpy(out.bytes() + (((b * c + k) * h + y) * w + x) * es,
                      t.bytes() + (((b * h + y) * w + x) * c + k) * es, es);
  return out;
}

/// The values integer type `t` holds.
struct IntRange {
  int64_t lo, hi;
};
IntRange intRange(ElementType t) {
  switch (t) {
  case ElementType::I8:
    return {INT8_MIN, INT8_MAX};
  case ElementType::U8:
    return {0, UINT8_MAX};
  case ElementType::I16:
    return {INT16_MIN, INT16_MAX};
  case ElementType::U16:
    return {0, UINT16_MAX};
  case ElementType::I32:
    return {INT32_MIN, INT32_MAX};
  default:
    return {INT64_MIN, INT64_MAX};
  }
}

/// Rejects values that numpy's cast to the integer type `t` would change
/// without a word: NaN, inf and fractions (C casts, undefined for NaN and
/// out-of-range floats) and values outside `t` (integers wrap around).
void checkIntegerValues(const py::array &array, ElementType t,
                        const std::string &name) {
  const char kind = array.dtype().kind();
  if (array.size() == 0 || kind == 'b')
    return;
  const IntRange r = intRange(t);
  auto reject = [&](const std::string &value, py::ssize_t i) {
    fail("input '" + name + "': value " + value + " at flat index " +
         std::to_string(i) + " is not representable as " +
         elementTypeName(t) + " (the argument's type)");
  };
  if (kind == 'f') {
    py::array_t<double, py::array::c_style | py::array::forcecast> d(array);
    const double *v = d.data();
    // -2^63 and 2^63 are exact doubles; 2^63 itself is out of int64.
    const double lo = static_cast<double>(r.lo),
                 hi = r.hi == INT64_MAX ? 9223372036854775808.0
                                        : static_cast<double>(r.hi) + 1;
    for (py::ssize_t i = 0; i < d.size(); ++i)
      if (!std::isfinite(v[i]) || v[i] != std::trunc(v[i]) || v[i] < lo ||
          v[i] >= hi)
        reject(py::str(py::float_(v[i])).cast<std::string>(), i);
    return;
  }
  if (kind == 'u' && itemSize(array) == 8) {
    py::array_t<uint64_t, py::array::c_style | py::array::forcecast> u(array);
    for (py::ssize_t i = 0; i < u.size(); ++i)
      if (u.data()[i] > static_cast<uint64_t>(r.hi))
        reject(std::to_string(u.data()[i]), i);
    return;
  }
  py::array_t<int64_t, py::array::c_style | py::array::forcecast> q(array);
  for (py::ssize_t i = 0; i < q.size(); ++i)
    if (q.data()[i] < r.lo || q.data()[i] > r.hi)
      reject(std::to_string(q.data()[i]), i);
}

/// `array` converted to the argument type `type` (a ranked tensor).
Tensor toTensor(const py::array &array, mlir::Type type,
                const std::string &name) {
  auto rt = llvm::dyn_cast<mlir::RankedTensorType>(type);
  std::optional<ElementType> et =
      rt ? reference::elementTypeOf(rt.getElementType()) : std::nullopt;
  if (!rt || !rt.hasStaticShape() || !et)
    fail("input '" + name + "': unsupported argument type");
  std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
  if (llvm::ArrayRef<int64_t>(shape) != rt.getShape()) {
    std::string want;
    llvm::raw_string_ostream os(want);
    os << type;
    fail("input '" + name + "': expected " + want + ", got shape [" + [&] {
      std::string s;
      for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
      return s;
    }() + "]");
  }
  // Cast to the argument's element type (numpy's rules, e.g. float64 ->
  // float32), C order; to an integer type only values it holds exactly.
  if (isInteger(*et))
    checkIntegerValues(array, *et, name);
  py::array converted =
      py::array::ensure(array.attr("astype")(dtypeOf(*et)), py::array::c_style);
  if (!converted)
    fail("input '" + name + "': cannot convert to " + elementTypeName(*et));
  Tensor t(*et, shape);
  std::memcpy(t.bytes(), converted.data(), t.byteSize());
  return t;
}

/// Loads the module: ONNX (file or bytes) is imported, MLIR parsed.
mlir::OwningOpRef<mlir::ModuleOp>
loadModule(mlir::MLIRContext &ctx, const std::string &model, bool isBytes,
           bool isOnnx,
           const std::map<std::string, std::vector<int64_t>> &shapes) {
  if (isOnnx) {
    frontend::ImportOptions opts;
    opts.inputShapes = shapes;
    if (isBytes)
      return unwrap(frontend::importOnnxBytes(ctx, model, opts));
    return unwrap(frontend::importOnnxFile(ctx, model, opts));
  }
  if (isBytes)
    return unwrap(reference::parseModule(ctx, model, "<memory>"));
  // As tessera-run reads it: a regular file within the memory budget (a
  // FIFO or /dev/zero is refused, not waited on or read forever).
  auto buffer = unwrap(
      io::readRegularFile(model, memoryBudget(), memoryBudgetText()));
  return unwrap(reference::parseModule(ctx, buffer->getBuffer(), model));
}

mlir::func::FuncOp pickFunction(mlir::ModuleOp module,
                                const std::optional<std::string> &name) {
  auto f = tessera::reference::findEntryFunction(module, name.value_or(""));
  if (!f)
    fail(llvm::toString(f.takeError()));
  return *f;
}

using tessera::reference::resultName;
std::string argName(mlir::func::FuncOp f, unsigned i) {
  return tessera::reference::argumentName(f, i);
}

/// Returns (outputs {name: ndarray}, intermediates {name: ndarray} or None).
py::tuple run(const py::object &model, bool isOnnx,
              const std::map<std::string, py::array> &inputs,
              const std::map<std::string, std::vector<int64_t>> &shapes,
              bool dumpAll, const std::optional<std::string> &function,
              py::handle threadsArg) {
  const int64_t threads = intArg("run", "threads", threadsArg);
  if (llvm::Error e = reference::checkThreadCount(threads, "threads"))
    raiseValue("run: " + llvm::toString(std::move(e)));
  const bool isBytes = py::isinstance<py::bytes>(model);
  const std::string text = py::cast<std::string>(model);

  std::unique_ptr<mlir::MLIRContext> ctx = frontend::createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModule(*ctx, text, isBytes, isOnnx, shapes);
  mlir::func::FuncOp func = pickFunction(*module, function);
  check(reference::checkSupported(func));

  // Inputs by ONNX name, "argN" or "N".
  const unsigned n = func.getNumArguments();
  std::vector<std::optional<Tensor>> slots(n);
  for (const auto &[name, array] : inputs) {
    std::optional<unsigned> index = reference::findArgument(func, name);
    if (!index)
      fail("no input named '" + name +
           "' (inputs: " + reference::argumentNames(func) + ")");
    slots[*index] = toTensor(array, func.getArgumentTypes()[*index], name);
  }
  std::vector<Tensor> args;
  for (unsigned i = 0; i < n; ++i) {
    if (!slots[i])
      fail("missing input '" + argName(func, i) + "'");
    args.push_back(std::move(*slots[i]));
  }

  // Intermediates: every ONNX tensor (`onnx.output`), in ONNX layout. Helper
  // ops of an imported node (layout transposes, ...) are not ONNX tensors;
  // ops of hand-written MLIR are named by location or position.
  std::vector<std::pair<std::string, Tensor>> dumps;
  std::set<std::string> used;
  unsigned opIndex = 0;
  reference::RunOptions opts;
  if (dumpAll)
    opts.onValue = [&](mlir::Operation *op, const Tensor &t) {
      ++opIndex;
      std::string name;
      if (auto out = op->getAttrOfType<mlir::StringAttr>("onnx.output"))
        name = out.str();
      else if (op->hasAttr("onnx.node"))
        return;
      else
        name = reference::valueName(op);
      if (name.empty())
        name = "op" + std::to_string(opIndex) + "_" +
               op->getName().stripDialect().str();
      std::string key = name;
      for (unsigned k = 1; !used.insert(key).second; ++k)
        key = name + "." + std::to_string(k);
      auto layout = op->getAttrOfType<mlir::StringAttr>("onnx.layout");
      dumps.emplace_back(key,
                         layout && layout.getValue() == "NHWC" && t.rank() == 4
                             ? nhwcToNchw(t)
                             : t);
    };

  reference::Executor exec(func);
  llvm::Expected<std::vector<Tensor>> outs = [&] {
    py::gil_scoped_release release;
    const unsigned before = reference::threadCount();
    reference::setThreadCount(static_cast<unsigned>(threads));
    auto result = exec.run(args, opts);
    reference::setThreadCount(before);
    return result;
  }();
  std::vector<Tensor> results = unwrap(std::move(outs));

  py::dict outputs;
  for (unsigned i = 0; i < results.size(); ++i)
    outputs[py::str(resultName(func, i))] = toArray(results[i]);
  py::object all = py::none();
  if (dumpAll) {
    py::dict d;
    for (const auto &[name, t] : dumps)
      d[py::str(name)] = toArray(t);
    all = d;
  }
  return py::make_tuple(outputs, all);
}

} // namespace

void bindRun(py::module_ &m) {
  m.def("_run", &run, py::arg("model"), py::arg("is_onnx"), py::arg("inputs"),
        py::arg("input_shapes"), py::arg("dump_all"), py::arg("function"),
        py::arg("threads"));
}

} // namespace tessera::python
