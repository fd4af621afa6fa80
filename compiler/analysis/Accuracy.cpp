//===- Accuracy.cpp - Per-layer accuracy analysis of a quantized program --===//
#include "compiler/analysis/Accuracy.h"

#include "compiler/patterns/NodeName.h"
#include "compiler/reference/ElementTypes.h"
#include "compiler/reference/HostSegment.h"
#include "compiler/reference/Interpreter.h"
#include "core/io/Output.h"
#include "core/quant/Quant.h"
#include "core/support/Names.h"
#include "core/tensor/Npy.h"
#include "simulator/MachineModel.h"
#include "simulator/Simulator.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir;
namespace mq = mlir::quant;

namespace tessera::analysis {
namespace {

llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

/// The ranked shape of `v`, or empty.
llvm::ArrayRef<int64_t> shapeOf(Value v) {
  if (auto t = llvm::dyn_cast<RankedTensorType>(v.getType()))
    return t.getShape();
  return {};
}

bool isNhwc(Operation *op) {
  auto l = op->getAttrOfType<StringAttr>("onnx.layout");
  return l && l.getValue() == "NHWC";
}

bool onHost(Operation *op) {
  auto d = op->getAttrOfType<StringAttr>("tessera.device");
  return d && d.getValue() == "cpu";
}

/// One quantized ONNX tensor present in the float and the integer program.
struct Site {
  std::string name;
  Operation *floatOp = nullptr; ///< its producer in the float program
  Operation *intOp = nullptr;   ///< the integer op whose result holds it
  mq::UniformQuantizedType type;
  /// Both tensors are NHWC (reported and dumped as NCHW).
  bool nhwc = false;
  /// The float tensor is NHWC, the integer one NCHW (a host transpose):
  /// the float tensor is transposed after the float run.
  bool toNchw = false;
  bool host = false;
  std::vector<std::string> nodes;
  /// Index into the float tensors, filled by the float run.
  size_t index = 0;
};

/// The op after `cur` on the way from the integer op tagged with a tensor's
/// name to the value holding the tensor's quantization: the requantization
/// and clamp of the same node (a conv's i32 accumulator is rescaled to i8
/// and clamped to a restricted range), or for a host op its quant.qcast and
/// quant.scast, possibly after the node's NHWC -> NCHW transpose (consecutive
/// host ops pass float values and only the last one's NCHW result is
/// quantized; `*toNchw` is then set). Null at the end of the way.
Operation *nextOnTheWay(Operation *cur, llvm::StringRef node, bool *toNchw) {
  Value v = cur->getResult(0);
  Operation *next = nullptr;
  auto vt = llvm::dyn_cast<ShapedType>(v.getType());
  const bool isFloat = vt && llvm::isa<FloatType>(vt.getElementType());
  if (v.hasOneUse()) {
    next = *v.getUsers().begin();
    if (auto tr = llvm::dyn_cast<tosa::TransposeOp>(next)) {
      if (!isFloat || *toNchw || !onHost(tr) || tr->hasAttr("onnx.output") ||
          patterns::onnxNodeName(tr) != node || vt.getRank() != 4 ||
          tr.getPerms() != llvm::ArrayRef<int32_t>{0, 3, 1, 2})
        return nullptr;
      *toNchw = true;
      return tr;
    }
  } else if (isFloat) {
    // A host op's float result may also feed other host ops directly.
    for (Operation *u : v.getUsers())
      if (llvm::isa<mq::QuantizeCastOp>(u)) {
        if (next)
          return nullptr;
        next = u;
      }
  }
  if (!next || next->getNumResults() != 1 || next->hasAttr("onnx.output") ||
      !llvm::isa<tosa::RescaleOp, tosa::ClampOp, mq::QuantizeCastOp,
           mq::StorageCastOp>(next) ||
      patterns::onnxNodeName(next) != node ||
      shapeOf(next->getResult(0)) != shapeOf(v))
    return nullptr;
  return next;
}

/// The integer storage width of `v` (8 or 16), or 0.
unsigned storageWidth(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return 0;
  auto i = llvm::dyn_cast<IntegerType>(t.getElementType());
  if (!i || (i.getWidth() != 8 && i.getWidth() != 16))
    return 0;
  return i.getWidth();
}

/// The per-tensor quantization a quant-level value is quantized with: the
/// type of its (first) quant.qcast user.
mq::UniformQuantizedType quantizationOf(Value v) {
  for (Operation *u : v.getUsers())
    if (auto q = llvm::dyn_cast<mq::QuantizeCastOp>(u))
      if (auto t = llvm::dyn_cast<mq::UniformQuantizedType>(
              getElementTypeOrSelf(q.getResult().getType())))
        return t;
  return {};
}

/// A quantized constant weight read by `op` (quant level): operand 1 of a
/// conv or matmul behind its quant.dcast.
std::optional<WeightQuant> weightOf(Operation *op) {
  if (!llvm::isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp,
                 tosa::TransposeConv2DOp, tosa::Conv3DOp, tosa::MatMulOp>(op) ||
      op->getNumOperands() < 2)
    return std::nullopt;
  auto dcast = op->getOperand(1).getDefiningOp<mq::DequantizeCastOp>();
  if (!dcast)
    return std::nullopt;
  Operation *src = dcast.getInput().getDefiningOp();
  if (!src || !llvm::isa<mq::QuantizeCastOp, mq::StorageCastOp>(src))
    return std::nullopt;
  // An activation (attention's Q x K^T) is not a weight.
  Operation *root = src->getOperand(0).getDefiningOp();
  if (!root || !llvm::isa<tosa::ConstOp>(root))
    return std::nullopt;
  Type et = getElementTypeOrSelf(dcast.getInput().getType());
  WeightQuant w;
  w.node = patterns::onnxNodeName(op);
  auto qt = llvm::dyn_cast<mq::QuantizedType>(et);
  if (!qt)
    return std::nullopt;
  w.dtype = (qt.isSigned() ? "int" : "uint") +
            std::to_string(qt.getStorageTypeIntegralWidth());
  if (auto pt = llvm::dyn_cast<mq::UniformQuantizedType>(et)) {
    w.scaleMin = w.scaleMax = pt.getScale();
    w.zeroPointMin = w.zeroPointMax = pt.getZeroPoint();
    return w;
  }
  if (auto pa = llvm::dyn_cast<mq::UniformQuantizedPerAxisType>(et)) {
    w.perChannel = true;
    w.channels = static_cast<int64_t>(pa.getScales().size());
    llvm::ArrayRef<double> scales = pa.getScales();
    w.scaleMin = *std::min_element(scales.begin(), scales.end());
    w.scaleMax = *std::max_element(scales.begin(), scales.end());
    w.zeroPointMin = *std::min_element(pa.getZeroPoints().begin(),
                                       pa.getZeroPoints().end());
    w.zeroPointMax = *std::max_element(pa.getZeroPoints().begin(),
                                       pa.getZeroPoints().end());
    return w;
  }
  return std::nullopt;
}

/// `values` ([N, H, W, C] order) in NCHW order.
std::vector<float> toNchw(llvm::ArrayRef<float> values,
                          llvm::ArrayRef<int64_t> nhwc) {
  const int64_t n = nhwc[0], h = nhwc[1], w = nhwc[2], c = nhwc[3];
  std::vector<float> out(values.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t k = 0; k < c; ++k)
          out[((b * c + k) * h + y) * w + x] =
              values[((b * h + y) * w + x) * c + k];
  return out;
}

std::vector<float> floatValues(const Tensor &t) {
  auto v = t.values<float>();
  return std::vector<float>(v.begin(), v.end());
}

/// min, max, mean, std and a 32-bin histogram over [lo, hi].
llvm::json::Object summarise(llvm::ArrayRef<float> v, double lo, double hi) {
  constexpr int kBins = 32;
  double sum = 0, sq = 0, mn = std::numeric_limits<double>::infinity(),
         mx = -mn;
  std::vector<int64_t> bins(kBins, 0);
  const double width = (hi - lo) / kBins;
  for (float f : v) {
    double x = f;
    sum += x;
    sq += x * x;
    mn = std::min(mn, x);
    mx = std::max(mx, x);
    int b = width > 0 ? static_cast<int>((x - lo) / width) : 0;
    bins[std::clamp(b, 0, kBins - 1)] += 1;
  }
  const double n = std::max<double>(1, v.size());
  const double mean = sum / n;
  llvm::json::Array counts;
  for (int64_t c : bins)
    counts.push_back(c);
  return llvm::json::Object{
      {"min", v.empty() ? 0.0 : mn},
      {"max", v.empty() ? 0.0 : mx},
      {"mean", mean},
      {"std", std::sqrt(std::max(0.0, sq / n - mean * mean))},
      {"histogram", std::move(counts)}};
}

/// The tensor dumps of --dump-tensors: DIR/{float,entire,individual}/STEM.npy
/// and DIR/histograms.json.
class Dumper {
public:
  explicit Dumper(std::string dir) : dir(std::move(dir)) {}
  bool enabled() const { return !dir.empty(); }

