// Network description, calibration, quantization and the reference int8 forward pass.
//
// Quantization rules (DESIGN.md §3), per conv/fc layer i with input scale S_i:
//   min PE: S_i = 2 mu_x,i / 127 (mu_x,i from a kMinConv calibration). Per filter o: mu_w,o = mean |w_o|,
//           w' = (mu_x,i / mu_w,o) * clip(w, ±2 mu_w,o), qw = clamp(round(w' / S_i), ±127),
//           acc_scale_o = mu_w,o * S_i.
//   mul PE: S_i = max|x| / 127 over the activations between the previous conv/fc and this layer (the
//           previous layer's output and the pools in between, which keep the scale; for the first layer
//           the network input). Per filter o: S_w,o = max|w_o| / 127, qw = round(w / S_w,o),
//           acc_scale_o = S_i * S_w,o.
//   both:   bias_q = round(b_o / acc_scale_o) (must fit int32); the requantization ratio
//           acc_scale_o / S_next (S_next: the input scale of the next conv/fc) becomes multiplier/shift.
//           The last layer (a conv/fc) has raw int32 output; its acc_scale dequantizes the logits.
//   rounding is half away from zero everywhere (std::lround).
// A filter of zeros (mu_w,o = 0 or max|w_o| = 0) gets zero weights and acc_scale_o = S_i.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sw/golden/float_ops.h"
#include "sw/golden/network.h"
#include "sw/golden/network_detail.h"

