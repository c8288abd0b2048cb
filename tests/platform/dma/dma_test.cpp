#include "platform/dma/dma.h"

#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include "platform/dma/dma_regs.h"
#include "tests/common/test_initiator.h"
#include "tests/platform/dma/test_memory.h"

namespace minconv::platform {
namespace {

namespace r = regs::dma;
using minconv::testing::TestDriver;
using minconv::testing::TestInitiator;
using minconv::testing::TestMemory;
using sc_core::SC_NS;
using sc_core::sc_time;

constexpr uint32_t kSrcBase = 0x1000;
constexpr uint32_t kDstBase = 0x8000;
constexpr uint32_t kDescBase = 0x4000;
constexpr uint8_t kSentinel = 0xEE;

uint32_t csr(unsigned c, uint32_t reg) { return r::kChannelBase + c * r::kChannelStride + reg; }
uint32_t err_code(uint32_t status) { return (status & r::kStatusErrCodeMask) >> r::kStatusErrCodeShift; }

// One transfer as software describes it (register or descriptor layout).
struct Job {
  uint32_t src = kSrcBase, dst = kDstBase, row_bytes = 0, rows = 1, planes = 1;
  uint32_t src_row_stride = 0, dst_row_stride = 0, src_plane_stride = 0, dst_plane_stride = 0, next = 0;
  uint32_t bytes() const { return row_bytes * rows * planes; }
};

// DMA + test memory + test initiator on the CSRs + one signal per irq line.
struct Bench {
  Dma dma;
  TestMemory mem;
  TestInitiator cpu;
  sc_core::sc_vector<sc_core::sc_signal<bool>> irq;
  std::unique_ptr<TestDriver> driver;

  explicit Bench(const DmaParams& params = DmaParams{}, sc_time mem_latency = sc_time(10, SC_NS))
      : dma("dma", params), mem("mem", 1 << 16, mem_latency), cpu("cpu"), irq("irq_line", params.channels) {
    cpu.socket.bind(dma.csr_socket);
    dma.bus_socket.bind(mem.socket);
    for (unsigned c = 0; c < params.channels; ++c) {
      dma.irq[c].bind(irq[c]);
    }
    // Sources below kDescBase hold a pattern; everything from kDescBase up (descriptors, destinations)
    // holds a sentinel, so any stray write shows.
    for (size_t i = 0; i < mem.data.size(); ++i) {
      mem.data[i] = i < kDescBase ? static_cast<uint8_t>((i * 7 + 3) % 251) : kSentinel;
    }
  }

