//===- LoweringUtils.h - Helpers shared by the TOSA -> npu rewrites -*- C++
//-*-===//
//
// Reading integer constants (weights, zero points, multipliers) off
// `tosa.const`, the parameters of `tosa.rescale` and `tosa.clamp`, and the
// ONNX node an op came from (its `onnx.node` attribute or NameLoc).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_LOWERING_LOWERINGUTILS_H
#define TESSERA_COMPILER_LOWERING_LOWERINGUTILS_H

#include "compiler/patterns/NodeName.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tessera::lowering {

/// The elements of an integer constant (dense or dense_resource; a splat is
/// expanded to the type's element count), sign-extended; none if `v` is not
/// a constant.
std::optional<llvm::SmallVector<int64_t>> readIntConstant(mlir::Value v);
/// The single value of a one-element (or splat) integer constant.
std::optional<int64_t> readScalarConstant(mlir::Value v);

/// Range of a signless integer element type as the NPU reads it (signed).
int64_t intTypeMin(mlir::Type t);
int64_t intTypeMax(mlir::Type t);

/// The parameters of a tosa.rescale with constant operands.
struct RescaleParams {
  llvm::SmallVector<int32_t> multiplier, shift;
  int64_t inputZp = 0, outputZp = 0;
  bool doubleRound = false;
  bool scale32 = true; ///< false: 16-bit multipliers (an i48 input)
};
/// Reads `op`; on failure returns false with the reason in `why`.
/// Requires scale32 (unless `allowScale16`: the rescale of an int16 conv's
/// i48 accumulator), signed input and output, and constant operands.
bool readRescale(mlir::tosa::RescaleOp op, RescaleParams &out,
                 std::string &why, bool allowScale16 = false);

/// A rescale that only removes the zero point: one multiplier, the
/// identity (kIdentityMultiplier, kIdentityShift), output zero point 0 (the
/// i8 -> i32 widening in front of integer mul and of a global sum).
bool isZeroPointRemoval(const RescaleParams &p);

/// The integer bounds of a tosa.clamp.
bool readClamp(mlir::tosa::ClampOp op, int64_t &lo, int64_t &hi);

/// The only user of `v` if it is an `OpTy`, else null.
template <typename OpTy> OpTy soleUser(mlir::Value v) {
  if (!v.hasOneUse())
    return nullptr;
  return llvm::dyn_cast<OpTy>(*v.getUsers().begin());
}

/// If the only user of `v` is a tosa.clamp with integer bounds, intersects
/// [lo, hi] with them and returns it (the op a fused rewrite replaces).
mlir::Operation *absorbClamp(mlir::Value v, int64_t &lo, int64_t &hi);

/// Replaces `last` (a rescale or the clamp after it) by `v` and erases the
/// fused ops in `others` that are not `last` (erased in order).
void replaceFused(mlir::PatternRewriter &rewriter, mlir::Operation *last,
                  mlir::Value v, llvm::ArrayRef<mlir::Operation *> others);

/// The ONNX node `op` was imported from (compiler/patterns/NodeName.h).
using patterns::onnxNodeName;

/// "Relu" or "Clip" for a fused clamp [lo, hi] on an output of type range
/// [tmin, tmax] with zero point zp; "" when the clamp does nothing.
std::string activationName(int64_t lo, int64_t hi, int64_t zp, int64_t tmin,
                           int64_t tmax);

/// The value `v` is a view of through tosa.reshape / npu.reshape ops (`v`
/// itself if none).
mlir::Value skipReshapes(mlir::Value v);

/// If `v` is an integer constant, possibly behind tosa.reshape/npu.reshape
/// (e.g. the detect head's reshaped scalars and anchor grids), a tosa.const
/// of `v`'s type, or of `target` with the values broadcast numpy-style
/// (e.g. a [1, 1, H, W, 2] grid to [1, 3, H, W, 2]) when `target` is given;
/// codegen reads such operands from the constant image. Otherwise `v`
/// itself (no target) or null (target given).
mlir::Value materializeConstant(mlir::PatternRewriter &rewriter, mlir::Value v,
                                mlir::RankedTensorType target);

/// Arranges the operands of an elementwise binary op (`a`, `b`: the 8-bit
/// inputs, TOSA broadcasting to `out`) for npu.add / npu.mul, whose `a` has
/// the result's shape and whose `b` has it too, or is one element or a
/// per-channel vector [1, ..., 1, C] (the ELTWISE bcast of docs/isa.md):
/// a `commutative` op's operands are swapped when only `a` broadcasts
/// (`swapped` says so); any other broadcast operand must be a constant
/// (possibly behind reshapes) and is materialized at the full shape; a
/// constant b behind reshapes becomes a tosa.const of its own shape. On
/// failure returns false with the reason in `why` (naming the shapes).
bool arrangeBinaryOperands(mlir::PatternRewriter &rewriter,
                           mlir::RankedTensorType out, mlir::Value &a,
                           mlir::Value &b, bool commutative, bool &swapped,
                           std::string &why);

/// Records the layer-table row of a new npu op (consumed by assignLayers).
void tagLayer(mlir::Operation *npuOp, llvm::StringRef node,
              llvm::StringRef opType);

} // namespace tessera::lowering

#endif // TESSERA_COMPILER_LOWERING_LOWERINGUTILS_H
