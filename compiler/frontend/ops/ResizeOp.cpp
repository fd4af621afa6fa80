//===- ResizeOp.cpp - Resize (nearest, linear) -> tosa.resize or gathers --===//
//
// ONNX Resize (opsets 11, 13, 18, 19) on a 4-D NCHW tensor, resizing H and
// W. The sample coordinate of output index x along an axis is (onnxruntime
// upsamplebase.h, computed in float as onnxruntime does):
//   half_pixel           (x + 0.5) / scale - 0.5
//   half_pixel_symmetric as half_pixel, shifted so the result is centred
//   pytorch_half_pixel   out > 1 ? (x + 0.5) / scale - 0.5 : 0
//   tf_half_pixel_for_nn (x + 0.5) / scale
//   align_corners        out > 1 ? x * (in - 1) / (out - 1) : 0
//   asymmetric           x / scale
// where scale is the given scale, or out / in (float) when sizes are given.
// nearest rounds it (round_prefer_floor / round_prefer_ceil / floor / ceil)
// and clamps to [0, in - 1]; linear clamps the coordinate to [0, in - 1] and
// mixes floor(c) and floor(c) + 1 (clamped) with weights 1 - frac and frac.
//
// tosa.resize samples at (x * scale_d + offset) / scale_n in exact integer
// arithmetic and NEAREST rounds half up (TOSA 1.0 RESIZE). Any of the ONNX
// maps above with a rational scale is such an affine map; floor, ceil and
// round_prefer_floor become round-half-up after doubling n and d and moving
// the offset (floor(v) = round_half_up(v - 1/2), see tosaAxis). The importer
// derives those parameters, then replays both index computations on the
// host for every output row and column and uses tosa.resize only when they
// agree exactly (nearest) or to 1e-6 in every weight (linear). YOLOv5's
// nearest x2 asymmetric floor is one: scale [2, 1] -> n = 4, d = 2, offset
// -2 -> reduced to n = 2, d = 1, offset -1.
//
// Otherwise the resize is done with constant indices per axis: nearest is a
// selection along H then W (takeAlongAxis: slices or tosa.gather); linear
// selects the two neighbour rows and mixes them with tosa.mul by constant
// weights and tosa.add, then the same along W. cubic, tf_crop_and_resize,
// antialias and keep_aspect_ratio_policy other than stretch are errors.
// Upsample (removed in opset 10) is an error naming Resize.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/ShapeUtil.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>
#include <map>
#include <numeric>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

/// The ONNX sample coordinate of output index `x` (float, as onnxruntime).
float onnxCoordinate(llvm::StringRef mode, float x, float scale, int64_t out,
                     int64_t in) {
  if (mode == "asymmetric")
    return x / scale;
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5f) / scale;
  if (mode == "align_corners")
    return out == 1
               ? 0.0f
               : x * static_cast<float>(in - 1) / static_cast<float>(out - 1);
  if (mode == "pytorch_half_pixel")
    return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
  if (mode == "half_pixel_symmetric") {
    float adjustment = static_cast<float>(out) / (scale * in);
    float center = static_cast<float>(in) / 2;
    float offset = center * (1 - adjustment);
    return offset + (x + 0.5f) / scale - 0.5f;
  }
  return (x + 0.5f) / scale - 0.5f; // half_pixel
}

int64_t roundNearest(llvm::StringRef mode, float v) {
  if (mode == "floor")
    return static_cast<int64_t>(std::floor(v));
  if (mode == "ceil")
    return static_cast<int64_t>(std::ceil(v));
  if (mode == "round_prefer_ceil")
    return static_cast<int64_t>(std::round(v)); // halves away from zero
  // round_prefer_floor: halves go down.
  if (v == std::floor(v) + 0.5f)
    return static_cast<int64_t>(std::floor(v));
  return static_cast<int64_t>(std::round(v));
}

/// One output position's source: weights by input index (nearest: one
/// index with weight 1).
using Taps = std::map<int64_t, double>;

