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

// The same for 16-bit accumulators (lane sums sign-extended): exact while every partial sum of a filter fits
// 16 bits, which kp <= kShortMin guarantees (|sum| <= kp * 128 < 2^15).
template <int N>
__attribute__((target("avx2"))) void hsums16(const __m256i* v, int32_t* out) {
  const __m256i z = _mm256_setzero_si256();
  const __m256i a = _mm256_hadd_epi16(v[0], N > 1 ? v[1] : z),
                b = _mm256_hadd_epi16(N > 2 ? v[2] : z, N > 3 ? v[3] : z);
  const __m256i ab = _mm256_hadd_epi16(a, b);
  const __m256i abcd = _mm256_hadd_epi16(ab, ab);  // per 128-bit half, lanes 0-3: sums of v[0] .. v[3]
  const __m128i s = _mm_add_epi16(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
  int32_t all[4];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(all), _mm_cvtepi16_epi32(s));
  for (int j = 0; j < N; ++j) out[j] = all[j];
}

constexpr std::size_t kShortMin = 224;

// The min PE's 32 terms of filter j at step i, sgn(x)·sgn(w)·min(|x|, |w|) summed in pairs into 16 bits
// (|pair| <= 256), from the prepared filters (|w|, sgn(w)). xm = |x|. kNonNegative: no x is negative, so
// |x| = x and sgn(w)·sgn(x) can be replaced by sgn(w) (a zero x makes the minimum 0 whatever the sign).
struct PreparedMin {
  const uint8_t* mag;
  const int8_t* sgn;
  std::size_t kp;
  template <bool kNonNegative>
  __attribute__((always_inline, target("avx2"))) __m256i step(int j, std::size_t i, __m256i xv,
                                                              __m256i xm) const {
    const __m256i m = _mm256_min_epu8(xm, load(mag + j * kp + i)), sw = load(sgn + j * kp + i);
    return _mm256_maddubs_epi16(m, kNonNegative ? sw : _mm256_sign_epi8(sw, xv));
  }
};

// The same from filters as they are (RawFilters rows): |w| and sgn(w) taken on the fly.
struct RawMin {
  const int8_t* const* row;
  template <bool kNonNegative>
  __attribute__((always_inline, target("avx2"))) __m256i step(int j, std::size_t i, __m256i xv,
                                                              __m256i xm) const {
    const __m256i w = load(row[j] + i);
    const __m256i m = _mm256_min_epu8(xm, _mm256_abs_epi8(w)), sw = _mm256_sign_epi8(_mm256_set1_epi8(1), w);
    return _mm256_maddubs_epi16(m, kNonNegative ? sw : _mm256_sign_epi8(sw, xv));
  }
};

// N filters of one pixel, min PE (x, and |x| in mag unless kNonNegative), into out[0 .. N). Reductions of at
// most kShortMin terms stay in 16 bits to the end; longer ones add 16-bit partial sums of at most 64 steps
// (<= 64 * 256) into 32-bit lanes. Inlined into its caller, as the mul kernel is: for the short reductions of
// first layers (K' = 32) a call and the 32-bit stage would cost more than the terms.
template <int N, bool kNonNegative, typename Terms>
__attribute__((always_inline, target("avx2"))) inline void min_filters(const Terms& t, std::size_t kp,
                                                                       const int8_t* x, const uint8_t* mag,
                                                                       int32_t* out) {
  __m256i sum16[N];
  for (int j = 0; j < N; ++j) sum16[j] = _mm256_setzero_si256();
  if (kp <= kShortMin) {
    for (std::size_t i = 0; i < kp; i += 32) {
      const __m256i xv = load(x + i), xm = kNonNegative ? xv : load(mag + i);
      for (int j = 0; j < N; ++j)
        sum16[j] = _mm256_add_epi16(sum16[j], t.template step<kNonNegative>(j, i, xv, xm));
    }
    return hsums16<N>(sum16, out);
  }
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256i sum32[N];
  for (int j = 0; j < N; ++j) sum32[j] = _mm256_setzero_si256();
  for (std::size_t i = 0; i < kp;) {
    const std::size_t end = std::min(kp, i + 64 * 32);
    for (; i < end; i += 32) {
      const __m256i xv = load(x + i), xm = kNonNegative ? xv : load(mag + i);
      for (int j = 0; j < N; ++j)
        sum16[j] = _mm256_add_epi16(sum16[j], t.template step<kNonNegative>(j, i, xv, xm));
    }
    for (int j = 0; j < N; ++j) {
      sum32[j] = _mm256_add_epi32(sum32[j], _mm256_madd_epi16(sum16[j], ones16));
      sum16[j] = _mm256_setzero_si256();
    }
  }
  hsums<N>(sum32, out);
}

