#include "rtl/bridge/pe_array_bridge.h"

#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>

// Verilator's runtime headers and the generated model headers are third-party code that does not build
// cleanly under the project's -Wall -Wextra -Werror (unused parameters in verilated_vcd_sc.h,
// verilated_types.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <verilated.h>
#include <verilated_vcd_sc.h>

#include "Vpe_array_min_16x16.h"
#include "Vpe_array_min_1x1.h"
#include "Vpe_array_min_1x1_a12.h"
#include "Vpe_array_min_1x4.h"
#include "Vpe_array_min_3x5.h"
#include "Vpe_array_min_4x4.h"
#include "Vpe_array_min_8x8.h"
#include "Vpe_array_mul_16x16.h"
#include "Vpe_array_mul_1x1.h"
#include "Vpe_array_mul_1x1_a20.h"
#include "Vpe_array_mul_4x1.h"
#include "Vpe_array_mul_4x4.h"
#include "Vpe_array_mul_5x3.h"
#include "Vpe_array_mul_8x8.h"
#pragma GCC diagnostic pop

namespace minconv::rtl {
namespace detail {

// The pins of one Verilated pe_array, independent of its size.
class ArrayModel {
 public:
  virtual ~ArrayModel() = default;
  virtual void set_reset(bool active) = 0;
  virtual void set_start(bool start, uint32_t k_len) = 0;
  // Drives step `step` of the fold: w_in[r] = weights[r * k + step], x_in[c] = inputs[c * k + step].
  virtual void set_step(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs, unsigned k,
                        unsigned step) = 0;
  virtual bool in_ready() const = 0;
  virtual bool busy() const = 0;
  virtual bool out_valid() const = 0;
  virtual bool done() const = 0;
  virtual unsigned out_row() const = 0;
  virtual int32_t out_acc(unsigned col) const = 0;
  virtual void trace(sc_core::sc_trace_file* tf) const = 0;
  virtual void open_vcd(const std::string& path, int levels) = 0;
  virtual void close_vcd() = 0;
};

constexpr unsigned row_bits(unsigned rows) {
  unsigned bits = 1;
  while ((1u << bits) < rows) ++bits;
  return bits;
}

// With --pins-bv 2 every port of 2 bits or more is an sc_bv; 1-bit ports are bool.
template <unsigned W>
using Pin = std::conditional_t<W == 1, bool, sc_dt::sc_bv<W>>;

template <unsigned W>
uint64_t pin_value(const Pin<W>& v) {
  if constexpr (W == 1) {
    return v ? 1 : 0;
  } else {
    return v.to_uint64();
  }
}

template <class V, unsigned R, unsigned C, unsigned ACC>
class ArrayModelT final : public ArrayModel {
  static constexpr unsigned kRowBits = row_bits(R);

 public:
  explicit ArrayModelT(sc_core::sc_in<bool>& clk) {
    Verilated::traceEverOn(true);
    model_ = std::make_unique<V>("rtl");
    model_->clk(clk);
    model_->rst_n(rst_n_);
    model_->start(start_);
    model_->k_len(k_len_);
    model_->w_in(w_in_);
    model_->x_in(x_in_);
    model_->in_ready(in_ready_);
    model_->busy(busy_);
    model_->out_valid(out_valid_);
    model_->out_row(out_row_);
    model_->out_acc(out_acc_);
    model_->done(done_);
  }
  ~ArrayModelT() override {
    close_vcd();
    model_->final();
  }

