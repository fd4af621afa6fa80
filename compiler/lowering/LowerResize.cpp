//===- LowerResize.cpp - integer-factor resizes on the NPU ----------------===//
//
// YOLO's FPN upsamples with ONNX Resize (nearest, x2), imported as a TOSA
// NEAREST_NEIGHBOR resize whose scale/offset make out[oy] = in[oy / 2]
// (docs/quantization-passes.md). Rather than re-deriving TOSA's index
// arithmetic, the rewrite runs core/kernels resizeNearest (the integer
// reference's kernel) on an image of its own indices and accepts the resize
// only if the map is exactly oy / fy, ox / fx for integer factors: then it is
// pure data movement (npu.resize, strided DMA). Anything else is reported.
//
// BILINEAR (i8 -> i32, then the optional sub of n * input_zp and the
// rescale of --tessera-fold-to-integer) by integer factors fy = n_y / d_y,
// fx = n_x / d_x is, per output phase (py, px) (oy = fy * y + py, ox = fx *
// x + px), a fixed 2 x 2 stencil: TOSA's sample index of oy is y + k_py
// with the same fraction r_py for every y, so
//   acc[oy][ox] = sum_{a,b in 0..1} wy_a * wx_b * in[clamp(y + k_py + a)]
//                                                  [clamp(x + k_px + b)]
// with wy_0 = n_y - r_py, wy_1 = r_py (the same along x). The clamp is edge
// replication: the input extended by copies of its first and last rows and
// columns (DMA: box copies and concats) makes each phase a valid depthwise
// CONV with those integer weights (products wy * wx, which must fit
// int8) whose input_zp subtracts z_in (sum w = n_y * n_x, so the conv's
// sum of w * (v - z_in) is exactly acc - n z_in, the sub), followed by the
// rescale as its epilogue. The phases are interleaved by concats (the
// depth-to-space: along the channels for px, along rows for py). The phase
// map is read off core/kernels resizeAxis (the reference kernel's own
// sampling) for every output row and column, not re-derived.
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"

#include "core/kernels/Resize.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"

#include <numeric>
#include <vector>

using namespace mlir;

namespace tessera::lowering {
namespace {

struct LowerResize : public OpRewritePattern<tosa::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ResizeOp resize,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(resize.getInput().getType());
    auto out = cast<RankedTensorType>(resize.getType());
    if (resize.getMode() != tosa::ResizeMode::NEAREST_NEIGHBOR)
      return rewriter.notifyMatchFailure(resize, "expected NEAREST_NEIGHBOR");
    if (!isa<IntegerType>(in.getElementType()) ||
        in.getElementType() != out.getElementType() || !in.hasStaticShape() ||
        !out.hasStaticShape() || in.getRank() != 4)
      return rewriter.notifyMatchFailure(resize, "expected static integer");
    llvm::SmallVector<int64_t> scale, offset;
    if (!tosa::getConstShapeValues(resize.getScale().getDefiningOp(), scale) ||
        !tosa::getConstShapeValues(resize.getOffset().getDefiningOp(),
                                   offset) ||
        scale.size() != 4 || offset.size() != 2)
      return rewriter.notifyMatchFailure(resize, "expected constant params");
    kernels::ResizeParams p;
    p.batch = 1;
    p.inH = in.getDimSize(1);
    p.inW = in.getDimSize(2);
    p.channels = 1;
    p.outH = out.getDimSize(1);
    p.outW = out.getDimSize(2);
    p.scaleYN = scale[0];
    p.scaleYD = scale[1];
    p.scaleXN = scale[2];
    p.scaleXD = scale[3];
    p.offsetY = offset[0];
    p.offsetX = offset[1];
    if (kernels::checkResize(p) || p.outH % p.inH || p.outW % p.inW)
      return rewriter.notifyMatchFailure(resize, "not an integer upscale");
    int64_t fy = p.outH / p.inH, fx = p.outW / p.inW;
    // Each input pixel holds its own index; the output shows the map.
    std::vector<int32_t> index(p.inH * p.inW), map(p.outH * p.outW);
    for (size_t i = 0; i < index.size(); ++i)
      index[i] = static_cast<int32_t>(i);
    kernels::resizeNearest(p, index.data(), map.data(), sizeof(int32_t));
    for (int64_t oy = 0; oy < p.outH; ++oy)
      for (int64_t ox = 0; ox < p.outW; ++ox)
        if (map[oy * p.outW + ox] != (oy / fy) * p.inW + ox / fx)
          return rewriter.notifyMatchFailure(
              resize, "index map is not (oy / fy, ox / fx)");
    auto op = npu::ResizeOp::create(rewriter, resize.getLoc(), out,
                                    resize.getInput(), fy, fx, /*layer=*/0);
    tagLayer(op, onnxNodeName(resize), "Resize");
    rewriter.replaceOp(resize, op.getResult());
    return success();
  }
};

