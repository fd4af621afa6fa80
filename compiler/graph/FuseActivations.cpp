//===- FuseActivations.cpp - Mark conv/matmul + activation ----------------===//
//
// Recognition only: the producer gets `tessera.activation`; nothing else
// changes. The
// forms recognised are the ones ONNX exporters produce for these
// activations once imported and constant-folded:
//   relu, relu6, clamp   clamp(p)                            (Relu, Clip)
//   silu                 mul(p, sigmoid(p))                  (SiLU/Swish)
//   hardswish            mul(p, clamp(add(p, 3), 0, 6)) * 1/6, or with the
//                        1/6 inside, or mul(p, clamp(p*1/6 + 0.5, 0, 1))
//                        (the ONNX HardSwish doc: y = x * max(0, min(1,
//                        alpha * x + beta)), alpha = 1/6, beta = 0.5)
// p may pass through one single-use tosa.reshape first (Gemm's import).
//
//===----------------------------------------------------------------------===//

#include "compiler/graph/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;

namespace tessera::graph {
#define GEN_PASS_DEF_FUSEACTIVATIONSPASS
#include "compiler/graph/Passes.h.inc"

namespace {

/// The value of a float constant whose elements are all equal.
std::optional<double> splatValue(Value v) {
  auto c = v.getDefiningOp<tosa::ConstOp>();
  if (!c)
    return std::nullopt;
  auto attr = dyn_cast<DenseFPElementsAttr>(c.getValues());
  if (!attr || attr.empty())
    return std::nullopt;
  if (attr.isSplat())
    return attr.getSplatValue<APFloat>().convertToDouble();
  auto values = attr.getValues<APFloat>();
  APFloat first = *values.begin();
  for (const APFloat &x : values)
    if (x != first)
      return std::nullopt;
  return first.convertToDouble();
}

/// Constants in exporters' graphs are rounded to f32 (1/6 = 0.16666667).
bool near(std::optional<double> v, double want) {
  return v && std::fabs(*v - want) <= 1e-6 * std::max(1.0, std::fabs(want));
}

/// The single user of `v`, if it has exactly one.
Operation *soleUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

/// For a binary `op` with `v` as one operand: the other operand.
Value otherOperand(Operation *op, Value v) {
  if (op->getOperand(0) == v)
    return op->getOperand(1);
  if (op->getOperand(1) == v)
    return op->getOperand(0);
  return nullptr;
}

/// `op` multiplies `v` by the constant `c`: a tosa.mul by c, or (float Div
/// imports as arith.divf, see docs/frontend.md) a division of `v` by 1/c.
bool isMulByConst(Operation *op, Value v, double c) {
  if (auto div = dyn_cast_or_null<arith::DivFOp>(op))
    return div.getLhs() == v && near(splatValue(div.getRhs()), 1.0 / c);
  return op && isa<tosa::MulOp>(op) && near(splatValue(otherOperand(op, v)), c);
}

/// `op` is a float clamp with these bounds.
bool isClamp(Operation *op, double lo, double hi) {
  auto clamp = dyn_cast_or_null<tosa::ClampOp>(op);
  if (!clamp)
    return false;
  auto minV = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto maxV = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  return minV && maxV && minV.getValueAsDouble() == lo &&
         maxV.getValueAsDouble() == hi;
}

struct Activation {
  llvm::StringRef name;
  Operation *last;
};

std::optional<Activation> matchClamp(Value p) {
  auto clamp = dyn_cast_or_null<tosa::ClampOp>(soleUser(p));
  if (!clamp)
    return std::nullopt;
  auto minV = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto maxV = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  if (!minV || !maxV)
    return std::nullopt;
  double lo = minV.getValueAsDouble(), hi = maxV.getValueAsDouble();
  // ONNX Relu imports with max = FLT_MAX (docs/frontend.md).
  if (lo == 0.0 && hi >= std::numeric_limits<float>::max())
    return Activation{"relu", clamp};
  if (lo == 0.0 && hi == 6.0)
    return Activation{"relu6", clamp};
  return Activation{"clamp", clamp};
}

/// The two users of `p` as (mul of p by something, the other user).
std::optional<std::pair<Operation *, Operation *>> splitTwoUsers(Value p) {
  llvm::SmallVector<Operation *, 2> users(p.getUsers());
  if (users.size() != 2 || users[0] == users[1])
    return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (isa<tosa::MulOp>(users[i]))
      return std::make_pair(users[i], users[1 - i]);
  return std::nullopt;
}

std::optional<Activation> matchSilu(Value p) {
  auto users = splitTwoUsers(p);
  if (!users)
    return std::nullopt;
  auto [mul, other] = *users;
  if (!isa<tosa::SigmoidOp>(other) || !other->getResult(0).hasOneUse() ||
      otherOperand(mul, p) != other->getResult(0))
    return std::nullopt;
  return Activation{"silu", mul};
}

std::optional<Activation> matchHardSwish(Value p) {
  auto users = splitTwoUsers(p);
  if (!users)
    return std::nullopt;
  auto [mul, first] = *users;
  // The gate g(p) in [0, 1] (or [0, 6] when the 1/6 comes after).
  Operation *gate = nullptr;
  bool scaledAfter = false;
  if (isa<tosa::AddOp>(first) && near(splatValue(otherOperand(first, p)), 3)) {
    Operation *clamp = soleUser(first->getResult(0));
    if (!isClamp(clamp, 0, 6))
      return std::nullopt;
    Operation *next = soleUser(clamp->getResult(0));
    if (isMulByConst(next, clamp->getResult(0), 1.0 / 6)) {
      gate = next;
    } else {
      gate = clamp;
      scaledAfter = true;
    }
  } else if (isMulByConst(first, p, 1.0 / 6)) {
    Operation *add = soleUser(first->getResult(0));
    if (!add || !isa<tosa::AddOp>(add) ||
        !near(splatValue(otherOperand(add, first->getResult(0))), 0.5))
      return std::nullopt;
    Operation *clamp = soleUser(add->getResult(0));
    if (!isClamp(clamp, 0, 1))
      return std::nullopt;
    gate = clamp;
  } else {
    return std::nullopt;
  }
  Value g = gate->getResult(0);
  if (!g.hasOneUse() || otherOperand(mul, p) != g)
    return std::nullopt;
  if (!scaledAfter)
    return Activation{"hardswish", mul};
  Operation *scale = soleUser(mul->getResult(0));
  if (!isMulByConst(scale, mul->getResult(0), 1.0 / 6))
    return std::nullopt;
  return Activation{"hardswish", scale};
}

std::optional<Activation> matchActivation(Value p) {
  if (auto a = matchClamp(p))
    return a;
  if (auto a = matchSilu(p))
    return a;
  return matchHardSwish(p);
}

struct FuseActivationsPass
    : public impl::FuseActivationsPassBase<FuseActivationsPass> {
  void runOnOperation() override { markFusedActivations(getOperation()); }
};

} // namespace

unsigned markFusedActivations(func::FuncOp func) {
  unsigned count = 0;
  func.walk([&](Operation *op) {
    if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
      return;
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.getElementType().isF32())
      return;
    Value p = op->getResult(0);
    std::optional<Activation> act = matchActivation(p);
    if (!act)
      if (auto reshape = dyn_cast_or_null<tosa::ReshapeOp>(soleUser(p)))
        act = matchActivation(reshape.getResult());
    if (!act)
      return;
    auto name = StringAttr::get(func.getContext(), act->name);
    op->setAttr(kActivationAttr, name);
    ++count;
  });
  return count;
}

} // namespace tessera::graph
