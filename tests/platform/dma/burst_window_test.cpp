// Tests of the DMA's burst scheduler on its own (no module, no kernel process): a fake bus answers each
// access after a chosen latency. Expected schedules are worked out by hand from the rules in
// platform/dma/burst_window.h.
#include "platform/dma/burst_window.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace minconv::platform {
namespace {

namespace r = regs::dma;
using sc_core::SC_NS;
using sc_core::sc_time;

sc_time ns(double v) { return sc_time(v, SC_NS); }

// A 1-D transfer of `bytes` from 0x100 to 0x800.
DmaTransfer one_d(uint32_t bytes) {
  DmaTransfer t{};
  t[r::kSrc / 4] = 0x100;
  t[r::kDst / 4] = 0x800;
  t[r::kRowBytes / 4] = bytes;
  t[r::kRows / 4] = 1;
  t[r::kPlanes / 4] = 1;
  return t;
}

// Records "R@t:address" / "W@t:address" (t in ns) and answers after `latency(access)`.
struct FakeBus {
  std::vector<std::string> log;
  std::function<sc_time(const BurstWindow::Access&)> latency = [](const BurstWindow::Access&) {
    return ns(10);
  };
  std::function<bool(const BurstWindow::Access&)> fails = [](const BurstWindow::Access&) { return false; };
  std::vector<uint8_t> memory = std::vector<uint8_t>(0x1000, 0);
  uint64_t written = 0;

