#include "platform/config/yaml_map.h"

#include "platform/config/input_file.h"
#include "platform/config/yaml_text.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace minconv::config {

YamlMap YamlMap::load_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_input_file(path, kMaxYamlBytes);
  return YamlMap(parse_yaml_text(std::string(bytes.begin(), bytes.end()), path), path, "");
}

YamlMap YamlMap::load_string(const std::string& text, const std::string& display_name) {
  return YamlMap(parse_yaml_text(text, display_name), display_name, "");
}

YamlMap::YamlMap(const YAML::Node& node, std::string file, std::string path)
    : node_(node), file_(std::move(file)), path_(std::move(path)) {
  if (!node_.IsMap()) {
    throw ConfigError(location(node_.Mark()) + ": error: key '" + path_ + "': expected a mapping");
  }
}

std::string YamlMap::location(const YAML::Mark& mark) const {
  if (mark.is_null()) return file_;
  return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void YamlMap::fail(const std::string& key, const std::string& message) const {
  const YAML::Node child = node_[key];
  const YAML::Mark mark = child.IsDefined() ? child.Mark() : node_.Mark();
  throw ConfigError(location(mark) + ": error: key '" + key_path(key) + "': " + message);
}

bool YamlMap::has(const std::string& key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }

YAML::Node YamlMap::scalar(const std::string& key) const {
  read_.insert(key);
  const YAML::Node child = node_[key];
  if (!child.IsDefined() || child.IsNull()) fail(key, "missing required key");
  if (!child.IsScalar()) fail(key, "expected a single value, got a mapping or a list");
  return child;
}

uint64_t YamlMap::u64(const std::string& key, uint64_t lo, uint64_t hi) const {
  const std::string text = scalar(key).Scalar();
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string digits = hex ? text.substr(2) : text;
  const bool ok_chars = !digits.empty() && std::all_of(digits.begin(), digits.end(), [hex](char c) {
    return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0
               : std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!ok_chars) fail(key, "expected a non-negative integer (decimal or 0x hex), got '" + text + "'");
  errno = 0;
  const unsigned long long v = std::strtoull(digits.c_str(), nullptr, hex ? 16 : 10);
  if (errno == ERANGE) fail(key, "value '" + text + "' is too large");
  if (v < lo || v > hi) {
    fail(key, "value " + text + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

uint64_t YamlMap::u64_or(const std::string& key, uint64_t fallback, uint64_t lo, uint64_t hi) const {
  read_.insert(key);
  return has(key) ? u64(key, lo, hi) : fallback;
}

double YamlMap::real(const std::string& key, double lo, double hi) const {
  const std::string text = scalar(key).Scalar();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) {
    fail(key, "expected a number, got '" + text + "'");
  }
  if (v < lo || v > hi) {
    std::ostringstream range;
    range << "value " << text << " is out of range [" << lo << ", " << hi << "]";
    fail(key, range.str());
  }
  return v;
}

double YamlMap::real_or(const std::string& key, double fallback, double lo, double hi) const {
  read_.insert(key);
  return has(key) ? real(key, lo, hi) : fallback;
}

std::string YamlMap::str(const std::string& key) const { return scalar(key).Scalar(); }

std::string YamlMap::str_or(const std::string& key, const std::string& fallback) const {
  read_.insert(key);
  return has(key) ? str(key) : fallback;
}

std::string YamlMap::choice(const std::string& key, const std::vector<std::string>& allowed) const {
  const std::string v = str(key);
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(key, "'" + v + "' is not one of: " + list);
  }
  return v;
}

std::string YamlMap::choice_or(const std::string& key, const std::string& fallback,
                               const std::vector<std::string>& allowed) const {
  read_.insert(key);
  return has(key) ? choice(key, allowed) : fallback;
}

bool YamlMap::flag_or(const std::string& key, bool fallback) const {
  read_.insert(key);
  if (!has(key)) return fallback;
  const std::string v = str(key);
  if (v == "true") return true;
  if (v == "false") return false;
  fail(key, "expected true or false, got '" + v + "'");
}

YamlMap YamlMap::map(const std::string& key) const {
  read_.insert(key);
  const YAML::Node child = node_[key];
  if (!child.IsDefined() || child.IsNull()) fail(key, "missing required section");
  if (!child.IsMap()) fail(key, "expected a mapping of keys to values");
  return YamlMap(child, file_, key_path(key));
}

std::optional<YamlMap> YamlMap::map_opt(const std::string& key) const {
  read_.insert(key);
  if (!has(key)) return std::nullopt;
  return map(key);
}

std::vector<std::string> YamlMap::scalars(const std::string& key) const {
  read_.insert(key);
  const YAML::Node child = node_[key];
  if (!child.IsDefined() || child.IsNull()) fail(key, "missing required list");
  if (!child.IsSequence() || child.size() == 0) fail(key, "expected a non-empty list of values");
  std::vector<std::string> out;
  for (const YAML::Node& item : child) {
    if (!item.IsScalar()) fail(key, "expected single values in the list, got a mapping or a list");
    out.push_back(item.Scalar());
  }
  return out;
}

std::vector<YamlMap> YamlMap::maps(const std::string& key, bool allow_empty) const {
  read_.insert(key);
  const YAML::Node child = node_[key];
  if (!child.IsDefined() || child.IsNull()) fail(key, "missing required list");
  if (!child.IsSequence()) fail(key, "expected a list");
  if (child.size() == 0 && !allow_empty) fail(key, "the list must not be empty");
  std::vector<YamlMap> out;
  for (std::size_t i = 0; i < child.size(); ++i) {
    const std::string item_path = key_path(key) + "[" + std::to_string(i) + "]";
    if (!child[i].IsMap()) {
      throw ConfigError(location(child[i].Mark()) + ": error: key '" + item_path + "': expected a mapping");
    }
    out.emplace_back(child[i], file_, item_path);
  }
  return out;
}

void YamlMap::finish() const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (read_.count(key) == 0) {
      std::string known;
      for (const auto& k : read_) known += (known.empty() ? "" : ", ") + k;
      throw ConfigError(location(it->first.Mark()) + ": error: unknown key '" + key_path(key) +
                        "' (known keys here: " + known + ")");
    }
  }
}

}  // namespace minconv::config
