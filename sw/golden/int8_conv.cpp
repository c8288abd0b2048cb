// The golden convolution's reduction (int8_conv.h). Compiled with -O3 (sw/golden/CMakeLists.txt).
#include "sw/golden/int8_conv.h"

#include <algorithm>

#include "sw/golden/int8_dot.h"
#include "sw/golden/simd.h"

namespace minconv::golden::detail {
namespace {

constexpr std::size_t kAlign = 32;

// The window of output pixel (oy, ox), step k = (ky * kw + kx) * in_c + ci, zero outside the input and beyond
// K.
void fill_patch(const Tensor8& input, const ConvGeometry& g, int oy, int ox, std::vector<int8_t>& patch) {
  std::fill(patch.begin(), patch.end(), int8_t{0});
  const int x0 = ox * g.stride_w - g.pad_left;
  const int kx0 = std::max(0, -x0), kx1 = std::min(g.kw, input.w - x0);
  if (kx0 >= kx1) return;
  const std::size_t span = static_cast<std::size_t>(kx1 - kx0) * input.c;
  for (int ky = 0; ky < g.kh; ++ky) {
    const int iy = oy * g.stride_h + ky - g.pad_top;
    if (iy < 0 || iy >= input.h) continue;
    std::copy_n(&input.data[input.index(iy, x0 + kx0, 0)], span,
                &patch[(static_cast<std::size_t>(ky) * g.kw + kx0) * input.c]);
  }
}

// The filters of the AVX2 kernel, zero-padded to kp steps, in the forms it reads.
struct Filters {
  std::size_t kp = 0;
  std::vector<uint8_t> mag;   // min: |w|
  std::vector<int8_t> sgn;    // min: sgn(w)
  std::vector<int16_t> wide;  // mul: w sign-extended
};

Filters prepare(PeKind kind, const std::vector<int8_t>& weights, int out_c, std::size_t k) {
  Filters f;
  f.kp = (k + kAlign - 1) / kAlign * kAlign;
  const std::size_t n = static_cast<std::size_t>(out_c) * f.kp;
  if (kind == PeKind::kMin) {
    f.mag.assign(n, 0);
    f.sgn.assign(n, 0);
  } else {
    f.wide.assign(n, 0);
  }
  for (int o = 0; o < out_c; ++o) {
    for (std::size_t i = 0; i < k; ++i) {
      const int8_t w = weights[o * k + i];
      const std::size_t at = o * f.kp + i;
      if (kind == PeKind::kMin) {
        f.mag[at] = static_cast<uint8_t>(w < 0 ? -int{w} : int{w});
        f.sgn[at] = static_cast<int8_t>((w > 0) - (w < 0));
      } else {
        f.wide[at] = w;
      }
    }
  }
  return f;
}

#ifdef MINCONV_GOLDEN_AVX2
template <typename T>
__attribute__((target("avx2"))) __m256i load(const T* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The lane sums of N <= 4 accumulators into out[0 .. N).
template <int N>
__attribute__((target("avx2"))) void hsums(const __m256i* v, int32_t* out) {
  const __m256i z = _mm256_setzero_si256();
  const __m256i a = _mm256_hadd_epi32(v[0], N > 1 ? v[1] : z),
                b = _mm256_hadd_epi32(N > 2 ? v[2] : z, N > 3 ? v[3] : z);
  const __m256i ab = _mm256_hadd_epi32(a, b);  // per 128-bit half: sums of v[0], v[1], v[2], v[3]
  const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(ab), _mm256_extracti128_si256(ab, 1));
  int32_t all[4];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(all), s);
  for (int j = 0; j < N; ++j) out[j] = all[j];
}

// Filters o .. o + N - 1 of one pixel, min PE (|x| in mag). kNonNegative: no x is negative, so |x| = x and
// sgn(w)·sgn(x) can be replaced by sgn(w) (a zero x makes the minimum 0 whatever the sign).
template <int N, bool kNonNegative>
__attribute__((target("avx2"))) void filters_min(const Filters& f, int o, const int8_t* x, const uint8_t* mag,
                                                 int32_t* out) {
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256i sum32[N];
  for (int j = 0; j < N; ++j) sum32[j] = _mm256_setzero_si256();
  for (std::size_t i = 0; i < f.kp;) {
    const std::size_t end = std::min(f.kp, i + 64 * 32);  // 16-bit partial sums stay <= 64 * 256
    __m256i sum16[N];
    for (int j = 0; j < N; ++j) sum16[j] = _mm256_setzero_si256();
    for (; i < end; i += 32) {
      const __m256i xv = load(x + i), xm = kNonNegative ? xv : load(mag + i);
      for (int j = 0; j < N; ++j) {
        const std::size_t at = (o + j) * f.kp + i;
        const __m256i m = _mm256_min_epu8(xm, load(&f.mag[at]));
        const __m256i s = kNonNegative ? load(&f.sgn[at]) : _mm256_sign_epi8(load(&f.sgn[at]), xv);
        sum16[j] = _mm256_add_epi16(sum16[j], _mm256_maddubs_epi16(m, s));
      }
    }
    for (int j = 0; j < N; ++j) sum32[j] = _mm256_add_epi32(sum32[j], _mm256_madd_epi16(sum16[j], ones16));
  }
  hsums<N>(sum32, out + o);
}

template <bool kNonNegative>
__attribute__((target("avx2"))) void pixel_min(const Filters& f, int out_c, const int8_t* x,
                                               const uint8_t* mag, int32_t* out) {
  int o = 0;
  for (; o + 4 <= out_c; o += 4) filters_min<4, kNonNegative>(f, o, x, mag, out);
  for (; o < out_c; ++o) filters_min<1, kNonNegative>(f, o, x, mag, out);
}

// Filters o .. o + N - 1 of one pixel, mul PE (x sign-extended in wide).
template <int N>
__attribute__((target("avx2"))) void filters_mul(const Filters& f, int o, const int16_t* wide, int32_t* out) {
  __m256i sum[N];
  for (int j = 0; j < N; ++j) sum[j] = _mm256_setzero_si256();
  for (std::size_t i = 0; i < f.kp; i += 16) {
    const __m256i xv = load(wide + i);
    for (int j = 0; j < N; ++j)
      sum[j] = _mm256_add_epi32(sum[j], _mm256_madd_epi16(xv, load(&f.wide[(o + j) * f.kp + i])));
  }
  hsums<N>(sum, out + o);
}

// One pixel, all filters: |x| (min) or x sign-extended (mul) once, then the filters four at a time.
__attribute__((target("avx2"))) void pixel(PeKind kind, const Filters& f, int out_c,
                                           const std::vector<int8_t>& x, std::vector<uint8_t>& mag,
                                           std::vector<int16_t>& wide, int32_t* out) {
  if (kind == PeKind::kMin) {
    __m256i any = _mm256_setzero_si256();
    for (std::size_t i = 0; i < f.kp; i += 32) {
      const __m256i v = load(&x[i]);
      any = _mm256_or_si256(any, v);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(&mag[i]), _mm256_abs_epi8(v));
    }
    const bool non_negative = _mm256_movemask_epi8(any) == 0;  // no sign bit set
    non_negative ? pixel_min<true>(f, out_c, x.data(), mag.data(), out)
                 : pixel_min<false>(f, out_c, x.data(), mag.data(), out);
    return;
  }
  for (std::size_t i = 0; i < f.kp; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&wide[i]),
                        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&x[i]))));
  }
  int o = 0;
  for (; o + 4 <= out_c; o += 4) filters_mul<4>(f, o, wide.data(), out);
  for (; o < out_c; ++o) filters_mul<1>(f, o, wide.data(), out);
}
#endif

}  // namespace

