//===- Inputs.cpp - Calibration samples from JPEG images or .npz ----------===//
#include "compiler/calibration/Inputs.h"

#include "core/io/Output.h"
#include "core/support/Names.h"
#include "core/tensor/Limits.h"
#include "core/tensor/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <jpeglib.h>
#include <zip.h>

using llvm::Expected;
using llvm::StringRef;

namespace tessera::calib {
namespace {

llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// libjpeg reports fatal errors through error_exit, which must not return:
/// longjmp back into decodeJpeg with the message.
struct JpegErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr cinfo) {
  auto *err = reinterpret_cast<JpegErrorManager *>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

/// Decodes the JPEG in `bytes` to interleaved RGB8, after checking from its
/// header alone that it is `wantH` x `wantW`: a header claiming 65500x65500
/// costs nothing, not a 12 GB decode.
llvm::Error decodeJpeg(StringRef bytes, StringRef name, int64_t wantH,
                       int64_t wantW, std::vector<uint8_t> &rgb) {
  if (bytes.empty())
    return fail(name + ": not a readable JPEG: empty file");
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpegErrorExit;
  // Warnings (corrupt data that libjpeg can skip) would go to stderr.
  err.pub.emit_message = [](j_common_ptr, int) {};
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return fail(name + ": not a readable JPEG: " + err.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char *>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_height != static_cast<uint64_t>(wantH) ||
      cinfo.image_width != static_cast<uint64_t>(wantW)) {
    std::string got = std::to_string(cinfo.image_width) + "x" +
                      std::to_string(cinfo.image_height);
    jpeg_destroy_decompress(&cinfo);
    return fail(name + ": image is " + got + " but the model input needs " +
                llvm::Twine(wantW) + "x" + llvm::Twine(wantH) +
                " (resize it first)");
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  size_t rowBytes = static_cast<size_t>(wantW) * 3;
  rgb.assign(rowBytes * static_cast<size_t>(wantH), 0);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = rgb.data() + cinfo.output_scanline * rowBytes;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return llvm::Error::success();
}

/// The bytes of the regular file `path`, refused if larger than the memory
/// budget.
Expected<std::unique_ptr<llvm::MemoryBuffer>> readInputFile(StringRef path) {
  return io::readRegularFile(path, memoryBudget(),
                             memoryBudgetText());
}

bool isJpeg(StringRef path) {
  std::string ext = llvm::sys::path::extension(path).lower();
  return ext == ".jpg" || ext == ".jpeg";
}

/// How an array of shape `got` holds samples of an input of shape `shape`:
/// exactly `shape` (one sample), [N, ...shape] (N stacked samples), or, for
/// an input of rank >= 1, [N * shape[0], ...shape[1:]] (N samples
/// concatenated along the batch axis). Returns N, or an error.
Expected<int64_t> sampleCount(StringRef path, StringRef inputName,
                              llvm::ArrayRef<int64_t> got,
                              llvm::ArrayRef<int64_t> shape) {
  if (got == shape)
    return 1;
  if (got.size() == shape.size() + 1 && got.drop_front() == shape)
    return got[0];
  if (!shape.empty() && shape[0] > 0 && got.size() == shape.size() &&
      got.drop_front() == shape.drop_front() && got[0] % shape[0] == 0)
    return got[0] / shape[0];
  std::string expected = formatDims(shape);
  std::string stacked = shape.empty() ? "N" : "Nx" + formatDims(shape);
  return fail(path + ": array " + quoteName(inputName) + " has shape " +
              formatDims(got) + ", expected " + expected + " or " + stacked);
}

/// Splits `data` (the array's bytes, at least `count` samples' worth) into
/// `count` samples of `shape`.
std::vector<Tensor> splitSamples(const char *data, int64_t count,
                                 llvm::ArrayRef<int64_t> shape) {
  std::vector<Tensor> out;
  size_t perSample = static_cast<size_t>(*checkedNumElements(shape)) *
                     sizeof(float);
  for (int64_t n = 0; n < count; ++n) {
    Tensor t = Tensor::uninitialized(
        ElementType::F32, std::vector<int64_t>(shape.begin(), shape.end()));
    if (perSample)
      std::memcpy(t.bytes(), data + static_cast<size_t>(n) * perSample,
                  perSample);
    out.push_back(std::move(t));
  }
  return out;
}

/// An open libzip archive, closed (discarding changes) when it goes away.
struct ZipArchive {
  zip_t *z = nullptr;
  ZipArchive() = default;
  ZipArchive(ZipArchive &&o) noexcept : z(o.z) { o.z = nullptr; }
  ZipArchive(const ZipArchive &) = delete;
  ZipArchive &operator=(const ZipArchive &) = delete;
  ZipArchive &operator=(ZipArchive &&) = delete;
  ~ZipArchive() {
    if (z)
      zip_discard(z);
  }
};

/// Opens the archive whose libzip source `makeSource` creates (a file or a
/// buffer); `name` prefixes errors.
Expected<ZipArchive>
openZip(StringRef name,
        llvm::function_ref<zip_source_t *(zip_error_t *)> makeSource) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = makeSource(&ze);
  ZipArchive a;
  if (src) {
    a.z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!a.z)
      zip_source_free(src); // not taken over on failure
  }
  if (!a.z) {
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return fail(name + ": not a readable .npz archive: " + msg);
  }
  zip_error_fini(&ze);
  return a;
}

/// Up to `limit` bytes from the start of entry `index`, read in chunks so
/// that memory follows the bytes actually present, not the size the archive
/// claims. Fewer bytes come back when the entry is shorter.
Expected<std::string> readEntryPrefix(zip_t *z, zip_int64_t index,
                                      uint64_t limit, const llvm::Twine &what) {
  zip_file_t *f = zip_fopen_index(z, static_cast<zip_uint64_t>(index), 0);
  if (!f)
    return fail(what + ": cannot read: " + zip_strerror(z));
  std::string out;
  constexpr uint64_t kChunk = 1 << 20;
  while (out.size() < limit) {
    uint64_t want = std::min<uint64_t>(kChunk, limit - out.size());
    size_t old = out.size();
    out.resize(old + want);
    zip_int64_t got = zip_fread(f, out.data() + old, want);
    if (got < 0) {
      std::string msg = zip_file_strerror(f);
      zip_fclose(f);
      return fail(what + ": cannot read: " + msg);
    }
    out.resize(old + static_cast<size_t>(got));
    if (got == 0)
      break;
  }
  zip_fclose(f);
  return out;
}

/// The .npy header at the start of entry `index`: at most the header's own
/// limit is read, whatever the entry claims.
Expected<NpyHeader> readEntryHeader(zip_t *z, zip_int64_t index,
                                    const std::string &what) {
  auto head = readEntryPrefix(z, index, 12 + kMaxNpyHeaderBytes, what);
  if (!head)
    return head.takeError();
  return parseNpyHeader(*head, what);
}

std::string entryArrayName(StringRef entry) {
  std::string name = entry.str();
  if (StringRef(name).ends_with(".npy"))
    name.resize(name.size() - 4);
  return name;
}

/// Every array of an open archive. Each entry is read only up to the size
/// its .npy header claims, which must fit the memory budget.
Expected<std::map<std::string, Tensor>> readArrays(zip_t *z, StringRef name) {
  std::map<std::string, Tensor> arrays;
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char *entryName = zip_get_name(z, static_cast<zip_uint64_t>(i), 0);
    if (!entryName)
      return fail(name + ": cannot read entry " + llvm::Twine(i));
    std::string what = (name + ":" + entryName).str();
    auto h = readEntryHeader(z, i, what);
    if (!h)
      return h.takeError();
    if (llvm::Error e = checkTensorSize(what, h->shape, elementSize(h->type),
                                        elementTypeName(h->type)))
      return std::move(e);
    // One byte more than claimed, to tell "too long" from "exact".
    auto bytes = readEntryPrefix(z, i, h->dataOffset + h->dataBytes + 1, what);
    if (!bytes)
      return bytes.takeError();
    auto t = parseNpy(*bytes, what);
    if (!t)
      return t.takeError();
    arrays.insert_or_assign(entryArrayName(entryName), std::move(*t));
  }
  return arrays;
}

