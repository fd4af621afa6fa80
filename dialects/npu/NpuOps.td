//===- NpuOps.td - npu dialect operations -----------------*- tablegen -*-===//
//
// One op per layer as the NPU runs it. Integer NHWC tensors; quantization
// parameters are explicit attributes with TOSA semantics (apply_scale_32 with
// multiplier in [2^30, 2^31) and shift in [2, 62]).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_NPU_OPS_TD
#define TESSERA_NPU_OPS_TD

include "NpuDialect.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Npu_IntTensor : RankedTensorOf<[AnyInteger]>;

// Attributes every layer op carries.
class Npu_LayerOp<string mnemonic, list<Trait> traits = []>
    : Npu_Op<mnemonic, !listconcat(traits, [Pure])>;

def Npu_Conv2DOp : Npu_LayerOp<"conv2d"> {
  let summary = "MAC-array 2-D convolution with a fused requantization epilogue";
  let description = [{
    output[n, oh, ow, oc] = clamp(apply_scale_32(acc + bias[oc],
        multiplier[oc], shift[oc], double_round) + output_zp,
        clamp_min, clamp_max), where acc sums
    (input[n, ih, iw, ic] - input_zp) * (weight[oc, kh, kw, icg] - weight_zp)
    over the window of group oc / (OC / groups). Padding contributes zero.
    `weight` is [OC, KH, KW, IC / groups]; `multiplier` and `shift` have one
    entry (per tensor) or OC entries (per channel). `tile_rows` is the number
    of output rows computed per SRAM tile (0: not yet tiled), `tile_channels`
    the number of output channels per tile (0: all of them; set when the
    weights do not fit SRAM at once), and `double_buffer` whether input and
    output bands have two SRAM slots each so that DMA overlaps compute
    (chosen by --tessera-npu-tile, docs/lowering.md).
  }];
  let arguments = (ins Npu_IntTensor:$input, Npu_IntTensor:$weight,
      Npu_IntTensor:$bias,
      DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$dilation,
      DenseI64ArrayAttr:$pad, I64Attr:$groups,
      I64Attr:$input_zp, I64Attr:$weight_zp, I64Attr:$output_zp,
      DenseI32ArrayAttr:$multiplier, DenseI32ArrayAttr:$shift,
      BoolAttr:$double_round, I64Attr:$clamp_min, I64Attr:$clamp_max,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<I64Attr, "0">:$tile_channels,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_PoolOp : Npu_LayerOp<"pool"> {
  let summary = "vector-unit max, min or average pooling";
  let description = [{
    `kind` is "max", "min" (ReduceMin) or "avg". Average pooling follows TOSA avg_pool2d for
    integers: the sum of (x - input_zp) over the window, excluding padding,
    scaled by the reciprocal of the element count, plus output_zp, clamped to
    the output type. Global average pooling is a window of the whole plane.
    With `multiplier` != 0 (avg only) the sum is scaled by (multiplier,
    shift) instead, TOSA apply_scale_32 with single rounding: the reciprocal
    of the window size and a change of scale in one rounding (the ISA's POOL
    with cip = 1; global pooling into another quantization). With
    `per_count` the multiplier is per window instead:
    (core/quant perCountMultiplier(multiplier, n), shift), n the window's
    in-bounds count: a windowed pool into another quantization, one
    rounding per output (POOL with cip = 0 and mult != 0).
    `tile_rows` output rows and `tile_channels` channels (0: all) per SRAM
    tile: every channel is independent, so a whole-plane window (global
    pooling of a large plane) is tiled by channels.
  }];
  let arguments = (ins Npu_IntTensor:$input, StrAttr:$kind,
      DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride,
      DenseI64ArrayAttr:$pad, I64Attr:$input_zp, I64Attr:$output_zp,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<I64Attr, "0">:$multiplier,
      DefaultValuedAttr<I64Attr, "0">:$shift,
      DefaultValuedAttr<I64Attr, "0">:$tile_channels,
      DefaultValuedAttr<BoolAttr, "false">:$per_count);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Npu_RescaleOp : Npu_LayerOp<"rescale"> {
  let summary = "vector-unit requantization (TOSA rescale + clamp)";
  let description = [{
    output[..., c] = clamp(apply_scale_32(input[..., c] - input_zp,
        multiplier[c], shift[c], double_round) + output_zp, clamp_min,
        clamp_max), saturated to the output type; one multiplier/shift pair
    (per tensor) or one per innermost channel. The tensor is processed as
    rows of its innermost dimension; `tile_rows` rows per SRAM tile.
  }];
  let arguments = (ins Npu_IntTensor:$input,
      I64Attr:$input_zp, I64Attr:$output_zp,
      DenseI32ArrayAttr:$multiplier, DenseI32ArrayAttr:$shift,
      BoolAttr:$double_round, I64Attr:$clamp_min, I64Attr:$clamp_max,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Npu_AddOp : Npu_LayerOp<"add"> {
  let summary = "vector-unit quantized add, sub, max or min (b may be "
                "broadcast)";
  let description = [{
    The integer residual add of TOSA (TFLite's quantized ADD):
      a' = apply_scale_32(a - a_zp, a_multiplier, a_shift, double_round)
      b' = apply_scale_32(b - b_zp, b_multiplier, b_shift, double_round)
      output = clamp(apply_scale_32(a' + b', multiplier, shift, double_round)
                     + output_zp, clamp_min, clamp_max)
    saturated to the output type (int32 intermediates). It is the ISA's
    ELTWISE add with left_shift = 0: the i8 -> i32 input rescales of the
    integer TOSA already contain the left shift in their multipliers.
    `a` has the result's shape; `b` has it too, or one element (bcast =
    scalar), or is a [1, ..., 1, C] vector (bcast = channel), loaded into
    SRAM once per layer. `kind` selects a' + b' ("add", the default),
    a' - b' ("sub", TFLite's quantized SUB), max(a', b') ("max") or
    min(a', b') ("min"): ELTWISE add, sub, max, min.
    `tile_rows` rows of the innermost dimension per SRAM tile.
  }];
  let arguments = (ins Npu_IntTensor:$a, Npu_IntTensor:$b,
      I64Attr:$a_zp, I32Attr:$a_multiplier, I32Attr:$a_shift,
      I64Attr:$b_zp, I32Attr:$b_multiplier, I32Attr:$b_shift,
      I64Attr:$output_zp, I32Attr:$multiplier, I32Attr:$shift,
      BoolAttr:$double_round, I64Attr:$clamp_min, I64Attr:$clamp_max,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer,
      DefaultValuedStrAttr<StrAttr, "add">:$kind);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_ConcatOp : Npu_LayerOp<"concat"> {
  let summary = "concatenation along an axis (inputs share one quantization)";
  let arguments = (ins Variadic<Npu_IntTensor>:$inputs, I64Attr:$axis,
      I64Attr:$layer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Npu_ReshapeOp : Npu_LayerOp<"reshape"> {
  let summary = "a view of the same elements with another shape";
  let arguments = (ins Npu_IntTensor:$input, I64Attr:$layer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Npu_SliceOp : Npu_LayerOp<"slice"> {
  let summary = "a window of the innermost dimension: a strided view, no copy";
  let description = [{
    output[..., c] = input[..., offset + c]; every other dimension is whole.
    Codegen makes the result a view of the input's buffer (same row pitch,
    `offset` elements further), so consumers' DMAs read it strided.
  }];
  let arguments = (ins Npu_IntTensor:$input, I64Attr:$offset, I64Attr:$layer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Npu_TransposeOp : Npu_LayerOp<"transpose"> {
  let summary = "a permutation of the outer dimensions, rows moved by DMA";
  let description = [{
    output[i0, .., i(r-1)] = input[j0, .., j(r-1)] with
    j(perms[k]) = ik + offsets[perms[k]] (offsets per input dimension, all 0
    when absent): the innermost dimension stays innermost
    (perms.back() == rank - 1), so whole rows move. With offsets the output
    may be smaller than the permuted input: a box of it (an outer-dimension
    tosa.slice is this op with the identity permutation). Codegen copies
    rows DRAM -> SRAM -> DRAM with strided LOADs (a 2-D descriptor per block
    of output rows) and dense STOREs.
  }];
  let arguments = (ins Npu_IntTensor:$input, DenseI64ArrayAttr:$perms,
      I64Attr:$layer, OptionalAttr<DenseI64ArrayAttr>:$offsets);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Npu_ResizeOp : Npu_LayerOp<"resize"> {
  let summary = "nearest-neighbour upscale by integer factors, by DMA";
  let description = [{
    output[n, oy, ox, c] = input[n, oy / factor_y, ox / factor_x, c] (NHWC):
    the index map of a TOSA NEAREST_NEIGHBOR resize that --tessera-lower-to-npu
    checked against core/kernels resizeNearest. No arithmetic: codegen LOADs
    bands of input rows and writes each factor_y x factor_x times with
    strided STOREs.
  }];
  let arguments = (ins Npu_IntTensor:$input, I64Attr:$factor_y,
      I64Attr:$factor_x, I64Attr:$layer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Npu_TableOp : Npu_LayerOp<"table"> {
  let summary = "vector-unit 256-entry table lookup (TOSA table for i8)";
  let description = [{
    output[i] = table[input[i] + 128] (i8; TOSA TABLE, core/kernels
    lookup256). `table` is a constant tensor<256xi8>: codegen places it in
    the constant image and loads it into SRAM once per layer, like a conv's
    (multiplier, shift) pairs. The ISA's ELTWISE lut. Any rank; processed as
    rows of the innermost dimension, `tile_rows` rows per SRAM tile.
  }];
  let arguments = (ins Npu_IntTensor:$input, Npu_IntTensor:$table,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $input `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_SoftmaxOp : Npu_LayerOp<"softmax"> {
  let summary = "vector-unit integer Softmax / LogSoftmax over the innermost dimension";
  let description = [{
    Each row of the innermost dimension is normalised (core/kernels
    quantSoftmax; the ISA's ELTWISE softmax / log_softmax):
      m = max of the row, e = clamp(table[m - x], 0, 2^15),
      sum = sum of e (int32),
      softmax:     out = apply_scale_32(sat32((e * floor(2^62 / sum) + 2^30)
                         >> 31), multiplier, shift) + output_zp
      log_softmax: out = output_zp - (((m - x) * in_multiplier * 2^16 +
                         (log2Q16(sum) - 15 * 2^16) * log_multiplier + 2^31)
                         >> 32)
    clamped and saturated to the output type. `table` is a constant
    tensor<256xi32> (exp(-s_in d) * 2^15) loaded once per layer.
    `tile_rows` rows per SRAM tile.
  }];
  let arguments = (ins Npu_IntTensor:$input, Npu_IntTensor:$table,
      BoolAttr:$log, I32Attr:$multiplier, I32Attr:$shift,
      I32Attr:$in_multiplier, I32Attr:$log_multiplier, I64Attr:$output_zp,
      I64Attr:$clamp_min, I64Attr:$clamp_max,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $input `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_LayerNormOp : Npu_LayerOp<"layer_norm"> {
  let summary = "vector-unit integer layer normalisation over the innermost dimension";
  let description = [{
    Each row of the innermost dimension (n elements) is normalised to
    (x - mean) / sqrt(var + eps) and requantised once (core/kernels
    quantLayerNorm; the ISA's ELTWISE layer_norm):
      S = sum of the row, d = n * x - S, A = sum d^2 + eps_mantissa *
      2^eps_shift, R = isqrt(A * 2^2t) (A * 2^2t in [2^60, 2^62)),
      out = ((d * floor(2^62 / R) * multiplier + 2^(sh-1)) >> sh)
            + output_zp,  sh = shift + 31 - t
    clamped and saturated to the output type. `tile_rows` rows per SRAM
    tile.
  }];
  let arguments = (ins Npu_IntTensor:$input,
      I32Attr:$multiplier, I32Attr:$shift,
      I32Attr:$eps_mantissa, I32Attr:$eps_shift, I64Attr:$output_zp,
      I64Attr:$clamp_min, I64Attr:$clamp_max,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_MulOp : Npu_LayerOp<"mul"> {
  let summary = "vector-unit quantized multiplication (b may be broadcast)";
  let description = [{
    The integer multiply of --tessera-fold-to-integer (rescale i8 -> i32 by
    exactly 1 removing the zero points, tosa.mul i32 with shift 0, rescale
    i32 -> i8):
      output = clamp(apply_scale_32((a - a_zp) * (b - b_zp), multiplier,
                     shift, double_round) + output_zp, clamp_min, clamp_max)
    saturated to the output type; the product of two 8-bit differences
    (|.| <= 255 * 255) cannot overflow int32. The ISA's ELTWISE mul. `a`
    has the result's shape; `b` has it too, or one element (all dimensions
    1; bcast = scalar), or is a [1, ..., 1, C] vector over the innermost
    dimension (bcast = channel: a squeeze-excitation gate, a per-channel
    constant); a broadcast `b` is loaded into SRAM once per layer.
    Constant operands are read from the constant image.
    `tile_rows` rows of the innermost dimension per SRAM tile.
  }];
  let arguments = (ins Npu_IntTensor:$a, Npu_IntTensor:$b,
      I64Attr:$a_zp, I64Attr:$b_zp, I64Attr:$output_zp,
      I32Attr:$multiplier, I32Attr:$shift,
      BoolAttr:$double_round, I64Attr:$clamp_min, I64Attr:$clamp_max,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_CompareOp : Npu_LayerOp<"compare"> {
  let summary = "vector-unit comparison of two rescaled operands (0 / 1 bytes)";
  let description = [{
    The integer comparison of --tessera-fold-to-integer (FoldCompare.cpp):
      a' = apply_scale_32(a - a_zp, a_multiplier, a_shift, double_round)
      b' = apply_scale_32(b - b_zp, b_multiplier, b_shift, double_round)
      output = (a' > b' | a' >= b' | a' == b') ? 1 : 0      (i8)
    for `kind` "gt", "ge", "eq": the ISA's ELTWISE cmp_gt / cmp_ge / cmp_eq
    with left_shift = 0 (the i8 -> i32 rescales carry the common scale's
    left shift, as for npu.add). The output is the bool tensor of a
    tosa.greater / greater_equal / equal stored one byte per element; its
    consumer is an npu.select. `b` may be an i32 constant (a threshold,
    identity multiplier), one element (bcast = scalar) or a [1, ..., 1, C]
    vector (bcast = channel). `tile_rows` rows per SRAM tile.
  }];
  let arguments = (ins Npu_IntTensor:$a, Npu_IntTensor:$b, StrAttr:$kind,
      I64Attr:$a_zp, I32Attr:$a_multiplier, I32Attr:$a_shift,
      I64Attr:$b_zp, I32Attr:$b_multiplier, I32Attr:$b_shift,
      BoolAttr:$double_round,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_SelectOp : Npu_LayerOp<"select"> {
  let summary = "vector-unit select of two requantized operands";
  let description = [{
    tosa.select of two operands each requantized to the output (an i8 ->
    i8 tosa.rescale and clamp, FoldCompare.cpp):
      a' = apply_scale_32(a - a_zp, a_multiplier, a_shift, double_round)
      b' = apply_scale_32(b - b_zp, b_multiplier, b_shift, double_round)
      output = clamp((cond != 0 ? a' : b') + output_zp, clamp_min,
                     clamp_max)
    saturated to the output type: the ISA's ELTWISE select, `cond` at its
    `c` address (i8, 0 = false, the result's shape). An operand that is not
    requantized has the identity multiplier and a_zp = output_zp. `a` has
    the result's shape; `b` has it too, or one element, or is a [1, ..., 1,
    C] vector. `tile_rows` rows per SRAM tile.
  }];
  let arguments = (ins Npu_IntTensor:$cond, Npu_IntTensor:$a,
      Npu_IntTensor:$b,
      I64Attr:$a_zp, I32Attr:$a_multiplier, I32Attr:$a_shift,
      I64Attr:$b_zp, I32Attr:$b_multiplier, I32Attr:$b_shift,
      I64Attr:$output_zp, BoolAttr:$double_round,
      I64Attr:$clamp_min, I64Attr:$clamp_max,
      I64Attr:$layer, DefaultValuedAttr<I64Attr, "0">:$tile_rows,
      DefaultValuedAttr<BoolAttr, "false">:$double_buffer);
  let results = (outs Npu_IntTensor:$output);
  let assemblyFormat = [{
    $cond `,` $a `,` $b attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Npu_HostCallOp : Npu_Op<"host_call"> {
  let summary = "run an outlined host segment on the SoC's CPU (host fallback)";
  let description = [{
    Calls `callee`, a private func.func of the module that --tessera-lower-
    to-npu outlined from ops marked `tessera.device = "cpu"`: integer
    tensors in, integer tensors out, the float ops and their
    quant.scast/dcast/qcast boundaries inside. Codegen emits one HOST
    instruction; its operands and results are dense DRAM tensors.
    `flops` and `bytes` are the compile-time host work estimate
    (docs/lowering.md, "Host segments"); `nodes` the ONNX nodes it runs.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
      Variadic<Npu_IntTensor>:$inputs, I64Attr:$flops, I64Attr:$bytes,
      StrArrayAttr:$nodes, DefaultValuedAttr<I64Attr, "0">:$layer);
  let results = (outs Variadic<Npu_IntTensor>:$outputs);
  let assemblyFormat = [{
    $callee `(` $inputs `)` attr-dict `:` functional-type($inputs, results)
  }];
  let hasVerifier = 1;
}

#endif // TESSERA_NPU_OPS_TD
