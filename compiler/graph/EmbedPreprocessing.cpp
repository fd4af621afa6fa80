//===- EmbedPreprocessing.cpp - Raw pixels in, normalisation inside -------===//
//
// tessera-compile --embed-preprocessing: the image input of a float model,
// which expects x[c] = (pixel[c] / 255 - mean[c]) / std[c] in NCHW RGB, takes
// the raw pixels instead (values 0..255, in the --input-layout and --color
// order) and the program does the normalisation:
//
//   pixels (NHWC view; a transpose for nchw)
//     -> conv2d 1x1, weight A[o][c] = 1 / (255 std[o]) where c is the pixel
//        channel holding model channel o (the colour order), bias
//        d[o] = -mean[o] / std[o]
//     -> the model (its NHWC view of the input, or a transpose back to NCHW)
//
// If that 1x1 conv feeds (through spatial slices only) exactly one unpadded
// conv2d with constant weight and bias, it folds into it exactly, in float,
// before calibration:
//   W'[o,kh,kw,c] = sum_j W[o,kh,kw,j] A[j][c]
//   b'[o]         = b[o] + sum_{kh,kw,j} W[o,kh,kw,j] d[j]
// With padding it must not fold: the model pads the normalised input with 0,
// i.e. a pixel of 255 mean[c] (not an integer), while the folded conv would
// pad the pixels with 0. The 1x1 conv then stays: an integer per-channel
// affine with one rounding, whose output the padded conv pads with its zero
// point, as the model does.
//
//===----------------------------------------------------------------------===//

#include "compiler/graph/Passes.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace tessera::graph {
namespace {

llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "--embed-preprocessing: " + msg);
}

Value transpose(OpBuilder &b, Location loc, Value v,
                llvm::ArrayRef<int32_t> perm) {
  auto in = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (int32_t p : perm)
    shape.push_back(in.getDimSize(p));
  return tosa::TransposeOp::create(
      b, loc, RankedTensorType::get(shape, in.getElementType()), v,
      b.getDenseI32ArrayAttr(perm));
}

Value floatConst(OpBuilder &b, Location loc, llvm::ArrayRef<int64_t> shape,
                 llvm::ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return tosa::ConstOp::create(b, loc, type,
                               DenseElementsAttr::get(type, values));
}

std::optional<std::vector<float>> readF32(Value v) {
  auto c = v.getDefiningOp<tosa::ConstOp>();
  if (!c)
    return std::nullopt;
  auto attr = dyn_cast<DenseElementsAttr>(c.getValues());
  if (!attr || !attr.getElementType().isF32())
    return std::nullopt;
  auto values = attr.getValues<float>();
  return std::vector<float>(values.begin(), values.end());
}

/// Folds the 1x1 conv `affine` (weight A [C, 1, 1, C], bias d [C]) into the
/// single unpadded conv2d that consumes it through spatial slices, if any.
bool foldIntoConsumer(tosa::Conv2DOp affine) {
  Value v = affine.getResult();
  SmallVector<Operation *> chain;
  Operation *user = nullptr;
  while (v.hasOneUse()) {
    user = *v.getUsers().begin();
    auto slice = dyn_cast<tosa::SliceOp>(user);
    if (!slice)
      break;
    auto in = cast<RankedTensorType>(slice.getInput1().getType());
    auto out = cast<RankedTensorType>(slice.getType());
    if (in.getRank() != 4 || in.getDimSize(3) != out.getDimSize(3))
      return false; // a slice of channels does not commute with A
    chain.push_back(slice);
    v = slice.getResult();
    user = nullptr;
  }
  auto conv = dyn_cast_or_null<tosa::Conv2DOp>(user);
  if (!conv || conv.getInput() != v ||
      !llvm::all_of(conv.getPad(), [](int64_t p) { return p == 0; }))
    return false;
  auto w = readF32(conv.getWeight()), bias = readF32(conv.getBias());
  auto a = readF32(affine.getWeight()), d = readF32(affine.getBias());
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  auto oc = wType.getDimSize(0), taps = wType.getDimSize(1) * wType.getDimSize(2);
  auto c = wType.getDimSize(3);
  if (!w || !bias || !a || !d || static_cast<int64_t>(d->size()) != c ||
      (bias->size() != 1 && static_cast<int64_t>(bias->size()) != oc))
    return false;
  std::vector<float> w2(w->size());
  std::vector<float> b2(oc);
  for (int64_t o = 0; o < oc; ++o) {
    double acc = (*bias)[bias->size() == 1 ? 0 : o];
    for (int64_t t = 0; t < taps; ++t) {
      const float *row = w->data() + (o * taps + t) * c;
      for (int64_t k = 0; k < c; ++k) {
        double sum = 0;
        for (int64_t j = 0; j < c; ++j)
          sum += double(row[j]) * (*a)[j * c + k];
        w2[(o * taps + t) * c + k] = static_cast<float>(sum);
      }
      for (int64_t j = 0; j < c; ++j)
        acc += double(row[j]) * (*d)[j];
    }
    b2[o] = static_cast<float>(acc);
  }
  OpBuilder b(conv);
  Value wv = floatConst(b, conv.getLoc(), wType.getShape(), w2);
  Value bv = floatConst(b, conv.getLoc(), {oc}, b2);
  Operation *oldW = conv.getWeight().getDefiningOp();
  Operation *oldB = conv.getBias().getDefiningOp();
  conv->setOperand(1, wv);
  conv->setOperand(2, bv);
  for (Operation *old : {oldW, oldB})
    if (old->use_empty())
      old->erase();
  affine.getResult().replaceAllUsesWith(affine.getInput());
  affine.erase();
  return true;
}

} // namespace

