//===- Diagnostics.h - An error with every diagnostic, not only the first -*- C++ -*-===//
//
// A compile stage that fails on a model usually fails in several places (one
// per unsupported node). DiagnosticListError keeps all of them: the tools
// print the first as the `error:` line and each other one as a `note:` line
// below it (IREE style), so a user sees everything to change in one run.
// Where one line is wanted (a Python exception, llvm::toString), the message
// is the first diagnostic and how many followed.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_CORE_SUPPORT_DIAGNOSTICS_H
#define TESSERA_CORE_SUPPORT_DIAGNOSTICS_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace tessera {

class DiagnosticListError : public llvm::ErrorInfo<DiagnosticListError> {
public:
  static char ID;

  /// `first` is the error line's text; `rest` the later diagnostics, in the
  /// order they were reported (duplicates of an earlier one are dropped).
  DiagnosticListError(std::string first, std::vector<std::string> rest);

  const std::string &first() const { return firstText; }
  const std::vector<std::string> &rest() const { return restTexts; }

  /// "FIRST (and N more errors)": the one-line form.
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string firstText;
  std::vector<std::string> restTexts;
};

/// One diagnostic: `text` is what is printed; `key` says what it is about
/// (a node's location). Only the first diagnostic of each key is kept: one
/// unsupported node that fails in three of its ops is one entry.
struct Diagnostic {
  std::string key;
  std::string text;
};

/// Builds the error from diagnostics in report order: `prefix` is put before
/// the first one ("lowering to npu failed: "). `diagnostics` must not be
/// empty.
llvm::Error makeDiagnosticListError(const std::string &prefix,
                                    const std::vector<Diagnostic> &diagnostics);

} // namespace tessera

#endif // TESSERA_CORE_SUPPORT_DIAGNOSTICS_H
