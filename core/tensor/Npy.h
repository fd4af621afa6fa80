//===- Npy.h - NumPy .npy reader and writer ----------------------*- C++
//-*-===//
//
// The .npy format (NEP 1, numpy/lib/format.py): magic "\x93NUMPY", version
// 1.0/2.0/3.0, a little-endian header length (2 bytes for 1.0, 4 after), an
// ASCII Python dict {'descr': ..., 'fortran_order': ..., 'shape': (...)}
// padded with spaces and '\n' so the data starts at a multiple of 64, then
// the raw C-order data. Supported dtypes: <f4, <i1/|i1, |u1, <i2, <u2, <i4,
// <i8, |b1. Big-endian, Fortran order and other dtypes are errors.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_TENSOR_NPY_H
#define TESSERA_CORE_TENSOR_NPY_H

#include "core/tensor/Tensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace tessera {

/// numpy itself refuses headers over 10,000 bytes unless told otherwise; 64 KiB
/// leaves room for any real shape and bounds what a header can claim.
constexpr size_t kMaxNpyHeaderBytes = 64 * 1024;
/// More dimensions than any tensor Tessera computes on (MLIR's TOSA profile
/// allows rank 6); numpy's own limit is 64.
constexpr size_t kMaxNpyRank = 64;

/// What a .npy header says: element type, shape and where the data starts.
struct NpyHeader {
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape;
  size_t dataOffset = 0; ///< bytes before the data
  uint64_t dataBytes = 0; ///< product(shape) * element size, overflow-checked
};

/// Parses the header at the start of `bytes` (only the header needs to be
/// present). The claimed data size is computed with overflow checks but not
/// compared with `bytes`: callers that read the data do that.
llvm::Expected<NpyHeader> parseNpyHeader(llvm::StringRef bytes,
                                         llvm::StringRef name);
/// Parses the bytes of a .npy file; `name` is used in error messages. The
/// data must be exactly the size the header claims, and the tensor must fit
/// the memory budget (core/tensor/Limits.h).
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
/// Reads a .npy file.
llvm::Expected<Tensor> readNpy(llvm::StringRef path);
/// The bytes of a version 1.0 .npy file holding `t`.
std::string serializeNpy(const Tensor &t);
/// A file-name-safe stem for a tensor named `name` (ONNX names may hold '/'
/// or ':'): other characters than [A-Za-z0-9._-] become '_', and a leading
/// '.' gets a '_' prefix; a stem over 200 bytes keeps its first 183 and
/// appends '_' and a hash of the name (file names hold 255 bytes).
/// tessera-run and tessera-sim name NAME.npy with it.
std::string safeFileStem(llvm::StringRef name);
/// Writes `t` to `path` atomically (a temporary file renamed over `path`).
llvm::Error writeNpy(llvm::StringRef path, const Tensor &t);

} // namespace tessera

#endif // TESSERA_CORE_TENSOR_NPY_H
