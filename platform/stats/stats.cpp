#include "platform/stats/stats.h"

#include <cstdio>
#include <sstream>

namespace minconv::platform {

void TrafficStats::record(tlm::tlm_command cmd, uint64_t bytes, const sc_core::sc_time& busy_time) {
  if (cmd == tlm::TLM_READ_COMMAND) {
    read_bytes += bytes;
    ++reads;
  } else if (cmd == tlm::TLM_WRITE_COMMAND) {
    write_bytes += bytes;
    ++writes;
  }
  busy += busy_time;
}

TrafficStats& TrafficStats::operator+=(const TrafficStats& other) {
  read_bytes += other.read_bytes;
  write_bytes += other.write_bytes;
  reads += other.reads;
  writes += other.writes;
  busy += other.busy;
  return *this;
}

nlohmann::json TrafficStats::to_json() const {
  return {{"read_bytes", read_bytes},
          {"write_bytes", write_bytes},
          {"reads", reads},
          {"writes", writes},
          {"busy_ns", busy.to_seconds() * 1e9}};
}

namespace {
// Achieved bandwidth in GB/s (1e9 bytes per second) over the elapsed time.
double bandwidth_gbps(const TrafficStats& t, const sc_core::sc_time& elapsed) {
  const double s = elapsed.to_seconds();
  return s > 0 ? static_cast<double>(t.read_bytes + t.write_bytes) / s / 1e9 : 0.0;
}
}  // namespace

std::string format_stats_table(const std::vector<const StatsSource*>& sources,
                               const sc_core::sc_time& elapsed) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %14s %14s %10s %10s %12s %7s %9s\n", "component", "read bytes",
                "write bytes", "reads", "writes", "busy us", "busy%", "GB/s");
  out << line;
  const double total_s = elapsed.to_seconds();
  for (const StatsSource* s : sources) {
    const TrafficStats t = s->traffic();
    const double busy_s = t.busy.to_seconds();
    std::snprintf(line, sizeof line, "%-28s %14llu %14llu %10llu %10llu %12.3f %6.1f%% %9.3f\n",
                  s->stats_name().c_str(), static_cast<unsigned long long>(t.read_bytes),
                  static_cast<unsigned long long>(t.write_bytes), static_cast<unsigned long long>(t.reads),
                  static_cast<unsigned long long>(t.writes), busy_s * 1e6,
                  total_s > 0 ? 100.0 * busy_s / total_s : 0.0, bandwidth_gbps(t, elapsed));
    out << line;
  }
  std::snprintf(line, sizeof line, "simulated time: %.3f us\n", total_s * 1e6);
  out << line;
  return out.str();
}

nlohmann::json stats_to_json(const std::vector<const StatsSource*>& sources,
                             const sc_core::sc_time& elapsed) {
  nlohmann::json components = nlohmann::json::object();
  for (const StatsSource* s : sources) {
    nlohmann::json j = s->stats_json();
    j["bandwidth_gbps"] = bandwidth_gbps(s->traffic(), elapsed);
    components[s->stats_name()] = std::move(j);
  }
  return {{"elapsed_ns", elapsed.to_seconds() * 1e9}, {"components", std::move(components)}};
}

}  // namespace minconv::platform
