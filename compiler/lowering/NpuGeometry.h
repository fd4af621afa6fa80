//===- NpuGeometry.h - TilePlan geometry of npu ops --------------*- C++
//-*-===//
//
// Reads the TilePlan description of an npu layer op (shapes, window,
// element sizes) and its chosen tiling, for --tessera-npu-tile and codegen.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_LOWERING_NPUGEOMETRY_H
#define TESSERA_COMPILER_LOWERING_NPUGEOMETRY_H

#include "compiler/lowering/TilePlan.h"

#include "mlir/IR/Operation.h"

namespace tessera::lowering {

/// npu.conv2d or npu.pool.
WindowGeometry windowGeometry(mlir::Operation *op);
/// npu.rescale, npu.add, npu.mul or npu.table: rows of the innermost
/// dimension.
EltwiseGeometry eltwiseGeometry(mlir::Operation *op);
/// The op's tile_rows / tile_channels / double_buffer (rows 0: untiled).
TileChoice tileChoice(mlir::Operation *op);
/// Bytes of one element of a tensor value.
int64_t elementBytes(mlir::Value v);

} // namespace tessera::lowering

#endif // TESSERA_COMPILER_LOWERING_NPUGEOMETRY_H
