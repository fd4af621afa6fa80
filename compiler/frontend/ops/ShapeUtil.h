//===- ShapeUtil.h - Axis, layout and index helpers for data-movement ops -===//
//
// Shared by the data-movement importers (ShapeOps, SliceOps, ResizeOp,
// ShapeComputeOps): ONNX axis normalization, numpy broadcasting of shapes,
// the physical (NHWC or ONNX) form an axis-wise op works on, and
// takeAlongAxis, which selects a list of constant indices along one axis
// with the cheapest TOSA form (slice, strided slice, slices + concat, or
// tosa.gather).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_FRONTEND_OPS_SHAPEUTIL_H
#define TESSERA_COMPILER_FRONTEND_OPS_SHAPEUTIL_H

#include "compiler/frontend/GraphImporter.h"

#include <optional>

namespace tessera::frontend {

/// Normalizes an ONNX axis: negative values count from `rank`; the result
/// must lie in [0, limit) (limit = rank + 1 for Flatten). `what` names the
/// attribute or input in the error.
llvm::Expected<int64_t>
normalizeAxis(GraphImporter &imp, int64_t axis, int64_t rank, int64_t limit,
              llvm::StringRef what = "attribute 'axis'");

/// numpy (ONNX multidirectional) broadcast of two shapes; nullopt if they do
/// not broadcast.
std::optional<std::vector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                    llvm::ArrayRef<int64_t> b);

/// A tensor in the layout an axis-wise op works on: NHWC when the value has
/// an NHWC form (rank 4), else ONNX layout. `axis(a)` maps ONNX axis `a` to
/// the physical one; `shape` is the physical shape.
struct PhysicalValue {
  mlir::Value value;
  bool nhwc = false;
  std::vector<int64_t> shape;
  int64_t axis(int64_t onnxAxis) const {
    return nhwc ? kNhwcToNchw[onnxAxis] : onnxAxis;
  }
};

/// `v` as a PhysicalValue (NHWC if it has an NHWC form, else ONNX layout).
llvm::Expected<PhysicalValue> physicalValue(GraphImporter &imp,
                                            ImportedValue &v);

/// Physical shape of ONNX shape `onnxShape` (NCHW -> NHWC when `nhwc`).
std::vector<int64_t> physicalShape(llvm::ArrayRef<int64_t> onnxShape,
                                   bool nhwc);

/// Defines output `i` of `node` as `v`, which is NHWC when `nhwc`.
void defineResult(GraphImporter &imp, const onnx::NodeProto &node, unsigned i,
                  mlir::Value v, std::vector<int64_t> onnxShape, bool nhwc);

/// Defines output 0 of `node` as `fn(v)`, `v` being `x` in its physical
/// layout: for elementwise ops, whose result keeps x's shape and layout.
llvm::Error defineElementwise(GraphImporter &imp, const onnx::NodeProto &node,
                              ImportedValue &x,
                              llvm::function_ref<mlir::Value(mlir::Value)> fn);

/// A tosa.const of i32 values (gather indices).
mlir::Value constI32(GraphImporter &imp, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<int32_t> data);

/// result[..., k, ...] = v[..., indices[k], ...] along `axis` of `v`
/// (indices already in [0, dim)). Emits, in order of preference: nothing
/// (identity), one tosa.slice (a contiguous ascending run), a strided slice
/// (tosa.slice + tosa.reshape [n, step] + tosa.slice + tosa.reshape, for an
/// ascending progression that fits), up to kMaxTakePieces slices (runs of
/// consecutive or repeated indices, repeats via tosa.tile) joined by
/// tosa.concat, else one tosa.gather over v reshaped to [outer, dim, inner].
mlir::Value takeAlongAxis(GraphImporter &imp, mlir::Value v, int64_t axis,
                          llvm::ArrayRef<int64_t> indices);
inline constexpr int64_t kMaxTakePieces = 8;

/// tosa.gather of `indices` along `axis` (always a gather; takeAlongAxis
/// picks it when nothing cheaper fits).
mlir::Value gatherAlongAxis(GraphImporter &imp, mlir::Value v, int64_t axis,
                            llvm::ArrayRef<int64_t> indices);

/// The elements of an integer constant input (shape/axes/pads/...), or an
/// error naming `role`.
llvm::Expected<std::vector<int64_t>> constantInts(GraphImporter &imp,
                                                  const onnx::NodeProto &node,
                                                  unsigned i,
                                                  llvm::StringRef role);

/// Window and padding attributes (kernel, strides, dilations, pads, output
/// padding) are 32-bit in TOSA (conv2d, max_pool2d and pad take i32 values,
/// TOSA 1.0 spec): larger magnitudes are refused at import, which also keeps
/// every shape computed from them far from int64 overflow.
constexpr int64_t kMaxWindowAttr = (int64_t(1) << 31) - 1;

/// An error naming `what` if any of `values` has a magnitude above
/// kMaxWindowAttr.
llvm::Error checkWindowAttr(GraphImporter &imp, llvm::StringRef what,
                            llvm::ArrayRef<int64_t> values);

/// An error naming the node if a `elementBytes`-byte tensor of `shape` (the
/// output the node is about to create) does not fit the memory budget
/// (core/tensor/Limits.h): checked before work proportional to the output
/// is done at import.
llvm::Error checkOutputSize(GraphImporter &imp, llvm::ArrayRef<int64_t> shape,
                            int64_t elementBytes = 4,
                            llvm::StringRef typeName = "f32");

} // namespace tessera::frontend

#endif // TESSERA_COMPILER_FRONTEND_OPS_SHAPEUTIL_H
