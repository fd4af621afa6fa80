//===- Calibration.cpp - Range observers and clipping methods -------------===//
#include "core/quant/Calibration.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tessera::quant {

namespace {
constexpr struct {
  CalibrationMethod method;
  const char *name;
} kMethods[] = {
    {CalibrationMethod::MinMax, "minmax"},
    {CalibrationMethod::MovingAverage, "moving_average"},
    {CalibrationMethod::Percentile, "percentile"},
    {CalibrationMethod::Entropy, "kl"},
    {CalibrationMethod::Mse, "mse"},
};

/// onnxruntime's smoothing of a histogram (counts) before the KL
/// divergence (calibrate.py, smooth_distribution): every zero entry gets
/// eps, taken evenly from the nonzero ones, so a threshold is not ruled out
/// by one empty bin where the other distribution has a little mass. False
/// if the histogram cannot give eps away (all zero, or an entry too small).
bool smooth(std::vector<double> &d, double eps = 1e-4) {
  size_t zeros = 0;
  for (double v : d)
    zeros += v == 0.0;
  if (zeros == d.size())
    return false;
  double take = eps * static_cast<double>(zeros) /
                static_cast<double>(d.size() - zeros);
  for (double &v : d) {
    v = v == 0.0 ? eps : v - take;
    if (v <= 0.0)
      return false;
  }
  return true;
}

/// [lo, hi] extended to contain 0 and kept within the observed range.
Range finish(double lo, double hi, Range observed) {
  lo = std::max(lo, observed.min);
  hi = std::min(hi, observed.max);
  return {std::min(lo, 0.0), std::max(hi, 0.0)};
}
} // namespace

std::optional<CalibrationMethod> parseCalibrationMethod(std::string_view name) {
  for (const auto &m : kMethods)
    if (name == m.name)
      return m.method;
  if (name == "entropy") // onnxruntime's and TensorRT's name for kl
    return CalibrationMethod::Entropy;
  return std::nullopt;
}

const char *calibrationMethodName(CalibrationMethod m) {
  for (const auto &e : kMethods)
    if (e.method == m)
      return e.name;
  return "?";
}

const char *calibrationMethodNames() {
  return "minmax, moving_average, percentile, kl, mse";
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

Histogram::Histogram() : bins_(2 * kHalfBins, 0) {}

void Histogram::grow(double maxAbs) {
  if (range_ == 0.0) {
    range_ = maxAbs; // every count so far is a zero, in bin kHalfBins
    return;
  }
  while (range_ < maxAbs) {
    // Doubling the range maps old bin i onto new bin (i + H) / 2: bins 2j
    // and 2j + 1 of the old layout share an edge-aligned new bin.
    std::vector<uint64_t> merged(bins_.size(), 0);
    for (size_t i = 0; i < bins_.size(); ++i)
      merged[(i + kHalfBins) / 2] += bins_[i];
    bins_.swap(merged);
    range_ *= 2.0;
  }
}

void Histogram::add(const float *data, size_t n) {
  // Max |x| over the finite values, in eight independent lanes.
  constexpr size_t kLanes = 8;
  float lane[kLanes] = {};
  size_t i0 = 0;
  const float inf = std::numeric_limits<float>::infinity();
  for (; i0 + kLanes <= n; i0 += kLanes)
    for (size_t l = 0; l < kLanes; ++l) {
      float a = std::fabs(data[i0 + l]);
      lane[l] = a > lane[l] && a != inf ? a : lane[l];
    }
  for (; i0 < n; ++i0) {
    float a = std::fabs(data[i0]);
    lane[0] = a > lane[0] && a != inf ? a : lane[0];
  }
  double maxAbs = 0.0;
  for (float a : lane)
    maxAbs = std::max(maxAbs, static_cast<double>(a));
  if (maxAbs > range_)
    grow(maxAbs);
  const int64_t last = static_cast<int64_t>(bins_.size()) - 1;
  if (range_ == 0.0) { // every finite value is 0
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(data[i])) {
        ++bins_[kHalfBins];
        ++count_;
      }
    return;
  }
  const double r = range_;
  const double perBin = static_cast<double>(kHalfBins) / r;
  uint64_t added = 0;
  for (size_t i = 0; i < n; ++i) {
    double x = data[i];
    if (!std::isfinite(x))
      continue;
    // floor((x + r) * (H / r)); x + r >= 0 as |x| <= r, so truncation
    // floors. (A multiply, not a divide per value.)
    int64_t b = static_cast<int64_t>((x + r) * perBin);
    ++bins_[std::min(b, last)];
    ++added;
  }
  count_ += added;
}

