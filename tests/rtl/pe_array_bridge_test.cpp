// The SystemC bridge itself: configuration lookup, argument checks, and tracing.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/rtl/rtl_test_util.h"

namespace minconv::rtl::test {
namespace {

using golden::PeKind;

TEST(RtlBridge, EveryPlatformConfigurationIsAvailable) {
  for (unsigned n : {4u, 8u, 16u}) {
    for (PeKind kind : {PeKind::kMin, PeKind::kMul}) {
      bool found = false;
      for (const auto& c : supported_configs()) {
        found |= c.rows == n && c.cols == n && c.kind == kind && c.acc_width == 32;
      }
      EXPECT_TRUE(found) << n << "x" << n;
    }
  }
}

TEST(RtlBridge, UnsupportedConfigurationThrowsAndNamesTheSupportedOnes) {
  try {
    PeArrayBridge b("bridge", 6, 6, PeKind::kMin);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("6x6 min"), std::string::npos) << msg;
    EXPECT_NE(msg.find("4x4 min, 4x4 mul, 8x8 min, 8x8 mul, 16x16 min, 16x16 mul"), std::string::npos) << msg;
  }
}

TEST(RtlBridge, BadArgumentsThrow) {
  const ArrayConfig cfg{4, 4, PeKind::kMin, 32};
  int thrown = 0;
  run_harness(cfg, [&](PeArrayBridge& b) {
    try {
      b.run_fold({}, {}, 0);
    } catch (const std::invalid_argument&) {
      ++thrown;
    }
    try {
      b.run_fold(std::vector<int8_t>(4 * 3), std::vector<int8_t>(4 * 2), 3);
    } catch (const std::invalid_argument&) {
      ++thrown;
    }
    try {
      b.run_folds({});
    } catch (const std::invalid_argument&) {
      ++thrown;
    }
    try {  // the second fold of a run has the wrong size: nothing runs
      b.run_folds({FoldInput{std::vector<int8_t>(4), std::vector<int8_t>(4), 1},
                   FoldInput{std::vector<int8_t>(4), std::vector<int8_t>(3), 1}});
    } catch (const std::invalid_argument&) {
      ++thrown;
    }
    // The bridge still works afterwards.
    const auto r = b.run_fold(std::vector<int8_t>(4 * 2, 3), std::vector<int8_t>(4 * 2, -5), 2);
    EXPECT_EQ(r.acc, std::vector<int32_t>(16, 2 * golden::pe_op(PeKind::kMin, -5, 3)));
    EXPECT_EQ(r.cycles, t_fold(cfg, 2));
  });
  EXPECT_EQ(thrown, 4);
}

TEST(RtlBridge, RunFoldOutsideAThreadThrows) {
  sc_core::sc_clock clk("clk", sc_core::sc_time(1, sc_core::SC_NS));
  PeArrayBridge b("bridge", 4, 4, PeKind::kMul);
  b.clk(clk);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_THROW(b.run_fold(std::vector<int8_t>(4), std::vector<int8_t>(4), 1), std::logic_error);
}

// The driver of the brief: an SC_THREAD in its own module that issues folds through the blocking call, with
// the internal VCD opened after sc_start(SC_ZERO_TIME) and the port signals in a SystemC trace file.
class Driver : public sc_core::sc_module {
 public:
  sc_core::sc_clock clk{"clk", sc_core::sc_time(2, sc_core::SC_NS)};
  PeArrayBridge bridge{"bridge", 3, 5, PeKind::kMin};
  FoldResult result;
  SC_HAS_PROCESS(Driver);
  explicit Driver(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {
    bridge.clk(clk);
    SC_THREAD(run);
  }

 private:
  void run() {
    std::vector<int8_t> w(3 * 4), x(5 * 4);
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(i * 11 - 60);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(70 - i * 9);
    sc_core::wait(sc_core::sc_time(7, sc_core::SC_NS));
    result = bridge.run_fold(w, x, 4);
    expected = reference_fold(bridge.config(), w, x, 4);
    sc_core::sc_stop();
  }

 public:
  std::vector<int32_t> expected;
};

TEST(RtlBridge, ThreadDriverWithTraces) {
  const std::string vcd = ::testing::TempDir() + "rtl_bridge_internal.vcd";
  const std::string sctrace = ::testing::TempDir() + "rtl_bridge_ports";
  std::remove(vcd.c_str());
  Driver d("driver");
  sc_core::sc_trace_file* tf = sc_core::sc_create_vcd_trace_file(sctrace.c_str());
  d.bridge.trace(tf);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  d.bridge.open_vcd(vcd);
  sc_core::sc_start();
  d.bridge.close_vcd();
  sc_core::sc_close_vcd_trace_file(tf);

  EXPECT_EQ(d.result.acc, d.expected);
  EXPECT_EQ(d.result.cycles, 4u + 3 + 5 - 1);  // K + R + C - 1

  std::ifstream in(vcd);
  ASSERT_TRUE(in.good()) << vcd;
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("u_pe"), std::string::npos);  // internal hierarchy is traced
  EXPECT_NE(text.str().find("done"), std::string::npos);
  std::ifstream ports(sctrace + ".vcd");
  ASSERT_TRUE(ports.good());
}

}  // namespace
}  // namespace minconv::rtl::test
