#pragma once
// MINCONV_SIMD_CLONES: compile a kernel twice, for AVX2 and for the baseline ISA, and pick the one the CPU
// runs at load time (GCC/clang function multi-versioning, x86-64 only). The clones compute the same
// operations in the same order, so their results are the same bit for bit (floating-point kernels also need
// -ffp-contract=off, set on their files: no fused multiply-adds). Elsewhere the macro is empty.
#if defined(__x86_64__) && defined(__has_attribute) && !defined(MINCONV_NO_SIMD_CLONES)
#if __has_attribute(target_clones)
#define MINCONV_SIMD_CLONES __attribute__((target_clones("avx2", "default"), flatten))
#endif
#endif
#ifndef MINCONV_SIMD_CLONES
#define MINCONV_SIMD_CLONES
#endif