  llvm::Error prepare() {
    for (const char *sub : {"float", "entire", "individual"}) {
      llvm::SmallString<256> p(dir);
      llvm::sys::path::append(p, sub);
      if (std::error_code ec = llvm::sys::fs::create_directories(p))
        return fail(p + ": cannot create directory: " + ec.message());
    }
    return llvm::Error::success();
  }

  /// Writes `values` (ONNX order, `shape`) as MODE/STEM.npy.
  llvm::Error write(llvm::StringRef mode, llvm::StringRef stem,
                    llvm::ArrayRef<int64_t> shape,
                    llvm::ArrayRef<float> values) {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, mode, stem + ".npy");
    return writeNpy(p, Tensor::fromValues<float>(
                           std::vector<int64_t>(shape), values));
  }

  std::string dir;
  llvm::json::Array index;
};

/// The quantized ONNX tensors present in both programs, in the integer
/// program's order, each with its layer's ONNX nodes; the tensors left out
/// are counted in `report`.
std::vector<Site> findSites(func::FuncOp floatFunc, func::FuncOp quantFunc,
                            func::FuncOp intFunc, AccuracyReport &report) {
  llvm::StringMap<Operation *> floatOps, quantOps, intOps;
  auto byName = [](func::FuncOp f, llvm::StringMap<Operation *> &out) {
    for (Operation &op : f.getBody().front())
      if (auto n = op.getAttrOfType<StringAttr>("onnx.output"))
        if (op.getNumResults() == 1)
          out.try_emplace(n.getValue(), &op);
  };
  byName(floatFunc, floatOps);
  byName(quantFunc, quantOps);
  byName(intFunc, intOps);
  std::vector<Site> sites;
  llvm::DenseMap<Value, size_t> siteOfValue; // integer value -> site
  for (Operation &op : floatFunc.getBody().front()) {
    auto n = op.getAttrOfType<StringAttr>("onnx.output");
    if (!n || op.getNumResults() != 1 || floatOps.lookup(n.getValue()) != &op)
      continue;
    auto ft = llvm::dyn_cast<RankedTensorType>(op.getResult(0).getType());
    if (!ft || !ft.getElementType().isF32() || !ft.hasStaticShape() ||
        llvm::isa<tosa::ConstOp>(op))
      continue;
    Operation *q = quantOps.lookup(n.getValue());
    mq::UniformQuantizedType type =
        q ? quantizationOf(q->getResult(0)) : nullptr;
    if (!type) {
      ++report.notQuantized;
      continue;
    }
    Operation *i = intOps.lookup(n.getValue());
    if (!i && llvm::isa<tosa::ClampOp>(q))
      // A clamp fused into its producer that covers every value the
      // rescale gives (ReLU with an asymmetric zero point at the bottom of
      // the range) has no integer op: the tensor is the producer's
      // rescaled result, the producer's own tensor being unquantized.
      if (Operation *p = q->getOperand(0).getDefiningOp())
        if (auto u = p->getAttrOfType<StringAttr>("onnx.output"))
          if (!quantizationOf(p->getResult(0)))
            i = intOps.lookup(u.getValue());
    std::string node = i ? patterns::onnxNodeName(i) : "";
    bool host = i && onHost(i);
    bool toNchw = false;
    while (i) {
      Operation *next = nextOnTheWay(i, node, &toNchw);
      if (!next)
        break;
      host |= onHost(next);
      i = next;
    }
    std::vector<int64_t> want(ft.getShape());
    if (toNchw)
      want = {want[0], want[3], want[1], want[2]};
    if (!i || storageWidth(i->getResult(0)) !=
                  type.getStorageTypeIntegralWidth() ||
        shapeOf(i->getResult(0)) != llvm::ArrayRef<int64_t>(want) ||
        siteOfValue.count(i->getResult(0))) {
      ++report.unmatched;
      continue;
    }
    Site s;
    s.name = n.getValue().str();
    s.floatOp = &op;
    s.intOp = i;
    s.type = type;
    s.nhwc = isNhwc(&op) && ft.getRank() == 4 && !toNchw;
    s.toNchw = toNchw;
    s.host = host;
    siteOfValue[i->getResult(0)] = sites.size();
    sites.push_back(std::move(s));
  }
  // Program order of the integer program (the float order may differ after
  // folding only in helper ops, but layers are reported as computed).
  {
    llvm::DenseMap<Operation *, size_t> position;
    size_t k = 0;
    for (Operation &op : intFunc.getBody().front())
      position[&op] = k++;
    std::stable_sort(sites.begin(), sites.end(),
                     [&](const Site &a, const Site &b) {
                       return position[a.intOp] < position[b.intOp];
                     });
    siteOfValue.clear();
    for (size_t j = 0; j < sites.size(); ++j)
      siteOfValue[sites[j].intOp->getResult(0)] = j;
  }
  // Each layer's ONNX nodes: its integer ops back to the quantized tensors,
  // arguments and constants it reads.
  for (Site &s : sites) {
    llvm::SetVector<Operation *> ops;
    std::vector<Operation *> work{s.intOp};
    while (!work.empty()) {
      Operation *op = work.back();
      work.pop_back();
      if (!ops.insert(op))
        continue;
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (!def || siteOfValue.count(v) ||
            llvm::isa<tosa::ConstOp, tosa::ConstShapeOp>(def))
          continue;
        work.push_back(def);
      }
    }
    std::vector<Operation *> ordered(ops.begin(), ops.end());
    std::sort(ordered.begin(), ordered.end(),
              [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
    llvm::StringSet<> seen;
    for (Operation *op : ordered) {
      std::string node = patterns::onnxNodeName(op);
      if (!node.empty() && seen.insert(node).second)
        s.nodes.push_back(node);
    }
  }

  return sites;
}

/// Each float input quantized at its integer argument's parameters
/// (tessera.scale / zero_point / dtype), as the runtime does: the integer
/// program's tensors (`intInputs`) and the same integers in the boundary's
/// dtype (`externalInputs`: uint8 for a uint8 boundary).
llvm::Error quantizeInputs(func::FuncOp intFunc, llvm::ArrayRef<Tensor> input,
                           std::vector<Tensor> &intInputs,
                           std::vector<std::vector<int64_t>> &externalInputs) {
  for (unsigned a = 0; a < intFunc.getNumArguments(); ++a) {
    Type at = intFunc.getArgumentTypes()[a];
    auto rt = llvm::dyn_cast<RankedTensorType>(at);
    auto et = rt ? reference::elementTypeOf(rt.getElementType()) : std::nullopt;
    auto scale = intFunc.getArgAttrOfType<FloatAttr>(a, "tessera.scale");
    auto zp = intFunc.getArgAttrOfType<IntegerAttr>(a, "tessera.zero_point");
    auto dt = intFunc.getArgAttrOfType<StringAttr>(a, "tessera.dtype");
    if (!rt || !et || !scale || !zp || a >= input.size() ||
        input[a].elementType() != ElementType::F32 ||
        input[a].shape() != rt.getShape())
      return fail("accuracy analysis: integer input " +
                  reference::argumentName(intFunc, a) +
                  " is not a quantized form of the float input");
    auto dtype = quant::parseDType(dt ? dt.getValue().str() : "int8");
    if (!dtype)
      return fail("accuracy analysis: integer input " +
                  reference::argumentName(intFunc, a) + ": unknown dtype");
    const bool u8 = *dtype == quant::DType::UInt8;
    quant::QParams qp{scale.getValueAsDouble(), zp.getInt()};
    Tensor q(*et, std::vector<int64_t>(rt.getShape()));
    std::vector<int64_t> ext(input[a].numElements());
    auto x = input[a].values<float>();
    for (int64_t k = 0; k < input[a].numElements(); ++k) {
      ext[k] = quant::quantize(x[k], qp, *dtype);
      int64_t stored = u8 ? ext[k] - 128 : ext[k];
      switch (*et) {
      case ElementType::I8:
        q.data<int8_t>()[k] = static_cast<int8_t>(stored);
        break;
      case ElementType::I16:
        q.data<int16_t>()[k] = static_cast<int16_t>(stored);
        break;
      default:
        return fail("accuracy analysis: integer input " +
                    reference::argumentName(intFunc, a) + " has type " +
                    elementTypeName(*et) + "; expected i8 or i16");
      }
    }
    intInputs.push_back(std::move(q));
    externalInputs.push_back(std::move(ext));
  }
  return llvm::Error::success();
}

/// Runs `program` on the simulator with the integer program's inputs:
/// compares every output with the integer reference executor's
/// (`intOutputs`) and gives each layer the report rows of its nodes.
llvm::Error simulate(const isa::Program &program, llvm::StringRef simTarget,
                     func::FuncOp intFunc, llvm::ArrayRef<Tensor> intInputs,
                     llvm::ArrayRef<std::vector<int64_t>> externalInputs,
                     llvm::ArrayRef<Tensor> intOutputs,
                     AccuracyReport &report) {
  auto t0 = std::chrono::steady_clock::now();
  auto model = sim::loadTargetModel(simTarget.empty()
                                        ? llvm::StringRef(program.target)
                                        : simTarget);
  if (!model)
    return model.takeError();
  sim::SimOptions so;
  so.hostExecutor = [](const isa::HostSegment &seg,
                       std::vector<Tensor> inputs) {
    return reference::runHostProgram(seg.program, seg.name, inputs);
  };
  auto simulator = sim::Simulator::create(program, *model, so);
  if (!simulator)
    return simulator.takeError();
  // The descriptors hold uint8 boundaries as uint8 or as their int8
  // storage (bytes XOR 0x80): feed and read each in its own dtype.
  auto isUInt8 = [&](const std::vector<isa::TensorDesc> &descs,
                     llvm::StringRef name) {
    for (const isa::TensorDesc &d : descs)
      if (d.name == name)
        return d.dtype == isa::DType::UInt8;
    return false;
  };
  for (unsigned a = 0; a < intFunc.getNumArguments(); ++a) {
    std::string name = reference::argumentName(intFunc, a);
    std::vector<int64_t> values = externalInputs[a];
    if (!isUInt8(program.inputs, name))
      for (int64_t k = 0; k < intInputs[a].numElements(); ++k)
        values[k] = intInputs[a].getInt(k);
    if (llvm::Error e = (*simulator)->setQuantizedInput(
            name, intInputs[a].shape(), values))
      return e;
  }
  auto simReport = (*simulator)->run();
  if (!simReport)
    return simReport.takeError();
  report.simulated = true;
  report.target = simReport->target;
  for (size_t r = 0; r < report.outputs.size(); ++r) {
    OutputAccuracy &o = report.outputs[r];
    auto out = (*simulator)->output(o.name);
    if (!out)
      return out.takeError();
    const int64_t n = intOutputs[r].numElements();
    if (out->values.size() != static_cast<size_t>(n))
      return fail("accuracy analysis: output '" + o.name + "' has " +
                  llvm::Twine(out->values.size()) +
                  " values on the simulator and " + llvm::Twine(n) +
                  " in the integer program");
    const bool u8 = isUInt8(program.outputs, o.name);
    o.mismatches = 0;
    for (size_t k = 0; k < out->values.size(); ++k) {
      int64_t d = std::llabs(out->values[k] -
                             intOutputs[r].getInt(k) - (u8 ? 128 : 0));
      o.mismatches += d != 0;
      o.maxAbsDiff = std::max(o.maxAbsDiff, d);
    }
  }
  // Per-layer costs: each node's report row counts for the first layer
  // (program order) that holds it.
  llvm::StringMap<const sim::LayerStats *> rows;
  for (const sim::LayerStats &s : simReport->layers)
    rows.try_emplace(s.name, &s);
  llvm::StringSet<> claimed;
  for (LayerAccuracy &l : report.layers) {
    LayerCost c;
    for (const std::string &node : l.nodes) {
      const sim::LayerStats *s = rows.lookup(node);
      if (!s || !claimed.insert(node).second)
        continue;
      c.cycles += s->cycles();
      c.latencyUs += simReport->latencyUs(*s);
      c.energyUj += s->energyUj();
      c.macs += s->macs;
    }
    l.cost = c;
  }
  report.simulateSeconds = secondsSince(t0);
  return llvm::Error::success();
}

} // namespace

ErrorMetrics compareValues(llvm::ArrayRef<float> reference,
                           llvm::ArrayRef<float> actual) {
  ErrorMetrics m;
  const size_t n = std::min(reference.size(), actual.size());
  m.elements = static_cast<int64_t>(n);
  double dot = 0, rr = 0, aa = 0, ee = 0, sumAbs = 0, maxAbs = 0;
  for (size_t i = 0; i < n; ++i) {
    double r = reference[i], a = actual[i], e = r - a;
    dot += r * a;
    rr += r * r;
    aa += a * a;
    ee += e * e;
    sumAbs += std::fabs(e);
    maxAbs = std::max(maxAbs, std::fabs(e));
  }
  if (rr == 0 && aa == 0)
    m.cosine = 1.0;
  else if (rr == 0 || aa == 0)
    m.cosine = 0.0;
  else
    m.cosine = dot / (std::sqrt(rr) * std::sqrt(aa));
  m.euclidean = std::sqrt(ee);
  m.sqnrDb = ee == 0 ? std::numeric_limits<double>::infinity()
                     : 10.0 * std::log10(rr / ee);
  m.maxAbs = maxAbs;
  m.meanAbs = n ? sumAbs / double(n) : 0.0;
  return m;
}

llvm::Expected<std::vector<Tensor>>
analysisInput(const driver::CompiledLevels &levels, llvm::StringRef path,
              const calib::Preprocess &pre, bool pixels) {
  if (path.empty()) {
    if (levels.firstSample.empty())
      return fail("accuracy analysis: no calibration sample to analyse");
    return levels.firstSample;
  }
  if (!levels.floatModule)
    return fail("accuracy analysis needs a float model");
  auto f = reference::findEntryFunction(*levels.floatModule);
  if (!f)
    return f.takeError();
  if (f->getNumArguments() != 1)
    return fail(path + ": analysis inputs are for models with one input, "
                       "this one has " +
                llvm::Twine(f->getNumArguments()));
  if (pixels && !path.ends_with(".npz"))
    return fail(path + ": the program takes raw pixels "
                       "(--embed-preprocessing): give the analysis input as "
                       "a .npz of pixels");
  auto t = llvm::cast<RankedTensorType>(f->getArgumentTypes()[0]);
  std::string name;
  if (auto n = f->getArgAttrOfType<StringAttr>(0, "onnx.name"))
    name = n.str();
  auto samples = calib::loadSamples(path, name, t.getShape(), pre, 1);
  if (!samples)
    return samples.takeError();
  if (samples->empty())
    return fail(path + ": no sample");
  return std::vector<Tensor>{std::move(samples->front())};
}

llvm::Expected<AccuracyReport>
analyzeAccuracy(const driver::CompiledLevels &levels,
                llvm::ArrayRef<Tensor> input, const AnalysisOptions &opts) {
  const auto start = std::chrono::steady_clock::now();
  auto say = [&](const std::string &s) {
    if (opts.progress)
      opts.progress(s);
  };
  if (!levels.floatModule || !levels.quantModule || !levels.intModule)
    return fail("accuracy analysis needs the float, quant-annotated and "
                "integer programs of a float model");
  auto floatFunc = reference::findEntryFunction(*levels.floatModule);
  if (!floatFunc)
    return floatFunc.takeError();
  auto quantFunc = reference::findEntryFunction(*levels.quantModule);
  if (!quantFunc)
    return quantFunc.takeError();
  auto intFunc = reference::findEntryFunction(*levels.intModule);
  if (!intFunc)
    return intFunc.takeError();
  if (input.size() != floatFunc->getNumArguments())
    return fail("accuracy analysis: the model takes " +
                llvm::Twine(floatFunc->getNumArguments()) + " inputs, got " +
                llvm::Twine(input.size()));

  AccuracyReport report;
  report.model = opts.modelName;
  report.input = opts.inputName;

  std::vector<Site> sites =
      findSites(*floatFunc, *quantFunc, *intFunc, report);
  // Nodes with host ops compute in float: their weights stay float.
  llvm::StringSet<> hostNodes;
  for (Operation &op : intFunc->getBody().front())
    if (onHost(&op))
      hostNodes.insert(patterns::onnxNodeName(&op));
  llvm::StringMap<std::vector<Operation *>> quantOpsByNode;
  for (Operation &op : quantFunc->getBody().front())
    quantOpsByNode[patterns::onnxNodeName(&op)].push_back(&op);


  // --- The float run: the tensors of the sites, kept. ---------------------
  say("accuracy analysis: " + std::to_string(sites.size()) +
      " quantized tensors");
  std::vector<Tensor> floats(sites.size());
  std::vector<Tensor> floatOutputs;
  {
    auto t0 = std::chrono::steady_clock::now();
    llvm::DenseSet<Operation *> observe;
    llvm::DenseMap<Operation *, size_t> siteOfFloatOp;
    for (size_t j = 0; j < sites.size(); ++j) {
      observe.insert(sites[j].floatOp);
      siteOfFloatOp[sites[j].floatOp] = j;
    }
    reference::RunOptions ro;
    ro.observe = &observe;
    ro.onValue = [&](Operation *op, const Tensor &t) {
      auto it = siteOfFloatOp.find(op);
      if (it != siteOfFloatOp.end())
        floats[it->second] = t;
    };
    reference::Executor exec(*floatFunc);
    auto outs = exec.run(input, ro);
    if (!outs)
      return fail("accuracy analysis: float run: " +
                  llvm::toString(outs.takeError()));
    floatOutputs = std::move(*outs);
    report.floatSeconds = secondsSince(t0);
  }
  for (size_t j = 0; j < sites.size(); ++j)
    if (sites[j].toNchw) {
      llvm::ArrayRef<int64_t> sh = floats[j].shape();
      floats[j] = Tensor::fromValues<float>(
          {sh[0], sh[3], sh[1], sh[2]},
          toNchw(floats[j].values<float>(), sh));
    }

  std::vector<Tensor> intInputs;
  std::vector<std::vector<int64_t>> externalInputs;
  if (llvm::Error e =
          quantizeInputs(*intFunc, input, intInputs, externalInputs))
    return std::move(e);

  // --- Layers ----------------------------------------------------------
  Dumper dump(opts.dumpDir);
  if (dump.enabled())
    if (llvm::Error e = dump.prepare())
      return std::move(e);
  report.layers.resize(sites.size());
  std::vector<std::string> stems(sites.size());
  for (size_t j = 0; j < sites.size(); ++j) {
    const Site &s = sites[j];
    LayerAccuracy &l = report.layers[j];
    l.tensor = s.name;
    l.node = patterns::onnxNodeName(s.floatOp);
    l.op = s.floatOp->getName().getStringRef().str();
    l.nodes = s.nodes;
    llvm::ArrayRef<int64_t> shape = floats[j].shape();
    l.shape.assign(shape.begin(), shape.end());
    if (s.nhwc)
      l.shape = {shape[0], shape[3], shape[1], shape[2]};
    const unsigned bits = s.type.getStorageTypeIntegralWidth();
    // 8-bit activations are stored as i8 whatever the scheme; a uint8
    // scheme's are the same bytes XOR 0x80 (zero point + 128).
    const bool u8 = bits == 8 && levels.activationDtype == "uint8";
    l.dtype = u8 ? "uint8" : (s.type.isSigned() ? "int" : "uint") +
                                 std::to_string(bits);
    l.scale = s.type.getScale();
    l.zeroPoint = s.type.getZeroPoint() + (u8 ? 128 : 0);
    l.host = s.host;
    for (const std::string &node : s.nodes)
      for (Operation *op : hostNodes.contains(node)
                               ? std::vector<Operation *>()
                               : quantOpsByNode.lookup(node))
        if (auto w = weightOf(op))
          l.weights.push_back(*w);
    stems[j] = safeFileStem(s.name);
    if (dump.enabled()) {
      std::vector<float> f = floatValues(floats[j]);
      if (s.nhwc)
        f = toNchw(f, shape);
      if (llvm::Error e = dump.write("float", stems[j], l.shape, f))
        return std::move(e);
    }
  }

  // Dequantized values of site j's integer tensor `t`.
  auto dequantized = [&](size_t j, const Tensor &t) {
    quant::QParams qp{sites[j].type.getScale(), sites[j].type.getZeroPoint()};
    std::vector<float> v(t.numElements());
    if (t.elementType() == ElementType::I8) {
      // The same dequantize, looked up: 256 values for 10^5-10^6 elements.
      float table[256];
      for (int q = -128; q < 128; ++q)
        table[q + 128] = static_cast<float>(quant::dequantize(q, qp));
      const int8_t *d = t.data<int8_t>();
      for (int64_t k = 0; k < t.numElements(); ++k)
        v[k] = table[d[k] + 128];
      return v;
    }
    for (int64_t k = 0; k < t.numElements(); ++k)
      v[k] = static_cast<float>(quant::dequantize(t.getInt(k), qp));
    return v;
  };
  // Histograms: per tensor, the three modes over one range.
  std::vector<std::vector<float>> dumpEntire(dump.enabled() ? sites.size() : 0);
  llvm::json::Array histograms;
  llvm::DenseSet<Operation *> observe;
  llvm::DenseMap<Operation *, size_t> siteOfIntOp;
  for (size_t j = 0; j < sites.size(); ++j) {
    observe.insert(sites[j].intOp);
    siteOfIntOp[sites[j].intOp] = j;
  }
  reference::Executor intExec(*intFunc);
  llvm::Error dumpError = llvm::Error::success();
  auto measure = [&](bool entire) {
    return [&, entire](Operation *op, const Tensor &t) {
      auto it = siteOfIntOp.find(op);
      if (it == siteOfIntOp.end())
        return;
      size_t j = it->second;
      std::vector<float> q = dequantized(j, t);
      ErrorMetrics m = compareValues(floats[j].values<float>(), q);
      (entire ? report.layers[j].entire : report.layers[j].individual) = m;
      if (!dump.enabled() || dumpError)
        return;
      if (sites[j].nhwc)
        q = toNchw(q, t.shape());
      if (llvm::Error e = dump.write(entire ? "entire" : "individual",
                                     stems[j], report.layers[j].shape, q)) {
        dumpError = std::move(e);
        return;
      }
      if (entire) {
        dumpEntire[j] = std::move(q);
        return;
      }
      std::vector<float> f = floatValues(floats[j]);
      if (sites[j].nhwc)
        f = toNchw(f, t.shape());
      const std::vector<float> &e = dumpEntire[j];
      double lo = 0, hi = 0;
      for (const std::vector<float> *v :
           std::initializer_list<const std::vector<float> *>{&f, &e, &q})
        for (float x : *v) {
          lo = std::min<double>(lo, x);
          hi = std::max<double>(hi, x);
        }
      histograms.push_back(llvm::json::Object{
          {"tensor", sites[j].name},
          {"file", stems[j] + ".npy"},
          {"shape", llvm::json::Array(report.layers[j].shape)},
          {"range", llvm::json::Array{lo, hi}},
          {"float", summarise(f, lo, hi)},
          {"entire", summarise(e, lo, hi)},
          {"individual", summarise(q, lo, hi)}});
      dumpEntire[j].clear();
      dumpEntire[j].shrink_to_fit();
    };
  };

  // Entire: the integer program end to end.
  std::vector<Tensor> intOutputs;
  {
    auto t0 = std::chrono::steady_clock::now();
    reference::RunOptions ro;
    ro.observe = &observe;
    ro.onValue = measure(true);
    auto outs = intExec.run(intInputs, ro);
    if (!outs)
      return fail("accuracy analysis: integer run: " +
                  llvm::toString(outs.takeError()));
    if (dumpError)
      return std::move(dumpError);
    intOutputs = std::move(*outs);
    report.entireSeconds = secondsSince(t0);
  }
  // Individual: each quantized tensor, once measured, is replaced by the
  // float tensor quantized at its parameters, so every layer reads float
  // inputs (only quantized) and shows its own error.
  {
    auto t0 = std::chrono::steady_clock::now();
    reference::RunOptions ro;
    ro.observe = &observe;
    ro.onValue = measure(false);
    ro.replace = [&](Operation *op,
                     const Tensor &t) -> std::optional<Tensor> {
      auto it = siteOfIntOp.find(op);
      if (it == siteOfIntOp.end())
        return std::nullopt;
      const Site &s = sites[it->second];
      quant::QParams qp{s.type.getScale(), s.type.getZeroPoint()};
      const int64_t lo = s.type.getStorageTypeMin(),
                    hi = s.type.getStorageTypeMax();
      Tensor r = Tensor::uninitialized(t.elementType(),
                                       std::vector<int64_t>(t.shape()));
      auto f = floats[it->second].values<float>();
      const bool i8 = t.elementType() == ElementType::I8;
      // Elementwise, so cut over the executor's threads like its own ops.
      constexpr int64_t kChunk = 1 << 16;
      llvm::parallelFor(0, (t.numElements() + kChunk - 1) / kChunk,
                        [&](size_t c) {
        const int64_t end =
            std::min<int64_t>(t.numElements(), (int64_t(c) + 1) * kChunk);
        for (int64_t k = int64_t(c) * kChunk; k < end; ++k) {
          int64_t q = quant::quantizeRange(f[k], qp, lo, hi);
          if (i8)
            r.data<int8_t>()[k] = static_cast<int8_t>(q);
          else
            r.data<int16_t>()[k] = static_cast<int16_t>(q);
        }
      });
      return r;
    };
    auto outs = intExec.run(intInputs, ro);
    if (!outs)
      return fail("accuracy analysis: integer run (individual): " +
                  llvm::toString(outs.takeError()));
    if (dumpError)
      return std::move(dumpError);
    report.individualSeconds = secondsSince(t0);
  }

  // --- Outputs: the integer program against float, and the simulator. ---
  for (unsigned r = 0; r < intOutputs.size(); ++r) {
    OutputAccuracy o;
    o.name = reference::resultName(*intFunc, r);
    auto scale = intFunc->getResultAttrOfType<FloatAttr>(r, "tessera.scale");
    auto zp =
        intFunc->getResultAttrOfType<IntegerAttr>(r, "tessera.zero_point");
    auto dt = intFunc->getResultAttrOfType<StringAttr>(r, "tessera.dtype");
    const bool u8 = dt && dt.getValue() == "uint8";
    const Tensor &t = intOutputs[r];
    o.elements = t.numElements();
    std::vector<float> deq(t.numElements());
    if (scale && zp)
      for (int64_t k = 0; k < t.numElements(); ++k)
        deq[k] = static_cast<float>(
            quant::dequantize(t.getInt(k) + (u8 ? 128 : 0),
                              {scale.getValueAsDouble(), zp.getInt()}));
    if (scale && zp && r < floatOutputs.size() &&
        floatOutputs[r].elementType() == ElementType::F32 &&
        floatOutputs[r].numElements() == t.numElements())
      o.entire = compareValues(floatOutputs[r].values<float>(), deq);
    report.outputs.push_back(std::move(o));
  }

  if (opts.program)
    if (llvm::Error e = simulate(*opts.program, opts.simTarget, *intFunc,
                                 intInputs, externalInputs, intOutputs, report))
      return std::move(e);

  if (dump.enabled()) {
    llvm::SmallString<256> p(dump.dir);
    llvm::sys::path::append(p, "histograms.json");
    llvm::json::Value doc = llvm::json::Object{
        {"schema", "tessera-tensor-histograms/1"},
        {"bins", 32},
        {"tensors", std::move(histograms)}};
    if (llvm::Error e = io::writeFile(p, [&](llvm::raw_ostream &os) {
          os << llvm::formatv("{0:2}", doc) << "\n";
          return llvm::Error::success();
        }))
      return std::move(e);
  }
  report.totalSeconds = secondsSince(start);
  return report;
}

//===----------------------------------------------------------------------===//
// JSON and table
//===----------------------------------------------------------------------===//

static llvm::json::Value metricsJson(const ErrorMetrics &m) {
  return llvm::json::Object{
      {"cosine", m.cosine},
      {"euclidean", m.euclidean},
      {"sqnr_db", std::isfinite(m.sqnrDb) ? llvm::json::Value(m.sqnrDb)
                                          : llvm::json::Value(nullptr)},
      {"max_abs", m.maxAbs},
      {"mean_abs", m.meanAbs}};
}

llvm::json::Value accuracyReportToJson(const AccuracyReport &r) {
  llvm::json::Array layers;
  for (const LayerAccuracy &l : r.layers) {
    llvm::json::Array weights;
    for (const WeightQuant &w : l.weights)
      weights.push_back(llvm::json::Object{
          {"node", w.node},
          {"dtype", w.dtype},
          {"per_channel", w.perChannel},
          {"channels", w.channels},
          {"scale_min", w.scaleMin},
          {"scale_max", w.scaleMax},
          {"zero_point_min", w.zeroPointMin},
          {"zero_point_max", w.zeroPointMax}});
    llvm::json::Object o{
        {"tensor", l.tensor},
        {"node", l.node},
        {"op", l.op},
        {"nodes", llvm::json::Array(l.nodes)},
        {"shape", llvm::json::Array(l.shape)},
        {"dtype", l.dtype},
        {"scale", l.scale},
        {"zero_point", l.zeroPoint},
        {"weights", std::move(weights)},
        {"device", l.host ? "cpu" : "npu"},
        {"entire", metricsJson(l.entire)},
        {"individual", metricsJson(l.individual)}};
    if (l.cost)
      o["sim"] = llvm::json::Object{{"cycles", int64_t(l.cost->cycles)},
                                    {"latency_us", l.cost->latencyUs},
                                    {"energy_uj", l.cost->energyUj},
                                    {"macs", int64_t(l.cost->macs)}};
    else
      o["sim"] = nullptr;
    layers.push_back(std::move(o));
  }
  llvm::json::Array outputs;
  for (const OutputAccuracy &o : r.outputs) {
    llvm::json::Object j{{"name", o.name},
                         {"elements", o.elements},
                         {"entire", metricsJson(o.entire)}};
    if (o.mismatches >= 0)
      j["sim_vs_reference"] =
          llvm::json::Object{{"identical", o.mismatches == 0},
                             {"mismatches", o.mismatches},
                             {"max_abs_diff", o.maxAbsDiff}};
    else
      j["sim_vs_reference"] = nullptr;
    outputs.push_back(std::move(j));
  }
  return llvm::json::Object{
      {"schema", "tessera-accuracy-report/1"},
      {"model", r.model},
      {"target", r.target},
      {"input", r.input},
      {"simulated", r.simulated},
      {"layers", std::move(layers)},
      {"outputs", std::move(outputs)},
      {"skipped",
       llvm::json::Object{{"not_quantized", r.notQuantized},
                          {"unmatched", r.unmatched}}},
      {"seconds", llvm::json::Object{{"float", r.floatSeconds},
                                     {"entire", r.entireSeconds},
                                     {"individual", r.individualSeconds},
                                     {"simulate", r.simulateSeconds},
                                     {"total", r.totalSeconds}}}};
}

llvm::Error writeAccuracyReport(const AccuracyReport &r, llvm::StringRef path) {
  llvm::json::Value doc = accuracyReportToJson(r);
  return io::writeFile(path, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", doc) << "\n";
    return llvm::Error::success();
  });
}

