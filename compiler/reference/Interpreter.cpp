//===- Interpreter.cpp - Reference executors over float and integer TOSA --===//

#include "compiler/reference/Interpreter.h"

#include "compiler/reference/Ops.h"
#include "core/support/Names.h"
#include "core/tensor/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;

namespace tessera::reference {

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

bool isConstant(Operation *op) {
  return isa<tosa::ConstOp, tosa::ConstShapeOp, arith::ConstantOp>(op);
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// Whether `t` matches the declared type (static shape, same element type).
bool matches(const Tensor &t, Type declared) {
  auto rt = dyn_cast<RankedTensorType>(declared);
  if (!rt || !rt.hasStaticShape())
    return false;
  auto et = elementTypeOf(rt.getElementType());
  return et && *et == t.elementType() && rt.getShape() == t.shape();
}

std::string argName(func::FuncOp f, unsigned i) {
  if (auto name = f.getArgAttrOfType<StringAttr>(i, "onnx.name"))
    return quoteName(name.getValue());
  return "#" + std::to_string(i);
}

} // namespace

std::string valueName(Operation *op) {
  if (auto name = op->getAttrOfType<StringAttr>("onnx.output"))
    return name.str();
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (auto n = dyn_cast<NameLoc>(l))
        return n.getName().str();
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  return "";
}

Executor::Executor(func::FuncOp func) : func(func) {}
Executor::~Executor() = default;

llvm::Expected<std::vector<Tensor>> Executor::run(llvm::ArrayRef<Tensor> inputs,
                                                  const RunOptions &opts) {
  Region &region = func.getBody();
  if (region.empty())
    return error("function @" + func.getName() + " has no body");
  if (!llvm::hasSingleElement(region))
    return error("function @" + func.getName() +
                 " has several blocks; the executors run one block");
  Block &body = region.front();
  if (inputs.size() != body.getNumArguments())
    return error("function @" + func.getName() + " takes " +
                 llvm::Twine(body.getNumArguments()) + " inputs, got " +
                 llvm::Twine(inputs.size()));

  // Every result's size comes from the IR (a model or a text file): all must
  // fit the memory budget before the first op allocates anything.
  if (!sizesChecked) {
    for (Operation &op : body)
      for (Value r : op.getResults())
        if (auto rt = dyn_cast<RankedTensorType>(r.getType()))
          if (auto et = elementTypeOf(rt.getElementType());
              et && rt.hasStaticShape())
            if (llvm::Error e = checkTensorSize(
                    "result", rt.getShape(),
                    static_cast<int64_t>(elementSize(*et)),
                    elementTypeName(*et)))
              return detail::opError(&op, llvm::toString(std::move(e)));
    sizesChecked = true;
  }

  // Values live in `env` until their last use has run.
  llvm::DenseMap<Value, std::shared_ptr<const Tensor>> env;
  llvm::DenseMap<Value, unsigned> usesLeft;
  auto countUses = [&](Value v) {
    usesLeft[v] = static_cast<unsigned>(
        std::distance(v.getUses().begin(), v.getUses().end()));
  };
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    if (!matches(inputs[i], arg.getType()))
      return error("input " + argName(func, i) + " of @" + func.getName() +
                   ": expected " + typeString(arg.getType()) + ", got " +
                   inputs[i].typeString());
    // Non-owning: the caller's inputs outlive this call.
    env[arg] =
        std::shared_ptr<const Tensor>(std::shared_ptr<void>(), &inputs[i]);
    countUses(arg);
  }

  // Without an observer, a float conv followed by its activation runs as
  // one op (detail::Epilogue): the absorbed ops take the conv's result.
  // With an observe set, fusion stays on wherever it hides no observed op.
  const detail::EpiloguePlan *plan = nullptr;
  if (opts.replace) {
    // No fusion: a replaced result must reach its consumers as given.
  } else if (!opts.onValue) {
    if (!epilogues)
      epilogues = std::make_unique<detail::EpiloguePlan>(
          detail::planEpilogues(body));
    plan = epilogues.get();
  } else if (opts.observe) {
    if (!observedEpilogues)
      observedEpilogues = std::make_unique<detail::EpiloguePlan>(
          detail::planEpilogues(body, opts.observe));
    plan = observedEpilogues.get();
  }

