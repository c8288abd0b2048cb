#include "tests/regression/layer_harness.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <random>
#include <sstream>

#include "platform/soc/simulation.h"
#include "platform/soc/soc.h"
#include "sw/runtime/model_layout.h"

namespace minconv::regression {

void PrintTo(const LayerCase& c, std::ostream* os) { *os << c.name; }

std::vector<int8_t> random_int8(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(-127, 127);
  std::uniform_int_distribution<int> zero(0, 7);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(zero(rng) == 0 ? 0 : value(rng));
  return v;
}

golden::Tensor8 make_input(const LayerCase& c) {
  golden::Tensor8 t(c.in_h, c.in_w, c.in_c);
  t.data = random_int8(t.size(), c.seed * 7919u + 1u);
  return t;
}

namespace {
golden::Tensor8 flatten(const golden::Tensor8& t) {
  golden::Tensor8 f(1, 1, static_cast<int>(t.size()));
  f.data = t.data;
  return f;
}
}  // namespace

void choose_post_scales(golden::QuantLayer& layer, golden::PeKind pe, const golden::Tensor8& input,
                        uint32_t seed) {
  const golden::Tensor32 acc = golden::conv2d_acc(pe, input, layer.weights, layer.out_c, layer.geometry);
  double sum_sq = 0;
  for (int32_t a : acc.data) sum_sq += static_cast<double>(a) * a;
  const double rms = acc.size() ? std::sqrt(sum_sq / acc.size()) : 0.0;
  std::mt19937 rng(seed * 104729u + 3u);
  const int32_t bias_range = static_cast<int32_t>(std::min(rms / 4, 1e6));
  std::uniform_int_distribution<int32_t> bias(-bias_range, bias_range);
  std::uniform_int_distribution<int32_t> multiplier(1 << 30, 0x7FFFFFFF);
  // q ~ t * M / 2^n with M ~ 1.5 * 2^30: a typical |t| (the rms) maps to about 40.
  int shift = 31;
  if (rms > 0) shift = static_cast<int>(std::lround(std::log2(rms * 1.5 * (1 << 30) / 40.0)));
  shift = std::clamp(shift, 1, 62);
  layer.post.clear();
  layer.acc_scale.clear();
  for (int o = 0; o < layer.out_c; ++o) {
    golden::PostScale p;
    p.bias = bias(rng);
    p.multiplier = multiplier(rng);
    p.shift = shift;
    layer.post.push_back(p);
    layer.acc_scale.push_back(1.0);
  }
}

golden::QuantModel make_layer_model(const LayerCase& c, golden::PeKind pe, const golden::Tensor8& input) {
  golden::QuantModel m;
  m.pe = pe;
  m.input = {c.in_h, c.in_w, c.in_c};
  golden::QuantLayer l;
  l.name = c.name;
  l.out_c = c.out_c;
  l.relu = c.relu;
  l.raw_output = c.raw;
  if (c.fc) {
    l.type = golden::LayerType::kFc;
    l.in_c = c.in_h * c.in_w * c.in_c;
  } else {
    l.type = golden::LayerType::kConv;
    l.in_c = c.in_c;
    l.geometry.kh = c.kh;
    l.geometry.kw = c.kw;
    l.geometry.stride_h = l.geometry.stride_w = c.stride;
    l.geometry.pad_top = c.pad_top;
    l.geometry.pad_left = c.pad_left;
    l.geometry.pad_bottom = c.pad_bottom;
    l.geometry.pad_right = c.pad_right;
  }
  l.weights = random_int8(static_cast<std::size_t>(l.out_c) * l.geometry.kh * l.geometry.kw * l.in_c,
                          c.seed * 31337u + 11u);
  choose_post_scales(l, pe, c.fc ? flatten(input) : input, c.seed);
  m.layers.push_back(l);
  if (!c.raw) {
    // The model's last layer must have raw int32 output: an int8 layer under test is followed by a cheap
    // 1x1 conv to one channel with raw output (checked too, against run_int8).
    golden::QuantLayer tail;
    tail.type = golden::LayerType::kConv;
    tail.name = "tail";
    tail.in_c = c.out_c;
    tail.out_c = 1;
    tail.raw_output = true;
    tail.weights = random_int8(static_cast<std::size_t>(c.out_c), c.seed * 7u + 5u);
    tail.post = {golden::PostScale{0, 1 << 30, 31}};
    tail.acc_scale = {1.0};
    m.layers.push_back(tail);
  }
  return m;
}

platform::SocConfig make_config(golden::PeKind pe) {
  platform::SocConfig config = platform::SocConfig::load_default();
  config.accel->pe = pe == golden::PeKind::kMin ? accel::PeKind::kMin : accel::PeKind::kMul;
  return config;
}

platform::SocConfig make_config(const LayerCase& c, golden::PeKind pe) {
  platform::SocConfig config = make_config(pe);
  if (c.rows) config.accel->rows = c.rows;
  if (c.cols) config.accel->cols = c.cols;
  if (c.in_buf) config.accel->input_buffer_bytes = c.in_buf;
  if (c.wt_buf) config.accel->weight_buffer_bytes = c.wt_buf;
  if (c.out_buf) config.accel->output_buffer_bytes = c.out_buf;
  config.accel->validate();
  return config;
}

SocRun run_on_soc(const platform::SocConfig& config, const golden::QuantModel& model,
                  const golden::Tensor8& input) {
  platform::configure_reports();
  SocRun result;
  const hal::SocInfo info = config.soc_info();
  const sw::ModelLayout layout = sw::plan_layout(model, info.dram_base, info.dram_size);
  platform::Soc* soc_ptr = nullptr;
  platform::Soc soc("soc", config, [&](hal::Hal& hal) {
    // The boot loader places the blobs (debug transport: no simulated time), then the runtime runs.
    platform::Loader& loader = soc_ptr->loader();
    loader.write(layout.input, input.data.data(), input.size());
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
      const golden::QuantLayer& l = model.layers[i];
      if (l.type != golden::LayerType::kConv && l.type != golden::LayerType::kFc) continue;
      loader.write(layout.weights[i], l.weights.data(), l.weights.size());
      const std::vector<uint8_t> post = sw::post_scale_bytes(l);
      loader.write(layout.post[i], post.data(), post.size());
    }
    try {
      sw::NetworkRuntime runtime(hal, info, sw::CpuCosts{}, config.runtime);
      result.report = runtime.run(model, layout);
    } catch (const std::exception& e) {
      result.why = std::string("program threw: ") + e.what();
      return 1;
    }
    return 0;
  });
  soc_ptr = &soc;
  std::string why;
  result.finished = platform::run_in_sequence({&soc}, why);
  if (!result.finished) result.why += why;
  result.exit_code = soc.cpu().exit_code();
  if (result.why.empty() && result.exit_code != 0) result.why = soc.cpu().failure();
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    // An output kept on chip for the next layer never reaches DRAM: the runtime's snapshot of it.
    const bool on_chip = i < result.report.layers.size() && result.report.layers[i].output_on_chip;
    result.outputs.push_back(on_chip ? result.report.layers[i].on_chip_output
                                     : soc.loader().read(layout.outputs[i], layout.output_bytes[i]));
  }
  return result;
}