/// Phases of one axis of an integer-factor bilinear resize: output o = f *
/// j + p reads rows j + k[p] (weight n - r[p]) and j + k[p] + 1 (weight
/// r[p]) of the input extended by edge replication; `count` = ceil(out / f)
/// outputs per phase are computed (the last rows cropped when f does not
/// divide out).
struct AxisPhases {
  int64_t f = 1, count = 0, kmin = 0, kmax = 0;
  /// Kernel extent: rows kmin .. kmax, and kmax + 1 if any fraction is not
  /// 0 (otherwise every phase reads one row: e.g. an axis of factor 1).
  int64_t span = 1;
  llvm::SmallVector<int64_t> k, r;
};

std::optional<std::string> analyseAxis(const char *axis, int64_t n, int64_t d,
                                       int64_t offset, int64_t in, int64_t out,
                                       AxisPhases &a) {
  std::string name(axis);
  if (n % d != 0)
    return name + " scale " + std::to_string(n) + "/" + std::to_string(d) +
           " is not an integer factor";
  a.f = n / d;
  a.count = (out + a.f - 1) / a.f;
  for (int64_t p = 0; p < a.f; ++p) {
    kernels::ResizeAxis s = kernels::resizeAxis(p, n, d, offset, in);
    a.k.push_back(s.index);
    a.r.push_back(s.r);
  }
  for (int64_t o = 0; o < out; ++o) {
    kernels::ResizeAxis s = kernels::resizeAxis(o, n, d, offset, in);
    int64_t j = o / a.f, p = o % a.f;
    if (s.index != j + a.k[p] || s.r != a.r[p])
      return name + " sample map is not periodic in the factor";
  }
  a.kmin = *llvm::min_element(a.k);
  a.kmax = *llvm::max_element(a.k);
  a.span = a.kmax - a.kmin + 1 +
           (llvm::any_of(a.r, [](int64_t r) { return r != 0; }) ? 1 : 0);
  // Rows read: kmin .. count - 1 + kmin + span - 1; one of them inside.
  if (a.kmin > in - 1 || a.count + a.kmin + a.span - 2 < 0)
    return name + " offset samples outside the input";
  return std::nullopt;
}

/// What the bilinear rewrite needs, read off the op and its users.
struct BilinearPlan {
  AxisPhases y, x;
  int64_t n = 1, inputZp = 0;
  tosa::SubOp sub;
  tosa::RescaleOp rescale;
  RescaleParams rq;
};

