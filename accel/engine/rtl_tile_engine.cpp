#include "accel/engine/rtl_tile_engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>

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
  SC_THREAD(run);
}

void GatedClock::enable() {
  enabled_ = true;
  enable_ev_.notify(sc_core::SC_ZERO_TIME);
}

void GatedClock::run() {
  for (;;) {
    if (!enabled_) {
      sc_core::wait(enable_ev_);
      continue;
    }
    clk_.write(true);
    sc_core::wait(high_);
    clk_.write(false);
    sc_core::wait(low_);
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
                             uint64_t rtl_fold_cycles, const TileResult& cpp) {
  std::ostringstream why;
  const bool raw = d.raw_output;
  const uint64_t formula = rtl.counters.folds * fold_cycles(rows, cols, d.k_steps());
  if (rtl_fold_cycles != formula || cpp.cycles != rtl.cycles) {
    why << "cycle count: the RTL folds took " << rtl_fold_cycles << " cycles, the C++ engine's "
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

std::vector<int32_t> RtlTileEngine::accumulate(const ArrayShape& /*array*/,
                                               const std::vector<int8_t>& weights,
                                               const std::vector<int8_t>& inputs, uint64_t k_steps) {
  const rtl::FoldResult fr = bridge_.run_fold(weights, inputs, static_cast<unsigned>(k_steps));
  tile_rtl_cycles_ += fr.cycles;
  counters_.folds += 1;
  counters_.array_cycles += fr.cycles;
  return fr.acc;
}

TileResult RtlTileEngine::run(const TileJob& job) {
  const TileDescriptor& d = job.desc;
  const uint64_t tile = counters_.tiles++;
  tile_rtl_cycles_ = 0;
  const auto host_t0 = std::chrono::steady_clock::now();
  clock_.enable();
  const TileResult result = FoldEngine::run(job);  // every fold on the Verilated array (accumulate)
  clock_.disable();
  counters_.host_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - host_t0).count();

  // The same tile on the C++ engine: outputs, cycle count and counters must agree exactly.
  const TileResult ref = reference_.run(job);
  const std::string diff = cosim_difference(d, job.array.rows, job.array.cols, result, tile_rtl_cycles_, ref);
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