/// Samples for `inputName` from the .npz file `path`: only the array's
/// header and the first `maxSamples` samples (0: all) are read.
Expected<std::vector<Tensor>> samplesFromNpz(StringRef path,
                                             StringRef inputName,
                                             llvm::ArrayRef<int64_t> shape,
                                             size_t maxSamples) {
  std::string p = path.str();
  auto archive = openZip(path, [&](zip_error_t *ze) {
    return zip_source_file_create(p.c_str(), 0, -1, ze);
  });
  if (!archive)
    return archive.takeError();
  zip_t *z = archive->z;
  zip_int64_t n = zip_get_num_entries(z, 0);
  zip_int64_t index = -1;
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < n; ++i) {
    const char *e = zip_get_name(z, static_cast<zip_uint64_t>(i), 0);
    if (!e)
      return fail(path + ": cannot read entry " + llvm::Twine(i));
    names.push_back(entryArrayName(e));
    if (names.back() == inputName)
      index = i;
  }
  // A model with one input may take an archive with one array of any name.
  if (index < 0 && n == 1)
    index = 0;
  if (index < 0) {
    std::string list;
    for (const std::string &a : names)
      list += (list.empty() ? "" : ", ") + quoteName(a);
    return fail(path + ": no array named " + quoteName(inputName) +
                " (the model input); the archive has: " +
                (list.empty() ? std::string("no arrays") : list));
  }
  std::string what = (path + ":" + names[index] + ".npy").str();
  auto h = readEntryHeader(z, index, what);
  if (!h)
    return h.takeError();
  if (h->type != ElementType::F32)
    return fail(path + ": array " + quoteName(inputName) + " has element type " +
                elementTypeName(h->type) + ", expected f32");
  auto count = sampleCount(path, inputName, h->shape, shape);
  if (!count)
    return count.takeError();
  int64_t use = *count;
  if (maxSamples && static_cast<uint64_t>(use) > maxSamples)
    use = static_cast<int64_t>(maxSamples);
  // Every sample must fit the budget; together they must too.
  std::vector<int64_t> used(shape.begin(), shape.end());
  used.insert(used.begin(), use);
  if (llvm::Error e = checkTensorSize(what + " (" + llvm::Twine(use) +
                                          " samples)",
                                      used, sizeof(float), "f32"))
    return std::move(e);
  uint64_t need = h->dataOffset + static_cast<uint64_t>(
                                      *checkedByteSize(used, sizeof(float)));
  auto bytes = readEntryPrefix(z, index, need, what);
  if (!bytes)
    return bytes.takeError();
  if (bytes->size() < need)
    return fail(what + ": truncated: the header claims " +
                llvm::Twine(h->dataBytes) + " data bytes for " +
                formatDims(h->shape) + "xf32 but the entry holds " +
                llvm::Twine(bytes->size() - std::min<uint64_t>(bytes->size(),
                                                               h->dataOffset)));
  return splitSamples(bytes->data() + h->dataOffset, use, shape);
}

} // namespace

