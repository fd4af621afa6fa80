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

namespace tessera {

/// Parses the bytes of a .npy file; `name` is used in error messages.
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
