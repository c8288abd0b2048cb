#include "rtl/bridge/pe_array_bridge.h"

#include <sstream>
#include <stdexcept>
#include <utility>

#include "rtl/bridge/array_model.h"
#include "rtl/bridge/run_driver.h"

namespace minconv::rtl {

PeArrayBridge::PeArrayBridge(const sc_core::sc_module_name& name, unsigned rows, unsigned cols,
                             golden::PeKind kind, unsigned acc_width)
    : sc_core::sc_module(name), clk("clk") {
  config_ = ArrayConfig{rows, cols, kind, acc_width};
  model_ = detail::make_array_model(config_, std::string(this->name()) + ".rtl");
  if (!model_) {
    std::ostringstream os;
    os << "PeArrayBridge: no Verilated pe_array for " << rows << "x" << cols << " "
       << (kind == golden::PeKind::kMin ? "min" : "mul") << " with a " << acc_width
       << "-bit accumulator; supported: " << supported_configs_string();
    throw std::invalid_argument(os.str());
  }
  SC_HAS_PROCESS(PeArrayBridge);
  SC_METHOD(on_clock);
  sensitive << clk;
  dont_initialize();
}

PeArrayBridge::~PeArrayBridge() = default;

void PeArrayBridge::trace(sc_core::sc_trace_file* tf) const { model_->trace(tf); }
void PeArrayBridge::open_vcd(const std::string& path, int levels) { model_->open_vcd(path, levels); }
void PeArrayBridge::close_vcd() { model_->close_vcd(); }

// Rising edge: the model's registers update. Falling edge: everything is settled; a run handed over before
// this edge collects this cycle's outputs and drives the inputs the next rising edge samples, then the model
// sees clk fall (one evaluation for both).
void PeArrayBridge::on_clock() {
  if (clk.read()) {
    model_->clock(true);
    return;
  }
  if (run_ && run_delta_ != sc_core::sc_delta_count()) run_cycle();
  model_->clock(false);
}

void PeArrayBridge::run_cycle() {
  if (reset_edges_ > 0) {
    if (--reset_edges_ == 0) model_->release_reset();
    return;
  }
  try {
    if (run_->cycle()) end_run();
  } catch (...) {
    run_error_ = std::current_exception();
    end_run();
  }
}

void PeArrayBridge::end_run() {
  model_->set_start(false, 0);
  run_ = nullptr;
  run_end_.notify();  // run_folds' caller resumes in this delta cycle
}

RunResult PeArrayBridge::run_folds(const std::vector<FoldInput>& folds) {
  detail::check_folds(folds, config_.rows, config_.cols);
  if (sc_core::sc_get_current_process_handle().proc_kind() != sc_core::SC_THREAD_PROC_) {
    throw std::logic_error("PeArrayBridge::run_fold must be called from an SC_THREAD");
  }
  if (running_) throw std::logic_error("PeArrayBridge::run_fold re-entered");
  running_ = true;
  struct Guard {
    PeArrayBridge& b;
    ~Guard() {
      b.running_ = false;
      b.run_ = nullptr;  // also if the caller's thread is killed while waiting
    }
  } guard{*this};

  // Cycle 0 is the first falling edge after this delta cycle (as if this thread waited for it): it follows
  // the previous run's last done cycle; the array is idle and takes the first start. The first run keeps
  // rst_n (low since construction) low over a rising edge: it releases it at the second falling edge and
  // starts at the third.
  if (!reset_done_) {
    reset_edges_ = 2;
    reset_done_ = true;
  }
  detail::RunDriver run(*model_, folds, config_.rows, config_.cols);
  run_error_ = nullptr;
  run_delta_ = sc_core::sc_delta_count();
  run_ = &run;
  wait(run_end_);
  if (run_error_) std::rethrow_exception(std::exchange(run_error_, nullptr));
  folds_ += folds.size();
  return std::move(run.result());
}

FoldResult PeArrayBridge::run_fold(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs,
                                   unsigned k) {
  RunResult r = run_folds({FoldInput{weights, inputs, k}});
  return std::move(r.folds.front());
}

}  // namespace minconv::rtl
