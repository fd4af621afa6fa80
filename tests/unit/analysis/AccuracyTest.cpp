//===- AccuracyTest.cpp - Accuracy metrics and report views ---------------===//
//
// The metric definitions of docs/quantization.md ("Accuracy analysis") on
// vectors small enough to check by hand, and the table's order.
//
//===----------------------------------------------------------------------===//
#include "compiler/analysis/Accuracy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace tessera::analysis;

namespace {

// r = [1, 2, 3], a = [1, 2, 4]: r.a = 17, |r|^2 = 14, |a|^2 = 21,
// e = [0, 0, -1]: euclidean 1, SQNR 10 log10(14) = 11.4613 dB, max 1,
// mean 1/3, cosine 17 / sqrt(294) = 0.991460.
TEST(AccuracyMetrics, HandComputed) {
  ErrorMetrics m = compareValues({1, 2, 3}, {1, 2, 4});
  EXPECT_EQ(m.elements, 3);
  EXPECT_NEAR(m.cosine, 17.0 / std::sqrt(294.0), 1e-12);
  EXPECT_NEAR(m.cosine, 0.991460, 1e-6);
  EXPECT_DOUBLE_EQ(m.euclidean, 1.0);
  EXPECT_NEAR(m.sqnrDb, 11.4613, 1e-4);
  EXPECT_DOUBLE_EQ(m.maxAbs, 1.0);
  EXPECT_NEAR(m.meanAbs, 1.0 / 3.0, 1e-12);
}

TEST(AccuracyMetrics, EdgeCases) {
  // Identical: cosine 1, no error, infinite SQNR (null in JSON).
  ErrorMetrics same = compareValues({3, 4}, {3, 4});
  EXPECT_DOUBLE_EQ(same.cosine, 1.0);
  EXPECT_TRUE(std::isinf(same.sqnrDb));
  // Orthogonal: cosine 0, euclidean sqrt(2), SQNR 10 log10(1/2) = -3.0103.
  ErrorMetrics orth = compareValues({1, 0}, {0, 1});
  EXPECT_DOUBLE_EQ(orth.cosine, 0.0);
  EXPECT_DOUBLE_EQ(orth.euclidean, std::sqrt(2.0));
  EXPECT_NEAR(orth.sqnrDb, -3.0103, 1e-4);
  // All zeros on both sides: a perfect match; on one side only: cosine 0.
  EXPECT_DOUBLE_EQ(compareValues({0, 0}, {0, 0}).cosine, 1.0);
  EXPECT_DOUBLE_EQ(compareValues({0, 0}, {1, 0}).cosine, 0.0);
  // Opposite signs: cosine -1.
  EXPECT_DOUBLE_EQ(compareValues({1, 2}, {-1, -2}).cosine, -1.0);
}

TEST(AccuracyReportViews, TableSortedWorstFirstAndJsonNullSqnr) {
  AccuracyReport r;
  for (double c : {0.99, 0.5, 0.9}) {
    LayerAccuracy l;
    l.tensor = "t" + std::to_string(int(c * 100));
    l.node = "n";
    l.dtype = "int8";
    l.entire.cosine = c;
    l.individual.cosine = 1.0;
    l.entire.sqnrDb = std::numeric_limits<double>::infinity();
    r.layers.push_back(l);
  }
  std::string table = formatAccuracyTable(r, 2);
  size_t worst = table.find("t50 (n)"), next = table.find("t90 (n)");
  ASSERT_NE(worst, std::string::npos) << table;
  ASSERT_NE(next, std::string::npos) << table;
  EXPECT_LT(worst, next);
  EXPECT_EQ(table.find("t99 (n)"), std::string::npos) << table; // top 2
  llvm::json::Value doc = accuracyReportToJson(r);
  const llvm::json::Object *layer =
      doc.getAsObject()->getArray("layers")->front().getAsObject();
  EXPECT_EQ(layer->getObject("entire")->get("sqnr_db")->kind(),
            llvm::json::Value::Null);
  EXPECT_EQ(*doc.getAsObject()->getString("schema"),
            "tessera-accuracy-report/1");
}

} // namespace
