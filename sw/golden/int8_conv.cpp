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
__attribute__((target("avx2"))) int32_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

template <typename T>
__attribute__((target("avx2"))) __m256i load(const T* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// One pixel, all filters, min PE: |x| once, then per filter min, sign, maddubs.
__attribute__((target("avx2"))) void pixel_min(const Filters& f, int out_c, const std::vector<int8_t>& x,
                                               std::vector<uint8_t>& mag, int32_t* out) {
  for (std::size_t i = 0; i < f.kp; i += 32)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&mag[i]), _mm256_abs_epi8(load(&x[i])));
  const __m256i ones16 = _mm256_set1_epi16(1);
  for (int o = 0; o < out_c; ++o) {
    const uint8_t* wm = &f.mag[o * f.kp];
    const int8_t* ws = &f.sgn[o * f.kp];
    __m256i sum32 = _mm256_setzero_si256();
    for (std::size_t i = 0; i < f.kp;) {
      const std::size_t end = std::min(f.kp, i + 64 * 32);  // 16-bit partial sums stay <= 64 * 256
      __m256i sum16 = _mm256_setzero_si256();
      for (; i < end; i += 32) {
        const __m256i m = _mm256_min_epu8(load(&mag[i]), load(wm + i));
        sum16 = _mm256_add_epi16(sum16, _mm256_maddubs_epi16(m, _mm256_sign_epi8(load(ws + i), load(&x[i]))));
      }
      sum32 = _mm256_add_epi32(sum32, _mm256_madd_epi16(sum16, ones16));
    }
    out[o] = hsum(sum32);
  }
}

// One pixel, all filters, mul PE: x sign-extended once, then per filter madd.
__attribute__((target("avx2"))) void pixel_mul(const Filters& f, int out_c, const std::vector<int8_t>& x,
                                               std::vector<int16_t>& wide, int32_t* out) {
  for (std::size_t i = 0; i < f.kp; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&wide[i]),
                        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&x[i]))));
  }
  for (int o = 0; o < out_c; ++o) {
    const int16_t* w = &f.wide[o * f.kp];
    __m256i sum = _mm256_setzero_si256();
    for (std::size_t i = 0; i < f.kp; i += 16)
      sum = _mm256_add_epi32(sum, _mm256_madd_epi16(load(&wide[i]), load(w + i)));
    out[o] = hsum(sum);
  }
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
        kind == PeKind::kMin ? pixel_min(f, out_c, patch, mag, dst) : pixel_mul(f, out_c, patch, wide, dst);
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
