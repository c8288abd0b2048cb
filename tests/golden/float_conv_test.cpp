// The float convolutions (conv2d_float, minconv2d_float) against their scalar definitions, bit for bit: the
// calibration, and so every quantized model and golden figure, depends on each output being the same double
// rounded to the same float. The references below are the definitions of float_ops.h written out directly:
// one output at a time, terms in the order (ky, kx, ci), in double, bias added last.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
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

using Isa = detail::FloatConvKernel::Isa;

// The kernel on one of its paths: kPortable, kAvx2 (AVX2 at most), kBest (what the public functions run: for
// MinConv AVX-512 when the CPU has it, with the output pixels in the lanes for stride_w 1 and kw·in_c <= 16).
TensorF kernel_run(const Case& c, const std::vector<float>& weights, const std::vector<double>* mu, Isa isa,
                   int threads = 1) {
  const std::size_t k = weights.size() / c.out_c;
  return detail::FloatConvKernel(weights, c.out_c, k, mu).run(c.input, c.bias, c.g, isa, threads);
}

TensorF portable(const Case& c, const std::vector<float>& weights, const std::vector<double>* mu) {
  return kernel_run(c, weights, mu, Isa::kPortable);
}

// MinConv: every path of the kernel and the public functions against the definition.
void expect_minconv_paths(const Case& c, double mu_x, int trial) {
  std::vector<float> scaled;
  std::vector<double> mu;
  const TensorF want = reference_minconv(c, mu_x, &scaled, &mu);
  expect_same_bits(minconv2d_float(c.input, c.weights, c.bias, c.out_c, c.g, mu_x), want, trial);
  for (const Isa isa : {Isa::kBest, Isa::kAvx2, Isa::kPortable}) {
    expect_same_bits(kernel_run(c, scaled, &mu, isa), want, trial);
  }
  expect_same_bits(FloatConvOp::minconv(c.weights, c.bias, c.out_c, c.g, mu_x)(c.input, 3), want, trial);
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
    expect_minconv_paths(c, mu_x, trial);
  }
}

// Shapes the small random cases do not reach: rows of up to 90 outputs (several groups of 32 pixels of the
// pixel-lane path), more than 256 output pixels (several tiles of the channel path), up to 300 input channels
// and 70 filters (the channel path's chunks: W split by kernel columns, and a column split in channel
// groups), strides, both input kinds; each kernel path and thread counts against the definition.
TEST(FloatConv, MinConvOfLargeShapesEqualsTheScalarDefinition) {
  std::mt19937 rng(14);
  std::uniform_int_distribution<int> pick(0, 99);
  for (int trial = 0; trial < 60; ++trial) {
    Case c;
    const int profile = trial % 4;
    const int k = profile == 2 ? 1 + 2 * (pick(rng) % 2) : 1 + pick(rng) % 5;
    c.g.kh = k;
    c.g.kw = profile == 0 ? 1 + pick(rng) % 5 : k;
    c.g.stride_h = 1 + pick(rng) % 2;
    c.g.stride_w = profile == 3 ? 2 : 1;
    c.g.pad_top = c.g.pad_bottom = c.g.kh / 2;
    c.g.pad_left = c.g.pad_right = pick(rng) % 2 ? c.g.kw / 2 : 0;
    int h = 0, w = 0, ch = 0;
    switch (profile) {
      case 0:  // few channels: the pixel-lane path
        h = 2 + pick(rng) % 8, w = 30 + pick(rng) % 61, ch = 1 + pick(rng) % 3, c.out_c = 1 + pick(rng) % 20;
        break;
      case 1:  // tens of channels, more than 16 filters: W split by kernel columns
        h = 12 + pick(rng) % 10, w = 14 + pick(rng) % 12, ch = 29 + pick(rng) % 40,
        c.out_c = 17 + pick(rng) % 54;
        break;
      case 2:  // hundreds of channels: columns split in channel groups
        h = 2 + pick(rng) % 3, w = 3 + pick(rng) % 4, ch = 257 + pick(rng) % 44,
        c.out_c = 17 + pick(rng) % 24;
        break;
      default:  // stride 2 with few channels: the channel path
        h = 4 + pick(rng) % 6, w = 20 + pick(rng) % 30, ch = 1 + pick(rng) % 4, c.out_c = 1 + pick(rng) % 40;
        break;
    }
    c.input = TensorF(std::max(h, c.g.kh), std::max(w, c.g.kw), ch);
    const bool relu = pick(rng) % 2 == 0;
    for (float& v : c.input.data) v = relu ? std::max(draw(rng), 0.0f) : draw(rng);
    c.weights.resize(static_cast<std::size_t>(c.out_c) * c.g.kh * c.g.kw * ch);
    for (float& v : c.weights) v = draw(rng);
    c.bias.resize(c.out_c);
    for (float& v : c.bias) v = draw(rng);
    expect_minconv_paths(c, mean_abs(c.input), trial);
  }
}

