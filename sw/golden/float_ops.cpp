#include "sw/golden/float_ops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sw/golden/float_conv.h"

namespace minconv::golden {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

void check_tensor(const std::string& where, const TensorF& t) {
  if (t.h < 1 || t.w < 1 || t.c < 1) {
    fail(where, "input has an empty shape " + std::to_string(t.h) + "x" + std::to_string(t.w) + "x" +
                    std::to_string(t.c));
  }
  if (t.data.size() != static_cast<std::size_t>(t.h) * t.w * t.c) {
    fail(where, "input holds " + std::to_string(t.data.size()) + " values, its shape needs " +
                    std::to_string(static_cast<std::size_t>(t.h) * t.w * t.c));
  }
}

// What can be checked without the input.
void check_layer(const std::string& where, std::size_t weights, const std::vector<float>& bias, int out_c,
                 const ConvGeometry& g) {
  if (out_c < 1) fail(where, "out_c must be >= 1, got " + std::to_string(out_c));
  if (g.kh < 1 || g.kw < 1 || g.stride_h < 1 || g.stride_w < 1) {
    fail(where, "kernel and strides must be >= 1");
  }
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) {
    fail(where, "padding must be >= 0");
  }
  if (weights % static_cast<std::size_t>(out_c) != 0) {
    fail(where, "weights hold " + std::to_string(weights) + " values, not a multiple of out_c " +
                    std::to_string(out_c));
  }
  if (!bias.empty() && bias.size() != static_cast<std::size_t>(out_c)) {
    fail(where, "bias holds " + std::to_string(bias.size()) + " values, out_c is " + std::to_string(out_c));
  }
}

void check_conv(const std::string& where, const TensorF& input, std::size_t weights,
                const std::vector<float>& bias, int out_c, const ConvGeometry& g) {
  check_tensor(where, input);
  check_layer(where, weights, bias, out_c, g);
  if (input.h + g.pad_top + g.pad_bottom < g.kh || input.w + g.pad_left + g.pad_right < g.kw) {
    fail(where,
         "kernel " + std::to_string(g.kh) + "x" + std::to_string(g.kw) + " is larger than the padded input");
  }
  const std::size_t expected = static_cast<std::size_t>(out_c) * g.kh * g.kw * input.c;
  if (weights != expected) {
    fail(where, "weights hold " + std::to_string(weights) + " values, need " + std::to_string(expected));
  }
}

TensorF flatten(const TensorF& input) {
  TensorF flat(1, 1, input.h * input.w * input.c);
  flat.data = input.data;
  return flat;
}

template <bool kMax>
TensorF pool(const char* where, const TensorF& input, int k, int stride) {
  check_tensor(where, input);
  if (k < 1 || stride < 1) fail(where, "pool size and stride must be >= 1");
  if (input.h < k || input.w < k) fail(where, "pool window is larger than the input");
  TensorF out((input.h - k) / stride + 1, (input.w - k) / stride + 1, input.c);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ch = 0; ch < input.c; ++ch) {
        double acc = kMax ? -INFINITY : 0.0;
        for (int ky = 0; ky < k; ++ky) {
          for (int kx = 0; kx < k; ++kx) {
            const double v = input.at(oy * stride + ky, ox * stride + kx, ch);
            acc = kMax ? std::max(acc, v) : acc + v;
          }
        }
        out.at(oy, ox, ch) = static_cast<float>(kMax ? acc : acc / (static_cast<double>(k) * k));
      }
    }
  }
  return out;
}

}  // namespace

TensorF conv2d_float(const TensorF& input, const std::vector<float>& weights, const std::vector<float>& bias,
                     int out_c, const ConvGeometry& g) {
  check_conv("conv2d_float", input, weights.size(), bias, out_c, g);
  return FloatConvOp::standard(weights, bias, out_c, g)(input);
}

TensorF fully_connected_float(const TensorF& input, const std::vector<float>& weights,
                              const std::vector<float>& bias, int out_c) {
  check_tensor("fully_connected_float", input);
  return FloatConvOp::standard(weights, bias, out_c, ConvGeometry{}, true)(input);
}

TensorF maxpool_float(const TensorF& input, int k, int stride) {
  return pool<true>("maxpool_float", input, k, stride);
}

TensorF avgpool_float(const TensorF& input, int k, int stride) {
  return pool<false>("avgpool_float", input, k, stride);
}

TensorF relu_float(TensorF t) {
  for (float& v : t.data) v = std::max(v, 0.0f);
  return t;
}

double mean_abs(const TensorF& t) {
  if (t.data.empty()) return 0.0;
  double s = 0.0;
  for (float v : t.data) s += std::fabs(v);
  return s / static_cast<double>(t.data.size());
}

