#pragma once
// A workload: a network (layers and where its weights come from) and the input images to run, read from a
// YAML file under configs/workloads/ with the same strict validation as the SoC configuration.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/config/yaml_map.h"
#include "sw/golden/network.h"

namespace minconv::platform {

struct Workload {
  std::string name;
  std::string source;          // the file it came from
  golden::FloatNetwork network;
  uint64_t weight_seed = 1;    // weights: random (He-normal), from this seed
  std::string images = "random";  // fashion-mnist | random
  std::string dataset_dir;     // where the IDX files are (fashion-mnist)
  unsigned calibration_images = 8;  // images used to calibrate mu_|x| and ranges
  uint64_t image_seed = 7;     // random images: from this seed
  unsigned image_index = 0;    // which test image is run

  static Workload from_yaml(const config::YamlMap& root);
  static Workload load_file(const std::string& path);
  static Workload load_default();  // configs/workloads/lenet5.yaml, embedded at build time
  nlohmann::json to_json() const;

  // The calibration images and the image to run (index 0 of the returned pair's second).
  std::vector<golden::TensorF> calibration_set() const;
  golden::TensorF test_image(int* label) const;
};

extern const char* const kDefaultWorkloadYaml;

}  // namespace minconv::platform
