// Folds on several arrays: accumulators equal the golden reference, cycles equal T_fold = K + 2R + C - 2.
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

// Every K once, back to back (each fold starts in the cycle its predecessor's done is seen), then again with
// idle cycles between folds: results and cycle counts must not depend on it.
TEST_P(RtlFold, MatchesGoldenAndTakesTFold) {
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
          // Back to back: from the previous done cycle to this done cycle is exactly T_fold clock periods.
          ASSERT_EQ(sc_core::sc_time_stamp() - before,
                    sc_core::sc_time(1.0 * t_fold(cfg, k), sc_core::SC_NS));
        }
        if (pass == 1) sc_core::wait(sc_core::sc_time(3.5 + k % 4, sc_core::SC_NS));
      }
    }
  });
}

// Zero operands contribute nothing; all-zero folds give zero accumulators whatever came before.
TEST_P(RtlFold, ZeroOperandsClearAccumulators) {
  const ArrayConfig cfg = GetParam();
  std::mt19937 rng(3);
  run_harness(cfg, [&](PeArrayBridge& b) {
    const unsigned k = 9;
    const auto w = random_operands(rng, static_cast<size_t>(cfg.rows) * k);
    const auto x = random_operands(rng, static_cast<size_t>(cfg.cols) * k);
    ASSERT_EQ(b.run_fold(w, x, k).acc, reference_fold(cfg, w, x, k));
    const std::vector<int8_t> zw(static_cast<size_t>(cfg.rows) * k, 0);
    const auto r = b.run_fold(zw, x, k);
    ASSERT_EQ(r.acc, std::vector<int32_t>(static_cast<size_t>(cfg.rows) * cfg.cols, 0));
  });
}

INSTANTIATE_TEST_SUITE_P(
    Arrays, RtlFold,
    ::testing::Values(ArrayConfig{1, 1, PeKind::kMin, 32}, ArrayConfig{1, 1, PeKind::kMul, 32},
                      ArrayConfig{3, 5, PeKind::kMin, 32}, ArrayConfig{5, 3, PeKind::kMul, 32},
                      ArrayConfig{4, 4, PeKind::kMin, 32}, ArrayConfig{4, 4, PeKind::kMul, 32},
                      ArrayConfig{8, 8, PeKind::kMin, 32}, ArrayConfig{8, 8, PeKind::kMul, 32},
                      ArrayConfig{16, 16, PeKind::kMin, 32}, ArrayConfig{16, 16, PeKind::kMul, 32}),
    [](const ::testing::TestParamInfo<ArrayConfig>& info) { return config_name(info.param); });

}  // namespace
}  // namespace minconv::rtl::test
