// The backward half of the batch pass (see backprop.h for the MinConv and BN gradients), and the public
// entry points.
#include <algorithm>
#include <cmath>

#include "sw/train/pass.h"

namespace minconv::train {
namespace detail {
using golden::FloatLayer;
using golden::LayerType;

void Pass::backward_conv(std::size_t i, Gradients& g) {
  const FloatLayer& l = layer(i);
  if (l.relu) {
    parallel([&](int, std::size_t b, std::size_t e) {
      for (std::size_t n = b; n < e; ++n) {
        std::vector<float>& dy = delta_[n];
        const std::vector<float>& y = out_[i][n];
        for (std::size_t j = 0; j < dy.size(); ++j) {
          if (!(y[j] > 0.0f)) dy[j] = 0.0f;
        }
      }
    });
  }
  if (has_bn(i)) bn_backward(i, g);
  const std::size_t oc = static_cast<std::size_t>(l.out_c);
  if (i > 0) prev_.assign(N_, {});
  parallel([&](int t, std::size_t b, std::size_t e) {
    Scratch& s = scratch_[t];
    s.dw.assign(l.weights.size(), 0.0f);
    s.db.assign(oc, 0.0f);
    if (min_mode_ && opt_.mu_w_gradient) s.xw.assign(l.weights.size(), 0.0f);
    for (std::size_t n = b; n < e; ++n) conv_sample_backward(i, n, s);
  });
  std::vector<float>& dw = g.weights[i];
  std::vector<float>& db = g.bias[i];
  dw.assign(l.weights.size(), 0.0f);
  db.assign(oc, 0.0f);
  for (const Scratch& s : scratch_) {
    for (std::size_t j = 0; j < dw.size(); ++j) dw[j] += s.dw[j];
    for (std::size_t o = 0; o < oc; ++o) db[o] += s.db[o];
  }
  if (min_mode_ && opt_.mu_w_gradient) {
    mu_w_gradient(i, dw);
  } else if (min_mode_) {
    for (std::size_t j = 0; j < dw.size(); ++j) dw[j] *= lw_[i].chain[j];
  }
}

// dw holds dL/dw' summed with the factor mu_w (the w-side sums), the scratch xw the x-side sums
// Σ g·mu_w·x. Through mu_w,o (backprop.h): dL/dmu_w,o = Σ_k sgn(w'_k)·X_ok/mu_w + Σ_{k clipped}
// 2·mu_x·sgn(w'_k)·W_ok/mu_w, then dL/dw_ok = W_ok·chain_ok + dL/dmu_w,o·sgn(w_ok)/K.
void Pass::mu_w_gradient(std::size_t i, std::vector<float>& dw) {
  const LayerWeights& lw = lw_[i];
  const std::size_t oc = static_cast<std::size_t>(layer(i).out_c);
  const std::size_t K = filter_[i];
  std::vector<float> xw(dw.size(), 0.0f);
  for (const Scratch& s : scratch_) {
    for (std::size_t j = 0; j < xw.size(); ++j) xw[j] += s.xw[j];
  }
  for (std::size_t o = 0; o < oc; ++o) {
    const double m = lw.mu_w[o];
    if (m == 0.0) continue;
    double dmu = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t j = o * K + k;
      dmu += lw.sign_w[j] * static_cast<double>(xw[j]) / m;
      if (lw.chain[j] == 0.0f) dmu += 2.0 * lw.mu_x * lw.sign_w[j] * static_cast<double>(dw[j]) / m;
    }
    const float share = static_cast<float>(dmu / static_cast<double>(K));
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t j = o * K + k;
      dw[j] = dw[j] * lw.chain[j] + share * sgn(layer(i).weights[j]);
    }
  }
}

void Pass::conv_sample_backward(std::size_t i, std::size_t n, Scratch& s) {
  const FloatLayer& l = layer(i);
  const std::size_t K = filter_[i], P = positions_[i], oc = static_cast<std::size_t>(l.out_c);
  const bool need_dx = i > 0;
  if (!direct(l)) {
    conv_sample_backward_t(i, n, s);
    return;
  }
  const float* c = in_ptr_[i][n];
  if (need_dx) s.dcol.assign(P * K, 0.0f);
  if (min_mode_) {
    s.abs_col.resize(P * K);
    s.sign_col.resize(P * K);
    for (std::size_t j = 0; j < P * K; ++j) {
      s.abs_col[j] = std::fabs(c[j]);
      s.sign_col[j] = sgn(c[j]);
    }
  }
  const std::vector<float>& dy = delta_[n];
  for (std::size_t p = 0; p < P; ++p) {
    const float* cp = c + p * K;
    float* dcp = need_dx ? s.dcol.data() + p * K : nullptr;
    for (std::size_t o = 0; o < oc; ++o) {
      const float gr = dy[p * oc + o];
      if (gr == 0.0f) continue;
      s.db[o] += gr;
      float* dwo = s.dw.data() + o * K;
      if (!min_mode_) {
        axpy(dwo, gr, cp, K);
        if (dcp != nullptr) axpy(dcp, gr, l.weights.data() + o * K, K);
        continue;
      }
      const float gm = gr * lw_[i].mu_w[o];
      const float* ax = s.abs_col.data() + p * K;
      const float* sx = s.sign_col.data() + p * K;
      const float* aw = lw_[i].abs_w.data() + o * K;
      const float* sw = lw_[i].sign_w.data() + o * K;
      if (opt_.mu_w_gradient) {
        float* xwo = s.xw.data() + o * K;
        for (std::size_t k = 0; k < K; ++k) xwo[k] += ax[k] < aw[k] ? gm * sx[k] * ax[k] : 0.0f;
      }
      if (dcp != nullptr) {
        for (std::size_t k = 0; k < K; ++k) {
          const bool x_smaller = ax[k] < aw[k];
          dcp[k] += x_smaller ? gm * sw[k] : 0.0f;
          dwo[k] += x_smaller ? 0.0f : gm * sx[k];
        }
      } else {
        for (std::size_t k = 0; k < K; ++k) dwo[k] += ax[k] < aw[k] ? 0.0f : gm * sx[k];
      }
    }
  }
  if (need_dx) prev_[n] = s.dcol;
}

