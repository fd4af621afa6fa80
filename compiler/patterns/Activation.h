//===- Activation.h - Recognising imported activations after a value -*- C++
//-*-===//
//
// The forms ONNX exporters' activations take once imported to float TOSA and
// constant-folded, recognised after a value p (a conv's or matmul's output):
//   relu, relu6, clamp   clamp(p)                            (Relu, Clip)
//   silu                 mul(p, sigmoid(p))                  (SiLU/Swish)
//   hardswish            mul(p, clamp(add(p, 3), 0, 6)) * 1/6, or with the
//                        1/6 inside, or mul(p, clamp(p*1/6 + 0.5, 0, 1))
//                        (the ONNX HardSwish doc: y = x * max(0, min(1,
//                        alpha * x + beta)), alpha = 1/6, beta = 0.5)
// One matcher for everyone who needs it: --tessera-fuse-activations marks
// the producer (compiler/graph), the float reference executor fuses the
// clamp and SiLU forms into its convolutions (compiler/reference).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_PATTERNS_ACTIVATION_H
#define TESSERA_COMPILER_PATTERNS_ACTIVATION_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace tessera::patterns {

struct Activation {
  enum class Kind { Relu, Relu6, Clamp, SiLU, HardSwish };
  Kind kind;
  /// Every op of the activation in program order; the last one produces
  /// the activation's result (the clamp; sigmoid then mul; ...).
  llvm::SmallVector<mlir::Operation *, 4> ops;

  mlir::Operation *last() const { return ops.back(); }
  /// "relu", "relu6", "clamp", "silu", "hardswish".
  llvm::StringRef name() const;
};

/// The activation applied to the float value `p`, if its users form one of
/// the patterns above (every intermediate used only inside the pattern).
std::optional<Activation> matchActivation(mlir::Value p);

} // namespace tessera::patterns

#endif // TESSERA_COMPILER_PATTERNS_ACTIVATION_H
