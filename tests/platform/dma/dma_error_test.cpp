// Tests of the DMA engine's error handling: bus errors on reads, writes and descriptor fetches, bad
// configurations, start while busy.
#include <gtest/gtest.h>

#include "tests/platform/dma/dma_bench.h"

namespace minconv::platform::dma_test {
namespace {

TEST(DmaTest, MisalignedDescriptorIsBadConfig) {
  Bench b;
  Job d1;
  d1.row_bytes = 16;
  d1.next = kDescBase + 0x42;  // the second descriptor is misaligned
  b.put_descriptor(kDescBase, d1);
  uint32_t status = 0, error_addr = 0, bytes_done = 0;
  b.run([&] {
    b.wr(csr(0, r::kNext), kDescBase);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlDescMode);
    status = b.wait_idle(0);
    error_addr = b.rd(csr(0, r::kErrorAddr));
    bytes_done = b.rd(csr(0, r::kBytesDone));
  });
  EXPECT_EQ(status & (r::kStatusError | r::kStatusDone), r::kStatusError);
  EXPECT_EQ(err_code(status), r::kErrBadConfig);
  EXPECT_EQ(error_addr, kDescBase + 0x42);
  EXPECT_EQ(bytes_done, 16u);  // the first descriptor ran
}

TEST(DmaTest, DescriptorFetchBusError) {
  Bench b;
  b.mem.read_errors.push_back({kDescBase + 0x100, kDescBase + 0x200});
  uint32_t status = 0, error_addr = 0;
  b.run([&] {
    b.wr(csr(1, r::kNext), kDescBase + 0x100);
    b.wr(csr(1, r::kCtrl), r::kCtrlStart | r::kCtrlDescMode | r::kCtrlIrqEnable);
    sc_core::wait(b.irq[1].posedge_event());
    status = b.rd(csr(1, r::kStatus));
    error_addr = b.rd(csr(1, r::kErrorAddr));
  });
  EXPECT_EQ(status, r::kStatusError | (r::kErrDescBus << r::kStatusErrCodeShift));
  EXPECT_EQ(error_addr, kDescBase + 0x100);
  EXPECT_TRUE(b.irq[1].read());
  EXPECT_FALSE(b.irq[0].read());
  EXPECT_EQ(b.dma.traffic().write_bytes, 0u);
}

TEST(DmaTest, ReadBusErrorStopsJobAndSimulationContinues) {
  Bench b;
  const std::vector<uint8_t> initial = b.mem.data;
  Job j;
  j.row_bytes = 32;
  j.rows = 4;
  j.src_row_stride = 64;
  j.dst_row_stride = 32;
  b.mem.read_errors.push_back({kSrcBase + 2 * 64 + 10, kSrcBase + 2 * 64 + 11});  // inside row 2
  uint32_t status = 0, error_addr = 0, bytes_done = 0, status_after_clear = 0, status_second = 0;
  bool irq_high = false, irq_after_clear = true;
  b.run([&] {
    b.program(0, j);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    sc_core::wait(b.irq[0].posedge_event());
    irq_high = b.irq[0].read();
    status = b.rd(csr(0, r::kStatus));
    error_addr = b.rd(csr(0, r::kErrorAddr));
    bytes_done = b.rd(csr(0, r::kBytesDone));
    b.wr(csr(0, r::kStatus), r::kStatusError);
    status_after_clear = b.rd(csr(0, r::kStatus));
    sc_core::wait(sc_time(1, SC_NS));
    irq_after_clear = b.irq[0].read();
    // The channel is usable again.
    Job ok;
    ok.src = kSrcBase + 0x800;
    ok.dst = kDstBase + 0x800;
    ok.row_bytes = 16;
    b.program(0, ok);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart);
    status_second = b.wait_idle(0);
  });
  EXPECT_TRUE(irq_high);
  EXPECT_EQ(status, r::kStatusError | (r::kErrReadBus << r::kStatusErrCodeShift));
  EXPECT_EQ(error_addr, kSrcBase + 2 * 64);  // the failing burst's address
  EXPECT_EQ(bytes_done, 2 * 32u);
  EXPECT_EQ(status_after_clear, 0u);
  EXPECT_FALSE(irq_after_clear);
  EXPECT_EQ(status_second, r::kStatusDone);
  for (uint32_t i = 2 * 32; i < 4 * 32; ++i) {
    EXPECT_EQ(b.mem.data[kDstBase + i], kSentinel) << i;  // rows 2 and 3 not written
  }
  EXPECT_EQ(b.mem.data[kDstBase + 0x800 + 15], initial[kSrcBase + 0x800 + 15]);
}

