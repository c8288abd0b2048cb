#include "sw/train/init.h"

#include <cmath>
#include <random>

namespace minconv::train {

void init_he_normal(golden::FloatNetwork& net, uint64_t seed) {
  std::mt19937_64 rng(seed);
  golden::Shape shape = net.input;  // the input of the current layer
  for (golden::FloatLayer& l : net.layers) {
    if (l.type == golden::LayerType::kMaxPool || l.type == golden::LayerType::kAvgPool) {
      shape = {(shape.h - l.k) / l.stride + 1, (shape.w - l.k) / l.stride + 1, shape.c};
      continue;
    }
    const bool conv = l.type == golden::LayerType::kConv;
    const std::size_t fan_in = conv ? std::size_t(l.geometry.kh) * l.geometry.kw * shape.c
                                    : std::size_t(shape.h) * shape.w * shape.c;
    std::normal_distribution<float> w(0.0f, std::sqrt(2.0f / static_cast<float>(fan_in)));
    std::normal_distribution<float> b(0.0f, 0.05f);
    l.weights.resize(static_cast<std::size_t>(l.out_c) * fan_in);
    for (float& v : l.weights) v = w(rng);
    l.bias.resize(static_cast<std::size_t>(l.out_c));
    for (float& v : l.bias) v = b(rng);
    shape = conv ? golden::Shape{l.geometry.out_h(shape.h), l.geometry.out_w(shape.w), l.out_c}
                 : golden::Shape{1, 1, l.out_c};
  }
  golden::infer_shapes(net);  // the structure must be consistent
}

}  // namespace minconv::train
