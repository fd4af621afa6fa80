//===- FuzzNpy.cpp - Fuzz the .npy reader ---------------------------------===//
//
// Bytes -> parseNpy (core/tensor/Npy.h), what tessera-run and tessera-sim do
// with every --input file. A tensor it accepts must serialize (serializeNpy)
// and parse back equal.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"

#include "core/tensor/Npy.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto tensor = parseNpy(fuzz::asText(data, size), "fuzz.npy");
  if (!tensor) {
    llvm::consumeError(tensor.takeError());
    return 0;
  }
  auto again = parseNpy(serializeNpy(*tensor), "fuzz-reserialized.npy");
  if (!again)
    fuzz::violated("serializeNpy of an accepted tensor does not parse: " +
                   llvm::toString(again.takeError()));
  if (!(*again == *tensor))
    fuzz::violated("serializeNpy + parseNpy changed the tensor");
  return 0;
}
