//===- NpuGeometry.cpp - TilePlan geometry of npu ops ---------------------===//
#include "compiler/lowering/NpuGeometry.h"

#include "dialects/npu/NpuDialect.h"

using namespace mlir;

namespace tessera::lowering {

int64_t elementBytes(Value v) {
  auto t = cast<ShapedType>(v.getType());
  return (t.getElementTypeBitWidth() + 7) / 8;
}

static void setWindow(WindowGeometry &g, RankedTensorType in,
                      RankedTensorType out, llvm::ArrayRef<int64_t> stride,
                      llvm::ArrayRef<int64_t> pad) {
  g.n = in.getDimSize(0);
  g.h = in.getDimSize(1);
  g.w = in.getDimSize(2);
  g.c = in.getDimSize(3);
  g.oh = out.getDimSize(1);
  g.ow = out.getDimSize(2);
  g.oc = out.getDimSize(3);
  // A stride only separates windows: with one output row (column) every
  // stride reads the same window, so use 1, which the instruction's 8-bit
  // field holds (an ONNX stride of 2^62 over an 8-pixel input is valid).
  g.strideH = g.oh == 1 ? 1 : stride[0];
  g.strideW = g.ow == 1 ? 1 : stride[1];
  g.padT = pad[0];
  g.padB = pad[1];
  g.padL = pad[2];
  g.padR = pad[3];
}

WindowGeometry windowGeometry(Operation *op) {
  WindowGeometry g;
  if (auto conv = dyn_cast<npu::Conv2DOp>(op)) {
    setWindow(g, conv.getInput().getType(), conv.getOutput().getType(),
              conv.getStride(), conv.getPad());
    auto w = conv.getWeight().getType();
    g.kh = w.getDimSize(1);
    g.kw = w.getDimSize(2);
    g.dilH = conv.getDilation()[0];
    g.dilW = conv.getDilation()[1];
    g.groups = static_cast<int64_t>(conv.getGroups());
    g.inBytes = elementBytes(conv.getInput());
    g.biasBytes = g.inBytes == 2 ? 8 : 4; // int16: the int48 bias
    g.wBytes = elementBytes(conv.getWeight());
    g.outBytes = elementBytes(conv.getOutput());
    g.hasWeights = true;
    g.perChannel = conv.getMultiplier().size() > 1;
    return g;
  }
  auto pool = cast<npu::PoolOp>(op);
  setWindow(g, pool.getInput().getType(), pool.getOutput().getType(),
            pool.getStride(), pool.getPad());
  g.kh = pool.getKernel()[0];
  g.kw = pool.getKernel()[1];
  g.groups = g.c;
  g.inBytes = elementBytes(pool.getInput());
  g.outBytes = elementBytes(pool.getOutput());
  g.hasWeights = false;
  return g;
}

EltwiseGeometry eltwiseGeometry(Operation *op) {
  EltwiseGeometry g;
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  g.channels = out.getRank() ? out.getDimSize(out.getRank() - 1) : 1;
  g.rows = g.channels ? out.getNumElements() / g.channels : 0;
  g.outBytes = elementBytes(op->getResult(0));
  g.aBytes = elementBytes(op->getOperand(0));
  if (isa<npu::SelectOp>(op)) { // operands (cond, a, b): a and b as for add
    g.cBytes = 1;
    g.aBytes = elementBytes(op->getOperand(1));
  }
  if (isa<npu::AddOp, npu::MulOp, npu::CompareOp, npu::SelectOp>(op)) {
    Value b = op->getOperand(isa<npu::SelectOp>(op) ? 2 : 1);
    auto bType = cast<RankedTensorType>(b.getType());
    if (npu::binaryBcast(bType, out) == npu::BinaryBcast::None)
      g.bBytes = elementBytes(b);
    else // scalar or per-channel b: loaded once, like a rescale's pairs
      g.paramBytes = bType.getNumElements() * elementBytes(b);
  } else if (isa<npu::TableOp>(op)) {
    g.paramBytes = 256; // the table, loaded once like per-channel pairs
  } else if (isa<npu::LayerNormOp>(op)) {
    g.paramBytes = 0; // every parameter is in the instruction
  } else if (isa<npu::SoftmaxOp>(op)) {
    g.paramBytes = 256 * 4; // the int32 exp table, loaded once
  } else if (auto rescale = dyn_cast<npu::RescaleOp>(op)) {
    if (rescale.getMultiplier().size() > 1)
      g.paramBytes = g.channels * 8; // (multiplier, shift) int32 pairs
  }
  return g;
}

TileChoice tileChoice(Operation *op) {
  TileChoice t;
  if (auto a = op->getAttrOfType<IntegerAttr>("tile_rows"))
    t.rows = a.getInt();
  else
    t.rows = 0;
  if (auto a = op->getAttrOfType<IntegerAttr>("tile_channels"))
    t.channels = a.getInt();
  if (auto a = op->getAttrOfType<BoolAttr>("double_buffer"))
    t.doubleBuffer = a.getValue();
  return t;
}

} // namespace tessera::lowering