template <bool kNonNegative>
__attribute__((target("avx2"))) void pixel_min(const Filters& f, int out_c, const int8_t* x,
                                               const uint8_t* mag, int32_t* out) {
  const auto at = [&](int o) { return PreparedMin{&f.mag[o * f.kp], &f.sgn[o * f.kp], f.kp}; };
  int o = 0;
  for (; o + 4 <= out_c; o += 4) min_filters<4, kNonNegative>(at(o), f.kp, x, mag, out + o);
  if (o + 2 <= out_c) {
    min_filters<2, kNonNegative>(at(o), f.kp, x, mag, out + o);
    o += 2;
  }
  if (o < out_c) min_filters<1, kNonNegative>(at(o), f.kp, x, mag, out + o);
}

// Filters o .. o + N - 1 of one pixel, mul PE (x sign-extended in wide).
template <int N>
__attribute__((always_inline, target("avx2"))) inline void filters_mul(const Filters& f, int o,
                                                                       const int16_t* wide, int32_t* out) {
  const int16_t* w = &f.wide[o * f.kp];
  __m256i sum[N];
  for (int j = 0; j < N; ++j) sum[j] = _mm256_setzero_si256();
  for (std::size_t i = 0; i < f.kp; i += 16) {
    const __m256i xv = load(wide + i);
    for (int j = 0; j < N; ++j)
      sum[j] = _mm256_add_epi32(sum[j], _mm256_madd_epi16(xv, load(w + j * f.kp + i)));
  }
  hsums<N>(sum, out + o);
}

__attribute__((target("avx2"))) void pixel_mul(const Filters& f, int out_c, const int16_t* wide,
                                               int32_t* out) {
  int o = 0;
  for (; o + 4 <= out_c; o += 4) filters_mul<4>(f, o, wide, out);
  if (o + 2 <= out_c) {
    filters_mul<2>(f, o, wide, out);
    o += 2;
  }
  if (o < out_c) filters_mul<1>(f, o, wide, out);
}

// min: whether some x of the kp is negative, and then |x| into mag.
__attribute__((target("avx2"))) bool abs_if_negative(std::size_t kp, const std::vector<int8_t>& x,
                                                     std::vector<uint8_t>& mag) {
  __m256i any = _mm256_setzero_si256();
  for (std::size_t i = 0; i < kp; i += 32) any = _mm256_or_si256(any, load(&x[i]));
  if (_mm256_movemask_epi8(any) == 0) return false;  // no sign bit set
  for (std::size_t i = 0; i < kp; i += 32)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&mag[i]), _mm256_abs_epi8(load(&x[i])));
  return true;
}

// mul: x sign-extended to 16 bits into wide.
__attribute__((target("avx2"))) void widen(std::size_t kp, const std::vector<int8_t>& x,
                                           std::vector<int16_t>& wide) {
  for (std::size_t i = 0; i < kp; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&wide[i]),
                        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&x[i]))));
  }
}

// One pixel, all filters: |x| (min, only when some x is negative) or x sign-extended (mul) once, then the
// filters four at a time.
__attribute__((target("avx2"))) void pixel(PeKind kind, const Filters& f, int out_c,
                                           const std::vector<int8_t>& x, std::vector<uint8_t>& mag,
                                           std::vector<int16_t>& wide, int32_t* out) {
  if (kind == PeKind::kMin) {
    if (abs_if_negative(f.kp, x, mag)) return pixel_min<false>(f, out_c, x.data(), mag.data(), out);
    return pixel_min<true>(f, out_c, x.data(), nullptr, out);
  }
  widen(f.kp, x, wide);
  pixel_mul(f, out_c, wide.data(), out);
}

// The filters as they are, for layers of too few pixels to prepare them (fc): row o is read kp bytes long
// from weights[o * k], past its end into the next row, which the zero padding of the patch cancels (min(0, w)
// = 0 · w = 0). The last rows, whose kp bytes would reach past the weights, are read from a zero-padded copy.
struct RawFilters {
  std::size_t kp = 0;
  std::vector<const int8_t*> row;
  std::vector<int8_t> tail;

