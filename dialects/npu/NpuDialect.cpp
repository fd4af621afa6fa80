//===- NpuDialect.cpp - npu dialect registration and verifiers ------------===//
#include "dialects/npu/NpuDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace tessera::npu;

#include "dialects/npu/NpuDialect.cpp.inc"

void NpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/npu/NpuOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/npu/NpuOps.cpp.inc"

std::optional<BinaryBcast>
tessera::npu::binaryBcast(RankedTensorType b, RankedTensorType out) {
  if (b.getRank() != out.getRank())
    return std::nullopt;
  if (b.getShape() == out.getShape())
    return BinaryBcast::None;
  if (b.getNumElements() == 1)
    return BinaryBcast::Scalar;
  int64_t rank = out.getRank();
  if (rank && b.getDimSize(rank - 1) == out.getDimSize(rank - 1) &&
      llvm::all_of(b.getShape().drop_back(), [](int64_t d) { return d == 1; }))
    return BinaryBcast::Channel;
  return std::nullopt;
}

namespace {
/// Checks that `attr` has `n` elements, naming it in the diagnostic.
LogicalResult expectSize(Operation *op, StringRef name, size_t got, size_t n) {
  if (got == n)
    return success();
  return op->emitOpError() << "expected " << name << " to have " << n
                           << " elements but got " << got;
}

/// Checks clamp_min <= clamp_max. I64Attr getters return uint64_t; the
/// bounds are signed.
LogicalResult expectClampOrder(Operation *op, uint64_t min, uint64_t max) {
  auto lo = static_cast<int64_t>(min), hi = static_cast<int64_t>(max);
  if (lo <= hi)
    return success();
  return op->emitOpError() << "expected clamp_min <= clamp_max but got " << lo
                           << " > " << hi;
}
} // namespace

LogicalResult Conv2DOp::verify() {
  auto in = getInput().getType();
  auto w = getWeight().getType();
  auto out = getOutput().getType();
  if (in.getRank() != 4 || w.getRank() != 4 || out.getRank() != 4)
    return emitOpError("expected 4-D NHWC input, OHWI weight and output");
  if (failed(expectSize(*this, "stride", getStride().size(), 2)) ||
      failed(expectSize(*this, "dilation", getDilation().size(), 2)) ||
      failed(expectSize(*this, "pad", getPad().size(), 4)))
    return failure();
  int64_t oc = w.getDimSize(0), groups = getGroups();
  if (groups < 1 || in.getDimSize(3) % groups != 0 || oc % groups != 0)
    return emitOpError() << "expected groups dividing input channels "
                         << in.getDimSize(3) << " and output channels " << oc
                         << " but got " << groups;
  if (w.getDimSize(3) * groups != in.getDimSize(3))
    return emitOpError() << "expected weight input channels * groups == "
                         << in.getDimSize(3) << " but got "
                         << w.getDimSize(3) * groups;
  if (out.getDimSize(3) != oc)
    return emitOpError() << "expected output channels " << oc << " but got "
                         << out.getDimSize(3);
  size_t nq = getMultiplier().size();
  if ((nq != 1 && nq != static_cast<size_t>(oc)) || getShift().size() != nq)
    return emitOpError() << "expected 1 or " << oc
                         << " multipliers and as many shifts but got " << nq
                         << " and " << getShift().size();
  // Output extent: (I + pad_a + pad_b - dilation * (K - 1) - 1) / stride + 1.
  for (int d = 0; d < 2; ++d) {
    int64_t i = in.getDimSize(1 + d), k = w.getDimSize(1 + d);
    int64_t o = (i + getPad()[2 * d] + getPad()[2 * d + 1] -
                 getDilation()[d] * (k - 1) - 1) /
                    getStride()[d] +
                1;
    if (o != out.getDimSize(1 + d))
      return emitOpError() << "expected output dim " << (1 + d) << " == " << o
                           << " but got " << out.getDimSize(1 + d);
  }
  return success();
}

LogicalResult PoolOp::verify() {
  if (getKind() != "max" && getKind() != "avg" && getKind() != "min")
    return emitOpError() << "expected kind \"max\", \"min\" or \"avg\" but "
                            "got \""
                         << getKind() << "\"";
  if (failed(expectSize(*this, "kernel", getKernel().size(), 2)) ||
      failed(expectSize(*this, "stride", getStride().size(), 2)) ||
      failed(expectSize(*this, "pad", getPad().size(), 4)))
    return failure();
  if (getPerCount() && getMultiplier() == 0)
    return emitOpError() << "per_count needs a multiplier";
  if (getMultiplier() != 0) {
    if (getKind() != "avg")
      return emitOpError() << "multiplier is for kind \"avg\" only";
    if (getMultiplier() < 0 || getMultiplier() > INT32_MAX)
      return emitOpError() << "expected a multiplier in [1, 2^31) but got "
                           << getMultiplier();
    if (getShift() < 2 || getShift() > 62)
      return emitOpError() << "expected a shift in [2, 62] but got "
                           << getShift();
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  auto out = getOutput().getType();
  int64_t axis = getAxis(), sum = 0;
  if (axis < 0 || axis >= out.getRank())
    return emitOpError() << "expected axis in [0, " << out.getRank()
                         << ") but got " << axis;
  for (Value v : getInputs())
    sum += cast<RankedTensorType>(v.getType()).getDimSize(axis);
  if (sum != out.getDimSize(axis))
    return emitOpError() << "expected inputs to sum to " << out.getDimSize(axis)
                         << " along axis " << axis << " but got " << sum;
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getNumElements() != out.getNumElements())
    return emitOpError() << "expected " << in.getNumElements()
                         << " elements but got " << out.getNumElements();
  return success();
}