  std::vector<const Tensor *> args;
  for (Operation &opRef : body) {
    Operation *op = &opRef;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands()) {
        auto it = env.find(v);
        if (it == env.end())
          return detail::opError(op, "returned value was not computed");
        results.push_back(*it->second);
      }
      return results;
    }
    if (op->getNumRegions() != 0 || op->getNumResults() != 1)
      return detail::opError(op, "unsupported op (expected one result and "
                                 "no regions)");

    args.clear();
    for (Value v : op->getOperands()) {
      auto it = env.find(v);
      if (it == env.end())
        return detail::opError(op, "operand was not computed (defined "
                                   "outside the function body?)");
      args.push_back(it->second.get());
    }

    std::shared_ptr<const Tensor> result;
    const bool constant = isConstant(op);
    if (constant) {
      auto cached = constants.find(op);
      if (cached != constants.end())
        result = cached->second;
    }
    const detail::Epilogue *epilogue = nullptr;
    if (plan) {
      auto absorbed = plan->absorbed.find(op);
      if (absorbed != plan->absorbed.end()) {
        auto it = env.find(absorbed->second->getResult(0));
        if (it == env.end())
          return detail::opError(op, "internal error: fused producer's "
                                     "result is gone");
        result = it->second;
      }
      auto producer = plan->producers.find(op);
      if (producer != plan->producers.end())
        epilogue = &producer->second;
    }
    if (!result) {
      auto value = detail::evalOp(op, args, epilogue);
      if (!value)
        return value.takeError();
      Type declared = op->getResult(0).getType();
      if (!isa<tosa::ConstShapeOp>(op) && !matches(*value, declared))
        return detail::opError(
            op, "internal error: produced " + value->typeString() +
                    " but the result type is " + typeString(declared));
      result = std::make_shared<const Tensor>(std::move(*value));
      if (constant)
        constants[op] = result;
    }
    if (opts.onValue && (!constant || opts.observeConstants) &&
        (!opts.observe || opts.observe->contains(op)))
      opts.onValue(op, *result);
    if (opts.replace && !constant) {
      if (std::optional<Tensor> r = opts.replace(op, *result)) {
        if (!matches(*r, op->getResult(0).getType()))
          return detail::opError(op, "replacement " + r->typeString() +
                                         " does not match the result type " +
                                         typeString(op->getResult(0).getType()));
        result = std::make_shared<const Tensor>(std::move(*r));
      }
    }

    Value out = op->getResult(0);
    if (!out.use_empty()) {
      env[out] = result;
      countUses(out);
    }
    for (Value v : op->getOperands())
      if (--usesLeft[v] == 0)
        env.erase(v);
  }
  return error("function @" + func.getName() + " has no func.return");
}

void setThreadCount(unsigned n) {
  n = std::min(n, kMaxThreadCount);
  llvm::parallel::strategy = n ? llvm::hardware_concurrency(n)
                               : llvm::hardware_concurrency();
}

llvm::Error checkThreadCount(int64_t n, llvm::StringRef option) {
  if (n >= 0 && n <= static_cast<int64_t>(kMaxThreadCount))
    return llvm::Error::success();
  return error(option + ": must be 0 (every core) or 1 to " +
               llvm::Twine(kMaxThreadCount) + ", got " + llvm::Twine(n));
}

unsigned threadCount() {
  return llvm::parallel::strategy.compute_thread_count();
}

llvm::Expected<std::vector<Tensor>> runFunction(func::FuncOp f,
                                                llvm::ArrayRef<Tensor> inputs,
                                                const RunOptions &opts) {
  Executor exec(f);
  return exec.run(inputs, opts);
}

llvm::Error checkSupported(func::FuncOp f) {
  std::string list;
  unsigned count = 0;
  f.walk([&](Operation *op) {
    if (op == f.getOperation() || isa<func::ReturnOp>(op) ||
        detail::isKnownOp(op))
      return;
    list += (count++ ? "; " : "") + detail::describe(op);
  });
  if (count == 0)
    return llvm::Error::success();
  return error("@" + f.getName() + " has " + llvm::Twine(count) +
               " op(s) the reference executors do not support: " + list);
}

