//===- TransposeConv.cpp - f32 TOSA transpose_conv2d ----------------------===//
//
// TRANSPOSE_CONV2D after the TOSA 1.0 pseudocode (TRANSPOSE_CONV2D.tosac):
// every input pixel is scattered through the kernel,
//   out[n, iy*stride_y + out_pad_top + ky, ix*stride_x + out_pad_left + kx, oc]
//     += in[n, iy, ix, ic] * weight[oc, ky, kx, ic]
// with positions outside the output dropped (out_pad may be negative), on
// top of the bias. OH = (IH - 1) * stride_y + out_pad_top + out_pad_bottom
// + KH (same for W). Float only; zero points must be 0.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Ops.h"

using namespace mlir;

namespace tessera::reference::detail::fp {

llvm::Expected<Tensor> transposeConv2d(tosa::TransposeConv2DOp op,
                                       Operands args, const Result &rt) {
  const Tensor &in = *args[0], &w = *args[1], &bias = *args[2];
  for (const Tensor *zp : args.slice(3, 2))
    if (zp->numElements() != 1 || zp->getDouble(0) != 0.0)
      return opError(op, "float zero points must be 0");
  if (in.rank() != 4 || w.rank() != 4 || rt.shape.size() != 4 ||
      w.dim(3) != in.dim(3))
    return opError(op, "expected NHWC input, weight [OC, KH, KW, IC] with "
                       "IC = " +
                           llvm::Twine(in.dim(3)) + ", got " + in.typeString() +
                           " and " + w.typeString());
  ArrayRef<int64_t> pad = op.getOutPad(), stride = op.getStride();
  const int64_t N = in.dim(0), IH = in.dim(1), IW = in.dim(2), IC = in.dim(3);
  const int64_t OC = w.dim(0), KH = w.dim(1), KW = w.dim(2);
  const int64_t OH = rt.shape[1], OW = rt.shape[2];
  if (stride[0] < 1 || stride[1] < 1)
    return opError(op, "expected stride >= 1");
  const int64_t eh = (IH - 1) * stride[0] + pad[0] + pad[1] + KH;
  const int64_t ew = (IW - 1) * stride[1] + pad[2] + pad[3] + KW;
  if (eh != OH || ew != OW || rt.shape[0] != N || rt.shape[3] != OC)
    return opError(op,
                   "expected output " + llvm::Twine(N) + "x" + llvm::Twine(eh) +
                       "x" + llvm::Twine(ew) + "x" + llvm::Twine(OC) +
                       " from the input, weight, "
                       "out_pad and stride, but the result is " +
                       llvm::Twine(rt.shape[0]) + "x" + llvm::Twine(OH) + "x" +
                       llvm::Twine(OW) + "x" + llvm::Twine(rt.shape[3]));
  if (bias.numElements() != OC && bias.numElements() != 1)
    return opError(op, "bias has " + llvm::Twine(bias.numElements()) +
                           " elements, expected " + llvm::Twine(OC) + " or 1");
  Tensor out(ElementType::F32, rt.shape);
  float *o = out.data<float>();
  const float *x = in.data<float>(), *wt = w.data<float>(),
              *b = bias.data<float>();
  for (int64_t i = 0, n = out.numElements(); i < n; ++i)
    o[i] = b[bias.numElements() == OC ? i % OC : 0];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t iy = 0; iy < IH; ++iy)
      for (int64_t ix = 0; ix < IW; ++ix) {
        const float *src = x + ((n * IH + iy) * IW + ix) * IC;
        for (int64_t ky = 0; ky < KH; ++ky) {
          const int64_t oy = iy * stride[0] + pad[0] + ky;
          if (oy < 0 || oy >= OH)
            continue;
          for (int64_t kx = 0; kx < KW; ++kx) {
            const int64_t ox = ix * stride[1] + pad[2] + kx;
            if (ox < 0 || ox >= OW)
              continue;
            float *dst = o + ((n * OH + oy) * OW + ox) * OC;
            for (int64_t oc = 0; oc < OC; ++oc) {
              const float *wk = wt + ((oc * KH + ky) * KW + kx) * IC;
              float acc = 0;
              for (int64_t ic = 0; ic < IC; ++ic)
                acc += src[ic] * wk[ic];
              dst[oc] += acc;
            }
          }
        }
      }
  return out;
}

} // namespace tessera::reference::detail::fp
