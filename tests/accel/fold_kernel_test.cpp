// The C++ engine's fold kernels (the dispatched one, AVX2 on this host when present, and the portable one)
// against the PE definition of DESIGN.md §3, written out here: min PE sgn(a)·sgn(b)·min(|a|, |b|) (0 if an
// operand is 0), mul PE a·b, summed in int32 with two's complement wrap-around.
#include "accel/engine/fold_kernel.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <vector>

namespace minconv::accel {
namespace {

using golden::PeKind;

int64_t definition(PeKind pe, int a, int b) {
  if (pe == PeKind::kMul) return int64_t{a} * b;
  if (a == 0 || b == 0) return 0;
  const int64_t m = std::min(std::abs(a), std::abs(b));
  return (a < 0) == (b < 0) ? m : -m;
}

using Kernel = void (*)(PeKind, const int8_t*, unsigned, const int8_t*, unsigned, std::size_t, int32_t*);
void dispatched(PeKind pe, const int8_t* w, unsigned rows, const int8_t* x, unsigned cols, std::size_t k,
                int32_t* acc) {
  FoldScratch scratch;
  scratch.tails.assign(4096, 99);  // stale contents from an earlier fold must not matter
  accumulate_fold(pe, w, rows, x, cols, k, acc, scratch);
}
const Kernel kKernels[] = {dispatched, accumulate_fold_portable};

// Every operand pair on its own: a row of K weights all equal to a; column c holds its input b at one step
// (which moves over the vector body and the tail) and zeros elsewhere, so PE (0, c) computes one term. The
// negative and the non-negative inputs go in separate folds: a fold without negative inputs takes the
// kernel's path for them.
TEST(FoldKernel, EveryOperandPairInEveryKernel) {
  constexpr std::size_t K = 263;  // 8 vectors of 32 steps and a tail of 7
  for (const Kernel kernel : kKernels) {
    for (const PeKind pe : {PeKind::kMin, PeKind::kMul}) {
      for (int a = -128; a <= 127; ++a) {
        const std::vector<int8_t> w(K, static_cast<int8_t>(a));
        for (const int b0 : {-128, 0}) {  // inputs b0 .. b0 + 127
          std::vector<int8_t> x(128 * K, 0);
          for (int c = 0; c < 128; ++c) x[c * K + (c * 7 + a + 128) % K] = static_cast<int8_t>(b0 + c);
          std::vector<int32_t> acc(128, -1);
          kernel(pe, w.data(), 1, x.data(), 128, K, acc.data());
          for (int c = 0; c < 128; ++c) {
            ASSERT_EQ(acc[c], definition(pe, a, b0 + c))
                << (pe == PeKind::kMin ? "min " : "mul ") << a << " " << b0 + c;
          }
        }
      }
    }
  }
}

// Random folds of every shape class: K of 0, shorter than a vector, on and around vector multiples; array
// sizes that are and are not multiples of the 4-column blocks; operands biased towards -128, 0 and 127.
TEST(FoldKernel, RandomFoldsEqualTheScalarSum) {
  std::mt19937 rng(21);
  std::uniform_int_distribution<int> byte(-128, 127), pick(0, 7), dim(1, 17);
  const auto draw = [&] {
    const int p = pick(rng);
    return static_cast<int8_t>(p == 0 ? -128 : p == 1 ? 0 : p == 2 ? 127 : byte(rng));
  };
  for (const std::size_t K : {0u, 1u, 5u, 31u, 32u, 33u, 64u, 150u, 577u, 2400u}) {
    for (int trial = 0; trial < 6; ++trial) {
      const unsigned R = dim(rng), C = dim(rng);
      std::vector<int8_t> w(R * K), x(C * K);
      for (auto& v : w) v = draw();
      for (auto& v : x) v = draw();
      if (trial % 2 == 1) {
        for (auto& v : x) v = static_cast<int8_t>(v < 0 ? -(v + 1) : v);  // no negative input (ReLU outputs)
      }
      for (const PeKind pe : {PeKind::kMin, PeKind::kMul}) {
        for (const Kernel kernel : kKernels) {
          std::vector<int32_t> acc(R * C, 12345);
          kernel(pe, w.data(), R, x.data(), C, K, acc.data());
          for (unsigned r = 0; r < R; ++r) {
            for (unsigned c = 0; c < C; ++c) {
              int64_t want = 0;
              for (std::size_t k = 0; k < K; ++k) want += definition(pe, w[r * K + k], x[c * K + k]);
              ASSERT_EQ(acc[r * C + c], static_cast<int32_t>(want)) << "K=" << K << " r=" << r << " c=" << c;
            }
          }
        }
      }
    }
  }
}

// The adders wrap modulo 2^32 (the accelerator refuses such reductions; the datapath itself just wraps).
TEST(FoldKernel, SumsWrapLikeInt32Adders) {
  const std::size_t K = 140000;  // 140000 · 16384 > 2^31
  const std::vector<int8_t> v(K, -128);
  for (const Kernel kernel : kKernels) {
    int32_t acc = 0;
    kernel(PeKind::kMul, v.data(), 1, v.data(), 1, K, &acc);
    EXPECT_EQ(static_cast<uint32_t>(acc), static_cast<uint32_t>(uint64_t{K} * 16384 % (uint64_t{1} << 32)));
    kernel(PeKind::kMin, v.data(), 1, v.data(), 1, K, &acc);
    EXPECT_EQ(acc, static_cast<int32_t>(K * 128));
  }
}

}  // namespace
}  // namespace minconv::accel