std::vector<uint64_t> Histogram::absBins() const {
  std::vector<uint64_t> abs(kHalfBins, 0);
  for (size_t k = 0; k < kHalfBins; ++k)
    abs[k] = bins_[kHalfBins + k] + bins_[kHalfBins - 1 - k];
  return abs;
}

//===----------------------------------------------------------------------===//
// Methods on a histogram
//===----------------------------------------------------------------------===//

Range percentileRange(const Histogram &h, Range observed, double percentile,
                      bool symmetric) {
  if (h.count() == 0 || h.range() == 0.0)
    return finish(observed.min, observed.max, observed);
  const double w = h.binWidth();
  const double keep = percentile / 100.0;
  if (symmetric) {
    std::vector<uint64_t> abs = h.absBins();
    double want = keep * static_cast<double>(h.count());
    uint64_t cum = 0;
    size_t k = 0;
    for (; k < abs.size(); ++k) {
      cum += abs[k];
      if (static_cast<double>(cum) >= want)
        break;
    }
    double t = static_cast<double>(std::min(k, abs.size() - 1) + 1) * w;
    return finish(-t, t, observed);
  }
  // Half of (1 - keep) is clipped on each side (onnxruntime's
  // percent_to_cut_one_side).
  const auto &bins = h.bins();
  double total = static_cast<double>(h.count());
  double cut = (1.0 - keep) / 2.0;
  double lowTail = cut * total, highKeep = (1.0 - cut) * total;
  uint64_t cum = 0;
  double lo = observed.min, hi = observed.max;
  bool loSet = false;
  for (size_t i = 0; i < bins.size(); ++i) {
    cum += bins[i];
    if (!loSet && static_cast<double>(cum) > lowTail) {
      lo = -h.range() + static_cast<double>(i) * w;
      loSet = true;
    }
    if (static_cast<double>(cum) >= highKeep) {
      hi = -h.range() + static_cast<double>(i + 1) * w;
      break;
    }
  }
  return finish(lo, hi, observed);
}

Range entropyRange(const Histogram &h, Range observed, int bits) {
  double maxAbs = std::max(std::fabs(observed.min), std::fabs(observed.max));
  if (h.count() == 0 || h.range() == 0.0)
    return finish(-maxAbs, maxAbs, observed);
  const double w = h.binWidth();
  std::vector<uint64_t> abs = h.absBins();
  // The bins up to the one holding max|x|.
  size_t n = std::min(abs.size(),
                      static_cast<size_t>(std::ceil(maxAbs / w - 1e-9)));
  n = std::max<size_t>(n, 1);
  const size_t levels = size_t(1) << (bits - 1);
  if (n <= levels)
    return finish(-maxAbs, maxAbs, observed);

  std::vector<double> suffix(n + 1, 0.0); // counts of bins >= i
  for (size_t i = n; i-- > 0;)
    suffix[i] = suffix[i + 1] + static_cast<double>(abs[i]);
  double best = std::numeric_limits<double>::infinity();
  size_t bestI = n;
  std::vector<double> p, q;
  for (size_t i = levels; i <= n; ++i) {
    // P: the first i bins, the clipped outliers added to the last one.
    p.assign(abs.begin(), abs.begin() + i);
    p[i - 1] += suffix[i];
    // Q: the first i bins merged into `levels` chunks, each chunk's count
    // spread evenly over its nonzero bins (TensorRT's expansion).
    q.assign(i, 0.0);
    for (size_t j = 0; j < levels; ++j) {
      size_t begin = j * i / levels, end = (j + 1) * i / levels;
      double sum = 0.0;
      size_t nonzero = 0;
      for (size_t b = begin; b < end; ++b) {
        sum += static_cast<double>(abs[b]);
        nonzero += abs[b] != 0;
      }
      if (nonzero == 0)
        continue;
      for (size_t b = begin; b < end; ++b)
        if (abs[b] != 0)
          q[b] = sum / static_cast<double>(nonzero);
    }
    // Smoothed as counts (onnxruntime smooths before scipy normalizes).
    if (!smooth(p) || !smooth(q))
      continue;
    double ps = 0.0, qs = 0.0;
    for (size_t b = 0; b < i; ++b) {
      ps += p[b];
      qs += q[b];
    }
    double kl = 0.0;
    for (size_t b = 0; b < i; ++b) {
      double pb = p[b] / ps, qb = q[b] / qs;
      kl += pb * std::log(pb / qb);
    }
    bool finite = std::isfinite(kl);
    if (finite && kl < best) {
      best = kl;
      bestI = i;
    }
  }
  double t = std::min(static_cast<double>(bestI) * w, maxAbs);
  return finish(-t, t, observed);
}

