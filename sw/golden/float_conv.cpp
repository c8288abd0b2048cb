// The float convolution kernel (float_conv.h). Compiled with -O3 -ffp-contract=off
// (sw/golden/CMakeLists.txt): no multiply and add is fused, so every term and every partial sum is rounded as
// in the scalar definition. The AVX2 path holds a block of 8 or 16 output channels in 2 or 4 registers of 4
// doubles and runs the same operations as the portable path, lane by lane: _mm256_max_pd(w, -ax) is
// std::max(-ax, w) and _mm256_min_pd(c, ax) is std::min(ax, c), including which operand a NaN comparison
// returns.
#include "sw/golden/float_conv.h"

#include <algorithm>
#include <cmath>

#include "sw/golden/parallel.h"
#include "sw/golden/simd.h"

namespace minconv::golden::detail {
namespace {

// The nonzero inputs of one output pixel's window, in (ky, kx, ci) order, with the step k = (ky·kw + kx)·in_c
// + ci of each: a zero input (+0 or -0) gives a ±0 term for both kinds (the weights and mu are finite), which
// leaves the sum unchanged, so it is left out (as the scalar MinConv definition does). ReLU outputs are about
// half zeros. `negative` says whether any input has its sign bit set (ReLU outputs and images have none).
struct Window {
  std::vector<float> x;
  std::vector<std::size_t> step;
  std::size_t n = 0;
  bool negative = false;
};

void gather(const TensorF& in, const ConvGeometry& g, int oy, int ox, Window& win) {
  win.n = 0;
  win.negative = false;
  const int x0 = ox * g.stride_w - g.pad_left;  // input column of kx = 0
  const int kx0 = std::max(0, -x0), kx1 = std::min(g.kw, in.w - x0);
  if (kx0 >= kx1) return;
  const std::size_t span = static_cast<std::size_t>(kx1 - kx0) * in.c;  // contiguous in input and weights
  for (int ky = 0; ky < g.kh; ++ky) {
    const int iy = oy * g.stride_h + ky - g.pad_top;
    if (iy < 0 || iy >= in.h) continue;
    const float* x = &in.data[in.index(iy, x0 + kx0, 0)];
    const std::size_t step = (static_cast<std::size_t>(ky) * g.kw + kx0) * in.c;
    for (std::size_t t = 0; t < span; ++t) {
      win.x[win.n] = x[t];
      win.step[win.n] = step + t;
      win.n += x[t] != 0.0f ? 1 : 0;  // branch-free; a NaN is kept
      win.negative |= std::signbit(x[t]);
    }
  }
}

template <int L, bool kMin>
void block_portable(const FloatConvKernel& kr, int b, const Window& win, double* acc) {
  const double* mu = kMin ? kr.block_mu(b) : nullptr;
  for (int j = 0; j < L; ++j) acc[j] = 0.0;
  for (std::size_t t = 0; t < win.n; ++t) {
    const double x = win.x[t];
    const float* w = kr.block_weights(b, win.step[t]);
    if constexpr (kMin) {
      const double ax = std::fabs(x), sx = std::copysign(1.0, x);
      for (int j = 0; j < L; ++j) acc[j] += std::min(ax, std::max(-ax, double{w[j]})) * mu[j] * sx;
    } else {
      for (int j = 0; j < L; ++j) acc[j] += x * double{w[j]};
    }
  }
}

#ifdef MINCONV_GOLDEN_AVX2
// kMinNonNegative: the MinConv term of a window without negative inputs, where sgn(x) = 1 and the
// multiplication by it (an identity) is left out.
enum class Term { kProduct, kMin, kMinNonNegative };

template <int V, Term kTerm>
__attribute__((target("avx2"))) void block_avx2(const FloatConvKernel& kr, int b, const Window& win,
                                                double* acc) {
  const __m256d sign = _mm256_set1_pd(-0.0), one = _mm256_set1_pd(1.0);
  __m256d sum[V], mu[V];
  for (int j = 0; j < V; ++j) {
    sum[j] = _mm256_setzero_pd();
    mu[j] = kTerm != Term::kProduct ? _mm256_loadu_pd(kr.block_mu(b) + 4 * j) : one;
  }
  for (std::size_t t = 0; t < win.n; ++t) {
    const __m256d x = _mm256_set1_pd(static_cast<double>(win.x[t]));
    const float* w = kr.block_weights(b, win.step[t]);
    if constexpr (kTerm == Term::kProduct) {
      for (int j = 0; j < V; ++j) {
        sum[j] = _mm256_add_pd(sum[j], _mm256_mul_pd(x, _mm256_cvtps_pd(_mm_loadu_ps(w + 4 * j))));
      }
    } else {
      const __m256d ax = _mm256_andnot_pd(sign, x), nax = _mm256_xor_pd(ax, sign);  // |x|, -|x|
      const __m256d sx = _mm256_or_pd(_mm256_and_pd(x, sign), one);                 // copysign(1, x)
      for (int j = 0; j < V; ++j) {
        const __m256d c = _mm256_min_pd(_mm256_max_pd(_mm256_cvtps_pd(_mm_loadu_ps(w + 4 * j)), nax), ax);
        const __m256d t = _mm256_mul_pd(c, mu[j]);
        sum[j] = _mm256_add_pd(sum[j], kTerm == Term::kMin ? _mm256_mul_pd(t, sx) : t);
      }
    }
  }
  for (int j = 0; j < V; ++j) _mm256_storeu_pd(acc + 4 * j, sum[j]);
}

template <int V>
void block_avx2_term(const FloatConvKernel& kr, int b, const Window& win, double* acc) {
  if (!kr.minconv()) return block_avx2<V, Term::kProduct>(kr, b, win, acc);
  if (win.negative) return block_avx2<V, Term::kMin>(kr, b, win, acc);
  block_avx2<V, Term::kMinNonNegative>(kr, b, win, acc);
}
#endif

// The lanes() sums of block b of one output pixel.
void block_sums(const FloatConvKernel& kr, int b, const Window& win, bool avx2, double* acc) {
  const bool wide = kr.lanes() == 16, min = kr.minconv();
#ifdef MINCONV_GOLDEN_AVX2
  if (avx2) {
    wide ? block_avx2_term<4>(kr, b, win, acc) : block_avx2_term<2>(kr, b, win, acc);
    return;
  }
#else
  (void)avx2;
#endif
  if (wide) {
    min ? block_portable<16, true>(kr, b, win, acc) : block_portable<16, false>(kr, b, win, acc);
  } else {
    min ? block_portable<8, true>(kr, b, win, acc) : block_portable<8, false>(kr, b, win, acc);
  }
}

}  // namespace

FloatConvKernel::FloatConvKernel(const std::vector<float>& weights, int out_c, std::size_t k,
                                 const std::vector<double>* mu)
    : out_c_(out_c), lanes_(out_c <= 8 ? 8 : 16), k_(k) {
  const int L = lanes_;
  const int blocks = (out_c + L - 1) / L;
  blocks_.assign(static_cast<std::size_t>(blocks) * k * L, 0.0f);
  for (int o = 0; o < out_c; ++o) {
    float* dst = &blocks_[(o / L) * k * L + o % L];
    const float* src = &weights[static_cast<std::size_t>(o) * k];
    for (std::size_t s = 0; s < k; ++s) dst[s * L] = src[s];
  }
  if (mu == nullptr) return;
  mu_.assign(static_cast<std::size_t>(blocks) * L, 0.0);
  std::copy(mu->begin(), mu->end(), mu_.begin());
}

void FloatConvKernel::rows(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g,
                           bool avx2, int oy0, int oy1, TensorF& out) const {
  const int blocks = (out_c_ + lanes_ - 1) / lanes_;
  Window win;
  win.x.resize(k_);
  win.step.resize(k_);
  double acc[16];
  for (int oy = oy0; oy < oy1; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      gather(input, g, oy, ox, win);
      float* dst = &out.at(oy, ox, 0);
      for (int b = 0; b < blocks; ++b) {
        block_sums(*this, b, win, avx2, acc);
        for (int j = 0, o = b * lanes_; j < lanes_ && o < out_c_; ++j, ++o) {
          dst[o] = static_cast<float>(acc[j] + (bias.empty() ? 0.0 : bias[o]));
        }
      }
    }
  }
}

TensorF FloatConvKernel::run(const TensorF& input, const std::vector<float>& bias, const ConvGeometry& g,
                             Isa isa, int threads) const {
  TensorF out(g.out_h(input.h), g.out_w(input.w), out_c_);
  const bool avx2 = isa == Isa::kBest && cpu_has_avx2();
  parallel_for(static_cast<std::size_t>(out.h), threads, [&](std::size_t y0, std::size_t y1) {
    rows(input, bias, g, avx2, static_cast<int>(y0), static_cast<int>(y1), out);
  });
  return out;
}

}  // namespace minconv::golden::detail
