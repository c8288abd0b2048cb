#pragma once
// A workload: a network (layers and where its weights come from) and the input images to run, read from a
// YAML file under configs/workloads/ with the same strict validation as the SoC configuration.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/config/yaml_map.h"
#include "sw/golden/network.h"

namespace minconv::platform {

struct Workload {
  std::string name;
  std::string source;            // the file it came from
  golden::FloatNetwork network;  // the structure, with random weights (He-normal from weight_seed)
  uint64_t weight_seed = 1;      // weights: random (He-normal), from this seed
  // Trained float weights (MCNF files, sw/train/float_network_file.h) for each PE kind: the min run uses
  // a MinConv fine-tuned network, the mul run the standard one. Empty: random weights.
  std::string min_weights_name, mul_weights_name;
  std::vector<uint8_t> min_weights, mul_weights;
  unsigned accuracy_images = 0;     // test images classified by the golden int8 model for the accuracy figure
  std::string images = "random";    // fashion-mnist | random
  std::string dataset_dir;          // where the IDX files are (fashion-mnist)
  unsigned calibration_images = 8;  // images used to calibrate mu_|x| and ranges
  uint64_t image_seed = 7;          // random images: from this seed
  unsigned image_index = 0;         // which test image is run

  // Reads a weight file named in the YAML (relative to the YAML file's folder).
  using FileReader = std::function<std::vector<uint8_t>(const std::string& relative_path)>;
  static Workload from_yaml(const config::YamlMap& root, const FileReader& read_file);
  static Workload load_file(const std::string& path);
  static Workload load_default();  // configs/workloads/lenet5.yaml, embedded at build time
  nlohmann::json to_json() const;

  // The network with the weights for a PE kind (trained if the workload names a file, else random).
  golden::FloatNetwork network_for(bool min_kind) const;
  std::vector<golden::TensorF> calibration_set() const;
  golden::TensorF test_image(int* label) const;
  // The first `count` test images and their labels (fashion-mnist only).
  void test_set(unsigned count, std::vector<golden::TensorF>& images, std::vector<uint8_t>& labels) const;
};

extern const char* const kDefaultWorkloadYaml;
// Files embedded next to the default workload (configs/models/*), by path relative to configs/workloads/.
std::vector<uint8_t> embedded_file(const std::string& relative_path);

}  // namespace minconv::platform
