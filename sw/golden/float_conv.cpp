// The float convolution kernel (float_conv.h). Compiled with -O3 -ffp-contract=off
// (sw/golden/CMakeLists.txt): no multiply and add is fused, so every term and every partial sum is rounded as
// in the scalar definition; each output's terms are added in step order (ky, kx, ci) from +0, the bias last.
//
// Standard convolution: per output pixel, its window's nonzero inputs gathered, then per block of 8 or 16
// output channels the sums in 2 or 4 AVX2 registers of 4 doubles (sum + x·double(w)), or the portable loop.
// MinConv (float_minconv.cpp) has its own arrangements; this file holds the kernel's set-up, its dispatch and
// the standard convolution.
#include "sw/golden/float_conv.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sw/golden/float_minconv.h"
#include "sw/golden/parallel.h"
#include "sw/golden/simd.h"

namespace minconv::golden::detail {
namespace {

using Path = FloatConvPath;

// Standard convolution: the nonzero inputs of one output pixel's window, in (ky, kx, ci) order, with the step
// k = (ky·kw + kx)·in_c + ci of each: a zero input (+0 or -0) gives a ±0 term (the weights are finite), which
// leaves the sum unchanged, so it is left out (as the scalar MinConv definition does). ReLU outputs are about
// half zeros.
struct Window {
  std::vector<float> x;
  std::vector<std::size_t> step;
  std::size_t n = 0;
};

void gather(const TensorF& in, const ConvGeometry& g, int oy, int ox, Window& win) {
  win.n = 0;
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
    }
  }
}

template <int L>
void standard_portable(const FloatConvKernel& kr, int b, const Window& win, double* acc) {
  for (int j = 0; j < L; ++j) acc[j] = 0.0;
  for (std::size_t t = 0; t < win.n; ++t) {
    const double x = win.x[t];
    const float* w = kr.block_weights(b, win.step[t]);
    for (int j = 0; j < L; ++j) acc[j] += x * double{w[j]};
  }
}

#ifdef MINCONV_GOLDEN_AVX2
template <int V>
__attribute__((target("avx2"))) void standard_avx2(const FloatConvKernel& kr, int b, const Window& win,
                                                   double* acc) {
  __m256d sum[V];
  for (int j = 0; j < V; ++j) sum[j] = _mm256_setzero_pd();
  for (std::size_t t = 0; t < win.n; ++t) {
    const __m256d x = _mm256_set1_pd(static_cast<double>(win.x[t]));
    const float* w = kr.block_weights(b, win.step[t]);
    for (int j = 0; j < V; ++j) {
      sum[j] = _mm256_add_pd(sum[j], _mm256_mul_pd(x, _mm256_cvtps_pd(_mm_loadu_ps(w + 4 * j))));
    }
  }
  for (int j = 0; j < V; ++j) _mm256_storeu_pd(acc + 4 * j, sum[j]);
}
#endif

// The lanes() sums of block b of one output pixel.
template <int V>
void standard_sums(const FloatConvKernel& kr, int b, const Window& win, Path path, double* acc) {
#ifdef MINCONV_GOLDEN_AVX2
  if (path != Path::kPortable) return standard_avx2<V>(kr, b, win, acc);
#else
  (void)path;
#endif
  standard_portable<4 * V>(kr, b, win, acc);
}

}  // namespace

FloatConvKernel::FloatConvKernel(const std::vector<float>& weights, int out_c, std::size_t k,
                                 const std::vector<double>* mu)
    : out_c_(out_c), lanes_(mu == nullptr ? (out_c <= 8 ? 8 : 16) : min_lanes(out_c)), k_(k) {
  const int L = lanes_;
  const int blocks = (out_c + L - 1) / L;
  if (mu == nullptr) {
    blocks_.assign(static_cast<std::size_t>(blocks) * k * L, 0.0f);
    for (int o = 0; o < out_c; ++o) {
      float* dst = &blocks_[(o / L) * k * L + o % L];
      const float* src = &weights[static_cast<std::size_t>(o) * k];
      for (std::size_t s = 0; s < k; ++s) dst[s * L] = src[s];
    }
    return;
  }
  if (k > std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("minconv2d_float: filters of more than 2^32 - 1 weights");
  }
  mu_.assign(static_cast<std::size_t>(blocks) * L, 1.0);
  scaled_.assign(static_cast<std::size_t>(blocks) * k * L, 0.0);
  for (int o = 0; o < out_c; ++o) {
    const double m = (*mu)[o];
    if (m == 0.0) continue;  // all weights 0: W = 0, and X = |x| (mu 1) keeps an infinite x from giving NaN
    mu_[o] = m;
    double* dst = &scaled_[(o / L) * k * L + o % L];
    const float* src = &weights[static_cast<std::size_t>(o) * k];
    for (std::size_t s = 0; s < k; ++s) dst[s * L] = double{src[s]} * m;
  }
}

void FloatConvKernel::standard_rows(const TensorF& input, const std::vector<float>& bias,
                                    const ConvGeometry& g, FloatConvPath path, int oy0, int oy1,
                                    TensorF& out) const {
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
        lanes_ == 16 ? standard_sums<4>(*this, b, win, path, acc)
                     : standard_sums<2>(*this, b, win, path, acc);
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
  Path path = Path::kPortable;
  if (isa != Isa::kPortable && cpu_has_avx2()) path = Path::kAvx2;
  if (isa == Isa::kBest && minconv() && cpu_has_avx512_dq_vl()) path = Path::kAvx512;
  if (minconv() && static_cast<std::size_t>(input.w) * input.c > std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("minconv2d_float: input rows of more than 2^32 - 1 values");
  }
  // The pixel-lane arrangement (AVX-512 only) for stride_w 1 and short kernel rows, unless an input is a NaN.
  constexpr int kShortRow = 16;
  bool pixels = path == Path::kAvx512 && g.stride_w == 1 && g.kw * input.c <= kShortRow, negative = false;
  if (pixels) {
    const InputSigns signs = input_signs(input.data.data(), input.data.size());
    pixels = !signs.nan;
    negative = signs.negative;
  }
  parallel_for(static_cast<std::size_t>(out.h), threads, [&](std::size_t y0, std::size_t y1) {
    const int oy0 = static_cast<int>(y0), oy1 = static_cast<int>(y1);
    if (pixels) {
      min_rows_pixels(input, bias, g, negative, oy0, oy1, out);
    } else if (minconv()) {
      min_rows(input, bias, g, path, oy0, oy1, out);
    } else {
      standard_rows(input, bias, g, path, oy0, oy1, out);
    }
  });
  return out;
}

}  // namespace minconv::golden::detail