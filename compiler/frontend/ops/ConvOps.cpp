//===- ConvOps.cpp - Conv (+ folded BatchNormalization) -> tosa conv ------===//
//
// Conv imports to
//   group == 1                    tosa.conv2d, weight OIHW -> OHWI
//   group == C_in, 1 in/group     tosa.depthwise_conv2d, weight -> [KH,KW,C,M]
//   other groups                  per group: tosa.slice + tosa.conv2d, then
//                                 tosa.concat on the channel axis
// A BatchNormalization whose input is a Conv output used only by it is
// folded into the Conv's weight and bias (W' = W * s, b' = (b - mean) * s +
// beta, s = gamma / sqrt(var + eps); ONNX BatchNormalization inference).
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"
#include "compiler/frontend/ops/Window.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

struct BatchNormParams {
  std::vector<double> scale, shift; // y = x * scale + shift, per channel
};

/// The BatchNormalization that consumes `conv`'s output and can be folded
/// into it, with its per-channel affine form; std::nullopt if there is none.
std::optional<BatchNormParams>
findFoldableBatchNorm(GraphImporter &imp, const onnx::NodeProto &conv,
                      int64_t channels, const onnx::NodeProto *&bn) {
  bn = imp.soleConsumer(conv.output(0));
  if (!bn || bn->op_type() != "BatchNormalization" ||
      !(bn->domain().empty() || bn->domain() == "ai.onnx") ||
      bn->input_size() < 5 || bn->input(0) != conv.output(0))
    return std::nullopt;
  for (int o = 1; o < bn->output_size(); ++o)
    if (!bn->output(o).empty())
      return std::nullopt; // training outputs: not an inference BN
  AttrReader attrs(imp, *bn);
  float eps = attrs.getFloat("epsilon", 1e-5f);
  int64_t training = attrs.getInt("training_mode", 0);
  if (attrs.takeError() || training != 0)
    return std::nullopt;
  std::shared_ptr<const ConstTensor> p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = imp.knownConstant(bn->input(i + 1));
    if (!p[i] || !p[i]->isFloat() || p[i]->numElements() != channels)
      return std::nullopt;
  }
  const auto &gamma = p[0]->floats, &beta = p[1]->floats, &mean = p[2]->floats,
             &var = p[3]->floats;
  BatchNormParams out;
  for (int64_t c = 0; c < channels; ++c) {
    double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
    out.scale.push_back(s);
    out.shift.push_back(beta[c] - mean[c] * s);
  }
  return out;
}

