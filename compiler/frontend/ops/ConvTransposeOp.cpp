//===- ConvTransposeOp.cpp - ConvTranspose -> tosa.transpose_conv2d -------===//
//
// ONNX ConvTranspose (2-D) scatters each input pixel through the kernel:
//   y[n, oc, iy*s + ky*d - pad_top, ...] += x[n, ic, iy, ix] * W[ic, oc, ky,
//   kx]
// TOSA TRANSPOSE_CONV2D (1.0) does the same with
//   oy = iy * stride_y + out_pad_top + ky,  weight [OC, KH, KW, IC],
//   OH = (IH - 1) * stride_y + out_pad_top + out_pad_bottom + KH,
// so the weight is W transposed [ic, oc, ky, kx] -> [oc, ky, kx, ic] (no
// flip), ONNX pads become negative out_pads (out_pad_top = -pad_top,
// out_pad_bottom = output_padding - pad_bottom), and a dilation d > 1
// spreads the kernel with zeros (K' = (K - 1) * d + 1), which is exact.
// TOSA requires out_pad > -KH; larger pads are cropped with a tosa.slice.
// output_shape (and auto_pad SAME_*, out = in * stride) derive the pads from
// total = (in - 1) * s + output_padding + K' - out as the ONNX operator doc
// and onnxruntime do: SAME_UPPER puts the odd element at the end, the
// others at the start.
// group > 1 is one transpose_conv2d per group on a channel slice, joined
// by tosa.concat (as grouped Conv).
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"
#include "compiler/frontend/ops/ShapeUtil.h"
#include "compiler/frontend/ops/Window.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