std::optional<std::string> planBilinear(tosa::ResizeOp resize,
                                        BilinearPlan &plan) {
  auto in = cast<RankedTensorType>(resize.getInput().getType());
  auto out = cast<RankedTensorType>(resize.getType());
  if (!in.hasStaticShape() || !out.hasStaticShape() || in.getRank() != 4 ||
      !in.getElementType().isInteger(8) || !out.getElementType().isInteger(32))
    return std::string("expected a static rank-4 i8 -> i32 resize");
  llvm::SmallVector<int64_t> scale, offset;
  if (!tosa::getConstShapeValues(resize.getScale().getDefiningOp(), scale) ||
      !tosa::getConstShapeValues(resize.getOffset().getDefiningOp(), offset) ||
      scale.size() != 4 || offset.size() != 2)
    return std::string("expected constant scale and offset");
  kernels::ResizeParams p;
  p.inH = in.getDimSize(1);
  p.inW = in.getDimSize(2);
  p.channels = in.getDimSize(3);
  p.outH = out.getDimSize(1);
  p.outW = out.getDimSize(2);
  p.scaleYN = scale[0];
  p.scaleYD = scale[1];
  p.scaleXN = scale[2];
  p.scaleXD = scale[3];
  p.offsetY = offset[0];
  p.offsetX = offset[1];
  if (auto why = kernels::checkResize(p))
    return *why;
  if (auto why = analyseAxis("y", p.scaleYN, p.scaleYD, p.offsetY, p.inH,
                             p.outH, plan.y))
    return *why;
  if (auto why = analyseAxis("x", p.scaleXN, p.scaleXD, p.offsetX, p.inW,
                             p.outW, plan.x))
    return *why;
  plan.n = p.scaleYN * p.scaleXN;
  // The largest tap: wy * wx with wy in {n_y - r, r} (the same along x).
  auto largest = [](const AxisPhases &a, int64_t n) {
    int64_t m = 0;
    for (int64_t r : a.r)
      m = std::max({m, n - r, r});
    return m;
  };
  int64_t maxWeight =
      largest(plan.y, p.scaleYN) * largest(plan.x, p.scaleXN);
  if (maxWeight > 127)
    return "interpolation weights up to " + std::to_string(maxWeight) +
           " do not fit the CONV's int8 weights";
  // The fold's chain: [sub of n * input_zp,] rescale i32 -> i8 (+ clamp).
  Value acc = resize.getResult();
  if (auto sub = soleUser<tosa::SubOp>(acc)) {
    auto c = readScalarConstant(sub.getInput2());
    if (sub.getInput1() != acc || !c || *c % plan.n != 0 ||
        *c / plan.n < -128 || *c / plan.n > 127)
      return "expected the sub after the resize to be of a constant n * "
             "input_zp (n = " +
             std::to_string(plan.n) + ")";
    plan.sub = sub;
    plan.inputZp = *c / plan.n;
    acc = sub.getResult();
  }
  plan.rescale = soleUser<tosa::RescaleOp>(acc);
  if (!plan.rescale)
    return std::string("expected the i32 result to be used only by a "
                       "tosa.rescale (optionally after a tosa.sub of n * "
                       "input_zp)");
  std::string why;
  if (!readRescale(plan.rescale, plan.rq, why))
    return why;
  if (plan.rq.inputZp != 0)
    return std::string("expected the rescale's input_zp to be 0");
  auto rType = cast<RankedTensorType>(plan.rescale.getType());
  if (!rType.getElementType().isInteger(8))
    return std::string("expected the rescale to produce i8");
  if (plan.rq.multiplier.size() != 1 &&
      static_cast<int64_t>(plan.rq.multiplier.size()) != p.channels)
    return std::string("expected one multiplier or one per channel");
  return std::nullopt;
}

/// Concatenation along `axis` in forms codegen copies: directly along the
/// innermost axis or behind unit dimensions, else on the row-major views
/// [outer, rest] (as LowerConcat).
Value concatAlong(PatternRewriter &rewriter, Location loc,
                  llvm::ArrayRef<Value> values, int64_t axis,
                  llvm::StringRef node) {
  if (values.size() == 1)
    return values.front();
  auto first = cast<RankedTensorType>(values.front().getType());
  llvm::SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : values)
    shape[axis] += cast<RankedTensorType>(v.getType()).getDimSize(axis);
  Type elem = first.getElementType();
  auto outType = RankedTensorType::get(shape, elem);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  if (outer == 1 || axis == first.getRank() - 1) {
    auto op = npu::ConcatOp::create(rewriter, loc, outType, values, axis, 0);
    tagLayer(op, node, "Resize");
    return op.getResult();
  }
  llvm::SmallVector<Value> views;
  int64_t total = 0;
  for (Value v : values) {
    int64_t rest = cast<RankedTensorType>(v.getType()).getNumElements() / outer;
    total += rest;
    auto view = npu::ReshapeOp::create(
        rewriter, loc, RankedTensorType::get({outer, rest}, elem), v, 0);
    tagLayer(view, node, "Resize");
    views.push_back(view.getResult());
  }
  auto cat = npu::ConcatOp::create(
      rewriter, loc, RankedTensorType::get({outer, total}, elem), views, 1, 0);
  tagLayer(cat, node, "Resize");
  auto back = npu::ReshapeOp::create(rewriter, loc, outType, cat.getResult(), 0);
  tagLayer(back, node, "Resize");
  return back.getResult();
}

