// Misuse through the SoC: software (through the HAL and the drivers) gives the accelerator bad tile
// descriptors, starts it while busy, and sends a DMA job into unmapped space. Each time the error code
// reaches software through the interrupt, and the hardware goes on to run a good job correctly.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <sstream>
#include <string>

#include "platform/soc/simulation.h"
#include "platform/soc/soc.h"
#include "sw/driver/accel_driver.h"
#include "sw/driver/dma_driver.h"
#include "sw/golden/int8_ops.h"
#include "sw/hal/regs/accel_regs.h"
#include "sw/hal/regs/dma_regs.h"
#include "tests/regression/layer_harness.h"

namespace minconv::regression {
namespace {

namespace ra = minconv::regs::accel;

// A small good tile: 6x5x3 input, 3x3 kernel, stride 1, padding 1, 4 output channels (6x5x4 int8).
struct GoodTile {
  sw::AccelTile tile;
  golden::Tensor8 input;
  std::vector<int8_t> weights;
  std::vector<golden::PostScale> post;
  golden::Tensor8 expected;

  GoodTile() : input(6, 5, 3) {
    input.data = random_int8(input.size(), 11);
    weights = random_int8(4 * 3 * 3 * 3, 12);
    post.assign(4, golden::PostScale{5, 1 << 30, 33});  // |acc| ~ 270 -> |q| ~ 30
    golden::ConvGeometry g;
    g.kh = g.kw = 3;
    g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
    expected = golden::conv2d_int8(golden::PeKind::kMin, input, weights, 4, g, post, false);
    tile.in_h = 6;
    tile.in_w = 5;
    tile.in_c = 3;
    tile.pad_top = tile.pad_left = tile.pad_bottom = tile.pad_right = 1;
    tile.kh = tile.kw = 3;
    tile.out_h = 6;
    tile.out_w = 5;
    tile.out_c = 4;
    tile.wt_addr = 0;
    tile.q_addr = 108;  // after the 4 x 27 weight bytes
    tile.out_addr = 0;
  }
};

// Software side of the tests: the tile's operands in the accelerator's SRAM, written and read by the CPU.
struct TileIo {
  hal::Hal& hal;
  const hal::SocInfo& info;
  const sw::AccelCaps& caps;

