// The C++ engine's fold datapath (fold_kernel.h). Compiled with -O3 (accel/CMakeLists.txt); integer
// arithmetic only, so the results do not depend on the compiler's choices.
//
// Min PE step: sgn(a)·sgn(b)·min(|a|, |b|) = sgn(w)·clamp(x, -|w|, |w|) (a zero weight clamps to 0).
// The AVX2 kernel computes 32 steps per instruction on bytes: |w| and |x| as unsigned bytes (|-128| = 128
// fits), their unsigned minimum, the sign sgn(w)·sgn(x) in {-1, 0, 1} with two byte sign operations, then
// maddubs (unsigned minimum times signed sign, adjacent pairs summed to 16 bits, |pair| <= 256) and madd with
// ones (pairs summed to 32 bits). Mul PE step w·x: both sign-extended to 16 bits, madd (pairs of products
// summed to 32 bits). The 32-bit lanes wrap modulo 2^32 like the hardware adders; the sum modulo 2^32 does
// not depend on the grouping.
#include "accel/engine/fold_kernel.h"

#include <algorithm>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MINCONV_FOLD_AVX2 1
#include <immintrin.h>
#endif

namespace minconv::accel {
namespace {

using golden::PeKind;

inline uint32_t step(PeKind pe, int8_t w, int8_t x) {
  const int32_t a = w, b = x;
  if (pe == PeKind::kMul) return static_cast<uint32_t>(a * b);
  const int32_t lim = a < 0 ? -a : a;
  const int32_t c = b < -lim ? -lim : (b > lim ? lim : b);
  return static_cast<uint32_t>(a < 0 ? -c : c);
}

// Steps [k0, k1) of one PE, branch-free.
template <PeKind kPe>
uint32_t pe_sum(const int8_t* w, const int8_t* x, std::size_t k0, std::size_t k1) {
  uint32_t s = 0;
  for (std::size_t k = k0; k < k1; ++k) s += step(kPe, w[k], x[k]);
  return s;
}

template <PeKind kPe>
void portable(const int8_t* w, unsigned rows, const int8_t* x, unsigned cols, std::size_t K, int32_t* acc) {
  for (unsigned r = 0; r < rows; ++r) {
    for (unsigned c = 0; c < cols; ++c) {
      acc[std::size_t{r} * cols + c] = static_cast<int32_t>(pe_sum<kPe>(w + r * K, x + c * K, 0, K));
    }
  }
}

#ifdef MINCONV_FOLD_AVX2
__attribute__((target("avx2"))) inline uint32_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(s));
}

// The AVX2 datapaths. kMinNonNegative: the min PE on a fold whose inputs are all >= 0 (images, ReLU outputs),
// where |x| = x and sgn(w)·sgn(x) can be replaced by sgn(w) (a zero x makes the minimum 0 whatever the sign).
enum class Path { kMin, kMinNonNegative, kMul };

// 32 steps of N PEs of one row (weights wv) into sums[j].
template <Path kP, int N>
__attribute__((target("avx2"))) inline void steps32(__m256i wv, const int8_t* const* xs, std::size_t k,
                                                    __m256i* sums) {
  const __m256i ones16 = _mm256_set1_epi16(1);
  if constexpr (kP != Path::kMul) {
    const __m256i aw = _mm256_abs_epi8(wv);
    const __m256i sw = _mm256_sign_epi8(_mm256_set1_epi8(1), wv);  // sgn(w)
    for (int j = 0; j < N; ++j) {
      const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs[j] + k));
      const bool signed_x = kP == Path::kMin;
      const __m256i m = _mm256_min_epu8(aw, signed_x ? _mm256_abs_epi8(xv) : xv);
      const __m256i pairs = _mm256_maddubs_epi16(m, signed_x ? _mm256_sign_epi8(sw, xv) : sw);
      sums[j] = _mm256_add_epi32(sums[j], _mm256_madd_epi16(pairs, ones16));
    }
  } else {
    const __m256i wlo = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(wv));
    const __m256i whi = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(wv, 1));
    for (int j = 0; j < N; ++j) {
      const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs[j] + k));
      const __m256i lo = _mm256_madd_epi16(wlo, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(xv)));
      const __m256i hi = _mm256_madd_epi16(whi, _mm256_cvtepi8_epi16(_mm256_extracti128_si256(xv, 1)));
      sums[j] = _mm256_add_epi32(sums[j], _mm256_add_epi32(lo, hi));
    }
  }
}

