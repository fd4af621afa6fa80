//===- Diagnose.cpp - One error per op the npu lowering left behind -------===//
//
// The rewrites only fire on what the NPU can run; whatever is left is
// reported here, one error per op with its location, ONNX node and what the
// lowering expects (the rewrites' guard clauses, in words).
//
//===----------------------------------------------------------------------===//
#include "compiler/lowering/LoweringUtils.h"
#include "compiler/lowering/Passes.h"
#include "core/support/Names.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace tessera::lowering {

static std::string expectation(Operation *op) {
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op))
    return "expected i8 operands with constant weights, bias and zero points, "
           "an i32 result used only by a tosa.rescale (scale32, input_zp 0) "
           "and optionally a tosa.clamp";
  if (isa<tosa::MatMulOp>(op))
    return "expected an i8 [1, M, K] x constant [1, K, N] matmul whose i32 "
           "result is used only by a tosa.rescale (+ tosa.clamp)";
  if (isa<tosa::RescaleOp>(op))
    return "expected an i8/i16 -> i8/i16 rescale with scale32, signed types "
           "and constant parameters, or one around a conv or an add";
  if (isa<tosa::AddOp, tosa::SubOp, tosa::MaximumOp, tosa::MinimumOp>(op))
    return "expected an i32 add (sub, maximum, minimum) of two tosa.rescale "
           "results (per tensor, "
           "one rounding mode) used only by a tosa.rescale, one operand of "
           "the result's shape or a constant (a sub: the first must be)";
  if (isa<tosa::MulOp>(op))
    return "expected an i32 mul (shift 0) of two i8 tensors, each rescaled to "
           "i32 by exactly 1 (zero-point removal) or multiplied directly, "
           "used only by a per-tensor tosa.rescale, one operand of the "
           "result's shape or a constant";
  if (auto resize = dyn_cast<tosa::ResizeOp>(op)) {
    if (resize.getMode() == tosa::ResizeMode::BILINEAR) {
      std::string why = bilinearResizeUnsupported(resize).value_or("");
      return "expected a BILINEAR resize of a rank-4 i8 tensor by integer "
             "factors (scale_n a multiple of scale_d) whose interpolation "
             "weights fit int8, its i32 result rescaled to i8" +
             (why.empty() ? std::string() : " (here: " + why + ")");
    }
    return "expected a NEAREST_NEIGHBOR resize of a rank-4 integer tensor "
           "by integer factors (out[oy][ox] = in[oy / fy][ox / fx])";
  }
  if (isa<tosa::SliceOp>(op))
    return "expected a static integer slice with a constant start";
  if (isa<tosa::TableOp>(op))
    return "expected an i8 -> i8 table with 256 constant entries";
  if (isa<tosa::ClampOp>(op))
    return "expected an i8/i16 clamp with integer bounds";
  if (isa<tosa::ConcatOp>(op))
    return "expected integer tensors";
  if (isa<tosa::PadOp>(op))
    return "expected a static integer pad with a constant value and "
           "constant, non-negative padding";
  if (isa<tosa::TransposeOp>(op))
    return "expected a static integer transpose";
  if (isa<tosa::AvgPool2dOp>(op))
    return "expected an integer avg_pool2d with constant zero points and "
           "acc_type i32";
  if (isa<tosa::ReduceSumOp>(op))
    return "reduce_sum lowers only as a quantized sum: an i8 tensor rescaled "
           "to i32 by exactly 1 (zero-point removal), reduce_sum over "
           "contiguous axes (extents < 65536), one single-round rescale to i8";
  if (isa<tosa::ReduceMaxOp, tosa::ReduceMinOp>(op))
    return "expected an i8 reduce_max / reduce_min whose extents are < 65536";
  if (isa<tosa::GreaterOp, tosa::GreaterEqualOp, tosa::EqualOp>(op))
    return "expected a comparison of i32 values, each an i8 tensor rescaled "
           "to i32 (per tensor) or an i32 constant, read only by i8 "
           "tosa.select ops (the NPU has no bool tensors)";
  if (isa<tosa::SelectOp>(op))
    return "expected an i8/i16 select whose condition is a greater, "
           "greater_equal or equal of the result's shape, its first value "
           "of the result's shape or a constant";
  if (auto custom = dyn_cast<tosa::CustomOp>(op)) {
    if (custom.getOperatorName() == "layer_norm")
      return "expected a tessera layer_norm on i8 whose normalised axis is "
             "the innermost non-unit dimension, with at most 32767 elements "
             "per row and 7 constant parameters";
    return "expected a tessera softmax / log_softmax on i8 with fewer than "
           "65536 elements per row, a constant 256-entry i32 table and 7 "
           "constant parameters";
  }
  return "no NPU lowering exists for this op";
}

bool isUnlowered(Operation *op) {
  return !isa<func::ReturnOp, func::FuncOp>(op) &&
         !isa<npu::NpuDialect>(op->getDialect()) &&
         !isa<tosa::ConstOp, tosa::ConstShapeOp, arith::ConstantOp>(op);
}

std::vector<UnloweredOp> collectUnlowered(func::FuncOp func) {
  std::vector<UnloweredOp> left;
  func.walk([&](Operation *op) {
    if (op == func.getOperation() || !isUnlowered(op))
      return;
    left.push_back({op, op->getName().getStringRef().str(), onnxNodeName(op),
                    expectation(op)});
  });
  return left;
}

LogicalResult diagnoseUnlowered(func::FuncOp func) {
  std::vector<UnloweredOp> left = collectUnlowered(func);
  for (const UnloweredOp &u : left) {
    InFlightDiagnostic diag = u.op->emitError()
                              << "unsupported for now: '"
                              << u.opName << "'";
    if (!u.node.empty())
      diag << " (ONNX node " << quoteName(u.node) << ")";
    diag << ": " << u.reason;
  }
  return success(left.empty());
}

} // namespace tessera::lowering
