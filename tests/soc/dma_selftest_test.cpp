// End to end: the DMA self-test program on the default SoC, CPU -> HAL -> bus -> DMA -> DRAM -> IRQ.
#include <gtest/gtest.h>

#include "platform/soc/simulation.h"
#include "platform/soc/soc.h"
#include "sw/apps/dma_selftest.h"

namespace minconv::platform {
namespace {

TEST(DmaSelftestSoc, PassesAndDramCountsEqualBytesMoved) {
  configure_reports();
  const SocConfig config = SocConfig::load_default();
  sw::DmaSelftestResult result;
  const hal::SocInfo info = config.soc_info();
  sw::DmaSelftestOptions options;
  options.bulk_bytes = 256 * 1024;
  Soc soc("soc", config, [&](hal::Hal& hal) { return sw::dma_selftest(hal, info, options, result); });
  std::string why;
  ASSERT_TRUE(run_in_sequence({&soc}, why)) << why;
  EXPECT_EQ(soc.cpu().exit_code(), 0) << soc.cpu().failure();
  ASSERT_GE(result.cases.size(), 6u);
  for (const auto& c : result.cases) EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;

  // Every byte the DMA wrote was read from and written to DRAM (all cases are DRAM to DRAM); the DMA's
  // own counters and the bus's per-initiator counters for DRAM must agree.
  const nlohmann::json bus = soc.bus().stats_json();
  const nlohmann::json dma_to_dram = bus["routes"]["dma"]["dram"];
  const TrafficStats dma = soc.dma().traffic();
  EXPECT_EQ(dma_to_dram["write_bytes"].get<uint64_t>(), dma.write_bytes);
  EXPECT_EQ(dma_to_dram["read_bytes"].get<uint64_t>(), dma.read_bytes);
  uint64_t moved = 0;
  for (const auto& c : result.cases) moved += c.bytes;
  EXPECT_EQ(dma.write_bytes, moved);
  // Reads: the data moved, plus the descriptors fetched (3 x 40 bytes), plus nothing for the failed job,
  // whose first read burst faulted.
  EXPECT_EQ(dma.read_bytes, moved + 3 * 40);
  // DRAM served exactly what the CPU and the DMA sent it over the bus.
  const TrafficStats dram = soc.dram().traffic();
  const auto route = [&](const char* initiator, const char* field) {
    return bus["routes"][initiator]["dram"][field].get<uint64_t>();
  };
  EXPECT_EQ(dram.write_bytes, route("cpu", "write_bytes") + route("dma", "write_bytes"));
  EXPECT_EQ(dram.read_bytes, route("cpu", "read_bytes") + route("dma", "read_bytes"));
}

}  // namespace
}  // namespace minconv::platform
