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

/// Decodes one JPEG into a [1, 3, H, W] f32 tensor with `pre` applied. The
/// image must already be H x W (calibration sets are resized beforehand;
/// resizing here would silently differ from the user's own pipeline).
llvm::Expected<Tensor> loadImage(llvm::StringRef path,
                                            llvm::ArrayRef<int64_t> nchwShape,
                                            const Preprocess &pre);

/// Every array of a .npz archive (stored or deflated), by name.
llvm::Expected<std::map<std::string, Tensor>>
readNpz(llvm::StringRef path);

/// The calibration samples for the input `inputName` of shape `shape`
/// (batch 1): from a directory of .jpg/.jpeg files (sorted by name), a single
/// image, or a .npz. Errors name the file and what was wrong.
llvm::Expected<std::vector<Tensor>>
loadSamples(llvm::StringRef path, llvm::StringRef inputName,
            llvm::ArrayRef<int64_t> shape, const Preprocess &pre);

} // namespace tessera::calib

#endif // TESSERA_COMPILER_CALIBRATION_INPUTS_H
