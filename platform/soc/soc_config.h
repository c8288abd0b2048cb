#pragma once
// The whole SoC's configuration, read from one YAML file with strict validation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "accel/accel_params.h"
#include "platform/config/yaml_map.h"
#include "platform/cpu/cpu_stub.h"
#include "platform/dma/dma.h"
#include "platform/memory/memory.h"
#include "platform/router/router.h"
#include "platform/soc/cost_model.h"
#include "sw/hal/soc_info.h"
#include "sw/runtime/runtime_options.h"

namespace minconv::platform {

struct MemoryMap {
  uint32_t dram = 0x80000000;
  uint32_t dma = 0x40000000;
  uint32_t irq = 0x40001000;
  uint32_t accel_csr = 0x40010000;
  uint32_t accel_sram = 0x50000000;
};

constexpr uint32_t kCsrRegionBytes = 0x1000;  // bus window of each CSR block

struct SocConfig {
  std::string source;  // the file it came from ("<embedded default>" for the built-in one)
  MemoryMap map;
  CpuParams cpu;
  RouterParams bus;
  MemoryParams dram;
  DmaParams dma;
  std::optional<accel::AccelParams> accel;  // absent: an SoC without the accelerator
  // The multiplier accelerator's array in min-vs-mul comparisons (`baseline:` rows, cols; default: the
  // same array as `accel`). An iso-area configuration gives the min accelerator more PEs than this.
  unsigned baseline_rows = 0, baseline_cols = 0;
  CostModel costs;
  // The `runtime:` section: the runtime's switches (each defaults to on; docs/runtime.md).
  sw::RuntimeOptions runtime;

  // Throws config::ConfigError naming file, line and key.
  static SocConfig from_yaml(const config::YamlMap& root);
  static SocConfig load_file(const std::string& path);
  static SocConfig load_default();  // configs/soc/default.yaml, embedded at build time

  // The bus regions in the order the SoC binds its targets.
  std::vector<AddressRange> regions() const;
  hal::SocInfo soc_info() const;
  nlohmann::json to_json() const;  // every field, defaults filled in
};

// The text of configs/soc/default.yaml.
extern const char* const kDefaultSocYaml;

}  // namespace minconv::platform
