//===- FloatKernels.h - f32 array kernels of the float executor (internal) -*- C++
//-*-===//
//
// The loops FloatOps.cpp spends its time in, as plain functions over
// pointers so that each can be compiled for AVX2+FMA next to the baseline
// x86-64 version (TESSERA_CLONES: GCC/Clang target_clones, picked once at
// load time by the CPU). The exp-based kernels live in FloatMath.cpp, on
// glibc's vector math library (libmvec).
//
// Every kernel computes element i from element i alone (or, for the
// depthwise kernel, one output pixel from its own window), so splitting the
// index range over threads gives the same results as one call.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_REFERENCE_FLOATKERNELS_H
#define TESSERA_COMPILER_REFERENCE_FLOATKERNELS_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TESSERA_CLONES                                                         \
  __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TESSERA_CLONES
#endif

namespace tessera::reference::detail::fp {

/// Runs fn(begin, end) over [0, n), split into one contiguous chunk per
/// executor thread (llvm::parallel::strategy), or inline when the work
/// (n * costPerItem, roughly in multiply-adds) is too small to pay for
/// waking threads (~10 us).
void parallelRows(int64_t n, int64_t costPerItem,
                  llvm::function_ref<void(int64_t, int64_t)> fn);

// FloatMath.cpp (libmvec): out[i] = f(in[i]); in and out may be equal.
/// Which libmvec variant they use: chosen by the CPU (Auto), or forced for
/// tests to the 4-lane SSE one or the 8-lane AVX2 one. Returns false (and
/// changes nothing) when the CPU or the build cannot run the one asked for.
enum class MathIsa { Auto, Sse, Avx2 };
bool setMathIsaForTesting(MathIsa isa);
void sigmoidArray(const float *in, float *out, int64_t n);
void expArray(const float *in, float *out, int64_t n);
void tanhArray(const float *in, float *out, int64_t n);

} // namespace tessera::reference::detail::fp

#endif // TESSERA_COMPILER_REFERENCE_FLOATKERNELS_H
