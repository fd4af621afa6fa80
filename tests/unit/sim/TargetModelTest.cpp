//===- TargetModelTest.cpp - Target profile -> simulator machine model ----===//

#include "core/target/Target.h"
#include "simulator/MachineModel.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

using namespace tessera;
using namespace tessera::sim;

namespace {
std::string sourceDir() {
  const char *d = std::getenv("TESSERA_SOURCE_DIR");
  return d ? d : ".";
}
} // namespace

// The round-number profile of the lit tests maps field by field.
TEST(TargetModel, HandProfileMapsFieldByField) {
  auto m =
      loadTargetModel(sourceDir() + "/tests/lit/tessera-sim/Inputs/hand.yaml");
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  EXPECT_EQ(m->target, "hand");
  EXPECT_DOUBLE_EQ(m->clockMhz, 1000);
  EXPECT_EQ(m->macRows, 8u);
  EXPECT_EQ(m->macCols, 4u);
  EXPECT_DOUBLE_EQ(m->int16Slowdown, 2.0); // 32 / 16
  EXPECT_EQ(m->epilogueLatency, 4u);
  EXPECT_EQ(m->vectorLanes, 16u);
  EXPECT_EQ(m->vectorLanesInt16, 8u);
  EXPECT_EQ(m->sramBytes, 65536u);
  EXPECT_EQ(m->sramBytesPerCycle(), 128u);
  EXPECT_DOUBLE_EQ(m->dramBytesPerCycle, 16.0); // 16e9 B/s / 1e9 cycles/s
  EXPECT_EQ(m->dramLatencyCycles, 100u);        // 100 ns x 1 GHz
  EXPECT_EQ(m->burstBytes, 64u);
  EXPECT_DOUBLE_EQ(m->dmaBytesPerCycle, 32.0);
  EXPECT_EQ(m->dmaSetupCycles, 8u);
  EXPECT_EQ(m->dmaEngines, 2u);
  EXPECT_DOUBLE_EQ(m->macInt8Pj, 0.25);
  EXPECT_DOUBLE_EQ(m->sramWritePjPerByte, 3.0);
  EXPECT_DOUBLE_EQ(m->dramPjPerByte, 100.0);
  EXPECT_DOUBLE_EQ(m->staticPowerMw, 1000.0);
  EXPECT_EQ(m->vectorOps.size(), 10u);
}

// The shipped RV1126 profile: DRAM 7.392e9 B/s at 934 MHz = 7.914 B/cycle,
// latency ceil(100 ns x 0.934) = 94 cycles, int16 1024 / 102 slower.
TEST(TargetModel, Rv1126Profile) {
  auto m = loadTargetModel(sourceDir() + "/targets/rv1126.yaml");
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  EXPECT_EQ(m->target, "rv1126");
  EXPECT_NEAR(m->dramBytesPerCycle, 7.392e9 / 934e6, 1e-9);
  EXPECT_EQ(m->dramLatencyCycles, 94u);
  EXPECT_NEAR(m->int16Slowdown, 1024.0 / 102.0, 1e-12);
  EXPECT_EQ(m->sramBytes, 262144u);
  // The host block (targets/rv1126.yaml `host:`) maps field by field.
  EXPECT_EQ(m->hostCpu, "4x Cortex-A7");
  EXPECT_EQ(m->hostCores, 4u);
  EXPECT_DOUBLE_EQ(m->hostGflops, 6.0);
  EXPECT_DOUBLE_EQ(m->hostGbps, 2.0);
  EXPECT_DOUBLE_EQ(m->hostCrossingUs, 50.0);
  EXPECT_DOUBLE_EQ(m->hostPowerW, 0.6);
}

TEST(TargetModel, UnknownTargetIsAnError) {
  auto m = loadTargetModel("no_such_target");
  ASSERT_FALSE(bool(m));
  EXPECT_NE(llvm::toString(m.takeError())
                .find("unknown target "
                      "'no_such_target'"),
            std::string::npos);
}
