//===- Passes.h - Integer TOSA -> npu lowering and SRAM tiling ---*- C++
//-*-===//
//
// --tessera-lower-to-npu and --tessera-npu-tile, the populate functions of
// the lowering rewrites (one file each) and the attribute names shared with
// codegen. See docs/lowering.md.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_LOWERING_PASSES_H
#define TESSERA_COMPILER_LOWERING_PASSES_H

#include "dialects/npu/NpuDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera::lowering {

#define GEN_PASS_DECL
#include "compiler/lowering/Passes.h.inc"

/// Module attribute: the layer table, an array of {name, op_type}
/// dictionaries indexed by the npu ops' `layer`.
inline constexpr llvm::StringLiteral kLayersAttr = "npu.layers";
/// Argument/result attribute: "nhwc" when the ONNX tensor is rank-4 NCHW
/// and the function takes/returns it in NHWC order.
inline constexpr llvm::StringLiteral kLayoutAttr = "npu.layout";
/// Temporary op attributes from the rewrites to the layer assignment.
inline constexpr llvm::StringLiteral kNodeAttr = "npu.node";
inline constexpr llvm::StringLiteral kOpTypeAttr = "npu.op_type";

/// An npu.rescale by exactly 1 (apply_scale_32(v, 2^30, 30) == v): a clamp.
inline constexpr int32_t kIdentityMultiplier = 1 << 30;
inline constexpr int32_t kIdentityShift = 30;

//===----------------------------------------------------------------------===//
// --tessera-lower-to-npu rewrites
//===----------------------------------------------------------------------===//

/// conv2d / depthwise_conv2d + rescale (+ clamp) -> npu.conv2d.
void populateLowerConvPatterns(mlir::RewritePatternSet &patterns);
/// matmul with a constant b + rescale (+ clamp) -> reshape, 1x1 npu.conv2d,
/// reshape.
void populateLowerMatMulPatterns(mlir::RewritePatternSet &patterns);
/// max_pool2d / avg_pool2d -> npu.pool.
void populateLowerPoolPatterns(mlir::RewritePatternSet &patterns);
/// concat -> npu.concat.
void populateLowerConcatPatterns(mlir::RewritePatternSet &patterns);
/// Second phase: a pad no conv absorbed -> per padded axis, a concat of
/// splat constant blocks and the tensor.
void populateLowerPadPatterns(mlir::RewritePatternSet &patterns);
/// reshape -> npu.reshape.
void populateLowerReshapePatterns(mlir::RewritePatternSet &patterns);
/// Stand-alone integer rescale (+ clamp) -> npu.rescale.
void populateLowerRescalePatterns(mlir::RewritePatternSet &patterns);
/// rescale, rescale -> add (i32) -> rescale (+ clamp) -> npu.add.
void populateLowerAddPatterns(mlir::RewritePatternSet &patterns);
/// slice of the innermost dimension -> npu.slice (a strided view).
void populateLowerSlicePatterns(mlir::RewritePatternSet &patterns);
/// transpose keeping the innermost dimension -> npu.transpose; YOLO's
/// transpose-reshape-transpose -> npu.reshape + npu.transpose.
void populateLowerRowTransposePatterns(mlir::RewritePatternSet &patterns);
/// Second phase: any transpose left -> npu.reshape (trailing unit dim) +
/// npu.transpose + npu.reshape (one-element rows).
void populateLowerElementTransposePatterns(mlir::RewritePatternSet &patterns);
/// nearest resize by integer factors (index map checked) -> npu.resize;
/// bilinear by integer factors (+ its sub and rescale) -> edge replication,
/// one depthwise npu.conv2d per output phase, concats interleaving them.
void populateLowerResizePatterns(mlir::RewritePatternSet &patterns);
/// Why a BILINEAR resize has no NPU lowering (for the diagnostic), or none.
std::optional<std::string>
bilinearResizeUnsupported(mlir::tosa::ResizeOp resize);
/// i8 table (256 entries) -> npu.table.
void populateLowerTablePatterns(mlir::RewritePatternSet &patterns);
/// tosa.custom softmax / log_softmax -> npu.softmax.
void populateLowerSoftmaxPatterns(mlir::RewritePatternSet &patterns);
void populateLowerLayerNormPatterns(mlir::RewritePatternSet &patterns);
/// rescale (by 1), rescale (by 1) -> mul (i32) -> rescale (+ clamp) ->
/// npu.mul.
void populateLowerMulPatterns(mlir::RewritePatternSet &patterns);
/// Stand-alone clamp -> npu.rescale by exactly 1 with the clamp's bounds.
void populateLowerClampPatterns(mlir::RewritePatternSet &patterns);
/// Transpose that moves only unit dimensions -> npu.reshape.
void populateLowerTransposePatterns(mlir::RewritePatternSet &patterns);
/// select of a greater / greater_equal / equal -> npu.compare + npu.select.
void populateLowerSelectPatterns(mlir::RewritePatternSet &patterns);
/// All of the above.
void populateLowerToNpuPatterns(mlir::RewritePatternSet &patterns);