LogicalResult RescaleOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getShape() != out.getShape())
    return emitOpError("expected input and output of the same shape");
  int64_t c = in.getRank() ? in.getDimSize(in.getRank() - 1) : 1;
  size_t nq = getMultiplier().size();
  if ((nq != 1 && nq != static_cast<size_t>(c)) || getShift().size() != nq)
    return emitOpError() << "expected 1 or " << c
                         << " multipliers and as many shifts but got " << nq
                         << " and " << getShift().size();
  return expectClampOrder(*this, getClampMin(), getClampMax());
}

LogicalResult AddOp::verify() {
  auto a = getA().getType(), b = getB().getType(), out = getOutput().getType();
  if (a.getShape() != out.getShape() || !binaryBcast(b, out))
    return emitOpError("expected a of the result's shape and b of the same "
                       "shape, one element or [1, ..., 1, C]");
  StringRef kind = getKind();
  if (kind != "add" && kind != "sub" && kind != "max" && kind != "min")
    return emitOpError() << "expected kind \"add\", \"sub\", \"max\" or "
                            "\"min\" but got \""
                         << kind << "\"";
  return expectClampOrder(*this, getClampMin(), getClampMax());
}

LogicalResult CompareOp::verify() {
  auto a = getA().getType(), b = getB().getType(), out = getOutput().getType();
  if (getKind() != "gt" && getKind() != "ge" && getKind() != "eq")
    return emitOpError() << "expected kind \"gt\", \"ge\" or \"eq\" but got \""
                         << getKind() << "\"";
  if (a.getShape() != out.getShape() || !binaryBcast(b, out))
    return emitOpError("expected a of the result's shape and b of the same "
                       "shape, one element or [1, ..., 1, C]");
  if (!out.getElementType().isInteger(8))
    return emitOpError() << "expected an i8 result (0 or 1) but got "
                         << out.getElementType();
  return success();
}

LogicalResult SelectOp::verify() {
  auto c = getCond().getType(), a = getA().getType(), b = getB().getType(),
       out = getOutput().getType();
  if (c.getShape() != out.getShape() || !c.getElementType().isInteger(8))
    return emitOpError("expected an i8 condition of the result's shape");
  if (a.getShape() != out.getShape() || !binaryBcast(b, out))
    return emitOpError("expected a of the result's shape and b of the same "
                       "shape, one element or [1, ..., 1, C]");
  if (a.getElementTypeBitWidth() > 16 || b.getElementTypeBitWidth() > 16)
    return emitOpError("expected 8- or 16-bit operands");
  return expectClampOrder(*this, getClampMin(), getClampMax());
}

LogicalResult TableOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  auto table = getTable().getType();
  if (in.getShape() != out.getShape())
    return emitOpError("expected input and output of the same shape");
  if (!in.getElementType().isInteger(8) || !out.getElementType().isInteger(8))
    return emitOpError("expected 8-bit input and output");
  if (table.getRank() != 1 || table.getDimSize(0) != 256 ||
      table.getElementType() != out.getElementType())
    return emitOpError() << "expected a table of 256 output elements but got "
                         << table;
  return success();
}

LogicalResult SoftmaxOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  auto table = getTable().getType();
  if (in.getShape() != out.getShape() || in.getRank() < 1)
    return emitOpError("expected input and output of the same shape, rank >= 1");
  if (!in.getElementType().isInteger(8) || !out.getElementType().isInteger(8))
    return emitOpError("expected 8-bit input and output");
  if (table.getRank() != 1 || table.getDimSize(0) != 256 ||
      !table.getElementType().isInteger(32))
    return emitOpError() << "expected a table of 256 i32 entries but got "
                         << table;
  if (in.getDimSize(in.getRank() - 1) >= 65536)
    return emitOpError("expected fewer than 65536 elements per row");
  return expectClampOrder(*this, getClampMin(), getClampMax());
}

