#include "sw/train/optimizer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace minconv::train {
namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

Optimizer::Optimizer(const TrainNetwork& net, const OptimizerOptions& options) : o_(options) {
  const std::size_t L = net.net.layers.size();
  slots_.resize(4 * L);
  for (std::size_t i = 0; i < L; ++i) {
    const golden::FloatLayer& l = net.net.layers[i];
    const bool bn = i < net.bn.size() && net.bn[i].enabled();
    const std::size_t sizes[4] = {l.weights.size(), l.bias.size(), bn ? net.bn[i].gamma.size() : 0,
                                  bn ? net.bn[i].beta.size() : 0};
    for (int k = 0; k < 4; ++k) {
      slots_[4 * i + k].m.assign(sizes[k], 0.0f);
      if (o_.kind != OptimizerKind::kSgd) slots_[4 * i + k].v.assign(sizes[k], 0.0f);
    }
  }
}

void Optimizer::step(TrainNetwork& net, const Gradients& g, double lr) {
  ++t_;
  for (std::size_t i = 0; i < net.net.layers.size(); ++i) {
    golden::FloatLayer& l = net.net.layers[i];
    if (i < g.weights.size() && !g.weights[i].empty()) {
      update(l.weights, g.weights[i], slots_[4 * i], true, lr);
      update(l.bias, g.bias[i], slots_[4 * i + 1], false, lr);
    }
    if (i < net.bn.size() && net.bn[i].enabled() && i < g.gamma.size() && !g.gamma[i].empty()) {
      update(net.bn[i].gamma, g.gamma[i], slots_[4 * i + 2], false, lr);
      update(net.bn[i].beta, g.beta[i], slots_[4 * i + 3], false, lr);
    }
  }
}

void Optimizer::update(std::vector<float>& p, const std::vector<float>& g, Slot& s, bool decay, double lr) {
  if (g.size() != p.size() || s.m.size() != p.size()) {
    throw std::invalid_argument("Optimizer: gradient or state size does not match the parameters");
  }
  const float wd = decay ? static_cast<float>(o_.weight_decay) : 0.0f;
  const float rate = static_cast<float>(lr);
  if (o_.kind == OptimizerKind::kSgd) {
    const float mom = static_cast<float>(o_.momentum);
    for (std::size_t j = 0; j < p.size(); ++j) {
      s.m[j] = mom * s.m[j] - rate * (g[j] + wd * p[j]);
      p[j] += s.m[j];
    }
    return;
  }
  const bool decoupled = o_.kind == OptimizerKind::kAdamW;
  const float b1 = static_cast<float>(o_.beta1), b2 = static_cast<float>(o_.beta2);
  const float eps = static_cast<float>(o_.eps);
  const double c1 = 1.0 - std::pow(o_.beta1, static_cast<double>(t_));
  const double c2 = 1.0 - std::pow(o_.beta2, static_cast<double>(t_));
  const float step = static_cast<float>(lr / c1);
  const float inv_c2 = static_cast<float>(1.0 / c2);
  for (std::size_t j = 0; j < p.size(); ++j) {
    const float gj = decoupled ? g[j] : g[j] + wd * p[j];
    s.m[j] = b1 * s.m[j] + (1.0f - b1) * gj;
    s.v[j] = b2 * s.v[j] + (1.0f - b2) * gj * gj;
    const float upd = step * s.m[j] / (std::sqrt(s.v[j] * inv_c2) + eps);
    if (decoupled) p[j] -= rate * wd * p[j];
    p[j] -= upd;
  }
}

double Schedule::at(double epoch) const {
  if (warmup > 0.0 && epoch < warmup) return lr * std::min(1.0, (epoch + 1e-9) / warmup);
  const double e = epoch - warmup;
  const double span = epochs - warmup;
  switch (kind) {
    case ScheduleKind::kConstant:
      return lr;
    case ScheduleKind::kCosine: {
      const double f = span > 0.0 ? std::min(1.0, std::max(0.0, e / span)) : 1.0;
      const double lo = lr * final_factor;
      return lo + (lr - lo) * 0.5 * (1.0 + std::cos(kPi * f));
    }
    case ScheduleKind::kStep:
      return lr * std::pow(gamma, std::floor(e / step_epochs));
  }
  return lr;
}

OptimizerKind parse_optimizer(const std::string& s) {
  if (s == "sgd") return OptimizerKind::kSgd;
  if (s == "adam") return OptimizerKind::kAdam;
  if (s == "adamw") return OptimizerKind::kAdamW;
  throw std::invalid_argument("unknown optimizer '" + s + "' (sgd, adam or adamw)");
}

ScheduleKind parse_schedule(const std::string& s) {
  if (s == "constant") return ScheduleKind::kConstant;
  if (s == "cosine") return ScheduleKind::kCosine;
  if (s == "step") return ScheduleKind::kStep;
  throw std::invalid_argument("unknown schedule '" + s + "' (constant, cosine or step)");
}

}  // namespace minconv::train
