//===- NpuDialect.h - The npu dialect and its ops ----------------*- C++ -*-===//
#ifndef TESSERA_DIALECTS_NPU_NPUDIALECT_H
#define TESSERA_DIALECTS_NPU_NPUDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/npu/NpuDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/npu/NpuOps.h.inc"

#include <optional>

namespace tessera::npu {

/// How operand b of npu.add / npu.mul is indexed over the rows x channels
/// elements of the result (the ISA's ELTWISE bcast field, docs/isa.md):
/// None: b has the result's shape; Scalar: b has one element (the result
/// more than one); Channel: b is [1, ..., 1, C] with C the result's
/// innermost dimension (a per-channel vector, e.g. squeeze-excitation's
/// [1, 1, 1, C] gate or a per-channel constant). Equal ranks are required;
/// nullopt for any other shape.
enum class BinaryBcast { None, Channel, Scalar };
std::optional<BinaryBcast> binaryBcast(mlir::RankedTensorType b,
                                       mlir::RankedTensorType out);

} // namespace tessera::npu

#endif // TESSERA_DIALECTS_NPU_NPUDIALECT_H
