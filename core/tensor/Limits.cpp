//===- Limits.cpp - Overflow-checked sizes and the memory budget ----------===//

#include "core/tensor/Limits.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>

namespace tessera {

std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

std::optional<int64_t> checkedMul(int64_t a, int64_t b) {
  int64_t r;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape) {
  for (int64_t d : shape)
    if (d < 0)
      return std::nullopt;
  for (int64_t d : shape)
    if (d == 0)
      return 0;
  int64_t n = 1;
  for (int64_t d : shape) {
    auto m = checkedMul(n, d);
    if (!m)
      return std::nullopt;
    n = *m;
  }
  return n;
}

std::optional<int64_t> checkedByteSize(llvm::ArrayRef<int64_t> shape,
                                       int64_t elementBytes) {
  auto n = checkedNumElements(shape);
  if (!n)
    return std::nullopt;
  return checkedMul(*n, elementBytes);
}

namespace {
std::atomic<uint64_t> budget{kDefaultMemoryBudget};
} // namespace

uint64_t memoryBudget() { return budget.load(std::memory_order_relaxed); }
void setMemoryBudget(uint64_t bytes) {
  budget.store(std::min(bytes, kMaxMemoryBudget), std::memory_order_relaxed);
}

llvm::Expected<uint64_t> parseByteSize(llvm::StringRef text,
                                       llvm::StringRef option) {
  llvm::StringRef t = text.trim();
  auto bad = [&] {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--" + option + ": expected a byte count such as 4G, 512M or " +
            "1048576, got '" + text + "'");
  };
  if (t.ends_with_insensitive("ib"))
    t = t.drop_back(2);
  else if (t.size() > 1 && t.ends_with_insensitive("b") &&
           !llvm::isDigit(t[t.size() - 2]))
    t = t.drop_back(1);
  int shift = 0;
  if (!t.empty()) {
    switch (llvm::toLower(t.back())) {
    case 'k':
      shift = 10;
      break;
    case 'm':
      shift = 20;
      break;
    case 'g':
      shift = 30;
      break;
    case 't':
      shift = 40;
      break;
    default:
      break;
    }
  }
  if (shift)
    t = t.drop_back(1);
  uint64_t v;
  if (t.empty() || t.getAsInteger(10, v))
    return bad();
  if (v == 0)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--" + option + ": must be above 0");
  if (shift && v > (UINT64_MAX >> shift))
    return bad();
  if ((v << shift) > kMaxMemoryBudget)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--" + option + ": '" + text +
                                       "' is above the largest budget, 256 TiB");
  return v << shift;
}

std::string formatBytes(uint64_t bytes) {
  static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (v == static_cast<double>(static_cast<uint64_t>(v)))
    std::snprintf(buf, sizeof buf, "%" PRIu64 " %s", static_cast<uint64_t>(v),
                  units[u]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string formatDims(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::string memoryBudgetText() {
  return "the memory budget of " + formatBytes(memoryBudget()) +
         " (--max-memory)";
}

llvm::Error checkAllocation(const llvm::Twine &what, uint64_t bytes) {
  if (bytes <= memoryBudget())
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      what + ": needs " + llvm::Twine(bytes) + " bytes (" + formatBytes(bytes) +
          "), over " + memoryBudgetText());
}

llvm::Error checkTensorSize(const llvm::Twine &what,
                            llvm::ArrayRef<int64_t> shape,
                            int64_t elementBytes, llvm::StringRef typeName) {
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          what + ": dimension " + llvm::Twine(i) + " is negative (" +
              llvm::Twine(shape[i]) + ")");
  auto bytes = checkedByteSize(shape, elementBytes);
  if (!bytes)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        what + ": shape " + formatDims(shape) + "x" + typeName +
            " has more bytes than fit in 64 bits");
  return checkAllocation(what + ": " + formatDims(shape) + "x" + typeName,
                         static_cast<uint64_t>(*bytes));
}

} // namespace tessera
