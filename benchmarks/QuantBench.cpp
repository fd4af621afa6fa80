//===- QuantBench.cpp - core/quant requantization vs gemmlowp's -----------===//
//
// The hot loop of every integer layer is the requantization of int32
// accumulators. Measures quant::applyScale32 (TOSA apply_scale_32, single
// and double rounding) against the peer gemmlowp/TFLite composition
// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, M), e) on the same
// 64 Ki accumulators, in the same run.
//
//===----------------------------------------------------------------------===//
#include "core/quant/Quant.h"

#include <benchmark/benchmark.h>
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <random>
#include <vector>

namespace {

constexpr int kN = 1 << 16;
// m = 0.0123 = multiplier * 2^-shift (quantizeMultiplier), i.e. exponent
// e = shift - 31 for gemmlowp.
const tessera::quant::ScaleMultiplier kScale =
    *tessera::quant::quantizeMultiplier(0.0123);

std::vector<int32_t> accumulators() {
  std::mt19937 rng(0);
  std::uniform_int_distribution<int32_t> d(-(1 << 20), 1 << 20);
  std::vector<int32_t> v(kN);
  for (int32_t &x : v)
    x = d(rng);
  return v;
}

void BM_TesseraApplyScale32(benchmark::State &state) {
  std::vector<int32_t> in = accumulators(), out(kN);
  bool doubleRound = state.range(0) != 0;
  for (auto _ : state) {
    for (int i = 0; i < kN; ++i)
      out[i] = tessera::quant::applyScale32(in[i], kScale.multiplier,
                                            kScale.shift, doubleRound);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_TesseraApplyScale32)->Arg(0)->Arg(1);

void BM_GemmlowpRequantize(benchmark::State &state) {
  std::vector<int32_t> in = accumulators(), out(kN);
  int exponent = kScale.shift - 31;
  for (auto _ : state) {
    for (int i = 0; i < kN; ++i)
      out[i] = gemmlowp::RoundingDivideByPOT(
          gemmlowp::SaturatingRoundingDoublingHighMul(in[i], kScale.multiplier),
          exponent);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_GemmlowpRequantize);

} // namespace

BENCHMARK_MAIN();
