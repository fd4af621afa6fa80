//===- Activation.cpp - Recognising imported activations after a value ---===//

#include "compiler/patterns/Activation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace tessera::patterns {

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

using Kind = Activation::Kind;

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
    return Activation{Kind::Relu, {clamp}};
  if (lo == 0.0 && hi == 6.0)
    return Activation{Kind::Relu6, {clamp}};
  return Activation{Kind::Clamp, {clamp}};
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
  return Activation{Kind::SiLU, {other, mul}};
}

std::optional<Activation> matchHardSwish(Value p) {
  auto users = splitTwoUsers(p);
  if (!users)
    return std::nullopt;
  auto [mul, first] = *users;
  // The gate g(p) in [0, 1] (or [0, 6] when the 1/6 comes after).
  llvm::SmallVector<Operation *, 4> gateOps;
  bool scaledAfter = false;
  if (isa<tosa::AddOp>(first) && near(splatValue(otherOperand(first, p)), 3)) {
    Operation *clamp = soleUser(first->getResult(0));
    if (!isClamp(clamp, 0, 6))
      return std::nullopt;
    gateOps = {first, clamp};
    Operation *next = soleUser(clamp->getResult(0));
    if (isMulByConst(next, clamp->getResult(0), 1.0 / 6))
      gateOps.push_back(next);
    else
      scaledAfter = true;
  } else if (isMulByConst(first, p, 1.0 / 6)) {
    Operation *add = soleUser(first->getResult(0));
    if (!add || !isa<tosa::AddOp>(add) ||
        !near(splatValue(otherOperand(add, first->getResult(0))), 0.5))
      return std::nullopt;
    Operation *clamp = soleUser(add->getResult(0));
    if (!isClamp(clamp, 0, 1))
      return std::nullopt;
    gateOps = {first, add, clamp};
  } else {
    return std::nullopt;
  }
  Value g = gateOps.back()->getResult(0);
  if (!g.hasOneUse() || otherOperand(mul, p) != g)
    return std::nullopt;
  Activation act{Kind::HardSwish, gateOps};
  act.ops.push_back(mul);
  if (!scaledAfter)
    return act;
  Operation *scale = soleUser(mul->getResult(0));
  if (!isMulByConst(scale, mul->getResult(0), 1.0 / 6))
    return std::nullopt;
  act.ops.push_back(scale);
  return act;
}

} // namespace

llvm::StringRef Activation::name() const {
  switch (kind) {
  case Kind::Relu:
    return "relu";
  case Kind::Relu6:
    return "relu6";
  case Kind::Clamp:
    return "clamp";
  case Kind::SiLU:
    return "silu";
  case Kind::HardSwish:
    return "hardswish";
  }
  return "";
}

std::optional<Activation> matchActivation(Value p) {
  if (auto a = matchClamp(p))
    return a;
  if (auto a = matchSilu(p))
    return a;
  return matchHardSwish(p);
}

} // namespace tessera::patterns