Tensor32 conv_acc_kernel(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                         const ConvGeometry& g, ConvIsa isa) {
  Tensor32 out(g.out_h(input.h), g.out_w(input.w), out_c);
  const std::size_t k = static_cast<std::size_t>(g.kh) * g.kw * input.c;
  const std::size_t kp = (k + kAlign - 1) / kAlign * kAlign;
  std::vector<int8_t> patch(kp);
  // Preparing the filters costs about what one pixel does: worth it from a few pixels on (not for fc layers).
  const bool prepared = isa == ConvIsa::kBest && cpu_has_avx2() && out.h * out.w >= 4;
#ifdef MINCONV_GOLDEN_AVX2
  if (prepared) {
    const Filters f = prepare(kind, weights, out_c, k);
    std::vector<uint8_t> mag(kp);
    std::vector<int16_t> wide(kp);
    for (int oy = 0; oy < out.h; ++oy) {
      for (int ox = 0; ox < out.w; ++ox) {
        fill_patch(input, g, oy, ox, patch);
        int32_t* dst = &out.at(oy, ox, 0);
        pixel(kind, f, out_c, patch, mag, wide, dst);
      }
    }
    return out;
  }
#endif
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      fill_patch(input, g, oy, ox, patch);
      int32_t* dst = &out.at(oy, ox, 0);
      // |acc| <= K * 16384 <= 2^31 - 1: the caller refused longer reductions (max_reduction).
      for (int o = 0; o < out_c; ++o) {
        const int8_t* w = &weights[o * k];
        dst[o] = static_cast<int32_t>(isa == ConvIsa::kPortable ? dot_int8_portable(kind, patch.data(), w, k)
                                                                : dot_int8(kind, patch.data(), w, k));
      }
    }
  }
  return out;
}

}  // namespace minconv::golden::detail
