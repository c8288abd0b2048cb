#include "sw/runtime/model_layout.h"

#include <cstring>
#include <string>

namespace minconv::sw {

namespace {
uint64_t align(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
bool is_compute(const golden::QuantLayer& l) {
  return l.type == golden::LayerType::kConv || l.type == golden::LayerType::kFc;
}
}  // namespace

ModelLayout plan_layout(const golden::QuantModel& model, uint32_t base, uint32_t size, bool second_input) {
  const std::vector<golden::Shape> shapes = golden::validate(model);
  ModelLayout l;
  uint64_t at = align(base, 64);
  const auto take = [&](uint64_t bytes) {
    const uint64_t where = at;
    at = align(at + bytes, 64);
    return static_cast<uint32_t>(where);
  };
  l.scratch = take(kScratchBytes);
  l.input = take(static_cast<uint64_t>(model.input.h) * model.input.w * model.input.c);
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const golden::QuantLayer& layer = model.layers[i];
    const bool compute = is_compute(layer);
    l.weights.push_back(compute ? take(layer.weights.size()) : 0);
    l.post.push_back(compute ? take(layer.post.size() * 12) : 0);
    const golden::Shape& s = shapes[i];
    const uint64_t bytes = static_cast<uint64_t>(s.h) * s.w * s.c * (layer.raw_output ? 4 : 1);
    l.output_bytes.push_back(static_cast<uint32_t>(bytes));
    l.outputs.push_back(take(bytes));
  }
  if (second_input)
    l.second_input = take(static_cast<uint64_t>(model.input.h) * model.input.w * model.input.c);
  l.end = static_cast<uint32_t>(at);
  if (at > static_cast<uint64_t>(base) + size) {
    throw golden::ModelError("the model needs " + std::to_string(at - base) + " bytes of DRAM, only " +
                             std::to_string(size) + " are available");
  }
  return l;
}

std::vector<uint8_t> post_scale_bytes(const golden::QuantLayer& layer) {
  std::vector<uint8_t> out(layer.post.size() * 12);
  for (std::size_t o = 0; o < layer.post.size(); ++o) {
    const int32_t v[3] = {layer.post[o].bias, layer.post[o].multiplier, layer.post[o].shift};
    std::memcpy(out.data() + 12 * o, v, 12);  // little-endian host, as the SoC
  }
  return out;
}

}  // namespace minconv::sw
