// A conv layer followed by a pool of non-overlapping windows runs as one layer on the accelerator (the pool
// in the output path, docs/accelerator.md "Pooling"): only the pooled tensor reaches DRAM. Checked on the
// whole SoC for both PE kinds on several shapes, arrays and buffer sizes (many tiles, partial windows at the
// edges dropped), against golden conv then golden pool, bit for bit.
#include <gtest/gtest.h>

#include <tuple>

#include "tests/regression/layer_harness.h"

namespace minconv::regression {
namespace {

struct PoolCase {
  LayerCase conv;
  golden::LayerType pool = golden::LayerType::kMaxPool;
  int k = 2;
};
void PrintTo(const PoolCase& c, std::ostream* os) { *os << c.conv.name; }

PoolCase pooled(const char* name, int h, int w, int c, int oc, int kernel, int stride, int pad, bool relu,
                golden::LayerType pool, int k) {
  PoolCase p;
  p.conv.name = name;
  p.conv.in_h = h;
  p.conv.in_w = w;
  p.conv.in_c = c;
  p.conv.out_c = oc;
  p.conv.kh = p.conv.kw = kernel;
  p.conv.stride = stride;
  p.conv.pad_top = p.conv.pad_left = p.conv.pad_bottom = p.conv.pad_right = pad;
  p.conv.relu = relu;
  p.pool = pool;
  p.k = k;
  return p;
}
PoolCase on(PoolCase p, unsigned rows, unsigned cols, uint32_t in_buf, uint32_t wt_buf, uint32_t out_buf) {
  p.conv.rows = rows;
  p.conv.cols = cols;
  p.conv.in_buf = in_buf;
  p.conv.wt_buf = wt_buf;
  p.conv.out_buf = out_buf;
  return p;
}

std::vector<PoolCase> cases() {
  using golden::LayerType;
  std::vector<PoolCase> v = {
      pooled("max2_k3p1_16x16x8_to16", 16, 16, 8, 16, 3, 1, 1, true, LayerType::kMaxPool, 2),
      pooled("avg2_k3p1_16x16x8_to16", 16, 16, 8, 16, 3, 1, 1, false, LayerType::kAvgPool, 2),
      pooled("max3_k3s2p1_31x29x5_to12", 31, 29, 5, 12, 3, 2, 1, false, LayerType::kMaxPool, 3),
      pooled("avg4_k1_17x19x6_to9_edges_dropped", 17, 19, 6, 9, 1, 1, 0, true, LayerType::kAvgPool, 4),
      on(pooled("max2_small_buf_k5p2_20x20x8_to24", 20, 20, 8, 24, 5, 1, 2, true, LayerType::kMaxPool, 2), 0,
         0, 2048, 4096, 1024),
      on(pooled("avg2_small_out_buf_k3p1_24x24x4_to32", 24, 24, 4, 32, 3, 1, 1, false, LayerType::kAvgPool,
                2),
         0, 0, 0, 0, 1024),
      on(pooled("max2_arr4x4_k3p1_13x17x8_to12", 13, 17, 8, 12, 3, 1, 1, false, LayerType::kMaxPool, 2), 4, 4,
         0, 0, 0),
      on(pooled("avg3_arr16x8_k3p1_15x14x8_to20", 15, 14, 8, 20, 3, 1, 1, true, LayerType::kAvgPool, 3), 16,
         8, 0, 0, 0),
      // reduction splitting (a 3x3x160 window does not fit the 1 KiB input half): pooling on the last slice
      on(pooled("max2_split_k3p1_10x10x160_to12", 10, 10, 160, 12, 3, 1, 1, true, LayerType::kMaxPool, 2), 0,
         0, 2048, 0, 0),
      on(pooled("avg2_split_k3p1_8x12x130_to10", 8, 12, 130, 10, 3, 1, 1, false, LayerType::kAvgPool, 2), 0,
         0, 2048, 0, 0),
  };
  for (std::size_t i = 0; i < v.size(); ++i) v[i].conv.seed = static_cast<uint32_t>(2000 + i);
  return v;
}

// The conv under test, then the pool, then the harness's raw 1x1 tail.
golden::QuantModel with_pool(golden::QuantModel m, const PoolCase& c) {
  golden::QuantLayer p;
  p.type = c.pool;
  p.name = "pool";
  p.k = p.stride = c.k;
  m.layers.insert(m.layers.begin() + 1, p);
  return m;
}

class PoolFusion : public ::testing::TestWithParam<std::tuple<PoolCase, int>> {};

TEST_P(PoolFusion, PooledOutputMatchesGoldenConvThenPool) {
  const PoolCase& c = std::get<0>(GetParam());
  const golden::PeKind pe = pe_of(std::get<1>(GetParam()));
  const golden::Tensor8 input = make_input(c.conv);
  const golden::QuantModel model = with_pool(make_layer_model(c.conv, pe, input), c);
  const std::vector<golden::LayerOutput> expected = golden::run_int8(model, input);
  ASSERT_TRUE(well_spread(expected[0].q, c.conv.relu)) << "test data of " << c.conv.name;

  const SocRun run = run_on_soc(make_config(c.conv, pe), model, input);
  ASSERT_TRUE(run.finished) << run.why;
  ASSERT_EQ(run.exit_code, 0) << run.why;
  ASSERT_EQ(run.report.layers.size(), 3u);
  const sw::LayerReport& conv = run.report.layers[0];
  const sw::LayerReport& pool = run.report.layers[1];
  EXPECT_FALSE(conv.output_in_dram);
  EXPECT_TRUE(pool.fused);
  EXPECT_TRUE(pool.on_accel);
  EXPECT_EQ(pool.cpu_cycles, 0u);
  EXPECT_TRUE(same_int8(expected[1].q, run.outputs[1])) << "pooled output";
  EXPECT_TRUE(same_int32(expected[2].raw, run.outputs[2])) << "tail layer";

  // Only conv outputs that some window reads are computed; every one is merged into the pooling unit.
  const golden::Tensor8& out = expected[1].q;
  const uint64_t computed = uint64_t(out.h * c.k) * (out.w * c.k) * out.c;
  const golden::QuantLayer& l = model.layers[0];
  EXPECT_EQ(conv.macs, computed * l.geometry.kh * l.geometry.kw * l.in_c);
  EXPECT_EQ(conv.accel.active, conv.macs);
  const bool avg = c.pool == golden::LayerType::kAvgPool;
  // With reduction splitting every slice but the last also writes each output's int32 partial sum.
  const uint64_t partials = 4 * computed * (conv.slices - 1);
  EXPECT_EQ(conv.accel.buf_write, (avg ? 4 * computed + out.size() : computed) + partials);
  if (c.conv.name.find("_split_") != std::string::npos) {
    EXPECT_GT(conv.slices, 1u) << "the case must split";
  }
  // The pooled tensor is written to DRAM once (plus the DMA descriptor lists the CPU writes), or, when the
  // tail reads it whole from the input buffer (output reuse), not at all.
  const uint64_t to_dram = pool.output_on_chip ? 0 : out.size();
  EXPECT_GE(conv.dram_write_bytes, to_dram);
  EXPECT_LT(conv.dram_write_bytes, to_dram + 40 * 3 * conv.tiles + 1);
}

INSTANTIATE_TEST_SUITE_P(Shapes, PoolFusion,
                         ::testing::Combine(::testing::ValuesIn(cases()), ::testing::Values(0, 1)),
                         [](const ::testing::TestParamInfo<PoolFusion::ParamType>& info) {
                           return std::get<0>(info.param).conv.name + "_" +
                                  pe_name(pe_of(std::get<1>(info.param)));
                         });

}  // namespace
}  // namespace minconv::regression
