//===- NormalizationOps.cpp - Layer/Instance/GroupNormalization -> TOSA ---===//
//
// Float only. All three normalize x over a set of axes as ONNX's function
// bodies do (LayerNormalization-17's, in f32):
//   mean = reduce_sum(x) * (1/n),  d = x - mean,
//   var = reduce_sum(d * d) * (1/n),  inv = rsqrt(var + epsilon),
//   y = d * inv * scale + bias
// with one tosa.reduce_sum per axis (the reference executor sums in double)
// and the reduced axes kept with extent 1, so mean and inv broadcast back.
//
//   LayerNormalization   axes [axis, rank) of x in its physical layout
//                        (an NHWC x stays NHWC); scale and B broadcast
//                        unidirectionally to x (Elementwise.h). The optional
//                        Mean and InvStdDev outputs are mean and inv.
//   GroupNormalization   x [N, C, spatial...] in num_groups groups of C/G
//                        channels: ONNX order is reshaped to
//                        [N, G, C/G, S] and reduced over axes 2, 3; an NHWC
//                        x to [N, H*W, G, C/G] and reduced over axes 1, 3
//                        (no transpose). scale and bias are per channel from
//                        opset 21, per group at opsets 18-20 (their
//                        GroupNormalization-18), applied in the grouped
//                        shape, which is then reshaped back.
//   InstanceNormalization  GroupNormalization with G = C.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

struct Normalized {
  Value y, mean, invStdDev;
};

/// (v - mean) * rsqrt(var + epsilon) over physical axes `axes` of `v`.
Normalized normalize(GraphImporter &imp, Value v, llvm::ArrayRef<int64_t> axes,
                     float epsilon) {
  OpBuilder &b = imp.builder();
  auto type = cast<RankedTensorType>(v.getType());
  Normalized r;
  r.mean = reduceMean(imp, v, axes);
  Value d = tosa::SubOp::create(b, imp.loc(), type, v, r.mean);
  Value var = reduceMean(imp, createMul(imp, type, d, d), axes);
  Value varEps = tosa::AddOp::create(b, imp.loc(), var.getType(), var,
                                     splatConst(imp, epsilon, type.getRank()));
  r.invStdDev = tosa::RsqrtOp::create(b, imp.loc(), var.getType(), varEps);
  r.y = createMul(imp, type, d, r.invStdDev);
  return r;
}

llvm::Error checkEpsilon(GraphImporter &imp, float epsilon) {
  if (!std::isfinite(epsilon) || epsilon < 0)
    return imp.nodeError("attribute 'epsilon' must be finite and >= 0, got " +
                         Twine(std::to_string(epsilon)));
  return llvm::Error::success();
}

llvm::Error checkStashType(GraphImporter &imp, int64_t stashType) {
  if (stashType != onnx::TensorProto::FLOAT)
    return imp.nodeError("attribute 'stash_type' = " + Twine(stashType) +
                         " is not supported (only 1, float32)");
  return llvm::Error::success();
}

/// `v` (ONNX shape `shape`, NHWC physically if `nhwc`) times `scale` plus
/// `bias`, both broadcasting unidirectionally to it.
llvm::Expected<Value> affine(GraphImporter &imp, Value v,
                             std::vector<int64_t> shape, bool nhwc,
                             ImportedValue &scale, ImportedValue *bias) {
  ImportedValue acc;
  acc.shape = std::move(shape);
  (nhwc ? acc.nhwc : acc.plain) = v;
  auto ops = broadcastOperands(imp, acc, scale, /*unidirectional=*/true);
  if (!ops)
    return ops.takeError();
  Value y = createMul(imp, ops->type, ops->lhs, ops->rhs);
  if (!bias)
    return y;
  (nhwc ? acc.nhwc : acc.plain) = y;
  ops = broadcastOperands(imp, acc, *bias, /*unidirectional=*/true);
  if (!ops)
    return ops.takeError();
  return tosa::AddOp::create(imp.builder(), imp.loc(), ops->type, ops->lhs,
                             ops->rhs)
      .getResult();
}