llvm::Error importConv(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  auto w = imp.constantOperand(node, 1, "weight");
  if (!w)
    return w.takeError();
  auto bias = imp.optionalOperand(node, 2);
  if (!bias)
    return bias.takeError();
  const ConstTensor &wt = **w;
  if (wt.shape.size() != 4 || !wt.isFloat())
    return imp.nodeError("weight must be a 4-D float tensor, got shape " +
                         formatShape(wt.shape));

  AttrReader attrs(imp, node);
  int64_t group = attrs.getInt("group", 1);
  if (auto err = attrs.takeError())
    return err;
  const auto &xs = (*x)->shape;
  int64_t n = xs[0], c = xs[1], oc = wt.shape[0], icPerGroup = wt.shape[1];
  int64_t kh = wt.shape[2], kw = wt.shape[3];
  if (group < 1 || c % group != 0 || oc % group != 0 || icPerGroup * group != c)
    return imp.nodeError("attribute 'group' = " + Twine(group) +
                         " does not fit input channels " + Twine(c) +
                         " and weight shape " + formatShape(wt.shape));

  Window2d win;
  if (auto err = computeWindow(
          imp, attrs, {xs[2], xs[3]}, std::array<int64_t, 2>{kh, kw},
          /*allowCeil=*/false, /*allowDilation=*/true, win))
    return err;

  // Weight and bias as host data, with a following BatchNormalization
  // folded in.
  std::vector<float> weight = wt.floats;
  std::vector<float> biasData(oc, 0.0f);
  if (*bias) {
    if (!(*bias)->isConstant() || !(*bias)->constant->isFloat() ||
        (*bias)->constant->numElements() != oc)
      return imp.nodeError("bias ('" + node.input(2) +
                           "') must be a constant float tensor of " +
                           Twine(oc) + " values");
    biasData = (*bias)->constant->floats;
  }
  const onnx::NodeProto *bn = nullptr;
  std::string outName = node.output(0);
  if (auto fold = findFoldableBatchNorm(imp, node, oc, bn)) {
    int64_t perOut = icPerGroup * kh * kw;
    for (int64_t o = 0; o < oc; ++o) {
      for (int64_t i = 0; i < perOut; ++i)
        weight[o * perOut + i] =
            static_cast<float>(weight[o * perOut + i] * fold->scale[o]);
      biasData[o] =
          static_cast<float>(biasData[o] * fold->scale[o] + fold->shift[o]);
    }
    imp.noteFused(*bn);
    imp.markFolded(*bn);
    outName = bn->output(0);
  }

  auto input = imp.asNhwc(**x);
  if (!input)
    return input.takeError();
  Value in = cropNhwc(imp, *input, win);
  std::vector<int64_t> outOnnx = {n, oc, win.out[0], win.out[1]};
  auto outType = imp.tensorType({n, win.out[0], win.out[1], oc});
  auto pad = win.tosaPad();
  Type acc = imp.f32();
  Value result;

  if (group == 1) {
    Value wv = imp.constFloat({oc, kh, kw, icPerGroup},
                              transposeData(weight, wt.shape, {0, 2, 3, 1}));
    Value bv = imp.constFloat({oc}, biasData);
    Value zp = imp.zeroPoint();
    result =
        tosa::Conv2DOp::create(imp.builder(), imp.loc(), outType, in, wv, bv,
                               zp, zp, pad, win.stride, win.dilation, acc);
  } else if (icPerGroup == 1) {
    // Depthwise: output channel o = ch * M + m reads input channel ch; TOSA
    // orders the weight [KH, KW, C, M] and the output the same way.
    int64_t mult = oc / c;
    Value wv =
        imp.constFloat({kh, kw, c, mult},
                       transposeData(weight, {c, mult, kh, kw}, {2, 3, 0, 1}));
    Value bv = imp.constFloat({oc}, biasData);
    Value zp = imp.zeroPoint();
    result = tosa::DepthwiseConv2DOp::create(imp.builder(), imp.loc(), outType,
                                             in, wv, bv, zp, zp, pad,
                                             win.stride, win.dilation, acc);
  } else {
    int64_t ocPerGroup = oc / group;
    auto inShape = cast<RankedTensorType>(in.getType()).getShape();
    auto groupType = imp.tensorType({n, win.out[0], win.out[1], ocPerGroup});
    int64_t perOut = icPerGroup * kh * kw;
    llvm::SmallVector<Value> parts;
    for (int64_t g = 0; g < group; ++g) {
      Value part = imp.slice(in, {0, 0, 0, g * icPerGroup},
                             {inShape[0], inShape[1], inShape[2], icPerGroup});
      llvm::ArrayRef<float> wg(weight.data() + g * ocPerGroup * perOut,
                               ocPerGroup * perOut);
      Value wv = imp.constFloat(
          {ocPerGroup, kh, kw, icPerGroup},
          transposeData(wg, {ocPerGroup, icPerGroup, kh, kw}, {0, 2, 3, 1}));
      Value bv = imp.constFloat(
          {ocPerGroup},
          llvm::ArrayRef<float>(biasData.data() + g * ocPerGroup, ocPerGroup));
      Value zp = imp.zeroPoint();
      parts.push_back(tosa::Conv2DOp::create(
          imp.builder(), imp.loc(), groupType, part, wv, bv, zp, zp, pad,
          win.stride, win.dilation, acc));
    }
    result = tosa::ConcatOp::create(imp.builder(), imp.loc(), outType, parts,
                                    /*axis=*/3u);
  }

  ImportedValue out;
  out.shape = outOnnx;
  out.nhwc = result;
  imp.defineNamed(outName, std::move(out), result);
  return llvm::Error::success();
}

llvm::Error importBatchNorm(GraphImporter &imp, const onnx::NodeProto &node) {
  // Reached only when the node could not be folded into its producer.
  return imp.nodeError(
      "BatchNormalization is supported only when folded into a preceding "
      "Conv (input from a Conv used by nothing else, constant scale, bias, "
      "mean and var, inference mode)");
}

} // namespace

void registerConvOps(OpTable &table) {
  table["Conv"] = importConv;
  table["BatchNormalization"] = importBatchNorm;
}

} // namespace tessera::frontend
