// Workloads whose network is an ONNX model (docs/models.md): `model: FILE` (both PE kinds), `models: {min:
// FILE, mul: FILE}` or --model FILE. The model is imported with sw/onnx and held to the same SoC limits as a
// network described in YAML; errors name the file, the ONNX node and the YAML key or flag.
#include "platform/soc/workload.h"

#include "platform/config/input_file.h"
#include "platform/soc/workload_checks.h"
#include "sw/onnx/onnx_model.h"

namespace minconv::platform {
namespace {

uint64_t volume(const golden::Shape& s) { return uint64_t(s.h) * uint64_t(s.w) * uint64_t(s.c); }

// Checks every layer of an imported model against the SoC; `fail(why)` throws.
void check_model(const onnxio::OnnxModel& m, const WorkloadLimits& lim,
                 const std::function<void(const std::string&)>& fail) {
  const golden::FloatNetwork& net = m.network;
  uint64_t dram = volume(net.input);
  if (lim.dram_bytes > 0 && dram > lim.dram_bytes) {
    fail("the input " + golden::to_string(net.input) + " alone needs " + std::to_string(dram) +
         " bytes of DRAM, more than the " + std::to_string(lim.dram_bytes) + " available (dram.size)");
  }
  const std::vector<golden::Shape> shapes = golden::infer_shapes(net);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const golden::FloatLayer& l = net.layers[i];
    const detail::Fail f = [&](const std::string&, const std::string& why) {
      fail(m.layer_origin[i] + ", layer '" + l.name + "': " + why);
    };
    const golden::Shape in = i == 0 ? net.input : shapes[i - 1];
    uint64_t weight_bytes = 0;
    if (l.type == golden::LayerType::kConv) {
      detail::check_conv_limits(f, l.geometry, in, lim);
      const uint64_t fan_in = uint64_t(l.geometry.kh) * l.geometry.kw * in.c;
      detail::check_accel_layer(f, "", in, l.geometry.kh, fan_in, lim);
      weight_bytes = uint64_t(l.out_c) * (fan_in + 12);
    } else if (l.type == golden::LayerType::kFc) {
      const uint64_t fan_in = volume(in);
      detail::check_accel_layer(
          f, "", golden::Shape{1, 1, static_cast<int>(std::min<uint64_t>(fan_in, 1u << 30))}, 1, fan_in, lim);
      weight_bytes = uint64_t(l.out_c) * (fan_in + 12);
    } else if (l.k > detail::kMaxPoolWindow || l.stride > detail::kMaxPoolWindow) {
      f("", "pool window " + std::to_string(l.k) + " / stride " + std::to_string(l.stride) +
                " is larger than the accelerator's output path supports (at most " +
                std::to_string(detail::kMaxPoolWindow) + ")");
    }
    detail::add_layer_bytes(f, dram, weight_bytes, shapes[i], lim);
  }
}

// "" if both networks have the same structure (input, layer types, shapes, geometry, relu), else the first
// difference.
std::string structure_difference(const golden::FloatNetwork& a, const golden::FloatNetwork& b) {
  if (a.input != b.input)
    return "inputs " + golden::to_string(a.input) + " and " + golden::to_string(b.input) + " differ";
  if (a.layers.size() != b.layers.size())
    return std::to_string(a.layers.size()) + " and " + std::to_string(b.layers.size()) + " layers";
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const golden::FloatLayer &x = a.layers[i], &y = b.layers[i];
    const golden::ConvGeometry &g = x.geometry, &h = y.geometry;
    const bool same = x.type == y.type && x.out_c == y.out_c && x.relu == y.relu && x.k == y.k &&
                      x.stride == y.stride && x.weights.size() == y.weights.size() && g.kh == h.kh &&
                      g.kw == h.kw && g.stride_h == h.stride_h && g.stride_w == h.stride_w &&
                      g.pad_top == h.pad_top && g.pad_left == h.pad_left && g.pad_bottom == h.pad_bottom &&
                      g.pad_right == h.pad_right;
    if (!same) return "layer " + std::to_string(i) + " ('" + x.name + "' / '" + y.name + "') differs";
  }
  return "";
}

}  // namespace

void Workload::read_models(const config::YamlMap& root, const FileReader& read_file,
                           const WorkloadLimits& limits) {
  for (const char* key : {"input", "layers", "weights"}) {
    if (root.has(key))
      root.fail(key,
                "a workload with an ONNX model takes its input, layers and weights from the model: drop '" +
                    std::string(key) + "'");
  }
  if (root.has("model") && root.has("models"))
    root.fail("models", "give either 'model' or 'models', not both");
  std::optional<config::YamlMap> per_kind = root.map_opt("models");
  if (per_kind) {
    min_model_name = per_kind->str("min");
    mul_model_name = per_kind->str("mul");
    per_kind->finish();
  } else {
    min_model_name = mul_model_name = root.str("model");
  }
  const auto import = [&](const std::string& name, const std::string& key) {
    const config::YamlMap& at = per_kind ? *per_kind : root;
    if (name.empty()) at.fail(key, "the model path is empty");
    onnxio::OnnxModel m;
    try {
      m = onnxio::import_onnx(read_file(name), name);
    } catch (const std::exception& e) {  // unreadable file, not ONNX, unsupported node
      at.fail(key, e.what());
    }
    check_model(m, limits, [&](const std::string& why) { at.fail(key, name + ": " + why); });
    return m;
  };
  const onnxio::OnnxModel min = import(min_model_name, per_kind ? "min" : "model");
  const onnxio::OnnxModel mul = per_kind ? import(mul_model_name, "mul") : min;
  const std::string diff = structure_difference(min.network, mul.network);
  if (!diff.empty()) per_kind->fail("mul", "the min and mul models must have the same structure: " + diff);
  min_model = min.network;
  mul_model = mul.network;
  min_model_pe = min.pe;
  mul_model_pe = mul.pe;
  network = min_model;
}

void Workload::use_model_file(const std::string& path, const WorkloadLimits& limits) {
  const auto bad = [&](const std::string& why) { throw config::ConfigError("--model: error: " + why); };
  onnxio::OnnxModel m;
  try {
    m = onnxio::import_onnx(config::read_input_file(path, config::kMaxWeightFileBytes), path);
  } catch (const config::ConfigError& e) {
    bad(e.what());
  } catch (const golden::ModelError& e) {
    bad(e.what());
  }
  check_model(m, limits, [&](const std::string& why) { bad(path + ": " + why); });
  min_model = mul_model = network = m.network;
  min_model_name = mul_model_name = path;
  min_model_pe = mul_model_pe = m.pe;
  min_weights_name.clear();
  mul_weights_name.clear();
  min_weights.clear();
  mul_weights.clear();
}

}  // namespace minconv::platform