  BurstWindow::Result run(unsigned depth, const DmaTransfer& t, unsigned burst, const sc_time& setup) {
    BurstSequence bursts(t, burst);
    BurstWindow window(depth, burst, setup);
    return window.run(
        bursts, sc_core::SC_ZERO_TIME,
        [this](const BurstWindow::Access& a, sc_time& done) {
          const bool read = a.command == tlm::TLM_READ_COMMAND;
          log.push_back(std::string(read ? "R@" : "W@") +
                        std::to_string(static_cast<int>(a.at.value() / 1000)) + ":" +
                        std::to_string(a.address));
          done = a.at + latency(a);
          if (fails(a)) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
          for (unsigned i = 0; i < a.bytes; ++i) {
            if (read) {
              a.data[i] = memory.at(a.address + i);
            } else {
              memory.at(a.address + i) = a.data[i];
            }
          }
          return tlm::TLM_OK_RESPONSE;
        },
        [this](unsigned bytes) { written += bytes; });
  }
};

TEST(BurstWindowTest, SequenceSplitsRowsAndWrapsAt32Bits) {
  DmaTransfer t = one_d(10);
  t[r::kSrc / 4] = 0xFFFFFFF8u;  // the second burst's source wraps to 0
  t[r::kRows / 4] = 2;
  t[r::kSrcRowStride / 4] = 0x20;
  t[r::kDstRowStride / 4] = 0x10;
  BurstSequence s(t, 8);
  DmaBurst b;
  std::vector<std::string> got;
  while (s.next(b))
    got.push_back(std::to_string(b.src) + ">" + std::to_string(b.dst) + "x" + std::to_string(b.bytes));
  const std::vector<std::string> expected{"4294967288>2048x8", "0>2056x2", "24>2064x8", "32>2072x2"};
  EXPECT_EQ(got, expected);
  DmaTransfer empty = one_d(0);
  BurstSequence none(empty, 8);
  EXPECT_FALSE(none.next(b));
}

TEST(BurstWindowTest, WindowOfThree) {
  // Five 16-byte bursts, 1 ns setup, every access answered after 10 ns.
  // R0 1, R1 2, R2 3 (data at 11, 12, 13): window full. W0 11 (done 21) frees slot 0: R3 at 21 + 1 = 22.
  // W1 12 (done 22), W2 13 (done 23). R3 22 (data 32), R4 max(22, 22) + 1 = 23 (data 33). W3 32, W4 33
  // (done 43).
  FakeBus bus;
  const BurstWindow::Result res = bus.run(3, one_d(80), 16, ns(1));
  const std::vector<std::string> expected{"R@1:256",   "R@2:272",  "R@3:288",  "W@11:2048", "W@12:2064",
                                          "W@13:2080", "R@22:304", "R@23:320", "W@32:2096", "W@33:2112"};
  EXPECT_EQ(bus.log, expected);
  EXPECT_EQ(res.error_code, r::kErrNone);
  EXPECT_EQ(res.end, ns(43));
  EXPECT_EQ(bus.written, 80u);
}

TEST(BurstWindowTest, WriteGoesFirstOnATie) {
  // No setup, no latency: everything happens at time 0, in the order read, write, read, write, ...
  FakeBus bus;
  bus.latency = [](const BurstWindow::Access&) { return sc_core::SC_ZERO_TIME; };
  const BurstWindow::Result res = bus.run(2, one_d(24), 8, sc_core::SC_ZERO_TIME);
  const std::vector<std::string> expected{"R@0:256",  "W@0:2048", "R@0:264",
                                          "W@0:2056", "R@0:272",  "W@0:2064"};
  EXPECT_EQ(bus.log, expected);
  EXPECT_EQ(res.end, sc_core::SC_ZERO_TIME);
}

TEST(BurstWindowTest, ReadsCompletingOutOfOrderAreWrittenInOrderFromTheirOwnBuffers) {
  // Even bursts' reads take 30 ns, odd ones 5 ns: read 1's data is in before read 0's. Writes stay in
  // burst order and each carries its own burst's bytes, although two buffers are reused three times.
  FakeBus bus;
  for (unsigned i = 0; i < 0x100; ++i) bus.memory[0x100 + i] = static_cast<uint8_t>(i * 7 + 1);
  bus.latency = [](const BurstWindow::Access& a) {
    if (a.command == tlm::TLM_WRITE_COMMAND) return ns(10);
    return ((a.address - 0x100) / 8) % 2 == 0 ? ns(30) : ns(5);
  };
  const BurstWindow::Result res = bus.run(2, one_d(48), 8, ns(1));
  // R0 1 (data 31), R1 2 (data 7): window full until W0. W0 at 31 (done 41), W1 max(7, 31) = 31 (done
  // 41). R2 max(2, 41) + 1 = 42 (data 72), R3 43 (data 48). W2 72, W3 72 (done 82). R4 83 (data 113),
  // R5 84 (data 89). W4 113, W5 113 (done 123).
  const std::vector<std::string> expected{"R@1:256",  "R@2:264",  "W@31:2048",  "W@31:2056",
                                          "R@42:272", "R@43:280", "W@72:2064",  "W@72:2072",
                                          "R@83:288", "R@84:296", "W@113:2080", "W@113:2088"};
  EXPECT_EQ(bus.log, expected);
  EXPECT_EQ(res.end, ns(123));
  for (unsigned i = 0; i < 48; ++i) EXPECT_EQ(bus.memory[0x800 + i], bus.memory[0x100 + i]) << i;
}

TEST(BurstWindowTest, FailedReadStopsReadsAndWritesOnlyEarlierBursts) {
  FakeBus bus;
  bus.fails = [](const BurstWindow::Access& a) {
    return a.command == tlm::TLM_READ_COMMAND && a.address == 0x120;
  };
  const BurstWindow::Result res = bus.run(4, one_d(96), 16, ns(1));
  // R0 1, R1 2 (data 11, 12), R2 3 fails (done 13): no more reads. W0 11, W1 12 (done 22).
  const std::vector<std::string> expected{"R@1:256", "R@2:272", "R@3:288", "W@11:2048", "W@12:2064"};
  EXPECT_EQ(bus.log, expected);
  EXPECT_EQ(res.error_code, r::kErrReadBus);
  EXPECT_EQ(res.error_address, 0x120u);
  EXPECT_EQ(res.end, ns(22));
  EXPECT_EQ(bus.written, 32u);
}

TEST(BurstWindowTest, FailedWriteStopsEverything) {
  FakeBus bus;
  bus.fails = [](const BurstWindow::Access& a) {
    return a.command == tlm::TLM_WRITE_COMMAND && a.address == 0x810;
  };
  const BurstWindow::Result res = bus.run(4, one_d(96), 16, ns(1));
  // R0..R3 at 1..4 (data 11..14); W0 11 (done 21) comes before R4 = max(4, 21) + 1 = 22; W1 12 fails
  // (done 22): nothing more is issued; the job ends when read 3 and write 1 have completed.
  const std::vector<std::string> expected{"R@1:256", "R@2:272",   "R@3:288",
                                          "R@4:304", "W@11:2048", "W@12:2064"};
  EXPECT_EQ(bus.log, expected);
  EXPECT_EQ(res.error_code, r::kErrWriteBus);
  EXPECT_EQ(res.error_address, 0x810u);
  EXPECT_EQ(res.end, ns(22));
  EXPECT_EQ(bus.written, 16u);
}

}  // namespace
}  // namespace minconv::platform