/// Erases every integer tosa.clamp whose input comes, through reshapes,
/// transposes, slices and pads (whose value joins the range), from a clamp
/// with bounds inside its own: it cannot change a value. Returns how many.
unsigned eraseRedundantClamps(mlir::func::FuncOp func);

/// Replaces NCHW->NHWC transposes of rank-4 arguments and NHWC->NCHW
/// transposes feeding the return by an NHWC signature with `npu.layout`.
void absorbBoundaryTransposes(mlir::func::FuncOp func);

/// An op the rewrites left behind (not npu, not a constant): its ONNX node
/// ("" when its location names none) and what the lowering expects.
struct UnloweredOp {
  mlir::Operation *op;
  std::string opName; // e.g. "tosa.resize"
  std::string node;
  std::string reason;
};
/// After the rewrites: the ops of `func` that are left, in program order.
std::vector<UnloweredOp> collectUnlowered(mlir::func::FuncOp func);
/// After the rewrites: emits one error per op that is left, naming it and
/// what the lowering supports. Fails if any.
mlir::LogicalResult diagnoseUnlowered(mlir::func::FuncOp func);

/// Runs --tessera-lower-to-npu's rewrites on `module` (host outlining, the
/// patterns; no diagnostics, no layer table) and returns what is left per
/// NPU function. The driver calls it on a clone to find the nodes that
/// have no NPU lowering and sends them to the host (docs/lowering.md,
/// "Host fallback of unlowerable ops").
mlir::FailureOr<std::vector<UnloweredOp>>
applyNpuRewrites(mlir::ModuleOp module);

/// Numbers the npu ops of `module` in program order by ONNX node (ops from
/// the same node share a row), sets their `layer` and the module's
/// `npu.layers` table, and drops the temporary attributes.
void assignLayers(mlir::ModuleOp module);

/// Op attribute of the int-level contract: "cpu" marks an op (and its
/// quant.scast/dcast/qcast boundaries) that runs on the host CPU.
inline constexpr llvm::StringLiteral kDeviceAttr = "tessera.device";
/// Function attribute of an outlined host segment.
inline constexpr llvm::StringLiteral kHostSegmentAttr = "tessera.host_segment";

/// Outlines each maximal run of consecutive `tessera.device = "cpu"` ops
/// (constants in between do not break a run) of `func` into a private
/// func.func @host_segment_N of the module and replaces it by an
/// npu.host_call with the host work estimate (docs/lowering.md, "Host
/// segments"). Fails, naming the op, on a run that reads or yields a
/// non-integer value.
mlir::LogicalResult outlineHostSegments(mlir::func::FuncOp func,
                                        unsigned &counter);
/// Whether `f` is an outlined host segment (no NPU lowering inside).
bool isHostSegment(mlir::func::FuncOp f);

//===----------------------------------------------------------------------===//
// --tessera-npu-tile
//===----------------------------------------------------------------------===//

struct TileOptions {
  uint64_t sramBytes = 0;
  bool doubleBuffer = true;
  int64_t maxTileRows = 0;
};

/// Sets the tiling attributes of every npu layer op in `module`; emits an
/// error naming the layer and the sizes when one cannot fit.
mlir::LogicalResult tileModule(mlir::ModuleOp module, const TileOptions &opts);

//===----------------------------------------------------------------------===//
// Pipeline
//===----------------------------------------------------------------------===//

/// --tessera-lower-to-npu then --tessera-npu-tile with `opts`.
void buildLowerToNpuPipeline(mlir::OpPassManager &pm, const TileOptions &opts);

/// Registers both passes (for tessera-opt).
void registerLoweringPasses();

} // namespace tessera::lowering

#endif // TESSERA_COMPILER_LOWERING_PASSES_H
