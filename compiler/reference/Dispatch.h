//===- Dispatch.h - ElementType -> C++ storage type dispatch (internal) -*- C++
//-*-===//
#ifndef TESSERA_COMPILER_REFERENCE_DISPATCH_H
#define TESSERA_COMPILER_REFERENCE_DISPATCH_H

#include "compiler/reference/ElementTypes.h"

namespace tessera::reference::detail {

/// Calls fn(T{}) with T the storage type of `t`; every instantiation must
/// return the same type.
template <typename Fn> auto visitType(ElementType t, Fn &&fn) {
  switch (t) {
  case ElementType::Bool:
    return fn(bool{});
  case ElementType::I8:
    return fn(int8_t{});
  case ElementType::U8:
    return fn(uint8_t{});
  case ElementType::I16:
    return fn(int16_t{});
  case ElementType::U16:
    return fn(uint16_t{});
  case ElementType::I32:
    return fn(int32_t{});
  case ElementType::I64:
    return fn(int64_t{});
  case ElementType::F32:
    break;
  }
  return fn(float{});
}

} // namespace tessera::reference::detail

#endif // TESSERA_COMPILER_REFERENCE_DISPATCH_H
