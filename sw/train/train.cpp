// Hand-written forward and backward passes and SGD for FloatNetwork (see train.h for the MinConv gradient).
#include "sw/train/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "sw/golden/float_ops.h"

namespace minconv::train {
using namespace golden;  // the reference types this tool code builds on
namespace {

bool conv_like(LayerType t) { return t == LayerType::kConv || t == LayerType::kFc; }

// Shapes every layer sees (fc: its input flattened to 1 x 1 x K, which is the same memory in HWC order).
struct Plan {
  std::vector<Shape> in, out;
  std::vector<std::size_t> filter;     // K = kh * kw * in_c for conv/fc
  std::vector<std::size_t> positions;  // P = out_h * out_w for conv/fc
};

Plan make_plan(const FloatNetwork& net) {
  const std::vector<Shape> shapes = infer_shapes(net);
  Plan p;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& l = net.layers[i];
    p.in.push_back(layer_input_shape(net, shapes, i));
    p.out.push_back(shapes[i]);
    p.filter.push_back(conv_like(l.type) ? static_cast<std::size_t>(l.geometry.kh) * l.geometry.kw * p.in[i].c
                                         : 0);
    p.positions.push_back(static_cast<std::size_t>(shapes[i].h) * shapes[i].w);
  }
  return p;
}

std::size_t volume(const Shape& s) { return static_cast<std::size_t>(s.h) * s.w * s.c; }

// A conv whose im2col matrix is its input (1x1 kernel, stride 1, no padding; every fc).
bool direct(const FloatLayer& l) {
  const ConvGeometry& g = l.geometry;
  return l.type == LayerType::kFc ||
         (g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
          g.pad_bottom == 0 && g.pad_right == 0);
}

// col[p][(ky * kw + kx) * C + c] = x[oy * sh - pad_top + ky][ox * sw - pad_left + kx][c] (0 outside).
void im2col(const float* x, const Shape& in, const ConvGeometry& g, const Shape& out, float* col) {
  const std::size_t run = static_cast<std::size_t>(in.c);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ky = 0; ky < g.kh; ++ky) {
        const int iy = oy * g.stride_h - g.pad_top + ky;
        for (int kx = 0; kx < g.kw; ++kx) {
          const int ix = ox * g.stride_w - g.pad_left + kx;
          if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) {
            std::fill(col, col + run, 0.0f);
          } else {
            std::copy(x + (static_cast<std::size_t>(iy) * in.w + ix) * run,
                      x + (static_cast<std::size_t>(iy) * in.w + ix + 1) * run, col);
          }
          col += run;
        }
      }
    }
  }
}

// The adjoint of im2col: dx (zeroed here) accumulates dcol.
void col2im(const float* dcol, const Shape& in, const ConvGeometry& g, const Shape& out, float* dx) {
  const std::size_t run = static_cast<std::size_t>(in.c);
  std::fill(dx, dx + volume(in), 0.0f);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ky = 0; ky < g.kh; ++ky) {
        const int iy = oy * g.stride_h - g.pad_top + ky;
        for (int kx = 0; kx < g.kw; ++kx) {
          const int ix = ox * g.stride_w - g.pad_left + kx;
          if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
            float* d = dx + (static_cast<std::size_t>(iy) * in.w + ix) * run;
            for (std::size_t c = 0; c < run; ++c) d[c] += dcol[c];
          }
          dcol += run;
        }
      }
    }
  }
}

// Dot product with eight independent partial sums (vectorizes without reassociation flags).
inline float dot(const float* a, const float* b, std::size_t n) {
  float acc[8] = {};
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int j = 0; j < 8; ++j) acc[j] += a[k + j] * b[k + j];
  }
  float s = 0.0f;
  for (; k < n; ++k) s += a[k] * b[k];
  for (int j = 0; j < 8; ++j) s += acc[j];
  return s;
}

// Σ sgn(a)·sgn(b)·min(|a|, |b|).
inline float min_dot(const float* a, const float* b, std::size_t n) {
  float acc[8] = {};
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int j = 0; j < 8; ++j) {
      acc[j] += std::copysign(std::min(std::fabs(a[k + j]), std::fabs(b[k + j])), a[k + j] * b[k + j]);
    }
  }
  float s = 0.0f;
  for (; k < n; ++k) s += std::copysign(std::min(std::fabs(a[k]), std::fabs(b[k])), a[k] * b[k]);
  for (int j = 0; j < 8; ++j) s += acc[j];
  return s;
}

inline void axpy(float* y, float a, const float* x, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) y[k] += a * x[k];
}