namespace {
template <typename T>
::testing::AssertionResult compare(const golden::Tensor<T>& expected, const std::vector<uint8_t>& got) {
  if (got.size() != expected.size() * sizeof(T)) {
    return ::testing::AssertionFailure()
           << "output has " << got.size() << " bytes, expected " << expected.size() * sizeof(T);
  }
  std::size_t mismatches = 0, first = 0;
  T first_got{};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    T v;
    std::memcpy(&v, got.data() + i * sizeof(T), sizeof(T));
    if (v != expected.data[i]) {
      if (mismatches++ == 0) {
        first = i;
        first_got = v;
      }
    }
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  const std::size_t c = first % expected.c, x = first / expected.c % expected.w,
                    y = first / expected.c / expected.w;
  return ::testing::AssertionFailure()
         << mismatches << " of " << expected.size() << " outputs differ; first at index " << first
         << " (y=" << y << " x=" << x << " c=" << c << "): golden "
         << static_cast<int64_t>(expected.data[first]) << ", SoC " << static_cast<int64_t>(first_got);
}
}  // namespace

::testing::AssertionResult same_int8(const golden::Tensor8& expected, const std::vector<uint8_t>& got) {
  return compare(expected, got);
}
::testing::AssertionResult same_int32(const golden::Tensor32& expected, const std::vector<uint8_t>& got) {
  return compare(expected, got);
}

golden::LayerOutput golden_layer(const golden::QuantModel& model, const golden::Tensor8& input) {
  const golden::QuantLayer& l = model.layers.at(0);
  const golden::Tensor8 in = l.type == golden::LayerType::kFc ? flatten(input) : input;
  golden::LayerOutput out;
  out.is_raw = l.raw_output;
  if (l.raw_output) {
    out.raw = golden::conv2d_raw(model.pe, in, l.weights, l.out_c, l.geometry, l.post, l.relu);
  } else {
    out.q = golden::conv2d_int8(model.pe, in, l.weights, l.out_c, l.geometry, l.post, l.relu);
  }
  return out;
}

::testing::AssertionResult well_spread(const golden::Tensor8& out, bool relu) {
  if (out.size() < 8) return ::testing::AssertionSuccess();  // too few outputs to judge
  std::size_t saturated = 0, zeros = 0;
  int lo = 127, hi = -127;
  for (int8_t v : out.data) {
    saturated += (v == 127 || v == -127);
    zeros += (v == 0);
    lo = std::min<int>(lo, v);
    hi = std::max<int>(hi, v);
  }
  if (lo == hi) return ::testing::AssertionFailure() << "all outputs equal " << lo;
  if (saturated * 2 > out.size()) {
    return ::testing::AssertionFailure() << saturated << " of " << out.size() << " outputs saturated";
  }
  if (!relu && zeros * 2 > out.size()) {
    return ::testing::AssertionFailure() << zeros << " of " << out.size() << " outputs are zero";
  }
  return ::testing::AssertionSuccess();
}

golden::PeKind pe_of(int index) { return index == 0 ? golden::PeKind::kMin : golden::PeKind::kMul; }
const char* pe_name(golden::PeKind pe) { return pe == golden::PeKind::kMin ? "min" : "mul"; }

}  // namespace minconv::regression
