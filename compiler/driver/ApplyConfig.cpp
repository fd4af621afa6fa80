//===- ApplyConfig.cpp - A per-node config applied to a model -------------===//
#include "compiler/driver/ApplyConfig.h"

#include "compiler/patterns/NodeName.h"
#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/GlobPattern.h"

#include <cstdio>

namespace tessera::driver {
namespace {

llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string schemeNames(const target::Target &t) {
  std::string names;
  for (const target::QuantScheme &s : t.quantization.schemes)
    names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

std::string dtypeNames(const target::Target &t) {
  std::string names;
  for (quant::DType d : t.dtypes)
    names += (names.empty() ? "" : ", ") + std::string(quant::dtypeName(d));
  return names;
}

bool isHost(mlir::Operation *op) {
  auto d = op->getAttrOfType<mlir::StringAttr>(quant::kDeviceAttr);
  return d && d.getValue() == quant::kHostDevice;
}

/// The storage width of a quantized type (8 or 16; 0: not quantized).
/// uint8 activations are stored as i8 with the zero point moved by 128
/// already at the quant level, so the width is what the type tells.
unsigned storageBits(mlir::Type t) {
  auto q = llvm::dyn_cast<mlir::quant::QuantizedType>(
      mlir::getElementTypeOrSelf(t));
  return q ? q.getStorageTypeIntegralWidth() : 0;
}

} // namespace

llvm::Error applyConfigDefaults(const NodeConfig &c,
                                const target::Target &target,
                                CompileOptions &opts) {
  const char *rule = " (a flag and the config's top level may not disagree; "
                     "change one of them)";
  if (c.target && c.target->value != target.name)
    return fail(c.at(c.target->line, "target") + "the config is for target " +
                c.target->value + ", not " + target.name);
  if (c.scheme) {
    if (!opts.scheme.empty() && opts.scheme != c.scheme->value)
      return fail(c.at(c.scheme->line, "scheme") + c.scheme->value +
                  " contradicts --scheme " + opts.scheme + rule);
    opts.scheme = c.scheme->value;
  }
  if (c.calibrationMethod) {
    const char *name = quant::calibrationMethodName(c.calibrationMethod->value);
    auto flag = quant::parseCalibrationMethod(opts.calibrationMethod);
    if (!opts.calibrationMethod.empty() && flag &&
        *flag != c.calibrationMethod->value)
      return fail(c.at(c.calibrationMethod->line, "calibration_method") +
                  name + " contradicts --calibration-method " +
                  opts.calibrationMethod + rule);
    if (opts.calibrationMethod.empty())
      opts.calibrationMethod = name;
  }
  if (c.percentile) {
    if (opts.percentile && *opts.percentile != c.percentile->value)
      return fail(c.at(c.percentile->line, "percentile") +
                  number(c.percentile->value) + " contradicts --percentile " +
                  number(*opts.percentile) + rule);
    auto method = quant::parseCalibrationMethod(
        opts.calibrationMethod.empty() ? target.quantization.calibrationMethod
                                       : opts.calibrationMethod);
    if (method != quant::CalibrationMethod::Percentile)
      return fail(c.at(c.percentile->line, "percentile") +
                  "applies to calibration_method percentile, not " +
                  (method ? quant::calibrationMethodName(*method) : "?"));
    opts.percentile = c.percentile->value;
  }
  if (opts.noFallback)
    for (const NodeConfigEntry &e : c.nodes)
      if (e.device && e.device->value == Device::Cpu)
        return fail(c.at(e.device->line, "device") + "'" + e.pattern +
                    "': cpu runs nodes on the host, which --no-fallback "
                    "forbids");
  return llvm::Error::success();
}

llvm::Expected<ConfigPlan>
planConfig(std::optional<NodeConfig> config, mlir::func::FuncOp func,
           bool preQuantized, const target::Target &target,
           const target::QuantScheme &scheme,
           const quant::CalibrationOptions &method, CompileOptions &opts) {
  ConfigPlan plan;
  plan.preQuantized = preQuantized;
  plan.scheme = scheme.name;
  plan.method = method;
  llvm::StringSet<> seen;
  func.walk([&](mlir::Operation *op) {
    std::string n = patterns::onnxNodeName(op);
    if (!n.empty() && seen.insert(n).second)
      plan.nodes.push_back(n);
  });
  if (!preQuantized)
    for (mlir::Operation *op : quant::rangedOps(func))
      if (std::string n = patterns::onnxNodeName(op); !n.empty())
        plan.calibrated.insert(n);
  if (!config)
    return plan;
  plan.config = std::move(config);
  const NodeConfig &c = *plan.config;
  auto resolved = resolveNodeConfig(c, plan.nodes);
  if (!resolved)
    return resolved.takeError();
  plan.resolved = std::move(*resolved);

  // Each entry's fields, against the model and the target.
  for (auto [e, matches] : llvm::zip(c.nodes, plan.resolved.matches)) {
    std::string at = "'" + e.pattern + "': ";
    if (preQuantized) {
      std::pair<unsigned, const char *> fields[] = {
          {e.dtype ? e.dtype->line : 0, "dtype"},
          {e.scheme ? e.scheme->line : 0, "scheme"},
          {e.calibrationMethod ? e.calibrationMethod->line : 0,
           "calibration_method"},
          {e.percentile ? e.percentile->line : 0, "percentile"}};
      for (auto [line, field] : fields)
        if (line)
          return fail(c.at(line, field) + at +
                      "the model is pre-quantized (QDQ): its quantization "
                      "is its own; only device applies");
    }
    if (e.calibrationMethod || e.percentile) {
      bool any = llvm::any_of(matches, [&](const std::string &n) {
        return plan.calibrated.contains(n);
      });
      if (!any)
        return fail(
            c.at(e.calibrationMethod ? e.calibrationMethod->line
                                     : e.percentile->line,
                 e.calibrationMethod ? "calibration_method" : "percentile") +
            at + "matches no node with a calibrated output tensor (the "
                 "range of a Conv fused with its activation, or of a "
                 "Reshape, comes from a neighbour's)");
    }
    if (e.scheme) {
      const target::QuantScheme *s = target.findScheme(e.scheme->value);
      if (!s)
        return fail(c.at(e.scheme->line, "scheme") + at + "target " +
                    target.name + " has no scheme '" + e.scheme->value +
                    "' (its schemes: " + schemeNames(target) + ")");
      // Mixed precision changes activation dtypes only: the weights,
      // symmetry and scale rule stay the default scheme's.
      std::vector<std::string> differs;
      if (s->activation.symmetric != scheme.activation.symmetric)
        differs.push_back("activation symmetry");
      if (!(s->weight == scheme.weight))
        differs.push_back("weights");
      if (s->powerOfTwoScale != scheme.powerOfTwoScale)
        differs.push_back("power_of_two_scale");
      if (!differs.empty())
        return fail(c.at(e.scheme->line, "scheme") + at + "scheme " + s->name +
                    " differs from the default scheme " + scheme.name +
                    " in " + llvm::join(differs, ", ") +
                    "; a per-node scheme may differ from the default only in "
                    "its activation dtype (or use --scheme " + s->name +
                    " for the whole model)");
      if (!target.supports(s->activation.dtype))
        return fail(c.at(e.scheme->line, "scheme") + at + "target " +
                    target.name + " does not support " +
                    quant::dtypeName(s->activation.dtype) + " (its dtypes: " +
                    dtypeNames(target) + ")");
    }
    if (e.dtype && !target.supports(e.dtype->value))
      return fail(c.at(e.dtype->line, "dtype") + at + "target " + target.name +
                  " does not support " + quant::dtypeName(e.dtype->value) +
                  " (its dtypes: " + dtypeNames(target) + ")");
  }

  // Per node, in graph order.
  std::vector<llvm::GlobPattern> floatGlobs;
  for (const std::string &f : opts.floatNodes)
    if (auto g = llvm::GlobPattern::create(f))
      floatGlobs.push_back(std::move(*g));
    else
      llvm::consumeError(g.takeError()); // reported by the fold
  for (const std::string &n : plan.nodes) {
    const NodeSettings *s = plan.settings(n);
    if (!s)
      continue;
    std::optional<quant::DType> dtype;
    unsigned dtypeLine = 0;
    if (s->dtype) {
      dtype = s->dtype->value;
      dtypeLine = s->dtype->line;
    } else if (s->scheme) {
      dtype = target.findScheme(s->scheme->value)->activation.dtype;
      dtypeLine = s->scheme->line;
    }
    if (dtype) {
      if (*dtype != scheme.activation.dtype &&
          !target.quantization.perLayerSchemes)
        return fail(c.at(dtypeLine, s->dtype ? "dtype" : "scheme") + "'" + n +
                    "': target " + target.name +
                    " does not allow per-layer schemes (per_layer_schemes: "
                    "false)");
      opts.nodeDtypes.push_back({globEscape(n), *dtype});
    }
    if (s->calibrationMethod || s->percentile) {
      quant::CalibrationOptions m = method;
      if (s->calibrationMethod)
        m.method = s->calibrationMethod->value;
      if (s->percentile) {
        if (m.method != quant::CalibrationMethod::Percentile)
          return fail(c.at(s->percentile->line, "percentile") + "'" + n +
                      "': applies to calibration_method percentile, not " +
                      quant::calibrationMethodName(m.method));
        m.percentile = s->percentile->value;
      }
      if (plan.calibrated.contains(n))
        plan.nodeMethods[n] = m;
    }
    if (s->device && s->device->value == Device::Npu)
      for (auto [g, text] : llvm::zip(floatGlobs, opts.floatNodes))
        if (g.match(n))
          return fail(c.at(s->device->line, "device") + "'" + n +
                      "': npu contradicts --float-nodes " + text +
                      ", which runs it on the host");
  }
  return plan;
}

void pinConfigHostNodes(const ConfigPlan &plan, mlir::ModuleOp quantLevel) {
  if (!plan.config)
    return;
  mlir::Builder b(quantLevel.getContext());
  quantLevel.walk([&](mlir::Operation *op) {
    const NodeSettings *s = plan.settings(patterns::onnxNodeName(op));
    if (!s || !s->device || s->device->value != Device::Cpu ||
        op->hasAttr(quant::kHostReasonAttr))
      return;
    op->setAttr(quant::kHostReasonAttr,
                b.getStringAttr("pinned by " + plan.config->path + ":" +
                                std::to_string(s->device->line) +
                                " (device: cpu)"));
  });
}

llvm::Error checkConfigDevices(const ConfigPlan &plan, mlir::ModuleOp intLevel,
                               llvm::ArrayRef<std::string> notes) {
  if (!plan.config)
    return llvm::Error::success();
  llvm::Error err = llvm::Error::success();
  intLevel.walk([&](mlir::Operation *op) {
    if (err || !isHost(op))
      return;
    std::string n = patterns::onnxNodeName(op);
    const NodeSettings *s = plan.settings(n);
    if (!s || !s->device || s->device->value != Device::Npu)
      return;
    std::string reason = "it cannot run on the NPU";
    std::string prefix = "note: node '" + n + "' (";
    for (const std::string &note : notes)
      if (llvm::StringRef(note).starts_with(prefix)) {
        size_t at = note.find(") runs on the host: ");
        if (at != std::string::npos)
          reason = note.substr(at + 20);
      }
    err = fail(plan.config->at(s->device->line, "device") + "'" + n +
               "' is npu in the config but runs on the host: " + reason);
  });
  return err;
}

std::string printChosenConfig(const ConfigPlan &plan,
                              const target::Target &target,
                              mlir::ModuleOp quantLevel,
                              mlir::ModuleOp intLevel) {
  // Nodes with integer (or host) ops, and which of them run on the host.
  llvm::StringSet<> quantized, host;
  intLevel.walk([&](mlir::Operation *op) {
    if (op->hasTrait<mlir::OpTrait::ConstantLike>() ||
        op->hasTrait<mlir::OpTrait::IsTerminator>())
      return;
    std::string n = patterns::onnxNodeName(op);
    if (n.empty())
      return;
    if (isHost(op)) {
      host.insert(n);
      quantized.insert(n);
    }
    for (mlir::Type t : op->getResultTypes())
      if (mlir::getElementTypeOrSelf(t).isInteger())
        quantized.insert(n);
  });
  // Each node's activation width: the quantized type of its output.
  llvm::StringMap<unsigned> widths;
  quantLevel.walk([&](mlir::quant::QuantizeCastOp q) {
    mlir::Operation *def = q.getInput().getDefiningOp();
    if (!def || def->hasTrait<mlir::OpTrait::ConstantLike>())
      return;
    if (unsigned bits = storageBits(q.getType()))
      widths.try_emplace(patterns::onnxNodeName(def), bits);
  });
  const target::QuantScheme *defaultScheme = target.findScheme(plan.scheme);

  NodeConfig out;
  out.target = Located<std::string>{target.name, 0};
  if (!plan.preQuantized) {
    out.scheme = Located<std::string>{plan.scheme, 0};
    out.calibrationMethod =
        Located<quant::CalibrationMethod>{plan.method.method, 0};
    if (plan.method.method == quant::CalibrationMethod::Percentile)
      out.percentile = Located<double>{plan.method.percentile, 0};
  }
  for (const std::string &n : plan.nodes) {
    // A calibrated node whose ops folded into a neighbour's (a Relu into
    // an asymmetric Conv's rescale) still owns its quantized tensor.
    if (!quantized.contains(n) && !plan.calibrated.contains(n))
      continue;
    const NodeSettings *s = plan.settings(n);
    NodeConfigEntry &e = out.nodes.emplace_back();
    e.pattern = n;
    if (!plan.preQuantized) {
      // The dtype the settings ask for (the node's, else the default
      // scheme's), checked against the width the quantizer gave it.
      quant::DType dtype = s && s->dtype ? s->dtype->value
                           : s && s->scheme
                               ? target.findScheme(s->scheme->value)
                                     ->activation.dtype
                               : defaultScheme->activation.dtype;
      auto w = widths.find(n);
      if (w != widths.end() &&
          w->second != unsigned(quant::dtypeInfo(dtype).bits))
        dtype = w->second == 16 ? quant::DType::Int16 : quant::DType::Int8;
      e.dtype = Located<quant::DType>{dtype, 0};
      e.scheme = Located<std::string>{
          s && s->scheme ? s->scheme->value : plan.scheme, 0};
      if (plan.calibrated.contains(n)) {
        auto m = plan.nodeMethods.find(n);
        const quant::CalibrationOptions &opts =
            m != plan.nodeMethods.end() ? m->second : plan.method;
        e.calibrationMethod = Located<quant::CalibrationMethod>{opts.method, 0};
        if (opts.method == quant::CalibrationMethod::Percentile)
          e.percentile = Located<double>{opts.percentile, 0};
      }
    }
    e.device = Located<Device>{host.contains(n) ? Device::Cpu : Device::Npu, 0};
  }
  return printNodeConfig(out);
}

} // namespace tessera::driver
