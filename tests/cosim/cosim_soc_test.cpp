// Co-simulation through the whole SoC: driver -> DMA -> accelerator (engine: rtl) -> DMA, one layer per
// process (tests/regression/layer_harness.h), bit-exact against the golden model and with no co-simulation
// mismatch (a mismatch is an SC_REPORT_ERROR of the accelerator).
#include <gtest/gtest.h>

#include "platform/soc/simulation.h"
#include "tests/regression/layer_harness.h"

namespace minconv::regression {
namespace {

struct CosimCase {
  LayerCase layer;
  int pe;  // 0 min, 1 mul
};
void PrintTo(const CosimCase& c, std::ostream* os) { *os << c.layer.name << "_" << pe_name(pe_of(c.pe)); }

LayerCase conv(const char* name, int h, int w, int c, int oc, int k, int s, int pad, bool relu,
               uint32_t seed) {
  LayerCase l;
  l.name = name;
  l.in_h = h;
  l.in_w = w;
  l.in_c = c;
  l.out_c = oc;
  l.kh = l.kw = k;
  l.stride = s;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = pad;
  l.relu = relu;
  l.seed = seed;
  return l;
}

std::vector<LayerCase> layers() {
  std::vector<LayerCase> v;
  v.push_back(conv("lenet_conv1", 14, 14, 1, 6, 5, 1, 0, true, 1));
  v.push_back(conv("conv3x3_pad1_stride2", 11, 9, 5, 10, 3, 2, 1, false, 2));
  LayerCase split = conv("conv3x3_small_buffers", 16, 16, 8, 12, 3, 1, 1, true, 3);
  split.in_buf = 2048;  // several input tiles, double buffered
  split.out_buf = 1024;
  v.push_back(split);
  // A 3x3x200 window does not fit the 1 KiB input half: input-channel slices with partial sums (PSUM_IN/OUT).
  LayerCase slices = conv("conv3x3_reduction_slices", 7, 7, 200, 12, 3, 1, 1, true, 6);
  slices.in_buf = 2048;
  v.push_back(slices);
  LayerCase arr4 = conv("conv5x5_4x4_array", 10, 10, 3, 7, 5, 1, 2, false, 4);
  arr4.rows = arr4.cols = 4;
  v.push_back(arr4);
  LayerCase fc;
  fc.name = "fc_raw";
  fc.fc = true;
  fc.raw = true;
  fc.in_h = 4;
  fc.in_w = 4;
  fc.in_c = 8;
  fc.out_c = 10;
  fc.seed = 5;
  v.push_back(fc);
  return v;
}

std::vector<CosimCase> cases() {
  std::vector<CosimCase> v;
  for (const LayerCase& l : layers()) {
    for (int pe = 0; pe < 2; ++pe) v.push_back({l, pe});
  }
  return v;
}

class CosimSoc : public ::testing::TestWithParam<CosimCase> {};

TEST_P(CosimSoc, LayerBitExactWithNoMismatch) {
  const CosimCase& c = GetParam();
  const golden::PeKind pe = pe_of(c.pe);
  const golden::Tensor8 input = make_input(c.layer);
  const golden::QuantModel model = make_layer_model(c.layer, pe, input);
  platform::SocConfig config = make_config(c.layer, pe);
  ASSERT_TRUE(config.accel.has_value());
  config.accel->engine = accel::EngineKind::kRtl;

  const SocRun run = run_on_soc(config, model, input);
  ASSERT_TRUE(run.finished) << run.why;
  ASSERT_EQ(run.exit_code, 0) << run.why;
  EXPECT_EQ(platform::error_count(), 0u) << "co-simulation mismatches or other errors were reported";
  ASSERT_FALSE(run.report.layers.empty());
  EXPECT_TRUE(run.report.layers[0].on_accel);
  EXPECT_GT(run.report.layers[0].tiles, 0u);
  if (c.layer.name == "conv3x3_reduction_slices") {
    EXPECT_GT(run.report.layers[0].slices, 1u);
  }
  const golden::LayerOutput want = golden_layer(model, input);
  if (want.is_raw) {
    EXPECT_TRUE(same_int32(want.raw, run.outputs[0]));
  } else {
    EXPECT_TRUE(same_int8(want.q, run.outputs[0]));
  }
}

INSTANTIATE_TEST_SUITE_P(Layers, CosimSoc, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<CosimCase>& i) {
                           return i.param.layer.name + "_" + pe_name(pe_of(i.param.pe));
                         });

}  // namespace
}  // namespace minconv::regression