llvm::Error embedPreprocessing(func::FuncOp func,
                               const EmbedPreprocessingOptions &o) {
  if (func.getNumArguments() != 1)
    return fail("expected a model with one input, this one has " +
                llvm::Twine(func.getNumArguments()));
  BlockArgument arg = func.getArgument(0);
  auto type = dyn_cast<RankedTensorType>(arg.getType());
  const int64_t c = static_cast<int64_t>(o.mean.size());
  if (!type || !type.hasStaticShape() || type.getRank() != 4 ||
      !type.getElementType().isF32() || type.getDimSize(1) != c ||
      static_cast<int64_t>(o.std.size()) != c)
    return fail("expected a float image input [N, " + llvm::Twine(c) +
                ", H, W] (" + llvm::Twine(c) +
                " channels as --mean/--std have)");
  if (o.bgr && c != 3)
    return fail("--color bgr needs 3 channels");
  for (float s : o.std)
    if (!(s > 0))
      return fail("--std values must be > 0");

  auto shape = type.getShape();
  SmallVector<int64_t> nhwc = {shape[0], shape[2], shape[3], shape[1]};
  auto pixelType =
      RankedTensorType::get(o.nhwc ? nhwc : SmallVector<int64_t>(shape),
                            type.getElementType());
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : arg.getUses())
    uses.push_back(&use);
  arg.setType(pixelType);

  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&func.getBody().front());
  Location loc = NameLoc::get(b.getStringAttr("input_preprocessing"),
                              arg.getLoc());
  auto tag = [&](Value v) {
    v.getDefiningOp()->setAttr("onnx.node",
                               b.getStringAttr("input_preprocessing"));
    return v;
  };
  Value x = o.nhwc ? Value(arg) : tag(transpose(b, loc, arg, {0, 2, 3, 1}));
  // A[o][k]: model channel o comes from pixel channel k (reversed for BGR).
  std::vector<float> a(c * c, 0.0f), d(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    int64_t k = o.bgr ? c - 1 - ch : ch;
    a[ch * c + k] = static_cast<float>(1.0 / (255.0 * o.std[ch]));
    d[ch] = static_cast<float>(-double(o.mean[ch]) / o.std[ch]);
  }
  Value zp = floatConst(b, loc, {1}, {0.0f});
  auto affine = tosa::Conv2DOp::create(
      b, loc, RankedTensorType::get(nhwc, b.getF32Type()), x,
      floatConst(b, loc, {c, 1, 1, c}, a), floatConst(b, loc, {c}, d), zp, zp,
      b.getDenseI64ArrayAttr({0, 0, 0, 0}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({1, 1}), TypeAttr::get(b.getF32Type()));
  affine->setAttr("onnx.node", b.getStringAttr("input_preprocessing"));
  affine->setAttr("onnx.layout", b.getStringAttr("NHWC"));
  Value y = affine.getResult();
  Value nchw; // the model's own layout, made on demand
  for (OpOperand *use : uses) {
    auto t = dyn_cast<tosa::TransposeOp>(use->getOwner());
    if (t && t.getPerms() == ArrayRef<int32_t>{0, 2, 3, 1}) {
      t.getResult().replaceAllUsesWith(y);
      t.erase();
      continue;
    }
    if (!nchw)
      nchw = tag(transpose(b, loc, y, {0, 3, 1, 2}));
    use->set(nchw);
  }
  func.setArgAttr(0, kPixelsAttr, b.getUnitAttr());
  func.setType(FunctionType::get(func.getContext(), {pixelType},
                                 func.getResultTypes()));
  foldIntoConsumer(affine);
  return llvm::Error::success();
}

} // namespace tessera::graph
