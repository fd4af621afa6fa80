//===- Diagnostics.cpp - An error with every diagnostic ------------------===//
#include "core/support/Diagnostics.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

namespace tessera {

char DiagnosticListError::ID = 0;

DiagnosticListError::DiagnosticListError(std::string first,
                                         std::vector<std::string> rest)
    : firstText(std::move(first)), restTexts(std::move(rest)) {}

void DiagnosticListError::log(llvm::raw_ostream &os) const {
  os << firstText;
  if (!restTexts.empty())
    os << " (and " << restTexts.size() << " more error"
       << (restTexts.size() == 1 ? "" : "s") << ")";
}

std::error_code DiagnosticListError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::Error makeDiagnosticListError(const std::string &prefix,
                                    const std::vector<Diagnostic> &diagnostics) {
  llvm::StringSet<> seen;
  std::vector<std::string> rest;
  std::string first;
  for (const Diagnostic &d : diagnostics) {
    if (!seen.insert(d.key).second)
      continue;
    if (seen.size() == 1)
      first = prefix + d.text;
    else
      rest.push_back(d.text);
  }
  return llvm::make_error<DiagnosticListError>(std::move(first),
                                               std::move(rest));
}

} // namespace tessera