  void set_reset(bool active) override { rst_n_.write(!active); }
  void set_start(bool start, uint32_t k_len) override {
    start_.write(start);
    k_len_.write(sc_dt::sc_bv<32>(k_len));
  }
  void set_step(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs, unsigned k,
                unsigned step) override {
    sc_dt::sc_bv<R * 8> w;
    for (unsigned r = 0; r < R; ++r) {
      w.range(8 * r + 7, 8 * r) = static_cast<uint8_t>(weights[static_cast<size_t>(r) * k + step]);
    }
    sc_dt::sc_bv<C * 8> x;
    for (unsigned c = 0; c < C; ++c) {
      x.range(8 * c + 7, 8 * c) = static_cast<uint8_t>(inputs[static_cast<size_t>(c) * k + step]);
    }
    w_in_.write(w);
    x_in_.write(x);
  }
  bool in_ready() const override { return in_ready_.read(); }
  bool busy() const override { return busy_.read(); }
  bool out_valid() const override { return out_valid_.read(); }
  bool done() const override { return done_.read(); }
  unsigned out_row() const override { return static_cast<unsigned>(pin_value<kRowBits>(out_row_.read())); }
  int32_t out_acc(unsigned col) const override {
    const uint64_t raw = out_acc_.read().range(ACC * col + ACC - 1, ACC * col).to_uint64();
    const uint64_t sign = uint64_t{1} << (ACC - 1);
    return static_cast<int32_t>(static_cast<int64_t>(raw ^ sign) - static_cast<int64_t>(sign));
  }
  void trace(sc_core::sc_trace_file* tf) const override {
    sc_core::sc_trace(tf, rst_n_, rst_n_.name());
    sc_core::sc_trace(tf, start_, start_.name());
    sc_core::sc_trace(tf, k_len_, k_len_.name());
    sc_core::sc_trace(tf, w_in_, w_in_.name());
    sc_core::sc_trace(tf, x_in_, x_in_.name());
    sc_core::sc_trace(tf, in_ready_, in_ready_.name());
    sc_core::sc_trace(tf, busy_, busy_.name());
    sc_core::sc_trace(tf, out_valid_, out_valid_.name());
    sc_core::sc_trace(tf, out_row_, out_row_.name());
    sc_core::sc_trace(tf, out_acc_, out_acc_.name());
    sc_core::sc_trace(tf, done_, done_.name());
  }
  void open_vcd(const std::string& path, int levels) override {
    if (vcd_) throw std::logic_error("PeArrayBridge: a VCD is already open");
    vcd_ = std::make_unique<VerilatedVcdSc>();
    model_->trace(vcd_.get(), levels);
    vcd_->open(path.c_str());
  }
  void close_vcd() override {
    if (vcd_) {
      vcd_->close();
      vcd_.reset();
    }
  }

