#pragma once
// Driver regression harness: builds a one-layer (or small multi-layer) quantized model with random data,
// runs it on a freshly built SoC through NetworkRuntime, and compares the DRAM output bit for bit with the
// golden model. SystemC elaborates once per process, so each test calls run_on_soc() exactly once.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "platform/soc/soc_config.h"
#include "sw/golden/network.h"
#include "sw/runtime/network_runtime.h"

namespace minconv::regression {

// One conv or fc layer and the accelerator it runs on. fc: the input is in_h x in_w x in_c, flattened to
// K = in_h * in_w * in_c; the geometry fields are ignored (1x1, stride 1, no padding).
struct LayerCase {
  std::string name;  // a valid gtest name part: letters, digits, underscores
  int in_h = 1, in_w = 1, in_c = 1, out_c = 1;
  int kh = 1, kw = 1, stride = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool relu = false;
  bool fc = false;
  bool raw = false;  // int32 output (acc + bias)
  uint32_t seed = 1;
  // Accelerator array and buffers; 0 keeps the default configuration's value.
  unsigned rows = 0, cols = 0;
  uint32_t in_buf = 0, wt_buf = 0, out_buf = 0;
};
// gtest prints a case by its name (keeps the ctest test names short).
void PrintTo(const LayerCase& c, std::ostream* os);

// Random int8 data in [-127, 127] with about 1 in 8 values forced to zero.
std::vector<int8_t> random_int8(std::size_t n, uint32_t seed);

// A model for `c` on PE kind `pe`: the layer under test with random weights and post-scales (the shifts are
// chosen from the actual accumulators of `input`, so the int8 outputs spread over the range instead of
// saturating). The last layer of a model must have raw int32 output (golden::validate), so an int8 layer is
// followed by a 1x1 conv "tail" to one channel with raw output.
golden::QuantModel make_layer_model(const LayerCase& c, golden::PeKind pe, const golden::Tensor8& input);
// A random input tensor for the case (in_h x in_w x in_c).
golden::Tensor8 make_input(const LayerCase& c);
// Chooses bias, multiplier and shift for each output channel of `layer` (weights already set) from the
// accumulators it produces on `input` (the layer's own input, 1 x 1 x K for an fc layer).
void choose_post_scales(golden::QuantLayer& layer, golden::PeKind pe, const golden::Tensor8& input,
                        uint32_t seed);

// The default SoC with the case's PE kind, array and buffer sizes.
platform::SocConfig make_config(const LayerCase& c, golden::PeKind pe);
platform::SocConfig make_config(golden::PeKind pe);

struct SocRun {
  bool finished = false;  // run_in_sequence completed
  std::string why;        // why it did not, or the program's exception
  int exit_code = -1;
  sw::RunReport report;
  std::vector<std::vector<uint8_t>> outputs;  // every layer's output bytes read back from DRAM
};

// Builds one Soc, loads the model and input into DRAM with the loader, runs NetworkRuntime::run in the
// CPU program and reads every layer's output back. Call once per process.
SocRun run_on_soc(const platform::SocConfig& config, const golden::QuantModel& model,
                  const golden::Tensor8& input);

// Bit-for-bit comparisons; the failure names the first mismatching index (and its HWC position) with both
// values.
::testing::AssertionResult same_int8(const golden::Tensor8& expected, const std::vector<uint8_t>& got);
::testing::AssertionResult same_int32(const golden::Tensor32& expected, const std::vector<uint8_t>& got);

// The golden output of the model's first layer: conv2d_int8 / conv2d_raw (fc: on the flattened input).
golden::LayerOutput golden_layer(const golden::QuantModel& model, const golden::Tensor8& input);

// Sanity of the test data itself: int8 outputs are not all equal and not mostly saturated.
::testing::AssertionResult well_spread(const golden::Tensor8& out, bool relu);

golden::PeKind pe_of(int index);  // 0: min, 1: mul
const char* pe_name(golden::PeKind pe);

}  // namespace minconv::regression