/// The ONNX resampling of one axis: per output index, its taps.
struct AxisPlan {
  int64_t in = 0, out = 0;
  std::vector<Taps> taps;
  /// Linear: the two neighbours and their weights; nearest: i0 only.
  std::vector<int64_t> i0, i1;
  std::vector<float> w0, w1;
};

AxisPlan onnxAxis(bool linear, llvm::StringRef coordMode,
                  llvm::StringRef nearestMode, float scale, int64_t in,
                  int64_t out) {
  AxisPlan p;
  p.in = in, p.out = out;
  for (int64_t x = 0; x < out; ++x) {
    float c = onnxCoordinate(coordMode, static_cast<float>(x), scale, out, in);
    if (!linear) {
      int64_t i = std::clamp<int64_t>(roundNearest(nearestMode, c), 0, in - 1);
      p.i0.push_back(i);
      p.taps.push_back({{i, 1.0}});
      continue;
    }
    // onnxruntime UpsampleBilinear: clamp, then in_x1 = (int)c, in_x2 =
    // min(in_x1 + 1, in - 1), weights |c - x2| and |c - x1| (0.5 each when
    // the neighbours coincide).
    c = std::clamp(c, 0.0f, static_cast<float>(in - 1));
    int64_t a = std::min<int64_t>(static_cast<int64_t>(c), in - 1);
    int64_t b = std::min<int64_t>(a + 1, in - 1);
    float wa = std::fabs(c - static_cast<float>(b));
    float wb = std::fabs(c - static_cast<float>(a));
    if (a == b)
      wa = wb = 0.5f;
    p.i0.push_back(a), p.i1.push_back(b);
    p.w0.push_back(wa), p.w1.push_back(wb);
    Taps t;
    t[a] += wa;
    t[b] += wb;
    p.taps.push_back(t);
  }
  return p;
}

/// TOSA RESIZE parameters of one axis.
struct TosaAxis {
  int64_t n = 1, d = 1, offset = 0, border = 0;
};

/// Exact fraction p/q == `scale` with q <= 64, if any.
std::optional<std::pair<int64_t, int64_t>> rationalOf(float scale) {
  for (int64_t q = 1; q <= 64; ++q) {
    double p = std::round(static_cast<double>(scale) * q);
    if (p >= 1 && static_cast<float>(p / q) == scale &&
        static_cast<double>(scale) * q == p)
      return std::make_pair(static_cast<int64_t>(p), q);
  }
  return std::nullopt;
}

/// Candidate TOSA parameters reproducing the ONNX map of one axis, or
/// nullopt when the map is not affine with a rational scale. `ratio` is
/// the scale as out/in or the given scale, as a fraction p/q.
std::optional<TosaAxis> tosaAxis(bool linear, llvm::StringRef coordMode,
                                 llvm::StringRef nearestMode,
                                 std::pair<int64_t, int64_t> ratio, int64_t in,
                                 int64_t out) {
  auto [p, q] = ratio;
  int64_t n, d, off; // sample = (x * d + off) / n
  if (coordMode == "asymmetric") {
    n = p, d = q, off = 0;
  } else if (coordMode == "half_pixel" ||
             (coordMode == "pytorch_half_pixel" && out > 1)) {
    n = 2 * p, d = 2 * q, off = q - p;
  } else if (coordMode == "tf_half_pixel_for_nn") {
    n = 2 * p, d = 2 * q, off = q;
  } else if (coordMode == "align_corners" && out > 1 && in > 1) {
    n = out - 1, d = in - 1, off = 0;
  } else {
    return std::nullopt;
  }
  if (!linear) {
    // TOSA NEAREST is round half up: floor((2k + n) / 2n) for v = k / n.
    // With n' = 2n, k' = 2k + c it gives floor((2k + c + n) / 2n):
    //   floor              c = -n      (floor(k / n))
    //   ceil               c = n - 2   (floor((k + n - 1) / n))
    //   round_prefer_floor c = -1      (floor((2k + n - 1) / 2n))
    //   round_prefer_ceil  unchanged.
    int64_t c = nearestMode == "floor"                ? -n
                : nearestMode == "ceil"               ? n - 2
                : nearestMode == "round_prefer_floor" ? -1
                                                      : 0;
    if (nearestMode != "round_prefer_ceil")
      n *= 2, d *= 2, off = 2 * off + c;
  }
  int64_t g = std::gcd(std::gcd(n, d), std::abs(off));
  TosaAxis t;
  t.n = n / g, t.d = d / g, t.offset = off / g;
  // Output size: out = ((in - 1) * n - offset + border) / d + 1, exactly.
  t.border = (out - 1) * t.d - (in - 1) * t.n + t.offset;
  // TOSA 1.0 RESIZE ERROR_IFs (and level 8k: n <= 2048).
  if (t.n > 2048 || t.d >= 16 * t.n || t.offset < -t.n ||
      t.offset >= 16 * t.n || t.border < -16 * t.n || t.border >= t.n ||
      in >= 16384 || out >= 16384)
    return std::nullopt;
  return t;
}

