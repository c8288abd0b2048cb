#include "sw/train/batchnorm.h"

#include <cmath>
#include <string>

namespace minconv::train {
using golden::LayerType;

namespace {
bool conv_like(LayerType t) { return t == LayerType::kConv || t == LayerType::kFc; }
}  // namespace

bool TrainNetwork::has_bn() const {
  for (const BatchNorm& b : bn) {
    if (b.enabled()) return true;
  }
  return false;
}

TrainNetwork with_batchnorm(golden::FloatNetwork net) {
  TrainNetwork t;
  t.bn.resize(net.layers.size());
  std::size_t last = net.layers.size();
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    if (conv_like(net.layers[i].type)) last = i;
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const golden::FloatLayer& l = net.layers[i];
    if (!conv_like(l.type) || i == last) continue;
    const std::size_t c = static_cast<std::size_t>(l.out_c);
    t.bn[i] = BatchNorm{std::vector<float>(c, 1.0f), std::vector<float>(c, 0.0f), std::vector<float>(c, 0.0f),
                        std::vector<float>(c, 1.0f)};
  }
  t.net = std::move(net);
  return t;
}

void check_batchnorm(const TrainNetwork& t) {
  if (t.bn.empty()) return;
  if (t.bn.size() != t.net.layers.size()) {
    throw golden::ModelError("batch norm: " + std::to_string(t.bn.size()) + " entries for " +
                             std::to_string(t.net.layers.size()) + " layers");
  }
  for (std::size_t i = 0; i < t.bn.size(); ++i) {
    const BatchNorm& b = t.bn[i];
    if (!b.enabled() && b.beta.empty() && b.running_mean.empty() && b.running_var.empty()) continue;
    const golden::FloatLayer& l = t.net.layers[i];
    const std::size_t c = static_cast<std::size_t>(l.out_c);
    if (!conv_like(l.type) || b.gamma.size() != c || b.beta.size() != c || b.running_mean.size() != c ||
        b.running_var.size() != c) {
      throw golden::ModelError("batch norm of layer " + std::to_string(i) + " (" + l.name +
                               ") does not match its output channels");
    }
  }
}

golden::FloatNetwork fold_batchnorm(const TrainNetwork& t) {
  check_batchnorm(t);
  golden::FloatNetwork net = t.net;
  for (std::size_t i = 0; i < t.bn.size(); ++i) {
    const BatchNorm& b = t.bn[i];
    if (!b.enabled()) continue;
    golden::FloatLayer& l = net.layers[i];
    const std::size_t oc = static_cast<std::size_t>(l.out_c);
    const std::size_t k = l.weights.size() / oc;
    for (std::size_t o = 0; o < oc; ++o) {
      const double a = b.gamma[o] / std::sqrt(static_cast<double>(b.running_var[o]) + kBnEps);
      for (std::size_t j = 0; j < k; ++j) l.weights[o * k + j] = static_cast<float>(a * l.weights[o * k + j]);
      l.bias[o] = static_cast<float>(a * (static_cast<double>(l.bias[o]) - b.running_mean[o]) + b.beta[o]);
    }
  }
  return net;
}

}  // namespace minconv::train
