//===- Window.cpp - ONNX sliding-window attributes -> TOSA form -----------===//

#include "compiler/frontend/ops/Window.h"
#include "compiler/frontend/ops/ShapeUtil.h"

#include "onnx/onnx_pb.h"

using llvm::Twine;

namespace tessera::frontend {

namespace {
llvm::Error readPair(GraphImporter &imp, AttrReader &attrs,
                     llvm::StringRef name, std::array<int64_t, 2> &out) {
  if (!attrs.has(name))
    return llvm::Error::success();
  std::vector<int64_t> v = attrs.getInts(name, {});
  if (auto err = attrs.takeError())
    return err;
  if (auto err = checkWindowAttr(imp, "attribute '" + name.str() + "'", v))
    return err;
  if (v.size() != 2 || v[0] < 1 || v[1] < 1)
    return imp.nodeError("attribute " + quoteName(name) +
                         " must hold 2 positive values (2-D window), got " +
                         Twine(v.size()) + " values");
  out = {v[0], v[1]};
  return llvm::Error::success();
}
} // namespace

llvm::Expected<std::shared_ptr<const ConstTensor>>
convWeight(GraphImporter &imp, const onnx::NodeProto &node, unsigned i,
           bool isFloat) {
  auto w = imp.constantOperand(node, i, "weight");
  if (!w)
    return w.takeError();
  if ((*w)->shape.size() != 4 || (*w)->isFloat() != isFloat)
    return imp.nodeError(Twine("weight must be a 4-D ") +
                         (isFloat ? "float" : "integer") +
                         " tensor, got shape " + formatShape((*w)->shape));
  return *w;
}

llvm::Expected<std::vector<float>> convBias(GraphImporter &imp,
                                            const onnx::NodeProto &node,
                                            unsigned i, int64_t oc) {
  auto bias = imp.optionalOperand(node, i);
  if (!bias)
    return bias.takeError();
  if (!*bias)
    return std::vector<float>(oc, 0.0f);
  if (!(*bias)->isConstant() || !(*bias)->constant->isFloat() ||
      (*bias)->constant->numElements() != oc)
    return imp.nodeError("bias (" + quoteName(node.input(i)) +
                         ") must be a constant float tensor of " + Twine(oc) +
                         " values");
  return (*bias)->constant->floats;
}

llvm::Error computeWindow(GraphImporter &imp, AttrReader &attrs,
                          std::array<int64_t, 2> in,
                          std::optional<std::array<int64_t, 2>> kernel,
                          bool allowCeil, bool allowDilation, Window2d &w) {
  if (kernel) {
    w.kernel = *kernel;
    if (attrs.has("kernel_shape")) {
      std::array<int64_t, 2> ks{0, 0};
      if (auto err = readPair(imp, attrs, "kernel_shape", ks))
        return err;
      if (ks != *kernel)
        return imp.nodeError("attribute 'kernel_shape' disagrees with the "
                             "weight's kernel size");
    }
  } else {
    if (!attrs.has("kernel_shape"))
      return imp.nodeError("attribute 'kernel_shape' is required");
    if (auto err = readPair(imp, attrs, "kernel_shape", w.kernel))
      return err;
  }
  if (auto err = readPair(imp, attrs, "strides", w.stride))
    return err;
  if (auto err = readPair(imp, attrs, "dilations", w.dilation))
    return err;
  if (!allowDilation && (w.dilation[0] != 1 || w.dilation[1] != 1))
    return imp.nodeError("attribute 'dilations' other than 1 is not supported");

  int64_t ceilMode = attrs.getInt("ceil_mode", 0);
  std::string autoPad = attrs.getString("auto_pad", "NOTSET");
  std::vector<int64_t> pads = attrs.getInts("pads", {0, 0, 0, 0});
  if (auto err = attrs.takeError())
    return err;
  if (ceilMode != 0 && (!allowCeil || ceilMode != 1))
    return imp.nodeError("attribute 'ceil_mode' value " + Twine(ceilMode) +
                         " is not supported");

  std::array<int64_t, 2> ek; // effective kernel extent
  for (int d = 0; d < 2; ++d)
    ek[d] = (w.kernel[d] - 1) * w.dilation[d] + 1;

  if (autoPad == "NOTSET") {
    if (pads.size() != 4)
      return imp.nodeError("attribute 'pads' must hold 4 values for a 2-D "
                           "window, got " +
                           Twine(pads.size()));
    for (int64_t p : pads)
      if (p < 0)
        return imp.nodeError("attribute 'pads' has a negative value");
    if (auto err = checkWindowAttr(imp, "attribute 'pads'", pads))
      return err;
    // ONNX: [x1_begin, x2_begin, x1_end, x2_end].
    w.onnxPadBegin = {pads[0], pads[1]};
    w.onnxPadEnd = {pads[2], pads[3]};
  } else if (autoPad == "VALID") {
    w.onnxPadBegin = w.onnxPadEnd = {0, 0};
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // ONNX: output = ceil(in / stride), padding split evenly with the odd
    // one at the end (SAME_UPPER) or at the beginning (SAME_LOWER).
    for (int d = 0; d < 2; ++d) {
      int64_t out = (in[d] + w.stride[d] - 1) / w.stride[d];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.stride[d] + ek[d] - in[d]);
      int64_t small = total / 2, big = total - small;
      w.onnxPadBegin[d] = autoPad == "SAME_UPPER" ? small : big;
      w.onnxPadEnd[d] = autoPad == "SAME_UPPER" ? big : small;
    }
  } else {
    return imp.nodeError("attribute 'auto_pad' value " + quoteName(autoPad) +
                         " is not supported");
  }

  for (int d = 0; d < 2; ++d) {
    int64_t span = in[d] + w.onnxPadBegin[d] + w.onnxPadEnd[d] - ek[d];
    if (span < 0)
      return imp.nodeError("window " + Twine(ek[d]) +
                           " is larger than the padded input " +
                           Twine(in[d] + w.onnxPadBegin[d] + w.onnxPadEnd[d]));
    int64_t out = span / w.stride[d] + 1;
    if (ceilMode && span % w.stride[d] != 0) {
      out = span / w.stride[d] + 2;
      // As onnxruntime and PyTorch: the last window must start inside the
      // input or its begin padding, else it is dropped.
      if ((out - 1) * w.stride[d] >= in[d] + w.onnxPadBegin[d])
        --out;
    }
    w.out[d] = out;
    int64_t needed = (out - 1) * w.stride[d] + ek[d];
    int64_t have = in[d] + w.onnxPadBegin[d] + w.onnxPadEnd[d];
    w.padBegin[d] = w.onnxPadBegin[d];
    w.padEnd[d] = w.onnxPadEnd[d];
    if (needed > have) {
      w.padEnd[d] += needed - have;
    } else {
      int64_t excess = have - needed;
      int64_t fromPad = std::min(excess, w.padEnd[d]);
      w.padEnd[d] -= fromPad;
      w.crop[d] = excess - fromPad;
    }
  }
  return llvm::Error::success();
}

mlir::Value cropNhwc(GraphImporter &imp, mlir::Value nhwc, const Window2d &w) {
  if (w.crop[0] == 0 && w.crop[1] == 0)
    return nhwc;
  auto shape = llvm::cast<mlir::RankedTensorType>(nhwc.getType()).getShape();
  return imp.slice(
      nhwc, {0, 0, 0, 0},
      {shape[0], shape[1] - w.crop[0], shape[2] - w.crop[1], shape[3]});
}

} // namespace tessera::frontend
