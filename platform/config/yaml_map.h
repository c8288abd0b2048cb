#pragma once
// Strict reading of YAML configuration: every key of a mapping must be read by the component that owns
// it, or finish() reports it as unknown. All errors name the file, line, column and dotted key.
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace minconv::config {

// A configuration error: the message is complete ("file:line:col: key 'a.b': what is wrong").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class YamlMap {
 public:
  // Parses a file (or a string given a display name); a syntax error becomes a ConfigError.
  static YamlMap load_file(const std::string& path);
  static YamlMap load_string(const std::string& text, const std::string& display_name);

  // `node` must be a mapping; `path` is the dotted key of the mapping ("" for the document root).
  YamlMap(const YAML::Node& node, std::string file, std::string path);

  bool has(const std::string& key) const;
  // Unsigned integers (decimal or 0x hex) within [lo, hi].
  uint64_t u64(const std::string& key, uint64_t lo, uint64_t hi) const;
  uint64_t u64_or(const std::string& key, uint64_t fallback, uint64_t lo, uint64_t hi) const;
  // Real numbers within [lo, hi].
  double real(const std::string& key, double lo, double hi) const;
  double real_or(const std::string& key, double fallback, double lo, double hi) const;
  std::string str(const std::string& key) const;
  std::string str_or(const std::string& key, const std::string& fallback) const;
  // A string that must be one of `allowed`.
  std::string choice(const std::string& key, const std::vector<std::string>& allowed) const;
  std::string choice_or(const std::string& key, const std::string& fallback,
                        const std::vector<std::string>& allowed) const;
  bool flag_or(const std::string& key, bool fallback) const;
  YamlMap map(const std::string& key) const;
  std::optional<YamlMap> map_opt(const std::string& key) const;
  // A non-empty sequence of single values (a sweep axis' values).
  std::vector<std::string> scalars(const std::string& key) const;
  // A sequence of mappings (may be empty only if allow_empty).
  std::vector<YamlMap> maps(const std::string& key, bool allow_empty = false) const;

  // Throws for the first key of this mapping that nobody read.
  void finish() const;
  // Throws a ConfigError located at `key` of this mapping (or the mapping itself if the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  YAML::Node scalar(const std::string& key) const;  // required scalar, marks the key as read
  std::string location(const YAML::Mark& mark) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  mutable std::set<std::string> read_;
};

}  // namespace minconv::config
