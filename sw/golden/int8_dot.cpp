// dot_int8 (int8_ops.h): the golden model's reduction. Compiled with -O3 (sw/golden/CMakeLists.txt); integer
// arithmetic only, so every kernel gives the same sums bit for bit.
//
// The terms are summed in blocks of at most 2^16 (exact in int32: 2^16 · 2^14 = 2^30), the blocks in int64.
// Portable kernel: branch-free scalar loops that the compiler vectorizes. AVX2 kernel, 32 terms per step:
//   min: |a| and |b| as unsigned bytes (|-128| = 128 fits), their unsigned minimum m, the sign
//        s = ((a ^ b) < 0 ? -1 : 1) (m is 0 when an operand is 0, so the sign of that term does not matter);
//        maddubs(m, s) sums adjacent pairs m·s into 16 bits (|pair| <= 256), which add up in 16-bit lanes
//        for at most 64 steps (<= 16,384) before madd with ones widens them into the 32-bit lanes;
//   mul: a and b sign-extended to 16 bits, madd (pairs of products summed into 32 bits, <= 2^15).
#include <algorithm>

#include "sw/golden/int8_dot.h"
#include "sw/golden/int8_ops.h"
#include "sw/golden/simd.h"

namespace minconv::golden {
namespace {

constexpr std::size_t kDotBlock = std::size_t{1} << 16;

int32_t mul_block_portable(const int8_t* a, const int8_t* b, std::size_t n) {
  int32_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s += int32_t{a[i]} * int32_t{b[i]};
  return s;
}

int32_t min_block_portable(const int8_t* a, const int8_t* b, std::size_t n) {
  int32_t s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int32_t x = a[i], y = b[i];
    const int32_t ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
    const int32_t m = ax < ay ? ax : ay;
    const int32_t neg = (x ^ y) >> 31;  // -1 when the signs differ, else 0
    s += (m ^ neg) - neg;               // ±m
  }
  return s;
}

#ifdef MINCONV_GOLDEN_AVX2
__attribute__((target("avx2"))) int32_t hsum32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

__attribute__((target("avx2"))) __m256i load32(const int8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

__attribute__((target("avx2"))) int32_t min_block_avx2(const int8_t* a, const int8_t* b, std::size_t n) {
  const std::size_t body = n / 32 * 32;
  const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1), zero = _mm256_setzero_si256();
  __m256i sum32 = zero;
  for (std::size_t i = 0; i < body;) {
    const std::size_t end = std::min(body, i + 64 * 32);
    __m256i sum16 = zero;
    for (; i < end; i += 32) {
      const __m256i x = load32(a + i), y = load32(b + i);
      const __m256i m = _mm256_min_epu8(_mm256_abs_epi8(x), _mm256_abs_epi8(y));
      const __m256i s = _mm256_or_si256(_mm256_cmpgt_epi8(zero, _mm256_xor_si256(x, y)), ones8);
      sum16 = _mm256_add_epi16(sum16, _mm256_maddubs_epi16(m, s));
    }
    sum32 = _mm256_add_epi32(sum32, _mm256_madd_epi16(sum16, ones16));
  }
  return hsum32(sum32) + min_block_portable(a + body, b + body, n - body);
}

__attribute__((target("avx2"))) int32_t mul_block_avx2(const int8_t* a, const int8_t* b, std::size_t n) {
  const std::size_t body = n / 32 * 32;
  __m256i sum = _mm256_setzero_si256();
  for (std::size_t i = 0; i < body; i += 32) {
    const __m256i x = load32(a + i), y = load32(b + i);
    const __m256i lo = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(x)),
                                         _mm256_cvtepi8_epi16(_mm256_castsi256_si128(y)));
    const __m256i hi = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_extracti128_si256(x, 1)),
                                         _mm256_cvtepi8_epi16(_mm256_extracti128_si256(y, 1)));
    sum = _mm256_add_epi32(sum, _mm256_add_epi32(lo, hi));
  }
  return hsum32(sum) + mul_block_portable(a + body, b + body, n - body);
}
#endif

using Block = int32_t (*)(const int8_t*, const int8_t*, std::size_t);

int64_t dot_blocks(Block block, const int8_t* a, const int8_t* b, std::size_t n) {
  int64_t acc = 0;
  for (std::size_t i = 0; i < n; i += kDotBlock) acc += block(a + i, b + i, std::min(kDotBlock, n - i));
  return acc;
}

}  // namespace

int64_t dot_int8(PeKind kind, const int8_t* a, const int8_t* b, std::size_t n) {
#ifdef MINCONV_GOLDEN_AVX2
  if (detail::cpu_has_avx2()) {
    if (n <= kDotBlock) return kind == PeKind::kMul ? mul_block_avx2(a, b, n) : min_block_avx2(a, b, n);
    return dot_blocks(kind == PeKind::kMul ? mul_block_avx2 : min_block_avx2, a, b, n);
  }
#endif
  return detail::dot_int8_portable(kind, a, b, n);
}

namespace detail {
int64_t dot_int8_portable(PeKind kind, const int8_t* a, const int8_t* b, std::size_t n) {
  return dot_blocks(kind == PeKind::kMul ? mul_block_portable : min_block_portable, a, b, n);
}
}  // namespace detail

}  // namespace minconv::golden
