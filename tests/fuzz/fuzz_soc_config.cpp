// libFuzzer target: the text of an SoC configuration file -> SocConfig::from_yaml. Bad input must end in a
// config::ConfigError; any other exception, crash, sanitizer report, leak or hang is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/config/yaml_map.h"
#include "platform/soc/soc_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const minconv::platform::SocConfig c =
        minconv::platform::SocConfig::from_yaml(minconv::config::YamlMap::load_string(text, "<fuzz>"));
    (void)c.to_json();  // a configuration that was accepted must also be reportable
  } catch (const minconv::config::ConfigError&) {
  }
  return 0;
}
