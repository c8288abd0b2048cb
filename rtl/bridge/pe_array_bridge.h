#pragma once
// SystemC bridge to a Verilated pe_array (rtl/pe_array.sv): owns one model of the (rows, cols, kind) chosen
// at construction and runs folds on it cycle by cycle. Protocol and timing: docs/rtl.md.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "sw/golden/int8_ops.h"

namespace minconv::rtl {

// One Verilated configuration of pe_array.
struct ArrayConfig {
  unsigned rows = 0;
  unsigned cols = 0;
  golden::PeKind kind = golden::PeKind::kMin;
  unsigned acc_width = 32;  // accumulator bits; results wrap (two's complement) at this width
};

// Every configuration minconv_rtl contains.
const std::vector<ArrayConfig>& supported_configs();
// "4x4 min, 4x4 mul, ..." (used in error messages).
std::string supported_configs_string();

struct FoldResult {
  unsigned rows = 0, cols = 0;
  std::vector<int32_t> acc;  // [r * cols + c], sign-extended from the accumulator width
  uint64_t cycles = 0;       // clock edges from the edge that samples start (1) to the edge that sees done
  int32_t at(unsigned r, unsigned c) const { return acc.at(static_cast<size_t>(r) * cols + c); }
};

namespace detail {
class ArrayModel;  // type-erased Verilated model and its pin signals (pe_array_bridge.cpp)
}

class PeArrayBridge : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;  // bind to an sc_clock (or any clock signal); the model runs on its rising edges

  // Throws std::invalid_argument naming the supported configurations if (rows, cols, kind, acc_width) was not
  // verilated.
  PeArrayBridge(const sc_core::sc_module_name& name, unsigned rows, unsigned cols, golden::PeKind kind,
                unsigned acc_width = 32);
  ~PeArrayBridge() override;
  PeArrayBridge(const PeArrayBridge&) = delete;
  PeArrayBridge& operator=(const PeArrayBridge&) = delete;

  // Runs one fold and blocks the calling SC_THREAD until done (T_fold = k + 2·rows + cols - 2 cycles).
  // weights: rows·k, row-major [r][k]; inputs: cols·k, [c][k]; k >= 1. Throws std::invalid_argument on bad
  // sizes, std::logic_error when called outside an SC_THREAD or re-entered, std::runtime_error if the RTL
  // breaks its protocol (in_ready low while being fed, rows out of order, done missing).
  // The first call resets the array (2 cycles, not counted). run_fold returns in the cycle in which done is
  // high; a call made straight away (no wait) presents start in the next cycle, so back-to-back folds take
  // exactly T_fold cycles each.
  FoldResult run_fold(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs, unsigned k);

  // Port-level signals (start, k_len, w_in, x_in, in_ready, busy, out_valid, out_row, out_acc, done) into a
  // SystemC trace file; call before simulation starts.
  void trace(sc_core::sc_trace_file* tf) const;
  // Every signal inside the RTL into a VCD file (Verilator's VerilatedVcdSc). Call only after
  // sc_start(SC_ZERO_TIME); the file is closed by close_vcd() or the destructor.
  void open_vcd(const std::string& path, int levels = 99);
  void close_vcd();

  const ArrayConfig& config() const { return config_; }
  uint64_t folds_run() const { return folds_; }

 private:
  ArrayConfig config_;
  std::unique_ptr<detail::ArrayModel> model_;
  bool reset_done_ = false;
  bool running_ = false;
  uint64_t folds_ = 0;
};

}  // namespace minconv::rtl
