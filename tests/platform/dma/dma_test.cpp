// Tests of the DMA engine: copies, descriptors, registers and parameters. Each test runs in its own
// process (SystemC elaborates once per process).
#include <gtest/gtest.h>

#include "tests/common/register_rules.h"
#include "tests/platform/dma/dma_bench.h"

namespace minconv::platform::dma_test {
namespace {

TEST(DmaTest, IdentificationRegisters) {
  DmaParams p;
  p.channels = 3;
  p.burst_bytes = 128;
  Bench b(p);
  EXPECT_EQ(b.rd(r::kId), r::kIdValue);
  EXPECT_EQ(b.rd(r::kChannels), 3u);
  EXPECT_EQ(b.rd(r::kBurst), 128u);
  EXPECT_EQ(b.dma.csr_size(), csr(3, 0));
  EXPECT_EQ(Dma::csr_size(3), 0x100u + 3 * 0x40u);
}

// Every register of the global bank and of each channel bank against sw/hal/regs/dma_regs.h: reset value,
// access rules, holes (including the banks of channels that do not exist).
TEST(DmaTest, EveryRegisterFollowsTheMap) {
  DmaParams p;
  p.channels = 3;
  p.burst_bytes = 64;
  Bench b(p);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  testing::BankUnderTest global{
      0, r::kGlobalRegisters, r::kChannelBase, {{r::kChannels, 3}, {r::kBurst, 64}}, nullptr};
  testing::expect_register_map(b.cpu, global);
  for (unsigned c = 0; c < p.channels; ++c) {
    testing::BankUnderTest channel{csr(c, 0), r::kChannelRegisters, r::kChannelStride, {}, nullptr};
    testing::expect_register_map(b.cpu, channel);
  }
  uint32_t v = 0;
  EXPECT_EQ(b.cpu.read32(csr(p.channels, r::kSrc), v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no such channel
  sc_core::sc_start();
  EXPECT_EQ(b.dma.stats_json().at("channels").at(0).at("jobs"), 0u);  // no access started a job
}

TEST(DmaTest, Copy1D) {
  Job j;
  j.row_bytes = 1000;
  run_single_copy(j);
}

TEST(DmaTest, Copy2DWithGaps) {
  Job j;
  j.row_bytes = 24;
  j.rows = 5;
  j.src_row_stride = 40;
  j.dst_row_stride = 32;  // 8-byte gaps between destination rows stay untouched
  run_single_copy(j);
}

TEST(DmaTest, Copy3DWithGaps) {
  Job j;
  j.row_bytes = 10;
  j.rows = 4;
  j.planes = 3;
  j.src_row_stride = 13;
  j.src_plane_stride = 100;
  j.dst_row_stride = 16;
  j.dst_plane_stride = 80;  // 6-byte row gaps and a 16-byte plane gap
  DmaParams p;
  p.burst_bytes = 4;  // several bursts per row, the last one partial
  run_single_copy(j, p);
}

TEST(DmaTest, BurstsSplitAndNeverCrossRows) {
  DmaParams p;
  p.burst_bytes = 64;
  Bench b(p);
  Job j;
  j.row_bytes = 150;
  j.rows = 2;
  j.src_row_stride = 150;  // contiguous rows: a row-crossing burst would be possible, must not happen
  j.dst_row_stride = 150;
  b.run([&] {
    b.program(0, j);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart);
    b.wait_idle(0);
  });
  std::vector<unsigned> read_lengths, write_lengths;
  for (const auto& a : b.mem.log) {
    (a.cmd == tlm::TLM_READ_COMMAND ? read_lengths : write_lengths).push_back(a.length);
    const uint64_t base = a.cmd == tlm::TLM_READ_COMMAND ? j.src : j.dst;
    const uint64_t row = (a.address - base) / j.row_bytes;
    EXPECT_EQ((a.address + a.length - 1 - base) / j.row_bytes, row) << "burst at 0x" << std::hex << a.address;
  }
  const std::vector<unsigned> expected{64, 64, 22, 64, 64, 22};
  EXPECT_EQ(read_lengths, expected);
  EXPECT_EQ(write_lengths, expected);
  EXPECT_EQ(b.dma.traffic().reads, 6u);
  EXPECT_EQ(b.dma.traffic().writes, 6u);
}

TEST(DmaTest, DescriptorChainOfThree) {
  Bench b;
  const std::vector<uint8_t> initial = b.mem.data;
  Job d1, d2, d3;
  d1.src = kSrcBase;
  d1.dst = kDstBase;
  d1.row_bytes = 300;  // 1-D, two bursts
  d1.next = kDescBase + 0x40;
  d2.src = kSrcBase + 0x400;
  d2.dst = kDstBase + 0x400;
  d2.row_bytes = 8;
  d2.rows = 6;
  d2.src_row_stride = 20;
  d2.dst_row_stride = 12;
  d2.next = kDescBase + 0x80;
  d3.src = kSrcBase + 0x800;
  d3.dst = kDstBase + 0x800;
  d3.row_bytes = 5;
  d3.rows = 3;
  d3.planes = 2;
  d3.src_row_stride = 9;
  d3.src_plane_stride = 50;
  d3.dst_row_stride = 8;
  d3.dst_plane_stride = 32;
  d3.next = 0;
  b.put_descriptor(kDescBase, d1);
  b.put_descriptor(kDescBase + 0x40, d2);
  b.put_descriptor(kDescBase + 0x80, d3);
  const std::vector<uint8_t> with_descriptors = b.mem.data;
  uint32_t status = 0, bytes_done = 0;
  bool irq_after = true;
  b.run([&] {
    b.wr(csr(0, r::kNext), kDescBase);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlDescMode | r::kCtrlIrqEnable);
    EXPECT_FALSE(b.irq[0].read());
    sc_core::wait(b.irq[0].posedge_event());
    status = b.rd(csr(0, r::kStatus));
    bytes_done = b.rd(csr(0, r::kBytesDone));
    b.wr(csr(0, r::kStatus), r::kStatusDone);
    sc_core::wait(sc_time(1, SC_NS));
    irq_after = b.irq[0].read();
  });
  EXPECT_EQ(status, r::kStatusDone);
  EXPECT_EQ(bytes_done, d1.bytes() + d2.bytes() + d3.bytes());
  EXPECT_FALSE(irq_after);
  std::vector<uint8_t> expected = with_descriptors;
  apply(expected, initial, d1);
  apply(expected, initial, d2);
  apply(expected, initial, d3);
  expect_image(b.mem.data, expected);
  EXPECT_EQ(b.dma.traffic().read_bytes, bytes_done + 3 * r::kDescWords * 4);
  EXPECT_EQ(b.dma.traffic().write_bytes, bytes_done);
  const nlohmann::json s = b.dma.stats_json();
  EXPECT_EQ(s["channels"][0]["descriptors"], 3);
  EXPECT_EQ(s["channels"][0]["jobs"], 1);
  EXPECT_EQ(s["channels"][0]["bytes"], bytes_done);
  EXPECT_EQ(s["channels"][1]["jobs"], 0);
  EXPECT_EQ(s["config"]["burst_bytes"], 256);
  // The channel's registers are software's: descriptor fetches do not overwrite them.
  EXPECT_EQ(b.rd(csr(0, r::kNext)), kDescBase);
  EXPECT_EQ(b.rd(csr(0, r::kRowBytes)), 0u);
}

TEST(DmaTest, StatusIsW1CAndIrqLineFollowsIt) {
  Bench b;
  Job j;
  j.row_bytes = 8;
  std::vector<bool> line;
  std::vector<uint32_t> status;
  b.run([&] {
    auto sample = [&] {
      sc_core::wait(sc_time(1, SC_NS));
      line.push_back(b.irq[0].read());
      status.push_back(b.rd(csr(0, r::kStatus)));
    };
    b.program(0, j);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart);  // interrupt disabled
    b.wait_idle(0);
    sample();                                            // 0: done, line low (disabled)
    b.wr(csr(0, r::kCtrl), r::kCtrlIrqEnable);           // no start: only enables
    sample();                                            // 1: line high
    b.wr(csr(0, r::kStatus), r::kStatusBusy | 0xFF00u);  // not W1C bits: no effect
    sample();                                            // 2: still high
    b.wr(csr(0, r::kCtrl), 0);
    sample();  // 3: masked: low, done still set
    b.wr(csr(0, r::kCtrl), r::kCtrlIrqEnable);
    sample();  // 4: high again
    b.wr(csr(0, r::kStatus), r::kStatusDone);
    sample();  // 5: cleared: low
  });
  const std::vector<bool> expected_line{false, true, true, false, true, false};
  EXPECT_EQ(line, expected_line);
  ASSERT_EQ(status.size(), 6u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(status[i], r::kStatusDone) << i;
  }
  EXPECT_EQ(status[5], 0u);
}

TEST(DmaTest, CsrMisuseGetsErrorResponses) {
  DmaParams p;
  p.channels = 2;
  Bench b(p);
  uint32_t v = 0;
  EXPECT_EQ(b.cpu.read32(r::kId + 2, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);       // misaligned
  EXPECT_EQ(b.cpu.read32(0x00C, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);            // hole
  EXPECT_EQ(b.cpu.read32(csr(0, 0x38), v), tlm::TLM_ADDRESS_ERROR_RESPONSE);     // hole in a bank
  EXPECT_EQ(b.cpu.read32(csr(2, r::kSrc), v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no channel 2
  EXPECT_EQ(b.cpu.write32(csr(2, r::kSrc), 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  uint16_t half = 0;
  EXPECT_EQ(b.cpu.read(r::kId, &half, 2), tlm::TLM_BURST_ERROR_RESPONSE);
  uint64_t wide = 0;
  EXPECT_EQ(b.cpu.read(csr(0, r::kSrc), &wide, 8), tlm::TLM_BURST_ERROR_RESPONSE);
  const uint32_t one = 1;
  EXPECT_EQ(b.cpu.write_masked(csr(0, r::kSrc), &one, 4, {0xFF, 0x00, 0xFF, 0xFF}),
            tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write_masked(csr(0, r::kSrc), &one, 4, {0xFF}), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu.write32(r::kId, 0), tlm::TLM_COMMAND_ERROR_RESPONSE);  // read-only
  EXPECT_EQ(b.cpu.write32(r::kBurst, 0), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(csr(1, r::kBytesDone), 0), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(csr(1, r::kErrorAddr), 0), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.cpu.write32(0x00C, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Registers hold their values; the latency is one DMA cycle (500 MHz).
  EXPECT_EQ(b.cpu.write32(csr(1, r::kDstPlaneStride), 0x1234), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu.last_delay(), sc_time(2, SC_NS));
  EXPECT_EQ(b.cpu.read32(csr(1, r::kDstPlaneStride), v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x1234u);
  EXPECT_EQ(b.cpu.read32(csr(0, r::kSrc), v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 1u);
  // Debug transport: reads (several words at once), no writes.
  uint32_t words[3] = {};
  EXPECT_EQ(b.cpu.debug_read(r::kId, words, 12), 12u);
  EXPECT_EQ(words[0], r::kIdValue);
  EXPECT_EQ(words[1], 2u);
  EXPECT_EQ(words[2], 256u);
  EXPECT_EQ(b.cpu.debug_read(r::kId, words, 16), 12u);  // stops at the hole
  EXPECT_EQ(b.cpu.debug_write(csr(0, r::kSrc), &one, 4), 0u);
}

TEST(DmaTest, ParamsFromYaml) {
  const auto m = config::YamlMap::load_string(
      "channels: 4\nburst_bytes: 64\nclock_mhz: 250\nsetup_cycles: 0\noutstanding: 16\n", "dma.yaml");
  const DmaParams p = DmaParams::from_yaml(m);
  EXPECT_EQ(p.channels, 4u);
  EXPECT_EQ(p.burst_bytes, 64u);
  EXPECT_DOUBLE_EQ(p.clock_mhz, 250.0);
  EXPECT_EQ(p.setup_cycles, 0u);
  EXPECT_EQ(p.outstanding, 16u);
  EXPECT_NO_THROW(m.finish());
  EXPECT_EQ(p.to_json()["burst_bytes"], 64);
  EXPECT_EQ(p.to_json()["outstanding"], 16);

  const DmaParams d = DmaParams::from_yaml(config::YamlMap::load_string("{}", "empty.yaml"));
  EXPECT_EQ(d.channels, 2u);
  EXPECT_EQ(d.burst_bytes, 256u);
  EXPECT_EQ(d.outstanding, 4u);

  auto error_of = [](const std::string& text) -> std::string {
    try {
      DmaParams::from_yaml(config::YamlMap::load_string(text, "bad.yaml"));
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "<no error>";
  };
  EXPECT_NE(error_of("burst_bytes: 96\n").find("bad.yaml:1:14: error: key 'burst_bytes'"), std::string::npos)
      << error_of("burst_bytes: 96\n");
  EXPECT_NE(error_of("channels: 9\n").find("key 'channels'"), std::string::npos);
  EXPECT_NE(error_of("burst_bytes: 2\n").find("key 'burst_bytes'"), std::string::npos);
  EXPECT_NE(error_of("clock_mhz: 0\n").find("key 'clock_mhz'"), std::string::npos);
  EXPECT_NE(error_of("channels: 2\noutstanding: 0\n").find("bad.yaml:2:14: error: key 'outstanding'"),
            std::string::npos)
      << error_of("channels: 2\noutstanding: 0\n");
  EXPECT_NE(error_of("outstanding: 65\n").find("key 'outstanding'"), std::string::npos);
  EXPECT_NE(error_of("outstanding: two\n").find("key 'outstanding'"), std::string::npos);
}

TEST(DmaTest, InvalidParamsAreRejectedAtConstruction) {
  DmaParams p;
  p.burst_bytes = 100;
  EXPECT_FALSE(p.validate().empty());
  EXPECT_THROW(Dma("bad_dma", p), sc_core::sc_report);
  DmaParams q;
  q.outstanding = 0;
  EXPECT_NE(q.validate().find("outstanding"), std::string::npos);
  q.outstanding = kMaxOutstanding + 1;
  EXPECT_NE(q.validate().find("outstanding"), std::string::npos);
  q.outstanding = kMaxOutstanding;
  EXPECT_EQ(q.validate(), "");
}

}  // namespace
}  // namespace minconv::platform::dma_test
