#pragma once
// The co-simulation engine: computes every fold of a tile on the Verilated PE array (rtl/pe_array.sv, through
// rtl::PeArrayBridge), post-scales the accumulators with the accelerator's post-scale units, and checks the
// tile against CppTileEngine (every output and the cycle count). Built only with MINCONV_WITH_RTL
// (MINCONV_HAVE_RTL). docs/cosim.md.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>
#include <systemc>

#include "accel/engine/tile_engine.h"
#include "rtl/bridge/pe_array_bridge.h"

namespace minconv::accel {

// A clock that ticks only while a tile is on the array: an always-running sc_clock would keep the event
// queue busy forever (a stuck program could never "run out of events") and costs two process activations per
// cycle during the whole simulation. Rising edges at start + n * period while enabled. A method process (one
// activation per edge, no thread switch).
class GatedClock : public sc_core::sc_module {
 public:
  GatedClock(const sc_core::sc_module_name& name, const sc_core::sc_time& period);
  const sc_core::sc_signal<bool>& signal() const { return clk_; }
  sc_core::sc_signal<bool>& signal() { return clk_; }
  // Starts ticking (first rising edge in the current time step) / stops after the current cycle.
  void enable();
  void disable() { enabled_ = false; }

 private:
  void tick();  // at the end of each phase, or when enabled
  sc_core::sc_time high_, low_;
  bool enabled_ = false;
  bool high_phase_ = false;  // the clock is high until the next tick
  sc_core::sc_event enable_ev_;
  sc_core::sc_signal<bool> clk_;
};

// Co-simulation figures (Accelerator::stats_json()["cosim"]).
struct CosimCounters {
  uint64_t tiles = 0;         // tiles computed on the RTL array and compared
  uint64_t folds = 0;         // folds run on the RTL array and compared
  uint64_t array_cycles = 0;  // Σ per tile: cycles counted by the bridge (first start edge .. last done)
  uint64_t mismatches = 0;    // tiles whose outputs or cycle count differ from the C++ engine
  double host_seconds = 0;    // host time spent inside the bridge (RTL folds)

  nlohmann::json to_json() const;
};

// A tile runs in three steps, so that the folds go through the array back to back as the double-buffered
// hardware runs them although FoldEngine::run hands out one fold at a time and drains it straight away:
// (1) FoldEngine::run with accumulate() only recording each fold's operands (its outputs are discarded);
// (2) every recorded fold on the RTL array in one run (rtl::PeArrayBridge::run_folds), each start as early as
// the array accepts it, drains overlapping the next folds; (3) FoldEngine::run again, accumulate() handing
// out the RTL's accumulators in order (checking that the operands are the recorded ones), so the output path
// is the one the C++ engine uses.
class RtlTileEngine : public FoldEngine {
 public:
  // Creates its clock and bridge as children of the module being constructed (the Accelerator). `owner` names
  // the reports. Throws std::invalid_argument if (rows, cols, pe) was not verilated.
  RtlTileEngine(const std::string& owner, const AccelParams& params, const sc_core::sc_time& period);

  // Blocks the calling SC_THREAD for the folds' cycles; result.cycles is T_tile as for the C++ engine. Checks
  // the tile against CppTileEngine (an error report on any difference).
  TileResult run(const TileJob& job) override;
  nlohmann::json stats_json() const override { return counters_.to_json(); }
  void trace(sc_core::sc_trace_file* file) const override;

  const CosimCounters& counters() const { return counters_; }
  rtl::PeArrayBridge& bridge() { return bridge_; }

 private:
  std::string owner_;
  GatedClock clock_;
  rtl::PeArrayBridge bridge_;
  CppTileEngine reference_;
  CosimCounters counters_;
  enum class Pass { kRecord, kReplay } pass_ = Pass::kRecord;
  std::vector<rtl::FoldInput> folds_;  // the current tile's folds (recorded operands)
  rtl::RunResult run_;                 // their results on the RTL array
  size_t next_fold_ = 0;               // next result to hand out in the replay pass

 protected:
  // Record pass: keeps the fold's operands, returns zeros. Replay pass: the fold's accumulators from the RTL.
  std::vector<int32_t> accumulate(const ArrayShape& array, const std::vector<int8_t>& weights,
                                  const std::vector<int8_t>& inputs, uint64_t k_steps) override;
};

// "" if the RTL engine's result of a tile (with `rtl_array_cycles`, the cycles the RTL array counted from the
// first fold's start to the last fold's done) agrees with the C++ engine's: the array cycles equal
// (folds - 1) * P + K + R + C - 1, T_tile, every output and the counters; else the first difference (the
// cycle counts, or "output i (pixel p, channel o): RTL a, C++ b").
std::string cosim_difference(const TileDescriptor& d, unsigned rows, unsigned cols, const TileResult& rtl,
                             uint64_t rtl_array_cycles, const TileResult& cpp);

// True if (rows, cols, pe) has a Verilated model with a 32-bit accumulator.
bool rtl_array_supported(unsigned rows, unsigned cols, PeKind pe);

}  // namespace minconv::accel
