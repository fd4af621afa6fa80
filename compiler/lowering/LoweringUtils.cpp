//===- LoweringUtils.cpp - Helpers shared by the TOSA -> npu rewrites -----===//
#include "compiler/lowering/LoweringUtils.h"

#include "compiler/lowering/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace tessera::lowering {

std::optional<llvm::SmallVector<int64_t>> readIntConstant(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto shaped = dyn_cast<ShapedType>(cast<TypedAttr>(attr).getType());
  if (!shaped || !shaped.hasStaticShape() ||
      !isa<IntegerType>(shaped.getElementType()))
    return std::nullopt;
  llvm::SmallVector<int64_t> out;
  int64_t n = shaped.getNumElements();
  out.reserve(n);
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    if (dense.isSplat()) {
      out.assign(n, dense.getSplatValue<APInt>().getSExtValue());
      return out;
    }
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(x.getSExtValue());
    return out;
  }
  // dense_resource blobs (large weights kept out of the textual IR).
  auto fromBlob = [&](auto typed) -> bool {
    if (!typed)
      return false;
    auto data = typed.tryGetAsArrayRef();
    if (!data || static_cast<int64_t>(data->size()) != n)
      return false;
    out.assign(data->begin(), data->end());
    return true;
  };
  unsigned bits = shaped.getElementType().getIntOrFloatBitWidth();
  if ((bits == 8 && fromBlob(dyn_cast<DenseI8ResourceElementsAttr>(attr))) ||
      (bits == 16 && fromBlob(dyn_cast<DenseI16ResourceElementsAttr>(attr))) ||
      (bits == 32 && fromBlob(dyn_cast<DenseI32ResourceElementsAttr>(attr))) ||
      (bits == 64 && fromBlob(dyn_cast<DenseI64ResourceElementsAttr>(attr))))
    return out;
  return std::nullopt;
}

std::optional<int64_t> readScalarConstant(Value v) {
  auto values = readIntConstant(v);
  if (!values || values->empty())
    return std::nullopt;
  for (int64_t x : *values)
    if (x != (*values)[0])
      return std::nullopt;
  return (*values)[0];
}

int64_t intTypeMin(Type t) {
  unsigned bits = t.getIntOrFloatBitWidth();
  if (t.isUnsignedInteger())
    return 0;
  return -(int64_t(1) << (bits - 1));
}

int64_t intTypeMax(Type t) {
  unsigned bits = t.getIntOrFloatBitWidth();
  if (t.isUnsignedInteger())
    return (int64_t(1) << bits) - 1;
  return (int64_t(1) << (bits - 1)) - 1;
}

bool readRescale(tosa::RescaleOp op, RescaleParams &out, std::string &why,
                 bool allowScale16) {
  if (!op.getScale32() && !allowScale16) {
    why = "scale32 = false (16-bit multipliers) is not supported";
    return false;
  }
  out.scale32 = op.getScale32();
  if (op.getInputUnsigned() || op.getOutputUnsigned()) {
    why = "unsigned rescale input/output is not supported";
    return false;
  }
  auto mult = readIntConstant(op.getMultiplier());
  auto shift = readIntConstant(op.getShift());
  auto izp = readScalarConstant(op.getInputZp());
  auto ozp = readScalarConstant(op.getOutputZp());
  if (!mult || !shift || !izp || !ozp) {
    why = "multiplier, shift and zero points must be constants";
    return false;
  }
  if (mult->size() != shift->size()) {
    why = "expected as many shifts as multipliers";
    return false;
  }
  out.multiplier.assign(mult->begin(), mult->end());
  out.shift.assign(shift->begin(), shift->end());
  out.inputZp = *izp;
  out.outputZp = *ozp;
  out.doubleRound = op.getRoundingMode() == tosa::RoundingMode::DOUBLE_ROUND;
  return true;
}

bool isZeroPointRemoval(const RescaleParams &p) {
  return p.multiplier.size() == 1 && p.multiplier[0] == kIdentityMultiplier &&
         p.shift[0] == kIdentityShift && p.outputZp == 0;
}

bool readClamp(tosa::ClampOp op, int64_t &lo, int64_t &hi) {
  auto mn = dyn_cast<IntegerAttr>(op.getMinValAttr());
  auto mx = dyn_cast<IntegerAttr>(op.getMaxValAttr());
  if (!mn || !mx)
    return false;
  lo = mn.getValue().getSExtValue();
  hi = mx.getValue().getSExtValue();
  return true;
}

Operation *absorbClamp(Value v, int64_t &lo, int64_t &hi) {
  auto clamp = soleUser<tosa::ClampOp>(v);
  int64_t clo, chi;
  if (!clamp || !readClamp(clamp, clo, chi))
    return nullptr;
  lo = std::max(lo, clo);
  hi = std::min(hi, chi);
  return clamp;
}

void replaceFused(PatternRewriter &rewriter, Operation *last, Value v,
                  llvm::ArrayRef<Operation *> others) {
  rewriter.replaceOp(last, v);
  for (Operation *op : others)
    if (op != last)
      rewriter.eraseOp(op);
}


std::string activationName(int64_t lo, int64_t hi, int64_t zp, int64_t tmin,
                           int64_t tmax) {
  if (lo <= tmin && hi >= tmax)
    return "";
  if (lo == zp && hi >= tmax)
    return "Relu";
  return "Clip";
}

