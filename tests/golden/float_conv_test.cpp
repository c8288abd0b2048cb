// The float convolutions (conv2d_float, minconv2d_float) against their scalar definitions, bit for bit: the
// calibration, and so every quantized model and golden figure, depends on each output being the same double
// rounded to the same float. The references below are the definitions of float_ops.h written out directly:
// one output at a time, terms in the order (ky, kx, ci), in double, bias added last.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "sw/golden/float_conv.h"
#include "sw/golden/float_ops.h"

namespace minconv::golden {
namespace {

struct Case {
  TensorF input;
  std::vector<float> weights, bias;
  int out_c = 1;
  ConvGeometry g;
};

// Reference: Σ term(o, x, w) over the unpadded window, then + bias, rounded to float.
template <typename Term>
TensorF reference_conv(const Case& c, const std::vector<float>& weights, Term term) {
  const TensorF& in = c.input;
  TensorF out(c.g.out_h(in.h), c.g.out_w(in.w), c.out_c);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int o = 0; o < c.out_c; ++o) {
        double acc = 0.0;
        for (int ky = 0; ky < c.g.kh; ++ky) {
          for (int kx = 0; kx < c.g.kw; ++kx) {
            const int iy = oy * c.g.stride_h + ky - c.g.pad_top, ix = ox * c.g.stride_w + kx - c.g.pad_left;
            if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
            for (int ci = 0; ci < in.c; ++ci) {
              const std::size_t wi = ((static_cast<std::size_t>(o) * c.g.kh + ky) * c.g.kw + kx) * in.c + ci;
              acc += term(o, in.at(iy, ix, ci), weights[wi]);
            }
          }
        }
        out.at(oy, ox, o) = static_cast<float>(acc + (c.bias.empty() ? 0.0 : c.bias[o]));
      }
    }
  }
  return out;
}

// DESIGN.md §2: mu_w,o = mean |w| of filter o; w' = (mu_x / mu_w,o) · clip(w, ±2 mu_w,o) (as float);
// term = mu_w,o · sgn(x)·sgn(w')·min(|x|, |w'|), 0 if an operand is 0.
TensorF reference_minconv(const Case& c, double mu_x, std::vector<float>* scaled_out = nullptr,
                          std::vector<double>* mu_out = nullptr) {
  const std::size_t n = c.weights.size() / c.out_c;
  std::vector<double> mu(c.out_c, 0.0);
  std::vector<float> scaled(c.weights.size(), 0.0f);
  for (int o = 0; o < c.out_c; ++o) {
    for (std::size_t i = 0; i < n; ++i) mu[o] += std::fabs(c.weights[o * n + i]);
    mu[o] /= static_cast<double>(n);
    if (mu[o] == 0.0) continue;
    for (std::size_t i = 0; i < n; ++i) {
      const double w = std::clamp(static_cast<double>(c.weights[o * n + i]), -2.0 * mu[o], 2.0 * mu[o]);
      scaled[o * n + i] = static_cast<float>(mu_x / mu[o] * w);
    }
  }
  if (scaled_out != nullptr) *scaled_out = scaled;
  if (mu_out != nullptr) *mu_out = mu;
  return reference_conv(c, scaled, [&mu](int o, float x, float w) {
    if (x == 0.0f || w == 0.0f) return 0.0;
    const double m = std::min(std::fabs(double{x}), std::fabs(double{w}));
    return ((x < 0.0f) == (w < 0.0f) ? m : -m) * mu[o];
  });
}

// Values over a wide range of magnitudes, with exact zeros, negative zeros and repeated values. Large terms
// of equal magnitude and random sign cancel while small ones survive only if added at the right moment, so
// any change in the order of a sum shows in the float result.
float draw(std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> kind(0, 9), exponent(-4, 4), small(1, 3);
  const float sign = rng() % 2 ? 1.0f : -1.0f;
  switch (kind(rng)) {
    case 0:
      return 0.0f;
    case 1:
      return -0.0f;
    case 2:
      return 0.5f;
    case 3:
    case 4:
      return sign * std::ldexp(static_cast<float>(small(rng)), 20);
    case 5:
      return std::ldexp(normal(rng), -20);
    default:
      return std::ldexp(normal(rng), exponent(rng));
  }
}

