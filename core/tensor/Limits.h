//===- Limits.h - Overflow-checked sizes and the memory budget --*- C++ -*-===//
//
// Every size that comes from a file (a .npy header, an ONNX initializer's
// dims, a Conv's pads, a Resize's scales, a .npz entry) is computed here with
// overflow checks, and every tensor whose size comes from a file is checked
// against one process-wide memory budget before anything is allocated. A
// size that overflows int64 or exceeds the budget is an llvm::Error naming
// the tensor, its shape and its size, never a crash, an abort or a silent
// wrap-around (docs/robustness.md).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_TENSOR_LIMITS_H
#define TESSERA_CORE_TENSOR_LIMITS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tessera {

/// a + b and a * b for sizes: std::nullopt if either operand is negative or
/// the exact result does not fit in int64_t.
std::optional<int64_t> checkedAdd(int64_t a, int64_t b);
std::optional<int64_t> checkedMul(int64_t a, int64_t b);

/// The product of `shape` (1 for rank 0): std::nullopt if a dimension is
/// negative or the product overflows int64_t. A zero dimension gives 0 even
/// when the other dimensions' product would overflow.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape);

/// checkedNumElements(shape) * elementBytes, with the same overflow rules.
std::optional<int64_t> checkedByteSize(llvm::ArrayRef<int64_t> shape,
                                       int64_t elementBytes);

/// The default memory budget: 4 GiB for any one tensor, enough for a
/// 2048x2048 detector's largest float activation 60 times over, and a sixth of
/// a 24 GiB machine.
constexpr uint64_t kDefaultMemoryBudget = uint64_t(4) << 30;

/// The largest budget that can be set, 2^48 bytes (256 TiB): it keeps every
/// dimension below 2^48, so shape arithmetic on one dimension and a 32-bit
/// attribute (pads, strides, dilations) cannot overflow int64.
constexpr uint64_t kMaxMemoryBudget = uint64_t(1) << 48;

/// The process-wide memory budget in bytes: the largest tensor (or .npz
/// entry, or decoded image) a tool allocates for data whose size comes from
/// a file. Tools set it from --max-memory.
uint64_t memoryBudget();
void setMemoryBudget(uint64_t bytes);

/// Parses a byte count: "4294967296", "512K", "512M", "4G", "1T" (binary
/// multiples; an optional trailing "B" or "iB" is accepted), between 1 and
/// kMaxMemoryBudget. Errors name `option`.
llvm::Expected<uint64_t> parseByteSize(llvm::StringRef text,
                                       llvm::StringRef option);

/// "the memory budget of 4 GiB (--max-memory)": how errors name the limit.
std::string memoryBudgetText();

/// "4 GiB", "1.5 MiB", "300 bytes".
std::string formatBytes(uint64_t bytes);

/// "1x3x224x224" ("scalar" for rank 0).
std::string formatDims(llvm::ArrayRef<int64_t> shape);

/// Success when a tensor of `shape` with `elementBytes`-byte elements fits
/// the memory budget; otherwise an error "<what>: <shape>x<typeName> needs
/// N bytes, over the memory budget of M (--max-memory)" or "<what>: shape
/// <shape> has more elements than fit in 64 bits" (or names the negative
/// dimension).
llvm::Error checkTensorSize(const llvm::Twine &what,
                            llvm::ArrayRef<int64_t> shape,
                            int64_t elementBytes, llvm::StringRef typeName);

/// Success when `bytes` fit the memory budget; otherwise "<what>: needs N
/// bytes, over the memory budget of M (--max-memory)".
llvm::Error checkAllocation(const llvm::Twine &what, uint64_t bytes);

} // namespace tessera

#endif // TESSERA_CORE_TENSOR_LIMITS_H
