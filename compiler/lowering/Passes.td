//===- Passes.td - Tessera lowering pass declarations ------*- tablegen -*-===//
//
// Integer TOSA -> npu dialect, and the SRAM tiling of npu ops
// (docs/lowering.md). Pass names, flags and options live only here.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_LOWERING_PASSES
#define TESSERA_COMPILER_LOWERING_PASSES

include "mlir/Pass/PassBase.td"

def LowerToNpuPass : Pass<"tessera-lower-to-npu", "mlir::ModuleOp"> {
  let summary = "Integer TOSA to the npu dialect";
  let description = [{
    Rewrites the integer TOSA produced by --tessera-fold-to-integer into one
    npu op per NPU layer: conv2d / depthwise_conv2d + rescale (+ clamp) ->
    npu.conv2d (OHWI weights; depthwise weights re-laid out to
    [C*M, KH, KW, 1] with groups = C), max/avg_pool2d -> npu.pool, concat ->
    npu.concat, reshape -> npu.reshape, stand-alone rescale (+ clamp) ->
    npu.rescale, rescale + rescale -> add -> rescale (+ clamp) -> npu.add.
    Transposes between NCHW function arguments/results and the NHWC body are
    absorbed into the function signature (`npu.layout = "nhwc"`). Every npu
    op gets `layer`, its row in the module's layer table `npu.layers`
    (ONNX node name and op type, in program order). Anything else is an
    error naming the op and its location.
  }];
  let dependentDialects = ["tessera::npu::NpuDialect",
                           "mlir::tosa::TosaDialect"];
}

def NpuTilePass : Pass<"tessera-npu-tile", "mlir::ModuleOp"> {
  let summary = "Choose the SRAM tiling of every npu layer";
  let description = [{
    Sets `tile_rows` (output rows per tile), `tile_channels` (output
    channels per tile, 0 = all) and `double_buffer` on npu.conv2d, npu.pool,
    npu.rescale and npu.add so that one tile's input band (with halo rows),
    the layer's weights, bias and requantization parameters and the output
    band fit in `sram-bytes`, two input and two output bands when that fits
    (DMA overlaps compute), one otherwise. Weights that do not fit are split
    over output channels. The SRAM layout is the one codegen uses
    (compiler/lowering/TilePlan.h); the policy is in docs/lowering.md.
  }];
  let options = [
    Option<"sramBytes", "sram-bytes", "int64_t", /*default=*/"0",
           "SRAM bytes available to one layer (the target's SRAM size)">,
    Option<"doubleBuffer", "double-buffer", "bool", /*default=*/"true",
           "Use two input and two output band slots when they fit">,
    Option<"maxTileRows", "max-tile-rows", "int64_t", /*default=*/"0",
           "Upper bound on output rows per tile (0: none); for tests and "
           "to force finer DMA/compute interleaving">,
  ];
}

#endif // TESSERA_COMPILER_LOWERING_PASSES