/// The box of `v` starting at `start` with extent `size` along `axis` (the
/// other dimensions whole), copied by DMA; `v` itself when that is all of it.
Value boxAlong(PatternRewriter &rewriter, Location loc, Value v, int64_t axis,
               int64_t start, int64_t size, llvm::StringRef node) {
  auto type = cast<RankedTensorType>(v.getType());
  if (start == 0 && size == type.getDimSize(axis))
    return v;
  llvm::SmallVector<int64_t> shape(type.getShape()), offsets(type.getRank(), 0);
  shape[axis] = size;
  offsets[axis] = start;
  auto perms = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  auto op = npu::TransposeOp::create(
      rewriter, loc, RankedTensorType::get(shape, type.getElementType()), v,
      perms, 0, rewriter.getDenseI64ArrayAttr(offsets));
  tagLayer(op, node, "Resize");
  return op.getResult();
}

/// Rows lo..hi (inclusive) of `v` along `axis`, indices clamped to the
/// tensor (edge replication): copies of the first and last row around the
/// rows inside.
Value edgeExtend(PatternRewriter &rewriter, Location loc, Value v,
                 int64_t axis, int64_t lo, int64_t hi, llvm::StringRef node) {
  int64_t size = cast<RankedTensorType>(v.getType()).getDimSize(axis);
  int64_t first = std::max<int64_t>(lo, 0), last = std::min(hi, size - 1);
  llvm::SmallVector<Value> parts;
  if (lo < 0) {
    Value edge = boxAlong(rewriter, loc, v, axis, 0, 1, node);
    parts.append(-lo, edge);
  }
  parts.push_back(boxAlong(rewriter, loc, v, axis, first, last - first + 1,
                           node));
  if (hi > size - 1) {
    Value edge = boxAlong(rewriter, loc, v, axis, size - 1, 1, node);
    parts.append(hi - (size - 1), edge);
  }
  return concatAlong(rewriter, loc, parts, axis, node);
}