  RawFilters(const std::vector<int8_t>& weights, int out_c, std::size_t k, std::size_t kp_)
      : kp(kp_), row(out_c) {
    int copied = out_c;  // rows copied..out_c - 1 are read from the copy
    while (copied > 0 && (copied - 1) * k + kp > weights.size()) --copied;
    tail.assign((out_c - copied) * k + kp, 0);
    std::copy(weights.begin() + copied * k, weights.end(), tail.begin());
    for (int o = 0; o < out_c; ++o) row[o] = o < copied ? &weights[o * k] : &tail[(o - copied) * k];
  }
};

// Filters o .. o + N - 1 of one pixel, mul PE, weights as they are (sign-extended on the fly).
template <int N>
__attribute__((always_inline, target("avx2"))) inline void raw_mul(const RawFilters& f, int o,
                                                                   const int16_t* wide, int32_t* out) {
  __m256i sum[N];
  for (int j = 0; j < N; ++j) sum[j] = _mm256_setzero_si256();
  for (std::size_t i = 0; i < f.kp; i += 16) {
    const __m256i xv = load(wide + i);
    for (int j = 0; j < N; ++j) {
      const __m256i w =
          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(f.row[o + j] + i)));
      sum[j] = _mm256_add_epi32(sum[j], _mm256_madd_epi16(xv, w));
    }
  }
  hsums<N>(sum, out + o);
}

template <bool kNonNegative>
__attribute__((target("avx2"))) void raw_pixel_min(const RawFilters& f, int out_c, const int8_t* x,
                                                   const uint8_t* mag, int32_t* out) {
  int o = 0;
  for (; o + 4 <= out_c; o += 4) min_filters<4, kNonNegative>(RawMin{&f.row[o]}, f.kp, x, mag, out + o);
  if (o + 2 <= out_c) {
    min_filters<2, kNonNegative>(RawMin{&f.row[o]}, f.kp, x, mag, out + o);
    o += 2;
  }
  if (o < out_c) min_filters<1, kNonNegative>(RawMin{&f.row[o]}, f.kp, x, mag, out + o);
}

// One pixel, all filters as they are: the same preparation of x as pixel(), then the filters four at a time.
__attribute__((target("avx2"))) void raw_pixel(PeKind kind, const RawFilters& f, int out_c,
                                               const std::vector<int8_t>& x, std::vector<uint8_t>& mag,
                                               std::vector<int16_t>& wide, int32_t* out) {
  if (kind == PeKind::kMin) {
    if (abs_if_negative(f.kp, x, mag)) return raw_pixel_min<false>(f, out_c, x.data(), mag.data(), out);
    return raw_pixel_min<true>(f, out_c, x.data(), nullptr, out);
  }
  widen(f.kp, x, wide);
  int o = 0;
  for (; o + 4 <= out_c; o += 4) raw_mul<4>(f, o, wide.data(), out);
  if (o + 2 <= out_c) {
    raw_mul<2>(f, o, wide.data(), out);
    o += 2;
  }
  if (o < out_c) raw_mul<1>(f, o, wide.data(), out);
}
#endif

}  // namespace

Tensor32 conv_acc_kernel(PeKind kind, const Tensor8& input, const std::vector<int8_t>& weights, int out_c,
                         const ConvGeometry& g, ConvIsa isa) {
  Tensor32 out(g.out_h(input.h), g.out_w(input.w), out_c);
  const std::size_t k = static_cast<std::size_t>(g.kh) * g.kw * input.c;
  const std::size_t kp = (k + kAlign - 1) / kAlign * kAlign;
  std::vector<int8_t> patch(kp);
#ifdef MINCONV_GOLDEN_AVX2
  if (isa == ConvIsa::kBest && cpu_has_avx2()) {
    std::vector<uint8_t> mag(kp);
    std::vector<int16_t> wide(kp);
    // Preparing the filters costs about what one pixel does: worth it from a few pixels on (not for fc
    // layers).
    if (out.h * out.w >= 4) {
      const Filters f = prepare(kind, weights, out_c, k);
      for (int oy = 0; oy < out.h; ++oy) {
        for (int ox = 0; ox < out.w; ++ox) {
          fill_patch(input, g, oy, ox, patch);
          pixel(kind, f, out_c, patch, mag, wide, &out.at(oy, ox, 0));
        }
      }
    } else {
      const RawFilters f(weights, out_c, k, kp);
      for (int oy = 0; oy < out.h; ++oy) {
        for (int ox = 0; ox < out.w; ++ox) {
          fill_patch(input, g, oy, ox, patch);
          raw_pixel(kind, f, out_c, patch, mag, wide, &out.at(oy, ox, 0));
        }
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
