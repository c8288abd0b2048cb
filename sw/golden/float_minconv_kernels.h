#pragma once
// The float MinConv kernels (float_minconv.cpp's arrangements call them). Not part of the golden model's
// interface. Compiled into float_minconv.cpp with -O3 -ffp-contract=off (sw/golden/CMakeLists.txt).
//
// MinConv, term sgn(x)·clamp(W, -X, X) with W = double(w)·mu (prepared) and X = |x|·mu (float_conv.h):
//   portable: std::min(X, std::max(-X, W))·sgn(x);
//   AVX2: _mm256_min_pd(_mm256_max_pd(W, -X), X), which is the portable expression lane by lane (also which
//     operand a NaN comparison returns), times sgn(x) when the input has negative values;
//   AVX-512 (DQ, VL) on 256-bit registers, the same width as the AVX2 code: _mm256_range_pd(W ^ s, x·mu,
//     0b0010) with s the sign bit of x: the operand of the smaller magnitude (|W ^ s| <= |x·mu| ? W ^ s :
//     x·mu) with the sign of W ^ s, which is sgn(x)·clamp(W, -X, X) (|x·mu| = X; flipping the sign bit of a
//     number is multiplying it by -1). The range operation returns the number for a NaN operand, so an input
//     with a NaN takes the AVX2 path (whose NaN term is |x|, as the definition's form gives).
// A zero input gives a ±0 term, which leaves a sum that starts at +0 unchanged (x + (±0) = x, +0 + -0 = +0):
// zero inputs may be left out, and zero padding may be added.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "sw/golden/float_conv.h"
#include "sw/golden/simd.h"

namespace minconv::golden::detail::min_kernels {

using Path = FloatConvPath;

// MinConv, channels in the lanes: a run of a window's nonzero inputs within one input row, contiguous in the
// compacted row (x, and index = ix·in_c + c of each); the step of an input is off + index, with off =
// (ky·kw - x0)·in_c, x0 the input column of the window's kx = 0.
struct Slice {
  const double* x;
  const uint32_t* index;
  std::size_t n;
  std::ptrdiff_t off;
};

// The MinConv kernels continue the L = 4·V sums acc of one output pixel and one block with the terms of the
// slices, slice after slice; w: the block's W values ([step][lane]), mu: its mu values.
template <int L>
void min_portable(const double* w, const double* mu, const Slice* slices, int count, double* acc) {
  for (const Slice* s = slices; s != slices + count; ++s) {
    for (std::size_t t = 0; t < s->n; ++t) {
      const double ax = std::fabs(s->x[t]), sx = std::copysign(1.0, s->x[t]);
      const double* wt = w + static_cast<std::size_t>(s->off + s->index[t]) * L;
      for (int j = 0; j < L; ++j) {
        const double X = ax * mu[j];
        acc[j] += std::min(X, std::max(-X, wt[j])) * sx;
      }
    }
  }
}

#ifdef MINCONV_GOLDEN_AVX2
// kNegative: some inputs have the sign bit set; without, sgn(x) = 1 and the multiplication by it (an
// identity) is left out.
template <int V, bool kNegative>
__attribute__((target("avx2"))) void min_avx2(const double* w, const double* mu, const Slice* slices,
                                              int count, double* acc) {
  const __m256d sign = _mm256_set1_pd(-0.0), one = _mm256_set1_pd(1.0);
  for (const Slice* s = slices; s != slices + count; ++s) {
    __m256d sum[V];  // loaded and stored per slice, as in min_avx512
    for (int j = 0; j < V; ++j) sum[j] = _mm256_loadu_pd(acc + 4 * j);
    for (std::size_t t = 0; t < s->n; ++t) {
      const __m256d xt = _mm256_broadcast_sd(&s->x[t]);
      const __m256d ax = _mm256_andnot_pd(sign, xt);                  // |x|
      const __m256d sx = _mm256_or_pd(_mm256_and_pd(xt, sign), one);  // copysign(1, x)
      const double* wt = w + static_cast<std::size_t>(s->off + s->index[t]) * (4 * V);
      for (int j = 0; j < V; ++j) {
        const __m256d X = _mm256_mul_pd(ax, _mm256_loadu_pd(mu + 4 * j)), nX = _mm256_xor_pd(X, sign);
        const __m256d c = _mm256_min_pd(_mm256_max_pd(_mm256_loadu_pd(wt + 4 * j), nX), X);
        sum[j] = _mm256_add_pd(sum[j], kNegative ? _mm256_mul_pd(c, sx) : c);
      }
    }
    for (int j = 0; j < V; ++j) _mm256_storeu_pd(acc + 4 * j, sum[j]);
  }
}

template <int V, bool kNegative>
__attribute__((target("avx2,avx512f,avx512dq,avx512vl"))) void min_avx512(const double* w, const double* mu,
                                                                          const Slice* slices, int count,
                                                                          double* acc) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  for (const Slice* s = slices; s != slices + count; ++s) {
    // The sums loaded and stored per slice: GCC 12 keeps 8 or more sums that live across the slices in
    // memory.
    __m256d sum[V];
    for (int j = 0; j < V; ++j) sum[j] = _mm256_loadu_pd(acc + 4 * j);
    for (std::size_t t = 0; t < s->n; ++t) {
      const __m256d xt = _mm256_broadcast_sd(&s->x[t]);
      const __m256d sx = _mm256_and_pd(xt, sign);  // the sign bit of x
      const double* wt = w + static_cast<std::size_t>(s->off + s->index[t]) * (4 * V);
      for (int j = 0; j < V; ++j) {
        // imm 0b0010: bits 1:0 = 10, the operand of smaller absolute value (the first one on a tie); bits
        // 3:2 = 00, with the sign of the first operand (W with the sign bit of x flipped in: sgn(x)·W).
        const __m256d X = _mm256_mul_pd(xt, _mm256_loadu_pd(mu + 4 * j));
        __m256d wj = _mm256_loadu_pd(wt + 4 * j);
        if constexpr (kNegative) wj = _mm256_xor_pd(wj, sx);
        sum[j] = _mm256_add_pd(sum[j], _mm256_range_pd(wj, X, 0b0010));
      }
    }
    for (int j = 0; j < V; ++j) _mm256_storeu_pd(acc + 4 * j, sum[j]);
  }
}

