//===- Window.h - ONNX sliding-window attributes -> TOSA form ---*- C++ -*-===//
//
// Conv and the pools share ONNX's window attributes (kernel_shape, strides,
// dilations, pads, auto_pad, ceil_mode). This turns them into TOSA's form:
// pad = [top, bottom, left, right] (ONNX pads are [top, left, bottom,
// right]), with the end padding adjusted so that TOSA's exact-division rule
//   (in + pad_begin + pad_end - ((k - 1) * dilation + 1)) % stride == 0
// holds (TOSA 1.0 spec, conv2d/max_pool2d ERROR_IF on the output size).
// Rows that no window reaches are dropped by cropping the input end.
// Also the weight and bias inputs the Conv family (Conv, ConvTranspose,
// QLinearConv) reads the same way.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_FRONTEND_OPS_WINDOW_H
#define TESSERA_COMPILER_FRONTEND_OPS_WINDOW_H

#include "compiler/frontend/GraphImporter.h"

#include <array>

namespace tessera::frontend {

struct Window2d {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> dilation{1, 1};
  /// ONNX's padding per spatial dim, before the TOSA adjustment.
  std::array<int64_t, 2> onnxPadBegin{0, 0}, onnxPadEnd{0, 0};
  /// Padding after the adjustment (what TOSA gets).
  std::array<int64_t, 2> padBegin{0, 0}, padEnd{0, 0};
  /// Input rows/columns to drop at the end (no window reaches them).
  std::array<int64_t, 2> crop{0, 0};
  /// Output spatial size (ONNX's, floor or ceil mode).
  std::array<int64_t, 2> out{0, 0};

  /// TOSA pad attribute: [top, bottom, left, right].
  std::array<int64_t, 4> tosaPad() const {
    return {padBegin[0], padEnd[0], padBegin[1], padEnd[1]};
  }
  /// True if the adjustment added padding beyond ONNX's (ceil_mode).
  bool addedPadding() const {
    return padEnd[0] > onnxPadEnd[0] || padEnd[1] > onnxPadEnd[1];
  }
};

/// Reads the window attributes of the current node for an input of spatial
/// size `in` (H, W). `kernel` is the kernel size when it is known from the
/// weight (Conv); otherwise kernel_shape is required. `allowCeil` accepts
/// ceil_mode (pools); `allowDilation` accepts dilations other than 1.
llvm::Error computeWindow(GraphImporter &imp, AttrReader &attrs,
                          std::array<int64_t, 2> in,
                          std::optional<std::array<int64_t, 2>> kernel,
                          bool allowCeil, bool allowDilation, Window2d &w);

/// Input `i` of a Conv-family node as its weight: a constant 4-D tensor,
/// float when `isFloat`, else integer.
llvm::Expected<std::shared_ptr<const ConstTensor>>
convWeight(GraphImporter &imp, const onnx::NodeProto &node, unsigned i,
           bool isFloat);

/// The optional float bias (input `i`) of a Conv-family node: `oc` zeros
/// when absent, else it must be a constant float tensor of `oc` values.
llvm::Expected<std::vector<float>> convBias(GraphImporter &imp,
                                            const onnx::NodeProto &node,
                                            unsigned i, int64_t oc);

/// Slices `crop` rows/columns off the end of an NHWC value.
mlir::Value cropNhwc(GraphImporter &imp, mlir::Value nhwc, const Window2d &w);

} // namespace tessera::frontend

#endif // TESSERA_COMPILER_FRONTEND_OPS_WINDOW_H