 private:
  sc_core::sc_signal<bool> rst_n_{"rst_n", false};  // in reset until the first fold
  sc_core::sc_signal<bool> start_{"start", false};
  sc_core::sc_signal<sc_dt::sc_bv<32>> k_len_{"k_len"};
  sc_core::sc_signal<sc_dt::sc_bv<R * 8>> w_in_{"w_in"};
  sc_core::sc_signal<sc_dt::sc_bv<C * 8>> x_in_{"x_in"};
  sc_core::sc_signal<bool> in_ready_{"in_ready"};
  sc_core::sc_signal<bool> busy_{"busy"};
  sc_core::sc_signal<bool> out_valid_{"out_valid"};
  sc_core::sc_signal<Pin<kRowBits>> out_row_{"out_row"};
  sc_core::sc_signal<sc_dt::sc_bv<C * ACC>> out_acc_{"out_acc"};
  sc_core::sc_signal<bool> done_{"done"};
  std::unique_ptr<V> model_;
  std::unique_ptr<VerilatedVcdSc> vcd_;
};

using Factory = std::unique_ptr<ArrayModel> (*)(sc_core::sc_in<bool>&);

template <class V, unsigned R, unsigned C, unsigned ACC>
std::unique_ptr<ArrayModel> make_model(sc_core::sc_in<bool>& clk) {
  return std::make_unique<ArrayModelT<V, R, C, ACC>>(clk);
}

struct ModelEntry {
  ArrayConfig config;
  Factory factory;
};

using golden::PeKind;
// Must match the minconv_rtl_array() calls in rtl/CMakeLists.txt.
const ModelEntry kModels[] = {
    {{4, 4, PeKind::kMin, 32}, &make_model<Vpe_array_min_4x4, 4, 4, 32>},
    {{4, 4, PeKind::kMul, 32}, &make_model<Vpe_array_mul_4x4, 4, 4, 32>},
    {{8, 8, PeKind::kMin, 32}, &make_model<Vpe_array_min_8x8, 8, 8, 32>},
    {{8, 8, PeKind::kMul, 32}, &make_model<Vpe_array_mul_8x8, 8, 8, 32>},
    {{16, 16, PeKind::kMin, 32}, &make_model<Vpe_array_min_16x16, 16, 16, 32>},
    {{16, 16, PeKind::kMul, 32}, &make_model<Vpe_array_mul_16x16, 16, 16, 32>},
    {{1, 1, PeKind::kMin, 32}, &make_model<Vpe_array_min_1x1, 1, 1, 32>},
    {{1, 1, PeKind::kMul, 32}, &make_model<Vpe_array_mul_1x1, 1, 1, 32>},
    {{1, 4, PeKind::kMin, 32}, &make_model<Vpe_array_min_1x4, 1, 4, 32>},
    {{4, 1, PeKind::kMul, 32}, &make_model<Vpe_array_mul_4x1, 4, 1, 32>},
    {{3, 5, PeKind::kMin, 32}, &make_model<Vpe_array_min_3x5, 3, 5, 32>},
    {{5, 3, PeKind::kMul, 32}, &make_model<Vpe_array_mul_5x3, 5, 3, 32>},
    {{1, 1, PeKind::kMin, 12}, &make_model<Vpe_array_min_1x1_a12, 1, 1, 12>},
    {{1, 1, PeKind::kMul, 20}, &make_model<Vpe_array_mul_1x1_a20, 1, 1, 20>},
};

}  // namespace detail

const std::vector<ArrayConfig>& supported_configs() {
  static const std::vector<ArrayConfig> configs = [] {
    std::vector<ArrayConfig> v;
    for (const auto& m : detail::kModels) v.push_back(m.config);
    return v;
  }();
  return configs;
}

std::string supported_configs_string() {
  std::ostringstream os;
  bool first = true;
  for (const auto& c : supported_configs()) {
    os << (first ? "" : ", ") << c.rows << "x" << c.cols << " "
       << (c.kind == golden::PeKind::kMin ? "min" : "mul");
    if (c.acc_width != 32) os << " (acc " << c.acc_width << " bits)";
    first = false;
  }
  return os.str();
}

PeArrayBridge::PeArrayBridge(const sc_core::sc_module_name& name, unsigned rows, unsigned cols,
                             golden::PeKind kind, unsigned acc_width)
    : sc_core::sc_module(name), clk("clk") {
  for (const auto& m : detail::kModels) {
    if (m.config.rows == rows && m.config.cols == cols && m.config.kind == kind &&
        m.config.acc_width == acc_width) {
      config_ = m.config;
      model_ = m.factory(clk);
      return;
    }
  }
  std::ostringstream os;
  os << "PeArrayBridge: no Verilated pe_array for " << rows << "x" << cols << " "
     << (kind == golden::PeKind::kMin ? "min" : "mul") << " with a " << acc_width
     << "-bit accumulator; supported: " << supported_configs_string();
  throw std::invalid_argument(os.str());
}

PeArrayBridge::~PeArrayBridge() = default;

void PeArrayBridge::trace(sc_core::sc_trace_file* tf) const { model_->trace(tf); }
void PeArrayBridge::open_vcd(const std::string& path, int levels) { model_->open_vcd(path, levels); }
void PeArrayBridge::close_vcd() { model_->close_vcd(); }

namespace {

void check_folds(const std::vector<FoldInput>& folds, unsigned rows, unsigned cols) {
  if (folds.empty()) throw std::invalid_argument("PeArrayBridge::run_folds: no folds");
  for (size_t f = 0; f < folds.size(); ++f) {
    const FoldInput& in = folds[f];
    if (in.k == 0) throw std::invalid_argument("PeArrayBridge::run_fold: k must be >= 1");
    if (uint64_t{in.k} + 2ull * rows + cols > 0xFFFFFFFFull) {
      throw std::invalid_argument("PeArrayBridge::run_fold: k too large for the 32-bit k_len port");
    }
    if (in.weights.size() != static_cast<size_t>(rows) * in.k ||
        in.inputs.size() != static_cast<size_t>(cols) * in.k) {
      std::ostringstream os;
      os << "PeArrayBridge::run_fold: fold " << f << ": expected " << rows << "*" << in.k << " weights and "
         << cols << "*" << in.k << " inputs, got " << in.weights.size() << " and " << in.inputs.size();
      throw std::invalid_argument(os.str());
    }
  }
}

// The driver side of a run, one call per cycle (at the falling edge, when the model's outputs are settled):
// collect() takes the drained row of this cycle, feed() presents this cycle's start/step.
class RunDriver {
 public:
  RunDriver(detail::ArrayModel& m, const std::vector<FoldInput>& folds, unsigned rows, unsigned cols)
      : m_(m), folds_(folds), rows_(rows), cols_(cols), start_cycle_(folds.size(), 0) {
    result_.folds.resize(folds.size());
    for (FoldResult& r : result_.folds) {
      r.rows = rows;
      r.cols = cols;
      r.acc.assign(static_cast<size_t>(rows) * cols, 0);
    }
  }

