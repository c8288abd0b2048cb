#pragma once
// The driver side of PeArrayBridge::run_folds: what is presented to the array and collected from it in each
// cycle of a run (protocol: docs/rtl.md).
#include <cstdint>
#include <vector>

#include "rtl/bridge/array_model.h"
#include "rtl/bridge/pe_array_bridge.h"

namespace minconv::rtl::detail {

// Throws std::invalid_argument on no folds, k = 0, a k too large for the port, or operand counts that do not
// match (rows, cols).
void check_folds(const std::vector<FoldInput>& folds, unsigned rows, unsigned cols);

class RunDriver {
 public:
  RunDriver(ArrayModel& m, const std::vector<FoldInput>& folds, unsigned rows, unsigned cols);

  // Cycle n of the run (n = 0, 1, ... in successive calls), called at its falling edge, when the outputs of
  // rising edge n are settled and what is driven is sampled by rising edge n + 1: collects the row drained in
  // this cycle, then presents the next step or start. True in the cycle in which the last fold's done is
  // high (nothing is presented then). Throws std::runtime_error if the RTL breaks the protocol.
  bool cycle();
  RunResult& result() { return result_; }

 private:
  bool collect(uint64_t n);
  void feed(uint64_t n);
  uint64_t limit() const;

  ArrayModel& m_;
  const std::vector<FoldInput>& folds_;
  unsigned rows_, cols_;
  std::vector<uint64_t> start_cycle_;  // cycle in which each fold's start was presented
  size_t started_ = 0, draining_ = 0;
  unsigned next_row_ = 0;
  unsigned k_ = 0, step_ = 0;  // k of the last started fold, its next step
  uint64_t n_ = 0;             // the next cycle
  uint64_t limit_;             // cycles after which done must have come
  RunResult result_;
};

}  // namespace minconv::rtl::detail