// MinConv with output pixels in the lanes (FloatConvKernel::min_rows_pixels): the sums of output channel o
// for kPixels consecutive output pixels, term by term in step order. rows[ky]: the input row of kernel row
// ky, one row per channel, `pitch` doubles apart, zero-padded (nullptr: above or below the input); x0: the
// padded column of the first pixel's kx = 0; w: W of channel o, `stride` doubles from one step to the next;
// mu: its mu. A padded or zero input gives a ±0 term, which leaves the sum unchanged.
constexpr int kPixels = 32;

template <bool kNegative>
__attribute__((target("avx2,avx512f,avx512dq,avx512vl"))) void min_pixels_avx512(
    const double* const* rows, int kh, int kw, int channels, std::size_t pitch, std::size_t x0,
    const double* w, std::size_t stride, double mu, double* sums) {
  constexpr int V = kPixels / 4;
  const __m256d sign = _mm256_set1_pd(-0.0), m = _mm256_set1_pd(mu);
  __m256d sum[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) sum[v] = _mm256_setzero_pd();
  for (int ky = 0; ky < kh; ++ky) {
    const double* row = rows[ky];
    if (row == nullptr) {
      w += static_cast<std::size_t>(kw) * channels * stride;
      continue;
    }
    for (int kx = 0; kx < kw; ++kx) {
      for (int c = 0; c < channels; ++c, w += stride) {
        const __m256d wb = _mm256_broadcast_sd(w);
        const double* x = row + c * pitch + x0 + kx;
#pragma GCC unroll 8
        for (int v = 0; v < V; ++v) {
          const __m256d X = _mm256_mul_pd(_mm256_loadu_pd(x + 4 * v), m);
          // sgn(x)·sgn(W)·min(|W|, |X|) (see min_avx512): W with the sign bit of x flipped in.
          const __m256d t =
              _mm256_range_pd(kNegative ? _mm256_xor_pd(wb, _mm256_and_pd(X, sign)) : wb, X, 0b0010);
          sum[v] = _mm256_add_pd(sum[v], t);
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) _mm256_storeu_pd(sums + 4 * v, sum[v]);
}
#endif

template <int V>
void min_sums(const double* w, const double* mu, const Slice* slices, int count, bool negative, Path path,
              double* acc) {
#ifdef MINCONV_GOLDEN_AVX2
  if (path == Path::kAvx512) {
    return negative ? min_avx512<V, true>(w, mu, slices, count, acc)
                    : min_avx512<V, false>(w, mu, slices, count, acc);
  }
  if (path == Path::kAvx2) {
    return negative ? min_avx2<V, true>(w, mu, slices, count, acc)
                    : min_avx2<V, false>(w, mu, slices, count, acc);
  }
#else
  (void)negative;
  (void)path;
#endif
  min_portable<4 * V>(w, mu, slices, count, acc);
}

}  // namespace minconv::golden::detail::min_kernels