LogicalResult LayerNormOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getShape() != out.getShape() || in.getRank() < 1)
    return emitOpError("expected input and output of the same shape, rank >= 1");
  if (!in.getElementType().isInteger(8) || !out.getElementType().isInteger(8))
    return emitOpError("expected 8-bit input and output");
  if (in.getDimSize(in.getRank() - 1) > 32767)
    return emitOpError("expected at most 32767 elements per row");
  int32_t shift = static_cast<int32_t>(getShift());
  int32_t epsShift = static_cast<int32_t>(getEpsShift());
  if (shift < 2 || shift > 62 || static_cast<int32_t>(getMultiplier()) < 0)
    return emitOpError("expected multiplier >= 0 and shift in [2, 62]");
  if (static_cast<int32_t>(getEpsMantissa()) < 0 || epsShift < 0 ||
      epsShift > 62)
    return emitOpError("expected eps_mantissa >= 0 and eps_shift in [0, 62]");
  return expectClampOrder(*this, getClampMin(), getClampMax());
}

LogicalResult MulOp::verify() {
  auto a = getA().getType(), b = getB().getType(), out = getOutput().getType();
  if (a.getShape() != out.getShape() || !binaryBcast(b, out))
    return emitOpError("expected a of the result's shape and b of the same "
                       "shape, one element or [1, ..., 1, C]");
  if (a.getElementTypeBitWidth() > 16 || b.getElementTypeBitWidth() > 16)
    return emitOpError("expected 8- or 16-bit operands");
  return expectClampOrder(*this, getClampMin(), getClampMax());
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  int64_t rank = in.getRank();
  if (rank < 1 || out.getRank() != rank ||
      in.getShape().drop_back() != out.getShape().drop_back())
    return emitOpError("expected input and output of the same shape but the "
                       "innermost dimension");
  auto offset = static_cast<int64_t>(getOffset());
  if (offset < 0 || offset + out.getDimSize(rank - 1) > in.getDimSize(rank - 1))
    return emitOpError() << "expected offset + size <= "
                         << in.getDimSize(rank - 1) << " but got " << offset
                         << " + " << out.getDimSize(rank - 1);
  return success();
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  int64_t rank = in.getRank();
  llvm::ArrayRef<int64_t> perms = getPerms();
  if (out.getRank() != rank || static_cast<int64_t>(perms.size()) != rank ||
      rank < 1)
    return emitOpError() << "expected " << rank << " perms and a rank-" << rank
                         << " result";
  llvm::SmallVector<int64_t> offsets(rank, 0);
  if (auto o = getOffsets()) {
    if (static_cast<int64_t>(o->size()) != rank)
      return emitOpError() << "expected " << rank << " offsets";
    offsets.assign(o->begin(), o->end());
  }
  llvm::SmallVector<bool> seen(rank, false);
  for (auto [i, p] : llvm::enumerate(perms)) {
    if (p < 0 || p >= rank || seen[p])
      return emitOpError("expected perms to be a permutation");
    seen[p] = true;
    if (offsets[p] < 0 || out.getDimSize(i) < 1 ||
        offsets[p] + out.getDimSize(i) > in.getDimSize(p) ||
        (!getOffsets() && out.getDimSize(i) != in.getDimSize(p)))
      return emitOpError() << "expected output dim " << i << " to fit input dim "
                           << p << " (" << in.getDimSize(p) << ") from offset "
                           << offsets[p] << " but got " << out.getDimSize(i);
  }
  if (perms.back() != rank - 1)
    return emitOpError("expected the innermost dimension to stay innermost");
  return success();
}

LogicalResult ResizeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getRank() != 4 || out.getRank() != 4)
    return emitOpError("expected 4-D NHWC input and output");
  auto fy = static_cast<int64_t>(getFactorY());
  auto fx = static_cast<int64_t>(getFactorX());
  if (fy < 1 || fx < 1 || out.getDimSize(0) != in.getDimSize(0) ||
      out.getDimSize(1) != in.getDimSize(1) * fy ||
      out.getDimSize(2) != in.getDimSize(2) * fx ||
      out.getDimSize(3) != in.getDimSize(3))
    return emitOpError() << "expected output [N, H * " << fy << ", W * " << fx
                         << ", C] of input " << in << " but got " << out;
  return success();
}

LogicalResult HostCallOp::verify() {
  if (getOutputs().empty())
    return emitOpError() << "expected at least one result";
  auto module = (*this)->getParentOfType<ModuleOp>();
  if (!module)
    return success();
  auto callee = module.lookupSymbol<func::FuncOp>(getCallee());
  if (!callee)
    return emitOpError() << "callee @" << getCallee()
                         << " is not a func.func of the module";
  FunctionType ft = callee.getFunctionType();
  if (!llvm::equal(ft.getInputs(), getInputs().getTypes()) ||
      !llvm::equal(ft.getResults(), getOutputs().getTypes()))
    return emitOpError() << "operand/result types do not match @"
                         << getCallee() << "'s type " << ft;
  return success();
}