Case random_case(std::mt19937& rng) {
  std::uniform_int_distribution<int> side(1, 9), chans(1, 20), outs(1, 40), kern(1, 5), stride(1, 3),
      pad(0, 2);
  Case c;
  c.g.kh = kern(rng);
  c.g.kw = kern(rng);
  c.g.stride_h = stride(rng);
  c.g.stride_w = stride(rng);
  c.g.pad_top = std::min(pad(rng), c.g.kh - 1);
  c.g.pad_bottom = std::min(pad(rng), c.g.kh - 1);
  c.g.pad_left = std::min(pad(rng), c.g.kw - 1);
  c.g.pad_right = std::min(pad(rng), c.g.kw - 1);
  c.input = TensorF(std::max(side(rng), c.g.kh), std::max(side(rng), c.g.kw), chans(rng));
  for (float& v : c.input.data) v = draw(rng);
  c.out_c = outs(rng);
  c.weights.resize(static_cast<std::size_t>(c.out_c) * c.g.kh * c.g.kw * c.input.c);
  for (float& v : c.weights) v = draw(rng);
  if (rng() % 4 != 0) {
    c.bias.resize(c.out_c);
    for (float& v : c.bias) v = draw(rng);
  }
  return c;
}

void expect_same_bits(const TensorF& got, const TensorF& want, int trial) {
  ASSERT_EQ(got.h, want.h);
  ASSERT_EQ(got.w, want.w);
  ASSERT_EQ(got.c, want.c);
  for (std::size_t i = 0; i < want.data.size(); ++i) {
    uint32_t a = 0, b = 0;
    std::memcpy(&a, &got.data[i], 4);
    std::memcpy(&b, &want.data[i], 4);
    ASSERT_EQ(a, b) << "trial " << trial << " element " << i << ": " << got.data[i] << " vs " << want.data[i];
  }
}

// The kernel's portable path (the public functions run the AVX2 path on a CPU that has it).
TensorF portable(const Case& c, const std::vector<float>& weights, const std::vector<double>* mu) {
  const std::size_t k = weights.size() / c.out_c;
  return detail::FloatConvKernel(weights, c.out_c, k, mu)
      .run(c.input, c.bias, c.g, detail::FloatConvKernel::Isa::kPortable);
}

TEST(FloatConv, StandardConvolutionEqualsTheScalarDefinitionBitForBit) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const Case c = random_case(rng);
    const TensorF want =
        reference_conv(c, c.weights, [](int, float x, float w) { return static_cast<double>(x) * w; });
    expect_same_bits(conv2d_float(c.input, c.weights, c.bias, c.out_c, c.g), want, trial);
    expect_same_bits(portable(c, c.weights, nullptr), want, trial);
    expect_same_bits(FloatConvOp::standard(c.weights, c.bias, c.out_c, c.g)(c.input, 3), want, trial);
  }
}

TEST(FloatConv, MinConvEqualsTheScalarDefinitionBitForBit) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 300; ++trial) {
    Case c = random_case(rng);
    const double mu_x = trial % 5 == 0 ? 0.0 : mean_abs(c.input);
    // Ties |x| = |w'|: some inputs take the value of a pre-scaled weight, with either sign.
    std::vector<float> scaled;
    reference_minconv(c, mu_x, &scaled);
    for (std::size_t i = 0; i < c.input.data.size(); i += 3) {
      const float w = scaled[rng() % scaled.size()];
      c.input.data[i] = rng() % 2 ? w : -w;
    }
    // Inputs without a negative value (images, ReLU outputs) take the kernel's path without the sign of x.
    if (trial % 3 == 0) {
      for (float& v : c.input.data) v = std::fabs(v);
    }
    std::vector<double> mu;
    const TensorF want = reference_minconv(c, mu_x, &scaled, &mu);
    expect_same_bits(minconv2d_float(c.input, c.weights, c.bias, c.out_c, c.g, mu_x), want, trial);
    expect_same_bits(portable(c, scaled, &mu), want, trial);
    expect_same_bits(FloatConvOp::minconv(c.weights, c.bias, c.out_c, c.g, mu_x)(c.input, 3), want, trial);
  }
}

TEST(FloatConv, FullyConnectedLayersEqualTheScalarDefinition) {
  std::mt19937 rng(13);
  for (int trial = 0; trial < 40; ++trial) {
    Case c;
    c.out_c = 1 + static_cast<int>(rng() % 130);
    c.input = TensorF(1, 1, 1 + static_cast<int>(rng() % 500));
    for (float& v : c.input.data) v = std::max(draw(rng), 0.0f);  // ReLU outputs: many exact zeros
    c.weights.resize(static_cast<std::size_t>(c.out_c) * c.input.c);
    for (float& v : c.weights) v = draw(rng);
    c.bias.assign(c.out_c, 0.25f);
    expect_same_bits(min_fully_connected_float(c.input, c.weights, c.bias, c.out_c, mean_abs(c.input)),
                     reference_minconv(c, mean_abs(c.input)), trial);
    expect_same_bits(
        fully_connected_float(c.input, c.weights, c.bias, c.out_c),
        reference_conv(c, c.weights, [](int, float x, float w) { return static_cast<double>(x) * w; }),
        trial);
  }
}

}  // namespace
}  // namespace minconv::golden
