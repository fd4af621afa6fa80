//===- LrnOp.cpp - LRN (local response normalization) -> TOSA -------------===//
//
// ONNX LRN on NCHW input:
//   sq_sum[n, c] = sum of x[n, c']^2 for c' in [c - floor((size - 1) / 2),
//                                              c + ceil((size - 1) / 2)]
//   y = x * (bias + alpha / size * sq_sum) ^ -beta
// In NHWC: tosa.mul x·x; the channel-window sum as a 1x1 tosa.conv2d whose
// weight [C, 1, 1, C] is the 0/1 band matrix (one op, and an NPU conv
// later); tosa.mul by alpha/size, tosa.add of bias, tosa.pow by -beta,
// tosa.mul by x. alpha/size is computed in f32, as onnxruntime does.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

llvm::Error importLrn(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  if ((*x)->rank() != 4)
    return imp.nodeError("only 4-D (NCHW) input is supported, got input "
                         "shape " +
                         formatShape((*x)->shape));
  AttrReader attrs(imp, node);
  float alpha = attrs.getFloat("alpha", 1e-4f);
  float beta = attrs.getFloat("beta", 0.75f);
  float bias = attrs.getFloat("bias", 1.0f);
  int64_t size = attrs.getInt("size", 0);
  if (auto err = attrs.takeError())
    return err;
  if (!attrs.has("size"))
    return imp.nodeError("attribute 'size' is required");
  if (size < 1)
    return imp.nodeError("attribute 'size' = " + Twine(size) +
                         " must be at least 1");
  const auto &xs = (*x)->shape;
  int64_t c = xs[1];
  auto input = imp.asNhwc(**x);
  if (!input)
    return input.takeError();
  auto type = cast<RankedTensorType>(input->getType());
  Value sq = createMul(imp, type, *input, *input);

  int64_t before = (size - 1) / 2, after = size - 1 - before;
  std::vector<float> band(c * c, 0.0f);
  for (int64_t o = 0; o < c; ++o)
    for (int64_t i = std::max<int64_t>(0, o - before);
         i <= std::min<int64_t>(c - 1, o + after); ++i)
      band[o * c + i] = 1.0f;
  Value w = imp.constFloat({c, 1, 1, c}, band);
  Value zeroBias = imp.constFloat({c}, std::vector<float>(c, 0.0f));
  Value zp = imp.zeroPoint();
  std::array<int64_t, 4> pad = {0, 0, 0, 0};
  std::array<int64_t, 2> one = {1, 1};
  Value sum = tosa::Conv2DOp::create(imp.builder(), imp.loc(), type, sq, w,
                                     zeroBias, zp, zp, pad, one, one,
                                     imp.f32());
  Value scaled = createMul(imp, type, sum,
                           splatConst(imp, alpha / static_cast<float>(size), 4));
  Value base = tosa::AddOp::create(imp.builder(), imp.loc(), type, scaled,
                                   splatConst(imp, bias, 4));
  Value factor = tosa::PowOp::create(imp.builder(), imp.loc(), type, base,
                                     splatConst(imp, -beta, 4));
  Value y = createMul(imp, type, *input, factor);
  imp.defineNhwc(node, 0, y, xs);
  return llvm::Error::success();
}

} // namespace

void registerLrnOp(OpTable &table) { table["LRN"] = importLrn; }

} // namespace tessera::frontend
