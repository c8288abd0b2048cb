#pragma once
// SystemC bridge to a Verilated pe_array (rtl/pe_array.sv): owns one model of the (rows, cols, kind) chosen
// at construction and runs folds on it cycle by cycle. Protocol and timing: docs/rtl.md.
#include <cstdint>
#include <exception>
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

// Operands of one fold: weights rows·k, row-major [r][k]; inputs cols·k, [c][k]; k >= 1.
struct FoldInput {
  std::vector<int8_t> weights;
  std::vector<int8_t> inputs;
  unsigned k = 0;
};

struct FoldResult {
  unsigned rows = 0, cols = 0;
  std::vector<int32_t> acc;  // [r * cols + c], sign-extended from the accumulator width
  uint64_t cycles = 0;       // clock edges from the edge that samples its start (1) to the edge that sees its
                             // done: k + rows + cols - 1
  uint64_t start = 0;        // its start edge counted from the run's first start edge (0 for the first fold)
  uint64_t drain = 0;        // cycle that shows its row 0, counted from its start cycle: k + cols - 1
  int32_t at(unsigned r, unsigned c) const { return acc.at(static_cast<size_t>(r) * cols + c); }
};

// Folds run back to back: results in the order given.
struct RunResult {
  std::vector<FoldResult> folds;
  uint64_t cycles =
      0;  // clock edges from the first fold's start edge (1) to the edge that sees the last done
};

namespace detail {
class ArrayModel;  // type-erased Verilated model (array_model.h)
class RunDriver;   // what a run presents and collects in each cycle (run_driver.h)
}  // namespace detail

// The model is evaluated by a method process on both edges of `clk` (its registers update on the rising
// edge); a run is driven from the falling edges, while run_folds' caller waits for its end (docs/rtl.md).
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

  // Runs the folds back to back and blocks the calling SC_THREAD until the last one is done: each start is
  // presented in the first cycle the array accepts it (docs/rtl.md: with equal k, P = max(k, rows, cols)
  // cycles after the previous one), each fold's rows are collected while the next folds compute. With equal
  // k the run takes (folds - 1)·P + k + rows + cols - 1 cycles (RunResult::cycles).
  // Throws std::invalid_argument on no folds, k = 0 or bad sizes, std::logic_error when called outside an
  // SC_THREAD or re-entered, std::runtime_error if the RTL breaks its protocol (in_ready low while being fed,
  // rows out of order or of no fold, done missing). The first call resets the array (2 cycles, not counted).
  // run_folds returns in the cycle in which the last done is high; a call made straight away (no wait)
  // presents its first start in the next cycle.
  RunResult run_folds(const std::vector<FoldInput>& folds);
  // One fold (run_folds of one): T = k + rows + cols - 1 cycles.
  FoldResult run_fold(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs, unsigned k);

  // Port-level signals (rst_n, start, k_len, w_in, x_in, in_ready, busy, out_valid, out_row, out_acc, done)
  // into a SystemC trace file, updated at every clock edge; call before simulation starts.
  void trace(sc_core::sc_trace_file* tf) const;
  // Every signal inside the RTL into a VCD file (Verilator's VerilatedVcdC, in SystemC time: the state at the
  // end of each time step in which the model was evaluated). Call only after sc_start(SC_ZERO_TIME); the file
  // is closed by close_vcd() or the destructor.
  void open_vcd(const std::string& path, int levels = 99);
  void close_vcd();

  const ArrayConfig& config() const { return config_; }
  uint64_t folds_run() const { return folds_; }

 private:
  void on_clock();  // SC_METHOD, both edges of clk
  void run_cycle();
  void end_run();

  ArrayConfig config_;
  std::unique_ptr<detail::ArrayModel> model_;
  bool reset_done_ = false;
  bool running_ = false;
  uint64_t folds_ = 0;
  // The run in progress (owned by run_folds' frame), the delta cycle in which it was handed over (its first
  // falling edge is the first one after that), falling edges still to wait with rst_n low before its cycle 0
  // (first run only), and how it ended.
  detail::RunDriver* run_ = nullptr;
  uint64_t run_delta_ = 0;
  unsigned reset_edges_ = 0;
  std::exception_ptr run_error_;
  sc_core::sc_event run_end_;
};

}  // namespace minconv::rtl
