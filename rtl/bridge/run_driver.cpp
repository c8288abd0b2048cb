#include "rtl/bridge/run_driver.h"

#include <sstream>
#include <stdexcept>

namespace minconv::rtl::detail {

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

RunDriver::RunDriver(ArrayModel& m, const std::vector<FoldInput>& folds, unsigned rows, unsigned cols)
    : m_(m), folds_(folds), rows_(rows), cols_(cols), start_cycle_(folds.size(), 0), limit_(limit()) {
  result_.folds.resize(folds.size());
  for (FoldResult& r : result_.folds) {
    r.rows = rows;
    r.cols = cols;
    r.acc.assign(static_cast<size_t>(rows) * cols, 0);
  }
}

bool RunDriver::cycle() {
  const uint64_t n = n_++;
  if (n > 0 && collect(n)) return true;
  if (n > limit_) throw std::runtime_error("PeArrayBridge: done never came");
  feed(n);
  return false;
}

// Outputs of cycle n. True when the last fold's done is high (the run is over).
bool RunDriver::collect(uint64_t n) {
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
void RunDriver::feed(uint64_t n) {
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

uint64_t RunDriver::limit() const {
  uint64_t cycles = 8;
  for (const FoldInput& f : folds_) cycles += uint64_t{f.k} + 2ull * rows_ + cols_;
  return cycles;
}

}  // namespace minconv::rtl::detail
