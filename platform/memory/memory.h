#pragma once
// DRAM model: a loosely-timed TLM-2.0 target backed by sparse host pages. The access latency is pipelined
// (other requests' data may move meanwhile); the data bus carries one request's beats at a time, and its
// "free from" time (timing::SharedResource) makes concurrent initiators contend.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm>

#include "platform/config/yaml_map.h"
#include "platform/stats/stats.h"
#include "platform/timing/shared_resource.h"
#include "platform/trace/trace_sink.h"

namespace minconv::platform {

struct MemoryParams {
  uint64_t size = uint64_t{64} << 20;  // bytes
  double clock_mhz = 800;              // DRAM interface clock
  unsigned latency_cycles = 10;        // pipeline latency per transaction, in DRAM clock cycles
  unsigned bytes_per_cycle = 8;        // data bus bytes per DRAM clock cycle (peak bandwidth = clock * this)

  // Reads size (required, 4 KiB..4 GiB), clock_mhz (1..10000), latency_cycles (0..1000) and
  // bytes_per_cycle (1..512, a power of two) from `m`. Does not call m.finish(): the caller owns the map
  // and reads its other keys (e.g. base).
  static MemoryParams from_yaml(const config::YamlMap& m);
  nlohmann::json to_json() const;
  double peak_bandwidth_bytes_per_s() const;
};

class Memory : public sc_core::sc_module, public StatsSource {
 public:
  // Local addresses 0 .. size-1 (the router translates global addresses).
  tlm_utils::simple_target_socket<Memory> socket;

  // Reports an SC_REPORT_ERROR for parameters outside the ranges from_yaml() accepts.
  Memory(const sc_core::sc_module_name& name, const MemoryParams& params);

  const MemoryParams& params() const { return params_; }
  // Host pages allocated so far (a page is allocated by the first write that touches it).
  std::size_t allocated_pages() const;
  static constexpr uint64_t kPageSize = uint64_t{64} << 10;
  // Time transactions spent waiting for the data bus to become free (contention), beyond their latency.
  const sc_core::sc_time& wait_time() const { return data_bus_.wait_time(); }

  // Trace (docs/trace.md): a "dram" counter of the data bus's busy time and bytes. nullptr: no trace.
  void set_trace(trace::TraceSink* sink) {
    trace_ = sink;
    if (sink != nullptr) counter_ = sink->counter_track("dram", true);
  }

  std::string stats_name() const override { return name(); }
  TrafficStats traffic() const override { return stats_; }
  // traffic() (busy = data bus occupancy) plus "peak_bandwidth_gbps" and "wait_ns".
  nlohmann::json stats_json() const override;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  // The untimed core shared by both transports. check() returns the status the access would get
  // (TLM_OK_RESPONSE if it may proceed); copy() moves the data, honouring byte enables.
  tlm::tlm_response_status check(const tlm::tlm_generic_payload& trans, bool debug) const;
  void copy(tlm::tlm_generic_payload& trans);
  // Duration of `cycles` interface clock cycles.
  sc_core::sc_time cycles_to_time(uint64_t cycles) const;

  MemoryParams params_;
  std::vector<std::unique_ptr<uint8_t[]>> pages_;  // nullptr = never written, reads as zeros
  timing::SharedResource data_bus_;
  TrafficStats stats_;
  trace::TraceSink* trace_ = nullptr;
  trace::CounterId counter_ = 0;
};

}  // namespace minconv::platform
