//===- FuzzJpeg.cpp - Fuzz the JPEG calibration input ----------------------===//
//
// Bytes -> calib::decodeImage for a model input of shape [1, 3, 16, 16]
// (compiler/calibration/Inputs.h), as calibration decodes each image of
// --calibration-data DIR. A decoded image must have exactly that shape.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"

#include "compiler/calibration/Inputs.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The seed corpus holds 16x16 images, and a few of other sizes that
  // decodeImage must refuse from the header alone.
  static const int64_t shape[] = {1, 3, 16, 16};
  static const calib::Preprocess pre{{0.485f, 0.456f, 0.406f},
                                     {0.229f, 0.224f, 0.225f}};
  auto image =
      calib::decodeImage(fuzz::asText(data, size), "fuzz.jpg", shape, pre);
  if (!image) {
    llvm::consumeError(image.takeError());
    return 0;
  }
  if (image->shape() != llvm::ArrayRef<int64_t>(shape))
    fuzz::violated("decodeImage returned another shape than asked for");
  return 0;
}
