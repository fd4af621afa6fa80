//===- Npy.cpp - NumPy .npy reader and writer -----------------------------===//

#include "core/tensor/Npy.h"

#include "core/io/Output.h"
#include "core/tensor/Limits.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Support/raw_ostream.h"

using llvm::StringRef;

namespace tessera {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

llvm::Error npyError(StringRef name, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + what);
}

const char *descrOf(ElementType t) {
  switch (t) {
  case ElementType::Bool:
    return "|b1";
  case ElementType::I8:
    return "|i1";
  case ElementType::U8:
    return "|u1";
  case ElementType::I16:
    return "<i2";
  case ElementType::U16:
    return "<u2";
  case ElementType::I32:
    return "<i4";
  case ElementType::I64:
    return "<i8";
  case ElementType::F32:
    return "<f4";
  }
  return "";
}

std::optional<ElementType> typeOfDescr(StringRef d) {
  // One-byte types have no byte order: numpy writes '|', accept '<' too.
  if (d == "|b1" || d == "<b1")
    return ElementType::Bool;
  if (d == "|i1" || d == "<i1")
    return ElementType::I8;
  if (d == "|u1" || d == "<u1")
    return ElementType::U8;
  if (d == "<i2")
    return ElementType::I16;
  if (d == "<u2")
    return ElementType::U16;
  if (d == "<i4")
    return ElementType::I32;
  if (d == "<i8")
    return ElementType::I64;
  if (d == "<f4")
    return ElementType::F32;
  return std::nullopt;
}

/// Returns the text after `'key':` in the header dict, left-trimmed.
std::optional<StringRef> valueOf(StringRef header, StringRef key) {
  size_t pos = header.find(("'" + key + "'").str());
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

} // namespace

llvm::Expected<NpyHeader> parseNpyHeader(StringRef bytes, StringRef name) {
  if (bytes.size() < kMagicLen + 4 || !bytes.starts_with(StringRef(kMagic, 6)))
    return npyError(name, "not a .npy file (bad magic)");
  uint8_t major = static_cast<uint8_t>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(bytes[8]) |
                (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    headerStart = 12;
  } else {
    return npyError(name, "unsupported .npy version " + llvm::Twine(major));
  }
  if (headerLen > kMaxNpyHeaderBytes)
    return npyError(name, "header of " + llvm::Twine(headerLen) +
                              " bytes is longer than the limit of " +
                              llvm::Twine(kMaxNpyHeaderBytes));
  if (bytes.size() < headerStart + headerLen)
    return npyError(name, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLen);

  auto descr = valueOf(header, "descr");
  if (!descr || descr->size() < 2 || !descr->starts_with("'"))
    return npyError(name, "header has no 'descr' string");
  StringRef d =
      descr->drop_front().take_until([](char c) { return c == '\''; });
  auto type = typeOfDescr(d);
  if (!type)
    return npyError(name, "unsupported dtype '" + d +
                              "' (expected <f4, <i1, |u1, <i2, <u2, <i4, "
                              "<i8 or |b1)");

  auto fortran = valueOf(header, "fortran_order");
  if (!fortran)
    return npyError(name, "header has no 'fortran_order'");
  if (fortran->starts_with("True"))
    return npyError(name, "Fortran-order arrays are not supported");
  if (!fortran->starts_with("False"))
    return npyError(name, "bad 'fortran_order' value");

  auto shapeText = valueOf(header, "shape");
  if (!shapeText || !shapeText->starts_with("("))
    return npyError(name, "header has no 'shape' tuple");
  StringRef tuple =
      shapeText->drop_front().take_until([](char c) { return c == ')'; });
  NpyHeader h;
  h.type = *type;
  llvm::SmallVector<StringRef> parts;
  tuple.split(parts, ',');
  for (StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue; // "(3,)" has a trailing comma
    if (p.ends_with("L"))
      p = p.drop_back(); // Python 2 longs
    int64_t v;
    if (p.getAsInteger(10, v) || v < 0)
      return npyError(name, "bad dimension '" + p + "' in shape");
    if (h.shape.size() == kMaxNpyRank)
      return npyError(name, "shape has more than " + llvm::Twine(kMaxNpyRank) +
                                " dimensions");
    h.shape.push_back(v);
  }
  auto dataBytes =
      checkedByteSize(h.shape, static_cast<int64_t>(elementSize(h.type)));
  if (!dataBytes)
    return npyError(name, "shape " + formatDims(h.shape) + " of " +
                              elementTypeName(h.type) +
                              " has more bytes than fit in 64 bits");
  h.dataOffset = headerStart + headerLen;
  h.dataBytes = static_cast<uint64_t>(*dataBytes);
  return h;
}

