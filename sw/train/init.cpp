#include "sw/train/init.h"

#include <cmath>
#include <random>

namespace minconv::train {

void init_he_normal(golden::FloatNetwork& net, uint64_t seed) {
  const std::vector<golden::Shape> shapes = golden::infer_shapes(net);
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    golden::FloatLayer& l = net.layers[i];
    if (l.type != golden::LayerType::kConv && l.type != golden::LayerType::kFc) continue;
    const golden::Shape in = golden::layer_input_shape(net, shapes, i);
    const std::size_t fan_in = static_cast<std::size_t>(l.geometry.kh) * l.geometry.kw * in.c;
    std::normal_distribution<float> w(0.0f, std::sqrt(2.0f / static_cast<float>(fan_in)));
    std::normal_distribution<float> b(0.0f, 0.05f);
    l.weights.resize(static_cast<std::size_t>(l.out_c) * fan_in);
    for (float& v : l.weights) v = w(rng);
    l.bias.resize(static_cast<std::size_t>(l.out_c));
    for (float& v : l.bias) v = b(rng);
  }
}

}  // namespace minconv::train
