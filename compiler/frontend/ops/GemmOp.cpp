//===- GemmOp.cpp - Gemm -> 1x1 tosa.conv2d -------------------------------===//
//
// Y = alpha * A' * B' + beta * C with constant B imports as a fully
// connected layer written as a 1x1 convolution:
//   A [M,K] --reshape--> [M,1,1,K] --conv2d(weight [N,1,1,K], bias [N])-->
//   [M,1,1,N] --reshape--> [M,N]
// The conv form is chosen over tosa.matmul because it carries the bias and a
// per-output-channel weight like every other conv, so the integer lowering
// (int32 bias, per-channel requantize) is the conv one with nothing new.
// alpha is folded into the weight and beta into the bias. A C that varies
// along M (shape [M,N], M > 1) is added after with tosa.add.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

llvm::Error importGemm(GraphImporter &imp, const onnx::NodeProto &node) {
  auto a = imp.operand(node, 0);
  if (!a)
    return a.takeError();
  auto bT = imp.constantOperand(node, 1, "B");
  if (!bT)
    return bT.takeError();
  auto c = imp.optionalOperand(node, 2);
  if (!c)
    return c.takeError();
  AttrReader attrs(imp, node);
  float alpha = attrs.getFloat("alpha", 1.0f);
  float beta = attrs.getFloat("beta", 1.0f);
  int64_t transA = attrs.getInt("transA", 0);
  int64_t transB = attrs.getInt("transB", 0);
  if (auto err = attrs.takeError())
    return err;
  if ((*a)->rank() != 2)
    return imp.nodeError("input A must be 2-D, got shape " +
                         formatShape((*a)->shape));
  const ConstTensor &bt = **bT;
  if (bt.shape.size() != 2 || !bt.isFloat())
    return imp.nodeError("input B must be a 2-D float constant, got shape " +
                         formatShape(bt.shape));

  int64_t m = transA ? (*a)->shape[1] : (*a)->shape[0];
  int64_t k = transA ? (*a)->shape[0] : (*a)->shape[1];
  int64_t kb = transB ? bt.shape[1] : bt.shape[0];
  int64_t n = transB ? bt.shape[0] : bt.shape[1];
  if (k != kb)
    return imp.nodeError("inner dimensions differ: A gives K = " + Twine(k) +
                         ", B gives K = " + Twine(kb));

  // Weight in OHWI = [N,1,1,K]: that is B itself when transB, else B^T.
  std::vector<float> weight =
      transB ? bt.floats : transposeData(bt.floats, bt.shape, {1, 0});
  if (alpha != 1.0f)
    for (float &w : weight)
      w *= alpha;

  // Bias: C when it is constant and constant along M; else added after.
  std::vector<float> bias(n, 0.0f);
  ImportedValue *addAfter = nullptr;
  if (*c) {
    const auto &cs = (*c)->shape;
    if (cs.size() > 2)
      return imp.nodeError("input C must have rank <= 2, got shape " +
                           formatShape(cs));
    int64_t cm = cs.size() == 2 ? cs[0] : 1;
    int64_t cn = cs.empty() ? 1 : cs.back();
    if ((cm != 1 && cm != m) || (cn != 1 && cn != n))
      return imp.nodeError("input C of shape " + formatShape(cs) +
                           " does not broadcast to " + Twine(m) + "x" +
                           Twine(n));
    if ((*c)->isConstant() && cm == 1 && (*c)->constant->isFloat()) {
      for (int64_t j = 0; j < n; ++j)
        bias[j] = beta * (*c)->constant->floats[cn == 1 ? 0 : j];
    } else {
      if (beta != 1.0f)
        return imp.nodeError("attribute 'beta' != 1 with a C that is not a "
                             "constant row vector is not supported");
      addAfter = *c;
    }
  }

  auto plainA = imp.asPlain(**a);
  if (!plainA)
    return plainA.takeError();
  Value av = *plainA;
  if (transA)
    av = imp.transpose(av, {1, 0});
  Value in4 = imp.reshape(av, {m, 1, 1, k});
  Value wv = imp.constFloat({n, 1, 1, k}, weight);
  Value bv = imp.constFloat({n}, bias);
  Value zp = imp.zeroPoint();
  std::array<int64_t, 4> pad = {0, 0, 0, 0};
  std::array<int64_t, 2> one = {1, 1};
  Value conv = tosa::Conv2DOp::create(imp.builder(), imp.loc(),
                                      imp.tensorType({m, 1, 1, n}), in4, wv, bv,
                                      zp, zp, pad, one, one, imp.f32());
  Value result = imp.reshape(conv, {m, n});
  if (addAfter) {
    auto cv = imp.asPlain(*addAfter);
    if (!cv)
      return cv.takeError();
    Value cval = *cv;
    if (addAfter->rank() < 2)
      cval = imp.reshape(cval, {1, addAfter->rank() ? addAfter->shape[0] : 1});
    result = tosa::AddOp::create(imp.builder(), imp.loc(),
                                 imp.tensorType({m, n}), result, cval);
  }
  imp.definePlain(node, 0, result, {m, n});
  return llvm::Error::success();
}

} // namespace

void registerGemmOp(OpTable &table) { table["Gemm"] = importGemm; }

} // namespace tessera::frontend
