#pragma once
// The golden kernels' AVX2 code paths (x86-64 with GCC or clang): MINCONV_GOLDEN_AVX2 is defined when they
// are compiled in, and cpu_has_avx2() says whether this CPU runs them (cpu_has_avx512_dq_vl(): the AVX-512
// instructions on 256-bit registers that the float MinConv kernel uses). Each kernel also has a portable path
// that computes the same results bit for bit; tests check every path.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MINCONV_GOLDEN_AVX2 1
#include <immintrin.h>
#endif

namespace minconv::golden::detail {

inline bool cpu_has_avx2() {
#ifdef MINCONV_GOLDEN_AVX2
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
#else
  return false;
#endif
}

inline bool cpu_has_avx512_dq_vl() {
#ifdef MINCONV_GOLDEN_AVX2
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return yes;
#else
  return false;
#endif
}

}  // namespace minconv::golden::detail