llvm::Error importLayerNorm(GraphImporter &imp, const onnx::NodeProto &node) {
  if (imp.opset() < 17)
    return imp.nodeError("LayerNormalization needs opset >= 17, the model "
                         "has opset " +
                         Twine(imp.opset()));
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto scale = imp.operand(node, 1);
  if (!scale)
    return scale.takeError();
  auto bias = imp.optionalOperand(node, 2);
  if (!bias)
    return bias.takeError();
  AttrReader attrs(imp, node);
  int64_t axisAttr = attrs.getInt("axis", -1);
  float epsilon = attrs.getFloat("epsilon", 1e-5f);
  int64_t stashType = attrs.getInt("stash_type", onnx::TensorProto::FLOAT);
  if (auto err = attrs.takeError())
    return err;
  if (auto err = checkEpsilon(imp, epsilon))
    return err;
  if (auto err = checkStashType(imp, stashType))
    return err;
  int64_t rank = (*x)->rank();
  auto axis = normalizeAxis(imp, axisAttr, rank, rank);
  if (!axis)
    return axis.takeError();

  auto in = physicalValue(imp, **x);
  if (!in)
    return in.takeError();
  SmallVector<int64_t> axes;
  std::vector<int64_t> reducedShape = (*x)->shape;
  for (int64_t a = *axis; a < rank; ++a) {
    axes.push_back(in->axis(a));
    reducedShape[a] = 1;
  }
  Normalized n = normalize(imp, in->value, axes, epsilon);
  auto y = affine(imp, n.y, (*x)->shape, in->nhwc, **scale, *bias);
  if (!y)
    return y.takeError();
  defineResult(imp, node, 0, *y, (*x)->shape, in->nhwc);
  if (GraphImporter::wantsOutput(node, 1))
    defineResult(imp, node, 1, n.mean, reducedShape, in->nhwc);
  if (GraphImporter::wantsOutput(node, 2))
    defineResult(imp, node, 2, n.invStdDev, reducedShape, in->nhwc);
  return llvm::Error::success();
}

/// `v` (scale or bias, `count` values in ONNX order) as a tensor of `shape`.
llvm::Expected<Value> reshapedParam(GraphImporter &imp,
                                    const onnx::NodeProto &node, unsigned i,
                                    ImportedValue &v, int64_t count,
                                    llvm::StringRef expected,
                                    llvm::ArrayRef<int64_t> shape) {
  if (v.shape != std::vector<int64_t>{count})
    return imp.nodeError("input " + Twine(i) + " (" + quoteName(node.input(i)) +
                         ") has shape " + formatShape(v.shape) +
                         ", expected " + Twine(count) + " (" + expected + ")");
  if (v.constant && v.constant->isFloat())
    return imp.constFloat(shape, v.constant->floats);
  auto ordered = imp.asOnnxOrder(v);
  if (!ordered)
    return ordered.takeError();
  return imp.reshape(*ordered, shape);
}