llvm::Expected<Tensor> parseNpy(StringRef bytes, StringRef name) {
  auto h = parseNpyHeader(bytes, name);
  if (!h)
    return h.takeError();
  // The claimed size is checked against the bytes present before anything is
  // allocated, and against the memory budget.
  StringRef data = bytes.drop_front(h->dataOffset);
  if (data.size() != h->dataBytes)
    return npyError(name, "expected " + llvm::Twine(h->dataBytes) +
                              " data bytes for " + formatDims(h->shape) + "x" +
                              elementTypeName(h->type) + ", got " +
                              llvm::Twine(data.size()));
  if (llvm::Error e = checkTensorSize(name, h->shape,
                                      elementSize(h->type),
                                      elementTypeName(h->type)))
    return std::move(e);
  Tensor t = Tensor::uninitialized(h->type, std::move(h->shape));
  if (!data.empty())
    std::memcpy(t.bytes(), data.data(), data.size());
  if (t.elementType() == ElementType::Bool)
    for (size_t i = 0; i < t.byteSize(); ++i)
      if (t.bytes()[i] > 1)
        return npyError(name, "bool element is neither 0 nor 1");
  return t;
}

llvm::Expected<Tensor> readNpy(StringRef path) {
  // Only a regular file within the memory budget is read; parseNpy then
  // checks the header's claim against the bytes present before allocating.
  auto buf = io::readRegularFile(path, memoryBudget(),
                                 memoryBudgetText());
  if (!buf)
    return buf.takeError();
  return parseNpy((*buf)->getBuffer(), path);
}

std::string serializeNpy(const Tensor &t) {
  std::string header = "{'descr': '";
  header += descrOf(t.elementType());
  header += "', 'fortran_order': False, 'shape': (";
  for (int64_t d : t.shape())
    header += std::to_string(d) + ", ";
  if (t.rank() > 0)
    header.resize(header.size() - 1); // "(3, 4," style; keep the comma
  if (t.rank() > 1)
    header.pop_back(); // "(3, 4)" for rank > 1
  header += "), }";
  // Pad with spaces and end with '\n' so 10 + header is a multiple of 64.
  size_t total = kMagicLen + 4 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char *>(t.bytes()), t.byteSize());
  return out;
}

llvm::Error writeNpy(StringRef path, const Tensor &t) {
  std::string bytes = serializeNpy(t);
  // core/io: a temporary file renamed into place, or written through to a
  // device or FIFO.
  return io::writeFile(path, bytes);
}

std::string safeFileStem(llvm::StringRef name) {
  std::string s;
  for (char c : name)
    s += (llvm::isAlnum(c) || c == '.' || c == '-' || c == '_') ? c : '_';
  if (s.empty() || s[0] == '.')
    s = "_" + s;
  // File names hold 255 bytes (NAME_MAX) and model names up to 4096: keep
  // the start and tell long names apart by a hash of the whole name.
  if (s.size() > 200)
    s = s.substr(0, 183) + "_" + llvm::utohexstr(llvm::xxh3_64bits(name));
  return s;
}

} // namespace tessera