/// What tosa.resize computes along one axis with `t`, as taps.
std::vector<Taps> tosaTaps(bool linear, const TosaAxis &t, int64_t in,
                           int64_t out) {
  std::vector<Taps> taps;
  for (int64_t x = 0; x < out; ++x) {
    int64_t y = x * t.d + t.offset;
    int64_t iy = y >= 0 ? y / t.n : -((-y + t.n - 1) / t.n);
    int64_t r = y - iy * t.n;
    int64_t i0 = std::max<int64_t>(iy, 0),
            i1 = std::min<int64_t>(iy + 1, in - 1);
    Taps tp;
    if (!linear) {
      tp[2 * r >= t.n ? i1 : i0] = 1.0;
    } else {
      double f = static_cast<double>(r) / t.n;
      tp[i0] += 1 - f;
      tp[i1] += f;
    }
    taps.push_back(tp);
  }
  return taps;
}

bool sameTaps(const std::vector<Taps> &a, const std::vector<Taps> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    Taps x = a[i], y = b[i];
    for (auto it = x.begin(); it != x.end();)
      it = it->second == 0 ? x.erase(it) : std::next(it);
    for (auto it = y.begin(); it != y.end();)
      it = it->second == 0 ? y.erase(it) : std::next(it);
    if (x.size() != y.size())
      return false;
    for (auto [k, w] : x) {
      auto f = y.find(k);
      if (f == y.end() || std::fabs(f->second - w) > 1e-6)
        return false;
    }
  }
  return true;
}

/// Linear interpolation along physical `axis` of NHWC `v` by constant
/// weights: v[i0] * w0 + v[i1] * w1 (tosa.mul + tosa.add).
Value mixAlongAxis(GraphImporter &imp, Value v, int64_t axis,
                   const AxisPlan &p) {
  bool single = llvm::all_of(p.w1, [](float w) { return w == 0; });
  Value a = takeAlongAxis(imp, v, axis, p.i0);
  bool unitA = llvm::all_of(p.w0, [](float w) { return w == 1; });
  if (single && unitA)
    return a;
  auto shape = cast<RankedTensorType>(a.getType()).getShape();
  std::vector<int64_t> wShape(4, 1);
  wShape[axis] = p.out;
  OpBuilder &b = imp.builder();
  auto type = cast<RankedTensorType>(a.getType());
  auto shift = tosa::ConstOp::create(
      b, imp.loc(), imp.tensorType({1}, b.getI8Type()),
      DenseElementsAttr::get(imp.tensorType({1}, b.getI8Type()),
                             llvm::ArrayRef<int8_t>{0}));
  Value wa = imp.constFloat(wShape, p.w0);
  Value result = tosa::MulOp::create(b, imp.loc(), type, a, wa, shift);
  if (single)
    return result;
  Value bv = takeAlongAxis(imp, v, axis, p.i1);
  Value wb = imp.constFloat(wShape, p.w1);
  Value mb = tosa::MulOp::create(b, imp.loc(), type, bv, wb, shift);
  (void)shape;
  return tosa::AddOp::create(b, imp.loc(), type, result, mb);
}