/// Group normalization of input 0 with `groups` groups; scale and bias
/// (inputs 1, 2) per channel, or per group if `perGroup`.
llvm::Error importGrouped(GraphImporter &imp, const onnx::NodeProto &node,
                          int64_t groups, bool perGroup, float epsilon) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto scale = imp.operand(node, 1);
  if (!scale)
    return scale.takeError();
  auto bias = imp.operand(node, 2);
  if (!bias)
    return bias.takeError();
  if (auto err = checkEpsilon(imp, epsilon))
    return err;
  const std::vector<int64_t> &shape = (*x)->shape;
  if (shape.size() < 3)
    return imp.nodeError("input must have rank >= 3 (N, C, spatial...), got "
                         "shape " +
                         formatShape(shape));
  int64_t batch = shape[0], channels = shape[1];
  if (groups <= 0 || channels % groups != 0)
    return imp.nodeError("attribute 'num_groups' = " + Twine(groups) +
                         " does not divide the " + Twine(channels) +
                         " channels");
  int64_t perGroupChannels = channels / groups;
  int64_t spatial = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    spatial *= shape[d];

  auto in = physicalValue(imp, **x);
  if (!in)
    return in.takeError();
  // NHWC: [N, S, G, C/G], reduce 1 and 3; ONNX order: [N, G, C/G, S],
  // reduce 2 and 3. Channel c = g * C/G + j either way.
  std::vector<int64_t> grouped, paramShape;
  SmallVector<int64_t> axes;
  Value v;
  if (in->nhwc) {
    grouped = {batch, spatial, groups, perGroupChannels};
    paramShape = {1, 1, groups, perGroup ? 1 : perGroupChannels};
    axes = {1, 3};
    v = in->value;
  } else {
    grouped = {batch, groups, perGroupChannels, spatial};
    paramShape = {1, groups, perGroup ? 1 : perGroupChannels, 1};
    axes = {2, 3};
    auto ordered = imp.asOnnxOrder(**x);
    if (!ordered)
      return ordered.takeError();
    v = *ordered;
  }
  Normalized n = normalize(imp, imp.reshape(v, grouped), axes, epsilon);
  int64_t count = perGroup ? groups : channels;
  llvm::StringRef expected = perGroup ? "num_groups" : "C";
  auto s = reshapedParam(imp, node, 1, **scale, count, expected, paramShape);
  if (!s)
    return s.takeError();
  auto t = reshapedParam(imp, node, 2, **bias, count, expected, paramShape);
  if (!t)
    return t.takeError();
  OpBuilder &b = imp.builder();
  Type type = n.y.getType();
  Value y = createMul(imp, type, n.y, *s);
  y = tosa::AddOp::create(b, imp.loc(), type, y, *t);
  if (in->nhwc) {
    defineResult(imp, node, 0, imp.reshape(y, in->shape), shape, true);
  } else {
    imp.definePlain(node, 0, imp.reshape(y, shape), shape);
  }
  return llvm::Error::success();
}

llvm::Error importInstanceNorm(GraphImporter &imp,
                               const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  AttrReader attrs(imp, node);
  float epsilon = attrs.getFloat("epsilon", 1e-5f);
  if (auto err = attrs.takeError())
    return err;
  int64_t channels = (*x)->rank() >= 2 ? (*x)->shape[1] : 0;
  return importGrouped(imp, node, channels, /*perGroup=*/false, epsilon);
}

llvm::Error importGroupNorm(GraphImporter &imp, const onnx::NodeProto &node) {
  if (imp.opset() < 18)
    return imp.nodeError("GroupNormalization needs opset >= 18, the model "
                         "has opset " +
                         Twine(imp.opset()));
  AttrReader attrs(imp, node);
  if (!attrs.has("num_groups"))
    return imp.nodeError("attribute 'num_groups' is required");
  int64_t groups = attrs.getInt("num_groups", 0);
  float epsilon = attrs.getFloat("epsilon", 1e-5f);
  int64_t stashType = attrs.getInt("stash_type", onnx::TensorProto::FLOAT);
  if (auto err = attrs.takeError())
    return err;
  if (auto err = checkStashType(imp, stashType))
    return err;
  // GroupNormalization-18 (deprecated by 21) scales per group.
  return importGrouped(imp, node, groups, /*perGroup=*/imp.opset() < 21,
                       epsilon);
}

} // namespace

void registerNormalizationOps(OpTable &table) {
  table["LayerNormalization"] = importLayerNorm;
  table["InstanceNormalization"] = importInstanceNorm;
  table["GroupNormalization"] = importGroupNorm;
}

} // namespace tessera::frontend
