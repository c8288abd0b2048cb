#pragma once
// The MinConv accelerator: a TLM-2.0 loosely-timed target with two windows, its CSRs
// (sw/hal/regs/accel_regs.h, accessed through platform/regs/register_bank.h) and its local SRAM (input,
// weight and output buffers), an interrupt line and a PE-array engine that runs one tile at a time in an
// SC_THREAD. Behaviour and timing: docs/accelerator.md.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "accel/accel_params.h"
#include "accel/engine/tile_engine.h"
#include "platform/regs/register_bank.h"
#include "platform/stats/stats.h"
#include "platform/trace/trace_sink.h"
#include "sw/hal/regs/accel_regs.h"

namespace minconv::accel {

// The performance counters (docs/accelerator.md), in the order of the kCnt* registers.
struct PerfCounters {
  uint64_t busy_cycles = 0;
  uint64_t active_pe_cycles = 0;
  uint64_t stall_cycles = 0;
  uint64_t buf_read_bytes = 0;
  uint64_t buf_write_bytes = 0;
  uint64_t tiles = 0;
  uint64_t folds = 0;
};

class Accelerator : public sc_core::sc_module, public platform::StatsSource {
 public:
  tlm_utils::simple_target_socket<Accelerator> csr_socket;   // kCsrSize bytes, offsets from 0
  tlm_utils::simple_target_socket<Accelerator> sram_socket;  // params.sram_bytes() bytes, offsets from 0
  sc_core::sc_out<bool> irq;   // level: (done && irq on done) || (error && irq on error)
  sc_core::sc_out<bool> busy;  // a tile is pending or running (for traces)

  // Throws config::ConfigError for out-of-range parameters and for engine: rtl when this build has no
  // Verilated PE array for (rows, cols, pe) (or no RTL at all).
  Accelerator(const sc_core::sc_module_name& name, const AccelParams& params);
  ~Accelerator() override;

  // T_tile of a tile with K = kh*kw*in_c reduction steps, out_c channels and `pixels` output pixels.
  static uint64_t tile_cycles(const AccelParams& p, unsigned K, unsigned out_c, unsigned pixels);

  const AccelParams& params() const { return params_; }
  sc_core::sc_time clock_period() const { return period_; }
  // Counters as the registers show them at simulated time `now` (the stall count includes a running stall).
  PerfCounters counters(const sc_core::sc_time& now) const;
  uint64_t errors() const { return errors_; }
  // The engine's own signals (the RTL engine: its clock and the PE array's ports) into a trace file.
  void trace_engine(sc_core::sc_trace_file* file) const;
  // The engine's own statistics (the RTL engine: co-simulation counters, CosimCounters::to_json()); null for
  // the C++ engine. Also in stats_json()["cosim"].
  nlohmann::json engine_stats() const;

  // Trace (docs/trace.md, accel/accel_trace.cpp): an "accel" track with each tile as a slice and an "accel"
  // busy counter. nullptr: no trace.
  void set_trace(platform::trace::TraceSink* sink);

  // platform::StatsSource
  std::string stats_name() const override { return name(); }
  platform::TrafficStats traffic() const override;  // SRAM bytes over the bus + busy time
  nlohmann::json stats_json() const override;

 private:
  void csr_b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) { csr_.b_transport(t, d); }
  unsigned csr_transport_dbg(tlm::tlm_generic_payload& t) { return csr_.transport_dbg(t); }
  void sram_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned sram_transport_dbg(tlm::tlm_generic_payload& trans);

  // Register behaviour behind the register bank (which has checked the access). An access takes effect
  // one accelerator cycle after the initiator's local time; debug reads do not latch.
  uint32_t csr_read(const platform::RegAccess& access);
  void csr_write(const platform::RegAccess& access, uint32_t value);
  uint32_t capability(uint32_t offset) const;
  uint32_t counter_word(uint32_t offset, const sc_core::sc_time& now, bool latch);
  void control(uint32_t value, const sc_core::sc_time& now, const sc_core::sc_time& delay);
  void start(const sc_core::sc_time& delay);
  void raise_error(regs::accel::ErrorCode code);
  void update_outputs(const sc_core::sc_time& delay);

  void tile_thread();
  // The tile that started at t0 as slices (accel_trace.cpp).
  void trace_tile(const sc_core::sc_time& t0, const TileDescriptor& d, const TileResult& r);
  void trace_folds(const sc_core::sc_time& t0, const TileDescriptor& d, const TileResult& r);
  void drive_outputs();  // the only writer of irq and busy
  uint64_t to_cycles(const sc_core::sc_time& t) const;

  AccelParams params_;
  sc_core::sc_time period_;
  std::unique_ptr<TileEngine> engine_;
  std::vector<uint8_t> sram_;

  // CSR state.
  uint32_t status_ = 0;  // done, error, error code (busy is busy_)
  uint32_t irq_enable_ = 0;
  regs::accel::DescWords desc_regs_{};  // kInAddr..kFlags
  std::array<uint32_t, regs::accel::kNumCounters> hi_latch_{};
  bool busy_ = false;            // a tile is pending (start accepted) or running
  TileDescriptor pending_desc_;  // snapshot of the descriptor at the start write
  // The running tile's operands and result. Members rather than locals of tile_thread: SystemC does not
  // unwind a thread that is still waiting when the simulation stops (e.g. after a CPU interrupt timeout), so
  // memory owned by its stack would leak.
  TileJob job_;
  TileResult result_;

  // Counters and statistics.
  PerfCounters counters_;
  uint64_t errors_ = 0;
  bool in_layer_ = false;
  bool tile_running_ = false;    // between the thread's start and end of a tile
  sc_core::sc_time idle_since_;  // start of the current idle interval inside a layer
  sc_core::sc_time stall_time_;  // accumulated stall time
  platform::TrafficStats sram_traffic_;

  platform::RegisterBank csr_;
  sc_core::sc_event start_ev_;
  sc_core::sc_event outputs_ev_;

  platform::trace::TraceSink* trace_ = nullptr;
  platform::trace::TrackId track_ = 0;
  platform::trace::CounterId busy_counter_ = 0;
};

}  // namespace minconv::accel
