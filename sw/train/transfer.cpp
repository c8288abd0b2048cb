// Transfer learning from a standard network to a MinConvNet: per-channel gain matching, and BN set up so
// that it starts as the identity.
#include "sw/train/transfer.h"

#include <cmath>
#include <string>

#include "sw/golden/float_ops.h"
#include "sw/train/trainer.h"

namespace minconv::train {
using namespace golden;  // the reference types and float ops this tool code builds on
namespace {
bool conv_like(LayerType t) { return t == LayerType::kConv || t == LayerType::kFc; }
}  // namespace

void match_minconv_gains(const FloatNetwork& reference, FloatNetwork& net,
                         const std::vector<TensorF>& images) {
  const std::vector<Shape> shapes = infer_shapes(reference);
  infer_shapes(net);
  if (images.empty()) throw ModelError("match_minconv_gains: no images");
  if (net.layers.size() != reference.layers.size()) {
    throw ModelError("match_minconv_gains: the networks have different layer counts");
  }
  const std::size_t N = images.size();
  std::vector<TensorF> ref_in = images;  // the reference network's input of the current layer
  std::vector<TensorF> cur = images;     // the MinConv network's input of the current layer
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& r = reference.layers[i];
    FloatLayer& l = net.layers[i];
    if (r.type != l.type || r.out_c != l.out_c || r.weights.size() != l.weights.size() || r.k != l.k ||
        r.stride != l.stride) {
      throw ModelError("match_minconv_gains: layer " + std::to_string(i) + " differs between the networks");
    }
    if (!conv_like(l.type)) {
      for (std::size_t n = 0; n < N; ++n) {
        const bool is_max = l.type == LayerType::kMaxPool;
        ref_in[n] =
            is_max ? maxpool_float(ref_in[n], l.k, l.stride) : avgpool_float(ref_in[n], l.k, l.stride);
        cur[n] = is_max ? maxpool_float(cur[n], l.k, l.stride) : avgpool_float(cur[n], l.k, l.stride);
      }
      continue;
    }
    double mu_x = 0.0;
    for (const TensorF& t : cur) mu_x += mean_abs(t);
    mu_x /= static_cast<double>(N);
    const std::size_t oc = static_cast<std::size_t>(l.out_c);
    const std::vector<float> no_bias(oc, 0.0f);
    std::vector<double> sm(oc, 0.0), st(oc, 0.0), smm(oc, 0.0), smt(oc, 0.0);
    std::size_t count = 0;
    std::vector<TensorF> ref_pre(N), min_pre(N);
    for (std::size_t n = 0; n < N; ++n) {
      if (l.type == LayerType::kConv) {
        ref_pre[n] = conv2d_float(ref_in[n], r.weights, r.bias, r.out_c, r.geometry);
        min_pre[n] = minconv2d_float(cur[n], l.weights, no_bias, l.out_c, l.geometry, mu_x);
      } else {
        ref_pre[n] = fully_connected_float(ref_in[n], r.weights, r.bias, r.out_c);
        min_pre[n] = min_fully_connected_float(cur[n], l.weights, no_bias, l.out_c, mu_x);
      }
      for (std::size_t j = 0; j < min_pre[n].size(); ++j) {
        const std::size_t o = j % oc;
        const double m = min_pre[n].data[j], t = ref_pre[n].data[j];
        sm[o] += m;
        st[o] += t;
        smm[o] += m * m;
        smt[o] += m * t;
      }
      count += static_cast<std::size_t>(shapes[i].h) * shapes[i].w;
    }
    std::vector<float> gain(oc, 1.0f), bias(r.bias);
    for (std::size_t o = 0; o < oc; ++o) {
      const double c = static_cast<double>(count);
      const double var = smm[o] / c - (sm[o] / c) * (sm[o] / c);
      const double cov = smt[o] / c - (sm[o] / c) * (st[o] / c);
      if (!(var > 1e-12) || !(cov > 0.0)) continue;
      const double g = cov / var;
      gain[o] = static_cast<float>(g);
      bias[o] = static_cast<float>(st[o] / c - g * sm[o] / c);
    }
    const std::size_t K = l.weights.size() / oc;
    for (std::size_t o = 0; o < oc; ++o) {
      for (std::size_t k = 0; k < K; ++k) l.weights[o * K + k] *= gain[o];
    }
    l.bias = bias;
    for (std::size_t n = 0; n < N; ++n) {
      TensorF& y = min_pre[n];
      for (std::size_t j = 0; j < y.size(); ++j) {
        const std::size_t o = j % oc;
        y.data[j] = gain[o] * y.data[j] + bias[o];
      }
      cur[n] = l.relu ? relu_float(std::move(y)) : std::move(y);
      ref_in[n] = r.relu ? relu_float(std::move(ref_pre[n])) : std::move(ref_pre[n]);
    }
  }
}

void init_batchnorm_identity(TrainNetwork& net, const std::vector<TensorF>& images, FloatMode mode,
                             ThreadPool* pool) {
  check_batchnorm(net);
  if (images.empty()) throw ModelError("init_batchnorm_identity: no images");
  std::vector<const TensorF*> batch;
  for (const TensorF& t : images) batch.push_back(&t);
  const std::vector<int> labels(images.size(), 0);
  for (std::size_t i = 0; i < net.bn.size(); ++i) {
    BatchNorm& bn = net.bn[i];
    if (!bn.enabled()) continue;
    BnBatchStats stats;
    PassOptions o;
    o.pool = pool;
    o.bn_stats = &stats;
    loss_and_gradients(net, batch, labels, mode, nullptr, o);
    for (std::size_t c = 0; c < bn.gamma.size(); ++c) {
      const double var = stats.var[i][c];
      bn.gamma[c] = static_cast<float>(std::sqrt(var + kBnEps));
      bn.beta[c] = static_cast<float>(stats.mean[i][c]);
      bn.running_mean[c] = static_cast<float>(stats.mean[i][c]);
      bn.running_var[c] = static_cast<float>(var);
    }
  }
}

}  // namespace minconv::train
