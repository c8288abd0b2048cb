// Folds on several arrays: accumulators equal the golden reference; one fold takes T = K + R + C - 1 cycles,
// folds of equal K run back to back start P = max(K, R, C) cycles apart and drain while the next ones
// compute.
#include <gtest/gtest.h>

#include <string>

#include "tests/rtl/rtl_test_util.h"

namespace minconv::rtl::test {
namespace {

using golden::PeKind;

const unsigned kKs[] = {1, 2, 7, 75, 300};

std::string config_name(const ArrayConfig& c) {
  return std::to_string(c.rows) + "x" + std::to_string(c.cols) + (c.kind == PeKind::kMin ? "_min" : "_mul") +
         (c.acc_width == 32 ? "" : "_a" + std::to_string(c.acc_width));
}

class RtlFold : public ::testing::TestWithParam<ArrayConfig> {};

// Every K once as a run of a single fold, each run called in the cycle the previous one returned (the array
// is idle by then), then again with idle cycles between runs: results and cycle counts must not depend on it.
TEST_P(RtlFold, SingleFoldsMatchGoldenAndTakeT) {
  const ArrayConfig cfg = GetParam();
  std::mt19937 rng(cfg.rows * 100 + cfg.cols + (cfg.kind == PeKind::kMul ? 7 : 0));
  run_harness(cfg, [&](PeArrayBridge& b) {
    for (int pass = 0; pass < 2; ++pass) {
      for (unsigned k : kKs) {
        const auto w = random_operands(rng, static_cast<size_t>(cfg.rows) * k);
        const auto x = random_operands(rng, static_cast<size_t>(cfg.cols) * k);
        const sc_core::sc_time before = sc_core::sc_time_stamp();
        const auto r = b.run_fold(w, x, k);
        ASSERT_EQ(r.acc, reference_fold(cfg, w, x, k)) << "pass " << pass << " k=" << k;
        ASSERT_EQ(r.cycles, t_fold(cfg, k)) << "pass " << pass << " k=" << k;
        if (pass == 0 && k != kKs[0]) {
          // From the previous done cycle to this done cycle: exactly T clock periods.
          ASSERT_EQ(sc_core::sc_time_stamp() - before,
                    sc_core::sc_time(1.0 * t_fold(cfg, k), sc_core::SC_NS));
        }
        if (pass == 1) sc_core::wait(sc_core::sc_time(3.5 + k % 4, sc_core::SC_NS));
      }
    }
  });
}

// Runs of folds with equal K, back to back: fold i starts i * P cycles after the first, takes T cycles itself
// (its drain overlaps the following folds' compute), and the run takes (F - 1) * P + T cycles, which is also
// the simulated time from the previous run's return to this one's.
TEST_P(RtlFold, BackToBackFoldsOverlapTheirDrains) {
  const ArrayConfig cfg = GetParam();
  std::mt19937 rng(cfg.rows * 31 + cfg.cols * 7 + (cfg.kind == PeKind::kMul ? 1 : 0));
  run_harness(cfg, [&](PeArrayBridge& b) {
    b.run_fold(std::vector<int8_t>(cfg.rows, 1), std::vector<int8_t>(cfg.cols, 1), 1);  // reset, align
    for (unsigned k : kKs) {
      const size_t n = k >= 300 ? 3 : 6;
      const auto folds = random_folds(rng, cfg, n, k);
      const sc_core::sc_time before = sc_core::sc_time_stamp();
      const RunResult run = b.run_folds(folds);
      const uint64_t P = fold_interval(cfg, k), T = t_fold(cfg, k);
      ASSERT_EQ(run.folds.size(), n);
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(run.folds[i].acc, reference_fold(cfg, folds[i].weights, folds[i].inputs, k))
            << "k=" << k << " fold " << i;
        ASSERT_EQ(run.folds[i].start, i * P) << "k=" << k << " fold " << i;
        ASSERT_EQ(run.folds[i].cycles, T) << "k=" << k << " fold " << i;
        // Rows leave in cycles K + C - 1 .. K + C + R - 2 after the fold's start: fold i's drain overlaps the
        // steps of fold i + 1 (cycles P .. P + K - 1 after fold i's start), since C <= P <= K + C + R - 2.
        ASSERT_EQ(run.folds[i].drain, k + cfg.cols - 1) << "k=" << k << " fold " << i;
        if (i + 1 < n) {
          const uint64_t drain_first = run.folds[i].start + run.folds[i].drain;
          const uint64_t drain_last = drain_first + cfg.rows - 1;
          const uint64_t next_first_step = run.folds[i + 1].start, next_last_step = next_first_step + k - 1;
          EXPECT_TRUE(drain_first <= next_last_step && next_first_step <= drain_last) << "k=" << k;
        }
      }
      ASSERT_EQ(run.cycles, (n - 1) * P + T) << "k=" << k;
      ASSERT_EQ(sc_core::sc_time_stamp() - before, sc_core::sc_time(1.0 * run.cycles, sc_core::SC_NS));
    }
  });
}

// Folds of different K in one run: a fold with its predecessor's K follows P = max(K, R, C) cycles after it;
// one of another K waits until the array is idle (the cycle after its predecessor's done: T_prev).
TEST_P(RtlFold, MixedKRunsKeepTheOrderAndTheRule) {
  const ArrayConfig cfg = GetParam();
  std::mt19937 rng(cfg.rows * 5 + cfg.cols + 99);
  const unsigned ks[] = {7, 7, 20, 3, 3, 1, 1, 1, 50, 2, 2, 33};
  std::vector<FoldInput> folds;
  for (unsigned k : ks) folds.push_back(random_folds(rng, cfg, 1, k).front());
  run_harness(cfg, [&](PeArrayBridge& b) {
    const RunResult run = b.run_folds(folds);
    uint64_t start = 0;
    for (size_t i = 0; i < folds.size(); ++i) {
      if (i > 0) start += ks[i] == ks[i - 1] ? fold_interval(cfg, ks[i - 1]) : t_fold(cfg, ks[i - 1]);
      ASSERT_EQ(run.folds[i].acc, reference_fold(cfg, folds[i].weights, folds[i].inputs, ks[i])) << i;
      ASSERT_EQ(run.folds[i].start, start) << i;
      ASSERT_EQ(run.folds[i].cycles, t_fold(cfg, ks[i])) << i;
    }
    ASSERT_EQ(run.cycles, start + t_fold(cfg, ks[folds.size() - 1]));
  });
}

// Zero operands contribute nothing; all-zero folds give zero accumulators whatever came before, alone and
// straight after a random fold in the same run (the first pair of a fold clears the accumulator).
TEST_P(RtlFold, ZeroOperandsClearAccumulators) {
  const ArrayConfig cfg = GetParam();
  std::mt19937 rng(3);
  run_harness(cfg, [&](PeArrayBridge& b) {
    const unsigned k = 9;
    const std::vector<int32_t> zeros(static_cast<size_t>(cfg.rows) * cfg.cols, 0);
    auto folds = random_folds(rng, cfg, 3, k);
    ASSERT_EQ(b.run_fold(folds[0].weights, folds[0].inputs, k).acc,
              reference_fold(cfg, folds[0].weights, folds[0].inputs, k));
    std::fill(folds[1].weights.begin(), folds[1].weights.end(), int8_t{0});
    ASSERT_EQ(b.run_fold(folds[1].weights, folds[0].inputs, k).acc, zeros);
    std::fill(folds[2].inputs.begin(), folds[2].inputs.end(), int8_t{0});
    const RunResult run = b.run_folds(folds);
    ASSERT_EQ(run.folds[0].acc, reference_fold(cfg, folds[0].weights, folds[0].inputs, k));
    ASSERT_EQ(run.folds[1].acc, zeros);
    ASSERT_EQ(run.folds[2].acc, zeros);
  });
}

INSTANTIATE_TEST_SUITE_P(
    Arrays, RtlFold,
    ::testing::Values(ArrayConfig{1, 1, PeKind::kMin, 32}, ArrayConfig{1, 1, PeKind::kMul, 32},
                      ArrayConfig{1, 4, PeKind::kMin, 32}, ArrayConfig{4, 1, PeKind::kMul, 32},
                      ArrayConfig{3, 5, PeKind::kMin, 32}, ArrayConfig{5, 3, PeKind::kMul, 32},
                      ArrayConfig{4, 4, PeKind::kMin, 32}, ArrayConfig{4, 4, PeKind::kMul, 32},
                      ArrayConfig{8, 8, PeKind::kMin, 32}, ArrayConfig{8, 8, PeKind::kMul, 32},
                      ArrayConfig{16, 16, PeKind::kMin, 32}, ArrayConfig{16, 16, PeKind::kMul, 32}),
    [](const ::testing::TestParamInfo<ArrayConfig>& info) { return config_name(info.param); });

}  // namespace
}  // namespace minconv::rtl::test
