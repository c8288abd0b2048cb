#pragma once
// Parsing the text of a configuration file into one YAML document, stricter than YAML itself: what a user
// almost certainly did not mean is an error with its file, line and column (a NUL byte, a quoted value not
// closed on its line, a second document, a key given twice in one mapping).
#include <string>

#include <yaml-cpp/yaml.h>

namespace minconv::config {

// The root mapping of `text`; throws ConfigError ("name:line:col: error: ...") otherwise.
YAML::Node parse_yaml_text(const std::string& text, const std::string& name);

}  // namespace minconv::config
