// The batch forward/backward pass (see backprop.h for the MinConv and BN gradients).
#include "sw/train/backprop.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sw/train/pass.h"

namespace minconv::train::detail {
using golden::FloatLayer;
using golden::FloatMode;
using golden::LayerType;
using golden::Shape;
using golden::TensorF;

bool direct(const FloatLayer& l) {
  const golden::ConvGeometry& g = l.geometry;
  return l.type == LayerType::kFc ||
         (g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
          g.pad_bottom == 0 && g.pad_right == 0);
}

namespace {

void prepare_min_weights(const FloatLayer& l, std::size_t k_size, double mu_x,
                         const std::vector<double>& mu_w, LayerWeights& lw) {
  const std::size_t n = l.weights.size();
  lw.scaled.assign(n, 0.0f);
  lw.abs_w.assign(n, 0.0f);
  lw.sign_w.assign(n, 0.0f);
  lw.chain.assign(n, 0.0f);
  lw.mu_w.assign(static_cast<std::size_t>(l.out_c), 0.0f);
  lw.mu_x = mu_x;
  for (int o = 0; o < l.out_c; ++o) {
    const double m = mu_w[o];
    lw.mu_w[o] = static_cast<float>(m);
    if (m == 0.0) continue;  // a zero filter contributes nothing (as minconv2d_float)
    const double alpha = 2.0 * m;
    const double s = mu_x / m;
    for (std::size_t k = 0; k < k_size; ++k) {
      const std::size_t j = o * k_size + k;
      const double w = l.weights[j];
      const float v = static_cast<float>(s * std::clamp(w, -alpha, alpha));
      lw.scaled[j] = v;
      lw.abs_w[j] = std::fabs(v);
      lw.sign_w[j] = sgn(v);
      lw.chain[j] = std::fabs(w) < alpha ? static_cast<float>(s) : 0.0f;
    }
  }
  lw.w = lw.scaled.data();
}

std::vector<double> filter_means(const FloatLayer& l, std::size_t k_size) {
  std::vector<double> m(static_cast<std::size_t>(l.out_c), 0.0);
  for (int o = 0; o < l.out_c; ++o) {
    double s = 0.0;
    for (std::size_t k = 0; k < k_size; ++k) s += std::fabs(static_cast<double>(l.weights[o * k_size + k]));
    m[o] = s / static_cast<double>(k_size);
  }
  return m;
}

}  // namespace

Pass::Pass(const TrainNetwork& t, const std::vector<const TensorF*>& images, const std::vector<int>& labels,
           FloatMode mode, const PassOptions& o)
    : net_(t.net),
      bn_(t.bn),
      images_(images),
      labels_(labels),
      min_mode_(mode == FloatMode::kMinConv),
      opt_(o),
      L_(t.net.layers.size()),
      N_(images.size()),
      T_(o.pool == nullptr ? 1 : o.pool->size()) {
  check_batchnorm(t);
  const std::vector<Shape> shapes = golden::infer_shapes(net_);
  for (std::size_t i = 0; i < L_; ++i) {
    in_shape_.push_back(golden::layer_input_shape(net_, shapes, i));
    out_shape_.push_back(shapes[i]);
    const FloatLayer& l = layer(i);
    filter_.push_back(
        conv_like(l.type) ? static_cast<std::size_t>(l.geometry.kh) * l.geometry.kw * in_shape_[i].c : 0);
    positions_.push_back(static_cast<std::size_t>(shapes[i].h) * shapes[i].w);
  }
  if (N_ == 0) throw std::invalid_argument("loss_and_gradients: empty batch");
  if (labels.size() != N_) {
    throw std::invalid_argument("loss_and_gradients: " + std::to_string(N_) + " images but " +
                                std::to_string(labels.size()) + " labels");
  }
  classes_ = static_cast<int>(volume(out_shape_.back()));
  for (std::size_t n = 0; n < N_; ++n) {
    const TensorF& x = *images[n];
    if (Shape{x.h, x.w, x.c} != net_.input || x.data.size() != volume(net_.input)) {
      throw std::invalid_argument("loss_and_gradients: image " + std::to_string(n) + " has shape " +
                                  golden::to_string(Shape{x.h, x.w, x.c}) + ", the network input is " +
                                  golden::to_string(net_.input));
    }
    if (labels[n] < 0 || labels[n] >= classes_) {
      throw std::invalid_argument("loss_and_gradients: label " + std::to_string(labels[n]) + " of image " +
                                  std::to_string(n) + " is outside [0, " + std::to_string(classes_) + ")");
    }
  }
  const MinConvConstants* fixed = o.fixed;
  if (fixed != nullptr && min_mode_ &&
      ((!fixed->mu_x.empty() && fixed->mu_x.size() != L_) ||
       (!fixed->mu_w.empty() && fixed->mu_w.size() != L_))) {
    throw std::invalid_argument("loss_and_gradients: fixed MinConv constants have the wrong layer count");
  }
  consts_.mu_x.assign(L_, 0.0);
  consts_.mu_w.assign(L_, {});
  lw_.resize(L_);
  in_ptr_.assign(L_ + 1, std::vector<const float*>(N_));
  out_.assign(L_, std::vector<std::vector<float>>(N_));
  hat_.resize(L_);
  arg_.resize(L_);
  inv_std_.resize(L_);
  scratch_.resize(static_cast<std::size_t>(T_));
  for (std::size_t n = 0; n < N_; ++n) in_ptr_[0][n] = images[n]->data.data();
}

BatchResult Pass::run(Gradients* grads) {
  for (std::size_t i = 0; i < L_; ++i) {
    if (conv_like(layer(i).type)) {
      forward_conv(i);
    } else {
      forward_pool(i);
    }
    for (std::size_t n = 0; n < N_; ++n) in_ptr_[i + 1][n] = out_[i][n].data();
  }
  const BatchResult result = loss();
  if (opt_.used != nullptr) *opt_.used = consts_;
  if (grads == nullptr) return result;
  grads->weights.assign(L_, {});
  grads->bias.assign(L_, {});
  grads->gamma.assign(L_, {});
  grads->beta.assign(L_, {});
  for (std::size_t i = L_; i-- > 0;) {
    if (conv_like(layer(i).type)) {
      backward_conv(i, *grads);
    } else if (i > 0) {
      backward_pool(i);
    }
    std::swap(delta_, prev_);
  }
  return result;
}

void Pass::forward_conv(std::size_t i) {
  const FloatLayer& l = layer(i);
  const std::size_t in_size = volume(in_shape_[i]);
  if (min_mode_) {
    const MinConvConstants* fixed = opt_.fixed;
    if (fixed != nullptr && !fixed->mu_x.empty()) {
      consts_.mu_x[i] = fixed->mu_x[i];
    } else {
      std::vector<double> part(static_cast<std::size_t>(T_), 0.0);
      parallel([&](int t, std::size_t b, std::size_t e) {
        for (std::size_t n = b; n < e; ++n) {
          const float* x = in_ptr_[i][n];
          double s = 0.0;
          for (std::size_t j = 0; j < in_size; ++j) s += std::fabs(x[j]);
          part[t] += s;
        }
      });
      double s = 0.0;
      for (double v : part) s += v;
      consts_.mu_x[i] = s / (static_cast<double>(N_) * static_cast<double>(in_size));
    }
    consts_.mu_w[i] = fixed != nullptr && !fixed->mu_w.empty() ? fixed->mu_w[i] : filter_means(l, filter_[i]);
    prepare_min_weights(l, filter_[i], consts_.mu_x[i], consts_.mu_w[i], lw_[i]);
  } else {
    lw_[i].w = l.weights.data();
  }
  parallel([&](int t, std::size_t b, std::size_t e) {
    for (std::size_t n = b; n < e; ++n) conv_sample(i, n, scratch_[t]);
  });
  if (has_bn(i)) {
    bn_forward(i);
  } else if (l.relu) {
    parallel([&](int, std::size_t b, std::size_t e) {
      for (std::size_t n = b; n < e; ++n) {
        for (float& v : out_[i][n]) v = std::max(v, 0.0f);
      }
    });
  }
}

void Pass::conv_sample(std::size_t i, std::size_t n, Scratch& s) {
  const FloatLayer& l = layer(i);
  const std::size_t K = filter_[i], P = positions_[i], oc = static_cast<std::size_t>(l.out_c);
  std::vector<float>& z = out_[i][n];
  z.resize(P * oc);
  const float* w = lw_[i].w;
  if (!direct(l)) {  // convolution: transposed im2col, inner loops over the positions
    s.col.resize(P * K);
    s.zt.resize(P * oc);
    im2col_t(in_ptr_[i][n], in_shape_[i], l.geometry, out_shape_[i], s.col.data());
    if (min_mode_) {
      minconv_t_forward(s.col.data(), K, P, lw_[i].abs_w.data(), lw_[i].sign_w.data(), oc, s.zt.data());
    } else {
      conv_t_forward(s.col.data(), K, P, w, oc, s.zt.data());
    }
    for (std::size_t o = 0; o < oc; ++o) {
      const float scale = min_mode_ ? lw_[i].mu_w[o] : 1.0f;
      for (std::size_t p = 0; p < P; ++p) z[p * oc + o] = l.bias[o] + scale * s.zt[o * P + p];
    }
    return;
  }
  const float* c = in_ptr_[i][n];
  for (std::size_t p = 0; p < P; ++p) {
    const float* cp = c + p * K;
    float* zp = z.data() + p * oc;
    if (min_mode_) {
      for (std::size_t o = 0; o < oc; ++o) zp[o] = l.bias[o] + lw_[i].mu_w[o] * min_dot(cp, w + o * K, K);
    } else {
      for (std::size_t o = 0; o < oc; ++o) zp[o] = l.bias[o] + dot(cp, w + o * K, K);
    }
  }
}

void Pass::bn_forward(std::size_t i) {
  const BatchNorm& bn = bn_[i];
  const FloatLayer& l = layer(i);
  const std::size_t oc = static_cast<std::size_t>(l.out_c);
  const std::size_t M = N_ * positions_[i];
  std::vector<double> mean(oc), var(oc);
  if (opt_.bn_training) {
    mean = channel_sum(i, [&](std::size_t n, std::size_t j, std::size_t) { return double{out_[i][n][j]}; });
    for (double& m : mean) m /= static_cast<double>(M);
    var = channel_sum(i, [&](std::size_t n, std::size_t j, std::size_t o) {
      const double d = out_[i][n][j] - mean[o];
      return d * d;
    });
    for (double& v : var) v /= static_cast<double>(M);
    if (opt_.bn_stats != nullptr) {
      opt_.bn_stats->mean.resize(L_);
      opt_.bn_stats->var.resize(L_);
      opt_.bn_stats->count.resize(L_);
      opt_.bn_stats->mean[i] = mean;
      opt_.bn_stats->var[i] = var;
      opt_.bn_stats->count[i] = M;
    }
  } else {
    mean.assign(bn.running_mean.begin(), bn.running_mean.end());
    var.assign(bn.running_var.begin(), bn.running_var.end());
  }
  std::vector<float> m(oc), inv(oc);
  for (std::size_t o = 0; o < oc; ++o) {
    m[o] = static_cast<float>(mean[o]);
    inv[o] = static_cast<float>(1.0 / std::sqrt(var[o] + kBnEps));
  }
  inv_std_[i] = inv;
  hat_[i].resize(N_);
  parallel([&](int, std::size_t b, std::size_t e) {
    for (std::size_t n = b; n < e; ++n) {
      std::vector<float>& z = out_[i][n];
      std::vector<float>& h = hat_[i][n];
      h.resize(z.size());
      for (std::size_t j0 = 0; j0 < z.size(); j0 += oc) {
        for (std::size_t o = 0; o < oc; ++o) {
          const std::size_t j = j0 + o;
          h[j] = (z[j] - m[o]) * inv[o];
          const float y = bn.gamma[o] * h[j] + bn.beta[o];
          z[j] = l.relu ? std::max(y, 0.0f) : y;
        }
      }
    }
  });
}

void Pass::forward_pool(std::size_t i) {
  const FloatLayer& l = layer(i);
  const bool is_max = l.type == LayerType::kMaxPool;
  const std::size_t size = volume(out_shape_[i]);
  if (is_max) arg_[i].assign(N_, {});
  parallel([&](int, std::size_t b, std::size_t e) {
    for (std::size_t n = b; n < e; ++n) {
      out_[i][n].resize(size);
      if (is_max) arg_[i][n].resize(size);
      pool_forward(in_ptr_[i][n], in_shape_[i], out_shape_[i], l.k, l.stride, is_max, out_[i][n].data(),
                   is_max ? arg_[i][n].data() : nullptr);
    }
  });
}

BatchResult Pass::loss() {
  const std::size_t C = static_cast<std::size_t>(classes_);
  delta_.assign(N_, std::vector<float>(C));
  prev_.assign(N_, {});
  std::vector<double> part_loss(static_cast<std::size_t>(T_), 0.0);
  std::vector<int> part_correct(static_cast<std::size_t>(T_), 0);
  const double inv_n = 1.0 / static_cast<double>(N_);
  parallel([&](int t, std::size_t b, std::size_t e) {
    for (std::size_t n = b; n < e; ++n) {
      const float* z = in_ptr_[L_][n];
      const float zmax = *std::max_element(z, z + C);
      double sum = 0.0;
      for (std::size_t j = 0; j < C; ++j) sum += std::exp(static_cast<double>(z[j]) - zmax);
      const double log_sum = std::log(sum) + zmax;
      const std::size_t label = static_cast<std::size_t>(labels_[n]);
      part_loss[t] += log_sum - z[label];
      if (static_cast<std::size_t>(std::max_element(z, z + C) - z) == label) ++part_correct[t];
      for (std::size_t j = 0; j < C; ++j) {
        const double p = std::exp(static_cast<double>(z[j]) - log_sum);
        delta_[n][j] = static_cast<float>((p - (j == label ? 1.0 : 0.0)) * inv_n);
      }
    }
  });
  BatchResult r;
  for (int t = 0; t < T_; ++t) {
    r.loss += part_loss[t];
    r.correct += part_correct[t];
  }
  r.loss *= inv_n;
  if (opt_.logits != nullptr) {
    opt_.logits->resize(N_);
    for (std::size_t n = 0; n < N_; ++n) (*opt_.logits)[n].assign(in_ptr_[L_][n], in_ptr_[L_][n] + C);
  }
  return r;
}

}  // namespace minconv::train::detail