  void load(const GoodTile& t) {
    hal.write_block(info.accel_sram_base + caps.in_offset, t.input.data.data(), t.input.size());
    hal.write_block(info.accel_sram_base + caps.wt_offset, t.weights.data(), t.weights.size());
    write_post(t.post, t.tile.q_addr);
  }
  void write_post(const std::vector<golden::PostScale>& post, uint32_t q_addr) {
    std::vector<uint8_t> bytes(post.size() * ra::kPostScaleBytes);
    for (std::size_t o = 0; o < post.size(); ++o) {
      const int32_t v[3] = {post[o].bias, post[o].multiplier, post[o].shift};
      std::memcpy(bytes.data() + o * ra::kPostScaleBytes, v, ra::kPostScaleBytes);
    }
    hal.write_block(info.accel_sram_base + caps.wt_offset + q_addr, bytes.data(), bytes.size());
  }
  // Fills the output area with a pattern, so a stale result cannot pass.
  void scrub_output(std::size_t bytes) {
    const std::vector<uint8_t> pattern(bytes, 0x5A);
    hal.write_block(info.accel_sram_base + caps.out_offset, pattern.data(), pattern.size());
  }
  std::string check_output(const GoodTile& t) {
    std::vector<uint8_t> got(t.expected.size());
    hal.read_block(info.accel_sram_base + caps.out_offset, got.data(), got.size());
    const ::testing::AssertionResult same = same_int8(t.expected, got);
    return same ? "" : same.message();
  }
};

// What the program saw, checked by the test after the simulation.
struct Observed {
  std::string first_good;     // "" if the first good tile matched golden
  bool threw = false;         // AccelError on the bad tile
  uint32_t code = 0;          // its code
  uint32_t status_after = 0;  // kStatus after the driver handled the error interrupt
  std::string second_good;    // "" if the good tile after the error matched golden
  std::string unexpected;     // any other exception
};

platform::SocConfig min_config() { return make_config(golden::PeKind::kMin); }

// Runs `program` once on a default SoC (min PE). Returns the SoC's accelerator error count.
uint64_t run_program(const std::function<void(hal::Hal&, const hal::SocInfo&)>& program,
                     std::string& failure) {
  platform::configure_reports();
  const platform::SocConfig config = min_config();
  const hal::SocInfo info = config.soc_info();
  platform::Soc soc("soc", config, [&](hal::Hal& hal) {
    program(hal, info);
    return 0;
  });
  std::string why;
  if (!platform::run_in_sequence({&soc}, why)) failure = "simulation did not finish: " + why;
  if (soc.cpu().exit_code() != 0) failure += soc.cpu().failure();
  return soc.accel()->errors();
}

struct Misuse {
  const char* name;
  uint32_t code;  // the expected ra::ErrorCode
  std::function<void(sw::AccelTile&, const sw::AccelCaps&)> mutate;
  bool bad_post = false;  // write a post-scale record with shift 0 instead of mutating the descriptor
};
void PrintTo(const Misuse& m, std::ostream* os) { *os << m.name; }

class BadDescriptor : public ::testing::TestWithParam<Misuse> {};

TEST(GoodTileData, IsWellSpread) { EXPECT_TRUE(well_spread(GoodTile().expected, false)); }

TEST_P(BadDescriptor, ErrorReachesDriverByInterruptAndNextTileWorks) {
  const Misuse& m = GetParam();
  Observed seen;
  std::string failure;
  const uint64_t errors = run_program(
      [&](hal::Hal& hal, const hal::SocInfo& info) {
        try {
          sw::IrqDispatcher irq(hal, info);
          sw::AccelDriver accel(hal, info, irq);
          TileIo io{hal, info, accel.caps()};
          const GoodTile good;
          io.load(good);
          io.scrub_output(good.expected.size());
          accel.start(good.tile);
          accel.wait();
          seen.first_good = io.check_output(good);

          sw::AccelTile bad = good.tile;
          if (m.bad_post) {
            std::vector<golden::PostScale> post = good.post;
            post[2].shift = 0;
            io.write_post(post, bad.q_addr);
          } else {
            m.mutate(bad, accel.caps());
          }
          accel.start(bad);
          try {
            accel.wait();  // returns only once the interrupt handler saw the tile end
          } catch (const sw::AccelError& e) {
            seen.threw = true;
            seen.code = e.code;
          }
          seen.status_after = hal.read32(info.accel_csr_base + ra::kStatus);

          io.load(good);
          io.scrub_output(good.expected.size());
          accel.start(good.tile);
          accel.wait();
          seen.second_good = io.check_output(good);
        } catch (const std::exception& e) {
          seen.unexpected = e.what();
        }
      },
      failure);
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_TRUE(seen.unexpected.empty()) << seen.unexpected;
  EXPECT_TRUE(seen.first_good.empty()) << seen.first_good;
  ASSERT_TRUE(seen.threw) << "the bad tile did not raise AccelError";
  EXPECT_EQ(seen.code, m.code) << sw::accel_error_name(seen.code);
  // The driver's interrupt handler acknowledged the error (write-1-to-clear) and the accelerator is idle.
  EXPECT_EQ(seen.status_after & (ra::kStatusError | ra::kStatusBusy | ra::kStatusErrCodeMask), 0u);
  EXPECT_EQ(errors, 1u);
  EXPECT_TRUE(seen.second_good.empty()) << "good tile after the error: " << seen.second_good;
}

INSTANTIATE_TEST_SUITE_P(
    Misuse, BadDescriptor,
    ::testing::Values(Misuse{"zero_in_h", ra::kErrBadShape,
                             [](sw::AccelTile& t, const sw::AccelCaps&) { t.in_h = 0; }},
                      Misuse{"zero_out_c", ra::kErrBadShape,
                             [](sw::AccelTile& t, const sw::AccelCaps&) { t.out_c = 0; }},
                      Misuse{"zero_stride", ra::kErrBadShape,
                             [](sw::AccelTile& t, const sw::AccelCaps&) { t.stride_h = 0; }},
                      Misuse{"output_larger_than_padded_input", ra::kErrBadShape,
                             [](sw::AccelTile& t, const sw::AccelCaps&) { t.out_h = 7; }},
                      Misuse{"kernel_12", ra::kErrUnsupported,
                             [](sw::AccelTile& t, const sw::AccelCaps&) { t.kh = t.kw = 12; }},
                      Misuse{"stride_5", ra::kErrUnsupported,
                             [](sw::AccelTile& t, const sw::AccelCaps&) { t.stride_w = 5; }},
                      Misuse{"pad_equal_to_kernel", ra::kErrUnsupported,
                             [](sw::AccelTile& t, const sw::AccelCaps&) { t.pad_right = 3; }},
                      Misuse{"input_overflow", ra::kErrInOverflow,
                             [](sw::AccelTile& t, const sw::AccelCaps& c) { t.in_addr = c.in_bytes - 16; }},
                      Misuse{"weight_overflow", ra::kErrWtOverflow,
                             [](sw::AccelTile& t, const sw::AccelCaps& c) { t.wt_addr = c.wt_bytes - 8; }},
                      Misuse{"post_scale_overflow", ra::kErrWtOverflow,
                             [](sw::AccelTile& t, const sw::AccelCaps& c) { t.q_addr = c.wt_bytes - 12; }},
                      Misuse{"output_overflow", ra::kErrOutOverflow,
                             [](sw::AccelTile& t, const sw::AccelCaps& c) { t.out_addr = c.out_bytes - 4; }},
                      Misuse{"raw_output_overflow", ra::kErrOutOverflow,
                             [](sw::AccelTile& t, const sw::AccelCaps& c) {
                               t.raw_output = true;  // 120 int32 outputs do not fit in the last 256 bytes
                               t.out_addr = c.out_bytes - 256;
                             }},
                      Misuse{"bad_post_scale_shift_0", ra::kErrBadPostScale, {}, true}),
    [](const ::testing::TestParamInfo<Misuse>& info) { return std::string(info.param.name); });

// A second start while a tile runs: kErrStartBusy, and the running tile continues to a correct result.
TEST(AccelMisuse, StartWhileBusyReportsStartBusyAndRunningTileCompletes) {
  Observed seen;
  std::string failure;
  const uint64_t errors = run_program(
      [&](hal::Hal& hal, const hal::SocInfo& info) {
        try {
          sw::IrqDispatcher irq(hal, info);
          sw::AccelDriver accel(hal, info, irq);
          TileIo io{hal, info, accel.caps()};
          const GoodTile good;
          io.load(good);
          io.scrub_output(good.expected.size());
          accel.start(good.tile);
          // Behind the driver's back: a raw start while the tile is running.
          hal.write32(info.accel_csr_base + ra::kCtrl, ra::kCtrlStart);
          try {
            accel.wait();
          } catch (const sw::AccelError& e) {
            seen.threw = true;
            seen.code = e.code;
          }
          seen.status_after = hal.read32(info.accel_csr_base + ra::kStatus);
          seen.first_good = io.check_output(good);  // the running tile was not disturbed

          io.scrub_output(good.expected.size());
          accel.start(good.tile);
          accel.wait();
          seen.second_good = io.check_output(good);
        } catch (const std::exception& e) {
          seen.unexpected = e.what();
        }
      },
      failure);
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_TRUE(seen.unexpected.empty()) << seen.unexpected;
  ASSERT_TRUE(seen.threw) << "start while busy did not raise AccelError";
  EXPECT_EQ(seen.code, ra::kErrStartBusy) << sw::accel_error_name(seen.code);
  EXPECT_EQ(seen.status_after & (ra::kStatusError | ra::kStatusBusy | ra::kStatusErrCodeMask), 0u);
  EXPECT_EQ(errors, 1u);
  EXPECT_TRUE(seen.first_good.empty()) << "the running tile: " << seen.first_good;
  EXPECT_TRUE(seen.second_good.empty()) << "the next tile: " << seen.second_good;
}

// A DMA job whose destination is unmapped: DmaError kErrWriteBus naming the address, and the channel then
// runs a good DRAM-to-DRAM job.
TEST(DmaMisuse, WriteToUnmappedSpaceFailsWithWriteBusAndNextJobWorks) {
  constexpr uint32_t kUnmapped = 0x10000000;
  bool threw = false;
  uint32_t code = 0, address = 0;
  unsigned channel = 99;
  bool good_matches = false;
  std::string unexpected;
  std::string failure;
  run_program(
      [&](hal::Hal& hal, const hal::SocInfo& info) {
        try {
          sw::IrqDispatcher irq(hal, info);
          sw::DmaDriver dma(hal, info, irq);
          const uint32_t src = info.dram_base + 0x1000, dst = info.dram_base + 0x3000;
          std::vector<int8_t> data = random_int8(1000, 5);
          hal.write_block(src, data.data(), data.size());

          sw::DmaJob bad;
          bad.src = src;
          bad.dst = kUnmapped;
          bad.row_bytes = 1000;
          dma.start(0, bad);
          try {
            dma.wait(0);
          } catch (const sw::DmaError& e) {
            threw = true;
            code = e.code;
            address = e.address;
            channel = e.channel;
          }

          sw::DmaJob good = bad;
          good.dst = dst;
          dma.start(0, good);
          dma.wait(0);
          std::vector<int8_t> back(data.size());
          hal.read_block(dst, back.data(), back.size());
          good_matches = back == data;
        } catch (const std::exception& e) {
          unexpected = e.what();
        }
      },
      failure);
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_TRUE(unexpected.empty()) << unexpected;
  ASSERT_TRUE(threw) << "the DMA job into unmapped space did not raise DmaError";
  EXPECT_EQ(code, regs::dma::kErrWriteBus);
  EXPECT_EQ(channel, 0u);
  EXPECT_GE(address, kUnmapped);
  EXPECT_LT(address, kUnmapped + 1000);
  EXPECT_TRUE(good_matches) << "the good DMA job after the error did not copy the data";
}

}  // namespace
}  // namespace minconv::regression
