//===- FloatMath.cpp - exp-based f32 array kernels on glibc's libmvec -----===//
//
// exp, tanh and sigmoid over arrays, through glibc's vector math library
// (libmvec, a stable glibc ABI since 2.22): _ZGVdN8v_expf (8 lanes, AVX2)
// when the CPU has AVX2+FMA, else _ZGVbN4v_expf (4 lanes, SSE), the same for
// tanhf. The choice is made once per process. Every element goes through
// the same vector function, the array tail through a zero-padded vector, so
// an element's result does not depend on its position or on how the array
// is split over threads. Without libmvec (CMake finds none: not x86-64
// glibc): scalar std::exp.
// tests/unit/reference/FloatMathTest.cpp bounds the error against double.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/FloatKernels.h"

#include <algorithm>
#include <cmath>

#if defined(TESSERA_HAVE_LIBMVEC) && defined(__x86_64__) && defined(__GNUC__)
#define TESSERA_LIBMVEC 1
#include <immintrin.h>
extern "C" {
__m128 _ZGVbN4v_expf(__m128);
__m128 _ZGVbN4v_tanhf(__m128);
// The 8-lane variants take and return ymm registers: declared for AVX2 so
// that clang (the sanitizer build) accepts calls to them.
__attribute__((target("avx2,fma"))) __m256 _ZGVdN8v_expf(__m256);
__attribute__((target("avx2,fma"))) __m256 _ZGVdN8v_tanhf(__m256);
}
#endif

namespace tessera::reference::detail::fp {

namespace {

#ifdef TESSERA_LIBMVEC

// sigmoid(x) = 1 / (1 + exp(-x)); -x flips the sign bit (exact).
__m128 sigmoid4(__m128 x) {
  const __m128 one = _mm_set1_ps(1.0f);
  __m128 e = _ZGVbN4v_expf(_mm_xor_ps(x, _mm_set1_ps(-0.0f)));
  return _mm_div_ps(one, _mm_add_ps(one, e));
}

__attribute__((target("avx2,fma"))) __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 e = _ZGVdN8v_expf(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

/// out[i] = F(in[i]) four lanes at a time; the tail is padded with zeros.
template <__m128 (*F)(__m128)>
void map4(const float *in, float *out, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps(out + i, F(_mm_loadu_ps(in + i)));
  if (i < n) {
    float t[4] = {};
    std::copy(in + i, in + n, t);
    _mm_storeu_ps(t, F(_mm_loadu_ps(t)));
    std::copy(t, t + (n - i), out + i);
  }
}

template <__m256 (*F)(__m256)>
__attribute__((target("avx2,fma"))) void map8(const float *in, float *out,
                                              int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, F(_mm256_loadu_ps(in + i)));
  if (i < n) {
    float t[8] = {};
    std::copy(in + i, in + n, t);
    _mm256_storeu_ps(t, F(_mm256_loadu_ps(t)));
    std::copy(t, t + (n - i), out + i);
  }
}

bool cpuHasAvx2() {
  static const bool yes =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

MathIsa forcedIsa = MathIsa::Auto;

bool haveAvx2() {
  return forcedIsa == MathIsa::Auto ? cpuHasAvx2() : forcedIsa == MathIsa::Avx2;
}

#endif // TESSERA_LIBMVEC

} // namespace

bool setMathIsaForTesting(MathIsa isa) {
#ifdef TESSERA_LIBMVEC
  if (isa == MathIsa::Avx2 && !cpuHasAvx2())
    return false;
  forcedIsa = isa;
  return true;
#else
  return isa == MathIsa::Auto;
#endif
}

void sigmoidArray(const float *in, float *out, int64_t n) {
#ifdef TESSERA_LIBMVEC
  if (haveAvx2())
    return map8<sigmoid8>(in, out, n);
  return map4<sigmoid4>(in, out, n);
#else
  for (int64_t i = 0; i < n; ++i)
    out[i] = 1.0f / (1.0f + std::exp(-in[i]));
#endif
}

void expArray(const float *in, float *out, int64_t n) {
#ifdef TESSERA_LIBMVEC
  if (haveAvx2())
    return map8<_ZGVdN8v_expf>(in, out, n);
  return map4<_ZGVbN4v_expf>(in, out, n);
#else
  for (int64_t i = 0; i < n; ++i)
    out[i] = std::exp(in[i]);
#endif
}

void tanhArray(const float *in, float *out, int64_t n) {
#ifdef TESSERA_LIBMVEC
  if (haveAvx2())
    return map8<_ZGVdN8v_tanhf>(in, out, n);
  return map4<_ZGVbN4v_tanhf>(in, out, n);
#else
  for (int64_t i = 0; i < n; ++i)
    out[i] = std::tanh(in[i]);
#endif
}

} // namespace tessera::reference::detail::fp