TEST(DmaTest, WriteBusErrorWithOneBurstInFlight) {
  DmaParams p;
  p.burst_bytes = 16;
  p.outstanding = 1;
  Bench b(p);
  Job j;
  j.row_bytes = 64;
  b.mem.write_errors.push_back({kDstBase + 40, kDstBase + 41});
  uint32_t status = 0, error_addr = 0, bytes_done = 0;
  b.run([&] {
    b.program(0, j);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    sc_core::wait(b.irq[0].posedge_event());
    status = b.rd(csr(0, r::kStatus));
    error_addr = b.rd(csr(0, r::kErrorAddr));
    bytes_done = b.rd(csr(0, r::kBytesDone));
  });
  EXPECT_TRUE(b.irq[0].read());
  EXPECT_EQ(status, r::kStatusError | (r::kErrWriteBus << r::kStatusErrCodeShift));
  EXPECT_EQ(error_addr, kDstBase + 32);
  EXPECT_EQ(bytes_done, 32u);
  EXPECT_EQ(b.dma.traffic().write_bytes, 32u);
  EXPECT_EQ(b.dma.traffic().read_bytes, 48u);  // the third burst was read, its write failed
  EXPECT_EQ(b.dma.stats_json()["channels"][0]["errors"], 1);
}

TEST(DmaTest, WriteBusErrorWithBurstsInFlight) {
  DmaParams p;
  p.burst_bytes = 16;
  p.outstanding = 4;
  Bench b(p);
  Job j;
  j.row_bytes = 64;  // four bursts; the third one's write fails
  b.mem.write_errors.push_back({kDstBase + 40, kDstBase + 41});
  uint32_t status = 0, error_addr = 0, bytes_done = 0;
  sc_time t0, t_irq;
  b.run([&] {
    b.program(0, j);
    t0 = sc_core::sc_time_stamp();
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    sc_core::wait(b.irq[0].posedge_event());
    t_irq = sc_core::sc_time_stamp();
    status = b.rd(csr(0, r::kStatus));
    error_addr = b.rd(csr(0, r::kErrorAddr));
    bytes_done = b.rd(csr(0, r::kBytesDone));
  });
  EXPECT_EQ(status, r::kStatusError | (r::kErrWriteBus << r::kStatusErrCodeShift));
  EXPECT_EQ(error_addr, kDstBase + 32);
  EXPECT_EQ(bytes_done, 32u);
  // Reads at 4, 8, 12, 16 (all four bursts were read ahead), writes at 14, 18, 22 (fails, done at 32).
  EXPECT_EQ(b.dma.traffic().read_bytes, 64u);
  EXPECT_EQ(b.dma.traffic().write_bytes, 32u);
  EXPECT_EQ(t_irq - t0, sc_time(32, SC_NS));
  // The fourth burst was read but is never written.
  for (uint32_t i = 32; i < 64; ++i) EXPECT_EQ(b.mem.data[kDstBase + i], kSentinel) << i;
  EXPECT_EQ(b.mem.count(tlm::TLM_WRITE_COMMAND), 3u);
}

