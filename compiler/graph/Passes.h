//===- Passes.h - Graph clean-up passes and their rewrites -----*- C++ -*-===//
//
// --tessera-decompose-transpose-conv, --tessera-fold-constants,
// --tessera-fold-batchnorm, --tessera-fuse-activations and --tessera-dce on
// float TOSA, the functions
// behind them, and the clean-up pipeline that runs after import. See
// docs/graph-passes.md.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_GRAPH_PASSES_H
#define TESSERA_COMPILER_GRAPH_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace tessera::graph {

#define GEN_PASS_DECL
#include "compiler/graph/Passes.h.inc"

/// Discardable attributes the graph passes read or write (the importer's
/// `onnx.*` names are in compiler/frontend/GraphImporter.h; repeated here so
/// that the passes do not depend on the front end).
inline constexpr llvm::StringLiteral kActivationAttr = "tessera.activation";

//===----------------------------------------------------------------------===//
// Constant folding (ConstantFolder.cpp)
//===----------------------------------------------------------------------===//

/// Whether `op` is a tosa.const, tosa.const_shape or arith.constant.
bool isConstantOp(mlir::Operation *op);

/// Evaluates `op`, whose operands must all be produced by constant ops, with
/// the reference executors' evaluator and replaces it by a tosa.const with
/// the same location and discardable attributes. Fails without changing
/// anything when an operand is not constant, the op is unknown to the
/// evaluator, has a quantized or dynamic type, or its result has more than
/// `maxElements` elements, or evaluation fails (e.g. a bad shape).
mlir::FailureOr<mlir::Value> foldToConstant(mlir::RewriterBase &rewriter,
                                            mlir::Operation *op,
                                            int64_t maxElements);

//===----------------------------------------------------------------------===//
// Rewrites
//===----------------------------------------------------------------------===//

/// conv2d/depthwise_conv2d -> per-channel constant mul / add, folded into the
/// conv's weight and bias (FoldBatchNorm.cpp).
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns);

/// Sets `tessera.activation` on every conv2d/depthwise_conv2d/matmul followed
/// by a recognised activation (FuseActivations.cpp); returns how many.
unsigned markFusedActivations(mlir::func::FuncOp func);

/// Erases side-effect-free ops without users, last to first
/// (DeadCodeElimination.cpp); returns how many.
unsigned eraseDeadOps(mlir::func::FuncOp func);

//===----------------------------------------------------------------------===//
// Embedded preprocessing (EmbedPreprocessing.cpp)
//===----------------------------------------------------------------------===//

/// The argument attribute marking an input of raw pixels (0..255) whose
/// normalisation the program does: --tessera-quantize gives it scale 1 and
/// the uint8 zero point 0, so the pixel byte is the quantized value.
inline constexpr llvm::StringLiteral kPixelsAttr = "tessera.pixels";

struct EmbedPreprocessingOptions {
  std::vector<float> mean, std; ///< per model channel, after pixel / 255
  bool nhwc = false;            ///< pixels as [N, H, W, C] (else NCHW)
  bool bgr = false;             ///< pixel channel 0 is blue (model: RGB)
};

/// Makes the single image input of the float function `func` raw pixels in
/// the given layout and colour order and inserts the normalisation
/// (x - mean) / std as a 1x1 conv, folded into the first conv when that one
/// has no padding (docs/quantization.md). Errors start with
/// "--embed-preprocessing: ".
llvm::Error embedPreprocessing(mlir::func::FuncOp func,
                               const EmbedPreprocessingOptions &options);

//===----------------------------------------------------------------------===//
// Pipeline (Pipeline.cpp)
//===----------------------------------------------------------------------===//

/// Adds, nested on every func.func: --tessera-decompose-transpose-conv,
/// --tessera-fold-constants,
/// --tessera-fold-batchnorm, --tessera-fuse-activations, --tessera-dce.
void buildGraphCleanupPipeline(mlir::OpPassManager &pm);

/// Runs buildGraphCleanupPipeline on `module`; the error carries the first
/// diagnostic. `what` names the module in the message (e.g. the model file).
llvm::Error runGraphCleanup(mlir::ModuleOp module, llvm::StringRef what);

/// Registers the five passes (tessera-opt).
void registerGraphPasses();

} // namespace tessera::graph

#endif // TESSERA_COMPILER_GRAPH_PASSES_H
