#pragma once
// Helpers shared by network.cpp and quantize.cpp (not part of the golden model's interface).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::golden::detail {

inline bool is_conv_like(LayerType t) { return t == LayerType::kConv || t == LayerType::kFc; }

inline std::string layer_label(const std::vector<FloatLayer>& layers, std::size_t i) {
  const std::string& n = layers[i].name;
  return "layer " + std::to_string(i) + (n.empty() ? "" : " '" + n + "'") + " (" + to_string(layers[i].type) +
         ")";
}

inline int8_t round_clamp_127(double v) {
  const double r = std::clamp(std::round(v), -127.0, 127.0);  // std::round: half away from zero
  return static_cast<int8_t>(r);
}

}  // namespace minconv::golden::detail
