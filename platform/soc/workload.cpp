#include "platform/soc/workload.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include "sw/train/float_network_file.h"
#include "sw/train/idx.h"

namespace minconv::platform {

namespace {
// He-normal weights and small biases, deterministic for a seed.
void init_weights(golden::FloatLayer& l, int fan_in, std::mt19937_64& rng) {
  std::normal_distribution<float> w(0.0f, std::sqrt(2.0f / static_cast<float>(fan_in)));
  std::normal_distribution<float> b(0.0f, 0.05f);
  l.weights.resize(static_cast<std::size_t>(l.out_c) * fan_in);
  for (float& v : l.weights) v = w(rng);
  l.bias.resize(static_cast<std::size_t>(l.out_c));
  for (float& v : l.bias) v = b(rng);
}
}  // namespace

Workload Workload::from_yaml(const config::YamlMap& root, const FileReader& read_file) {
  Workload wl;
  wl.source = root.file();
  wl.name = root.str("name");
  const config::YamlMap input = root.map("input");
  golden::Shape shape{static_cast<int>(input.u64("h", 1, 4096)), static_cast<int>(input.u64("w", 1, 4096)),
                      static_cast<int>(input.u64("c", 1, 4096))};
  input.finish();
  wl.network.input = shape;
  std::optional<config::YamlMap> weights = root.map_opt("weights");
  if (weights) {
    wl.weight_seed = weights->u64_or("seed", wl.weight_seed, 0, UINT64_MAX);
    wl.min_weights_name = weights->str_or("min_file", "");
    wl.mul_weights_name = weights->str_or("mul_file", "");
    weights->finish();
  }
  if (auto im = root.map_opt("images")) {
    wl.images = im->choice_or("source", wl.images, {"fashion-mnist", "random"});
    wl.dataset_dir = im->str_or("dir", "/usr/share/datasets/fashion-mnist");
    wl.calibration_images = static_cast<unsigned>(im->u64_or("calibration", wl.calibration_images, 1, 10000));
    wl.image_index = static_cast<unsigned>(im->u64_or("index", wl.image_index, 0, 9999));
    wl.image_seed = im->u64_or("seed", wl.image_seed, 0, UINT64_MAX);
    wl.accuracy_images = static_cast<unsigned>(im->u64_or("accuracy", wl.accuracy_images, 0, 10000));
    im->finish();
    if (wl.images == "fashion-mnist" && !(shape.h == 28 && shape.w == 28 && shape.c == 1)) {
      im->fail("source",
               "fashion-mnist images are 28x28x1, the network input is " + golden::to_string(shape));
    }
  }
  std::mt19937_64 rng(wl.weight_seed);
  for (const config::YamlMap& lm : root.maps("layers")) {
    golden::FloatLayer l;
    const std::string type = lm.choice("type", {"conv", "fc", "maxpool", "avgpool"});
    l.name = lm.str_or("name", type + std::to_string(wl.network.layers.size() + 1));
    if (type == "conv" || type == "fc") {
      l.type = type == "conv" ? golden::LayerType::kConv : golden::LayerType::kFc;
      l.out_c = static_cast<int>(lm.u64("out_c", 1, 65535));
      l.relu = lm.flag_or("relu", false);
      int fan_in = shape.h * shape.w * shape.c;
      if (type == "conv") {
        const int k = static_cast<int>(lm.u64("kernel", 1, 15));
        const int s = static_cast<int>(lm.u64_or("stride", 1, 1, 8));
        const int p = static_cast<int>(lm.u64_or("pad", 0, 0, 15));
        if (p >= k) {
          lm.fail("pad", "padding " + std::to_string(p) + " must be smaller than the kernel " +
                             std::to_string(k) +
                             " (outputs that see only padding are not supported by the runtime)");
        }
        l.geometry = golden::ConvGeometry{k, k, s, s, p, p, p, p};
        fan_in = k * k * shape.c;
        if (l.geometry.out_h(shape.h) < 1 || l.geometry.out_w(shape.w) < 1) {
          lm.fail("kernel", "the kernel does not fit the " + golden::to_string(shape) + " input");
        }
        shape = {l.geometry.out_h(shape.h), l.geometry.out_w(shape.w), l.out_c};
      } else {
        shape = {1, 1, l.out_c};
      }
      init_weights(l, fan_in, rng);
    } else {
      l.type = type == "maxpool" ? golden::LayerType::kMaxPool : golden::LayerType::kAvgPool;
      l.k = static_cast<int>(lm.u64("k", 1, 16));
      l.stride = static_cast<int>(lm.u64_or("stride", static_cast<uint64_t>(l.k), 1, 16));
      if (shape.h < l.k || shape.w < l.k)
        lm.fail("k", "the window is larger than the " + golden::to_string(shape) + " input");
      shape = {(shape.h - l.k) / l.stride + 1, (shape.w - l.k) / l.stride + 1, shape.c};
    }
    lm.finish();
    wl.network.layers.push_back(std::move(l));
  }
  root.finish();
  golden::infer_shapes(wl.network);  // a last consistency check
  // Trained weights: read now, and checked against the network's structure, so that a bad file is a
  // configuration error before anything runs.
  for (const std::string key : {"min_file", "mul_file"}) {
    const std::string& name = key == "min_file" ? wl.min_weights_name : wl.mul_weights_name;
    if (name.empty()) continue;
    std::vector<uint8_t> bytes;
    try {
      bytes = read_file(name);
    } catch (const std::exception& e) {
      weights->fail(key, e.what());
    }
    golden::FloatNetwork check = wl.network;
    try {
      train::parse_float_weights(bytes, name, check);
    } catch (const golden::ModelError& e) {
      weights->fail(key, e.what());
    }
    (key == "min_file" ? wl.min_weights : wl.mul_weights) = std::move(bytes);
  }
  if (wl.accuracy_images > 0 && wl.images != "fashion-mnist") {
    root.fail("images", "an accuracy figure needs labelled images (source: fashion-mnist)");
  }
  return wl;
}

Workload Workload::load_file(const std::string& path) {
  const std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  return from_yaml(config::YamlMap::load_file(path), [dir](const std::string& relative) {
    const std::string full = relative.empty() || relative[0] == '/' ? relative : dir + "/" + relative;
    std::ifstream in(full, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + full);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
}

Workload Workload::load_default() {
  return from_yaml(
      config::YamlMap::load_string(kDefaultWorkloadYaml, "<embedded default: configs/workloads/lenet5.yaml>"),
      embedded_file);
}

golden::FloatNetwork Workload::network_for(bool min_kind) const {
  golden::FloatNetwork net = network;
  const std::vector<uint8_t>& bytes = min_kind ? min_weights : mul_weights;
  if (!bytes.empty()) train::parse_float_weights(bytes, min_kind ? min_weights_name : mul_weights_name, net);
  return net;
}

void Workload::test_set(unsigned count, std::vector<golden::TensorF>& out,
                        std::vector<uint8_t>& labels) const {
  out = train::read_idx_images(dataset_dir + "/t10k-images-idx3-ubyte.gz", count);
  labels = train::read_idx_labels(dataset_dir + "/t10k-labels-idx1-ubyte.gz", count);
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
      {"accuracy_images", accuracy_images},
      {"images",
       {{"source", images},
        {"dir", dataset_dir},
        {"calibration", calibration_images},
        {"index", image_index},
        {"seed", image_seed}}},
      {"layers", layers}};
}

namespace {
std::vector<golden::TensorF> random_images(const golden::Shape& s, std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<golden::TensorF> out;
  for (std::size_t i = 0; i < n; ++i) {
    golden::TensorF t(s.h, s.w, s.c);
    for (float& v : t.data) v = u(rng);
    out.push_back(std::move(t));
  }
  return out;
}
}  // namespace

std::vector<golden::TensorF> Workload::calibration_set() const {
  if (images == "random") return random_images(network.input, calibration_images, image_seed + 1);
  // Calibrate on the last images of the test set, so the image that is run is not among them.
  std::vector<golden::TensorF> all = train::read_idx_images(dataset_dir + "/t10k-images-idx3-ubyte.gz");
  return std::vector<golden::TensorF>(all.end() - calibration_images, all.end());
}

golden::TensorF Workload::test_image(int* label) const {
  if (images == "random") {
    if (label) *label = -1;
    return random_images(network.input, 1, image_seed).front();
  }
  std::vector<golden::TensorF> all =
      train::read_idx_images(dataset_dir + "/t10k-images-idx3-ubyte.gz", image_index + 1);
  if (label) {
    *label = train::read_idx_labels(dataset_dir + "/t10k-labels-idx1-ubyte.gz", image_index + 1).back();
  }
  return all.back();
}

}  // namespace minconv::platform