namespace minconv::golden {
namespace {

using detail::is_conv_like;
using detail::layer_label;
using detail::round_clamp_127;

int32_t round_to_int32(const std::string& label, double v, int o) {
  const double r = std::round(v);
  if (!std::isfinite(r) || r > std::numeric_limits<int32_t>::max() ||
      r < std::numeric_limits<int32_t>::min()) {
    throw ModelError(label + ": quantized bias of channel " + std::to_string(o) + " (" + std::to_string(v) +
                     ") does not fit in int32; the bias is too large for the accumulator scale");
  }
  return static_cast<int32_t>(r);
}

void check_finite(const std::string& label, const std::vector<float>& v, const char* what) {
  for (float f : v) {
    if (!std::isfinite(f)) throw ModelError(label + ": " + what + " contain a non-finite value");
  }
}

}  // namespace

void quantize_multiplier(double ratio, int32_t& multiplier, int32_t& shift) {
  if (!std::isfinite(ratio) || ratio < 0.0) {
    throw ModelError("requantization ratio " + std::to_string(ratio) + " is not a finite value >= 0");
  }
  if (ratio == 0.0) {
    multiplier = 0;
    shift = 31;
    return;
  }
  int e = 0;
  const double mant = std::frexp(ratio, &e);  // ratio = mant * 2^e, mant in [0.5, 1)
  int64_t m = std::llround(mant * 2147483648.0);
  if (m == (int64_t{1} << 31)) {
    m >>= 1;
    ++e;
  }
  int64_t n = 31 - static_cast<int64_t>(e);  // ratio = m / 2^n
  if (n < 1) {
    throw ModelError("requantization ratio " + std::to_string(ratio) + " is too large (>= 2^30)");
  }
  if (n > 62) {
    const int64_t drop = n - 62;
    m = drop >= 63 ? 0 : (m + (int64_t{1} << (drop - 1))) >> drop;
    n = 62;
  }
  multiplier = static_cast<int32_t>(m);
  shift = static_cast<int32_t>(n);
}

namespace {

void check_quantize_inputs(const FloatNetwork& net, const Calibration& calib, PeKind pe) {
  if (calib.layers.size() != net.layers.size()) {
    throw ModelError("quantize: calibration has " + std::to_string(calib.layers.size()) +
                     " layers, the network " + std::to_string(net.layers.size()));
  }
  const FloatMode want = pe == PeKind::kMin ? FloatMode::kMinConv : FloatMode::kStandard;
  if (calib.mode != want) {
    throw ModelError(std::string("quantize: a ") + to_string(pe) + " model needs a " +
                     (want == FloatMode::kMinConv ? "MinConv" : "standard") + " calibration");
  }
  if (!is_conv_like(net.layers.back().type)) {
    throw ModelError(
        "quantize: the last layer must be a conv or fc layer (its raw int32 output is the logits)");
  }
}

// Input scale of every conv/fc layer (0 for the others).
std::vector<double> input_scales(const FloatNetwork& net, const Calibration& calib, PeKind pe) {
  std::vector<double> in_scale(net.layers.size(), 0.0);
  int prev = -1;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    if (!is_conv_like(net.layers[i].type)) continue;
    const LayerStats& st = calib.layers[i];
    double s = 0.0;
    if (pe == PeKind::kMin) {
      s = 2.0 * st.mean_abs_in / 127.0;
    } else {
      const double range = prev < 0 ? st.max_abs_in : std::max(st.max_abs_in, calib.layers[prev].max_abs_out);
      s = range / 127.0;
    }
    if (!(s > 0.0) || !std::isfinite(s)) {
      throw ModelError("quantize: " + layer_label(net.layers, i) +
                       ": its input is all zeros (or not finite) on the calibration set");
    }
    in_scale[i] = s;
    prev = static_cast<int>(i);
  }
  return in_scale;
}

// MinConv: clip to 2 mu_w, rescale by mu_x / mu_w, quantize with the input scale S; returns the
// accumulator scale of the filter.
double quantize_min_filter(const float* w, int8_t* qw, std::size_t n, double mu_w, double mu_x, double S) {
  if (!(mu_w > 0.0)) {
    std::fill(qw, qw + n, int8_t{0});
    return S;
  }
  const double alpha = 2.0 * mu_w;
  const double s_o = mu_x / mu_w;
  for (std::size_t k = 0; k < n; ++k) {
    const double w_prime = s_o * std::clamp(static_cast<double>(w[k]), -alpha, alpha);
    qw[k] = round_clamp_127(w_prime / S);
  }
  return mu_w * S;
}

// Multiplier: symmetric per-channel max-abs scale; returns the accumulator scale of the filter.
double quantize_mul_filter(const float* w, int8_t* qw, std::size_t n, double S) {
  double wmax = 0.0;
  for (std::size_t k = 0; k < n; ++k) wmax = std::max(wmax, static_cast<double>(std::fabs(w[k])));
  const double s_w = wmax / 127.0;
  for (std::size_t k = 0; k < n; ++k) qw[k] = s_w > 0.0 ? round_clamp_127(w[k] / s_w) : int8_t{0};
  return s_w > 0.0 ? S * s_w : S;
}

// Bias in accumulator units and the output requantization ratio acc_scale / next layer's input scale.
PostScale post_scale_of(const std::string& label, const QuantLayer& q, float bias, int o, double next_scale) {
  PostScale p;
  p.bias = round_to_int32(label, bias / q.acc_scale[o], o);
  if (q.raw_output) {
    p.multiplier = 1 << 30;  // unused with raw output; an identity ratio keeps the record valid
    p.shift = 30;
    return p;
  }
  try {
    quantize_multiplier(q.acc_scale[o] / next_scale, p.multiplier, p.shift);
  } catch (const ModelError& e) {
    throw ModelError("quantize: " + label + ", channel " + std::to_string(o) + ": " + e.what());
  }
  return p;
}

QuantLayer quantize_conv_layer(const FloatNetwork& net, const std::vector<Shape>& shapes, std::size_t i,
                               const std::vector<double>& in_scale, double mean_abs_in, PeKind pe) {
  const FloatLayer& l = net.layers[i];
  const std::string label = layer_label(net.layers, i);
  check_finite(label, l.weights, "weights");
  check_finite(label, l.bias, "biases");
  QuantLayer q;
  q.type = l.type;
  q.name = l.name;
  q.geometry = l.geometry;
  q.in_c = layer_input_shape(net, shapes, i).c;
  q.out_c = l.out_c;
  q.relu = l.relu;
  q.weights.resize(l.weights.size());
  q.acc_scale.resize(l.out_c);
  q.post.resize(l.out_c);
  std::size_t next = i + 1;
  while (next < net.layers.size() && !is_conv_like(net.layers[next].type)) ++next;
  q.raw_output = next == net.layers.size();
  const double next_scale = q.raw_output ? 0.0 : in_scale[next];
  const std::size_t n = l.weights.size() / l.out_c;
  const std::vector<double> mu_w = filter_mean_abs(l.weights, l.out_c);
  for (int o = 0; o < l.out_c; ++o) {
    const float* w = l.weights.data() + o * n;
    int8_t* qw = q.weights.data() + o * n;
    q.acc_scale[o] = pe == PeKind::kMin ? quantize_min_filter(w, qw, n, mu_w[o], mean_abs_in, in_scale[i])
                                        : quantize_mul_filter(w, qw, n, in_scale[i]);
    q.post[o] = post_scale_of(label, q, l.bias[o], o, next_scale);
  }
  return q;
}

}  // namespace

QuantModel quantize(const FloatNetwork& net, const Calibration& calib, PeKind pe) {
  const std::vector<Shape> shapes = infer_shapes(net);
  check_quantize_inputs(net, calib, pe);
  const std::vector<double> in_scale = input_scales(net, calib, pe);
  QuantModel m;
  m.pe = pe;
  m.input = net.input;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    if (is_conv_like(net.layers[i].type)) {
      m.input_scale = in_scale[i];
      break;
    }
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& l = net.layers[i];
    if (is_conv_like(l.type)) {
      m.layers.push_back(quantize_conv_layer(net, shapes, i, in_scale, calib.layers[i].mean_abs_in, pe));
      continue;
    }
    QuantLayer q;
    q.type = l.type;
    q.name = l.name;
    q.k = l.k;
    q.stride = l.stride;
    m.layers.push_back(std::move(q));
  }
  validate(m);
  return m;
}

}  // namespace minconv::golden
