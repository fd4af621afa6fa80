//===- Inputs.cpp - Calibration samples from JPEG images or .npz ----------===//
#include "compiler/calibration/Inputs.h"

#include "core/tensor/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

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

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
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

/// Decodes `path` to interleaved RGB8.
llvm::Error decodeJpeg(StringRef path, std::vector<uint8_t> &rgb, int &height,
                       int &width) {
  std::string p = path.str();
  FILE *file = std::fopen(p.c_str(), "rb");
  if (!file)
    return fail(path + ": cannot open image");
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpegErrorExit;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    std::fclose(file);
    return fail(path + ": not a readable JPEG: " + err.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, file);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  height = static_cast<int>(cinfo.output_height);
  width = static_cast<int>(cinfo.output_width);
  rgb.assign(static_cast<size_t>(height) * width * 3, 0);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = rgb.data() + static_cast<size_t>(cinfo.output_scanline) *
                                    width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  std::fclose(file);
  return llvm::Error::success();
}

bool isJpeg(StringRef path) {
  std::string ext = llvm::sys::path::extension(path).lower();
  return ext == ".jpg" || ext == ".jpeg";
}

/// Samples of one input from the arrays of a .npz: [N, ...shape[1:]] or
/// exactly `shape`.
Expected<std::vector<Tensor>>
samplesFromArray(StringRef path, StringRef inputName, const Tensor &a,
                 llvm::ArrayRef<int64_t> shape) {
  if (a.elementType() != ElementType::F32)
    return fail(path + ": array '" + inputName + "' has element type " +
                elementTypeName(a.elementType()) +
                ", expected f32");
  llvm::ArrayRef<int64_t> got = a.shape();
  if (got.size() != shape.size() || got.drop_front() != shape.drop_front())
    return fail(path + ": array '" + inputName + "' has shape " +
                shapeString(got) + ", expected " + shapeString(shape) +
                " or Nx" + shapeString(shape.drop_front()));
  int64_t perSample = 1;
  for (int64_t d : shape)
    perSample *= d;
  std::vector<Tensor> out;
  const float *src = a.data<float>();
  for (int64_t n = 0; n < got[0]; ++n)
    out.push_back(Tensor::fromValues<float>(
        std::vector<int64_t>(shape.begin(), shape.end()),
        llvm::ArrayRef<float>(src + n * perSample, perSample)));
  return out;
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

Expected<Tensor> loadImage(StringRef path,
                                      llvm::ArrayRef<int64_t> nchwShape,
                                      const Preprocess &pre) {
  if (nchwShape.size() != 4 || nchwShape[0] != 1 || nchwShape[1] != 3)
    return fail(path + ": images need a model input of shape 1x3xHxW, not " +
                shapeString(nchwShape));
  if (pre.mean.size() != 3 || pre.std.size() != 3)
    return fail("--mean and --std need 3 values (one per RGB channel)");
  std::vector<uint8_t> rgb;
  int h = 0, w = 0;
  if (llvm::Error e = decodeJpeg(path, rgb, h, w))
    return std::move(e);
  if (h != nchwShape[2] || w != nchwShape[3])
    return fail(path + ": image is " + llvm::Twine(w) + "x" + llvm::Twine(h) +
                " but the model input needs " + llvm::Twine(nchwShape[3]) +
                "x" + llvm::Twine(nchwShape[2]) + " (resize it first)");
  Tensor t(ElementType::F32,
                      std::vector<int64_t>(nchwShape.begin(), nchwShape.end()));
  float *dst = t.data<float>();
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        float px = rgb[(static_cast<size_t>(y) * w + x) * 3 + c] / 255.0f;
        dst[(static_cast<size_t>(c) * h + y) * w + x] =
            (px - pre.mean[c]) / pre.std[c];
      }
  return t;
}

Expected<std::map<std::string, Tensor>> readNpz(StringRef path) {
  int err = 0;
  std::string p = path.str();
  zip_t *archive = zip_open(p.c_str(), ZIP_RDONLY, &err);
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return fail(path + ": not a readable .npz archive: " + msg);
  }
  std::map<std::string, Tensor> arrays;
  zip_int64_t n = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
      zip_close(archive);
      return fail(path + ": cannot read entry " + llvm::Twine(i));
    }
    StringRef entry(st.name);
    std::string bytes(st.size, '\0');
    zip_file_t *f = zip_fopen_index(archive, i, 0);
    zip_int64_t got = f ? zip_fread(f, bytes.data(), st.size) : -1;
    if (f)
      zip_fclose(f);
    if (got != static_cast<zip_int64_t>(st.size)) {
      zip_close(archive);
      return fail(path + ": cannot read entry '" + entry + "'");
    }
    std::string name = entry.str();
    if (StringRef(name).ends_with(".npy"))
      name.resize(name.size() - 4);
    auto t = parseNpy(bytes, (path + ":" + entry).str());
    if (!t) {
      zip_close(archive);
      return t.takeError();
    }
    arrays.emplace(name, std::move(*t));
  }
  zip_close(archive);
  return arrays;
}

Expected<std::vector<Tensor>>
loadSamples(StringRef path, StringRef inputName, llvm::ArrayRef<int64_t> shape,
            const Preprocess &pre) {
  if (!llvm::sys::fs::exists(path))
    return fail(path + ": no such file or directory");
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
    auto arrays = readNpz(path);
    if (!arrays)
      return arrays.takeError();
    auto it = arrays->find(inputName.str());
    // A model with one input may take an archive with one array of any name.
    if (it == arrays->end() && arrays->size() == 1)
      it = arrays->begin();
    if (it == arrays->end()) {
      std::string names;
      for (auto &kv : *arrays)
        names += (names.empty() ? "" : ", ") + kv.first;
      return fail(path + ": no array named '" + inputName +
                  "' (the model input); the archive has: " + names);
    }
    return samplesFromArray(path, inputName, it->second, shape);
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
