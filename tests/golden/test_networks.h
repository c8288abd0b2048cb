#pragma once
// Small random networks and inputs shared by the golden tests.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::golden::testing {

inline FloatLayer conv_layer(const std::string& name, int in_c, int out_c, int k, int stride, int pad,
                             bool relu, std::mt19937& rng) {
  FloatLayer l;
  l.type = LayerType::kConv;
  l.name = name;
  l.out_c = out_c;
  l.geometry.kh = l.geometry.kw = k;
  l.geometry.stride_h = l.geometry.stride_w = stride;
  l.geometry.pad_top = l.geometry.pad_left = l.geometry.pad_bottom = l.geometry.pad_right = pad;
  l.relu = relu;
  std::normal_distribution<float> wd(0.0f, 1.0f / std::sqrt(static_cast<float>(k * k * in_c)));
  l.weights.resize(static_cast<std::size_t>(out_c) * k * k * in_c);
  for (float& w : l.weights) w = wd(rng);
  std::normal_distribution<float> bd(0.0f, 0.1f);
  l.bias.resize(out_c);
  for (float& b : l.bias) b = bd(rng);
  return l;
}

inline FloatLayer fc_layer(const std::string& name, int in_k, int out_c, bool relu, std::mt19937& rng) {
  FloatLayer l = conv_layer(name, in_k, out_c, 1, 1, 0, relu, rng);
  l.type = LayerType::kFc;
  return l;
}

inline FloatLayer pool_layer(LayerType type, const std::string& name, int k, int stride) {
  FloatLayer l;
  l.type = type;
  l.name = name;
  l.k = k;
  l.stride = stride;
  return l;
}

// 8x8x2 -> conv3x3 p1 (8, relu) -> maxpool 2 -> conv3x3 (12, relu) -> avgpool 2 -> fc 16 relu -> fc 10.
inline FloatNetwork small_network(unsigned seed) {
  std::mt19937 rng(seed);
  FloatNetwork net;
  net.input = Shape{8, 8, 2};
  net.layers.push_back(conv_layer("conv1", 2, 8, 3, 1, 1, true, rng));
  net.layers.push_back(pool_layer(LayerType::kMaxPool, "pool1", 2, 2));
  net.layers.push_back(conv_layer("conv2", 8, 12, 3, 1, 0, true, rng));
  net.layers.push_back(pool_layer(LayerType::kAvgPool, "pool2", 2, 2));
  net.layers.push_back(fc_layer("fc1", 12, 16, true, rng));
  net.layers.push_back(fc_layer("fc2", 16, 10, false, rng));
  return net;
}

inline std::vector<TensorF> random_images(const Shape& s, int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(0.0f, 1.0f);
  std::vector<TensorF> images;
  for (int n = 0; n < count; ++n) {
    TensorF t(s.h, s.w, s.c);
    for (float& v : t.data) v = d(rng);
    images.push_back(std::move(t));
  }
  return images;
}

}  // namespace minconv::golden::testing