std::string formatAccuracyTable(const AccuracyReport &r, size_t top) {
  std::vector<const LayerAccuracy *> order;
  for (const LayerAccuracy &l : r.layers)
    order.push_back(&l);
  std::stable_sort(order.begin(), order.end(),
                   [](const LayerAccuracy *a, const LayerAccuracy *b) {
                     return a->entire.cosine < b->entire.cosine;
                   });
  if (top && order.size() > top)
    order.resize(top);
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::formatv("accuracy: {0} layers, the {1} worst by entire cosine "
                      "(entire: end to end; individual: float inputs)\n",
                      r.layers.size(), order.size());
  os << llvm::formatv("{0,4} {1,-10} {2,-10} {3,9} {4,10} {5,-6} {6,10} "
                      "{7,4} {8,10} {9}\n",
                      "rank", "entire_cos", "indiv_cos", "sqnr_db",
                      "max_abs", "dtype", "scale", "dev", "latency_us",
                      "tensor (node)");
  auto g = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return std::string(buf);
  };
  size_t rank = 0;
  for (const LayerAccuracy *l : order) {
    std::string sqnr = std::isfinite(l->entire.sqnrDb)
                           ? llvm::formatv("{0:f2}", l->entire.sqnrDb).str()
                           : "inf";
    std::string latency =
        l->cost ? llvm::formatv("{0:f2}", l->cost->latencyUs).str() : "-";
    os << llvm::formatv("{0,4} {1,-10:f6} {2,-10:f6} {3,9} {4,10} {5,-6} "
                        "{6,10} {7,4} {8,10} {9} ({10})\n",
                        ++rank, l->entire.cosine, l->individual.cosine, sqnr,
                        g(l->entire.maxAbs), l->dtype, g(l->scale),
                        l->host ? "cpu" : "npu", latency, l->tensor, l->node);
  }
  for (const OutputAccuracy &o : r.outputs) {
    os << llvm::formatv("output {0}: cosine {1:f6} vs float", o.name,
                        o.entire.cosine);
    if (o.mismatches >= 0)
      os << llvm::formatv("; simulator vs integer reference: {0}",
                          o.mismatches == 0
                              ? std::string("identical")
                              : llvm::formatv("{0} of {1} differ (max {2})",
                                              o.mismatches, o.elements,
                                              o.maxAbsDiff)
                                    .str());
    os << "\n";
  }
  return s;
}

} // namespace tessera::analysis
