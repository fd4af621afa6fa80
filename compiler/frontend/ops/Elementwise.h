//===- Elementwise.h - Broadcasting and layout for elementwise ops -*- C++ -*-//
//
// Elementwise importers (binary arithmetic, activations, Softmax, reductions)
// share two rules: an op keeps its input's layout (an NHWC activation stays
// NHWC, so Conv -> Sigmoid -> Mul needs no transposes), and operands
// broadcast as numpy does (ONNX multidirectional broadcasting) with
// lower-rank operands given leading unit dims, since TOSA elementwise ops
// want equal ranks. A 4-D result is NHWC when any operand is NHWC; the other
// operands are brought to NHWC (constants re-laid out at import). The layout
// helpers themselves (physicalValue, defineResult, broadcastShapes) are in
// ShapeUtil.h.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_FRONTEND_OPS_ELEMENTWISE_H
#define TESSERA_COMPILER_FRONTEND_OPS_ELEMENTWISE_H

#include "compiler/frontend/GraphImporter.h"
#include "compiler/frontend/ops/ShapeUtil.h"

namespace tessera::frontend {

/// The two operands of a broadcasting op at the result's rank and layout.
/// `v` with leading unit dims up to `rank` (numpy broadcasting; a constant
/// stays a constant, anything else gets a tosa.reshape in ONNX order), in
/// NHWC (if `nhwc`) or ONNX layout.
llvm::Expected<mlir::Value> broadcastOperand(GraphImporter &imp,
                                             ImportedValue &v, size_t rank,
                                             bool nhwc);

struct BroadcastOperands {
  mlir::Value lhs, rhs;
  std::vector<int64_t> shape; // ONNX result shape
  bool nhwc = false;
  mlir::RankedTensorType type; // physical result type
};

/// Brings `a` and `b` to a common rank and layout. With `unidirectional`
/// (PRelu's slope) `b` must broadcast to `a`'s shape, not the other way.
llvm::Expected<BroadcastOperands>
broadcastOperands(GraphImporter &imp, ImportedValue &a, ImportedValue &b,
                  bool unidirectional = false);

/// A tensor of rank `rank` with all dims 1 holding `value`: a scalar that
/// TOSA's equal-rank broadcasting accepts against any tensor of that rank.
mlir::Value splatConst(GraphImporter &imp, float value, int64_t rank);

/// tosa.mul of float tensors (its shift operand is 0 for floats).
mlir::Value createMul(GraphImporter &imp, mlir::Type type, mlir::Value a,
                      mlir::Value b);

/// tosa.reduce_sum / tosa.reduce_max of `v` over physical axis `axis`; the
/// axis is kept with extent 1, as TOSA reductions do.
mlir::Value reduceSum(GraphImporter &imp, mlir::Value v, int64_t axis);
mlir::Value reduceMax(GraphImporter &imp, mlir::Value v, int64_t axis);
/// The mean over physical `axes` of `v` (kept with extent 1): one
/// tosa.reduce_sum per axis, in order, then tosa.mul by the splat
/// float(1 / count) (ReduceMean; the mean and variance of the
/// normalisation layers).
mlir::Value reduceMean(GraphImporter &imp, mlir::Value v,
                       llvm::ArrayRef<int64_t> axes);

} // namespace tessera::frontend

#endif // TESSERA_COMPILER_FRONTEND_OPS_ELEMENTWISE_H
