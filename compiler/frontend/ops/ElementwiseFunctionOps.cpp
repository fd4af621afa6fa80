//===- ElementwiseFunctionOps.cpp - Unary functions -> TOSA float chains --===//
//
// Unary elementwise ONNX ops that TOSA 1.0 has no single operator for
// become short chains of TOSA float ops on the one input, every other
// operand a splat constant (splatConst). That is the form the integer level
// turns into one 256-entry tosa.table (FoldElementwiseChain,
// docs/quantization-passes.md), so none of them needs an integer lowering
// of its own. No select: the piecewise functions use max/min on x so that
// each branch is evaluated where it is finite. All keep x's layout.
//
//   Neg, Abs, Reciprocal, Erf   tosa.negate, tosa.abs, tosa.reciprocal,
//                               tosa.erf
//   Sqrt                        reciprocal(rsqrt(x)); rsqrt(0) = inf gives 0
//   Elu(alpha)                  max(x,0) + alpha*(exp(min(x,0)) - 1)
//   Selu(alpha, gamma)          gamma * Elu(alpha)
//   Celu(alpha)                 max(x,0) + alpha*(exp(min(x,0)*(1/alpha)) - 1)
//   Softplus                    max(x,0) + log(1 + exp(-|x|)) (no overflow)
//   Softsign                    x / (1 + |x|) (arith.divf, as Div)
//   Gelu (opset 20)             "none": (0.5x) * (1 + erf(x/sqrt(2)));
//                               "tanh": (0.5x) * (1 + tanh(sqrt(2/pi) *
//                               (x + 0.044715 x^3)))
//   Mish                        x * tanh(Softplus(x))
//   Pow(x, constant c)          c a scalar (every element equal) that does
//                               not broadcast x: c = 1 is x itself; an
//                               integer 2 <= |c| <= 32 is x multiplied by
//                               itself (square and multiply; reciprocal for
//                               c < 0), exact in sign for x < 0 where TOSA
//                               leaves pow undefined; 0.5 is Sqrt, -0.5
//                               rsqrt; any other c is tosa.pow. A
//                               non-constant or non-splat exponent keeps the
//                               binary importer (ElementwiseOps.cpp), which
//                               this one wraps.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/ops/Elementwise.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>

using llvm::Twine;
using namespace mlir;

namespace tessera::frontend {
namespace {

/// Builds float TOSA ops of one type (x's physical type) for the current
/// node; scalars are splat constants of x's rank.
struct Chain {
  GraphImporter &imp;
  Type type;
  int64_t rank;

  Chain(GraphImporter &imp, Value x)
      : imp(imp), type(x.getType()),
        rank(cast<RankedTensorType>(x.getType()).getRank()) {}

