#include "accel/engine/rtl_tile_engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace minconv::accel {

namespace ra = regs::accel;

namespace {

// Output element `i` of a tile image (int8 or little-endian int32).
int64_t element(const std::vector<uint8_t>& out, size_t i, bool raw) {
  if (!raw) return static_cast<int8_t>(out[i]);
  int32_t v = 0;
  std::memcpy(&v, &out[4 * i], 4);
  return v;
}
}  // namespace

// ---------------------------------------------------------------------------------------------------------
// GatedClock

GatedClock::GatedClock(const sc_core::sc_module_name& name, const sc_core::sc_time& period)
    : sc_core::sc_module(name), clk_("clk", false) {
  // Split the period on the time resolution: high half rounded down, the low half takes the rest.
  const sc_core::sc_time res = sc_core::sc_get_time_resolution();
  const auto ticks = static_cast<uint64_t>(period / res + 0.5);
  high_ = res * static_cast<double>(ticks / 2);
  low_ = period - high_;
  SC_HAS_PROCESS(GatedClock);
  SC_METHOD(tick);
}

void GatedClock::enable() {
  enabled_ = true;
  enable_ev_.notify(sc_core::SC_ZERO_TIME);
}

void GatedClock::tick() {
  if (high_phase_) {
    clk_.write(false);
    high_phase_ = false;
    next_trigger(low_);
  } else if (!enabled_) {
    next_trigger(enable_ev_);
  } else {
    clk_.write(true);
    high_phase_ = true;
    next_trigger(high_);
  }
}

// ---------------------------------------------------------------------------------------------------------
// RtlTileEngine

nlohmann::json CosimCounters::to_json() const {
  return {
      {"tiles", tiles},
      {"folds", folds},
      {"array_cycles", array_cycles},
      {"mismatches", mismatches},
      {"host_seconds", host_seconds},
      {"cycles_per_host_second", host_seconds > 0 ? static_cast<double>(array_cycles) / host_seconds : 0.0}};
}

bool rtl_array_supported(unsigned rows, unsigned cols, PeKind pe) {
  const golden::PeKind kind = pe;
  for (const rtl::ArrayConfig& c : rtl::supported_configs()) {
    if (c.rows == rows && c.cols == cols && c.kind == kind && c.acc_width == 32) return true;
  }
  return false;
}

RtlTileEngine::RtlTileEngine(const std::string& owner, const AccelParams& params,
                             const sc_core::sc_time& period)
    : owner_(owner), clock_("cosim_clock", period), bridge_("pe_array", params.rows, params.cols, params.pe) {
  bridge_.clk(clock_.signal());
}

void RtlTileEngine::trace(sc_core::sc_trace_file* file) const {
  sc_core::sc_trace(file, clock_.signal(), clock_.signal().name());
  bridge_.trace(file);
}

std::string cosim_difference(const TileDescriptor& d, unsigned rows, unsigned cols, const TileResult& rtl,
                             uint64_t rtl_array_cycles, const TileResult& cpp) {
  std::ostringstream why;
  const bool raw = d.raw_output;
  const uint64_t K = d.k_steps();
  const uint64_t formula = rtl.counters.folds == 0 ? 0
                                                   : (rtl.counters.folds - 1) * fold_cycles(rows, cols, K) +
                                                         fold_latency(rows, cols, K);
  if (rtl_array_cycles != formula || cpp.cycles != rtl.cycles) {
    why << "cycle count: the RTL array took " << rtl_array_cycles << " cycles, the C++ engine's folds "
        << cpp.cycles - kTileSetupCycles - kTilePostCycles << " (T_tile " << cpp.cycles << ")";
  } else if (cpp.output.size() != rtl.output.size()) {
    why << "output size: RTL " << rtl.output.size() << " bytes, C++ " << cpp.output.size();
  } else if (cpp.output != rtl.output) {
    const size_t n = rtl.output.size() / (raw ? 4 : 1);
    for (size_t i = 0; i < n; ++i) {
      const int64_t a = element(rtl.output, i, raw), b = element(cpp.output, i, raw);
      if (a != b) {
        why << "output " << i << " (pixel " << i / d.out_c << ", channel " << i % d.out_c << "): RTL " << a
            << ", C++ " << b;
        break;
      }
    }
  } else if (cpp.counters.folds != rtl.counters.folds || cpp.counters.macs != rtl.counters.macs ||
             cpp.counters.buf_read_bytes != rtl.counters.buf_read_bytes) {
    why << "counters: RTL " << rtl.counters.folds << " folds / " << rtl.counters.macs << " MACs, C++ "
        << cpp.counters.folds << " / " << cpp.counters.macs;
  }
  return why.str();
}

std::vector<int32_t> RtlTileEngine::accumulate(const ArrayShape& array, const std::vector<int8_t>& weights,
                                               const std::vector<int8_t>& inputs, uint64_t k_steps) {
  if (pass_ == Pass::kRecord) {
    folds_.push_back(rtl::FoldInput{weights, inputs, static_cast<unsigned>(k_steps)});
    return std::vector<int32_t>(size_t{array.rows} * array.cols, 0);
  }
  if (next_fold_ >= folds_.size() || folds_[next_fold_].weights != weights ||
      folds_[next_fold_].inputs != inputs) {
    throw std::logic_error("RtlTileEngine: the fold loop handed out other folds than it recorded");
  }
  return run_.folds[next_fold_++].acc;
}

TileResult RtlTileEngine::run(const TileJob& job) {
  const TileDescriptor& d = job.desc;
  const uint64_t tile = counters_.tiles++;
  folds_.clear();
  pass_ = Pass::kRecord;
  FoldEngine::run(job);  // (1) the folds' operands

  const auto host_t0 = std::chrono::steady_clock::now();
  clock_.enable();
  run_ = bridge_.run_folds(folds_);  // (2) all of them on the Verilated array, back to back
  clock_.disable();
  counters_.host_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - host_t0).count();
  counters_.folds += run_.folds.size();
  counters_.array_cycles += run_.cycles;

  pass_ = Pass::kReplay;
  next_fold_ = 0;
  const TileResult result = FoldEngine::run(job);  // (3) the RTL's accumulators through the output path
  folds_.clear();

  // The same tile on the C++ engine: outputs, cycle count and counters must agree exactly.
  const TileResult ref = reference_.run(job);
  const std::string diff = cosim_difference(d, job.array.rows, job.array.cols, result, run_.cycles, ref);
  if (!diff.empty()) {
    ++counters_.mismatches;
    std::ostringstream msg;
    msg << "co-simulation mismatch in tile " << tile << " (" << d.out_h << "x" << d.out_w << "x" << d.out_c
        << " from " << d.in_h << "x" << d.in_w << "x" << d.in_c << ", kernel " << d.kh << "x" << d.kw
        << ", stride " << d.stride_h << "x" << d.stride_w << "): " << diff;
    SC_REPORT_ERROR(owner_.c_str(), msg.str().c_str());
  }
  return result;
}

}  // namespace minconv::accel