// A convolution, with the transposed im2col layout of conv_sample.
void Pass::conv_sample_backward_t(std::size_t i, std::size_t n, Scratch& s) {
  const FloatLayer& l = layer(i);
  const std::size_t K = filter_[i], P = positions_[i], oc = static_cast<std::size_t>(l.out_c);
  const bool need_dx = i > 0;
  s.col.resize(P * K);
  im2col_t(in_ptr_[i][n], in_shape_[i], l.geometry, out_shape_[i], s.col.data());
  s.zt.resize(P * oc);  // dz (min: dz·mu_w), transposed
  const std::vector<float>& dy = delta_[n];
  for (std::size_t o = 0; o < oc; ++o) {
    const float scale = min_mode_ ? lw_[i].mu_w[o] : 1.0f;
    float sum = 0.0f;
    for (std::size_t p = 0; p < P; ++p) {
      sum += dy[p * oc + o];
      s.zt[o * P + p] = dy[p * oc + o] * scale;
    }
    s.db[o] += sum;
  }
  if (need_dx) s.dcol.assign(P * K, 0.0f);
  float* dcol = need_dx ? s.dcol.data() : nullptr;
  if (min_mode_) {
    s.abs_col.resize(P * K);
    s.sign_col.resize(P * K);
    for (std::size_t j = 0; j < P * K; ++j) {
      s.abs_col[j] = std::fabs(s.col[j]);
      s.sign_col[j] = sgn(s.col[j]);
    }
    minconv_t_backward(s.abs_col.data(), s.sign_col.data(), K, P, lw_[i].abs_w.data(), lw_[i].sign_w.data(),
                       oc, s.zt.data(), s.dw.data(), dcol, opt_.mu_w_gradient ? s.xw.data() : nullptr);
  } else {
    conv_t_backward(s.col.data(), K, P, l.weights.data(), oc, s.zt.data(), s.dw.data(), dcol);
  }
  if (!need_dx) return;
  prev_[n].resize(volume(in_shape_[i]));
  col2im_t(s.dcol.data(), in_shape_[i], l.geometry, out_shape_[i], prev_[n].data());
}

void Pass::bn_backward(std::size_t i, Gradients& g) {
  const BatchNorm& bn = bn_[i];
  const std::size_t oc = static_cast<std::size_t>(layer(i).out_c);
  const double M = static_cast<double>(N_ * positions_[i]);
  const std::vector<double> dbeta =
      channel_sum(i, [&](std::size_t n, std::size_t j, std::size_t) { return double{delta_[n][j]}; });
  const std::vector<double> dgamma = channel_sum(
      i, [&](std::size_t n, std::size_t j, std::size_t) { return double{delta_[n][j]} * hat_[i][n][j]; });
  g.gamma[i].assign(dgamma.begin(), dgamma.end());
  g.beta[i].assign(dbeta.begin(), dbeta.end());
  std::vector<float> scale(oc), mean_dy(oc), mean_dyh(oc);
  for (std::size_t o = 0; o < oc; ++o) {
    scale[o] = bn.gamma[o] * inv_std_[i][o];
    mean_dy[o] = opt_.bn_training ? static_cast<float>(dbeta[o] / M) : 0.0f;
    mean_dyh[o] = opt_.bn_training ? static_cast<float>(dgamma[o] / M) : 0.0f;
  }
  parallel([&](int, std::size_t b, std::size_t e) {
    for (std::size_t n = b; n < e; ++n) {
      std::vector<float>& dy = delta_[n];
      const std::vector<float>& h = hat_[i][n];
      for (std::size_t j0 = 0; j0 < dy.size(); j0 += oc) {
        for (std::size_t o = 0; o < oc; ++o) {
          const std::size_t j = j0 + o;
          dy[j] = scale[o] * (dy[j] - mean_dy[o] - h[j] * mean_dyh[o]);
        }
      }
    }
  });
}

void Pass::backward_pool(std::size_t i) {
  const FloatLayer& l = layer(i);
  const bool is_max = l.type == LayerType::kMaxPool;
  prev_.assign(N_, {});
  parallel([&](int, std::size_t b, std::size_t e) {
    for (std::size_t n = b; n < e; ++n) {
      prev_[n].resize(volume(in_shape_[i]));
      pool_backward(delta_[n].data(), in_shape_[i], out_shape_[i], l.k, l.stride, is_max,
                    is_max ? arg_[i][n].data() : nullptr, prev_[n].data());
    }
  });
}

}  // namespace detail

BatchResult loss_and_gradients(const TrainNetwork& net, const std::vector<const golden::TensorF*>& images,
                               const std::vector<int>& labels, golden::FloatMode mode, Gradients* grads,
                               const PassOptions& options) {
  detail::Pass pass(net, images, labels, mode, options);
  return pass.run(grads);
}

BatchResult loss_and_gradients(const golden::FloatNetwork& net,
                               const std::vector<const golden::TensorF*>& images,
                               const std::vector<int>& labels, golden::FloatMode mode, Gradients* grads,
                               const MinConvConstants* fixed, MinConvConstants* used) {
  TrainNetwork t;
  t.net = net;
  PassOptions o;
  o.fixed = fixed;
  o.used = used;
  return loss_and_gradients(t, images, labels, mode, grads, o);
}

}  // namespace minconv::train