void tagLayer(Operation *npuOp, StringRef node, StringRef opType) {
  Builder b(npuOp->getContext());
  npuOp->setAttr(kNodeAttr, b.getStringAttr(node));
  npuOp->setAttr(kOpTypeAttr, b.getStringAttr(opType));
}

} // namespace tessera::lowering

namespace tessera::lowering {

Value skipReshapes(Value v) {
  for (;;) {
    if (auto r = v.getDefiningOp<tosa::ReshapeOp>())
      v = r.getInput1();
    else if (auto r = v.getDefiningOp<npu::ReshapeOp>())
      v = r.getInput();
    else
      return v;
  }
}

Value materializeConstant(PatternRewriter &rewriter, Value v,
                          RankedTensorType target) {
  Value src = skipReshapes(v);
  auto values = readIntConstant(src);
  if (!values)
    return target ? Value() : v;
  auto type = cast<RankedTensorType>(v.getType());
  if (!target && src == v)
    return v;
  RankedTensorType outType = target ? target : type;
  llvm::ArrayRef<int64_t> in = type.getShape(), out = outType.getShape();
  if (in.size() != out.size())
    return Value();
  for (size_t d = 0; d < in.size(); ++d)
    if (in[d] != out[d] && in[d] != 1)
      return Value();
  // Row-major strides of `in`, 0 along broadcast dimensions.
  llvm::SmallVector<int64_t> stride(in.size(), 0);
  for (int64_t d = static_cast<int64_t>(in.size()) - 1, s = 1; d >= 0; --d) {
    stride[d] = in[d] == 1 ? 0 : s;
    s *= in[d];
  }
  llvm::SmallVector<APInt> bits;
  unsigned width = outType.getElementTypeBitWidth();
  for (int64_t i = 0, n = outType.getNumElements(); i < n; ++i) {
    int64_t at = 0;
    for (int64_t d = static_cast<int64_t>(out.size()) - 1, rest = i; d >= 0;
         --d) {
      at += (rest % out[d]) * stride[d];
      rest /= out[d];
    }
    bits.push_back(APInt(width, (*values)[at], /*isSigned=*/true));
  }
  return tosa::ConstOp::create(rewriter, v.getLoc(), outType,
                               DenseElementsAttr::get(outType, bits));
}

static std::string shapeText(Value v) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleave(cast<RankedTensorType>(v.getType()).getShape(), os, ", ");
  os << ']';
  return text;
}

namespace {

/// `v` (an activation of `out`'s rank) broadcast to `out`'s shape by a
/// tosa.tile, which LowerTile (LowerConcat.cpp) turns into npu.concat copies
/// (e.g. a spatial-attention map [1, H, W, 1] -> [1, H, W, C]: C copies
/// along the channels). It carries the ONNX node of the op being rewritten
/// (the rewriter's insertion point), so it joins that op's layer. Null if
/// `v` does not broadcast to `out`.
Value broadcastByCopies(PatternRewriter &rewriter, Value v,
                        RankedTensorType out) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() != out.getRank() || !t.hasStaticShape())
    return {};
  SmallVector<int64_t> multiples;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    if (t.getDimSize(d) != out.getDimSize(d) && t.getDimSize(d) != 1)
      return {};
    multiples.push_back(out.getDimSize(d) / t.getDimSize(d));
  }
  Location loc = v.getLoc();
  auto shapeType = RankedTensorType::get(
      {static_cast<int64_t>(multiples.size())}, rewriter.getIndexType());
  Value m = tosa::ConstShapeOp::create(
      rewriter, loc,
      tosa::shapeType::get(rewriter.getContext(),
                           static_cast<int>(multiples.size())),
      DenseIntElementsAttr::get(shapeType, multiples));
  auto tile = tosa::TileOp::create(
      rewriter, loc,
      RankedTensorType::get(out.getShape(), t.getElementType()), v, m);
  if (rewriter.getInsertionPoint() != rewriter.getInsertionBlock()->end())
    tile->setAttr("onnx.node", rewriter.getStringAttr(onnxNodeName(
                                   &*rewriter.getInsertionPoint())));
  return tile.getResult();
}

} // namespace

bool arrangeBinaryOperands(PatternRewriter &rewriter, RankedTensorType out,
                           Value &a, Value &b, bool commutative, bool &swapped,
                           std::string &why) {
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  auto fullOf = [&](Value v) {
    return RankedTensorType::get(
        out.getShape(), cast<RankedTensorType>(v.getType()).getElementType());
  };
  swapped = false;
  if (commutative && shapeOf(a) != out.getShape() &&
      shapeOf(b) == out.getShape()) {
    std::swap(a, b);
    swapped = true;
  }
  if (shapeOf(a) != out.getShape()) {
    Value c = materializeConstant(rewriter, a, fullOf(a));
    if (!c) {
      why = "operands " + shapeText(a) + " and " + shapeText(b) +
            " both broadcast to the result and neither is a constant";
      if (!commutative)
        why = "the first operand " + shapeText(a) +
              " broadcasts to the result and is not a constant";
      return false;
    }
    a = c;
  }
  if (npu::binaryBcast(cast<RankedTensorType>(b.getType()), out)) {
    b = materializeConstant(rewriter, b, nullptr);
    return true;
  }
  Value c = materializeConstant(rewriter, b, fullOf(b));
  if (!c)
    c = broadcastByCopies(rewriter, b, out);
  if (!c) {
    why = "operand " + shapeText(b) + " does not broadcast to the result " +
          shapeText(a);
    return false;
  }
  b = c;
  return true;
}

} // namespace tessera::lowering
