#pragma once
// Statistics every platform component keeps. Reports are derived from these, never computed on the side.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm>

namespace minconv::platform {

// Traffic a component served (target) or issued (initiator).
struct TrafficStats {
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t reads = 0;                             // read transactions
  uint64_t writes = 0;                            // write transactions
  sc_core::sc_time busy = sc_core::SC_ZERO_TIME;  // time the component was occupied

  // Counts one transaction; other commands (TLM_IGNORE_COMMAND) count only busy time.
  void record(tlm::tlm_command cmd, uint64_t bytes, const sc_core::sc_time& busy_time);
  TrafficStats& operator+=(const TrafficStats& other);
  // {"read_bytes", "write_bytes", "reads", "writes", "busy_ns"}
  nlohmann::json to_json() const;
};

// A component that contributes a row to the statistics summary.
class StatsSource {
 public:
  virtual ~StatsSource() = default;
  virtual std::string stats_name() const = 0;
  virtual TrafficStats traffic() const = 0;
  // Full detail for the JSON report; defaults to the traffic counters.
  virtual nlohmann::json stats_json() const { return traffic().to_json(); }
};

// Summary table of all sources over a run of `elapsed` simulated time: bytes, transactions, busy time,
// utilisation and achieved bandwidth.
std::string format_stats_table(const std::vector<const StatsSource*>& sources,
                               const sc_core::sc_time& elapsed);
// {"elapsed_ns": ..., "components": {name: stats_json() + "bandwidth_gbps"}}
nlohmann::json stats_to_json(const std::vector<const StatsSource*>& sources, const sc_core::sc_time& elapsed);

}  // namespace minconv::platform