// Infinite inputs: the definition's term is then ±min(|x|, |w'|)·mu = ±|w'|·mu. Infinite pre-scaled weights
// (mu_x above FLT_MAX / 2 makes w' = float(2 mu_x) infinite): the term is ±|x|·mu. Zero filters (mu_w,o = 0)
// with infinite inputs: 0, not NaN.
TEST(FloatConv, MinConvOfInfiniteValuesEqualsTheScalarDefinition) {
  std::mt19937 rng(15);
  for (int trial = 0; trial < 60; ++trial) {
    Case c = random_case(rng);
    for (std::size_t i = 0; i < c.input.data.size(); i += 4) {
      c.input.data[i] = rng() % 2 ? INFINITY : -INFINITY;
    }
    if (trial % 3 == 0) {
      for (float& v : c.input.data) v = std::fabs(v);
    }
    if (trial % 4 == 0) {  // a zero filter
      std::fill(c.weights.begin(), c.weights.begin() + c.weights.size() / c.out_c, 0.0f);
    }
    expect_minconv_paths(c, trial % 5 == 1 ? 3e38 : 1.5, trial);
  }
}

// A NaN input: every path gives the same bits; an output is NaN when its window holds a NaN input (the term
// is |x|, also for a zero weight, as before), the definition's value otherwise.
TEST(FloatConv, MinConvOfNaNInputsIsTheSameOnEveryPath) {
  std::mt19937 rng(16);
  for (int trial = 0; trial < 60; ++trial) {
    Case c = random_case(rng);
    for (std::size_t i = rng() % 7; i < c.input.data.size(); i += 7) c.input.data[i] = std::nanf("");
    if (trial % 2 == 0) {
      for (float& v : c.input.data) v = std::fabs(v);
    }
    const double mu_x = 1.5;
    std::vector<float> scaled;
    std::vector<double> mu;
    const TensorF want = reference_minconv(c, mu_x, &scaled, &mu);
    // NaN where a window holds a NaN: the standard convolution of the NaN pattern with weights of 1.
    Case nans = c;
    nans.bias.clear();
    for (float& v : nans.input.data) v = std::isnan(v) ? 1.0f : 0.0f;
    const TensorF hits = reference_conv(nans, std::vector<float>(c.weights.size(), 1.0f),
                                        [](int, float x, float w) { return static_cast<double>(x) * w; });
    const TensorF best = minconv2d_float(c.input, c.weights, c.bias, c.out_c, c.g, mu_x);
    for (std::size_t i = 0; i < want.data.size(); ++i) {
      const bool nan = hits.data[i] > 0.5f;
      ASSERT_EQ(std::isnan(best.data[i]), nan) << "trial " << trial << " element " << i;
      if (!nan) {
        ASSERT_EQ(best.data[i], want.data[i]) << "trial " << trial << " element " << i;
      }
    }
    for (const Isa isa : {Isa::kBest, Isa::kAvx2, Isa::kPortable}) {
      expect_same_bits(kernel_run(c, scaled, &mu, isa), best, trial);
    }
  }
}

TEST(FloatConv, MinConvRefusesWeightsThatAreNotFinite) {
  const TensorF in(3, 3, 2);
  std::vector<float> w(2 * 9 * 2, 0.5f);
  for (const float bad : {INFINITY, -INFINITY, std::nanf("")}) {
    w[7] = bad;
    const ConvGeometry g{3, 3, 1, 1, 1, 1, 1, 1};
    EXPECT_THROW(minconv2d_float(in, w, {}, 2, g, 1.0), std::invalid_argument);
    EXPECT_THROW(FloatConvOp::minconv(w, {}, 2, g, 1.0), std::invalid_argument);
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
