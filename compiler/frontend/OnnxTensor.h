//===- OnnxTensor.h - Decoded ONNX TensorProto constants -------*- C++ -*-===//
//
// Constant tensors known at import time (initializers, Constant nodes and
// what Identity passes through), decoded from onnx::TensorProto into plain
// host vectors so that op importers can fold and re-layout them.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_FRONTEND_ONNXTENSOR_H
#define TESSERA_COMPILER_FRONTEND_ONNXTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace tessera::frontend {

/// A constant tensor: float data is held as f32, integer data as i64.
struct ConstTensor {
  enum class Kind { Float, Int };
  Kind kind = Kind::Float;
  std::vector<int64_t> shape;
  std::vector<float> floats; // kind == Float
  std::vector<int64_t> ints; // kind == Int
  /// The ONNX TensorProto data type it was decoded from (0 if made by an
  /// importer); the quantization importers need int8 vs uint8 vs int4.
  int dataType = 0;

  int64_t numElements() const;
  bool isFloat() const { return kind == Kind::Float; }
  /// Element `i` as a double whatever the kind.
  double at(int64_t i) const {
    return isFloat() ? floats[i] : static_cast<double>(ints[i]);
  }
};

/// Number of elements of a static shape (1 for rank 0).
int64_t shapeNumElements(llvm::ArrayRef<int64_t> shape);

/// Decodes `proto`. Float types (FLOAT, DOUBLE, FLOAT16) become Kind::Float,
/// integer and bool types Kind::Int (INT4/UINT4 unpacked from two values per
/// byte, low nibble first, and sign-/zero-extended). `baseDir` resolves external data; an
/// empty `baseDir` makes external data an error. `what` names the tensor in
/// messages (e.g. "initializer 'conv1.weight'").
llvm::Expected<ConstTensor> decodeTensor(const onnx::TensorProto &proto,
                                         llvm::StringRef baseDir,
                                         llvm::StringRef what);

/// Transposes a dense row-major tensor: result dim i is input dim perm[i].
std::vector<float> transposeData(llvm::ArrayRef<float> data,
                                 llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> perm);
std::vector<int64_t> transposeData(llvm::ArrayRef<int64_t> data,
                                   llvm::ArrayRef<int64_t> shape,
                                   llvm::ArrayRef<int64_t> perm);

/// Formats a shape as "1x3x224x224" ("scalar" for rank 0).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace tessera::frontend

#endif // TESSERA_COMPILER_FRONTEND_ONNXTENSOR_H
