#pragma once
// The DMA test bench shared by the DMA test files: a DMA, a TestMemory behind it, a test initiator on the
// CSRs and one signal per interrupt line; plus helpers to program jobs and compute the expected image
// independently of the DMA.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "platform/dma/dma.h"
#include "sw/hal/regs/dma_regs.h"
#include "tests/common/test_initiator.h"
#include "tests/platform/dma/test_memory.h"

namespace minconv::platform::dma_test {

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

inline uint32_t csr(unsigned c, uint32_t reg) { return r::kChannelBase + c * r::kChannelStride + reg; }
inline uint32_t err_code(uint32_t status) {
  return (status & r::kStatusErrCodeMask) >> r::kStatusErrCodeShift;
}

// One transfer as software describes it (register or descriptor layout).
// A transfer (packed by regs::dma::pack) from the test sources to the test destinations by default.
struct Job : r::Transfer {
  Job() {
    src = kSrcBase;
    dst = kDstBase;
  }
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
    const r::DescWords words = r::pack(j);
    for (unsigned i = 0; i < r::kDescWords; ++i) {
      wr(csr(c, 4 * i), words[i]);
    }
  }
  void put_descriptor(uint32_t address, const Job& j) {
    const r::DescWords words = r::pack(j);
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
inline void apply(std::vector<uint8_t>& image, const std::vector<uint8_t>& initial, const Job& j) {
  for (uint32_t p = 0; p < j.planes; ++p) {
    for (uint32_t row = 0; row < j.rows; ++row) {
      for (uint32_t b = 0; b < j.row_bytes; ++b) {
        image.at(j.dst + p * j.dst_plane_stride + row * j.dst_row_stride + b) =
            initial.at(j.src + p * j.src_plane_stride + row * j.src_row_stride + b);
      }
    }
  }
}

inline void expect_image(const std::vector<uint8_t>& actual, const std::vector<uint8_t>& expected) {
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
inline void run_single_copy(const Job& job, const DmaParams& params = DmaParams{}) {
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

}  // namespace minconv::platform::dma_test
