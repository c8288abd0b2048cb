// libFuzzer target: a workload file -> Workload::from_yaml with the limits of the default SoC. The input is
// the YAML text, optionally followed by a NUL byte and the bytes of a weight file: every weight file the
// YAML names reads as those bytes (no NUL: the reader refuses, as for a missing file). A NUL can never be
// part of a valid YAML text (yaml_text.h), so the split loses nothing. Bad input must end in a
// config::ConfigError.
//
// The limits are those of the default SoC except the DRAM, capped at kFuzzDramBytes: a network that fills
// 64 MiB is valid, and drawing its random weights takes a minute under ASan + coverage (Tiny-YOLOv2's
// 15.8 M take 17 s), time the fuzzer would not spend on parsing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "platform/config/yaml_map.h"
#include "platform/soc/soc_config.h"
#include "platform/soc/workload.h"
#include "platform/soc/workload_job.h"

namespace {

constexpr uint64_t kFuzzDramBytes = uint64_t{1} << 20;

minconv::platform::WorkloadLimits fuzz_limits() {
  minconv::platform::WorkloadLimits l =
      minconv::platform::workload_limits(minconv::platform::SocConfig::load_default(), /*compare=*/true);
  l.dram_bytes = std::min(l.dram_bytes, kFuzzDramBytes);
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using minconv::platform::Workload;
  static const minconv::platform::WorkloadLimits limits = fuzz_limits();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string text = input.substr(0, nul);
  const bool has_file = nul != std::string::npos;
  const std::vector<uint8_t> file =
      has_file ? std::vector<uint8_t>(data + nul + 1, data + size) : std::vector<uint8_t>();
  const Workload::FileReader reader = [&](const std::string& path) {
    if (!has_file) throw minconv::config::ConfigError(path + ": error: no such file (fuzz input)");
    return file;
  };
  try {
    const Workload w =
        Workload::from_yaml(minconv::config::YamlMap::load_string(text, "<fuzz>"), reader, limits);
    (void)w.to_json();
    (void)w.network_for(true);  // the weights that were accepted must load into the network
    (void)w.network_for(false);
  } catch (const minconv::config::ConfigError&) {
  }
  return 0;
}