double max_abs(const TensorF& t) {
  double m = 0.0;
  for (float v : t.data) m = std::max(m, static_cast<double>(std::fabs(v)));
  return m;
}

std::vector<double> filter_mean_abs(const std::vector<float>& weights, int out_c) {
  if (out_c < 1 || weights.size() % static_cast<std::size_t>(out_c) != 0) {
    throw std::invalid_argument("filter_mean_abs: " + std::to_string(weights.size()) +
                                " weights do not split into " + std::to_string(out_c) + " filters");
  }
  const std::size_t n = weights.size() / out_c;
  std::vector<double> mu(out_c, 0.0);
  for (int o = 0; o < out_c; ++o) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += std::fabs(weights[o * n + i]);
    mu[o] = n == 0 ? 0.0 : s / static_cast<double>(n);
  }
  return mu;
}

TensorF minconv2d_float(const TensorF& input, const std::vector<float>& weights,
                        const std::vector<float>& bias, int out_c, const ConvGeometry& g, double mu_x) {
  check_conv("minconv2d_float", input, weights.size(), bias, out_c, g);
  return FloatConvOp::minconv(weights, bias, out_c, g, mu_x)(input);
}

TensorF min_fully_connected_float(const TensorF& input, const std::vector<float>& weights,
                                  const std::vector<float>& bias, int out_c, double mu_x) {
  check_tensor("min_fully_connected_float", input);
  return FloatConvOp::minconv(weights, bias, out_c, ConvGeometry{}, mu_x, true)(input);
}

FloatConvOp FloatConvOp::standard(const std::vector<float>& weights, const std::vector<float>& bias,
                                  int out_c, const ConvGeometry& g, bool fully_connected) {
  return FloatConvOp("conv2d_float", weights, bias, out_c, g, fully_connected, nullptr);
}

FloatConvOp FloatConvOp::minconv(const std::vector<float>& weights, const std::vector<float>& bias, int out_c,
                                 const ConvGeometry& g, double mu_x, bool fully_connected) {
  const char* where = "minconv2d_float";
  check_layer(where, weights.size(), bias, out_c, g);
  if (!(mu_x >= 0.0) || !std::isfinite(mu_x)) {
    fail(where, "mu_x must be a finite value >= 0, got " + std::to_string(mu_x));
  }
  // The kernel's form of the term (float_conv.h) needs finite mu_w,o; trained and loaded networks have finite
  // weights (their readers check).
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i])) fail(where, "weight " + std::to_string(i) + " is not finite");
  }
  const std::vector<double> mu_w = filter_mean_abs(weights, out_c);
  // Per filter: clip at ±2 mu_w,o and pre-scale by s_o = mu_x / mu_w,o, so the term is
  // mu_w,o · sgn(x)·sgn(w')·min(|x|, |w'|).
  const std::size_t n = weights.size() / out_c;
  std::vector<float> scaled(weights.size(), 0.0f);
  for (int o = 0; o < out_c; ++o) {
    if (mu_w[o] == 0.0) continue;
    const double alpha = 2.0 * mu_w[o];
    const double s = mu_x / mu_w[o];
    for (std::size_t i = 0; i < n; ++i) {
      const double clipped = std::clamp(static_cast<double>(weights[o * n + i]), -alpha, alpha);
      scaled[o * n + i] = static_cast<float>(s * clipped);
    }
  }
  return FloatConvOp(where, scaled, bias, out_c, g, fully_connected, &mu_w);
}

FloatConvOp::FloatConvOp(const char* where, const std::vector<float>& weights, const std::vector<float>& bias,
                         int out_c, const ConvGeometry& g, bool fully_connected,
                         const std::vector<double>* mu)
    : where_(where),
      weight_count_((check_layer(where, weights.size(), bias, out_c, g), weights.size())),
      bias_(bias),
      g_(g),
      fully_connected_(fully_connected),
      kernel_(weights, out_c, weights.size() / out_c, mu) {}

TensorF FloatConvOp::operator()(const TensorF& input, int threads, detail::FloatConvKernel::Isa isa) const {
  if (!fully_connected_) {
    check_conv(where_, input, weight_count_, bias_, kernel_.out_c(), g_);
    return kernel_.run(input, bias_, g_, isa, threads);
  }
  check_tensor(where_, input);
  const TensorF flat = flatten(input);
  check_conv(where_, flat, weight_count_, bias_, kernel_.out_c(), g_);
  return kernel_.run(flat, bias_, g_, isa, threads);
}

int argmax(const TensorF& t) {
  if (t.data.empty()) throw std::invalid_argument("argmax: empty tensor");
  return static_cast<int>(std::max_element(t.data.begin(), t.data.end()) - t.data.begin());
}

}  // namespace minconv::golden
