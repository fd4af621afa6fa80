//===- Tensor.cpp - Dense host tensor shared by executors, simulator and tools ----------===//

#include "core/tensor/Tensor.h"

#include "core/tensor/Limits.h"

namespace tessera {

const char *elementTypeName(ElementType t) {
  switch (t) {
  case ElementType::Bool:
    return "bool";
  case ElementType::I8:
    return "i8";
  case ElementType::U8:
    return "u8";
  case ElementType::I16:
    return "i16";
  case ElementType::U16:
    return "u16";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  case ElementType::F32:
    return "f32";
  }
  return "?";
}

size_t elementSize(ElementType t) {
  switch (t) {
  case ElementType::Bool:
  case ElementType::I8:
  case ElementType::U8:
    return 1;
  case ElementType::I16:
  case ElementType::U16:
    return 2;
  case ElementType::I32:
  case ElementType::F32:
    return 4;
  case ElementType::I64:
    return 8;
  }
  return 0;
}

bool isInteger(ElementType t) {
  return t != ElementType::F32 && t != ElementType::Bool;
}

bool isUnsigned(ElementType t) {
  return t == ElementType::U8 || t == ElementType::U16;
}

Tensor::Tensor(ElementType type, std::vector<int64_t> shape)
    : type_(type), shape_(std::move(shape)) {
  bytes_.assign(static_cast<size_t>(numElements()) * elementSize(type_), 0);
}

Tensor Tensor::uninitialized(ElementType type, std::vector<int64_t> shape) {
  Tensor t(type, {0});
  t.shape_ = std::move(shape);
  t.bytes_.resize(static_cast<size_t>(t.numElements()) * elementSize(type));
  return t;
}

int64_t Tensor::numElements() const {
  // A zero dimension makes the count 0 even when the other dimensions'
  // product would overflow (a .npy of shape (2^32, 2^32, 0)); any other
  // shape was overflow-checked before its bytes were allocated.
  auto n = checkedNumElements(shape_);
  assert(n && "tensor shape overflows int64");
  return n ? *n : 0;
}

double Tensor::getDouble(int64_t i) const {
  if (type_ == ElementType::F32)
    return data<float>()[i];
  return static_cast<double>(getInt(i));
}

int64_t Tensor::getInt(int64_t i) const {
  switch (type_) {
  case ElementType::Bool:
    return bytes_[i] != 0;
  case ElementType::I8:
    return data<int8_t>()[i];
  case ElementType::U8:
    return data<uint8_t>()[i];
  case ElementType::I16:
    return data<int16_t>()[i];
  case ElementType::U16:
    return data<uint16_t>()[i];
  case ElementType::I32:
    return data<int32_t>()[i];
  case ElementType::I64:
    return data<int64_t>()[i];
  case ElementType::F32:
    return static_cast<int64_t>(data<float>()[i]);
  }
  return 0;
}

Tensor Tensor::reshaped(std::vector<int64_t> shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  assert(t.numElements() == numElements() && "reshape changes element count");
  return t;
}

Tensor Tensor::bitcast(ElementType type) const {
  assert(elementSize(type) == elementSize(type_) && "bitcast changes size");
  Tensor t = *this;
  t.type_ = type;
  return t;
}

std::string Tensor::typeString() const {
  std::string s;
  for (int64_t d : shape_)
    s += std::to_string(d) + "x";
  return s + elementTypeName(type_);
}

} // namespace tessera
