// The DMA engine on the real interconnect and DRAM models with their default parameters: what one channel
// and two channels achieve on long copies, against figures worked out by hand from the timing rules in
// docs/platform.md. Each test runs in its own process.
#include <gtest/gtest.h>

#include "platform/memory/memory.h"
#include "platform/router/router.h"
#include "tests/platform/dma/dma_bench.h"

namespace minconv::platform::dma_test {
namespace {

constexpr uint32_t kMiB = 1u << 20;

MemoryParams dram_params() {
  MemoryParams p;  // default timing: 800 MHz, 10 cycles latency, 8 bytes per cycle
  p.size = 4 * kMiB;
  return p;
}

// CSR initiator -> DMA -> bus -> DRAM, and a loader on the bus for debug accesses.
struct Stack {
  Dma dma;
  Router bus;
  Memory dram;
  TestInitiator cpu;
  TestInitiator loader;
  sc_core::sc_vector<sc_core::sc_signal<bool>> irq;
  std::unique_ptr<TestDriver> driver;

  explicit Stack(const DmaParams& params)
      : dma("dma", params),
        bus("bus", RouterParams{}),
        dram("dram", dram_params()),
        cpu("cpu"),
        loader("loader"),
        irq("irq_line", params.channels) {
    cpu.socket.bind(dma.csr_socket);
    dma.bus_socket.bind(bus.target_socket);
    bus.add_initiator("dma");
    loader.socket.bind(bus.target_socket);
    bus.add_initiator("loader");
    bus.initiator_socket.bind(dram.socket);
    bus.add_target({"dram", 0, dram_params().size});
    for (unsigned c = 0; c < params.channels; ++c) dma.irq[c].bind(irq[c]);
  }

  void fill_source(uint32_t bytes) {
    std::vector<uint8_t> data(bytes);
    for (uint32_t i = 0; i < bytes; ++i) data[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
    ASSERT_EQ(loader.debug_write(0, data.data(), bytes), bytes);
  }
  void expect_copied(uint32_t bytes) {
    std::vector<uint8_t> src(bytes), dst(bytes);
    ASSERT_EQ(loader.debug_read(0, src.data(), bytes), bytes);
    ASSERT_EQ(loader.debug_read(2 * kMiB, dst.data(), bytes), bytes);
    EXPECT_TRUE(src == dst);
  }
  void start(unsigned c, uint32_t src, uint32_t dst, uint32_t bytes) {
    r::Transfer t;
    t.src = src;
    t.dst = dst;
    t.row_bytes = bytes;
    const r::DescWords words = r::pack(t);
    for (unsigned i = 0; i < r::kDescWords; ++i) {
      EXPECT_EQ(cpu.write32(csr(c, 4 * i), words[i]), tlm::TLM_OK_RESPONSE);
    }
    EXPECT_EQ(cpu.write32(csr(c, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable), tlm::TLM_OK_RESPONSE);
  }
  // Copies [0, bytes) to [2 MiB, 2 MiB + bytes) split evenly over `channels` channels started together;
  // returns the time until the last channel's interrupt.
  sc_time copy(uint32_t bytes, unsigned channels) {
    sc_time elapsed;
    driver = std::make_unique<TestDriver>("driver", [&] {
      fill_source(bytes);  // the bus binds its sockets at elaboration: debug accesses from the thread
      const sc_time t0 = sc_core::sc_time_stamp();
      const uint32_t part = bytes / channels;
      for (unsigned c = 0; c < channels; ++c) start(c, c * part, 2 * kMiB + c * part, part);
      for (unsigned c = 0; c < channels; ++c) {
        while (!irq[c].read()) sc_core::wait(irq[c].posedge_event());
      }
      elapsed = sc_core::sc_time_stamp() - t0;
      expect_copied(bytes);
    });
    sc_core::sc_start(sc_time(10, sc_core::SC_MS));
    return elapsed;
  }
};

// Peak: 800 MHz x 8 bytes = 6.4 bytes/ns. A copy reads and writes every byte: 2 MiB over the DRAM data bus
// for a 1 MiB copy take 2 MiB / 8 = 262144 beats of 1.25 ns = 327680 ns at the very least.
const sc_time kDramDataTime(327680, SC_NS);

TEST(DmaBandwidthTest, OneBurstInFlightPaysEveryLatency) {
  DmaParams p;
  p.outstanding = 1;
  Stack s(p);
  const sc_time elapsed = s.copy(kMiB, 1);
  // Per 256-byte burst: setup 4 ns; read: bus 2 + 8 cycles (32-byte beats) of 2 ns = 20 ns, DRAM 10 + 32
  // cycles of 1.25 ns = 52.5 ns; write: the same 20 + 52.5 ns. 4 + 2 x 72.5 = 149 ns, 4096 bursts, nothing
  // overlaps.
  EXPECT_EQ(elapsed, sc_time(4096 * 149, SC_NS));
  EXPECT_EQ(s.dram.traffic().busy, kDramDataTime);
  EXPECT_EQ(s.dram.traffic().read_bytes, kMiB);
  EXPECT_EQ(s.dram.traffic().write_bytes, kMiB);
}

TEST(DmaBandwidthTest, OneChannelWithOutstandingBurstsReachesTheDramPeak) {
  const DmaParams p;  // the default window
  ASSERT_GE(p.outstanding, 2u);
  Stack s(p);
  const sc_time elapsed = s.copy(kMiB, 1);
  EXPECT_EQ(s.dram.traffic().busy, kDramDataTime);  // the same beats as serially, now back to back
  EXPECT_EQ(s.dram.traffic().read_bytes, kMiB);
  EXPECT_EQ(s.dram.traffic().write_bytes, kMiB);
  EXPECT_EQ(s.dma.traffic().read_bytes, kMiB);
  EXPECT_EQ(s.dma.traffic().write_bytes, kMiB);
  // At least 85% of the peak, and never more than the peak.
  EXPECT_GE(elapsed, kDramDataTime);
  EXPECT_LE(elapsed.to_seconds(), kDramDataTime.to_seconds() / 0.85)
      << "DRAM bandwidth " << 100 * kDramDataTime.to_seconds() / elapsed.to_seconds() << "% of the peak";
}

TEST(DmaBandwidthTest, TwoChannelsNeverExceedTheDramPeak) {
  const DmaParams p;  // two channels
  ASSERT_GE(p.channels, 2u);
  Stack s(p);
  const sc_time elapsed = s.copy(kMiB, 2);
  // The DRAM data bus serves one stream at a time: the two channels share the same 327680 ns of beats.
  EXPECT_EQ(s.dram.traffic().busy, kDramDataTime);
  EXPECT_GE(elapsed, kDramDataTime);
  EXPECT_LE(elapsed.to_seconds(), kDramDataTime.to_seconds() / 0.85);
  EXPECT_GT(s.dram.wait_time(), sc_core::SC_ZERO_TIME);  // they did contend
  // The bus carried every byte twice (read and write) in 32-byte beats of 2 ns, one transaction at a time.
  EXPECT_EQ(s.bus.traffic().busy, sc_time(2.0 * kMiB / 32 * 2, SC_NS));
  EXPECT_LE(s.bus.traffic().busy, elapsed);
}

}  // namespace
}  // namespace minconv::platform::dma_test