Expected<std::vector<float>> parseFloatList(StringRef text, StringRef flag) {
  llvm::SmallVector<StringRef> parts;
  text.split(parts, ',');
  std::vector<float> out;
  for (StringRef part : parts) {
    double v;
    if (part.trim().getAsDouble(v))
      return fail("--" + flag + ": expected comma-separated numbers but got '" +
                  text + "'");
    out.push_back(static_cast<float>(v));
  }
  return out;
}

Expected<Tensor> decodeImage(StringRef bytes, StringRef name,
                             llvm::ArrayRef<int64_t> nchwShape,
                             const Preprocess &pre) {
  if (nchwShape.size() != 4 || nchwShape[0] != 1 || nchwShape[1] != 3 ||
      nchwShape[2] <= 0 || nchwShape[3] <= 0)
    return fail(name + ": images need a model input of shape 1x3xHxW, not " +
                formatDims(nchwShape));
  if (pre.mean.size() != 3 || pre.std.size() != 3)
    return fail("--mean and --std need 3 values (one per RGB channel)");
  if (llvm::Error e = checkTensorSize(name, nchwShape, sizeof(float), "f32"))
    return std::move(e);
  int64_t h = nchwShape[2], w = nchwShape[3];
  std::vector<uint8_t> rgb;
  if (llvm::Error e = decodeJpeg(bytes, name, h, w, rgb))
    return std::move(e);
  Tensor t = Tensor::uninitialized(
      ElementType::F32, std::vector<int64_t>(nchwShape.begin(), nchwShape.end()));
  float *dst = t.data<float>();
  for (int c = 0; c < 3; ++c)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        float px = rgb[(static_cast<size_t>(y) * w + x) * 3 + c] / 255.0f;
        dst[(static_cast<size_t>(c) * h + y) * w + x] =
            (px - pre.mean[c]) / pre.std[c];
      }
  return t;
}