Range mseRange(const Histogram &h, Range observed, const GridSpec &grid) {
  if (h.count() == 0 || h.range() == 0.0)
    return finish(observed.min, observed.max, observed);
  const auto &bins = h.bins();
  const size_t nb = bins.size();
  const double w = h.binWidth(), r = h.range();
  // Prefix sums of count, count x center, count x center^2.
  std::vector<double> s0(nb + 1, 0.0), s1(nb + 1, 0.0), s2(nb + 1, 0.0);
  for (size_t i = 0; i < nb; ++i) {
    double c = -r + (static_cast<double>(i) + 0.5) * w;
    double k = static_cast<double>(bins[i]);
    s0[i + 1] = s0[i] + k;
    s1[i + 1] = s1[i] + k * c;
    s2[i + 1] = s2[i] + k * c * c;
  }
  // First bin whose center is >= x (centers are -r + (i + 0.5) w).
  auto firstAtOrAbove = [&](double x) {
    double i = std::ceil((x + r) / w - 0.5);
    return static_cast<size_t>(std::clamp(i, 0.0, static_cast<double>(nb)));
  };
  auto error = [&](double lo, double hi, double step) {
    size_t a = firstAtOrAbove(lo), b = firstAtOrAbove(hi);
    // Centers in [lo, hi) keep their value up to rounding noise; the
    // others are clipped to lo or hi.
    double below = lo * lo * s0[a] - 2.0 * lo * s1[a] + s2[a];
    double inside = (s0[b] - s0[a]) * step * step / 12.0;
    double n0 = s0[nb] - s0[b], n1 = s1[nb] - s1[b], n2 = s2[nb] - s2[b];
    double above = n2 - 2.0 * hi * n1 + hi * hi * n0;
    return below + inside + above;
  };
  constexpr int kCandidates = 1024;
  double bestErr = std::numeric_limits<double>::infinity();
  Range best{observed.min, observed.max};
  const double lo0 = std::min(observed.min, 0.0);
  const double hi0 = std::max(observed.max, 0.0);
  if (grid.symmetric) {
    // Signed symmetric grids are restricted, [-(2^(b-1) - 1), 2^(b-1) - 1].
    const double qmax = std::ldexp(1.0, grid.bits - 1) - 1.0;
    const double maxAbs = std::max(-lo0, hi0);
    for (int k = kCandidates; k >= 1; --k) {
      double t = maxAbs * k / kCandidates;
      double e = error(-t, t, t / qmax);
      if (e < bestErr) {
        bestErr = e;
        best = {-t, t};
      }
    }
  } else {
    const double steps = std::ldexp(1.0, grid.bits) - 1.0;
    for (int k = kCandidates; k >= 1; --k) {
      double a = static_cast<double>(k) / kCandidates;
      double lo = a * lo0, hi = a * hi0;
      double e = error(lo, hi, (hi - lo) / steps);
      if (e < bestErr) {
        bestErr = e;
        best = {lo, hi};
      }
    }
  }
  return finish(best.min, best.max, observed);
}

//===----------------------------------------------------------------------===//
// Observer
//===----------------------------------------------------------------------===//

Observer::Observer(const CalibrationOptions &opts) : opts_(opts) {
  if (opts.method == CalibrationMethod::Percentile ||
      opts.method == CalibrationMethod::Entropy ||
      opts.method == CalibrationMethod::Mse)
    hist_.emplace();
}

