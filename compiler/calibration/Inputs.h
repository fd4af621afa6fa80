//===- Inputs.h - Calibration and model inputs from images or .npz -*- C++ -*-===//
//
// Reads the samples calibration runs the float model on: a directory of JPEG
// images (decoded with libjpeg, RGB, pixel/255, then (x - mean) / std per
// channel, NCHW float32) or a .npz archive (libzip) holding, per model input,
// one array of shape [N, ...] (N samples) or of the input's own shape.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_COMPILER_CALIBRATION_INPUTS_H
#define TESSERA_COMPILER_CALIBRATION_INPUTS_H

#include "core/tensor/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace tessera::calib {

/// Image preprocessing: x = (pixel / 255 - mean[c]) / std[c].
struct Preprocess {
  std::vector<float> mean = {0.0f, 0.0f, 0.0f};
  std::vector<float> std = {1.0f, 1.0f, 1.0f};
};

/// Parses "0.485,0.456,0.406" into three floats; `flag` names the option in
/// the error message.
llvm::Expected<std::vector<float>> parseFloatList(llvm::StringRef text,
                                                  llvm::StringRef flag);

/// Decodes the JPEG bytes `bytes` into a [1, 3, H, W] f32 tensor with `pre`
/// applied; `name` prefixes errors. The image must already be H x W
/// (calibration sets are resized beforehand; resizing here would silently
/// differ from the user's own pipeline), which is checked from the JPEG
/// header before anything is decoded.
llvm::Expected<Tensor> decodeImage(llvm::StringRef bytes, llvm::StringRef name,
                                   llvm::ArrayRef<int64_t> nchwShape,
                                   const Preprocess &pre);
/// decodeImage on the contents of the regular file `path`.
llvm::Expected<Tensor> loadImage(llvm::StringRef path,
                                 llvm::ArrayRef<int64_t> nchwShape,
                                 const Preprocess &pre);

/// Every array of the .npz archive in `bytes` (stored or deflated), by name;
/// `name` prefixes errors. Each array must fit the memory budget
/// (core/tensor/Limits.h) and hold exactly the bytes its header claims.
llvm::Expected<std::map<std::string, Tensor>> parseNpz(llvm::StringRef bytes,
                                                       llvm::StringRef name);
/// parseNpz on the contents of the regular file `path`.
llvm::Expected<std::map<std::string, Tensor>> readNpz(llvm::StringRef path);

/// The calibration samples for the input `inputName` of shape `shape`: from
/// a directory of .jpg/.jpeg files (sorted by name), a single image, or a
/// .npz whose array for the input is `shape` (one sample), [N, ...shape]
/// (N samples) or [N * shape[0], ...shape[1:]]. At most `maxSamples` (0:
/// all) are read: of a .npz only the header and those samples' bytes.
/// Errors name the file and what was wrong.
llvm::Expected<std::vector<Tensor>>
loadSamples(llvm::StringRef path, llvm::StringRef inputName,
            llvm::ArrayRef<int64_t> shape, const Preprocess &pre,
            size_t maxSamples = 0);

} // namespace tessera::calib

#endif // TESSERA_COMPILER_CALIBRATION_INPUTS_H
