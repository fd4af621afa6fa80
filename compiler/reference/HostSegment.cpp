//===- HostSegment.cpp - Run a host segment's float program ----------------===//
#include "compiler/reference/HostSegment.h"
#include "compiler/reference/Interpreter.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

using namespace tessera;

llvm::Expected<std::vector<Tensor>>
reference::runHostProgram(llvm::ArrayRef<uint8_t> bytecode,
                          llvm::StringRef name, llvm::ArrayRef<Tensor> inputs) {
  auto fail = [&](const llvm::Twine &msg) {
    // The caller (the simulator) names the segment.
    return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
  };
  mlir::DialectRegistry registry;
  registerReferenceDialects(registry);
  mlir::MLIRContext ctx(registry, mlir::MLIRContext::Threading::DISABLED);
  ctx.loadAllAvailableDialects();
  std::string diag;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    if (diag.empty())
      diag = d.str();
    return mlir::success();
  });
  // A copy: the bytecode reader wants its buffer alive and aligned.
  std::string text(bytecode.begin(), bytecode.end());
  mlir::ParserConfig config(&ctx);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config, name);
  if (!module)
    return fail("cannot read its float program" +
                (diag.empty() ? std::string() : ": " + diag));
  auto f = module->lookupSymbol<mlir::func::FuncOp>(name);
  if (!f || f.isExternal())
    return fail("its float program has no function @" + name);
  auto out = runFunction(f, inputs);
  if (!out)
    return fail(llvm::toString(out.takeError()));
  return std::move(*out);
}
