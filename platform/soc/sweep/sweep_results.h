#pragma once
// The results of a sweep's points, read back from their reports, as one CSV and as gnuplot plots.
#include <set>
#include <string>
#include <vector>

#include "platform/soc/sweep/sweep_spec.h"

namespace minconv::platform::sweep {

struct LayerResult {
  std::string name;
  double macs = 0, cycles = 0, dram_bytes = 0;
};

struct Result {
  Point point;
  bool ok = false;
  std::string error;  // why the point failed (its first error line), if it did
  std::string pe;
  unsigned rows = 0, cols = 0;
  double area_nand2 = 0, cycles = 0, latency_us = 0, dram_bytes = 0, bandwidth_gbps = 0, utilization = 0;
  double energy_uj = 0, bound_cycles = 0, x_bound = 0, accuracy = -1, host_seconds = 0;
  unsigned images = 0;
  // The point's images end to end (--batch): images per stream, throughput, per-image latency in cycles.
  unsigned batch = 0;
  double stream_cycles = 0, images_per_s = 0, latency_min = 0, latency_mean = 0, latency_max = 0;
  double peak_bytes_per_cycle = 0;  // DRAM peak per accelerator cycle (the roofline's slope)
  std::vector<LayerResult> layers;
};

// Every point's result from <dir>/points/<id>/ (a point that did not run is a failed row saying so).
std::vector<Result> collect(const Spec& spec, const std::string& dir);
std::string results_csv(const Spec& spec, const std::vector<Result>& results);
// Ids of the points already in a results.csv (none if the file does not exist).
std::set<std::string> points_in_csv(const std::string& path);
// Writes plots/*.{dat,gp,png,svg} with gnuplot; returns a line saying what was written (or why not).
std::string write_plots(const Spec& spec, const std::vector<Result>& results, const std::string& dir);

}  // namespace minconv::platform::sweep