TEST(DmaTest, ReadBusErrorWithBurstsInFlightWritesOnlyEarlierBursts) {
  DmaParams p;
  p.burst_bytes = 16;
  p.outstanding = 4;
  Bench b(p);
  const std::vector<uint8_t> initial = b.mem.data;
  Job j;
  j.row_bytes = 128;  // eight bursts; the sixth one's read fails
  b.mem.read_errors.push_back({kSrcBase + 5 * 16 + 3, kSrcBase + 5 * 16 + 4});
  uint32_t status = 0, error_addr = 0, bytes_done = 0;
  sc_time t0, t_irq;
  b.run([&] {
    b.program(0, j);
    t0 = sc_core::sc_time_stamp();
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    sc_core::wait(b.irq[0].posedge_event());
    t_irq = sc_core::sc_time_stamp();
    status = b.rd(csr(0, r::kStatus));
    error_addr = b.rd(csr(0, r::kErrorAddr));
    bytes_done = b.rd(csr(0, r::kBytesDone));
  });
  EXPECT_EQ(status, r::kStatusError | (r::kErrReadBus << r::kStatusErrCodeShift));
  EXPECT_EQ(error_addr, kSrcBase + 5 * 16);
  // R0..R3 at 4, 8, 12, 16; W0..W3 at 14, 18, 22, 26 (done 24, 28, 32, 36); R4 waits for slot 0: 24 + 4 =
  // 28 (data 38); R5 at 32 fails; W4 at 38 (done 48). Bursts 0..4 are written, 5..7 are not.
  EXPECT_EQ(bytes_done, 5 * 16u);
  EXPECT_EQ(b.dma.traffic().read_bytes, 5 * 16u);
  EXPECT_EQ(b.dma.traffic().write_bytes, 5 * 16u);
  EXPECT_EQ(t_irq - t0, sc_time(48, SC_NS));
  for (uint32_t i = 0; i < 128; ++i) {
    const uint8_t want = i < 5 * 16 ? initial[kSrcBase + i] : kSentinel;
    EXPECT_EQ(b.mem.data[kDstBase + i], want) << i;
  }
  EXPECT_EQ(b.mem.count(tlm::TLM_READ_COMMAND), 6u);  // no read after the failed one
}

TEST(DmaTest, StartWhileBusyFlagsErrorAndJobContinues) {
  Bench b;
  const std::vector<uint8_t> initial = b.mem.data;
  Job j;
  j.row_bytes = 1024;
  uint32_t status_during = 0, status_end = 0, bytes_done = 0;
  bool irq_during = false;
  b.run([&] {
    b.program(0, j);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    sc_core::wait(sc_time(20, SC_NS));
    b.wr(csr(0, r::kDst), kDstBase + 0x2000);  // affects only the next job
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    status_during = b.rd(csr(0, r::kStatus));
    sc_core::wait(sc_time(1, SC_NS));
    irq_during = b.irq[0].read();
    status_end = b.wait_idle(0);
    bytes_done = b.rd(csr(0, r::kBytesDone));
  });
  EXPECT_EQ(status_during, r::kStatusBusy | r::kStatusError | (r::kErrStartBusy << r::kStatusErrCodeShift));
  EXPECT_TRUE(irq_during);
  EXPECT_EQ(status_end, r::kStatusDone | r::kStatusError | (r::kErrStartBusy << r::kStatusErrCodeShift));
  EXPECT_EQ(bytes_done, 1024u);
  std::vector<uint8_t> expected = initial;
  apply(expected, initial, j);
  expect_image(b.mem.data, expected);  // nothing written at the new destination
}

TEST(DmaTest, ZeroSizeJobIsBadConfig) {
  Bench b;
  uint32_t status[3] = {};
  b.run([&] {
    for (unsigned which = 0; which < 3; ++which) {
      Job j;
      j.row_bytes = which == 0 ? 0 : 8;
      j.rows = which == 1 ? 0 : 2;
      j.planes = which == 2 ? 0 : 2;
      b.program(0, j);
      b.wr(csr(0, r::kCtrl), r::kCtrlStart);
      status[which] = b.wait_idle(0);
      b.wr(csr(0, r::kStatus), r::kStatusError | r::kStatusDone);
    }
  });
  for (unsigned which = 0; which < 3; ++which) {
    EXPECT_EQ(status[which], r::kStatusError | (r::kErrBadConfig << r::kStatusErrCodeShift)) << which;
  }
  EXPECT_TRUE(b.mem.log.empty());
}

}  // namespace
}  // namespace minconv::platform::dma_test
