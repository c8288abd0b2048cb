// Exhaustive PE equivalence against the golden pe_op, and accumulator overflow (two's complement wrap).
#include <gtest/gtest.h>

#include <string>

#include "tests/rtl/rtl_test_util.h"

namespace minconv::rtl::test {
namespace {

using golden::PeKind;

// One clear-and-accumulate per operand pair on a 1x1 array: 65536 folds of K = 1.
void exhaustive_1x1(PeKind kind) {
  const ArrayConfig cfg{1, 1, kind, 32};
  long mismatches = 0, bad_cycles = 0;
  std::string first;
  run_harness(cfg, [&](PeArrayBridge& b) {
    for (int a = -128; a <= 127; ++a) {
      for (int w = -128; w <= 127; ++w) {
        const auto r = b.run_fold({static_cast<int8_t>(w)}, {static_cast<int8_t>(a)}, 1);
        const int32_t expect = golden::pe_op(kind, static_cast<int8_t>(a), static_cast<int8_t>(w));
        if (r.at(0, 0) != expect) {
          if (mismatches++ == 0) {
            first = "x=" + std::to_string(a) + " w=" + std::to_string(w) + ": rtl " +
                    std::to_string(r.at(0, 0)) + " golden " + std::to_string(expect);
          }
        }
        if (r.cycles != t_fold(cfg, 1)) ++bad_cycles;
      }
    }
  });
  EXPECT_EQ(mismatches, 0) << "first mismatch: " << first;
  // Really simulated: reset (falling edges at 0.5 and 1.5 ns), then 65536 back-to-back folds of 2 cycles
  // each, returning in the done cycle (1 ns clock).
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_core::sc_time(1.5 + 65536.0 * 2, sc_core::SC_NS));
  EXPECT_EQ(bad_cycles, 0);
}

TEST(RtlPeEquivalence, MinAllPairs1x1) { exhaustive_1x1(PeKind::kMin); }
TEST(RtlPeEquivalence, MulAllPairs1x1) { exhaustive_1x1(PeKind::kMul); }

// Every pair again on a 16x16 array with K = 1: fold (i, j) puts weights 16i..16i+15 on the rows and inputs
// 16j..16j+15 on the columns, so each of the 256 PEs checks 256 distinct pairs.
void exhaustive_16x16(PeKind kind) {
  const ArrayConfig cfg{16, 16, kind, 32};
  long mismatches = 0, checked = 0;
  run_harness(cfg, [&](PeArrayBridge& b) {
    for (int i = 0; i < 16; ++i) {
      for (int j = 0; j < 16; ++j) {
        std::vector<int8_t> w(16), x(16);
        for (int n = 0; n < 16; ++n) {
          w[n] = static_cast<int8_t>(-128 + 16 * i + n);
          x[n] = static_cast<int8_t>(-128 + 16 * j + n);
        }
        const auto r = b.run_fold(w, x, 1);
        for (unsigned row = 0; row < 16; ++row) {
          for (unsigned col = 0; col < 16; ++col) {
            ++checked;
            if (r.at(row, col) != golden::pe_op(kind, x[col], w[row])) ++mismatches;
          }
        }
      }
    }
  });
  EXPECT_EQ(checked, 65536);
  EXPECT_EQ(mismatches, 0);
}

TEST(RtlPeEquivalence, MinAllPairs16x16) { exhaustive_16x16(PeKind::kMin); }
TEST(RtlPeEquivalence, MulAllPairs16x16) { exhaustive_16x16(PeKind::kMul); }

// Accumulates `k` copies of the pair (x, w) and compares with the wrapped reference, for every k in [1,
// max_k].
void accumulate_to_limit(const ArrayConfig& cfg, int8_t x, int8_t w, unsigned max_k) {
  run_harness(cfg, [&](PeArrayBridge& b) {
    for (unsigned k = 1; k <= max_k; ++k) {
      const auto r = b.run_fold(std::vector<int8_t>(k, w), std::vector<int8_t>(k, x), k);
      const int64_t exact = static_cast<int64_t>(k) * golden::pe_op(cfg.kind, x, w);
      ASSERT_EQ(r.at(0, 0), wrap(exact, cfg.acc_width)) << "k=" << k;
      ASSERT_EQ(r.cycles, t_fold(cfg, k));
    }
  });
}

// 12-bit min accumulator: +128 per step reaches 2^11 at k = 16 and wraps to -2048; -128 per step reaches
// -2048 at k = 16 (still representable) and wraps to +1920 at k = 17.
TEST(RtlPeOverflow, MinNarrowAccumulatorWrapsUp) {
  accumulate_to_limit({1, 1, PeKind::kMin, 12}, -128, -128, 40);
}
TEST(RtlPeOverflow, MinNarrowAccumulatorWrapsDown) {
  accumulate_to_limit({1, 1, PeKind::kMin, 12}, 127, -128, 40);
}
// 20-bit mul accumulator: 16384 per step wraps at k = 32.
TEST(RtlPeOverflow, MulNarrowAccumulatorWrapsUp) {
  accumulate_to_limit({1, 1, PeKind::kMul, 20}, -128, -128, 70);
}
TEST(RtlPeOverflow, MulNarrowAccumulatorWrapsDown) {
  accumulate_to_limit({1, 1, PeKind::kMul, 20}, 127, -128, 70);
}

// The platform's 32-bit accumulator: 131072 steps of (-128)·(-128) = 2^31 wrap to INT32_MIN; one step less is
// INT32_MAX - 16383.
TEST(RtlPeOverflow, Mul32BitAccumulatorWrapsAtInt32) {
  const ArrayConfig cfg{1, 1, PeKind::kMul, 32};
  run_harness(cfg, [&](PeArrayBridge& b) {
    for (unsigned k : {131071u, 131072u, 131073u}) {
      const auto r = b.run_fold(std::vector<int8_t>(k, -128), std::vector<int8_t>(k, -128), k);
      ASSERT_EQ(r.at(0, 0), wrap(int64_t{16384} * k, 32)) << "k=" << k;
      ASSERT_EQ(r.cycles, t_fold(cfg, k));
    }
  });
}

// Random sequences on the narrow accumulators, long enough to wrap several times.
TEST(RtlPeOverflow, RandomSequencesWrapLikeTheReference) {
  for (const ArrayConfig cfg : {ArrayConfig{1, 1, PeKind::kMin, 12}}) {
    std::mt19937 rng(7);
    run_harness(cfg, [&](PeArrayBridge& b) {
      std::uniform_int_distribution<int> pos(0, 127);
      std::vector<FoldInput> folds;
      for (unsigned k : {1u, 2u, 7u, 75u, 300u, 1000u}) {
        // Mostly positive terms so that the sum crosses +2047 several times.
        auto w = random_operands(rng, k), x = random_operands(rng, k);
        for (unsigned i = 0; i < k; i += 2) {
          w[i] = static_cast<int8_t>(pos(rng));
          x[i] = static_cast<int8_t>(pos(rng));
        }
        const auto r = b.run_fold(w, x, k);
        ASSERT_EQ(r.acc, reference_fold(cfg, w, x, k)) << "k=" << k;
        folds.push_back(FoldInput{w, x, k});
      }
      // The same folds in one run (each waits for the previous one: K differs): the result registers wrap
      // like the accumulators.
      const RunResult run = b.run_folds(folds);
      for (size_t i = 0; i < folds.size(); ++i) {
        ASSERT_EQ(run.folds[i].acc, reference_fold(cfg, folds[i].weights, folds[i].inputs, folds[i].k)) << i;
      }
      // Folds of equal K, truly back to back (one every K cycles on 1x1).
      const auto same = random_folds(rng, cfg, 8, 300);
      const RunResult b2b = b.run_folds(same);
      for (size_t i = 0; i < same.size(); ++i) {
        ASSERT_EQ(b2b.folds[i].acc, reference_fold(cfg, same[i].weights, same[i].inputs, 300)) << i;
      }
      ASSERT_EQ(b2b.cycles, 7u * 300 + 301);
    });
  }
}

}  // namespace
}  // namespace minconv::rtl::test
