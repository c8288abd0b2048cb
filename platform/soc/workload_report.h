#pragma once
// What a workload job reports: per-layer rows derived from the runtime's layer reports and the components'
// statistics, printed side by side for min and mul, and written as JSON and CSV.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/soc/pe_run.h"
#include "platform/soc/soc_config.h"
#include "platform/soc/workload.h"

namespace minconv::platform {

// One layer (or the total) of one run, in accelerator cycles.
struct Row {
  std::string name, where;
  uint64_t macs = 0, cycles = 0, read = 0, write = 0, stall = 0;
  double latency_us = 0, gbps = 0, util = 0, energy_uj = 0;
  // Roofline bound of the layer: max(MACs / PEs, DRAM bytes / DRAM peak bytes per accelerator cycle); the
  // total's bound is the sum of its layers' bounds.
  double compute_cycles = 0, memory_cycles = 0, bound_cycles = 0;
  // "none" for a row with no work of its own (a pool fused into the conv before it).
  const char* binding() const {
    return bound_cycles <= 0 ? "none" : memory_cycles > compute_cycles ? "memory" : "compute";
  }
  const char* binding_short() const { return bound_cycles <= 0 ? "-" : binding()[0] == 'm' ? "mem" : "cmp"; }
  double x_bound() const { return bound_cycles > 0 ? double(cycles) / bound_cycles : 0.0; }
};

// The per-layer rows of a run, and their total as the last row.
std::vector<Row> run_rows(const PeRun& run, const SocConfig& config);

// A run's images end to end (--batch: streams of `batch` images), in accelerator cycles.
struct StreamFigures {
  unsigned batch = 1, images = 0;
  uint64_t cycles = 0;      // every stream, first load of its first image to last output of its last, summed
  double us = 0;            // the same in simulated microseconds
  double images_per_s = 0;  // images / simulated seconds
  uint64_t latency_min = 0, latency_max = 0;  // per image: its first load issued to its last output written
  double latency_mean = 0;
  std::vector<uint64_t> latency;  // each image's
  uint64_t accel_busy = 0;        // accelerator busy cycles over every image
};
StreamFigures stream_figures(const PeRun& run, const SocConfig& config);

// The side-by-side (or single-run) table, each SoC's component statistics, and one line per run saying
// whether it was bit-exact and its accuracy.
void print_report(const std::vector<PeRun>& runs, const SocConfig& config, const Workload& workload);

// The JSON report: configuration used, workload, and per run its rows, totals, accuracy and statistics.
nlohmann::json report_json(const std::vector<PeRun>& runs, const SocConfig& config, const Workload& workload);
// The CSV: one line per layer and per total of every run.
std::string report_csv(const std::vector<PeRun>& runs, const SocConfig& config);

}  // namespace minconv::platform
