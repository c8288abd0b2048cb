#include "platform/soc/workload.h"

#include <fstream>
#include <iterator>
#include <set>

#include "platform/config/input_file.h"
#include "platform/soc/workload_checks.h"
#include "sw/train/float_network_file.h"
#include "sw/train/init.h"

namespace minconv::platform {

namespace {

// Where a network is while its layers are read: the running shape, the names seen and the DRAM the
// tensors and weights need so far (the layout of sw/runtime/model_layout.h, without alignment).
struct LayerReader {
  golden::Shape shape;
  std::set<std::string> names;
  uint64_t dram_bytes = 0;
  const WorkloadLimits& limits;
};

uint64_t volume(const golden::Shape& s) { return uint64_t(s.h) * uint64_t(s.w) * uint64_t(s.c); }

// Tensors and weight arrays are indexed with int in the golden model and the tools: keep every count far
// below 2^31 (the DRAM limit usually binds first).
constexpr uint64_t kMaxTensorElements = uint64_t{1} << 30;

std::string to_s(uint64_t v) { return std::to_string(v); }

detail::Fail yaml_fail(const config::YamlMap& lm) {
  return [&lm](const std::string& key, const std::string& why) { lm.fail(key, why); };
}

void read_conv(const config::YamlMap& lm, golden::FloatLayer& l, LayerReader& r) {
  const int k = static_cast<int>(lm.u64("kernel", 1, 64));
  const int s = static_cast<int>(lm.u64_or("stride", 1, 1, 64));
  const int p = static_cast<int>(lm.u64_or("pad", 0, 0, 15));
  l.geometry = golden::ConvGeometry{k, k, s, s, p, p, p, p};
  const detail::Fail fail = yaml_fail(lm);
  detail::check_conv_limits(fail, l.geometry, r.shape, r.limits);
  detail::check_accel_layer(fail, "kernel", r.shape, k, uint64_t(k) * k * r.shape.c, r.limits);
  r.shape = {l.geometry.out_h(r.shape.h), l.geometry.out_w(r.shape.w), l.out_c};
}

void read_fc(const config::YamlMap& lm, LayerReader& r, int out_c) {
  const uint64_t fan_in = volume(r.shape);
  detail::check_accel_layer(yaml_fail(lm), "type",
                            golden::Shape{1, 1, static_cast<int>(std::min<uint64_t>(fan_in, 1u << 30))}, 1,
                            fan_in, r.limits);
  r.shape = {1, 1, out_c};
}

void read_pool(const config::YamlMap& lm, golden::FloatLayer& l, LayerReader& r, const std::string& type) {
  l.type = type == "maxpool" ? golden::LayerType::kMaxPool : golden::LayerType::kAvgPool;
  l.k = static_cast<int>(lm.u64("k", 1, 16));
  l.stride = static_cast<int>(lm.u64_or("stride", static_cast<uint64_t>(l.k), 1, 16));
  if (r.shape.h < l.k || r.shape.w < l.k) {
    lm.fail("k", "the window is larger than the " + golden::to_string(r.shape) + " input");
  }
  r.shape = {(r.shape.h - l.k) / l.stride + 1, (r.shape.w - l.k) / l.stride + 1, r.shape.c};
}

golden::FloatLayer read_layer(const config::YamlMap& lm, std::size_t index, LayerReader& r) {
  golden::FloatLayer l;
  uint64_t weight_bytes = 0;
  const std::string type = lm.choice("type", {"conv", "fc", "maxpool", "avgpool"});
  l.name = lm.str_or("name", type + std::to_string(index + 1));
  if (l.name.empty()) lm.fail("name", "a layer name must not be empty");
  if (!r.names.insert(l.name).second) lm.fail("name", "layer name '" + l.name + "' is used twice");
  if (type == "conv" || type == "fc") {
    l.type = type == "conv" ? golden::LayerType::kConv : golden::LayerType::kFc;
    l.out_c = static_cast<int>(lm.u64("out_c", 1, 65535));
    l.relu = lm.flag_or("relu", false);
    const golden::Shape in = r.shape;
    if (type == "conv") {
      read_conv(lm, l, r);
    } else {
      read_fc(lm, r, l.out_c);
    }
    const uint64_t fan_in = type == "conv" ? uint64_t(l.geometry.kh) * l.geometry.kw * in.c : volume(in);
    weight_bytes = uint64_t(l.out_c) * (fan_in + 12);
    l.weights.resize(std::size_t(l.out_c) * fan_in);  // values: train::init_he_normal or a weight file
    l.bias.resize(std::size_t(l.out_c));
  } else {
    read_pool(lm, l, r, type);
  }
  detail::add_layer_bytes(yaml_fail(lm), r.dram_bytes, weight_bytes, r.shape, r.limits);
  lm.finish();
  return l;
}

void read_weight_files(const config::YamlMap& weights, Workload& wl, const Workload::FileReader& read_file) {
  for (const std::string key : {"min_file", "mul_file"}) {
    const std::string& name = key == "min_file" ? wl.min_weights_name : wl.mul_weights_name;
    if (!weights.has(key)) continue;
    if (name.empty())
      weights.fail(key, "the weight file path is empty (leave the key out for random weights)");
    std::vector<uint8_t> bytes;
    try {
      bytes = read_file(name);
    } catch (const std::exception& e) {
      weights.fail(key, e.what());
    }
    golden::FloatNetwork check = wl.network;
    try {
      train::parse_float_weights(bytes, name, check);
    } catch (const golden::ModelError& e) {
      weights.fail(key, e.what());
    }
    (key == "min_file" ? wl.min_weights : wl.mul_weights) = std::move(bytes);
  }
}

void read_images(const config::YamlMap& im, Workload& wl) {
  wl.images = im.choice_or("source", wl.images, image_sources());
  wl.dataset_dir = im.str_or("dir", default_image_dir(wl.images));
  wl.calibration_images = static_cast<unsigned>(im.u64_or("calibration", wl.calibration_images, 1, 60000));
  wl.image_index = static_cast<unsigned>(im.u64_or("index", wl.image_index, 0, 1000000));
  wl.image_count = static_cast<unsigned>(im.u64_or("count", wl.image_count, 1, 1000000));
  wl.image_seed = im.u64_or("seed", wl.image_seed, 0, UINT64_MAX);
  im.finish();
}

}  // namespace

namespace detail {

void check_conv_limits(const Fail& fail, const golden::ConvGeometry& g, const golden::Shape& in,
                       const WorkloadLimits& lim) {
  if (unsigned(std::max(g.kh, g.kw)) > lim.max_kernel) {
    fail("kernel", "kernel " + std::to_string(std::max(g.kh, g.kw)) +
                       " is larger than the accelerator supports (at most " + std::to_string(lim.max_kernel) +
                       ")");
  }
  if (unsigned(std::max(g.stride_h, g.stride_w)) > lim.max_stride) {
    fail("stride", "stride " + std::to_string(std::max(g.stride_h, g.stride_w)) +
                       " is larger than the accelerator supports (at most " + std::to_string(lim.max_stride) +
                       ")");
  }
  const int p = std::max({g.pad_top, g.pad_left, g.pad_bottom, g.pad_right});
  if (p >= std::min(g.kh, g.kw)) {
    fail("pad", "padding " + std::to_string(p) + " must be smaller than the kernel " + std::to_string(g.kh) +
                    " (outputs that see only padding are not supported by the runtime)");
  }
  if (in.h + g.pad_top + g.pad_bottom < g.kh || in.w + g.pad_left + g.pad_right < g.kw) {
    fail("kernel", "the kernel does not fit the " + golden::to_string(in) + " input");
  }
}

void check_accel_layer(const Fail& fail, const std::string& where_key, const golden::Shape& in, int kernel,
                       uint64_t fan_in, const WorkloadLimits& lim) {
  if (fan_in > uint64_t(lim.max_fan_in)) {
    fail(where_key, "the reduction kh*kw*in_c = " + to_s(fan_in) + " is longer than the int32 accumulator " +
                        "can sum without overflow (at most " + to_s(lim.max_fan_in) + " for the " +
                        lim.fan_in_pe + " PE)");
  }
  if (lim.weight_half_bytes == 0) return;
  const uint64_t filter = (fan_in + 3) / 4 * 4 + 12;  // one filter and its post-scale record
  if (filter > lim.weight_half_bytes) {
    fail(where_key, "one filter (" + to_s(fan_in) + " bytes + 12 for its post-scale) does not fit half the " +
                        "weight buffer (" + to_s(lim.weight_half_bytes) +
                        " bytes; accel.weight_buffer_bytes)");
  }
  const uint64_t window =
      uint64_t(std::min(in.h, kernel)) * uint64_t(std::min(in.w, kernel)) * uint64_t(in.c);
  if (window > lim.input_half_bytes) {
    fail(where_key, "the input window of one output pixel (" + to_s(window) +
                        " bytes) does not fit half the input buffer (" + to_s(lim.input_half_bytes) +
                        " bytes; accel.input_buffer_bytes)");
  }
}

void add_layer_bytes(const Fail& fail, uint64_t& dram_bytes, uint64_t weight_bytes, const golden::Shape& out,
                     const WorkloadLimits& lim) {
  dram_bytes += weight_bytes + 4 * volume(out);  // the weights and the output tensor (int32 at most)
  if (volume(out) > kMaxTensorElements) {
    fail("type", "its output " + golden::to_string(out) + " has more than " + to_s(kMaxTensorElements) +
                     " values, more than the model tools handle");
  }
  if (lim.dram_bytes > 0 && dram_bytes > lim.dram_bytes) {
    fail("type", "the model's input, weights and outputs up to this layer need " + to_s(dram_bytes) +
                     " bytes of DRAM, more than the " + to_s(lim.dram_bytes) + " available (dram.size)");
  }
}

}  // namespace detail

Workload Workload::from_yaml(const config::YamlMap& root, const FileReader& read_file,
                             const WorkloadLimits& limits, const std::string& model_override) {
  Workload wl;
  wl.source = root.file();
  wl.name = root.str("name");
  const bool onnx = root.has("model") || root.has("models");
  if (onnx) wl.read_models(root, read_file, limits);
  const std::optional<config::YamlMap> weights = onnx ? std::nullopt : root.map_opt("weights");
  if (!onnx) wl.read_layers(root, weights, limits);
  const std::optional<config::YamlMap> im = root.map_opt("images");
  if (im) read_images(*im, wl);
  root.finish();
  if (weights) read_weight_files(*weights, wl, read_file);
  if (!model_override.empty()) wl.use_model_file(model_override, limits);
  if (im) wl.check_images(*im);
  return wl;
}

void Workload::read_layers(const config::YamlMap& root, const std::optional<config::YamlMap>& weights,
                           const WorkloadLimits& limits) {
  const config::YamlMap input = root.map("input");
  LayerReader r{
      golden::Shape{static_cast<int>(input.u64("h", 1, 4096)), static_cast<int>(input.u64("w", 1, 4096)),
                    static_cast<int>(input.u64("c", 1, 4096))},
      {},
      0,
      limits};
  input.finish();
  network.input = r.shape;
  r.dram_bytes = volume(r.shape);
  if (limits.dram_bytes > 0 && r.dram_bytes > limits.dram_bytes) {
    input.fail("h", "the input " + golden::to_string(r.shape) + " alone needs " + to_s(r.dram_bytes) +
                        " bytes of DRAM, more than the " + to_s(limits.dram_bytes) +
                        " available (dram.size)");
  }
  if (weights) {
    weight_seed = weights->u64_or("seed", weight_seed, 0, UINT64_MAX);
    min_weights_name = weights->str_or("min_file", "");
    mul_weights_name = weights->str_or("mul_file", "");
    weights->finish();
  }
  const std::vector<config::YamlMap> layers = root.maps("layers");
  for (std::size_t i = 0; i < layers.size(); ++i) network.layers.push_back(read_layer(layers[i], i, r));
  golden::infer_shapes(network);  // a last consistency check
  train::init_he_normal(network, weight_seed);
}

Workload Workload::load_file(const std::string& path, const WorkloadLimits& limits,
                             const std::string& model_override) {
  const std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  return from_yaml(
      config::YamlMap::load_file(path),
      [dir](const std::string& relative) {
        const std::string full = relative[0] == '/' ? relative : dir + "/" + relative;
        return config::read_input_file(full, config::kMaxWeightFileBytes);
      },
      limits, model_override);
}

Workload Workload::load_default(const WorkloadLimits& limits, const std::string& model_override) {
  return from_yaml(
      config::YamlMap::load_string(kDefaultWorkloadYaml, "<embedded default: configs/workloads/lenet5.yaml>"),
      embedded_file, limits, model_override);
}

golden::FloatNetwork Workload::network_for(bool min_kind) const {
  if (!min_model.layers.empty()) return min_kind ? min_model : mul_model;
  golden::FloatNetwork net = network;
  const std::vector<uint8_t>& bytes = min_kind ? min_weights : mul_weights;
  if (!bytes.empty()) train::parse_float_weights(bytes, min_kind ? min_weights_name : mul_weights_name, net);
  return net;
}

nlohmann::json Workload::to_json() const {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : network.layers) {
    nlohmann::json j = {{"name", l.name}, {"type", golden::to_string(l.type)}};
    if (l.type == golden::LayerType::kConv || l.type == golden::LayerType::kFc) {
      j["out_c"] = l.out_c;
      j["kernel"] = l.geometry.kh;
      j["stride"] = l.geometry.stride_h;
      j["pad"] = l.geometry.pad_top;
      j["relu"] = l.relu;
    } else {
      j["k"] = l.k;
      j["stride"] = l.stride;
    }
    layers.push_back(j);
  }
  return {
      {"name", name},
      {"source", source},
      {"input", golden::to_string(network.input)},
      {"weights", {{"seed", weight_seed}, {"min_file", min_weights_name}, {"mul_file", mul_weights_name}}},
      {"models",
       {{"min", min_model_name},
        {"mul", mul_model_name},
        {"min_pe", min_model_pe},
        {"mul_pe", mul_model_pe}}},
      {"images",
       {{"source", images},
        {"dir", dataset_dir},
        {"calibration", calibration_images},
        {"index", image_index},
        {"count", image_count},
        {"seed", image_seed}}},
      {"layers", layers}};
}

}  // namespace minconv::platform
