//===- Types.h - C++ element type <-> quant::DType for the kernels -*- C++
//-*-===//
//
// The kernels are templates over the C++ storage type of a buffer. This maps
// each storage type to the core/quant dtype whose range saturation uses, so
// the signedness of a buffer is carried by its C++ type (uint8_t means
// "interpret as unsigned", as TOSA's input_unsigned/output_unsigned do).
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_KERNELS_TYPES_H
#define TESSERA_CORE_KERNELS_TYPES_H

#include "core/quant/Quant.h"

#include <cstdint>

namespace tessera::kernels {

template <typename T> struct DTypeOf;
template <> struct DTypeOf<int8_t> {
  static constexpr quant::DType value = quant::DType::Int8;
};
template <> struct DTypeOf<uint8_t> {
  static constexpr quant::DType value = quant::DType::UInt8;
};
template <> struct DTypeOf<int16_t> {
  static constexpr quant::DType value = quant::DType::Int16;
};
template <> struct DTypeOf<uint16_t> {
  static constexpr quant::DType value = quant::DType::UInt16;
};
template <> struct DTypeOf<int32_t> {
  static constexpr quant::DType value = quant::DType::Int32;
};

} // namespace tessera::kernels

#endif // TESSERA_CORE_KERNELS_TYPES_H
