#pragma once
// Address-decoding interconnect: any number of initiators, any number of targets, one shared bus. The
// arbitration and address phase is pipelined; the data bus carries one transaction's beats at a time and its
// "free from" time (timing::SharedResource) makes concurrent initiators contend. Loosely timed: never calls
// wait().
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm>

#include "platform/config/yaml_map.h"
#include "platform/stats/stats.h"
#include "platform/timing/shared_resource.h"
#include "platform/trace/trace_sink.h"

namespace minconv::platform {

// A named window of the global address space; `end()` is inclusive.
struct AddressRange {
  std::string name;
  uint64_t base = 0;
  uint64_t size = 0;
  uint64_t end() const { return base + size - 1; }
};

// Index pair (i < j) of the first two ranges that overlap, or nullopt. A zero-size range is reported as
// (i, i). "First" is in order of the later index j, so the earliest offending range is named.
std::optional<std::pair<std::size_t, std::size_t>> find_overlap(const std::vector<AddressRange>& ranges);

struct RouterParams {
  double clock_mhz = 500;       // bus clock
  unsigned latency_cycles = 2;  // arbitration + address phase (pipelined), bus cycles per transaction
  unsigned width_bytes = 32;  // data bytes per bus cycle (a DMA copy crosses the bus twice: 2x the DRAM peak)

  // Reads the optional keys clock_mhz (1..10000), latency_cycles (0..1000), width_bytes (1..512, a power
  // of two). Does not call m.finish().
  static RouterParams from_yaml(const config::YamlMap& m);
  nlohmann::json to_json() const;
};

class Router : public sc_core::sc_module, public StatsSource {
 public:
  tlm_utils::multi_passthrough_target_socket<Router> target_socket;        // initiators bind here
  tlm_utils::multi_passthrough_initiator_socket<Router> initiator_socket;  // bind to targets

  // Reports an SC_REPORT_ERROR for parameters outside the ranges from_yaml() accepts.
  Router(const sc_core::sc_module_name& name, const RouterParams& params);

  // Call once per initiator, in the order initiators bind to target_socket (names for statistics).
  // Throws std::invalid_argument on an empty or duplicate name.
  void add_initiator(const std::string& name);
  // Call once per target, in the order targets are bound to initiator_socket. Throws
  // std::invalid_argument (with both names and ranges in the message) on an empty or duplicate name, zero
  // size, a range past the end of the 64-bit address space, or overlap with an earlier range.
  void add_target(const AddressRange& range);
  const std::vector<AddressRange>& targets() const { return targets_; }
  const std::vector<std::string>& initiators() const { return initiators_; }
  const RouterParams& params() const { return params_; }

  // Statistics of one initiator x target route (zeros if the indices are out of range).
  TrafficStats route_traffic(std::size_t initiator, std::size_t target) const;
  uint64_t unmapped_accesses() const { return unmapped_; }

  // Trace (docs/trace.md): a "bus" counter of the data bus's busy time and bytes. nullptr: no trace.
  void set_trace(trace::TraceSink* sink) {
    trace_ = sink;
    if (sink != nullptr) counter_ = sink->counter_track("bus", true);
  }

  std::string stats_name() const override { return name(); }
  // Totals over all routes.
  TrafficStats traffic() const override;
  // Totals (busy = the bus's own data occupancy, not the targets' time), plus "routes": {initiator:
  // {target: {traffic..., "errors"}}}, "unmapped_accesses" and "wait_ns" (time spent waiting for the bus).
  nlohmann::json stats_json() const override;

 protected:
  // Checks that every bound initiator and target was named with add_initiator() / add_target().
  void start_of_simulation() override;

 private:
  struct RouteStats {
    TrafficStats traffic;  // data counters of successful transactions; data bus occupancy of all forwarded
    uint64_t errors = 0;   // forwarded transactions the target answered with an error
  };

  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);

  // Index of the target whose range holds [address, address + span - 1] entirely, or nullopt.
  std::optional<std::size_t> decode(uint64_t address, uint64_t span) const;
  sc_core::sc_time cycles_to_time(uint64_t cycles) const;
  RouteStats& route(int initiator, std::size_t target);

  RouterParams params_;
  std::vector<std::string> initiators_;
  std::vector<AddressRange> targets_;
  std::vector<std::vector<RouteStats>> routes_;  // [initiator][target], grown on demand
  uint64_t unmapped_ = 0;
  timing::SharedResource data_bus_;
  trace::TraceSink* trace_ = nullptr;
  trace::CounterId counter_ = 0;
};

}  // namespace minconv::platform