// The last K % 32 steps of the current row (w) and of every column (x), zero-padded to 32 bytes each (zero
// steps add 0 for both PE kinds).
struct Tails {
  int8_t* w;
  const int8_t* x;
};

// PEs (r, c0 .. c0 + N - 1): the weights of row r are loaded once for the N columns.
template <Path kP, int N>
__attribute__((target("avx2"))) void pe_block(const int8_t* wr, const int8_t* x, unsigned c0, std::size_t K,
                                              const Tails& tails, uint32_t* out) {
  const int8_t* xs[N];
  __m256i sums[N];
  for (int j = 0; j < N; ++j) {
    xs[j] = x + (c0 + j) * K;
    sums[j] = _mm256_setzero_si256();
  }
  const std::size_t k32 = K / 32 * 32;
  for (std::size_t k = 0; k < k32; k += 32) {
    steps32<kP, N>(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wr + k)), xs, k, sums);
  }
  if (k32 < K) {
    for (int j = 0; j < N; ++j) xs[j] = tails.x + (c0 + j) * 32;
    steps32<kP, N>(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(tails.w)), xs, 0, sums);
  }
  for (int j = 0; j < N; ++j) out[j] = hsum(sums[j]);
}

template <Path kP>
__attribute__((target("avx2"))) void avx2(const int8_t* w, unsigned rows, const int8_t* x, unsigned cols,
                                          std::size_t K, int32_t* acc, FoldScratch& scratch) {
  const std::size_t k32 = K / 32 * 32, tail = K - k32;
  scratch.tails.assign((std::size_t{cols} + 1) * 32, 0);
  const Tails tails{scratch.tails.data(), scratch.tails.data() + 32};
  for (unsigned c = 0; c < cols; ++c) std::copy_n(x + c * K + k32, tail, tails.w + 32 + c * 32);
  uint32_t out[4];
  for (unsigned r = 0; r < rows; ++r) {
    const int8_t* wr = w + r * K;
    std::copy_n(wr + k32, tail, tails.w);
    int32_t* dst = acc + std::size_t{r} * cols;
    unsigned c = 0;
    for (; c + 4 <= cols; c += 4) {
      pe_block<kP, 4>(wr, x, c, K, tails, out);
      for (int j = 0; j < 4; ++j) dst[c + j] = static_cast<int32_t>(out[j]);
    }
    for (; c < cols; ++c) {
      pe_block<kP, 1>(wr, x, c, K, tails, out);
      dst[c] = static_cast<int32_t>(out[0]);
    }
  }
}

bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

bool non_negative(const int8_t* x, std::size_t n) {
  int8_t any = 0;
  for (std::size_t i = 0; i < n; ++i) any |= x[i];
  return any >= 0;
}
#endif

}  // namespace

void accumulate_fold_portable(PeKind pe, const int8_t* w, unsigned rows, const int8_t* x, unsigned cols,
                              std::size_t k_steps, int32_t* acc) {
  pe == PeKind::kMin ? portable<PeKind::kMin>(w, rows, x, cols, k_steps, acc)
                     : portable<PeKind::kMul>(w, rows, x, cols, k_steps, acc);
}

void accumulate_fold(PeKind pe, const int8_t* w, unsigned rows, const int8_t* x, unsigned cols,
                     std::size_t k_steps, int32_t* acc, FoldScratch& scratch) {
#ifdef MINCONV_FOLD_AVX2
  if (have_avx2()) {
    if (pe == PeKind::kMul) {
      avx2<Path::kMul>(w, rows, x, cols, k_steps, acc, scratch);
    } else if (non_negative(x, std::size_t{cols} * k_steps)) {
      avx2<Path::kMinNonNegative>(w, rows, x, cols, k_steps, acc, scratch);
    } else {
      avx2<Path::kMin>(w, rows, x, cols, k_steps, acc, scratch);
    }
    return;
  }
#else
  (void)scratch;
#endif
  accumulate_fold_portable(pe, w, rows, x, cols, k_steps, acc);
}

}  // namespace minconv::accel
