//===- FuzzInit.cpp - LLVMFuzzerInitialize for every fuzz target ---------===//
//
// Linked into each fuzz target: the small memory budget of FuzzCommon.h, set
// once before the first input.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"

#include "core/tensor/Limits.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  tessera::setMemoryBudget(tessera::fuzz::kFuzzMemoryBudget);
  return 0;
}
