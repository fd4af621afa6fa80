//===- Calibration.h - Range observers and clipping methods ------*- C++ -*-===//
//
// What a calibration method makes of the values a tensor took on the
// calibration samples: the [min, max] range its quantization covers. The
// float executor feeds an Observer per tensor; Observer::range applies the
// method. Plain C++17, no MLIR/LLVM dependency.
//
// Methods (docs/quantization.md, "Calibration methods"):
//   minmax      the observed min and max (onnxruntime MinMax, RKNN normal).
//   moving_average  per-sample min and max, exponentially averaged with
//               constant c (PyTorch MovingAverageMinMaxObserver, onnxruntime
//               MinMax with moving_average; c = 0.01): m += c * (x_s - m),
//               starting from the first sample's.
//   percentile  the p-th percentile of |x| for symmetric schemes (both ends
//               clipped to it); for asymmetric ones (100 - p) / 2 % is
//               clipped from each end (onnxruntime's Percentile).
//   kl          TensorRT's KL-divergence calibration on the histogram of |x|:
//               the threshold T whose clipped-and-requantized distribution
//               (levels = 2^(b-1) for b-bit types) is closest to the
//               observed one (both smoothed as onnxruntime's entropy
//               calibrator does); asymmetric schemes clip both ends to +-T.
//   mse         the clipping that minimises the expected squared error of
//               quantizing the observed distribution (RKNN mmse): clipping
//               error of the values outside plus step^2 / 12 rounding noise
//               of those inside. Symmetric: over thresholds T; asymmetric:
//               over the observed [min, max] scaled by one factor.
// Every range includes 0 (quantization needs zero exactly representable).
//
// The histogram is memory-bounded: kHalfBins bins on each side of 0 over
// [-R, R]; a value beyond R doubles R until it fits, merging bin pairs,
// which is exact because bin edges stay aligned. Memory per tensor is
// 2 x kHalfBins counters, whatever the number or size of the samples.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_QUANT_CALIBRATION_H
#define TESSERA_CORE_QUANT_CALIBRATION_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tessera::quant {

enum class CalibrationMethod { MinMax, MovingAverage, Percentile, Entropy, Mse };
std::optional<CalibrationMethod> parseCalibrationMethod(std::string_view name);
/// "minmax", "moving_average", "percentile", "kl", "mse" ("entropy", the
/// name onnxruntime and TensorRT use, is accepted for kl).
const char *calibrationMethodName(CalibrationMethod m);
/// The names above, comma-separated (for error messages and --help).
const char *calibrationMethodNames();

/// Histogram of values over [-range, range], kHalfBins bins on each side of
/// 0. Values are added one sample at a time.
class Histogram {
public:
  static constexpr size_t kHalfBins = 2048;
  Histogram();
  void add(const float *data, size_t n);
  /// 0 before any nonzero value was added.
  double range() const { return range_; }
  double binWidth() const { return range_ / kHalfBins; }
  /// Bin i covers [-range + i * w, -range + (i + 1) * w); 2 x kHalfBins bins.
  const std::vector<uint64_t> &bins() const { return bins_; }
  uint64_t count() const { return count_; }
  /// Counts of |x|: bin k covers [k * w, (k + 1) * w), kHalfBins bins.
  std::vector<uint64_t> absBins() const;

private:
  void grow(double maxAbs);
  std::vector<uint64_t> bins_;
  double range_ = 0.0;
  uint64_t count_ = 0;
};

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// percentile: the percentile kept, in (0, 100].
  double percentile = 99.99;
  /// moving_average: the averaging constant c in (0, 1].
  double averagingConstant = 0.01;
};

/// The quantization grid the range is for: number of steps (qmax - qmin of
/// the dtype, e.g. 255 for 8 bits) and whether the scheme is symmetric.
struct GridSpec {
  int bits = 8;
  bool symmetric = false;
};

struct Range {
  double min = 0.0;
  double max = 0.0;
};

/// Observes one tensor over the calibration samples.
class Observer {
public:
  explicit Observer(const CalibrationOptions &opts);
  /// One sample's values of the tensor.
  void add(const float *data, size_t n);
  /// False until a sample was added.
  bool empty() const { return samples_ == 0; }
  /// The range the method chooses for `grid` (each method works on the
  /// observed [min, max] extended to 0), intersected with the observed
  /// [min, max]: it contains 0 only if the data did (a divisor's range must
  /// say it excludes 0); the quantizer puts 0 on the grid itself.
  Range range(const GridSpec &grid) const;
  double observedMin() const { return min_; }
  double observedMax() const { return max_; }

private:
  CalibrationOptions opts_;
  double min_ = 0.0, max_ = 0.0;       // exact, over every sample
  double avgMin_ = 0.0, avgMax_ = 0.0; // moving_average
  size_t samples_ = 0;
  std::optional<Histogram> hist_;      // percentile, entropy, mse
};

/// The method applied to a histogram (exposed for tests). `observed` is
/// the exact min/max the histogram was built from.
Range percentileRange(const Histogram &h, Range observed, double percentile,
                      bool symmetric);
Range entropyRange(const Histogram &h, Range observed, int bits);
Range mseRange(const Histogram &h, Range observed, const GridSpec &grid);

} // namespace tessera::quant

#endif // TESSERA_CORE_QUANT_CALIBRATION_H
