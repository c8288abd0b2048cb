// Co-simulation at the accelerator level: tiles of several shapes run with engine: rtl (the Verilated PE
// array behind the bridge, checked tile by tile against the C++ engine) and are compared with the golden
// model. One array configuration per process (SystemC elaborates once).
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "accel/accelerator.h"
#include "accel/engine/rtl_tile_engine.h"
#include "platform/config/yaml_map.h"
#include "tests/accel/accel_bench.h"
#include "tests/accel/accel_test_util.h"
#include "tests/common/test_initiator.h"

namespace minconv::accel {
namespace {

namespace ra = regs::accel;

using test::Bench;

struct TileCase {
  const char* name;
  int in_h, in_w, in_c, k, stride, pad, out_c;
  bool relu, raw;
};

// Odd shapes, partial channel and pixel folds, stride 2, padding, 1x1, fully connected with raw output, a
// reduction shorter than the array's side.
const TileCase kTiles[] = {
    {"conv3x3_pad1_odd", 7, 5, 3, 3, 1, 1, 5, false, false},
    {"conv5x5_stride2_pad2", 9, 9, 2, 5, 2, 2, 9, true, false},
    {"conv1x1_partial", 3, 5, 17, 1, 1, 0, 13, false, false},
    {"conv3x3_stride2_nopad", 8, 6, 4, 3, 2, 0, 6, false, true},
    {"fc_raw_relu", 1, 1, 37, 1, 1, 0, 11, true, true},
    {"conv1x1_short_k", 4, 5, 3, 1, 1, 0, 10, false, false},  // K = 3 < R, C: folds every max(R, C) cycles
};

// Reads the tile's outputs from the output buffer and compares them bit for bit with the golden model.
void expect_outputs_match_golden(Bench& b, const AccelParams& p, PeKind pe, const TileCase& tc,
                                 const golden::Tensor8& input, const std::vector<int8_t>& weights,
                                 const std::vector<ra::PostScale>& post) {
  const golden::ConvGeometry g{tc.k, tc.k, tc.stride, tc.stride, tc.pad, tc.pad, tc.pad, tc.pad};
  const size_t pixels = size_t(g.out_h(input.h)) * g.out_w(input.w);
  const size_t n_out = pixels * tc.out_c;
  std::vector<uint8_t> out(n_out * (tc.raw ? 4 : 1));
  ASSERT_EQ(b.sram.read(p.out_buf_offset(), out.data(), unsigned(out.size())), tlm::TLM_OK_RESPONSE);
  if (tc.raw) {
    const golden::Tensor32 want =
        golden::conv2d_raw(pe, input, weights, tc.out_c, g, test::to_golden(post), tc.relu);
    std::vector<int32_t> got(n_out);
    std::memcpy(got.data(), out.data(), out.size());
    EXPECT_EQ(got, want.data);
  } else {
    const golden::Tensor8 want =
        golden::conv2d_int8(pe, input, weights, tc.out_c, g, test::to_golden(post), tc.relu);
    std::vector<int8_t> got(n_out);
    std::memcpy(got.data(), out.data(), out.size());
    EXPECT_EQ(got, want.data);
  }
}

void run_tiles(PeKind pe, unsigned n) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DISPLAY | sc_core::SC_LOG);
  AccelParams p;
  p.pe = pe;
  p.rows = n;
  p.cols = n;
  p.engine = EngineKind::kRtl;
  Bench b(p);
  std::mt19937 rng(1234 + n + (pe == PeKind::kMul ? 7 : 0));
  uint64_t total_folds = 0, total_array_cycles = 0;
  for (const TileCase& tc : kTiles) {
    SCOPED_TRACE(tc.name);
    golden::Tensor8 input(tc.in_h, tc.in_w, tc.in_c);
    input.data = test::random_int8(rng, input.size());
    const golden::ConvGeometry g{tc.k, tc.k, tc.stride, tc.stride, tc.pad, tc.pad, tc.pad, tc.pad};
    const std::vector<int8_t> weights = test::random_int8(rng, size_t(tc.out_c) * tc.k * tc.k * tc.in_c);
    const std::vector<ra::PostScale> post = test::random_post(rng, tc.out_c, pe);
    const int out_h = g.out_h(input.h), out_w = g.out_w(input.w);
    const unsigned K = unsigned(tc.k * tc.k * tc.in_c), pixels = unsigned(out_h * out_w);

    ASSERT_EQ(b.sram.write(p.in_buf_offset(), input.data.data(), unsigned(input.size())),
              tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(b.sram.write(p.wt_buf_offset(), weights.data(), unsigned(weights.size())),
              tlm::TLM_OK_RESPONSE);
    const uint32_t q_addr = uint32_t((weights.size() + 15) / 16 * 16);
    ASSERT_EQ(b.sram.write(p.wt_buf_offset() + q_addr, post.data(), unsigned(post.size() * 12)),
              tlm::TLM_OK_RESPONSE);
    ra::TileDesc d;
    d.in_h = uint32_t(input.h);
    d.in_w = uint32_t(input.w);
    d.in_c = uint32_t(input.c);
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = uint32_t(tc.pad);
    d.kh = d.kw = uint32_t(tc.k);
    d.stride_h = d.stride_w = uint32_t(tc.stride);
    d.out_h = uint32_t(out_h);
    d.out_w = uint32_t(out_w);
    d.out_c = uint32_t(tc.out_c);
    d.q_addr = q_addr;
    d.relu = tc.relu;
    d.raw_output = tc.raw;
    test::write_descriptor([&b](uint32_t offset, uint32_t value) { b.wr(offset, value); }, d);
    b.wr(ra::kCtrl, ra::kCtrlResetCounters);
    b.wr(ra::kCtrl, ra::kCtrlStart);
    const sc_core::sc_time start_at = sc_core::sc_time_stamp() + b.csr.last_delay();
    sc_core::sc_start();  // the gated array clock stops after the tile: the simulation runs out of events

    // Time and busy counter: T_tile (docs/accelerator.md), exactly as with the C++ engine: folds back to back
    // every P = max(K, R, C) cycles, the last one K + R + C - 1 cycles to its last row, 4 + 3 around them.
    const uint64_t folds = ((unsigned(tc.out_c) + n - 1) / n) * ((pixels + n - 1) / n);
    const uint64_t P = K > n ? K : n;
    const uint64_t array_cycles = (folds - 1) * P + (K + n + n - 1);
    const uint64_t cycles = 4 + array_cycles + 3;
    EXPECT_EQ(Accelerator::tile_cycles(p, K, unsigned(tc.out_c), pixels), cycles);
    EXPECT_EQ(b.counter(ra::kCntBusyLo), cycles);
    EXPECT_EQ(b.counter(ra::kCntFoldsLo), folds);
    EXPECT_EQ(sc_core::sc_time_stamp(), start_at + b.accel.clock_period() * double(cycles));
    EXPECT_EQ(b.rd(ra::kStatus), ra::kStatusDone);
    b.wr(ra::kStatus, ra::kStatusDone);
    total_folds += folds;
    total_array_cycles += array_cycles;

    expect_outputs_match_golden(b, p, pe, tc, input, weights, post);
  }
  // Every fold ran on the RTL array and was compared; no mismatch, no error report.
  const nlohmann::json cosim = b.accel.engine_stats();
  ASSERT_FALSE(cosim.is_null());
  EXPECT_EQ(cosim["tiles"].get<uint64_t>(), std::size(kTiles));
  EXPECT_EQ(cosim["folds"].get<uint64_t>(), total_folds);
  EXPECT_EQ(cosim["mismatches"].get<uint64_t>(), 0u);
  EXPECT_EQ(cosim["array_cycles"].get<uint64_t>(), total_array_cycles);  // counted by the bridge on the RTL
  EXPECT_EQ(b.accel.stats_json()["cosim"], cosim);
  EXPECT_EQ(sc_core::sc_report_handler::get_count(sc_core::SC_ERROR), 0u);
}

TEST(CosimAccel, Min4x4TilesBitExactAndCycleExact) { run_tiles(PeKind::kMin, 4); }
TEST(CosimAccel, Mul4x4TilesBitExactAndCycleExact) { run_tiles(PeKind::kMul, 4); }
TEST(CosimAccel, Min8x8TilesBitExactAndCycleExact) { run_tiles(PeKind::kMin, 8); }
TEST(CosimAccel, Mul8x8TilesBitExactAndCycleExact) { run_tiles(PeKind::kMul, 8); }

// The check itself: a wrong output or a wrong cycle count is found and named.
TEST(CosimAccel, DifferenceNamesFirstOutputAndCycleCounts) {
  TileJob job;
  job.desc.in_h = job.desc.in_w = 4;
  job.desc.in_c = 2;
  job.desc.kh = job.desc.kw = 3;
  job.desc.stride_h = job.desc.stride_w = 1;
  job.desc.out_h = job.desc.out_w = 2;
  job.desc.out_c = 6;
  job.desc.raw_output = true;
  job.array = ArrayShape{PeKind::kMin, 4, 4};
  std::mt19937 rng(3);
  job.input = test::random_int8(rng, job.desc.input_bytes());
  job.weights = test::random_int8(rng, job.desc.weight_bytes());
  job.post = test::random_post(rng, 6, PeKind::kMin);
  const TileResult cpp = CppTileEngine().run(job);
  ASSERT_EQ(cpp.counters.folds, 2u);
  const uint64_t array_cyc = 18 + (18 + 4 + 4 - 1);  // K = 18: P = 18, then K + R + C - 1
  EXPECT_EQ(cosim_difference(job.desc, 4, 4, cpp, array_cyc, cpp), "");

  TileResult bad = cpp;
  int32_t v = 0;
  std::memcpy(&v, &bad.output[4 * 7], 4);
  const int32_t wrong = v + 1;
  std::memcpy(&bad.output[4 * 7], &wrong, 4);
  EXPECT_EQ(cosim_difference(job.desc, 4, 4, bad, array_cyc, cpp),
            "output 7 (pixel 1, channel 1): RTL " + std::to_string(wrong) + ", C++ " + std::to_string(v));
  const std::string cyc = cosim_difference(job.desc, 4, 4, cpp, array_cyc + 1, cpp);
  EXPECT_NE(cyc.find("cycle count: the RTL array took " + std::to_string(array_cyc + 1) +
                     " cycles, the C++ engine's folds " + std::to_string(array_cyc)),
            std::string::npos)
      << cyc;
  // The non-overlapped timing (every fold paying K + 2R + C - 2) is a difference.
  EXPECT_NE(cosim_difference(job.desc, 4, 4, cpp, 2 * (18 + 8 + 4 - 2), cpp), "");
}

TEST(CosimAccel, UnsupportedArrayIsAConfigErrorListingTheModels) {
  AccelParams p;
  p.rows = 5;
  p.cols = 7;
  p.engine = EngineKind::kRtl;
  try {
    Accelerator a("accel", p);
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("rows 5, cols 7"), std::string::npos) << what;
    EXPECT_NE(what.find(rtl::supported_configs_string()), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace minconv::accel
