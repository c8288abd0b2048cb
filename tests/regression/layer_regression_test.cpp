// One conv/fc layer per test, on the whole SoC (CPU stub -> runtime -> driver -> DMA + accelerator), for
// both PE kinds; the DRAM output is compared bit for bit with the golden model and the layer report is
// checked for consistency.
#include <gtest/gtest.h>

#include <tuple>

#include "tests/regression/layer_harness.h"

namespace minconv::regression {
namespace {

// conv: name, input h x w x c, output channels, kernel k x k, stride, padding top/left/bottom/right, relu.
LayerCase conv(const char* name, int h, int w, int c, int oc, int k, int s, int pt, int pl, int pb, int pr,
               bool relu) {
  LayerCase x;
  x.name = name;
  x.in_h = h;
  x.in_w = w;
  x.in_c = c;
  x.out_c = oc;
  x.kh = x.kw = k;
  x.stride = s;
  x.pad_top = pt;
  x.pad_left = pl;
  x.pad_bottom = pb;
  x.pad_right = pr;
  x.relu = relu;
  return x;
}
LayerCase fc(const char* name, int h, int w, int c, int n, bool relu, bool raw) {
  LayerCase x;
  x.name = name;
  x.in_h = h;
  x.in_w = w;
  x.in_c = c;
  x.out_c = n;
  x.fc = true;
  x.relu = relu;
  x.raw = raw;
  return x;
}
LayerCase raw(LayerCase x) {
  x.raw = true;
  return x;
}
// A smaller accelerator: array rows x cols, buffers of in/wt/out bytes (0: default).
LayerCase on(LayerCase x, unsigned rows, unsigned cols, uint32_t in, uint32_t wt, uint32_t out) {
  x.rows = rows;
  x.cols = cols;
  x.in_buf = in;
  x.wt_buf = wt;
  x.out_buf = out;
  return x;
}

std::vector<LayerCase> cases() {
  std::vector<LayerCase> v = {
      // 1x1 kernels
      conv("k1s1_8x8x3_to8", 8, 8, 3, 8, 1, 1, 0, 0, 0, 0, false),
      conv("k1s2_13x17x16_to24", 13, 17, 16, 24, 1, 2, 0, 0, 0, 0, true),
      conv("k1s1_31x9x64_to64", 31, 9, 64, 64, 1, 1, 0, 0, 0, 0, true),
      conv("k1s1_1x1x64_to64", 1, 1, 64, 64, 1, 1, 0, 0, 0, 0, false),
      // 3x3
      conv("k3s1p1_28x28x1_to8", 28, 28, 1, 8, 3, 1, 1, 1, 1, 1, true),
      conv("k3s1p0_13x17x3_to5", 13, 17, 3, 5, 3, 1, 0, 0, 0, 0, false),
      conv("k3s2p1_13x17x8_to16", 13, 17, 8, 16, 3, 2, 1, 1, 1, 1, false),
      conv("k3s2p0_31x9x4_to12", 31, 9, 4, 12, 3, 2, 0, 0, 0, 0, true),
      conv("k3s1p2_10x10x2_to3", 10, 10, 2, 3, 3, 1, 2, 2, 2, 2, false),
      conv("k3s1_t0l1b2r1_15x11x6_to10", 15, 11, 6, 10, 3, 1, 0, 1, 2, 1, false),
      conv("k3s1_t0l0b2r2_9x12x5_to7", 9, 12, 5, 7, 3, 1, 0, 0, 2, 2, true),
      conv("k3s1p1_26x26x16_to32", 26, 26, 16, 32, 3, 1, 1, 1, 1, 1, true),
      conv("k3s1p1_32x32x64_to64", 32, 32, 64, 64, 3, 1, 1, 1, 1, 1, true),
      conv("k3s1p1_5x5x1_to1", 5, 5, 1, 1, 3, 1, 1, 1, 1, 1, false),
      conv("k3s1p1_1x1x4_to3", 1, 1, 4, 3, 3, 1, 1, 1, 1, 1, false),
      conv("k3s2p1_7x7x33_to17", 7, 7, 33, 17, 3, 2, 1, 1, 1, 1, false),
      conv("k3s1p1_3x64x4_to8", 3, 64, 4, 8, 3, 1, 1, 1, 1, 1, false),
      conv("k3s1p1_64x3x4_to8", 64, 3, 4, 8, 3, 1, 1, 1, 1, 1, true),
      // 5x5
      conv("k5s1p2_28x28x1_to6", 28, 28, 1, 6, 5, 1, 2, 2, 2, 2, true),
      conv("k5s1p0_14x14x6_to16", 14, 14, 6, 16, 5, 1, 0, 0, 0, 0, true),
      conv("k5s2p2_17x13x3_to7", 17, 13, 3, 7, 5, 2, 2, 2, 2, 2, false),
      conv("k5s1p3_9x9x2_to4", 9, 9, 2, 4, 5, 1, 3, 3, 3, 3, false),
      conv("k5s2p3_21x19x5_to9", 21, 19, 5, 9, 5, 2, 3, 3, 3, 3, true),
      conv("k5s1_t3l0b1r2_12x15x4_to6", 12, 15, 4, 6, 5, 1, 3, 0, 1, 2, false),
      conv("k5s1_t3l3b0r0_11x10x3_to5", 11, 10, 3, 5, 5, 1, 3, 3, 0, 0, false),
      conv("k5s1p1_11x11x9_to64", 11, 11, 9, 64, 5, 1, 1, 1, 1, 1, false),
      conv("k5s3p2_20x23x4_to8", 20, 23, 4, 8, 5, 3, 2, 2, 2, 2, false),
      // 7x7
      conv("k7s1p3_16x16x3_to8", 16, 16, 3, 8, 7, 1, 3, 3, 3, 3, true),
      conv("k7s2p3_31x9x3_to16", 31, 9, 3, 16, 7, 2, 3, 3, 3, 3, false),
      conv("k7s1p0_13x17x1_to1", 13, 17, 1, 1, 7, 1, 0, 0, 0, 0, false),
      conv("k7s2_t2l3b0r1_23x20x2_to5", 23, 20, 2, 5, 7, 2, 2, 3, 0, 1, false),
      conv("k7s1p3_7x7x64_to3", 7, 7, 64, 3, 7, 1, 3, 3, 3, 3, false),
      conv("k7s4p3_29x29x3_to10", 29, 29, 3, 10, 7, 4, 3, 3, 3, 3, true),
      // raw int32 conv output
      raw(conv("k3s1p1_raw_9x9x4_to6", 9, 9, 4, 6, 3, 1, 1, 1, 1, 1, false)),
      raw(conv("k3s2p1_raw_relu_13x11x8_to10", 13, 11, 8, 10, 3, 2, 1, 1, 1, 1, true)),
      // small buffers (more tiling, channel chunks) and other array shapes
      on(conv("k3s1p1_small_buf_24x24x16_to32", 24, 24, 16, 32, 3, 1, 1, 1, 1, 1, true), 0, 0, 4096, 4096,
         2048),
      on(conv("k5s1p2_small_buf_20x20x8_to24", 20, 20, 8, 24, 5, 1, 2, 2, 2, 2, false), 0, 0, 2048, 4096,
         1024),
      on(conv("k3s1p1_arr4x4_13x17x8_to12", 13, 17, 8, 12, 3, 1, 1, 1, 1, 1, false), 4, 4, 0, 0, 0),
      on(conv("k3s1p1_arr16x8_13x17x8_to20", 13, 17, 8, 20, 3, 1, 1, 1, 1, 1, true), 16, 8, 0, 0, 0),
      on(conv("k7s2p3_arr4x4_small_buf_31x9x5_to11", 31, 9, 5, 11, 7, 2, 3, 3, 3, 3, false), 4, 4, 2048, 2048,
         1024),
      // fully connected
      fc("fc_2000_to_100", 1, 1, 2000, 100, true, false),
      fc("fc_2000_to_100_raw", 1, 1, 2000, 100, false, true),
      fc("fc_5x5x16_to_120", 5, 5, 16, 120, true, false),
      fc("fc_84_to_10_raw", 1, 1, 84, 10, false, true),
      fc("fc_64_to_1", 1, 1, 64, 1, false, false),
      fc("fc_3_to_64", 1, 1, 3, 64, false, false),
      fc("fc_4608_to_37_raw_relu", 1, 1, 4608, 37, true, true),
      on(fc("fc_arr16x8_300_to_50", 1, 1, 300, 50, false, false), 16, 8, 0, 0, 0),
      // reduction splitting: not even one output's window fits half the input buffer (1 KiB), so the input
      // channels are cut into slices whose int32 partial sums stay in the output buffer
      on(conv("k3s1p1_split_9x9x200_to16", 9, 9, 200, 16, 3, 1, 1, 1, 1, 1, true), 0, 0, 2048, 0, 0),
      on(conv("k3s2p1_split_arr4x4_11x7x150_to9", 11, 7, 150, 9, 3, 2, 1, 1, 1, 1, false), 4, 4, 2048, 8192,
         1024),
      on(fc("fc_split_3000_to_20", 1, 1, 3000, 20, true, false), 0, 0, 2048, 0, 0),
      on(fc("fc_split_2500_to_12_raw", 1, 1, 2500, 12, false, true), 0, 0, 2048, 0, 0),
  };
  for (std::size_t i = 0; i < v.size(); ++i) v[i].seed = static_cast<uint32_t>(1000 + i);
  return v;
}

class LayerRegression : public ::testing::TestWithParam<std::tuple<LayerCase, int>> {};

TEST_P(LayerRegression, MatchesGoldenBitForBit) {
  const LayerCase& c = std::get<0>(GetParam());
  const golden::PeKind pe = pe_of(std::get<1>(GetParam()));
  const golden::Tensor8 input = make_input(c);
  const golden::QuantModel model = make_layer_model(c, pe, input);
  const golden::LayerOutput expected = golden_layer(model, input);
  if (!c.raw) {
    ASSERT_TRUE(well_spread(expected.q, c.relu)) << "test data of " << c.name;
  }

  // The layer's round trip through DRAM: output reuse off (the tail could read the output on chip; the
  // pool-fusion and model tests cover reuse).
  platform::SocConfig config = make_config(c, pe);
  config.runtime.reuse_outputs = false;
  const SocRun run = run_on_soc(config, model, input);
  ASSERT_TRUE(run.finished) << run.why;
  ASSERT_EQ(run.exit_code, 0) << run.why;
  ASSERT_EQ(run.outputs.size(), model.layers.size());
  if (c.raw) {
    EXPECT_TRUE(same_int32(expected.raw, run.outputs[0]));
  } else {
    EXPECT_TRUE(same_int8(expected.q, run.outputs[0]));
    EXPECT_TRUE(same_int32(golden::run_int8(model, input).back().raw, run.outputs[1])) << "tail layer";
  }

  ASSERT_EQ(run.report.layers.size(), model.layers.size());
  const sw::LayerReport& r = run.report.layers[0];
  const golden::QuantLayer& l = model.layers[0];
  const uint64_t out_pixels = c.raw ? expected.raw.size() : expected.q.size();
  const uint64_t macs = out_pixels * l.geometry.kh * l.geometry.kw * l.in_c;
  EXPECT_TRUE(r.on_accel);
  EXPECT_EQ(r.type, c.fc ? "fc" : "conv");
  EXPECT_EQ(r.macs, macs);
  EXPECT_EQ(r.accel.active, macs);
  EXPECT_EQ(r.accel.tiles, r.tiles);
  EXPECT_GE(r.tiles, 1u);
  // Weights larger than half the weight buffer must have been split into several tiles.
  if (l.weights.size() > run.report.caps.wt_bytes / 2) {
    EXPECT_GT(r.tiles, 1u);
  }
  EXPECT_GT(r.accel.busy, 0u);
  EXPECT_GT(r.cpu_cycles, 0u);
  EXPECT_GE(r.accel.folds, r.tiles);
  // Every output is written once; with reduction splitting every slice but the last also writes each
  // output's int32 partial sum.
  EXPECT_EQ(r.accel.buf_write, out_pixels * (c.raw ? 4 : 1) + (r.slices - 1) * out_pixels * 4);
  // Every input byte some output's window reads, every weight and post-scale byte is read at least once
  // (with a stride larger than the kernel, rows and columns between windows are never needed); every output
  // byte is written once.
  const auto used = [&](int size, int k, int pad, int out) {
    int n = 0;
    for (int i = 0; i < size; ++i) {
      bool hit = false;
      for (int o = 0; o < out && !hit; ++o) hit = i + pad >= o * c.stride && i + pad < o * c.stride + k;
      n += hit ? 1 : 0;
    }
    return n;
  };
  const uint64_t used_input = c.fc ? input.size()
                                   : uint64_t(used(c.in_h, c.kh, c.pad_top, l.geometry.out_h(c.in_h))) *
                                         used(c.in_w, c.kw, c.pad_left, l.geometry.out_w(c.in_w)) * c.in_c;
  EXPECT_GE(r.dram_read_bytes, used_input + l.weights.size() + 12 * l.post.size());
  EXPECT_GE(r.dram_write_bytes, out_pixels * (c.raw ? 4 : 1));
  EXPECT_GE(r.tile_h, 1u);
  EXPECT_GE(r.tile_w, 1u);
  EXPECT_GE(r.tile_c, 1u);
  if (c.name.find("_split_") != std::string::npos) {
    EXPECT_GT(r.slices, 1u) << "the case must split";
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, LayerRegression,
                         ::testing::Combine(::testing::ValuesIn(cases()), ::testing::Values(0, 1)),
                         [](const ::testing::TestParamInfo<LayerRegression::ParamType>& info) {
                           return std::get<0>(info.param).name + "_" +
                                  pe_name(pe_of(std::get<1>(info.param)));
                         });

}  // namespace
}  // namespace minconv::regression