void registerReferenceDialects(DialectRegistry &registry) {
  registry.insert<func::FuncDialect, tosa::TosaDialect, arith::ArithDialect,
                  mlir::quant::QuantDialect, tensor::TensorDialect,
                  math::MathDialect>();
}

llvm::Expected<func::FuncOp> findEntryFunction(ModuleOp module,
                                               llvm::StringRef name) {
  llvm::SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal())
      funcs.push_back(f);
  llvm::StringRef want = name.empty() ? llvm::StringRef("main") : name;
  for (auto f : funcs)
    if (f.getName() == want)
      return f;
  if (name.empty() && funcs.size() == 1)
    return funcs.front();
  std::string names;
  for (auto f : funcs)
    names += (names.empty() ? "@" : ", @") + f.getName().str();
  return llvm::createStringError("no function @" + want + " (functions: " +
                                 (names.empty() ? "none" : names) + ")");
}

std::string argumentName(func::FuncOp f, unsigned i) {
  if (auto n = f.getArgAttrOfType<StringAttr>(i, "onnx.name"))
    return n.str();
  return "arg" + std::to_string(i);
}

std::optional<unsigned> findArgument(func::FuncOp f, llvm::StringRef name) {
  for (unsigned i = 0, n = f.getNumArguments(); i < n; ++i)
    if (argumentName(f, i) == name || "arg" + std::to_string(i) == name ||
        std::to_string(i) == name)
      return i;
  return std::nullopt;
}

std::string argumentNames(func::FuncOp f) {
  std::string names;
  for (unsigned i = 0, n = f.getNumArguments(); i < n; ++i)
    names += (i ? ", " : "") + quoteName(argumentName(f, i));
  return names;
}

FirstDiagnostic::FirstDiagnostic(MLIRContext &ctx)
    : handler(&ctx, [this](Diagnostic &d) {
        if (text.empty()) {
          llvm::raw_string_ostream os(text);
          os << d.getLocation() << ": " << d.str();
        }
        return success();
      }) {}

/// Success when `text` nests brackets at most kMaxMlirNesting deep. String
/// literals and // comments are skipped, and the '>' of "->" closes nothing;
/// other unmatched closers (">=" in an integer set) only lower the count, so
/// the estimate errs towards accepting.
static llvm::Error checkNesting(llvm::StringRef text,
                                llvm::StringRef sourceName) {
  unsigned depth = 0, line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && text.substr(i).starts_with("//")) {
      while (i + 1 < text.size() && text[i + 1] != '\n')
        ++i;
    } else if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > kMaxMlirNesting)
        return error(sourceName + ":" + llvm::Twine(line) +
                     ": brackets nest deeper than " +
                     llvm::Twine(kMaxMlirNesting) + " levels");
    } else if ((c == ')' || c == ']' || c == '}' ||
                (c == '>' && (i == 0 || text[i - 1] != '-'))) &&
               depth > 0) {
      --depth;
    }
  }
  return llvm::Error::success();
}

bool hitsKnownMlirParserCrash(llvm::StringRef text) {
  static const llvm::Regex denseArrayOfIndex(
      "array[[:space:]]*<([[:space:]]|//[^\n]*\n)*(index|!)");
  return denseArrayOfIndex.match(text);
}

llvm::Expected<OwningOpRef<ModuleOp>> parseModule(MLIRContext &ctx,
                                                  llvm::StringRef text,
                                                  llvm::StringRef sourceName) {
  if (llvm::Error e = checkNesting(text, sourceName))
    return std::move(e);
  if (hitsKnownMlirParserCrash(text))
    return error(sourceName + ": dense arrays of 'index' (array<index: ...>, "
                              "or of a type alias) are not supported: MLIR "
                              "22's parser crashes on them "
                              "(llvm/llvm-project#179045)");
  FirstDiagnostic diag(ctx);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, &ctx, sourceName);
  if (!module)
    return error(diag.str().empty() ? sourceName + ": cannot parse"
                                    : llvm::Twine(diag.str()));
  return std::move(module);
}

std::string resultName(func::FuncOp f, unsigned i) {
  if (auto n = f.getResultAttrOfType<StringAttr>(i, "onnx.name"))
    return n.str();
  return "output" + std::to_string(i);
}

} // namespace tessera::reference
