#pragma once
// A design-space sweep: a base SoC configuration, a workload, and axes to vary, read from a YAML file
// (configs/sweeps/*.yaml, documented in docs/sweeps.md). Every point is the base configuration with one value
// of each axis set, run as its own `minconv-sim` process.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/config/yaml_map.h"

namespace minconv::platform::sweep {

// One axis: a key of the SoC YAML by its dotted path ("accel.rows", "dram.bytes_per_cycle"), or one of the
// special keys "iso_area" (true: a min point gets as many PEs as fit the area of the multiplier array of its
// rows and cols) and "batch" (the point's --batch), and the values it takes (as written in the YAML).
struct Axis {
  std::string key;
  std::vector<std::string> values;
};

struct Spec {
  std::string name;
  std::string source;         // the sweep file
  std::string config_path;    // base SoC YAML (absolute or relative to the working directory); "" = default
  std::string workload_path;  // workload YAML; "" = the embedded default
  std::string images;         // --images for every point ("" = the workload's own count)
  std::string batch;          // --batch for every point ("" = 1), unless an axis "batch" sets it
  std::vector<Axis> axes;

  // Throws config::ConfigError naming file, line and key. Paths in the file are relative to its folder.
  static Spec from_yaml(const config::YamlMap& root);
  static Spec load_file(const std::string& path);
  uint64_t point_count() const;
};

// One point: the value index of each axis.
struct Point {
  std::vector<std::size_t> index;
  std::string id;                   // "rows=8_cols=16_pe=min": a file-name-safe, stable name
  std::vector<std::string> values;  // the value of each axis
};

// Every point in a fixed order (the last axis varies fastest).
std::vector<Point> expand(const Spec& spec);

// The --batch of a point ("" = none): its "batch" axis value, else the sweep's batch.
std::string point_batch(const Spec& spec, const Point& point);

// The SoC YAML of a point: the base configuration (text) with each axis key set. Throws config::ConfigError
// if a key does not exist in the base configuration (a sweep must not silently add keys).
std::string point_config(const Spec& spec, const std::string& base_yaml, const Point& point,
                         double min_pe_area, double mul_pe_area);

}  // namespace minconv::platform::sweep