inline float sgn(float v) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); }

// The weights a conv/fc layer computes with during one step.
struct LayerWeights {
  const float* w = nullptr;   // standard: the weights; min: w' = s · clip(w)
  std::vector<float> scaled;  // min: w'
  std::vector<float> abs_w;   // min: |w'|
  std::vector<float> sign_w;  // min: sgn(w')
  std::vector<float> mu_w;    // min: mu_w,o
  std::vector<float> chain;   // min: dw = dw' · chain, chain = s_o · [|w| < 2 mu_w,o]
};

void prepare_min_weights(const FloatLayer& l, std::size_t k_size, double mu_x,
                         const std::vector<double>& mu_w, LayerWeights& lw) {
  const std::size_t n = l.weights.size();
  lw.scaled.assign(n, 0.0f);
  lw.abs_w.assign(n, 0.0f);
  lw.sign_w.assign(n, 0.0f);
  lw.chain.assign(n, 0.0f);
  lw.mu_w.assign(static_cast<std::size_t>(l.out_c), 0.0f);
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

BatchResult loss_and_gradients(const FloatNetwork& net, const std::vector<const TensorF*>& images,
                               const std::vector<int>& labels, FloatMode mode, Gradients* grads,
                               const MinConvConstants* fixed, MinConvConstants* used) {
  const Plan plan = make_plan(net);
  const std::size_t L = net.layers.size();
  const std::size_t N = images.size();
  if (N == 0) throw std::invalid_argument("loss_and_gradients: empty batch");
  if (labels.size() != N) {
    throw std::invalid_argument("loss_and_gradients: " + std::to_string(N) + " images but " +
                                std::to_string(labels.size()) + " labels");
  }
  const int classes = static_cast<int>(volume(plan.out.back()));
  for (std::size_t n = 0; n < N; ++n) {
    const TensorF& t = *images[n];
    if (Shape{t.h, t.w, t.c} != net.input || t.data.size() != volume(net.input)) {
      throw std::invalid_argument("loss_and_gradients: image " + std::to_string(n) + " has shape " +
                                  to_string(Shape{t.h, t.w, t.c}) + ", the network input is " +
                                  to_string(net.input));
    }
    if (labels[n] < 0 || labels[n] >= classes) {
      throw std::invalid_argument("loss_and_gradients: label " + std::to_string(labels[n]) + " of image " +
                                  std::to_string(n) + " is outside [0, " + std::to_string(classes) + ")");
    }
  }
  const bool min_mode = mode == FloatMode::kMinConv;
  if (fixed != nullptr && min_mode) {
    if (!fixed->mu_x.empty() && fixed->mu_x.size() != L) {
      throw std::invalid_argument("loss_and_gradients: fixed mu_x has the wrong layer count");
    }
    if (!fixed->mu_w.empty() && fixed->mu_w.size() != L) {
      throw std::invalid_argument("loss_and_gradients: fixed mu_w has the wrong layer count");
    }
  }
  MinConvConstants consts;
  consts.mu_x.assign(L, 0.0);
  consts.mu_w.assign(L, {});

  // acts[i][n]: input of layer i for image n (acts[0] are the images).
  std::vector<std::vector<const float*>> in_ptr(L + 1, std::vector<const float*>(N));
  std::vector<std::vector<std::vector<float>>> out(L, std::vector<std::vector<float>>(N));
  std::vector<std::vector<std::vector<uint32_t>>> argmax_idx(L);
  std::vector<LayerWeights> lw(L);
  for (std::size_t n = 0; n < N; ++n) in_ptr[0][n] = images[n]->data.data();
  std::vector<float> col;

  // Forward, layer by layer over the whole batch (mu_x of a layer needs the batch's input of it).
  for (std::size_t i = 0; i < L; ++i) {
    const FloatLayer& l = net.layers[i];
    const Shape& in = plan.in[i];
    const Shape& os = plan.out[i];
    const std::size_t in_size = volume(in);
    const std::size_t out_size = volume(os);
    if (conv_like(l.type)) {
      const std::size_t K = plan.filter[i];
      const std::size_t P = plan.positions[i];
      const std::size_t oc = static_cast<std::size_t>(l.out_c);
      if (min_mode) {
        double mu_x = 0.0;
        if (fixed != nullptr && !fixed->mu_x.empty()) {
          mu_x = fixed->mu_x[i];
        } else {
          for (std::size_t n = 0; n < N; ++n) {
            const float* x = in_ptr[i][n];
            double s = 0.0;
            for (std::size_t j = 0; j < in_size; ++j) s += std::fabs(x[j]);
            mu_x += s;
          }
          mu_x /= static_cast<double>(N * in_size);
        }
        const std::vector<double> mu_w =
            fixed != nullptr && !fixed->mu_w.empty() ? fixed->mu_w[i] : filter_means(l, K);
        if (mu_w.size() != oc)
          throw std::invalid_argument("loss_and_gradients: fixed mu_w has the wrong size");
        consts.mu_x[i] = mu_x;
        consts.mu_w[i] = mu_w;
        prepare_min_weights(l, K, mu_x, mu_w, lw[i]);
      } else {
        lw[i].w = l.weights.data();
      }
      const bool is_direct = direct(l);
      if (!is_direct) col.resize(P * K);
      for (std::size_t n = 0; n < N; ++n) {
        const float* c = in_ptr[i][n];
        if (!is_direct) {
          im2col(c, in, l.geometry, os, col.data());
          c = col.data();
        }
        std::vector<float>& y = out[i][n];
        y.resize(out_size);
        for (std::size_t p = 0; p < P; ++p) {
          const float* cp = c + p * K;
          float* yp = y.data() + p * oc;
          for (std::size_t o = 0; o < oc; ++o) {
            const float* wo = lw[i].w + o * K;
            float v = min_mode ? l.bias[o] + lw[i].mu_w[o] * min_dot(cp, wo, K) : l.bias[o] + dot(cp, wo, K);
            yp[o] = l.relu ? std::max(v, 0.0f) : v;
          }
        }
      }
    } else {
      const int k = l.k, st = l.stride;
      const bool is_max = l.type == LayerType::kMaxPool;
      const float inv = 1.0f / static_cast<float>(k * k);
      if (is_max) argmax_idx[i].assign(N, {});
      for (std::size_t n = 0; n < N; ++n) {
        const float* x = in_ptr[i][n];
        std::vector<float>& y = out[i][n];
        y.assign(out_size, 0.0f);
        if (is_max) argmax_idx[i][n].assign(out_size, 0);
        for (int oy = 0; oy < os.h; ++oy) {
          for (int ox = 0; ox < os.w; ++ox) {
            for (int c = 0; c < os.c; ++c) {
              const std::size_t oi = (static_cast<std::size_t>(oy) * os.w + ox) * os.c + c;
              float best = 0.0f, sum = 0.0f;
              uint32_t best_i = 0;
              bool first = true;
              for (int ky = 0; ky < k; ++ky) {
                for (int kx = 0; kx < k; ++kx) {
                  const std::size_t ii =
                      (static_cast<std::size_t>(oy * st + ky) * in.w + (ox * st + kx)) * in.c + c;
                  const float v = x[ii];
                  sum += v;
                  if (first || v > best) {
                    best = v;
                    best_i = static_cast<uint32_t>(ii);
                    first = false;
                  }
                }
              }
              if (is_max) {
                y[oi] = best;
                argmax_idx[i][n][oi] = best_i;
              } else {
                y[oi] = sum * inv;
              }
            }
          }
        }
      }
    }
    for (std::size_t n = 0; n < N; ++n) in_ptr[i + 1][n] = out[i][n].data();
  }

  // Softmax cross-entropy.
  BatchResult result;
  std::vector<std::vector<float>> delta(N, std::vector<float>(static_cast<std::size_t>(classes)));
  const double inv_n = 1.0 / static_cast<double>(N);
  for (std::size_t n = 0; n < N; ++n) {
    const float* z = in_ptr[L][n];
    const float zmax = *std::max_element(z, z + classes);
    double sum = 0.0;
    for (int j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(z[j]) - zmax);
    const double log_sum = std::log(sum) + zmax;
    result.loss += log_sum - z[labels[n]];
    if (std::max_element(z, z + classes) - z == labels[n]) ++result.correct;
    for (int j = 0; j < classes; ++j) {
      const double p = std::exp(static_cast<double>(z[j]) - log_sum);
      delta[n][j] = static_cast<float>((p - (j == labels[n] ? 1.0 : 0.0)) * inv_n);
    }
  }
  result.loss *= inv_n;
  if (used != nullptr) *used = consts;
  if (grads == nullptr) return result;

  grads->weights.resize(L);
  grads->bias.resize(L);
  std::vector<float> dcol, abs_col, sign_col;
  std::vector<std::vector<float>> prev(N);
  for (std::size_t i = L; i-- > 0;) {
    const FloatLayer& l = net.layers[i];
    const Shape& in = plan.in[i];
    const Shape& os = plan.out[i];
    const std::size_t in_size = volume(in);
    const bool need_dx = i > 0;
    if (conv_like(l.type)) {
      const std::size_t K = plan.filter[i];
      const std::size_t P = plan.positions[i];
      const std::size_t oc = static_cast<std::size_t>(l.out_c);
      std::vector<float>& dw = grads->weights[i];
      std::vector<float>& db = grads->bias[i];
      dw.assign(l.weights.size(), 0.0f);
      db.assign(oc, 0.0f);
      const bool is_direct = direct(l);
      if (!is_direct) col.resize(P * K);
      if (need_dx) dcol.resize(P * K);
      if (min_mode) {
        abs_col.resize(P * K);
        sign_col.resize(P * K);
      }
      for (std::size_t n = 0; n < N; ++n) {
        std::vector<float>& dy = delta[n];
        const std::vector<float>& y = out[i][n];
        if (l.relu) {
          for (std::size_t j = 0; j < dy.size(); ++j) {
            if (!(y[j] > 0.0f)) dy[j] = 0.0f;
          }
        }
        const float* c = in_ptr[i][n];
        if (!is_direct) {
          im2col(c, in, l.geometry, os, col.data());
          c = col.data();
        }
        if (need_dx) std::fill(dcol.begin(), dcol.end(), 0.0f);
        if (min_mode) {
          for (std::size_t j = 0; j < P * K; ++j) {
            abs_col[j] = std::fabs(c[j]);
            sign_col[j] = sgn(c[j]);
          }
        }
        for (std::size_t p = 0; p < P; ++p) {
          const float* cp = c + p * K;
          float* dcp = need_dx ? dcol.data() + p * K : nullptr;
          for (std::size_t o = 0; o < oc; ++o) {
            const float g = dy[p * oc + o];
            if (g == 0.0f) continue;
            db[o] += g;
            float* dwo = dw.data() + o * K;
            if (!min_mode) {
              axpy(dwo, g, cp, K);
              if (dcp != nullptr) axpy(dcp, g, l.weights.data() + o * K, K);
              continue;
            }
            const float gm = g * lw[i].mu_w[o];
            const float* ax = abs_col.data() + p * K;
            const float* sx = sign_col.data() + p * K;
            const float* aw = lw[i].abs_w.data() + o * K;
            const float* sw = lw[i].sign_w.data() + o * K;
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
        if (need_dx) {
          if (is_direct) {
            prev[n] = dcol;
          } else {
            prev[n].resize(in_size);
            col2im(dcol.data(), in, l.geometry, os, prev[n].data());
          }
        }
      }
      if (min_mode) {
        for (std::size_t j = 0; j < dw.size(); ++j) dw[j] *= lw[i].chain[j];
      }
    } else {
      grads->weights[i].clear();
      grads->bias[i].clear();
      if (!need_dx) continue;
      const int k = l.k, st = l.stride;
      const float inv = 1.0f / static_cast<float>(k * k);
      for (std::size_t n = 0; n < N; ++n) {
        const std::vector<float>& dy = delta[n];
        prev[n].assign(in_size, 0.0f);
        if (l.type == LayerType::kMaxPool) {
          const std::vector<uint32_t>& idx = argmax_idx[i][n];
          for (std::size_t j = 0; j < dy.size(); ++j) prev[n][idx[j]] += dy[j];
          continue;
        }
        for (int oy = 0; oy < os.h; ++oy) {
          for (int ox = 0; ox < os.w; ++ox) {
            for (int c = 0; c < os.c; ++c) {
              const float g = dy[(static_cast<std::size_t>(oy) * os.w + ox) * os.c + c] * inv;
              for (int ky = 0; ky < k; ++ky) {
                for (int kx = 0; kx < k; ++kx) {
                  prev[n][(static_cast<std::size_t>(oy * st + ky) * in.w + (ox * st + kx)) * in.c + c] += g;
                }
              }
            }
          }
        }
      }
    }
    if (need_dx) std::swap(delta, prev);
  }
  return result;
}

SgdTrainer::SgdTrainer(FloatNetwork& net, FloatMode mode, const SgdOptions& options)
    : net_(net), mode_(mode), options_(options), rng_(options.seed) {
  infer_shapes(net_);
  if (options_.batch < 1) throw std::invalid_argument("SgdTrainer: batch must be >= 1");
  velocity_.weights.resize(net_.layers.size());
  velocity_.bias.resize(net_.layers.size());
  for (std::size_t i = 0; i < net_.layers.size(); ++i) {
    velocity_.weights[i].assign(net_.layers[i].weights.size(), 0.0f);
    velocity_.bias[i].assign(net_.layers[i].bias.size(), 0.0f);
  }
}

BatchResult SgdTrainer::step(const std::vector<const TensorF*>& images, const std::vector<int>& labels) {
  const BatchResult r = loss_and_gradients(net_, images, labels, mode_, &grads_);
  const float lr = static_cast<float>(options_.lr);
  const float mom = static_cast<float>(options_.momentum);
  const float wd = static_cast<float>(options_.weight_decay);
  for (std::size_t i = 0; i < net_.layers.size(); ++i) {
    FloatLayer& l = net_.layers[i];
    if (!conv_like(l.type)) continue;
    std::vector<float>& vw = velocity_.weights[i];
    const std::vector<float>& gw = grads_.weights[i];
    for (std::size_t j = 0; j < l.weights.size(); ++j) {
      vw[j] = mom * vw[j] - lr * (gw[j] + wd * l.weights[j]);
      l.weights[j] += vw[j];
    }
    std::vector<float>& vb = velocity_.bias[i];
    const std::vector<float>& gb = grads_.bias[i];
    for (std::size_t j = 0; j < l.bias.size(); ++j) {
      vb[j] = mom * vb[j] - lr * gb[j];
      l.bias[j] += vb[j];
    }
  }
  return r;
}

EpochResult SgdTrainer::epoch(const std::vector<TensorF>& images, const std::vector<uint8_t>& labels) {
  if (images.size() != labels.size() || images.empty()) {
    throw std::invalid_argument("SgdTrainer::epoch: need as many labels as images, and at least one image");
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::size_t> order(images.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::shuffle(order.begin(), order.end(), rng_);
  EpochResult e;
  double loss_sum = 0.0;
  std::size_t correct = 0;
  std::vector<const TensorF*> batch;
  std::vector<int> batch_labels;
  const std::size_t bs = static_cast<std::size_t>(options_.batch);
  for (std::size_t b = 0; b < order.size(); b += bs) {
    batch.clear();
    batch_labels.clear();
    for (std::size_t j = b; j < std::min(order.size(), b + bs); ++j) {
      batch.push_back(&images[order[j]]);
      batch_labels.push_back(labels[order[j]]);
    }
    const BatchResult r = step(batch, batch_labels);
    loss_sum += r.loss * static_cast<double>(batch.size());
    correct += static_cast<std::size_t>(r.correct);
  }
  e.loss = loss_sum / static_cast<double>(images.size());
  e.accuracy = static_cast<double>(correct) / static_cast<double>(images.size());
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

double accuracy(const FloatNetwork& net, const std::vector<TensorF>& images,
                const std::vector<uint8_t>& labels, FloatMode mode, const Calibration* calib) {
  if (images.size() != labels.size() || images.empty()) {
    throw std::invalid_argument("accuracy: need as many labels as images, and at least one image");
  }
  MinConvConstants fixed;
  const bool per_image = mode == FloatMode::kMinConv && calib == nullptr;
  if (mode == FloatMode::kMinConv && calib != nullptr) {
    if (calib->layers.size() != net.layers.size()) {
      throw ModelError("accuracy: calibration has " + std::to_string(calib->layers.size()) +
                       " layers, the network " + std::to_string(net.layers.size()));
    }
    for (const LayerStats& s : calib->layers) fixed.mu_x.push_back(s.mean_abs_in);
  }
  const std::size_t chunk = per_image ? 1 : 256;
  std::size_t correct = 0;
  std::vector<const TensorF*> batch;
  std::vector<int> batch_labels;
  for (std::size_t b = 0; b < images.size(); b += chunk) {
    batch.clear();
    batch_labels.clear();
    for (std::size_t j = b; j < std::min(images.size(), b + chunk); ++j) {
      batch.push_back(&images[j]);
      batch_labels.push_back(labels[j]);
    }
    correct += static_cast<std::size_t>(
        loss_and_gradients(net, batch, batch_labels, mode, nullptr, fixed.mu_x.empty() ? nullptr : &fixed)
            .correct);
  }
  return static_cast<double>(correct) / static_cast<double>(images.size());
}

void match_minconv_gains(const FloatNetwork& reference, FloatNetwork& net,
                         const std::vector<TensorF>& images) {
  const Plan plan = make_plan(reference);
  make_plan(net);
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
      count += plan.positions[i];
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
    const std::size_t K = plan.filter[i];
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

}  // namespace minconv::train