  // Outputs of cycle n. True when the last fold's done is high (the run is over).
  bool collect(uint64_t n) {
    if (!m_.out_valid()) return false;
    const unsigned row = m_.out_row();
    if (draining_ >= started_ || row != next_row_ || row >= rows_) {
      std::ostringstream os;
      os << "PeArrayBridge: drained row " << row << " in cycle " << n << ", expected row " << next_row_
         << " of fold " << draining_ << " (" << started_ << " started)";
      throw std::runtime_error(os.str());
    }
    FoldResult& r = result_.folds[draining_];
    if (row == 0) r.drain = n - start_cycle_[draining_];
    for (unsigned c = 0; c < cols_; ++c) r.acc[static_cast<size_t>(row) * cols_ + c] = m_.out_acc(c);
    ++next_row_;
    if (!m_.done()) {
      if (next_row_ == rows_) throw std::runtime_error("PeArrayBridge: done missing on the last row");
      return false;
    }
    if (next_row_ != rows_) throw std::runtime_error("PeArrayBridge: done before every row was drained");
    r.cycles = n - start_cycle_[draining_] + 1;  // done is sampled by rising edge n + 1
    r.start = start_cycle_[draining_] - start_cycle_[0];
    next_row_ = 0;
    if (++draining_ < folds_.size()) return false;
    result_.cycles = n - start_cycle_[0] + 1;
    return true;
  }

  // Inputs of cycle n: the next step of the fold being fed, else the next start as soon as the array takes it
  // (in_ready, and the previous fold's k unless the array is idle).
  void feed(uint64_t n) {
    m_.set_start(false, k_);
    // Every accepted fold keeps busy high from its start edge to the edge that sees its done.
    if (started_ > 0 && start_cycle_[started_ - 1] + 1 == n && !m_.busy()) {
      throw std::runtime_error("PeArrayBridge: pe_array did not accept a start");
    }
    if (step_ < k_) {
      if (!m_.in_ready()) throw std::runtime_error("PeArrayBridge: in_ready low while feeding a fold");
      m_.set_step(folds_[started_ - 1].weights, folds_[started_ - 1].inputs, k_, step_++);
      return;
    }
    if (started_ == folds_.size() || !m_.in_ready()) return;
    const FoldInput& f = folds_[started_];
    if (m_.busy() && f.k != k_) return;  // a fold of another k waits until the array is idle
    m_.set_start(true, f.k);
    m_.set_step(f.weights, f.inputs, f.k, 0);
    start_cycle_[started_++] = n;
    k_ = f.k;
    step_ = 1;
  }

  uint64_t limit() const {
    uint64_t cycles = 8;
    for (const FoldInput& f : folds_) cycles += uint64_t{f.k} + 2ull * rows_ + cols_;
    return cycles;
  }
  RunResult& result() { return result_; }

 private:
  detail::ArrayModel& m_;
  const std::vector<FoldInput>& folds_;
  unsigned rows_, cols_;
  std::vector<uint64_t> start_cycle_;  // cycle in which each fold's start was presented
  size_t started_ = 0, draining_ = 0;
  unsigned next_row_ = 0;
  unsigned k_ = 0, step_ = 0;  // k of the last started fold, its next step
  RunResult result_;
};

}  // namespace

RunResult PeArrayBridge::run_folds(const std::vector<FoldInput>& folds) {
  check_folds(folds, config_.rows, config_.cols);
  if (sc_core::sc_get_current_process_handle().proc_kind() != sc_core::SC_THREAD_PROC_) {
    throw std::logic_error("PeArrayBridge::run_fold must be called from an SC_THREAD");
  }
  if (running_) throw std::logic_error("PeArrayBridge::run_fold re-entered");
  running_ = true;
  struct Guard {
    bool& flag;
    ~Guard() { flag = false; }
  } guard{running_};

  // Inputs are driven and outputs sampled at falling edges: the model updates on rising edges, so at a
  // falling edge everything is settled, and whatever is driven there is sampled by the next rising edge.
  if (!reset_done_) {
    model_->set_reset(true);
    wait(clk.negedge_event());
    wait(clk.negedge_event());  // at least one rising edge with rst_n low
    model_->set_reset(false);
    reset_done_ = true;
  }
  RunDriver run(*model_, folds, config_.rows, config_.cols);
  const uint64_t limit = run.limit();
  // Cycle 0 follows the previous run's last done cycle; the array is idle and takes the first start.
  for (uint64_t n = 0;; ++n) {
    wait(clk.negedge_event());  // rising edge n has happened; this is cycle n
    if (n > 0 && run.collect(n)) break;
    if (n > limit) throw std::runtime_error("PeArrayBridge: done never came");
    run.feed(n);
  }
  model_->set_start(false, 0);
  folds_ += folds.size();
  return std::move(run.result());
}

FoldResult PeArrayBridge::run_fold(const std::vector<int8_t>& weights, const std::vector<int8_t>& inputs,
                                   unsigned k) {
  RunResult r = run_folds({FoldInput{weights, inputs, k}});
  return std::move(r.folds.front());
}

}  // namespace minconv::rtl
