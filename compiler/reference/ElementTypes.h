//===- ElementTypes.h - MLIR element types of host tensors -------*- C++ -*-===//
//
// The reference executors work on core/tensor's Tensor; this maps the MLIR
// element types they meet onto its ElementType, and brings the tensor names
// into tessera::reference.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_REFERENCE_ELEMENTTYPES_H
#define TESSERA_COMPILER_REFERENCE_ELEMENTTYPES_H

#include "core/tensor/Tensor.h"

#include <optional>

namespace mlir {
class Type;
} // namespace mlir

namespace tessera::reference {

using tessera::ElementType;
using tessera::ElementTypeOf;
using tessera::Tensor;

/// The element type of an MLIR scalar type: f32; i1; signless/signed
/// i8/i16/i32/i48/i64 (i48 -> I64); unsigned ui8/ui16; i4/ui4 -> I8/U8 (one
/// value per byte, as ONNX int4/uint4 are unpacked); index -> I64; and
/// !quant.uniform/any quantized type -> its storage type. nullopt otherwise.
std::optional<ElementType> elementTypeOf(mlir::Type type);

} // namespace tessera::reference

#endif // TESSERA_COMPILER_REFERENCE_ELEMENTTYPES_H
