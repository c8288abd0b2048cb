#pragma once
// CPU stub: a loosely-timed TLM initiator that runs a software program from sw/ in an SC_THREAD. The
// program sees the hardware only through hal::Hal, which this class implements.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm>

#include "platform/config/yaml_map.h"
#include "platform/stats/stats.h"
#include "platform/trace/trace_sink.h"
#include "sw/hal/hal.h"

namespace minconv::platform {

struct CpuParams {
  double clock_mhz = 500;          // CPU clock: the unit of hal cycles() and spend()
  unsigned quantum_cycles = 2000;  // temporal decoupling quantum, in CPU cycles
  unsigned line_bytes = 64;        // read_block/write_block move cache lines of this size
  double wfi_timeout_us = 100000;  // wait_for_interrupt gives up after this much simulated time

  static CpuParams from_yaml(const config::YamlMap& m);  // optional keys; does not call finish()
  nlohmann::json to_json() const;
  sc_core::sc_time period() const { return sc_core::sc_time(1e6 / clock_mhz, sc_core::SC_PS); }
};

class CpuStub : public sc_core::sc_module, public hal::Hal, public StatsSource {
 public:
  // The software entry point: returns 0 on success, like main().
  using Program = std::function<int(hal::Hal&)>;

  tlm_utils::simple_initiator_socket<CpuStub> socket;
  sc_core::sc_in<bool> irq;

  CpuStub(const sc_core::sc_module_name& name, const CpuParams& params, Program program);

  // The program starts when `gate` is notified (by default at time zero). Used to run several SoCs one
  // after the other in one simulation (SystemC elaborates once per process).
  void set_start_gate(const sc_core::sc_event* gate) { gate_ = gate; }
  // Notified when the program has returned (or failed).
  const sc_core::sc_event& done_event() const { return done_event_; }
  const sc_core::sc_time& start_time() const { return start_time_; }
  const sc_core::sc_time& end_time() const { return end_time_; }

  bool finished() const { return finished_; }
  int exit_code() const { return exit_code_; }
  // Why the program failed (an uncaught bus error, interrupt timeout or exception), empty on success.
  const std::string& failure() const { return failure_; }
  // The CPU's own time: the simulation time plus what the quantum keeper has not synchronised yet.
  sc_core::sc_time local_time() const { return sc_core::sc_time_stamp() + qk_.get_local_time(); }

  // Trace (docs/trace.md): a "cpu" track with the program's phases, interrupt waits ("wfi"), computation
  // ("compute") and block moves; the sink's time origin is set when the program starts. nullptr: no trace.
  void set_trace(trace::TraceSink* sink);

  // hal::Hal
  uint32_t read32(uint32_t address) override;
  uint32_t probe32(uint32_t address) override;
  void write32(uint32_t address, uint32_t value) override;
  void read_block(uint32_t address, void* dst, std::size_t bytes) override;
  void write_block(uint32_t address, const void* src, std::size_t bytes) override;
  void wait_for_interrupt() override;
  uint64_t cycles() const override;
  void spend(uint64_t cpu_cycles) override;
  void phase_begin(std::string_view name, bool step) override;
  void phase_end() override;

  // StatsSource: bytes the CPU read/wrote on the bus; busy = time the program ran.
  std::string stats_name() const override { return name(); }
  TrafficStats traffic() const override { return traffic_; }
  nlohmann::json stats_json() const override;

 private:
  void run();
  void transfer(tlm::tlm_command cmd, uint32_t address, unsigned char* data, unsigned length);
  void wait_for_irq_line();
  bool traces_steps() const { return trace_ != nullptr && trace_->wants(trace::Detail::kTiles); }

  CpuParams params_;
  Program program_;
  tlm_utils::tlm_quantumkeeper qk_;
  TrafficStats traffic_;
  uint64_t spent_cycles_ = 0;
  uint64_t interrupts_waited_ = 0;
  const sc_core::sc_event* gate_ = nullptr;
  sc_core::sc_event done_event_;
  sc_core::sc_time start_time_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time end_time_ = sc_core::SC_ZERO_TIME;
  bool finished_ = false;
  int exit_code_ = -1;
  std::string failure_;
  trace::TraceSink* trace_ = nullptr;
  trace::TrackId track_ = 0;
  std::vector<bool> phase_traced_;  // per open phase: whether it is on the trace
};

}  // namespace minconv::platform
