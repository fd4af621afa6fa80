//===- NodePrecision.cpp - Activation and weight dtypes per ONNX node -----===//
//
// --tessera-quantize's activation-dtype and weight-dtype, overridden per ONNX
// node by node-dtypes ("PATTERN=ACT[:WEIGHT]", PATTERN an ONNX node name or
// an llvm::GlobPattern as --float-nodes takes). The compile driver fills
// node-dtypes from CompileOptions::nodeDtypes (docs/quantization.md,
// "Per-node precision").
//
//===----------------------------------------------------------------------===//

#include "compiler/quant/Passes.h"
#include "compiler/quant/QuantUtils.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/GlobPattern.h"

using namespace mlir;

namespace tessera::quant {
namespace {

/// int8, uint8 or int16 (`allowUInt8`: activations), else none.
std::optional<DType> parseStorageDType(llvm::StringRef name, bool allowUInt8) {
  std::optional<DType> d = parseDType(name.str());
  if (d && (*d == DType::Int8 || *d == DType::Int16 ||
            (allowUInt8 && *d == DType::UInt8)))
    return d;
  return std::nullopt;
}

} // namespace

const NodePrecision::Override *NodePrecision::find(Operation *op) const {
  if (byNode.empty() || !op)
    return nullptr;
  auto it = byNode.find(nodeName(op));
  return it == byNode.end() ? nullptr : &overrides[it->second];
}

DType NodePrecision::activation(Operation *op) const {
  const Override *o = find(op);
  return o ? o->activation : defaultActivation;
}

DType NodePrecision::weight(Operation *op) const {
  const Override *o = find(op);
  return o ? o->weight : defaultWeight;
}

FailureOr<NodePrecision> parseNodePrecision(func::FuncOp func,
                                            const QuantizeOptions &options) {
  NodePrecision p;
  std::optional<DType> act =
      parseStorageDType(options.activationDtype, /*allowUInt8=*/true);
  if (!act)
    return func.emitError() << "unsupported activation-dtype '"
                            << options.activationDtype
                            << "' (expected int8, uint8 or int16)";
  std::optional<DType> weight =
      parseStorageDType(options.weightDtype, /*allowUInt8=*/true);
  if (!weight)
    return func.emitError() << "unsupported weight-dtype '"
                            << options.weightDtype
                            << "' (expected int8, uint8 or int16)";
  p.defaultActivation = *act;
  // int16 weights need int16 activations (i16 x i16 -> i48); a node at
  // 8 bits keeps the scheme's 8-bit weights (int8, or rv1126's uint8).
  DType narrowWeight = *weight == DType::Int16 ? DType::Int8 : *weight;
  p.defaultWeight = *act == DType::Int16 ? *weight : narrowWeight;
  // Every node name once, in first-seen order.
  llvm::SmallVector<std::string> names;
  llvm::StringSet<> seen;
  func.walk([&](Operation *op) {
    std::string name = nodeName(op);
    if (!name.empty() && seen.insert(name).second)
      names.push_back(name);
  });
  for (const std::string &entry : options.nodeDtypes) {
    auto [pattern, dtypes] = llvm::StringRef(entry).rsplit('=');
    auto [a, w] = dtypes.split(':');
    // uint8 only as the default activation dtype (a per-node config
    // restating rv1126's scheme); mixing uint8 and int8 is not supported.
    std::optional<DType> ad = parseStorageDType(
        a, /*allowUInt8=*/p.defaultActivation == DType::UInt8);
    std::optional<DType> wd =
        w.empty() ? std::optional<DType>(DType::Int8)
                  : parseStorageDType(w, /*allowUInt8=*/false);
    if (pattern.empty() || !ad || !wd)
      return func.emitError()
             << "node-dtypes entry '" << entry
             << "': expected PATTERN=ACT[:WEIGHT] with ACT and WEIGHT int8 or "
                "int16";
    if (*ad != DType::Int16)
      wd = narrowWeight;
    llvm::Expected<llvm::GlobPattern> glob =
        llvm::GlobPattern::create(pattern);
    if (!glob)
      return func.emitError() << "node-dtypes pattern '" << pattern
                              << "' is invalid: "
                              << llvm::toString(glob.takeError());
    bool matched = false;
    for (const std::string &name : names)
      if (glob->match(name)) {
        matched = true;
        p.byNode[name] = p.overrides.size(); // the last match wins
      }
    if (!matched)
      return func.emitError() << "node-dtypes pattern '" << pattern
                              << "' matches no ONNX node";
    p.overrides.push_back({pattern.str(), *ad, *wd});
  }
  return p;
}

} // namespace tessera::quant