Expected<Tensor> loadImage(StringRef path, llvm::ArrayRef<int64_t> nchwShape,
                           const Preprocess &pre) {
  auto buf = readInputFile(path);
  if (!buf)
    return buf.takeError();
  return decodeImage((*buf)->getBuffer(), path, nchwShape, pre);
}

Expected<std::map<std::string, Tensor>> parseNpz(StringRef bytes,
                                                 StringRef name) {
  auto archive = openZip(name, [&](zip_error_t *ze) {
    return zip_source_buffer_create(bytes.data(), bytes.size(), 0, ze);
  });
  if (!archive)
    return archive.takeError();
  return readArrays(archive->z, name);
}

Expected<std::map<std::string, Tensor>> readNpz(StringRef path) {
  auto buf = readInputFile(path);
  if (!buf)
    return buf.takeError();
  return parseNpz((*buf)->getBuffer(), path);
}

Expected<std::vector<Tensor>>
loadSamples(StringRef path, StringRef inputName, llvm::ArrayRef<int64_t> shape,
            const Preprocess &pre, size_t maxSamples) {
  if (!llvm::sys::fs::exists(path))
    return fail(path + ": no such file or directory");
  if (llvm::Error e = checkTensorSize("model input " + quoteName(inputName), shape,
                                      sizeof(float), "f32"))
    return std::move(e);
  if (llvm::sys::fs::is_directory(path)) {
    std::vector<std::string> files;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec))
      if (isJpeg(it->path()))
        files.push_back(it->path());
    if (ec)
      return fail(path + ": cannot list directory: " + ec.message());
    if (files.empty())
      return fail(path + ": no .jpg or .jpeg images in the directory");
    llvm::sort(files);
    if (maxSamples && files.size() > maxSamples)
      files.resize(maxSamples);
    std::vector<Tensor> out;
    for (const std::string &f : files) {
      auto t = loadImage(f, shape, pre);
      if (!t)
        return t.takeError();
      out.push_back(std::move(*t));
    }
    return out;
  }
  if (StringRef(path).ends_with_insensitive(".npz")) {
    llvm::sys::fs::file_status st;
    if (std::error_code ec = llvm::sys::fs::status(path, st))
      return fail(path + ": cannot read: " + ec.message());
    if (st.type() != llvm::sys::fs::file_type::regular_file)
      return fail(path + ": not a regular file");
    return samplesFromNpz(path, inputName, shape, maxSamples);
  }
  if (isJpeg(path)) {
    auto t = loadImage(path, shape, pre);
    if (!t)
      return t.takeError();
    std::vector<Tensor> out;
    out.push_back(std::move(*t));
    return out;
  }
  return fail(path + ": expected a directory of JPEG images, a .jpg or a .npz");
}

} // namespace tessera::calib
