//===- FuzzTargetYaml.cpp - Fuzz the target profile parser ----------------===//
//
// Bytes -> target::parseTargetProfile (llvm::yaml + validate()). A profile it
// accepts must print with toYaml() and parse back to an equal Target, as
// core/target/Target.h promises.
//
//===----------------------------------------------------------------------===//

#include "tests/fuzz/FuzzCommon.h"

#include "core/target/Target.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto profile =
      target::parseTargetProfile(fuzz::asText(data, size), "fuzz.yaml");
  if (!profile) {
    llvm::consumeError(profile.takeError());
    return 0;
  }
  std::string yaml = profile->toYaml();
  auto again = target::parseTargetProfile(yaml, "fuzz-printed.yaml");
  if (!again)
    fuzz::violated("toYaml() of an accepted profile does not parse: " +
                   llvm::toString(again.takeError()) + "\n" + yaml);
  if (!(*again == *profile))
    fuzz::violated("toYaml + parse changed the profile:\n" + yaml);
  return 0;
}