llvm::Error importResize(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  if ((*x)->rank() != 4)
    return imp.nodeError("only 4-D (NCHW) input is supported, got shape " +
                         formatShape((*x)->shape));
  AttrReader attrs(imp, node);
  std::string mode = attrs.getString("mode", "nearest");
  std::string coordMode =
      attrs.getString("coordinate_transformation_mode", "half_pixel");
  std::string nearestMode =
      attrs.getString("nearest_mode", "round_prefer_floor");
  int64_t antialias = attrs.getInt("antialias", 0);
  std::string policy = attrs.getString("keep_aspect_ratio_policy", "stretch");
  std::vector<int64_t> axesAttr = attrs.getInts("axes", {0, 1, 2, 3});
  if (auto err = attrs.takeError())
    return err;
  if (mode != "nearest" && mode != "linear")
    return imp.nodeError("mode " + quoteName(mode) +
                         " is not supported (only nearest and linear)");
  static const char *coordModes[] = {
      "half_pixel",           "half_pixel_symmetric", "pytorch_half_pixel",
      "tf_half_pixel_for_nn", "align_corners",        "asymmetric"};
  if (!llvm::is_contained(coordModes, coordMode))
    return imp.nodeError("coordinate_transformation_mode " +
                         quoteName(coordMode) +
                         " is not supported");
  if (mode == "nearest" && nearestMode != "round_prefer_floor" &&
      nearestMode != "round_prefer_ceil" && nearestMode != "floor" &&
      nearestMode != "ceil")
    return imp.nodeError("nearest_mode " + quoteName(nearestMode) +
                         " is not supported");
  if (antialias)
    return imp.nodeError("antialias = 1 is not supported");
  if (policy != "stretch")
    return imp.nodeError("keep_aspect_ratio_policy " + quoteName(policy) +
                         " is not supported (only stretch)");
  const std::vector<int64_t> &inShape = (*x)->shape;
  std::vector<int64_t> axes;
  for (int64_t a : axesAttr) {
    auto n = normalizeAxis(imp, a, 4, 4, "axes value");
    if (!n)
      return n.takeError();
    axes.push_back(*n);
  }

  // Output sizes and float scales per ONNX axis, as onnxruntime derives
  // them: sizes -> scale = out / in (float); scales -> out = (int)(scale *
  // in) (float product, truncated).
  std::vector<float> scales(4, 1.0f);
  std::vector<int64_t> outShape = inShape;
  std::vector<std::optional<std::pair<int64_t, int64_t>>> ratio(4);
  auto sizesIn = imp.optionalOperand(node, 3);
  if (!sizesIn)
    return sizesIn.takeError();
  auto scalesIn = imp.optionalOperand(node, 2);
  if (!scalesIn)
    return scalesIn.takeError();
  bool haveSizes = *sizesIn && (*sizesIn)->shape != std::vector<int64_t>{0};
  bool haveScales = *scalesIn && (*scalesIn)->shape != std::vector<int64_t>{0};
  if (haveSizes == haveScales)
    return imp.nodeError("exactly one of the inputs 'scales' and 'sizes' "
                         "must be given (non-empty)");
  if (haveSizes) {
    auto sizes = constantInts(imp, node, 3, "sizes");
    if (!sizes)
      return sizes.takeError();
    if (sizes->size() != axes.size())
      return imp.nodeError("input 'sizes' has " + Twine(sizes->size()) +
                           " values, expected " + Twine(axes.size()));
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t a = axes[i], s = (*sizes)[i];
      if (s <= 0)
        return imp.nodeError("sizes value " + Twine(s) + " must be > 0");
      outShape[a] = s;
      scales[a] = static_cast<float>(s) / static_cast<float>(inShape[a]);
      int64_t g = std::gcd(s, inShape[a]);
      ratio[a] = std::make_pair(s / g, inShape[a] / g);
    }
  } else {
    auto sc = imp.constantOperand(node, 2, "scales");
    if (!sc)
      return sc.takeError();
    if (!(*sc)->isFloat() || (*sc)->numElements() != (int64_t)axes.size())
      return imp.nodeError("input 'scales' must hold " + Twine(axes.size()) +
                           " float values");
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t a = axes[i];
      float s = (*sc)->floats[i];
      if (!(s > 0))
        return imp.nodeError("scales value " + std::to_string(s) +
                             " must be > 0");
      scales[a] = s;
      // In double first: converting inf or >= 2^63 to int64 is undefined.
      double o = static_cast<double>(s * static_cast<float>(inShape[a]));
      if (!(o < 0x1p62))
        return imp.nodeError("scale " + std::to_string(s) + " makes axis " +
                             Twine(a) + " larger than 2^62");
      outShape[a] = static_cast<int64_t>(s * static_cast<float>(inShape[a]));
      if (outShape[a] <= 0)
        return imp.nodeError("scale " + std::to_string(s) + " leaves axis " +
                             Twine(a) + " empty");
      ratio[a] = rationalOf(s);
    }
  }
  if (auto err = checkOutputSize(imp, outShape))
    return err;
  for (int64_t a = 0; a < 2; ++a)
    if (outShape[a] != inShape[a])
      return imp.nodeError("resizing the " + Twine(a ? "channel" : "batch") +
                           " axis is not supported (" + formatShape(inShape) +
                           " -> " + formatShape(outShape) + ")");

  bool linear = mode == "linear";
  AxisPlan plans[2];
  std::optional<TosaAxis> tosa[2];
  bool exact = true;
  for (int k = 0; k < 2; ++k) {
    int64_t a = 2 + k, in = inShape[a], out = outShape[a];
    plans[k] = onnxAxis(linear, coordMode, nearestMode, scales[a], in, out);
    if (ratio[a])
      tosa[k] = tosaAxis(linear, coordMode, nearestMode, *ratio[a], in, out);
    exact = exact && tosa[k] &&
            sameTaps(plans[k].taps, tosaTaps(linear, *tosa[k], in, out));
  }

  auto nhwc = imp.asNhwc(**x);
  if (!nhwc)
    return nhwc.takeError();
  std::vector<int64_t> physOut = physicalShape(outShape, true);
  Value result;
  if (exact) {
    const TosaAxis &ty = *tosa[0], &tx = *tosa[1];
    Value scale = imp.constShape({ty.n, ty.d, tx.n, tx.d});
    Value offset = imp.constShape({ty.offset, tx.offset});
    Value border = imp.constShape({ty.border, tx.border});
    result = tosa::ResizeOp::create(
        imp.builder(), imp.loc(), imp.tensorType(physOut), *nhwc, scale, offset,
        border,
        linear ? tosa::ResizeMode::BILINEAR
               : tosa::ResizeMode::NEAREST_NEIGHBOR);
  } else if (!linear) {
    result = takeAlongAxis(imp, *nhwc, 1, plans[0].i0);
    result = takeAlongAxis(imp, result, 2, plans[1].i0);
  } else {
    result = mixAlongAxis(imp, *nhwc, 1, plans[0]);
    result = mixAlongAxis(imp, result, 2, plans[1]);
  }
  imp.defineNhwc(node, 0, result, outShape);
  return llvm::Error::success();
}

llvm::Error importUpsample(GraphImporter &imp, const onnx::NodeProto &node) {
  return imp.nodeError("Upsample was removed in opset 10 and this model "
                       "imports opset " +
                       Twine(imp.opset()) + "; export it with Resize");
}

} // namespace

void registerResizeOps(OpTable &table) {
  table["Resize"] = importResize;
  table["Upsample"] = importUpsample;
}

} // namespace tessera::frontend
