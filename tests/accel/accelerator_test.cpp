#include "accel/accelerator.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>

#include <gtest/gtest.h>

#include "tests/accel/accel_bench.h"
#include "tests/accel/accel_test_util.h"
#include "tests/common/test_initiator.h"

namespace minconv::accel {
namespace {

namespace ra = regs::accel;
using sc_core::SC_NS;
using sc_core::sc_time;
using test::Bench;

// A convolution tile, its operands, and where they go.
struct Tile {
  PeKind pe = PeKind::kMin;
  golden::Tensor8 input;
  golden::ConvGeometry g;
  int out_c = 1;
  std::vector<int8_t> weights;
  std::vector<ra::PostScale> post;
  bool relu = false;
  bool raw = false;
  uint32_t in_addr = 0, wt_addr = 0, q_addr = 0, out_addr = 0;

  int out_h() const { return g.out_h(input.h); }
  int out_w() const { return g.out_w(input.w); }
  unsigned k_steps() const { return static_cast<unsigned>(g.kh * g.kw * input.c); }
  unsigned pixels() const { return static_cast<unsigned>(out_h() * out_w()); }
  size_t out_bytes() const { return size_t{pixels()} * out_c * (raw ? 4 : 1); }
};

Tile random_tile(PeKind pe, int in_h, int in_w, int in_c, int k, int stride, int pad, int out_c,
                 uint32_t seed) {
  std::mt19937 rng(seed);
  Tile t;
  t.pe = pe;
  t.input = golden::Tensor8(in_h, in_w, in_c);
  t.input.data = test::random_int8(rng, t.input.size());
  t.g = golden::ConvGeometry{k, k, stride, stride, pad, pad, pad, pad};
  t.out_c = out_c;
  t.weights = test::random_int8(rng, size_t(out_c) * k * k * in_c);
  t.post = test::random_post(rng, out_c, pe);
  return t;
}

// Places the operands in the SRAM (over the bus) and programs the descriptor.
void load(Bench& b, const Tile& t) {
  const AccelParams& p = b.accel.params();
  ASSERT_EQ(b.sram.write(p.in_buf_offset() + t.in_addr, t.input.data.data(), unsigned(t.input.size())),
            tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(b.sram.write(p.wt_buf_offset() + t.wt_addr, t.weights.data(), unsigned(t.weights.size())),
            tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(b.sram.write(p.wt_buf_offset() + t.q_addr, t.post.data(), unsigned(t.post.size() * 12)),
            tlm::TLM_OK_RESPONSE);
  ra::TileDesc d;
  d.in_addr = t.in_addr;
  d.in_h = uint32_t(t.input.h);
  d.in_w = uint32_t(t.input.w);
  d.in_c = uint32_t(t.input.c);
  d.pad_top = uint32_t(t.g.pad_top);
  d.pad_left = uint32_t(t.g.pad_left);
  d.pad_bottom = uint32_t(t.g.pad_bottom);
  d.pad_right = uint32_t(t.g.pad_right);
  d.kh = uint32_t(t.g.kh);
  d.kw = uint32_t(t.g.kw);
  d.stride_h = uint32_t(t.g.stride_h);
  d.stride_w = uint32_t(t.g.stride_w);
  d.out_h = uint32_t(t.out_h());
  d.out_w = uint32_t(t.out_w());
  d.out_c = uint32_t(t.out_c);
  d.wt_addr = t.wt_addr;
  d.q_addr = t.q_addr;
  d.out_addr = t.out_addr;
  d.relu = t.relu;
  d.raw_output = t.raw;
  test::write_descriptor([&b](uint32_t offset, uint32_t value) { b.wr(offset, value); }, d);
}

// Reads the output tile back over the bus and compares it with the golden model.
void expect_matches_golden(Bench& b, const Tile& t) {
  std::vector<uint8_t> out(t.out_bytes());
  ASSERT_EQ(b.sram.read(b.accel.params().out_buf_offset() + t.out_addr, out.data(), unsigned(out.size())),
            tlm::TLM_OK_RESPONSE);
  if (t.raw) {
    const golden::Tensor32 want =
        golden::conv2d_raw(t.pe, t.input, t.weights, t.out_c, t.g, test::to_golden(t.post), t.relu);
    std::vector<int32_t> got(want.size());
    ASSERT_EQ(out.size(), got.size() * 4);
    std::memcpy(got.data(), out.data(), out.size());
    EXPECT_EQ(got, want.data);
  } else {
    const golden::Tensor8 want =
        golden::conv2d_int8(t.pe, t.input, t.weights, t.out_c, t.g, test::to_golden(t.post), t.relu);
    std::vector<int8_t> got(want.size());
    ASSERT_EQ(out.size(), got.size());
    std::memcpy(got.data(), out.data(), out.size());
    EXPECT_EQ(got, want.data);
    int nonzero = 0, saturated = 0;  // the data exercises the range, not only zeros or clamps
    for (int8_t v : got) {
      nonzero += v != 0;
      saturated += v == 127 || v == -127;
    }
    EXPECT_GT(nonzero, int(got.size()) / (t.relu ? 4 : 2));
    EXPECT_LT(saturated, int(got.size()) / 2);
  }
}

// Runs a tile start to finish and checks the output, the status, the interrupt, the counters and the time.
void run_and_check(const AccelParams& p, const Tile& t) {
  Bench b(p);
  load(b, t);
  b.wr(ra::kIrqEnable, ra::kIrqOnDone | ra::kIrqOnError);
  b.wr(ra::kCtrl, ra::kCtrlResetCounters);
  b.wr(ra::kCtrl, ra::kCtrlStart);
  const sc_time start_at = sc_core::sc_time_stamp() + b.csr.last_delay();  // the initiator's local time
  EXPECT_EQ(b.rd(ra::kStatus) & ra::kStatusBusy, ra::kStatusBusy);
  Bench::run();
  const uint64_t cycles =
      test::documented_tile_cycles(p.rows, p.cols, t.k_steps(), uint64_t(t.out_c), t.pixels());
  EXPECT_EQ(sc_core::sc_time_stamp(), start_at + b.accel.clock_period() * double(cycles));
  EXPECT_EQ(b.rd(ra::kStatus), ra::kStatusDone);
  EXPECT_TRUE(b.irq.read());
  EXPECT_FALSE(b.busy.read());
  expect_matches_golden(b, t);

  // Counters, against the documented formulas computed here from the tile's shape.
  uint64_t folds = 0, reads = 0;
  for (int o0 = 0; o0 < t.out_c; o0 += int(p.rows)) {
    for (unsigned p0 = 0; p0 < t.pixels(); p0 += p.cols) {
      const uint64_t vr = std::min<uint64_t>(p.rows, uint64_t(t.out_c - o0));
      const uint64_t vc = std::min<uint64_t>(p.cols, t.pixels() - p0);
      ++folds;
      reads += (vr + vc) * t.k_steps() + 12 * vr;
    }
  }
  EXPECT_EQ(b.counter(ra::kCntBusyLo), cycles);
  const uint64_t interval = std::max<uint64_t>({t.k_steps(), p.rows, p.cols});  // P
  EXPECT_EQ(cycles, 4 + (folds - 1) * interval + (t.k_steps() + p.rows + p.cols - 1) + 3);
  EXPECT_EQ(b.counter(ra::kCntActiveLo), uint64_t(t.out_c) * t.pixels() * t.k_steps());
  EXPECT_EQ(b.counter(ra::kCntTilesLo), 1u);
  EXPECT_EQ(b.counter(ra::kCntFoldsLo), folds);
  EXPECT_EQ(b.counter(ra::kCntBufReadLo), reads);
  EXPECT_EQ(b.counter(ra::kCntBufWriteLo), t.out_bytes());
  EXPECT_EQ(b.counter(ra::kCntStallLo), 0u);

  // W1C: clearing done drops the interrupt.
  b.wr(ra::kStatus, ra::kStatusDone);
  Bench::run();
  EXPECT_EQ(b.rd(ra::kStatus), 0u);
  EXPECT_FALSE(b.irq.read());
}

AccelParams params(PeKind pe) {
  AccelParams p;
  p.pe = pe;
  return p;
}

// 5x5 kernel, stride 1, padding 2, in_c 3, out_c 10 on an 8x8 array: a partial channel fold.
TEST(Accelerator, ConvTile5x5MinMatchesGolden) {
  Tile t = random_tile(PeKind::kMin, 8, 8, 3, 5, 1, 2, 10, 1);
  t.in_addr = 100;
  t.wt_addr = 64;
  t.q_addr = 2048;
  t.out_addr = 7;
  run_and_check(params(PeKind::kMin), t);
}

TEST(Accelerator, ConvTile5x5MulMatchesGolden) {
  Tile t = random_tile(PeKind::kMul, 8, 8, 3, 5, 1, 2, 10, 2);
  t.in_addr = 33;
  t.q_addr = 4000;
  t.out_addr = 1000;
  run_and_check(params(PeKind::kMul), t);
}

// Stride 2 with ReLU on a non-square 4 x 8 array with partial pixel folds (out 5x6 = 30 pixels).
TEST(Accelerator, Stride2TileMinMatchesGolden) {
  AccelParams p = params(PeKind::kMin);
  p.rows = 4;
  p.cols = 8;
  Tile t = random_tile(PeKind::kMin, 9, 11, 4, 3, 2, 1, 5, 3);
  t.relu = true;
  t.q_addr = 1024;
  run_and_check(p, t);
}

TEST(Accelerator, Stride2TileMulMatchesGolden) {
  AccelParams p = params(PeKind::kMul);
  p.rows = 4;
  p.cols = 8;
  Tile t = random_tile(PeKind::kMul, 9, 11, 4, 3, 2, 1, 5, 4);
  t.relu = true;
  t.q_addr = 1024;
  run_and_check(p, t);
}

// Fully connected: a 1x1 convolution of a 1x1x200 input, raw int32 output.
TEST(Accelerator, FcTileRawMinMatchesGolden) {
  Tile t = random_tile(PeKind::kMin, 1, 1, 200, 1, 1, 0, 13, 5);
  t.raw = true;
  t.wt_addr = 5;
  t.q_addr = 8192;
  t.out_addr = 12;
  run_and_check(params(PeKind::kMin), t);
}

TEST(Accelerator, FcTileRawMulReluMatchesGolden) {
  Tile t = random_tile(PeKind::kMul, 1, 1, 200, 1, 1, 0, 13, 6);
  t.raw = true;
  t.relu = true;
  t.q_addr = 8192;
  run_and_check(params(PeKind::kMul), t);
}

TEST(Accelerator, CapabilitiesReadBack) {
  AccelParams p;
  p.rows = 16;
  p.cols = 4;
  p.pe = PeKind::kMul;
  p.clock_mhz = 333.5;
  p.input_buffer_bytes = 4096;
  p.weight_buffer_bytes = 8192;
  p.output_buffer_bytes = 2048;
  Bench b(p);
  EXPECT_EQ(b.rd(ra::kId), ra::kIdValue);
  EXPECT_EQ(b.rd(ra::kVersion), ra::kVersionValue);
  EXPECT_EQ(b.rd(ra::kPeKind), uint32_t(ra::kPeMul));
  EXPECT_EQ(b.rd(ra::kRows), 16u);
  EXPECT_EQ(b.rd(ra::kCols), 4u);
  EXPECT_EQ(b.rd(ra::kClockKhz), 333500u);
  EXPECT_EQ(b.rd(ra::kInBufOffset), 0u);
  EXPECT_EQ(b.rd(ra::kInBufBytes), 4096u);
  EXPECT_EQ(b.rd(ra::kWtBufOffset), 4096u);
  EXPECT_EQ(b.rd(ra::kWtBufBytes), 8192u);
  EXPECT_EQ(b.rd(ra::kOutBufOffset), 4096u + 8192u);
  EXPECT_EQ(b.rd(ra::kOutBufBytes), 2048u);
  EXPECT_EQ(b.rd(ra::kMaxKernel), kMaxKernelSide);
  EXPECT_EQ(b.rd(ra::kMaxStride), kMaxStrideValue);
  EXPECT_EQ(b.rd(ra::kStatus), 0u);
  // Descriptor registers are read/write.
  b.wr(ra::kOutC, 0x12345678);
  EXPECT_EQ(b.rd(ra::kOutC), 0x12345678u);
  b.wr(ra::kIrqEnable, 0xFFFFFFFF);
  EXPECT_EQ(b.rd(ra::kIrqEnable), ra::kIrqOnDone | ra::kIrqOnError);
  EXPECT_EQ(b.csr.last_delay(), b.accel.clock_period());  // CSR latency: one accelerator cycle
  EXPECT_EQ(b.accel.clock_period(), sc_time(1e3 / 333.5, SC_NS));
}

TEST(Accelerator, SramWindowAccesses) {
  AccelParams p;
  p.sram_latency_cycles = 2;
  p.sram_width_bytes = 16;
  Bench b(p);
  const uint32_t size = p.sram_bytes();
  std::vector<uint8_t> data(100);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i + 1);
  EXPECT_EQ(b.sram.write(size - 100, data.data(), 100), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.sram.last_delay(), b.accel.clock_period() * double(2 + 7));  // 2 + ceil(100 / 16)
  std::vector<uint8_t> back(100);
  EXPECT_EQ(b.sram.read(size - 100, back.data(), 100), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(back, data);
  uint8_t byte = 0;
  EXPECT_EQ(b.sram.read(size - 1, &byte, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(byte, 100);
  EXPECT_EQ(b.sram.last_delay(), b.accel.clock_period() * 3.0);
  EXPECT_EQ(b.sram.read(size, &byte, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.sram.read(size - 99, back.data(), 100), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // crosses the end
  EXPECT_EQ(b.sram.write(uint64_t{1} << 40, data.data(), 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Byte enables: only enabled bytes are written.
  const uint8_t ones[4] = {0xAA, 0xBB, 0xCC, 0xDD};
  EXPECT_EQ(b.sram.write_masked(10, ones, 4, {0xFF, 0x00}), tlm::TLM_OK_RESPONSE);
  uint8_t four[4] = {};
  EXPECT_EQ(b.sram.read(10, four, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(four[0], 0xAA);
  EXPECT_EQ(four[1], 0x00);
  EXPECT_EQ(four[2], 0xCC);
  EXPECT_EQ(four[3], 0x00);
  // Streaming (width smaller than the length) is not supported.
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(0);
  gp.set_data_ptr(data.data());
  gp.set_data_length(8);
  gp.set_streaming_width(4);
  EXPECT_EQ(b.sram.transport(gp), tlm::TLM_BURST_ERROR_RESPONSE);
  // Debug transport.
  EXPECT_EQ(b.sram.debug_write(200, data.data(), 8), 8u);
  EXPECT_EQ(b.sram.debug_read(size - 4, back.data(), 8), 4u);  // clipped at the end of the window
  EXPECT_EQ(b.sram.debug_read(200, four, 4), 4u);
  EXPECT_EQ(four[3], 4);
  // Statistics count the successful bus accesses only (debug accesses are not traffic).
  const platform::TrafficStats t = b.accel.traffic();
  EXPECT_EQ(t.write_bytes, 104u);
  EXPECT_EQ(t.read_bytes, 100u + 1 + 4);
  EXPECT_EQ(t.writes, 2u);
  EXPECT_EQ(t.reads, 3u);
}

// Programs a small valid tile, then applies `change` to one descriptor register.
struct ErrorCase {
  const char* name;
  uint32_t reg;
  uint32_t value;
  ra::ErrorCode code;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class AcceleratorError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(AcceleratorError, SetsErrorCodeRaisesIrqAndNextTileWorks) {
  AccelParams p;
  p.input_buffer_bytes = p.weight_buffer_bytes = p.output_buffer_bytes = 1024;
  Bench b(p);
  Tile t = random_tile(PeKind::kMin, 6, 6, 2, 3, 1, 1, 8, 7);  // in 72 B, weights 144 B, out 288 B
  t.q_addr = 512;
  load(b, t);
  b.wr(ra::kIrqEnable, ra::kIrqOnError);
  const uint32_t saved = b.rd(GetParam().reg);
  b.wr(GetParam().reg, GetParam().value);
  b.wr(ra::kCtrl, ra::kCtrlStart);
  Bench::run();
  EXPECT_EQ(b.rd(ra::kStatus) & (ra::kStatusError | ra::kStatusDone | ra::kStatusBusy), ra::kStatusError);
  EXPECT_EQ(b.error_code(), uint32_t(GetParam().code));
  EXPECT_TRUE(b.irq.read());
  EXPECT_EQ(b.counter(ra::kCntTilesLo), 0u);
  EXPECT_EQ(b.counter(ra::kCntBusyLo), 0u);
  EXPECT_EQ(b.accel.errors(), 1u);

  // Clear the error (W1C clears the code too), fix the descriptor: the next tile works.
  b.wr(ra::kStatus, ra::kStatusError);
  Bench::run();
  EXPECT_EQ(b.rd(ra::kStatus), 0u);
  EXPECT_FALSE(b.irq.read());
  b.wr(GetParam().reg, saved);
  b.wr(ra::kIrqEnable, ra::kIrqOnDone | ra::kIrqOnError);
  b.wr(ra::kCtrl, ra::kCtrlStart);
  Bench::run();
  EXPECT_EQ(b.rd(ra::kStatus), ra::kStatusDone);
  EXPECT_TRUE(b.irq.read());
  EXPECT_EQ(b.counter(ra::kCntTilesLo), 1u);
  expect_matches_golden(b, t);
}

INSTANTIATE_TEST_SUITE_P(
    Codes, AcceleratorError,
    ::testing::Values(
        ErrorCase{"ZeroInC", ra::kInC, 0, ra::kErrBadShape},
        ErrorCase{"ZeroOutShape", ra::kOutShape, 6u << 16, ra::kErrBadShape},
        ErrorCase{"OutputTooTall", ra::kOutShape, 7u | 6u << 16, ra::kErrBadShape},
        ErrorCase{"ZeroStride", ra::kKernel, 3u | 3u << 8 | 0u << 16 | 1u << 24, ra::kErrBadShape},
        ErrorCase{"Kernel12", ra::kKernel, 12u | 3u << 8 | 1u << 16 | 1u << 24, ra::kErrUnsupported},
        ErrorCase{"Stride5", ra::kKernel, 3u | 3u << 8 | 1u << 16 | 5u << 24, ra::kErrUnsupported},
        ErrorCase{"PaddingEqualsKernel", ra::kPad, 1u | 3u << 8 | 1u << 16 | 1u << 24, ra::kErrUnsupported},
        ErrorCase{"InputOverflow", ra::kInAddr, 1024 - 72 + 1, ra::kErrInOverflow},
        ErrorCase{"WeightOverflow", ra::kWtAddr, 1000, ra::kErrWtOverflow},
        ErrorCase{"PostScaleOverflow", ra::kQAddr, 1024 - 95, ra::kErrWtOverflow},
        ErrorCase{"OutputOverflow", ra::kOutAddr, 1024 - 287, ra::kErrOutOverflow},
        ErrorCase{"RawOutputOverflow", ra::kFlags, ra::kFlagRawOutput | 0x80u, ra::kErrOutOverflow},
        ErrorCase{"PoolMode3", ra::kPool, 3u | 2u << 8 | 2u << 16, ra::kErrUnsupported},
        ErrorCase{"PoolWindow5", ra::kPool, 1u | 5u << 8 | 5u << 16, ra::kErrUnsupported},
        ErrorCase{"PoolStrideBeyondWindow", ra::kPool, 1u | 2u << 8 | 3u << 16, ra::kErrUnsupported},
        ErrorCase{"PoolStride0", ra::kPool, 2u | 2u << 8, ra::kErrUnsupported},
        // The weights read as post-scale records: shifts far outside [1, 62].
        ErrorCase{"BadPostScale", ra::kQAddr, 0, ra::kErrBadPostScale}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(Accelerator, StartWhileBusyFlagsErrorAndRunningTileContinues) {
  AccelParams p = params(PeKind::kMin);
  Bench b(p);
  Tile t = random_tile(PeKind::kMin, 8, 8, 3, 5, 1, 2, 10, 8);
  t.q_addr = 2048;
  load(b, t);
  b.wr(ra::kIrqEnable, ra::kIrqOnError);
  b.wr(ra::kCtrl, ra::kCtrlStart);
  sc_core::sc_start(10, SC_NS);  // the tile is running
  EXPECT_TRUE(b.busy.read());
  EXPECT_FALSE(b.irq.read());
  b.wr(ra::kOutAddr, 4000);  // the driver may program the next descriptor while a tile runs
  b.wr(ra::kCtrl, ra::kCtrlStart);
  sc_core::sc_start(10, SC_NS);
  EXPECT_EQ(b.rd(ra::kStatus) & (ra::kStatusError | ra::kStatusBusy | ra::kStatusDone),
            ra::kStatusError | ra::kStatusBusy);
  EXPECT_EQ(b.error_code(), uint32_t(ra::kErrStartBusy));
  EXPECT_TRUE(b.irq.read());
  Bench::run();
  EXPECT_EQ(b.rd(ra::kStatus) & (ra::kStatusError | ra::kStatusBusy | ra::kStatusDone),
            ra::kStatusError | ra::kStatusDone);
  EXPECT_EQ(b.counter(ra::kCntTilesLo), 1u);
  expect_matches_golden(b, t);  // written at kOutAddr = 0, as programmed at the accepted start
}

TEST(Accelerator, IrqFollowsEnableMask) {
  Bench b(AccelParams{});
  Tile t = random_tile(PeKind::kMin, 4, 4, 2, 3, 1, 1, 3, 9);
  t.q_addr = 1024;
  load(b, t);
  b.wr(ra::kIrqEnable, ra::kIrqOnError);  // done does not interrupt
  b.wr(ra::kCtrl, ra::kCtrlStart);
  Bench::run();
  EXPECT_EQ(b.rd(ra::kStatus), ra::kStatusDone);
  EXPECT_FALSE(b.irq.read());
  b.wr(ra::kIrqEnable, ra::kIrqOnDone);  // a pending done interrupts as soon as it is enabled
  Bench::run();
  EXPECT_TRUE(b.irq.read());
  b.wr(ra::kIrqEnable, 0);
  Bench::run();
  EXPECT_FALSE(b.irq.read());
  EXPECT_EQ(b.rd(ra::kStatus), ra::kStatusDone);
}

TEST(Accelerator, StallCountsIdleCyclesInsideALayerAndCountersAre64Bit) {
  Bench b(AccelParams{});  // 500 MHz: 2 ns per cycle
  Tile t = random_tile(PeKind::kMin, 4, 4, 2, 3, 1, 1, 3, 10);
  t.q_addr = 1024;
  load(b, t);
  const sc_time cycle = b.accel.clock_period();
  sc_core::sc_start(1000, SC_NS);
  b.wr(ra::kCtrl, ra::kCtrlResetCounters | ra::kCtrlLayerBegin);  // at local time now + 1 cycle
  sc_core::sc_start(cycle * 100.0);
  EXPECT_EQ(b.counter(ra::kCntStallLo), 100u);  // read at now + 1 cycle: 101 - 1
  b.wr(ra::kCtrl, ra::kCtrlStart);              // the tile starts at now + 1 cycle: 100 stall cycles
  Bench::run();
  // K = 18, 8 x 8 array, 3 channels x 16 pixels: 2 folds, the second P = 18 cycles after the first.
  const uint64_t tile = 4 + 18 + (18 + 8 + 8 - 1) + 3;
  EXPECT_EQ(b.counter(ra::kCntBusyLo), tile);
  EXPECT_EQ(b.counter(ra::kCntStallLo), 100u + 1);  // the tile just ended; this read is 1 cycle later
  sc_core::sc_start(cycle * 50.0);
  b.wr(ra::kCtrl, ra::kCtrlLayerEnd);  // at now + 1 cycle: 51 more
  sc_core::sc_start(cycle * 1000.0);   // outside the layer: no stall
  EXPECT_EQ(b.counter(ra::kCntStallLo), 100u + 51);

  // A long idle layer: more than 2^32 cycles. Reading lo latches hi.
  b.wr(ra::kCtrl, ra::kCtrlResetCounters | ra::kCtrlLayerBegin);
  sc_core::sc_start(cycle * 5e9);
  const uint32_t lo = b.rd(ra::kCntStallLo);
  sc_core::sc_start(cycle * 5e9);  // hi moved on, the latch did not
  const uint32_t hi = b.rd(ra::kCntStallLo + ra::kHiOffset);
  EXPECT_EQ(hi, 1u);
  EXPECT_EQ((uint64_t{hi} << 32 | lo), uint64_t(5e9));  // both the reset write and the read are 1 cycle ahead
  EXPECT_EQ(b.counter(ra::kCntStallLo) >> 32, 2u);
  b.wr(ra::kCtrl, ra::kCtrlResetCounters);
  EXPECT_LT(b.counter(ra::kCntStallLo), 10u);
  EXPECT_EQ(b.counter(ra::kCntTilesLo), 0u);
}

TEST(Accelerator, StatsJsonHasCountersAndParams) {
  Bench b(AccelParams{});
  Tile t = random_tile(PeKind::kMin, 4, 4, 2, 3, 1, 1, 3, 11);
  t.q_addr = 1024;
  load(b, t);
  b.wr(ra::kCtrl, ra::kCtrlStart);
  Bench::run();
  b.wr(ra::kInC, 0);
  b.wr(ra::kCtrl, ra::kCtrlStart);
  Bench::run();
  const nlohmann::json j = b.accel.stats_json();
  const uint64_t cycles = 4 + 18 + (18 + 8 + 8 - 1) + 3;  // K = 18, 8 x 8 array, 2 folds: P = 18, then T
  EXPECT_EQ(j.at("busy_cycles"), cycles);
  EXPECT_EQ(j.at("macs"), 3u * 16 * 18);
  EXPECT_EQ(j.at("tiles"), 1u);
  EXPECT_EQ(j.at("folds"), 2u);
  EXPECT_EQ(j.at("errors"), 1u);
  EXPECT_EQ(j.at("write_bytes"), t.input.size() + t.weights.size() + 36);
  EXPECT_DOUBLE_EQ(j.at("busy_ns").get<double>(), double(cycles) * 2.0);
  EXPECT_EQ(j.at("params").at("pe"), "min");
  EXPECT_EQ(b.accel.stats_name(), "accel");
  EXPECT_EQ(b.accel.traffic().busy, b.accel.clock_period() * double(cycles));
}

}  // namespace
}  // namespace minconv::accel
