#pragma once
// Test helpers for the RTL bridge: a harness module whose SC_THREAD drives a PeArrayBridge, and the C++
// reference of a fold built from the golden pe_op.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <ostream>
#include <random>
#include <vector>

#include <systemc>

#include "rtl/bridge/pe_array_bridge.h"
#include "sw/golden/int8_ops.h"

namespace minconv::rtl {
// GoogleTest printer (test names and failure messages): "4x4 min acc32".
inline void PrintTo(const ArrayConfig& c, std::ostream* os) {
  *os << c.rows << "x" << c.cols << (c.kind == golden::PeKind::kMin ? " min" : " mul") << " acc"
      << c.acc_width;
}
}  // namespace minconv::rtl

namespace minconv::rtl::test {

// Owns a 1 GHz clock and one bridge; its SC_THREAD runs `body`, then stops the simulation. An exception
// thrown by `body` is kept and rethrown by run_harness (never lost inside the SystemC kernel).
class Harness : public sc_core::sc_module {
 public:
  using Body = std::function<void(PeArrayBridge&)>;
  Harness(const sc_core::sc_module_name& name, const ArrayConfig& cfg, Body body)
      : sc_core::sc_module(name),
        clk("clk", sc_core::sc_time(1, sc_core::SC_NS)),
        bridge("bridge", cfg.rows, cfg.cols, cfg.kind, cfg.acc_width),
        body_(std::move(body)) {
    bridge.clk(clk);
    SC_THREAD(driver);
  }
  SC_HAS_PROCESS(Harness);

  sc_core::sc_clock clk;
  PeArrayBridge bridge;
  std::exception_ptr error;

 private:
  void driver() {
    try {
      body_(bridge);
    } catch (...) {
      error = std::current_exception();
    }
    sc_core::sc_stop();
  }
  Body body_;
};

// Elaborates a harness for `cfg`, simulates until `body` returns, rethrows what it threw.
inline void run_harness(const ArrayConfig& cfg, Harness::Body body) {
  Harness h("harness", cfg, std::move(body));
  sc_core::sc_start();
  if (h.error) std::rethrow_exception(h.error);
}

// Two's complement wrap of v to `bits` bits, sign-extended back.
inline int64_t wrap(int64_t v, unsigned bits) {
  const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t sign = uint64_t{1} << (bits - 1);
  const uint64_t u = static_cast<uint64_t>(v) & mask;
  return static_cast<int64_t>(u ^ sign) - static_cast<int64_t>(sign);
}

// Reference accumulators [r][c] = wrap(sum_k pe_op(kind, inputs[c][k], weights[r][k])).
inline std::vector<int32_t> reference_fold(const ArrayConfig& cfg, const std::vector<int8_t>& weights,
                                           const std::vector<int8_t>& inputs, unsigned k) {
  std::vector<int32_t> out(static_cast<size_t>(cfg.rows) * cfg.cols);
  for (unsigned r = 0; r < cfg.rows; ++r) {
    for (unsigned c = 0; c < cfg.cols; ++c) {
      int64_t sum = 0;
      for (unsigned i = 0; i < k; ++i) {
        sum += golden::pe_op(cfg.kind, inputs[static_cast<size_t>(c) * k + i],
                             weights[static_cast<size_t>(r) * k + i]);
      }
      out[static_cast<size_t>(r) * cfg.cols + c] = static_cast<int32_t>(wrap(sum, cfg.acc_width));
    }
  }
  return out;
}

// Random int8 operands over the whole range, with extra zeros and extremes (0, ±1, 127, -127, -128).
inline std::vector<int8_t> random_operands(std::mt19937& rng, size_t n) {
  static const int8_t kSpecial[] = {0, 1, -1, 127, -127, -128};
  std::uniform_int_distribution<int> any(-128, 127), pick(0, 7);
  std::vector<int8_t> v(n);
  for (auto& x : v) {
    const int p = pick(rng);
    x = p < 6 ? static_cast<int8_t>(any(rng)) : kSpecial[std::uniform_int_distribution<int>(0, 5)(rng)];
  }
  return v;
}

// docs/rtl.md: one fold takes k + R + C - 1 cycles from its start edge to the edge that sees its done; folds
// of equal k start P = max(k, R, C) cycles apart when run back to back.
inline uint64_t t_fold(const ArrayConfig& cfg, unsigned k) { return uint64_t{k} + cfg.rows + cfg.cols - 1; }
inline uint64_t fold_interval(const ArrayConfig& cfg, unsigned k) {
  return std::max<uint64_t>({k, cfg.rows, cfg.cols});
}

// Random operands for `n` folds of `k` steps on `cfg`.
inline std::vector<FoldInput> random_folds(std::mt19937& rng, const ArrayConfig& cfg, size_t n, unsigned k) {
  std::vector<FoldInput> folds(n);
  for (FoldInput& f : folds) {
    f.weights = random_operands(rng, static_cast<size_t>(cfg.rows) * k);
    f.inputs = random_operands(rng, static_cast<size_t>(cfg.cols) * k);
    f.k = k;
  }
  return folds;
}

}  // namespace minconv::rtl::test
