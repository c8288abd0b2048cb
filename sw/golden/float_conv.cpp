// The float convolution kernel (float_conv.h). Compiled with -O3 -ffp-contract=off
// (sw/golden/CMakeLists.txt): the loops over the L channels of a block vectorize, and no multiply-add is
// fused, so every term and every partial sum is rounded exactly as in the scalar definition.
#include "sw/golden/float_conv.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "sw/golden/simd.h"

namespace minconv::golden::detail {
namespace {

struct ConvArgs {
  const TensorF* input;
  const ConvGeometry* g;
  int out_c;
  int lanes;                       // L: output channels per block
  std::size_t k;                   // kh * kw * in_c
  std::vector<float> blocks;       // [block][k][lane], zeros beyond out_c
  std::vector<double> mu;          // [block][lane] (MinConv only)
  const std::vector<float>* bias;  // out_c values or empty
  TensorF* out;
};

// The weights regrouped by blocks of L channels: block b holds, for every step k, the L weights of channels
// b·L .. b·L + L - 1 side by side.
void make_blocks(ConvArgs& a, const std::vector<float>& weights, const std::vector<double>* mu) {
  const int L = a.lanes;
  const int blocks = (a.out_c + L - 1) / L;
  a.blocks.assign(static_cast<std::size_t>(blocks) * a.k * L, 0.0f);
  for (int o = 0; o < a.out_c; ++o) {
    float* dst = &a.blocks[(o / L) * a.k * L + o % L];
    const float* src = &weights[static_cast<std::size_t>(o) * a.k];
    for (std::size_t k = 0; k < a.k; ++k) dst[k * L] = src[k];
  }
  if (mu == nullptr) return;
  a.mu.assign(static_cast<std::size_t>(blocks) * L, 0.0);
  std::copy(mu->begin(), mu->end(), a.mu.begin());
}

// The L sums of one output pixel and channel block, over the input positions inside the image.
template <int L, bool kMin>
void pixel_block(const ConvArgs& a, int oy, int ox, int b, double (&acc)[L]) {
  const TensorF& in = *a.input;
  const ConvGeometry& g = *a.g;
  double mu[L];
  for (int j = 0; j < L; ++j) mu[j] = kMin ? a.mu[static_cast<std::size_t>(b) * L + j] : 0.0;
  for (int j = 0; j < L; ++j) acc[j] = 0.0;
  const int x0 = ox * g.stride_w - g.pad_left;  // input column of kx = 0
  const int kx0 = std::max(0, -x0), kx1 = std::min(g.kw, in.w - x0);
  if (kx0 >= kx1) return;
  const std::size_t span = static_cast<std::size_t>(kx1 - kx0) * in.c;  // contiguous in input and weights
  for (int ky = 0; ky < g.kh; ++ky) {
    const int iy = oy * g.stride_h + ky - g.pad_top;
    if (iy < 0 || iy >= in.h) continue;
    const float* x = &in.data[in.index(iy, x0 + kx0, 0)];
    const float* w = &a.blocks[(b * a.k + (static_cast<std::size_t>(ky) * g.kw + kx0) * in.c) * L];
    for (std::size_t t = 0; t < span; ++t, w += L) {
      const double xd = x[t];
      if constexpr (kMin) {
        const double ax = std::fabs(xd), sx = std::copysign(1.0, xd);
        // min(ax, max(-ax, w)): a NaN x propagates as in the scalar definition.
        for (int j = 0; j < L; ++j) acc[j] += std::min(ax, std::max(-ax, double{w[j]})) * mu[j] * sx;
      } else {
        for (int j = 0; j < L; ++j) acc[j] += xd * double{w[j]};
      }
    }
  }
}

template <int L, bool kMin>
void conv_all(const ConvArgs& a) {
  TensorF& out = *a.out;
  const int blocks = (a.out_c + L - 1) / L;
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int b = 0; b < blocks; ++b) {
        double acc[L];
        pixel_block<L, kMin>(a, oy, ox, b, acc);
        const int n = std::min(L, a.out_c - b * L);
        for (int j = 0; j < n; ++j) {
          const int o = b * L + j;
          out.at(oy, ox, o) = static_cast<float>(acc[j] + (a.bias->empty() ? 0.0 : (*a.bias)[o]));
        }
      }
    }
  }
}

MINCONV_SIMD_CLONES void conv_dispatch(const ConvArgs& a, bool min) {
  if (a.lanes == 8) {
    min ? conv_all<8, true>(a) : conv_all<8, false>(a);
  } else {
    min ? conv_all<16, true>(a) : conv_all<16, false>(a);
  }
}

}  // namespace

TensorF conv_float_kernel(const TensorF& input, const std::vector<float>& weights,
                          const std::vector<float>& bias, int out_c, const ConvGeometry& g,
                          const std::vector<double>* mu) {
  TensorF out(g.out_h(input.h), g.out_w(input.w), out_c);
  ConvArgs a{&input, &g,    out_c, out_c <= 8 ? 8 : 16, static_cast<std::size_t>(g.kh) * g.kw * input.c, {},
             {},     &bias, &out};
  make_blocks(a, weights, mu);
  conv_dispatch(a, mu != nullptr);
  return out;
}

}  // namespace minconv::golden::detail
