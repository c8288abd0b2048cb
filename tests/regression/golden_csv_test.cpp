// Cycle and byte counts that must not drift, for a few fixed layers on the default SoC (accelerator array and
// buffers pinned below), both PE kinds:
// computed by the test and diffed against the checked-in CSVs in tests/regression/golden/. The test never
// rewrites those files.
//
// To regenerate them deliberately (after an intended timing change), point MINCONV_WRITE_GOLDEN at a
// directory; each test then writes (adds or replaces) its row in <dir>/<layer>.csv instead of comparing.
// Run the tests one at a time (-j1: the two PE kinds of a layer share a file):
//   MINCONV_WRITE_GOLDEN=$PWD/../tests/regression/golden ctest -L regression -R GoldenCsv -j1
// and review the diff before committing it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/regression/layer_harness.h"

namespace minconv::regression {
namespace {

const char* const kHeader =
    "layer,pe,cpu_cycles,accel_busy_cycles,accel_stall_cycles,dram_read_bytes,"
    "dram_write_bytes,tiles";

std::vector<LayerCase> golden_layers() {
  LayerCase lenet;
  lenet.name = "lenet_conv1_5x5_1to6_28x28_pad2";
  lenet.in_h = lenet.in_w = 28;
  lenet.in_c = 1;
  lenet.out_c = 6;
  lenet.kh = lenet.kw = 5;
  lenet.pad_top = lenet.pad_left = lenet.pad_bottom = lenet.pad_right = 2;
  lenet.relu = true;
  lenet.seed = 501;
  LayerCase conv3;
  conv3.name = "conv_3x3_16to32_26x26_pad1";
  conv3.in_h = conv3.in_w = 26;
  conv3.in_c = 16;
  conv3.out_c = 32;
  conv3.kh = conv3.kw = 3;
  conv3.pad_top = conv3.pad_left = conv3.pad_bottom = conv3.pad_right = 1;
  conv3.relu = true;
  conv3.seed = 502;
  LayerCase fc;
  fc.name = "fc_400to120";
  fc.in_h = fc.in_w = 5;
  fc.in_c = 16;
  fc.out_c = 120;
  fc.fc = true;
  fc.relu = true;
  fc.seed = 503;
  // Pin the accelerator (the default configuration may change): 8x8 array, 64/64/32 KiB buffers.
  for (LayerCase* c : {&lenet, &conv3, &fc}) {
    c->rows = c->cols = 8;
    c->in_buf = 64 * 1024;
    c->wt_buf = 64 * 1024;
    c->out_buf = 32 * 1024;
  }
  return {lenet, conv3, fc};
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class GoldenCsv : public ::testing::TestWithParam<std::tuple<LayerCase, int>> {};

TEST_P(GoldenCsv, CountsMatchCheckedInCsv) {
  const LayerCase& c = std::get<0>(GetParam());
  const golden::PeKind pe = pe_of(std::get<1>(GetParam()));
  const golden::Tensor8 input = make_input(c);
  const golden::QuantModel model = make_layer_model(c, pe, input);
  const SocRun run = run_on_soc(make_config(c, pe), model, input);
  ASSERT_TRUE(run.finished) << run.why;
  ASSERT_EQ(run.exit_code, 0) << run.why;
  // The counts only mean something if the layer computed the right thing.
  const golden::LayerOutput expected = golden_layer(model, input);
  ASSERT_TRUE(same_int8(expected.q, run.outputs.at(0)));

  const sw::LayerReport& r = run.report.layers.at(0);
  std::ostringstream row;
  row << c.name << ',' << pe_name(pe) << ',' << r.cpu_cycles << ',' << r.accel.busy << ',' << r.accel.stall
      << ',' << r.dram_read_bytes << ',' << r.dram_write_bytes << ',' << r.tiles;
  const std::string key = c.name + "," + pe_name(pe) + ",";

  if (const char* dir = std::getenv("MINCONV_WRITE_GOLDEN")) {
    const std::string path = std::string(dir) + "/" + c.name + ".csv";
    std::vector<std::string> rows;
    for (const std::string& line : read_lines(path)) {
      if (line != kHeader && line.rfind(key, 0) != 0) rows.push_back(line);
    }
    rows.push_back(row.str());
    std::sort(rows.begin(), rows.end());
    std::ofstream out(path, std::ios::trunc);
    out << kHeader << '\n';
    for (const std::string& line : rows) out << line << '\n';
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    std::cout << "wrote " << path << ": " << row.str() << '\n';
    return;
  }

  const std::string path = std::string(MINCONV_REGRESSION_GOLDEN_DIR) + "/" + c.name + ".csv";
  const std::vector<std::string> lines = read_lines(path);
  ASSERT_FALSE(lines.empty()) << path << " is missing or empty (see MINCONV_WRITE_GOLDEN in this file)";
  ASSERT_EQ(lines[0], kHeader) << path << ": unexpected header";
  const auto it =
      std::find_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(key, 0) == 0; });
  ASSERT_NE(it, lines.end()) << path << " has no row for " << key << "\ncomputed: " << row.str();
  EXPECT_EQ(*it, row.str()) << "counts drifted from " << path << "\n  " << kHeader << "\n  golden:   " << *it
                            << "\n  computed: " << row.str();
}

INSTANTIATE_TEST_SUITE_P(Layers, GoldenCsv,
                         ::testing::Combine(::testing::ValuesIn(golden_layers()), ::testing::Values(0, 1)),
                         [](const ::testing::TestParamInfo<GoldenCsv::ParamType>& info) {
                           return std::get<0>(info.param).name + "_" +
                                  pe_name(pe_of(std::get<1>(info.param)));
                         });

}  // namespace
}  // namespace minconv::regression
