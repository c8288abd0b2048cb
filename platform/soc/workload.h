#pragma once
// A workload: a network (layers and where its weights come from) and the input images to run, read from a
// YAML file under configs/workloads/ with the same strict validation as the SoC configuration. The network
// is checked against the accelerator it will run on while the file is read, so that a layer the hardware
// cannot run is an error naming file, line and key before anything is computed.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/config/yaml_map.h"
#include "sw/golden/network.h"

namespace minconv::platform {

// What the accelerator and the SoC can hold: the limits a workload is checked against when it is read.
struct WorkloadLimits {
  unsigned max_kernel = 11;  // accelerator kernel side
  unsigned max_stride = 4;
  uint64_t input_half_bytes = 0;   // half of each accelerator buffer (a tile's share)
  uint64_t weight_half_bytes = 0;  // 0: no accelerator limits are checked
  uint64_t output_half_bytes = 0;
  uint64_t dram_bytes = 0;  // DRAM available for the model's tensors (0: not checked)
  int64_t max_fan_in = golden::max_reduction(golden::PeKind::kMul);  // longest reduction K (int32 sums)
  std::string fan_in_pe = "mul";                                     // the PE kind that sets max_fan_in
};

// Labelled test images (labels -1 for random images).
struct ImageSet {
  unsigned first = 0;  // index of images[0] in the test set
  std::vector<golden::TensorF> images;
  std::vector<int> labels;
};

struct Workload {
  std::string name;
  std::string source;            // the file it came from
  golden::FloatNetwork network;  // the structure, with random weights (He-normal from weight_seed)
  uint64_t weight_seed = 1;      // weights: random (He-normal), from this seed
  // Trained float weights (MCNF files, sw/train/float_network_file.h) for each PE kind: the min run uses
  // a MinConv fine-tuned network, the mul run the standard one. Empty: random weights.
  std::string min_weights_name, mul_weights_name;
  std::vector<uint8_t> min_weights, mul_weights;
  // ONNX models (docs/models.md): YAML `model: FILE` (both kinds) or `models: {min: FILE, mul: FILE}`, or
  // --model FILE. They replace `input`, `layers` and `weights`; `network` is then the min model's structure.
  std::string min_model_name, mul_model_name;
  std::string min_model_pe, mul_model_pe;     // their minconv.pe metadata ("min": trained as a MinConvNet)
  golden::FloatNetwork min_model, mul_model;  // with their weights (no layers: no ONNX model)
  std::string images = "random";              // image source: one of image_sources()
  std::string dataset_dir;                    // where the data set's files are
  unsigned calibration_images = 8;            // training images used to calibrate mu_|x| and ranges
  uint64_t image_seed = 7;                    // random images: from this seed
  unsigned image_index = 0;                   // first test image run through the SoC
  unsigned image_count = 1;            // test images run through the SoC (images.count; --images overrides)
  unsigned test_images_available = 0;  // test images in the data set (random: unlimited, 0)

  // Reads a weight file named in the YAML (relative to the YAML file's folder).
  using FileReader = std::function<std::vector<uint8_t>(const std::string& relative_path)>;
  // Throws config::ConfigError naming file, line and key for anything wrong, including a layer that the
  // accelerator described by `limits` cannot run and a data set that does not hold the images asked for.
  // `model_override` (--model): an ONNX file for both kinds that replaces the workload's network.
  static Workload from_yaml(const config::YamlMap& root, const FileReader& read_file,
                            const WorkloadLimits& limits, const std::string& model_override = "");
  static Workload load_file(const std::string& path, const WorkloadLimits& limits,
                            const std::string& model_override = "");
  // configs/workloads/lenet5.yaml, embedded
  static Workload load_default(const WorkloadLimits& limits, const std::string& model_override = "");
  nlohmann::json to_json() const;

  // Sets image_count from the command line (`--images N|all`); throws config::ConfigError naming the flag
  // if the data set does not hold that many images from image_index on.
  void set_image_count(const std::string& text);

  // The network with the weights for a PE kind (trained if the workload names a file, else random).
  golden::FloatNetwork network_for(bool min_kind) const;
  // True if the weights of that kind come from a file (ONNX model or MCNF weights), not the seed.
  bool trained_weights(bool min_kind) const {
    return !(min_kind ? min_model : mul_model).layers.empty() ||
           !(min_kind ? min_weights : mul_weights).empty();
  }
  // The first calibration_images images of the training split (random: seeded random images).
  std::vector<golden::TensorF> calibration_set() const;
  // Test images image_index .. image_index + image_count - 1 and their labels.
  ImageSet test_images() const;
  bool labelled() const { return images != "random"; }

 private:
  // Reads `model` / `models` (workload_model.cpp): imports and checks the ONNX files. Errors name the key.
  // Reads `input`, `weights` and `layers` (the network described in YAML).
  void read_layers(const config::YamlMap& root, const std::optional<config::YamlMap>& weights,
                   const WorkloadLimits& limits);
  void read_models(const config::YamlMap& root, const FileReader& read_file, const WorkloadLimits& limits);
  // --model FILE: errors name the flag and the file.
  void use_model_file(const std::string& path, const WorkloadLimits& limits);
  // Checks that the data set exists, has the network's input shape and holds image_count images from
  // image_index on; sets test_images_available. Errors name the `images` keys.
  void check_images(const config::YamlMap& images_map);

  // The splits read by check_images (the whole test split, the calibration images of the training split),
  // kept for test_images() and calibration_set() so that each data set file is decompressed once per run.
  std::shared_ptr<const ImageSet> test_split_, train_split_;
  unsigned train_split_count_ = 0;  // the calibration_images train_split_ was read for
};

// The image sources a workload may name, and the default folder of each.
const std::vector<std::string>& image_sources();
std::string default_image_dir(const std::string& source);

extern const char* const kDefaultWorkloadYaml;
// Files embedded next to the default workload (configs/models/*), by path relative to configs/workloads/.
std::vector<uint8_t> embedded_file(const std::string& relative_path);

}  // namespace minconv::platform