  uint32_t rd(uint32_t address) {
    uint32_t v = 0;
    EXPECT_EQ(cpu.read32(address, v), tlm::TLM_OK_RESPONSE) << "read 0x" << std::hex << address;
    return v;
  }
  void wr(uint32_t address, uint32_t v) {
    EXPECT_EQ(cpu.write32(address, v), tlm::TLM_OK_RESPONSE) << "write 0x" << std::hex << address;
  }
  void program(unsigned c, const Job& j) {
    const uint32_t words[r::kDescWords] = {j.src,
                                           j.dst,
                                           j.row_bytes,
                                           j.rows,
                                           j.planes,
                                           j.src_row_stride,
                                           j.dst_row_stride,
                                           j.src_plane_stride,
                                           j.dst_plane_stride,
                                           j.next};
    for (unsigned i = 0; i < r::kDescWords; ++i) {
      wr(csr(c, 4 * i), words[i]);
    }
  }
  void put_descriptor(uint32_t address, const Job& j) {
    const uint32_t words[r::kDescWords] = {j.src,
                                           j.dst,
                                           j.row_bytes,
                                           j.rows,
                                           j.planes,
                                           j.src_row_stride,
                                           j.dst_row_stride,
                                           j.src_plane_stride,
                                           j.dst_plane_stride,
                                           j.next};
    for (unsigned i = 0; i < r::kDescWords; ++i) {
      mem.put32(address + 4 * i, words[i]);
    }
  }
  // Polls (from the driver thread) until the channel is idle; returns the final status.
  uint32_t wait_idle(unsigned c) {
    uint32_t s = 0;
    while ((s = rd(csr(c, r::kStatus))) & r::kStatusBusy) {
      sc_core::wait(sc_time(20, SC_NS));
    }
    return s;
  }
  void run(std::function<void()> body, sc_time limit = sc_time(1, sc_core::SC_MS)) {
    driver = std::make_unique<TestDriver>("driver", std::move(body));
    sc_core::sc_start(limit);
  }
};

// The memory image expected after the jobs, computed independently of the DMA from the initial image.
void apply(std::vector<uint8_t>& image, const std::vector<uint8_t>& initial, const Job& j) {
  for (uint32_t p = 0; p < j.planes; ++p) {
    for (uint32_t row = 0; row < j.rows; ++row) {
      for (uint32_t b = 0; b < j.row_bytes; ++b) {
        image.at(j.dst + p * j.dst_plane_stride + row * j.dst_row_stride + b) =
            initial.at(j.src + p * j.src_plane_stride + row * j.src_row_stride + b);
      }
    }
  }
}

void expect_image(const std::vector<uint8_t>& actual, const std::vector<uint8_t>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < actual.size() && mismatches < 10; ++i) {
    if (actual[i] != expected[i]) {
      ADD_FAILURE() << "byte 0x" << std::hex << i << ": got 0x" << int{actual[i]} << ", expected 0x"
                    << int{expected[i]};
      ++mismatches;
    }
  }
}

// Runs one register-mode job on channel 0 and checks the memory image and the status.
void run_single_copy(const Job& job, const DmaParams& params = DmaParams{}) {
  Bench b(params);
  const std::vector<uint8_t> initial = b.mem.data;
  uint32_t status = 0;
  uint32_t bytes_done = 0;
  b.run([&] {
    b.program(0, job);
    b.wr(csr(0, r::kCtrl), r::kCtrlStart);
    EXPECT_TRUE(b.rd(csr(0, r::kStatus)) & r::kStatusBusy);
    status = b.wait_idle(0);
    bytes_done = b.rd(csr(0, r::kBytesDone));
  });
  EXPECT_EQ(status, r::kStatusDone);
  EXPECT_EQ(bytes_done, job.bytes());
  EXPECT_FALSE(b.irq[0].read());  // interrupts not enabled
  std::vector<uint8_t> expected = initial;
  apply(expected, initial, job);
  expect_image(b.mem.data, expected);
  EXPECT_EQ(b.dma.traffic().write_bytes, job.bytes());
  EXPECT_EQ(b.dma.traffic().read_bytes, job.bytes());
}

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

TEST(DmaTest, BurstTimingIsSetupPlusAnnotatedDelays) {
  // 500 MHz: 2 ns cycle; setup 2 cycles = 4 ns; memory 10 ns per transaction.
  Bench b;
  Job j;
  j.row_bytes = 512;  // two 256-byte bursts
  sc_time start_time, end_time;
  b.run([&] {
    b.program(0, j);
    sc_core::wait(sc_time(100, SC_NS));
    // Start with an initiator that runs 30 ns ahead of simulated time (quantum keeper style).
    uint32_t start = r::kCtrlStart;
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
    start_time = sc_core::sc_time_stamp() + sc_time(30, SC_NS);
    while (!b.irq[0].read() && !(b.rd(csr(0, r::kStatus)) & r::kStatusDone)) {
      sc_core::wait(sc_time(1, SC_NS));
    }
    end_time = sc_core::sc_time_stamp();
  });
  ASSERT_EQ(b.mem.log.size(), 4u);
  // The job starts at the writer's local time when the write arrives (the CSR latency is the response's).
  EXPECT_EQ(b.mem.log[0].time, start_time + sc_time(4, SC_NS));
  EXPECT_EQ(b.mem.log[1].time, start_time + sc_time(4 + 10, SC_NS));
  EXPECT_EQ(b.mem.log[2].time, start_time + sc_time(4 + 20 + 4, SC_NS));
  EXPECT_EQ(b.mem.log[3].time, start_time + sc_time(4 + 20 + 4 + 10, SC_NS));
  EXPECT_EQ(end_time, start_time + sc_time(2 * (4 + 20), SC_NS));
  EXPECT_EQ(b.dma.traffic().busy, sc_time(2 * (4 + 20), SC_NS));
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

TEST(DmaTest, TwoChannelsRunConcurrently) {
  Bench b;
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

TEST(DmaTest, WriteBusError) {
  DmaParams p;
  p.burst_bytes = 16;
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
      "channels: 4\nburst_bytes: 64\nclock_mhz: 250\nsetup_cycles: 0\n", "dma.yaml");
  const DmaParams p = DmaParams::from_yaml(m);
  EXPECT_EQ(p.channels, 4u);
  EXPECT_EQ(p.burst_bytes, 64u);
  EXPECT_DOUBLE_EQ(p.clock_mhz, 250.0);
  EXPECT_EQ(p.setup_cycles, 0u);
  EXPECT_NO_THROW(m.finish());
  EXPECT_EQ(p.to_json()["burst_bytes"], 64);

  const DmaParams d = DmaParams::from_yaml(config::YamlMap::load_string("{}", "empty.yaml"));
  EXPECT_EQ(d.channels, 2u);
  EXPECT_EQ(d.burst_bytes, 256u);

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
}

TEST(DmaTest, InvalidParamsAreRejectedAtConstruction) {
  DmaParams p;
  p.burst_bytes = 100;
  EXPECT_FALSE(p.validate().empty());
  EXPECT_THROW(Dma("bad_dma", p), sc_core::sc_report);
}

}  // namespace
}  // namespace minconv::platform
