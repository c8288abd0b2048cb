// A small multi-layer model (conv -> maxpool -> conv -> avgpool -> fc raw) on the whole SoC, every layer's
// DRAM output compared bit for bit with golden run_int8, for both PE kinds.
#include <gtest/gtest.h>

#include <tuple>

#include "tests/regression/layer_harness.h"

namespace minconv::regression {
namespace {

golden::QuantLayer compute_layer(golden::LayerType type, const char* name, int in_c, int out_c, int k,
                                 int pad, bool relu, bool raw, uint32_t seed) {
  golden::QuantLayer l;
  l.type = type;
  l.name = name;
  l.in_c = in_c;
  l.out_c = out_c;
  l.geometry.kh = l.geometry.kw = k;
  l.geometry.pad_top = l.geometry.pad_left = l.geometry.pad_bottom = l.geometry.pad_right = pad;
  l.relu = relu;
  l.raw_output = raw;
  l.weights = random_int8(static_cast<std::size_t>(out_c) * k * k * in_c, seed);
  return l;
}
golden::QuantLayer pool(golden::LayerType type, const char* name, int k, int stride) {
  golden::QuantLayer l;
  l.type = type;
  l.name = name;
  l.k = k;
  l.stride = stride;
  return l;
}

// conv 3x3 p1 14x13x3 -> 14x13x12 relu, maxpool 2/2 -> 7x6x12, conv 3x3 p0 -> 5x4x20 relu,
// avgpool 2/1 -> 4x3x20, fc 240 -> 10 raw. Post-scales are chosen layer by layer from the golden
// activations so every int8 layer spreads its outputs.
golden::QuantModel small_model(golden::PeKind pe, const golden::Tensor8& input) {
  golden::QuantModel m;
  m.pe = pe;
  m.input = {input.h, input.w, input.c};
  m.layers.push_back(compute_layer(golden::LayerType::kConv, "conv1", 3, 12, 3, 1, true, false, 21));
  m.layers.push_back(pool(golden::LayerType::kMaxPool, "pool1", 2, 2));
  m.layers.push_back(compute_layer(golden::LayerType::kConv, "conv2", 12, 20, 3, 0, true, false, 22));
  m.layers.push_back(pool(golden::LayerType::kAvgPool, "pool2", 2, 1));
  m.layers.push_back(compute_layer(golden::LayerType::kFc, "fc", 4 * 3 * 20, 10, 1, 0, false, true, 23));
  golden::Tensor8 x = input;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    golden::QuantLayer& l = m.layers[i];
    switch (l.type) {
      case golden::LayerType::kConv:
        choose_post_scales(l, pe, x, 30 + static_cast<uint32_t>(i));
        x = golden::conv2d_int8(pe, x, l.weights, l.out_c, l.geometry, l.post, l.relu);
        break;
      case golden::LayerType::kMaxPool:
        x = golden::maxpool_int8(x, l.k, l.stride);
        break;
      case golden::LayerType::kAvgPool:
        x = golden::avgpool_int8(x, l.k, l.stride);
        break;
      case golden::LayerType::kFc: {
        golden::Tensor8 flat(1, 1, static_cast<int>(x.size()));
        flat.data = x.data;
        choose_post_scales(l, pe, flat, 30 + static_cast<uint32_t>(i));
        break;
      }
    }
  }
  return m;
}

// Parameter: PE kind index, and whether the accelerator has its pooling unit (accel.pooling). With it,
// conv1's maxpool 2/2 runs in conv1's tiles (only the pooled tensor reaches DRAM); avgpool 2/1 (overlapping
// windows) stays on the CPU either way.
// Third parameter: output reuse (runtime.reuse_outputs); with the pooling unit, pool1's 7x6x12 output is
// then conv2's one input block and stays in the input buffer.
class SmallModel : public ::testing::TestWithParam<std::tuple<int, bool, bool>> {};

TEST_P(SmallModel, EveryLayerMatchesRunInt8) {
  const golden::PeKind pe = pe_of(std::get<0>(GetParam()));
  const bool pooling = std::get<1>(GetParam());
  const bool reuse = std::get<2>(GetParam());
  golden::Tensor8 input(14, 13, 3);
  input.data = random_int8(input.size(), 77);
  const golden::QuantModel model = small_model(pe, input);
  const std::vector<golden::LayerOutput> expected = golden::run_int8(model, input);
  EXPECT_TRUE(well_spread(expected[0].q, true));
  EXPECT_TRUE(well_spread(expected[2].q, true));

  platform::SocConfig config = make_config(pe);
  config.accel->pooling = pooling;
  config.runtime.reuse_outputs = reuse;
  const SocRun run = run_on_soc(config, model, input);
  ASSERT_TRUE(run.finished) << run.why;
  ASSERT_EQ(run.exit_code, 0) << run.why;
  ASSERT_EQ(run.outputs.size(), model.layers.size());
  ASSERT_EQ(run.report.layers.size(), model.layers.size());
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const golden::QuantLayer& l = model.layers[i];
    const sw::LayerReport& r = run.report.layers[i];
    const bool pooled_on_chip = pooling && i == 0;  // conv1: its output never leaves the accelerator
    const bool fused = pooling && i == 1;           // pool1: ran in conv1's tiles
    const bool on_chip = reuse && fused;            // pool1's output: conv2's input, in the input buffer
    EXPECT_EQ(r.output_in_dram, !pooled_on_chip && !on_chip) << l.name;
    EXPECT_EQ(r.output_on_chip, on_chip) << l.name;
    EXPECT_EQ(r.fused, fused) << l.name;
    if (expected[i].is_raw) {
      EXPECT_TRUE(same_int32(expected[i].raw, run.outputs[i])) << "layer " << l.name;
    } else if (!pooled_on_chip) {
      EXPECT_TRUE(same_int8(expected[i].q, run.outputs[i])) << "layer " << l.name;
    }
    const bool compute = l.type == golden::LayerType::kConv || l.type == golden::LayerType::kFc;
    EXPECT_EQ(r.name, l.name);
    EXPECT_EQ(r.on_accel, compute || fused) << l.name;
    EXPECT_EQ(r.cpu_cycles > 0, !fused) << l.name;
    if (compute) {
      // With the pool fused, only the conv outputs some 2x2 window reads are computed (14 x 12 of 14 x 13).
      const golden::Tensor8& q = pooled_on_chip ? expected[1].q : expected[i].q;
      const int unit = pooled_on_chip ? 2 : 1;
      const uint64_t outs = uint64_t(l.out_c) * (expected[i].is_raw ? 1 : (q.h * unit) * (q.w * unit));
      const uint64_t macs = outs * l.geometry.kh * l.geometry.kw * l.in_c;
      EXPECT_EQ(r.macs, macs) << l.name;
      EXPECT_EQ(r.accel.active, macs) << l.name;
      EXPECT_EQ(r.accel.tiles, r.tiles) << l.name;
      EXPECT_GE(r.tiles, 1u) << l.name;
      // What reaches DRAM: the pooled tensor when the pool is fused, else the layer's own output; nothing
      // (but DMA descriptor lists) when it stays on chip.
      const uint64_t out_bytes =
          pooled_on_chip ? expected[1].q.size()
                         : (expected[i].is_raw ? 4 * expected[i].raw.size() : expected[i].q.size());
      if (reuse && pooled_on_chip) {
        EXPECT_LT(r.dram_write_bytes, out_bytes) << l.name;
      } else {
        EXPECT_GE(r.dram_write_bytes, out_bytes) << l.name;
      }
    } else {
      EXPECT_EQ(r.tiles, 0u) << l.name;
      EXPECT_EQ(r.accel.tiles, 0u) << l.name;
      EXPECT_EQ(r.dram_write_bytes, fused ? 0u : expected[i].q.size()) << l.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothPeKinds, SmallModel,
                         ::testing::Combine(::testing::Values(0, 1), ::testing::Bool(), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<int, bool, bool>>& info) {
                           return std::string(pe_name(pe_of(std::get<0>(info.param)))) +
                                  (std::get<1>(info.param) ? "_pooling_unit" : "_pools_on_cpu") +
                                  (std::get<2>(info.param) ? "_reuse" : "_no_reuse");
                         });

}  // namespace
}  // namespace minconv::regression