struct LowerBilinearResize : public OpRewritePattern<tosa::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ResizeOp resize,
                                PatternRewriter &rewriter) const override {
    if (resize.getMode() != tosa::ResizeMode::BILINEAR)
      return rewriter.notifyMatchFailure(resize, "expected BILINEAR");
    BilinearPlan plan;
    if (auto why = planBilinear(resize, plan))
      return rewriter.notifyMatchFailure(resize, *why);
    auto in = cast<RankedTensorType>(resize.getInput().getType());
    auto outType = cast<RankedTensorType>(plan.rescale.getType());
    const int64_t batch = in.getDimSize(0), channels = in.getDimSize(3);
    Type i8 = rewriter.getI8Type();
    int64_t lo = intTypeMin(i8), hi = intTypeMax(i8);
    Operation *last = plan.rescale;
    if (Operation *clamp = absorbClamp(plan.rescale.getResult(), lo, hi))
      last = clamp;
    std::string node = onnxNodeName(resize);
    Location loc = rewriter.getFusedLoc({resize.getLoc(), last->getLoc()});

    // The input extended by edge replication to the rows and columns the
    // phases read.
    const AxisPhases &ay = plan.y, &ax = plan.x;
    Value ext = edgeExtend(rewriter, loc, resize.getInput(), 1, ay.kmin,
                           ay.count + ay.kmin + ay.span - 2, node);
    ext = edgeExtend(rewriter, loc, ext, 2, ax.kmin,
                     ax.count + ax.kmin + ax.span - 2, node);

    // One depthwise CONV per phase over the extension (no padding).
    llvm::SmallVector<int64_t> scale;
    tosa::getConstShapeValues(resize.getScale().getDefiningOp(), scale);
    const int64_t nY = scale[0], nX = scale[2];
    const int64_t kh = ay.span, kw = ax.span;
    auto wType = RankedTensorType::get({channels, kh, kw, 1}, i8);
    auto bType = RankedTensorType::get({channels}, rewriter.getI32Type());
    Value bias = tosa::ConstOp::create(
        rewriter, resize.getLoc(), bType,
        DenseElementsAttr::get(bType, APInt(32, 0)));
    auto phaseType =
        RankedTensorType::get({batch, ay.count, ax.count, channels}, i8);
    llvm::SmallVector<Value> rows;
    for (int64_t py = 0; py < ay.f; ++py) {
      llvm::SmallVector<Value> cols;
      for (int64_t px = 0; px < ax.f; ++px) {
        std::vector<int64_t> tap(kh * kw, 0);
        const int64_t wy[2] = {nY - ay.r[py], ay.r[py]};
        const int64_t wx[2] = {nX - ax.r[px], ax.r[px]};
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b)
            if (wy[a] * wx[b] != 0) // a zero fraction's second tap is absent
              tap[(ay.k[py] - ay.kmin + a) * kw + (ax.k[px] - ax.kmin + b)] =
                  wy[a] * wx[b];
        llvm::SmallVector<APInt> bits;
        for (int64_t c = 0; c < channels; ++c)
          for (int64_t t : tap)
            bits.emplace_back(8, t, /*isSigned=*/true);
        Value w = tosa::ConstOp::create(rewriter, resize.getLoc(), wType,
                                        DenseElementsAttr::get(wType, bits));
        auto conv = npu::Conv2DOp::create(
            rewriter, loc, phaseType, ext, w, bias, {1, 1}, {1, 1},
            {0, 0, 0, 0}, channels, plan.inputZp, /*weight_zp=*/0,
            plan.rq.outputZp, plan.rq.multiplier, plan.rq.shift,
            plan.rq.doubleRound, lo, hi, /*layer=*/0);
        tagLayer(conv, node, "Resize");
        cols.push_back(conv.getResult());
      }
      // Phases px side by side in the channels: [N, Hq, Wq, fx * C] is
      // [N, Hq, Wq * fx, C] row-major.
      rows.push_back(concatAlong(rewriter, loc, cols, 3, node));
    }
    // Rows: on views [N * Hq, Wq * fx * C], phase py's row y goes to output
    // row fy * y + py.
    int64_t rowElems = ax.count * ax.f * channels;
    Value v;
    if (rows.size() == 1) {
      v = rows.front();
    } else {
      llvm::SmallVector<Value> views;
      for (Value r : rows) {
        auto view = npu::ReshapeOp::create(
            rewriter, loc,
            RankedTensorType::get({batch * ay.count, rowElems}, i8), r, 0);
        tagLayer(view, node, "Resize");
        views.push_back(view.getResult());
      }
      v = concatAlong(rewriter, loc, views, 1, node);
    }
    auto full = RankedTensorType::get(
        {batch, ay.count * ay.f, ax.count * ax.f, channels}, i8);
    if (cast<RankedTensorType>(v.getType()) != full) {
      auto op = npu::ReshapeOp::create(rewriter, loc, full, v, 0);
      tagLayer(op, node, "Resize");
      v = op.getResult();
    }
    // Crop the rows/columns computed beyond the output.
    v = boxAlong(rewriter, loc, v, 1, 0, outType.getDimSize(1), node);
    v = boxAlong(rewriter, loc, v, 2, 0, outType.getDimSize(2), node);
    llvm::SmallVector<Operation *> fused = {plan.rescale};
    if (plan.sub)
      fused.push_back(plan.sub);
    fused.push_back(resize);
    replaceFused(rewriter, last, v, fused);
    return success();
  }
};

} // namespace

std::optional<std::string> bilinearResizeUnsupported(tosa::ResizeOp resize) {
  BilinearPlan plan;
  return planBilinear(resize, plan);
}

void populateLowerResizePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerResize, LowerBilinearResize>(patterns.getContext());
}

} // namespace tessera::lowering
