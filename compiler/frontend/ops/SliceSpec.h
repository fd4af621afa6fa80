//===- SliceSpec.h - ONNX Slice inputs resolved against a static shape ---===//
//
// ONNX Slice (opset >= 10: starts, ends, axes, steps as inputs) clamps its
// bounds per axis (onnx/defs/tensor/defs.cc, Slice-13): negative starts and
// ends count from the end; for a positive step start and end are clamped to
// [0, dim], for a negative one to [0, dim - 1] and [-1, dim - 1]; INT64_MAX
// / INT64_MIN mean "to the end". The count is ceil((end - start) / step),
// at least 0. Shared by the tensor importer (SliceOps.cpp) and the host
// constant folder (ShapeComputeOps.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_FRONTEND_OPS_SLICESPEC_H
#define TESSERA_COMPILER_FRONTEND_OPS_SLICESPEC_H

#include "compiler/frontend/GraphImporter.h"

namespace tessera::frontend {

struct SliceSpec {
  struct Axis {
    int64_t start = 0, count = 0, step = 1;
    /// Smallest index read.
    int64_t lowest() const {
      return step > 0 ? start : start + step * (count - 1);
    }
    /// Indices read, in output order.
    std::vector<int64_t> indices() const {
      std::vector<int64_t> v;
      for (int64_t k = 0; k < count; ++k)
        v.push_back(start + k * step);
      return v;
    }
  };
  /// One entry per input dimension (unsliced ones: whole, step 1).
  std::vector<Axis> axes;
  std::vector<int64_t> outShape() const {
    std::vector<int64_t> s;
    for (const Axis &a : axes)
      s.push_back(a.count);
    return s;
  }
};

/// Reads inputs 1..4 of Slice `node` (constants) against `shape`. Empty
/// results and a zero step are errors.
llvm::Expected<SliceSpec> readSliceSpec(GraphImporter &imp,
                                        const onnx::NodeProto &node,
                                        llvm::ArrayRef<int64_t> shape);

} // namespace tessera::frontend

#endif // TESSERA_COMPILER_FRONTEND_OPS_SLICESPEC_H
