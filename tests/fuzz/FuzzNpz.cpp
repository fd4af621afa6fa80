//===- FuzzNpz.cpp - Fuzz the .npz reader ----------------------------------===//
//
// Bytes -> calib::parseNpz (compiler/calibration/Inputs.h): the zip archive
// (libzip) and every .npy inside it, as calibration reads --calibration-data
// FILE.npz. Each array it returns must serialize as .npy and parse back
// equal.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"

#include "compiler/calibration/Inputs.h"
#include "core/tensor/Npy.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto arrays = calib::parseNpz(fuzz::asText(data, size), "fuzz.npz");
  if (!arrays) {
    llvm::consumeError(arrays.takeError());
    return 0;
  }
  for (const auto &[name, tensor] : *arrays) {
    auto again = parseNpy(serializeNpy(tensor), name);
    if (!again)
      fuzz::violated("array '" + name + "' of an accepted .npz does not "
                     "round-trip: " + llvm::toString(again.takeError()));
    if (!(*again == tensor))
      fuzz::violated("serializeNpy + parseNpy changed array '" + name + "'");
  }
  return 0;
}
