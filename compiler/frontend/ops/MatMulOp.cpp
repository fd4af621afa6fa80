//===- MatMulOp.cpp - MatMul (numpy semantics) -> tosa.matmul -------------===//
//
// tosa.matmul multiplies rank-3 tensors a [N,H,C] x b [N,C,W] with the same
// batch N (TOSA 1.0 MATMUL); ONNX MatMul is numpy.matmul:
//  - a 1-D A is [1,K] and a 1-D B is [K,1], the added dim dropped after;
//  - the batch dims (all but the last two) broadcast as numpy.
// When B has no batch (a 2-D weight, the common case, constant or not) the
// batch dims of A fold into its rows: A [..., M, K] -> [1, batch*M, K],
// B -> [1, K, N], one tosa.matmul, reshape to [..., M, N]. Otherwise both
// are broadcast to the common batch shape (tosa.tile where an operand's
// batch dim is 1) and reshaped to [batch, M, K] and [batch, K, N].
// Constants are materialized directly in the reshaped form.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

/// `v` as an ONNX-ordered value of `shape` (same element count).
llvm::Expected<Value> reshaped(GraphImporter &imp, ImportedValue &v,
                               llvm::ArrayRef<int64_t> shape) {
  if (v.constant && !v.plain && !v.nhwc) {
    if (!v.constant->isFloat())
      return imp.nodeError("an integer constant is used as tensor data; only "
                           "float32 data is supported");
    return imp.constFloat(shape, v.constant->floats);
  }
  auto ordered = imp.asOnnxOrder(v);
  if (!ordered)
    return ordered.takeError();
  return imp.reshape(*ordered, shape);
}

/// `v` (matrix dims `rows` x `cols`, batch dims `batch`) broadcast to the
/// batch shape `to` and reshaped to [prod(to), rows, cols].
llvm::Expected<Value> batched(GraphImporter &imp, ImportedValue &v,
                              llvm::ArrayRef<int64_t> batch,
                              llvm::ArrayRef<int64_t> to, int64_t rows,
                              int64_t cols) {
  std::vector<int64_t> expanded(to.size() - batch.size(), 1);
  expanded.insert(expanded.end(), batch.begin(), batch.end());
  expanded.push_back(rows);
  expanded.push_back(cols);
  auto x = reshaped(imp, v, expanded);
  if (!x)
    return x.takeError();
  Value value = *x;
  if (!llvm::equal(llvm::ArrayRef(expanded).drop_back(2), to)) {
    std::vector<int64_t> multiples, tiled;
    for (size_t d = 0; d < to.size(); ++d) {
      multiples.push_back(to[d] / expanded[d]);
      tiled.push_back(to[d]);
    }
    multiples.insert(multiples.end(), {1, 1});
    tiled.insert(tiled.end(), {rows, cols});
    value =
        tosa::TileOp::create(imp.builder(), imp.loc(), imp.tensorType(tiled),
                             value, imp.constShape(multiples));
  }
  return imp.reshape(value, {shapeNumElements(to), rows, cols});
}

llvm::Error importMatMul(GraphImporter &imp, const onnx::NodeProto &node) {
  auto a = imp.operand(node, 0);
  if (!a)
    return a.takeError();
  auto b = imp.operand(node, 1);
  if (!b)
    return b.takeError();
  ImportedValue &av = **a, &bv = **b;
  if (av.rank() == 0 || bv.rank() == 0)
    return imp.nodeError("operands must have rank >= 1, got shapes " +
                         formatShape(av.shape) + " and " +
                         formatShape(bv.shape));
  std::vector<int64_t> sa = av.shape, sb = bv.shape;
  if (av.rank() == 1)
    sa.insert(sa.begin(), 1);
  if (bv.rank() == 1)
    sb.push_back(1);
  int64_t m = sa[sa.size() - 2], k = sa.back();
  int64_t kb = sb[sb.size() - 2], n = sb.back();
  if (k != kb)
    return imp.nodeError("inner dimensions differ: A " + formatShape(av.shape) +
                         " gives K = " + Twine(k) + ", B " +
                         formatShape(bv.shape) + " gives K = " + Twine(kb));
  llvm::ArrayRef<int64_t> batchA = llvm::ArrayRef(sa).drop_back(2);
  llvm::ArrayRef<int64_t> batchB = llvm::ArrayRef(sb).drop_back(2);
  auto batch = broadcastShapes(batchA, batchB);
  if (!batch)
    return imp.nodeError("batch dimensions of " + formatShape(av.shape) +
                         " and " + formatShape(bv.shape) + " do not broadcast");
  std::vector<int64_t> outShape = *batch;
  if (av.rank() > 1)
    outShape.push_back(m);
  if (bv.rank() > 1)
    outShape.push_back(n);

  Value lhs, rhs;
  int64_t n3, m3;
  if (shapeNumElements(batchB) == 1) {
    // B has no real batch: fold A's batch into its rows.
    n3 = 1;
    m3 = shapeNumElements(*batch) * m;
    auto x = reshaped(imp, av, {1, m3, k});
    if (!x)
      return x.takeError();
    auto y = reshaped(imp, bv, {1, k, n});
    if (!y)
      return y.takeError();
    lhs = *x, rhs = *y;
  } else {
    n3 = shapeNumElements(*batch);
    m3 = m;
    auto x = batched(imp, av, batchA, *batch, m, k);
    if (!x)
      return x.takeError();
    auto y = batched(imp, bv, batchB, *batch, k, n);
    if (!y)
      return y.takeError();
    lhs = *x, rhs = *y;
  }
  Value zp = imp.zeroPoint();
  Value product = tosa::MatMulOp::create(
      imp.builder(), imp.loc(), imp.tensorType({n3, m3, n}), lhs, rhs, zp, zp);
  imp.definePlain(node, 0, imp.reshape(product, outShape), outShape);
  return llvm::Error::success();
}

} // namespace

void registerMatMulOp(OpTable &table) { table["MatMul"] = importMatMul; }

} // namespace tessera::frontend
