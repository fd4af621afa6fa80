//===- Tensor.h - Dense host tensor (no MLIR) ---*- C++
//-*-===//
//
// A shape, an element type and a contiguous row-major byte buffer. The
// reference executors, the simulator's tools and the .npy reader/writer
// exchange these; compiler/reference/ElementTypes.h maps MLIR types onto it.
// Integer signedness is part of the element type (I8 vs U8), as it is in
// MLIR (i8/si8 vs ui8) and NumPy (<i1 vs |u1).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_TENSOR_TENSOR_H
#define TESSERA_CORE_TENSOR_TENSOR_H

#include "llvm/ADT/ArrayRef.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

/// Element types the executors compute on. I64 also stores TOSA's i48
/// accumulators (acc_type = i48 of i16 x i8 convolutions).
enum class ElementType { Bool, I8, U8, I16, U16, I32, I64, F32 };

/// "bool", "i8", "u8", "i16", "u16", "i32", "i64", "f32".
const char *elementTypeName(ElementType t);
/// Bytes per element (Bool: 1).
size_t elementSize(ElementType t);
bool isInteger(ElementType t); ///< every type but F32 and Bool
bool isUnsigned(ElementType t);

/// C++ storage type <-> ElementType.
template <typename T> struct ElementTypeOf;
template <> struct ElementTypeOf<bool> {
  static constexpr ElementType value = ElementType::Bool;
};
template <> struct ElementTypeOf<int8_t> {
  static constexpr ElementType value = ElementType::I8;
};
template <> struct ElementTypeOf<uint8_t> {
  static constexpr ElementType value = ElementType::U8;
};
template <> struct ElementTypeOf<int16_t> {
  static constexpr ElementType value = ElementType::I16;
};
template <> struct ElementTypeOf<uint16_t> {
  static constexpr ElementType value = ElementType::U16;
};
template <> struct ElementTypeOf<int32_t> {
  static constexpr ElementType value = ElementType::I32;
};
template <> struct ElementTypeOf<int64_t> {
  static constexpr ElementType value = ElementType::I64;
};
template <> struct ElementTypeOf<float> {
  static constexpr ElementType value = ElementType::F32;
};

/// std::allocator, except that resize() leaves new elements uninitialized:
/// Tensor::uninitialized skips the zero-fill pass for buffers an op
/// overwrites completely anyway.
template <typename T> struct DefaultInitAllocator : std::allocator<T> {
  template <typename U> struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U> &) noexcept {}
  template <typename U> void construct(U *p) noexcept { ::new (p) U; }
  template <typename U, typename... Args> void construct(U *p, Args &&...a) {
    ::new (p) U(std::forward<Args>(a)...);
  }
};

class Tensor {
public:
  /// An empty f32 scalar-less tensor (shape [0]).
  Tensor() : Tensor(ElementType::F32, {0}) {}
  /// A zero-filled tensor.
  Tensor(ElementType type, std::vector<int64_t> shape);
  /// A tensor whose elements are indeterminate: the caller writes every one
  /// before anything reads it (saves a pass over large outputs).
  static Tensor uninitialized(ElementType type, std::vector<int64_t> shape);

  /// A tensor holding `values` (which must have product(shape) elements).
  template <typename T>
  static Tensor fromValues(std::vector<int64_t> shape,
                           llvm::ArrayRef<T> values) {
    Tensor t(ElementTypeOf<T>::value, std::move(shape));
    assert(static_cast<int64_t>(values.size()) == t.numElements() &&
           "value count does not match the shape");
    if (!values.empty())
      std::memcpy(t.bytes_.data(), values.data(), values.size() * sizeof(T));
    return t;
  }

  ElementType elementType() const { return type_; }
  llvm::ArrayRef<int64_t> shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[i]; }
  int64_t numElements() const;
  size_t byteSize() const { return bytes_.size(); }

  /// Typed access; T must be the storage type of elementType().
  template <typename T> T *data() {
    assert(ElementTypeOf<T>::value == type_ && "tensor element type mismatch");
    return reinterpret_cast<T *>(bytes_.data());
  }
  template <typename T> const T *data() const {
    assert(ElementTypeOf<T>::value == type_ && "tensor element type mismatch");
    return reinterpret_cast<const T *>(bytes_.data());
  }
  template <typename T> llvm::ArrayRef<T> values() const {
    return llvm::ArrayRef<T>(data<T>(), static_cast<size_t>(numElements()));
  }
  uint8_t *bytes() { return bytes_.data(); }
  const uint8_t *bytes() const { return bytes_.data(); }

  /// Element i converted to double / int64 (any element type).
  double getDouble(int64_t i) const;
  int64_t getInt(int64_t i) const;

  /// Same bytes under another shape of equal element count.
  Tensor reshaped(std::vector<int64_t> shape) const;
  /// The same bits under an element type of equal size (e.g. I8 <-> U8, as
  /// TOSA's input_unsigned reinterprets a signless i8 tensor).
  Tensor bitcast(ElementType type) const;

  /// "1x3x224x224xf32".
  std::string typeString() const;

  friend bool operator==(const Tensor &a, const Tensor &b) {
    return a.type_ == b.type_ && a.shape_ == b.shape_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const Tensor &a, const Tensor &b) { return !(a == b); }

private:
  ElementType type_;
  std::vector<int64_t> shape_;
  std::vector<uint8_t, DefaultInitAllocator<uint8_t>> bytes_;
};

} // namespace tessera

#endif // TESSERA_CORE_TENSOR_TENSOR_H
