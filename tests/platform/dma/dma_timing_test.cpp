// Tests of the DMA engine's timing: the serial schedule (one burst in flight), outstanding bursts, and
// concurrent channels.
#include <gtest/gtest.h>

#include "tests/platform/dma/dma_bench.h"

namespace minconv::platform::dma_test {
namespace {

// One job on channel 0, started by an initiator that runs 30 ns ahead of simulated time (quantum keeper
// style); records when the job started (the writer's local time) and when software saw it done.
struct TimedJob {
  sc_time start;
  sc_time end;
  std::vector<TestMemory::Access> log;
  sc_time busy;
  std::vector<uint8_t> image;
  std::vector<uint8_t> expected;
};

TimedJob run_timed(const DmaParams& params, const Job& j) {
  Bench b(params);
  TimedJob t;
  t.expected = b.mem.data;
  apply(t.expected, b.mem.data, j);
  b.run([&] {
    b.program(0, j);
    sc_core::wait(sc_time(100, SC_NS));
    uint32_t start = r::kCtrlStart | r::kCtrlIrqEnable;
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_address(csr(0, r::kCtrl));
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&start));
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay(30, SC_NS);
    b.cpu.socket->b_transport(p, delay);
    EXPECT_EQ(p.get_response_status(), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(delay, sc_time(32, SC_NS));  // one DMA cycle of CSR latency
    t.start = sc_core::sc_time_stamp() + sc_time(30, SC_NS);
    sc_core::wait(b.irq[0].posedge_event());
    t.end = sc_core::sc_time_stamp();
  });
  t.log = b.mem.log;
  t.busy = b.dma.traffic().busy;
  t.image = b.mem.data;
  return t;
}

// (command, time after the job's start in ns) of each access in the log.
std::vector<std::pair<char, double>> schedule(const TimedJob& t) {
  // Whole picoseconds (the time resolution) to ns: exact for these integer figures.
  std::vector<std::pair<char, double>> out;
  for (const auto& a : t.log) {
    out.emplace_back(a.cmd == tlm::TLM_READ_COMMAND ? 'R' : 'W',
                     static_cast<double>((a.time - t.start).value()) / 1000.0);
  }
  return out;
}

// The test memory answers every access after 10 ns and never contends; the DMA runs at 500 MHz (2 ns
// cycle) with 2 setup cycles = 4 ns per read issue. Schedules below are worked out by hand from the rules
// in platform/dma/burst_window.h.

TEST(DmaTimingTest, OneBurstInFlightIsTheSerialSchedule) {
  DmaParams p;
  p.outstanding = 1;
  Job j;
  j.row_bytes = 512;  // two 256-byte bursts
  const TimedJob t = run_timed(p, j);
  // setup, read, write; setup, read, write. The job starts at the writer's local time when the write
  // arrives (the CSR latency is the response's).
  const std::vector<std::pair<char, double>> expected{{'R', 4}, {'W', 14}, {'R', 28}, {'W', 38}};
  EXPECT_EQ(schedule(t), expected);
  EXPECT_EQ(t.end, t.start + sc_time(2 * (4 + 20), SC_NS));
  EXPECT_EQ(t.busy, sc_time(2 * (4 + 20), SC_NS));
  expect_image(t.image, t.expected);
}

TEST(DmaTimingTest, OutstandingBurstsOverlap) {
  DmaParams p;
  p.outstanding = 4;
  Job j;
  j.row_bytes = 512;
  const TimedJob t = run_timed(p, j);
  // R0 at 4 (data at 14), R1 at 8 (data at 18); each write as soon as its data is in: W0 at 14 (done
  // 24), W1 at 18 (done 28).
  const std::vector<std::pair<char, double>> expected{{'R', 4}, {'R', 8}, {'W', 14}, {'W', 18}};
  EXPECT_EQ(schedule(t), expected);
  EXPECT_EQ(t.end, t.start + sc_time(28, SC_NS));  // serial: 48
  EXPECT_EQ(t.busy, sc_time(28, SC_NS));
  expect_image(t.image, t.expected);
}

TEST(DmaTimingTest, WindowLimitsBurstsInFlight) {
  DmaParams p;
  p.outstanding = 2;
  Job j;
  j.row_bytes = 1024;  // four bursts
  const TimedJob t = run_timed(p, j);
  // R0 4 (data 14), R1 8 (data 18): window full. W0 14 (done 24) frees slot 0: R2 may issue at 24 + 4.
  // W1 18 (done 28) frees slot 1. R2 28 (data 38), R3 max(28, 28) + 4 = 32 (data 42), W2 38 (done 48),
  // W3 42 (done 52).
  const std::vector<std::pair<char, double>> expected{{'R', 4},  {'R', 8},  {'W', 14}, {'W', 18},
                                                      {'R', 28}, {'R', 32}, {'W', 38}, {'W', 42}};
  EXPECT_EQ(schedule(t), expected);
  EXPECT_EQ(t.end, t.start + sc_time(52, SC_NS));  // serial: 4 x 24 = 96
  expect_image(t.image, t.expected);
}

// 36 bursts of at most 4 bytes (3 per row: 4, 4, 2): the data must land exactly as a serial copy puts it.
Job small_bursts_job() {
  Job j;
  j.row_bytes = 10;
  j.rows = 4;
  j.planes = 3;
  j.src_row_stride = 13;
  j.src_plane_stride = 100;
  j.dst_row_stride = 16;
  j.dst_plane_stride = 80;
  return j;
}

TEST(DmaTimingTest, WindowDeeperThanTheTransfer) {
  DmaParams p;
  p.burst_bytes = 4;
  p.outstanding = kMaxOutstanding;  // more slots than bursts: no read ever waits for a slot
  run_single_copy(small_bursts_job(), p);
}

TEST(DmaTimingTest, SmallWindowReusesItsBuffers) {
  DmaParams p;
  p.burst_bytes = 4;
  p.outstanding = 3;  // buffers reused round robin, 12 times each
  run_single_copy(small_bursts_job(), p);
}

TEST(DmaTimingTest, TwoChannelsRunConcurrently) {
  DmaParams p;
  p.outstanding = 1;  // the serial figures below
  Bench b(p);
  const std::vector<uint8_t> initial = b.mem.data;
  Job a, c;
  a.row_bytes = 2048;
  c.src = kSrcBase + 0x1000;
  c.dst = kDstBase + 0x1000;
  c.row_bytes = 64;
  c.rows = 32;
  c.src_row_stride = 70;
  c.dst_row_stride = 64;
  bool both_busy = false;
  sc_time done_a, done_c;
  b.run([&] {
    b.program(0, a);
    b.program(1, c);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    b.wr(csr(1, r::kCtrl), r::kCtrlStart | r::kCtrlIrqEnable);
    sc_core::wait(sc_time(50, SC_NS));
    both_busy = (b.rd(csr(0, r::kStatus)) & r::kStatusBusy) && (b.rd(csr(1, r::kStatus)) & r::kStatusBusy);
    while (done_a == sc_core::SC_ZERO_TIME || done_c == sc_core::SC_ZERO_TIME) {
      sc_core::wait(b.irq[0].value_changed_event() | b.irq[1].value_changed_event());
      if (b.irq[0].read() && done_a == sc_core::SC_ZERO_TIME) done_a = sc_core::sc_time_stamp();
      if (b.irq[1].read() && done_c == sc_core::SC_ZERO_TIME) done_c = sc_core::sc_time_stamp();
    }
  });
  EXPECT_TRUE(both_busy);
  // Each job alone: 8 bursts of (4 ns setup + 2 x 10 ns) = 192 ns for a, 32 x 24 = 768 ns for c. Run
  // concurrently, a finishes long before c would have started had they been serialised.
  EXPECT_LT(done_a, sc_time(300, SC_NS));
  EXPECT_LT(done_c, sc_time(900, SC_NS));
  std::vector<uint8_t> expected = initial;
  apply(expected, initial, a);
  apply(expected, initial, c);
  expect_image(b.mem.data, expected);
  // Busy time counts the union of the channels' activity, not the sum.
  EXPECT_LT(b.dma.traffic().busy, sc_time(800, SC_NS));
  EXPECT_GE(b.dma.traffic().busy, sc_time(768, SC_NS));
}

}  // namespace
}  // namespace minconv::platform::dma_test
