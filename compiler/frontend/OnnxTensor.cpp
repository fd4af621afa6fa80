//===- OnnxTensor.cpp - Decoding of ONNX TensorProto constants ------------===//

#include "compiler/frontend/OnnxTensor.h"

#include "core/io/Output.h"
#include "core/support/Names.h"
#include "core/tensor/Limits.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using llvm::Twine;

namespace tessera::frontend {

int64_t shapeNumElements(llvm::ArrayRef<int64_t> shape) {
  // Shapes reaching here were checked (decodeTensor, the importer's
  // per-node size check); saturate rather than wrap if one was not.
  auto n = checkedNumElements(shape);
  return n ? *n : INT64_MAX;
}

int64_t ConstTensor::numElements() const { return shapeNumElements(shape); }

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

namespace {

template <typename T>
std::vector<T> transposeImpl(llvm::ArrayRef<T> data,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int64_t> perm) {
  size_t rank = shape.size();
  std::vector<int64_t> inStrides(rank, 1), outShape(rank);
  for (size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * shape[i];
  for (size_t i = 0; i < rank; ++i)
    outShape[i] = shape[perm[i]];
  std::vector<T> out(data.size());
  std::vector<int64_t> idx(rank, 0); // index into the output
  for (size_t o = 0; o < out.size(); ++o) {
    int64_t src = 0;
    for (size_t i = 0; i < rank; ++i)
      src += idx[i] * inStrides[perm[i]];
    out[o] = data[src];
    for (size_t i = rank; i-- > 0;) {
      if (++idx[i] < outShape[i])
        break;
      idx[i] = 0;
    }
  }
  return out;
}

} // namespace

std::vector<float> transposeData(llvm::ArrayRef<float> data,
                                 llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> perm) {
  return transposeImpl(data, shape, perm);
}

std::vector<int64_t> transposeData(llvm::ArrayRef<int64_t> data,
                                   llvm::ArrayRef<int64_t> shape,
                                   llvm::ArrayRef<int64_t> perm) {
  return transposeImpl(data, shape, perm);
}

namespace {

// Bytes of a tensor's payload: raw_data, or the external file it points to.
llvm::Expected<std::string> readRawBytes(const onnx::TensorProto &proto,
                                         llvm::StringRef baseDir,
                                         llvm::StringRef what) {
  if (proto.data_location() != onnx::TensorProto_DataLocation_EXTERNAL)
    return proto.raw_data();
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &kv : proto.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset" &&
             llvm::StringRef(kv.value()).getAsInteger(10, offset))
      return llvm::createStringError(what + ": bad external data offset " +
                                     quoteName(kv.value()));
    else if (kv.key() == "length") {
      if (llvm::StringRef(kv.value()).getAsInteger(10, length))
        return llvm::createStringError(what + ": bad external data length " +
                                       quoteName(kv.value()));
      hasLength = true;
    }
  }
  if (baseDir.empty())
    return llvm::createStringError(
        what + ": external data needs the model's directory (import from a "
               "file, not from memory)");
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      llvm::StringRef(location).contains(".."))
    return llvm::createStringError(what + ": bad external data location " +
                                   quoteName(location));
  llvm::SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  // A regular file within the memory budget only: a location that is (or
  // links to) /dev/zero or a FIFO must not be read forever.
  auto buf = io::readRegularFile(path, memoryBudget(),
                                 memoryBudgetText());
  if (!buf)
    return llvm::createStringError(what + ": external data: " +
                                   llvm::toString(buf.takeError()));
  uint64_t size = (*buf)->getBufferSize();
  if (!hasLength)
    length = size >= offset ? size - offset : 0;
  if (offset > size || length > size - offset)
    return llvm::createStringError(what + ": external data " +
                                   quoteName(path) +
                                   " is shorter than offset + length");
  return std::string((*buf)->getBufferStart() + offset, length);
}

template <typename T>
llvm::Error fromRaw(const std::string &raw, int64_t n, llvm::StringRef what,
                    std::vector<T> &out) {
  auto want = checkedMul(n, static_cast<int64_t>(sizeof(T)));
  if (!want || raw.size() != static_cast<uint64_t>(*want))
    return llvm::createStringError(
        what + ": raw data has " + Twine(raw.size()) + " bytes, expected " +
        (want ? Twine(*want) : Twine(n) + " x " + Twine(sizeof(T))));
  out.resize(n);
  // ONNX raw_data is little-endian; so is every host Tessera builds for.
  std::memcpy(out.data(), raw.data(), raw.size());
  return llvm::Error::success();
}

float halfToFloat(uint16_t bits) {
  llvm::APFloat h(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits));
  bool lost;
  h.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return h.convertToFloat();
}

} // namespace

