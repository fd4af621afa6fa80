//===- NpuDialect.td - The npu dialect definition ---------*- tablegen -*-===//
#ifndef TESSERA_NPU_DIALECT_TD
#define TESSERA_NPU_DIALECT_TD

include "mlir/IR/OpBase.td"

def Npu_Dialect : Dialect {
  let name = "npu";
  let summary = "Tessera's NPU target operations";
  let description = [{
    The level between integer TOSA and the NPU instruction set. Each op is one
    layer as the NPU executes it: a MAC-array convolution with its fused
    requantization epilogue (NVDLA's conv core + SDP), a vector-unit pooling,
    elementwise or rescale op, or a pure data movement (concat, reshape).
    Every op carries `layer`, the index of the ONNX node it implements in the
    program's layer table, and its tiling over SRAM (`tile_rows`), chosen by
    the lowering from the target profile. Tensors are NHWC integers; all
    quantization parameters are explicit attributes, so codegen needs no
    types from the quant dialect.
  }];
  let cppNamespace = "::tessera::npu";
}

class Npu_Op<string mnemonic, list<Trait> traits = []>
    : Op<Npu_Dialect, mnemonic, traits>;

#endif // TESSERA_NPU_DIALECT_TD
