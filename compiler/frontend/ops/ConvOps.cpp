//===- ConvOps.cpp - Conv and BatchNormalization -> TOSA ------------------===//
//
// Conv imports to
//   group == 1                    tosa.conv2d, weight OIHW -> OHWI
//   group == C_in, 1 in/group     tosa.depthwise_conv2d, weight -> [KH,KW,C,M]
//   other groups                  per group: tosa.slice + tosa.conv2d, then
//                                 tosa.concat on the channel axis
// BatchNormalization (inference) imports as its per-channel affine form
//   y = x * s + t,  s = gamma / sqrt(var + eps),  t = beta - mean * s
// (ONNX operator doc), a tosa.mul and a tosa.add by constants broadcast along
// the channel axis. After a Conv the graph clean-up's --tessera-fold-batchnorm
// folds both into the Conv's weight and bias (compiler/graph); that pass is
// the only place BN folding happens.
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

llvm::Error importConv(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  auto w = convWeight(imp, node, 1, /*isFloat=*/true);
  if (!w)
    return w.takeError();
  const ConstTensor &wt = **w;

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

  const std::vector<float> &weight = wt.floats;
  auto bias = convBias(imp, node, 2, oc);
  if (!bias)
    return bias.takeError();
  const std::vector<float> &biasData = *bias;

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

  imp.defineNhwc(node, 0, result, outOnnx);
  return llvm::Error::success();
}

llvm::Error importBatchNorm(GraphImporter &imp, const onnx::NodeProto &node) {
  for (int o = 1; o < node.output_size(); ++o)
    if (!node.output(o).empty())
      return imp.nodeError("output " + Twine(o) + " (" +
                           quoteName(node.output(o)) +
                           ") is a training output; only inference "
                           "BatchNormalization (output 0) is supported");
  AttrReader attrs(imp, node);
  float eps = attrs.getFloat("epsilon", 1e-5f);
  int64_t training = attrs.getInt("training_mode", 0);
  if (auto err = attrs.takeError())
    return err;
  if (training != 0)
    return imp.nodeError("training_mode = " + Twine(training) +
                         " is not supported (inference only)");
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  const std::vector<int64_t> &shape = (*x)->shape;
  if (shape.size() < 2)
    return imp.nodeError("input must have rank >= 2 (N, C, ...), got shape " +
                         formatShape(shape));
  const int64_t channels = shape[1];
  static const char *const roles[4] = {"scale", "B", "input_mean", "input_var"};
  std::shared_ptr<const ConstTensor> p[4];
  for (unsigned i = 0; i < 4; ++i) {
    auto c = imp.constantOperand(node, i + 1, roles[i]);
    if (!c)
      return c.takeError();
    if (!(*c)->isFloat() || (*c)->numElements() != channels)
      return imp.nodeError(Twine(roles[i]) + " (" +
                           quoteName(node.input(i + 1)) +
                           ") must hold " + Twine(channels) +
                           " float values (one per channel), got shape " +
                           formatShape((*c)->shape));
    p[i] = *c;
  }
  const auto &gamma = p[0]->floats, &beta = p[1]->floats, &mean = p[2]->floats,
             &var = p[3]->floats;
  // s and t in double, rounded once to f32.
  std::vector<float> scale(channels), offset(channels);
  for (int64_t c = 0; c < channels; ++c) {
    double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
    scale[c] = static_cast<float>(s);
    offset[c] = static_cast<float>(beta[c] - mean[c] * s);
  }

  // A 4-D input stays in the layout it has (NHWC after a Conv): the
  // constants broadcast along its channel axis, [1,1,1,C] or [1,C,1,1].
  ImportedValue &xv = **x;
  const bool nhwc = xv.rank() == 4 && xv.nhwc;
  auto in = nhwc ? imp.asNhwc(xv) : imp.asPlain(xv);
  if (!in)
    return in.takeError();
  std::vector<int64_t> constShape(shape.size(), 1);
  constShape[nhwc ? 3 : 1] = channels;
  Type type = in->getType();
  OpBuilder &b = imp.builder();
  Value s = imp.constFloat(constShape, scale);
  Value t = imp.constFloat(constShape, offset);
  auto shiftType = imp.tensorType({1}, b.getI8Type());
  Value shift = tosa::ConstOp::create(
      b, imp.loc(), shiftType,
      DenseElementsAttr::get(shiftType, b.getI8IntegerAttr(0)));
  Value scaled = tosa::MulOp::create(b, imp.loc(), type, *in, s, shift);
  Value result = tosa::AddOp::create(b, imp.loc(), type, scaled, t);
  if (nhwc)
    imp.defineNhwc(node, 0, result, shape);
  else
    imp.definePlain(node, 0, result, shape);
  return llvm::Error::success();
}

} // namespace

void registerConvOps(OpTable &table) {
  table["Conv"] = importConv;
  table["BatchNormalization"] = importBatchNorm;
}

} // namespace tessera::frontend