llvm::Error importConvTranspose(GraphImporter &imp,
                                const onnx::NodeProto &node) {
  auto x = imp.operand4d(node, 0);
  if (!x)
    return x.takeError();
  auto w = convWeight(imp, node, 1, /*isFloat=*/true);
  if (!w)
    return w.takeError();
  const ConstTensor &wt = **w;
  const auto &xs = (*x)->shape;
  AttrReader attrs(imp, node);
  int64_t group = attrs.getInt("group", 1);
  std::string autoPad = attrs.getString("auto_pad", "NOTSET");
  std::vector<int64_t> strides = attrs.getInts("strides", {1, 1});
  std::vector<int64_t> dilations = attrs.getInts("dilations", {1, 1});
  std::vector<int64_t> pads = attrs.getInts("pads", {0, 0, 0, 0});
  std::vector<int64_t> outPadding = attrs.getInts("output_padding", {0, 0});
  std::vector<int64_t> outputShape = attrs.getInts("output_shape", {});
  std::vector<int64_t> kernelShape =
      attrs.getInts("kernel_shape", {wt.shape[2], wt.shape[3]});
  if (auto err = attrs.takeError())
    return err;

  int64_t c = xs[1], icPerGroup = c / std::max<int64_t>(group, 1);
  if (group < 1 || c % group != 0 || wt.shape[0] != c)
    return imp.nodeError("attribute 'group' = " + Twine(group) +
                         " does not fit input channels " + Twine(c) +
                         " and weight shape " + formatShape(wt.shape));
  int64_t ocPerGroup = wt.shape[1], oc = ocPerGroup * group;
  int64_t k[2] = {wt.shape[2], wt.shape[3]};
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4 ||
      outPadding.size() != 2 || kernelShape.size() != 2 ||
      (!outputShape.empty() && outputShape.size() != 2 &&
       outputShape.size() != 4))
    return imp.nodeError("only 2-D attributes are supported (strides, "
                         "dilations, output_padding, kernel_shape: 2 values; "
                         "pads: 4)");
  for (auto [what, v] :
       {std::pair<const char *, const std::vector<int64_t> *>{
            "attribute 'strides'", &strides},
        {"attribute 'dilations'", &dilations},
        {"attribute 'pads'", &pads},
        {"attribute 'output_padding'", &outPadding},
        {"attribute 'output_shape'", &outputShape}})
    if (auto err = checkWindowAttr(imp, what, *v))
      return err;
  if (kernelShape[0] != k[0] || kernelShape[1] != k[1])
    return imp.nodeError("attribute 'kernel_shape' " +
                         formatShape(kernelShape) +
                         " differs from the weight's " + formatShape(wt.shape));
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return imp.nodeError("attribute 'auto_pad' value " + quoteName(autoPad) +
                         " is not supported");
  if (outputShape.size() == 4) // some exporters give the full N,C,H,W shape
    outputShape = {outputShape[2], outputShape[3]};

  int64_t kd[2], padBegin[2], padEnd[2], out[2];
  for (int i = 0; i < 2; ++i) {
    if (strides[i] < 1 || dilations[i] < 1)
      return imp.nodeError("strides and dilations must be >= 1");
    if (outPadding[i] < 0 ||
        (outPadding[i] >= strides[i] && outPadding[i] >= dilations[i]))
      return imp.nodeError("output_padding " + Twine(outPadding[i]) +
                           " must be smaller than the stride or dilation");
    kd[i] = (k[i] - 1) * dilations[i] + 1;
    int64_t full = (xs[2 + i] - 1) * strides[i] + outPadding[i] + kd[i];
    if (!outputShape.empty() || autoPad == "SAME_UPPER" ||
        autoPad == "SAME_LOWER") {
      out[i] = outputShape.empty() ? xs[2 + i] * strides[i] : outputShape[i];
      int64_t total = full - out[i];
      // ONNX ConvTranspose-11 (and onnxruntime): SAME_UPPER pads
      // total / 2 at the start, everything else (SAME_LOWER, an explicit
      // output_shape) total - total / 2.
      bool upper = autoPad == "SAME_UPPER";
      // A larger output than the scatter reaches (total < 0) grows at the
      // end only (onnxruntime clamps the total padding at 0).
      padBegin[i] = total < 0 ? 0 : upper ? total / 2 : total - total / 2;
      padEnd[i] = total - padBegin[i];
    } else if (autoPad == "VALID") {
      padBegin[i] = padEnd[i] = 0;
      out[i] = full;
    } else {
      padBegin[i] = pads[i], padEnd[i] = pads[2 + i];
      out[i] = full - padBegin[i] - padEnd[i];
    }
    if (out[i] <= 0)
      return imp.nodeError("output size " + Twine(out[i]) + " along axis " +
                           Twine(2 + i) + " is not positive");
  }

  auto bias = convBias(imp, node, 2, oc);
  if (!bias)
    return bias.takeError();
  const std::vector<float> &biasData = *bias;

  // TOSA out_pad = [top, bottom, left, right]; out_pad > -K' (TOSA 1.0
  // ERROR_IF), more cropping is a slice of the result.
  int64_t outPad[4], crop[4];
  for (int i = 0; i < 2; ++i) {
    int64_t lo = -padBegin[i], hi = outPadding[i] - padEnd[i];
    outPad[2 * i] = std::max(lo, 1 - kd[i]);
    outPad[2 * i + 1] = std::max(hi, 1 - kd[i]);
    crop[2 * i] = outPad[2 * i] - lo;
    crop[2 * i + 1] = outPad[2 * i + 1] - hi;
  }
  int64_t tosaOut[2] = {
      (xs[2] - 1) * strides[0] + outPad[0] + outPad[1] + kd[0],
      (xs[3] - 1) * strides[1] + outPad[2] + outPad[3] + kd[1]};

  auto input = imp.asNhwc(**x);
  if (!input)
    return input.takeError();
  OpBuilder &b = imp.builder();
  llvm::SmallVector<Value> parts;
  for (int64_t g = 0; g < group; ++g) {
    // Weight [oc, ky', kx', ic] of this group, zeros between dilated taps.
    std::vector<float> wg(ocPerGroup * kd[0] * kd[1] * icPerGroup, 0.0f);
    for (int64_t ic = 0; ic < icPerGroup; ++ic)
      for (int64_t o = 0; o < ocPerGroup; ++o)
        for (int64_t ky = 0; ky < k[0]; ++ky)
          for (int64_t kx = 0; kx < k[1]; ++kx)
            wg[((o * kd[0] + ky * dilations[0]) * kd[1] + kx * dilations[1]) *
                   icPerGroup +
               ic] =
                wt.floats[(((g * icPerGroup + ic) * ocPerGroup + o) * k[0] +
                           ky) *
                              k[1] +
                          kx];
    Value in = *input;
    if (group > 1)
      in = imp.slice(in, {0, 0, 0, g * icPerGroup},
                     {xs[0], xs[2], xs[3], icPerGroup});
    Value wv = imp.constFloat({ocPerGroup, kd[0], kd[1], icPerGroup}, wg);
    Value bv = imp.constFloat(
        {ocPerGroup},
        llvm::ArrayRef<float>(biasData).slice(g * ocPerGroup, ocPerGroup));
    Value zp = imp.zeroPoint();
    parts.push_back(tosa::TransposeConv2DOp::create(
        b, imp.loc(),
        imp.tensorType({xs[0], tosaOut[0], tosaOut[1], ocPerGroup}), in, wv, bv,
        zp, zp, b.getDenseI64ArrayAttr(outPad), b.getDenseI64ArrayAttr(strides),
        TypeAttr::get(imp.f32())));
  }
  Value result = parts[0];
  if (group > 1)
    result = tosa::ConcatOp::create(
        b, imp.loc(), imp.tensorType({xs[0], tosaOut[0], tosaOut[1], oc}),
        parts, 3);
  if (crop[0] || crop[1] || crop[2] || crop[3])
    result = imp.slice(result, {0, crop[0], crop[2], 0},
                       {xs[0], out[0], out[1], oc});
  imp.defineNhwc(node, 0, result, {xs[0], oc, out[0], out[1]});
  return llvm::Error::success();
}

} // namespace

void registerConvTransposeOp(OpTable &table) {
  table["ConvTranspose"] = importConvTranspose;
}

} // namespace tessera::frontend