namespace {
/// Min and max of the values but NaN, as `x < m ? x : m`
/// folds (a NaN never replaces a bound). Eight independent lanes: no
/// serial dependency, so the loop runs at memory speed (calibration calls
/// it on every activation of every sample); SSE where the compiler has it.
std::pair<float, float> minMax(const float *data, size_t n) {
  constexpr size_t kLanes = 8;
  float lo[kLanes], hi[kLanes];
  for (size_t l = 0; l < kLanes; ++l) {
    lo[l] = std::numeric_limits<float>::infinity();
    hi[l] = -std::numeric_limits<float>::infinity();
  }
  size_t i = 0;
#if defined(__SSE2__)
  // minps(x, m) is exactly `x < m ? x : m` (the second operand on NaN).
  __m128 l0 = _mm_loadu_ps(lo), l1 = _mm_loadu_ps(lo + 4);
  __m128 h0 = _mm_loadu_ps(hi), h1 = _mm_loadu_ps(hi + 4);
  for (; i + kLanes <= n; i += kLanes) {
    __m128 a = _mm_loadu_ps(data + i), b = _mm_loadu_ps(data + i + 4);
    l0 = _mm_min_ps(a, l0);
    l1 = _mm_min_ps(b, l1);
    h0 = _mm_max_ps(a, h0);
    h1 = _mm_max_ps(b, h1);
  }
  _mm_storeu_ps(lo, l0);
  _mm_storeu_ps(lo + 4, l1);
  _mm_storeu_ps(hi, h0);
  _mm_storeu_ps(hi + 4, h1);
#else
  for (; i + kLanes <= n; i += kLanes)
    for (size_t l = 0; l < kLanes; ++l) {
      float x = data[i + l];
      lo[l] = x < lo[l] ? x : lo[l];
      hi[l] = x > hi[l] ? x : hi[l];
    }
#endif
  for (; i < n; ++i) {
    lo[0] = data[i] < lo[0] ? data[i] : lo[0];
    hi[0] = data[i] > hi[0] ? data[i] : hi[0];
  }
  for (size_t l = 1; l < kLanes; ++l) {
    lo[0] = lo[l] < lo[0] ? lo[l] : lo[0];
    hi[0] = hi[l] > hi[0] ? hi[l] : hi[0];
  }
  return {lo[0], hi[0]};
}
} // namespace

void Observer::add(const float *data, size_t n) {
  if (n == 0)
    return;
  auto [lo, hi] = minMax(data, n);
  double mn = lo, mx = hi;
  if (samples_ == 0) {
    min_ = avgMin_ = mn;
    max_ = avgMax_ = mx;
  } else {
    min_ = std::min(min_, mn);
    max_ = std::max(max_, mx);
    avgMin_ += opts_.averagingConstant * (mn - avgMin_);
    avgMax_ += opts_.averagingConstant * (mx - avgMax_);
  }
  ++samples_;
  if (hist_)
    hist_->add(data, n);
}

Range Observer::range(const GridSpec &grid) const {
  Range observed{std::min(min_, 0.0), std::max(max_, 0.0)};
  Range r = observed;
  switch (opts_.method) {
  case CalibrationMethod::MinMax:
    break;
  case CalibrationMethod::MovingAverage:
    r = finish(avgMin_, avgMax_, observed);
    break;
  case CalibrationMethod::Percentile:
    r = percentileRange(*hist_, observed, opts_.percentile, grid.symmetric);
    break;
  case CalibrationMethod::Entropy:
    r = entropyRange(*hist_, observed, grid.bits);
    break;
  case CalibrationMethod::Mse:
    r = mseRange(*hist_, observed, grid);
    break;
  }
  // The methods clip a range that holds 0 (the grid's); the result keeps
  // only what was observed, so a tensor that never reaches 0 (a divisor)
  // still says so. The quantizer puts 0 on the grid itself.
  double lo = std::max(r.min, min_), hi = std::min(r.max, max_);
  if (lo > hi) // clipped entirely below (above) the data
    lo = hi = r.max < min_ ? r.max : r.min;
  return {lo, hi};
}

} // namespace tessera::quant