llvm::Expected<ConstTensor> decodeTensor(const onnx::TensorProto &proto,
                                         llvm::StringRef baseDir,
                                         llvm::StringRef what) {
  ConstTensor t;
  for (int64_t d : proto.dims()) {
    if (d < 0)
      return llvm::createStringError(what + ": negative dimension " + Twine(d));
    t.shape.push_back(d);
  }
  // The dims come from the file: the element count is overflow-checked and
  // the decoded tensor (float32 or int64 per element) must fit the memory
  // budget before the payload is read or anything is allocated. The payload
  // size is then checked against the count (fromRaw, countError).
  bool isFloatType = proto.data_type() == onnx::TensorProto_DataType_FLOAT ||
                     proto.data_type() == onnx::TensorProto_DataType_DOUBLE ||
                     proto.data_type() == onnx::TensorProto_DataType_FLOAT16;
  if (llvm::Error e = checkTensorSize(what, t.shape, isFloatType ? 4 : 8,
                                      isFloatType ? "f32" : "i64"))
    return std::move(e);
  int64_t n = t.numElements();
  bool hasRaw =
      proto.has_raw_data() ||
      proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL;
  std::string raw;
  if (hasRaw) {
    auto bytes = readRawBytes(proto, baseDir, what);
    if (!bytes)
      return bytes.takeError();
    raw = std::move(*bytes);
  }
  auto countError = [&](size_t got) {
    return llvm::createStringError(what + ": has " + Twine(got) +
                                   " values, shape " + formatShape(t.shape) +
                                   " needs " + Twine(n));
  };

  t.dataType = proto.data_type();
  // INT4 (22) / UINT4 (21) postdate the onnx.proto Debian ships: numbers.
  constexpr int kUint4 = 21, kInt4 = 22;
  if (proto.data_type() == kUint4 || proto.data_type() == kInt4) {
    // Two values per byte, element 2i in the low nibble (onnx.proto); in
    // int32_data each int32 holds one such byte.
    t.kind = ConstTensor::Kind::Int;
    size_t bytes = static_cast<size_t>((n + 1) / 2);
    std::vector<uint8_t> packed;
    if (hasRaw)
      packed.assign(raw.begin(), raw.end());
    else
      for (int32_t v : proto.int32_data())
        packed.push_back(static_cast<uint8_t>(v));
    if (packed.size() != bytes)
      return llvm::createStringError(what + ": has " + Twine(packed.size()) +
                                     " bytes of 4-bit data, shape " +
                                     formatShape(t.shape) + " needs " +
                                     Twine(bytes));
    bool isSigned = proto.data_type() == kInt4;
    for (int64_t i = 0; i < n; ++i) {
      int64_t nibble = (packed[i / 2] >> (4 * (i % 2))) & 0xf;
      t.ints.push_back(isSigned && nibble >= 8 ? nibble - 16 : nibble);
    }
    return t;
  }
  switch (proto.data_type()) {
  case onnx::TensorProto_DataType_FLOAT:
    t.kind = ConstTensor::Kind::Float;
    if (hasRaw) {
      if (auto err = fromRaw(raw, n, what, t.floats))
        return std::move(err);
    } else {
      if (proto.float_data_size() != n)
        return countError(proto.float_data_size());
      t.floats.assign(proto.float_data().begin(), proto.float_data().end());
    }
    return t;
  case onnx::TensorProto_DataType_DOUBLE: {
    t.kind = ConstTensor::Kind::Float;
    std::vector<double> d;
    if (hasRaw) {
      if (auto err = fromRaw(raw, n, what, d))
        return std::move(err);
    } else {
      if (proto.double_data_size() != n)
        return countError(proto.double_data_size());
      d.assign(proto.double_data().begin(), proto.double_data().end());
    }
    t.floats.assign(d.begin(), d.end());
    return t;
  }
  case onnx::TensorProto_DataType_FLOAT16: {
    t.kind = ConstTensor::Kind::Float;
    std::vector<uint16_t> h;
    if (hasRaw) {
      if (auto err = fromRaw(raw, n, what, h))
        return std::move(err);
    } else {
      // float16 values travel in int32_data, one per element.
      if (proto.int32_data_size() != n)
        return countError(proto.int32_data_size());
      for (int32_t v : proto.int32_data())
        h.push_back(static_cast<uint16_t>(v));
    }
    for (uint16_t bits : h)
      t.floats.push_back(halfToFloat(bits));
    return t;
  }
  case onnx::TensorProto_DataType_INT64:
    t.kind = ConstTensor::Kind::Int;
    if (hasRaw) {
      if (auto err = fromRaw(raw, n, what, t.ints))
        return std::move(err);
    } else {
      if (proto.int64_data_size() != n)
        return countError(proto.int64_data_size());
      t.ints.assign(proto.int64_data().begin(), proto.int64_data().end());
    }
    return t;
  case onnx::TensorProto_DataType_INT32:
  case onnx::TensorProto_DataType_INT16:
  case onnx::TensorProto_DataType_INT8:
  case onnx::TensorProto_DataType_UINT16:
  case onnx::TensorProto_DataType_UINT8:
  case onnx::TensorProto_DataType_BOOL: {
    t.kind = ConstTensor::Kind::Int;
    auto type = proto.data_type();
    if (hasRaw) {
      auto widen = [&](auto tag) -> llvm::Error {
        using T = decltype(tag);
        std::vector<T> v;
        if (auto err = fromRaw(raw, n, what, v))
          return err;
        t.ints.assign(v.begin(), v.end());
        return llvm::Error::success();
      };
      llvm::Error err = llvm::Error::success();
      if (type == onnx::TensorProto_DataType_INT32)
        err = widen(int32_t());
      else if (type == onnx::TensorProto_DataType_INT16)
        err = widen(int16_t());
      else if (type == onnx::TensorProto_DataType_INT8)
        err = widen(int8_t());
      else if (type == onnx::TensorProto_DataType_UINT16)
        err = widen(uint16_t());
      else
        err = widen(uint8_t());
      if (err)
        return std::move(err);
    } else {
      // Every type narrower than 64 bits travels in int32_data.
      if (proto.int32_data_size() != n)
        return countError(proto.int32_data_size());
      t.ints.assign(proto.int32_data().begin(), proto.int32_data().end());
    }
    return t;
  }
  default:
    return llvm::createStringError(what + ": unsupported data type " +
                                   Twine(proto.data_type()));
  }
}

} // namespace tessera::frontend