  OpBuilder &b() { return imp.builder(); }
  Value c(float v) { return splatConst(imp, v, rank); }
  Value mul(Value a, Value v) { return createMul(imp, type, a, v); }
  Value mul(Value a, float v) { return mul(a, c(v)); }
  Value add(Value a, Value v) {
    return tosa::AddOp::create(b(), imp.loc(), type, a, v);
  }
  Value add(Value a, float v) { return add(a, c(v)); }
  Value max0(Value a) {
    return tosa::MaximumOp::create(b(), imp.loc(), type, a, c(0.0f));
  }
  Value min0(Value a) {
    return tosa::MinimumOp::create(b(), imp.loc(), type, a, c(0.0f));
  }
  template <typename OpTy> Value unary(Value a) {
    return OpTy::create(b(), imp.loc(), type, a);
  }
  Value negate(Value a) {
    return tosa::NegateOp::create(b(), imp.loc(), type, a, imp.zeroPoint(),
                                  imp.zeroPoint());
  }
  Value sqrt(Value a) {
    return unary<tosa::ReciprocalOp>(unary<tosa::RsqrtOp>(a));
  }
  /// alpha * (exp(min(x,0) * scale) - 1): the negative branch of Elu/Celu,
  /// 0 for x >= 0.
  Value expm1Neg(Value x, float alpha, float scale) {
    Value m = min0(x);
    if (scale != 1.0f)
      m = mul(m, scale);
    return mul(add(unary<tosa::ExpOp>(m), -1.0f), alpha);
  }
  /// max(x,0) + log(1 + exp(-|x|)).
  Value softplus(Value x) {
    Value e = unary<tosa::ExpOp>(negate(unary<tosa::AbsOp>(x)));
    return add(max0(x), unary<tosa::LogOp>(add(e, 1.0f)));
  }
  /// x^n for an integer 1 <= n: square and multiply.
  Value power(Value x, int64_t n) {
    Value result, base = x;
    for (; n > 0; n >>= 1) {
      if (n & 1)
        result = result ? mul(result, base) : base;
      if (n > 1)
        base = mul(base, base);
    }
    return result;
  }
};

constexpr float kSqrtHalf = 0.70710678118654752440f;    // 1/sqrt(2)
constexpr float kSqrt2OverPi = 0.79788456080286535588f; // sqrt(2/pi)

using ChainFn = Value (*)(Chain &, Value, llvm::ArrayRef<float>);

/// True if `v` holds f32 values (a float constant or an f32 SSA value).
bool isFloatValue(const ImportedValue &v) {
  if (v.constant && !v.plain && !v.nhwc)
    return v.constant->isFloat();
  Value val = v.plain ? v.plain : v.nhwc;
  return val && cast<ShapedType>(val.getType()).getElementType().isF32();
}

/// An error unless `v` holds f32 values (these ops are float only).
llvm::Error requireFloat(GraphImporter &imp, const onnx::NodeProto &node,
                         const ImportedValue &v) {
  if (isFloatValue(v))
    return llvm::Error::success();
  return imp.nodeError("input " + quoteName(node.input(0)) +
                       " is not float32 (only float " + node.op_type() +
                       " is supported)");
}

/// Imports a unary node as `fn(chain, x, attrs)`, attrs being the float
/// attributes `names` (with their defaults) in order.
llvm::Error importChain(GraphImporter &imp, const onnx::NodeProto &node,
                        llvm::ArrayRef<std::pair<const char *, float>> attrs,
                        ChainFn fn) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  if (auto err = requireFloat(imp, node, **x))
    return err;
  AttrReader reader(imp, node);
  llvm::SmallVector<float> values;
  for (auto [name, dflt] : attrs)
    values.push_back(reader.getFloat(name, dflt));
  if (auto err = reader.takeError())
    return err;
  for (auto [attr, v] : llvm::zip(attrs, values))
    if (!std::isfinite(v))
      return imp.nodeError("attribute '" + Twine(attr.first) +
                           "' must be finite, got " + std::to_string(v));
  return defineElementwise(imp, node, **x, [&](Value v) {
    Chain chain(imp, v);
    return fn(chain, v, values);
  });
}

template <typename OpTy>
llvm::Error importSimple(GraphImporter &imp, const onnx::NodeProto &node) {
  return importChain(imp, node, {}, [](Chain &c, Value x, auto) {
    return c.unary<OpTy>(x);
  });
}

llvm::Error importNeg(GraphImporter &imp, const onnx::NodeProto &node) {
  return importChain(imp, node, {},
                     [](Chain &c, Value x, auto) { return c.negate(x); });
}

llvm::Error importSqrt(GraphImporter &imp, const onnx::NodeProto &node) {
  return importChain(imp, node, {},
                     [](Chain &c, Value x, auto) { return c.sqrt(x); });
}

llvm::Error importElu(GraphImporter &imp, const onnx::NodeProto &node) {
  return importChain(imp, node, {{"alpha", 1.0f}},
                     [](Chain &c, Value x, llvm::ArrayRef<float> a) {
                       return c.add(c.max0(x), c.expm1Neg(x, a[0], 1.0f));
                     });
}

llvm::Error importSelu(GraphImporter &imp, const onnx::NodeProto &node) {
  // ONNX defaults, the float32 values of the SELU constants.
  return importChain(
      imp, node, {{"alpha", 1.67326319217681884765625f},
                  {"gamma", 1.05070102214813232421875f}},
      [](Chain &c, Value x, llvm::ArrayRef<float> a) {
        return c.mul(c.add(c.max0(x), c.expm1Neg(x, a[0], 1.0f)), a[1]);
      });
}

llvm::Error importCelu(GraphImporter &imp, const onnx::NodeProto &node) {
  AttrReader reader(imp, node);
  float alpha = reader.getFloat("alpha", 1.0f);
  if (auto err = reader.takeError())
    return err;
  if (alpha == 0.0f)
    return imp.nodeError("attribute 'alpha' must not be 0 (Celu divides by "
                         "it)");
  return importChain(imp, node, {{"alpha", 1.0f}},
                     [](Chain &c, Value x, llvm::ArrayRef<float> a) {
                       return c.add(c.max0(x),
                                    c.expm1Neg(x, a[0], 1.0f / a[0]));
                     });
}

llvm::Error importSoftplus(GraphImporter &imp, const onnx::NodeProto &node) {
  return importChain(imp, node, {},
                     [](Chain &c, Value x, auto) { return c.softplus(x); });
}

llvm::Error importSoftsign(GraphImporter &imp, const onnx::NodeProto &node) {
  return importChain(imp, node, {}, [](Chain &c, Value x, auto) -> Value {
    Value den = c.add(c.unary<tosa::AbsOp>(x), 1.0f);
    return arith::DivFOp::create(c.b(), c.imp.loc(), x, den);
  });
}

/// An error if the model's opset predates `op` (introduced in `since`).
llvm::Error needOpset(GraphImporter &imp, const char *op, int64_t since) {
  if (imp.opset() >= since)
    return llvm::Error::success();
  return imp.nodeError(Twine(op) + " needs opset >= " + Twine(since) +
                       ", the model has opset " + Twine(imp.opset()));
}

llvm::Error importMish(GraphImporter &imp, const onnx::NodeProto &node) {
  if (auto err = needOpset(imp, "Mish", 18))
    return err;
  return importChain(imp, node, {}, [](Chain &c, Value x, auto) {
    return c.mul(x, c.unary<tosa::TanhOp>(c.softplus(x)));
  });
}

llvm::Error importGelu(GraphImporter &imp, const onnx::NodeProto &node) {
  if (auto err = needOpset(imp, "Gelu", 20))
    return err;
  AttrReader reader(imp, node);
  std::string approximate = reader.getString("approximate", "none");
  if (auto err = reader.takeError())
    return err;
  if (approximate == "none")
    return importChain(imp, node, {}, [](Chain &c, Value x, auto) {
      Value t = c.unary<tosa::ErfOp>(c.mul(x, kSqrtHalf));
      return c.mul(c.mul(x, 0.5f), c.add(t, 1.0f));
    });
  if (approximate == "tanh")
    return importChain(imp, node, {}, [](Chain &c, Value x, auto) {
      Value inner = c.add(x, c.mul(c.power(x, 3), 0.044715f));
      Value t =
          c.unary<tosa::TanhOp>(c.mul(inner, kSqrt2OverPi));
      return c.mul(c.mul(x, 0.5f), c.add(t, 1.0f));
    });
  return imp.nodeError("attribute 'approximate' value '" + Twine(approximate) +
                       "' is not supported (expected 'none' or 'tanh')");
}

/// The binary Pow importer (ElementwiseOps.cpp) for the other exponents.
OpImporterFn binaryPow = nullptr;

llvm::Error importPow(GraphImporter &imp, const onnx::NodeProto &node) {
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  auto y = imp.operand(node, 1);
  if (!y)
    return y.takeError();
  const ConstTensor *e = (*y)->constant.get();
  bool scalar = e && e->numElements() > 0 &&
                broadcastShapes((*x)->shape, (*y)->shape) == (*x)->shape;
  for (int64_t i = 1; scalar && i < e->numElements(); ++i)
    scalar = e->at(i) == e->at(0);
  if (!scalar || !isFloatValue(**x))
    return binaryPow(imp, node);
  double c = e->at(0);
  if (c == 1.0) {
    imp.defineAlias(node, 0, **x);
    return llvm::Error::success();
  }
  bool integer = std::trunc(c) == c && std::fabs(c) >= 2 && std::fabs(c) <= 32;
  if (!integer && c != 0.5 && c != -0.5)
    return binaryPow(imp, node);
  return defineElementwise(imp, node, **x, [&](Value v) -> Value {
    Chain chain(imp, v);
    if (c == 0.5)
      return chain.sqrt(v);
    if (c == -0.5)
      return chain.unary<tosa::RsqrtOp>(v);
    Value p = chain.power(v, static_cast<int64_t>(std::fabs(c)));
    return c < 0 ? chain.unary<tosa::ReciprocalOp>(p) : p;
  });
}

} // namespace

void registerElementwiseFunctionOps(OpTable &table) {
  table["Neg"] = importNeg;
  table["Abs"] = importSimple<tosa::AbsOp>;
  table["Reciprocal"] = importSimple<tosa::ReciprocalOp>;
  table["Erf"] = importSimple<tosa::ErfOp>;
  table["Sqrt"] = importSqrt;
  table["Elu"] = importElu;
  table["Selu"] = importSelu;
  table["Celu"] = importCelu;
  table["Softplus"] = importSoftplus;
  table["Softsign"] = importSoftsign;
  table["Mish"] = importMish;
  table["Gelu"] = importGelu;
  // Wraps the binary importer, which registerElementwiseOps put there.
  if (OpImporterFn prev = table.lookup("Pow"); prev && prev != importPow)
    binaryPow = prev;
  table["Pow"] = importPow;
}

} // namespace tessera::frontend
