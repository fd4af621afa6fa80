//===- DiagnosticsTest.cpp - DiagnosticListError --------------------------===//
#include "core/support/Diagnostics.h"

#include <gtest/gtest.h>

using namespace tessera;

namespace {

TEST(DiagnosticList, FirstOfEachKeyInOrder) {
  llvm::Error err = makeDiagnosticListError(
      "lowering failed: ", {{"a", "a: mul"},
                            {"a", "a: rescale"}, // same node: dropped
                            {"b", "b: mul"},
                            {"c", "c: clamp"},
                            {"b", "b: clamp"}});
  std::string first;
  std::vector<std::string> rest;
  llvm::handleAllErrors(std::move(err), [&](const DiagnosticListError &d) {
    first = d.first();
    rest = d.rest();
  });
  EXPECT_EQ(first, "lowering failed: a: mul");
  EXPECT_EQ(rest, (std::vector<std::string>{"b: mul", "c: clamp"}));
}

TEST(DiagnosticList, OneLineForm) {
  EXPECT_EQ(llvm::toString(makeDiagnosticListError("x: ", {{"k", "only"}})),
            "x: only");
  EXPECT_EQ(llvm::toString(makeDiagnosticListError(
                "x: ", {{"k", "one"}, {"l", "two"}})),
            "x: one (and 1 more error)");
  EXPECT_EQ(llvm::toString(makeDiagnosticListError(
                "x: ", {{"k", "one"}, {"l", "two"}, {"m", "three"}})),
            "x: one (and 2 more errors)");
}

} // namespace
