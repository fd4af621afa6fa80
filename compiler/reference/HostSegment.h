//===- HostSegment.h - Run a host segment's float program ------*- C++ -*-===//
//
// The host half of host fallback: a HOST instruction's segment carries its
// float program as MLIR bytecode (docs/isa.md, "Host segments"). This parses
// it and runs the segment function with the reference interpreter, the one
// float implementation in Tessera. tessera-sim and the Python binding wrap
// it into the simulator's (MLIR-free) sim::HostExecutor hook.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_REFERENCE_HOSTSEGMENT_H
#define TESSERA_COMPILER_REFERENCE_HOSTSEGMENT_H

#include "core/tensor/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace tessera::reference {

/// Parses `bytecode` (a module holding func.func @`name`) and runs @name on
/// `inputs`. Errors say what failed (unreadable bytecode, no @name, or the
/// failing op and its location); the caller names the segment.
llvm::Expected<std::vector<Tensor>>
runHostProgram(llvm::ArrayRef<uint8_t> bytecode, llvm::StringRef name,
               llvm::ArrayRef<Tensor> inputs);

} // namespace tessera::reference

#endif // TESSERA_COMPILER_REFERENCE_HOSTSEGMENT_H
