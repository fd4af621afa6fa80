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

#endif // TESSERA_DIALECTS_NPU_NPUDIALECT_H
